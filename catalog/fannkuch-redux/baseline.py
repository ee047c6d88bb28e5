"""fannkuch-redux, plain Python (the `cpython` and `pypy` rungs).

The Benchmarks Game problem: walk every permutation of 0..n-1 in the benchmark's order, and for each one count
the prefix reversals ("pancake flips") it takes to bring 0 to the front. `run` returns [checksum, max flips]:
the checksum adds the flips of even-numbered permutations and subtracts those of odd ones.
Runs unchanged on CPython 3.10+ and PyPy 3.9.
"""


def fannkuch(n):
    perm1 = list(range(n))
    count = [0] * n
    checksum = 0
    max_flips = 0
    index = 0
    r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        perm = perm1[:]
        flips = 0
        k = perm[0]
        while k:
            perm[: k + 1] = perm[k::-1]
            flips += 1
            k = perm[0]
        if flips > max_flips:
            max_flips = flips
        checksum += -flips if index & 1 else flips
        # The next permutation: rotate the first r+1 elements left until a counter is left.
        while True:
            if r == n:
                return [checksum, max_flips]
            perm1.insert(r, perm1.pop(0))
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        index += 1


def setup(n, data_path):
    return n


def run(n):
    return fannkuch(n)


if __name__ == "__main__":
    import sys

    checksum, flips = run(setup(int(sys.argv[1]) if len(sys.argv) > 1 else 7, ""))
    print("%d\nPfannkuchen(%d) = %d" % (checksum, int(sys.argv[1]) if len(sys.argv) > 1 else 7, flips))
