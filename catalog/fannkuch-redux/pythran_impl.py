"""fannkuch-redux, the `pythran` rung: the typed algorithm on lists of ints, compiled ahead of time by Pythran
to C++ (`#pythran export` gives the entry point's types)."""

#pythran export setup(int, str)
#pythran export run(int)


def fannkuch(n):
    perm1 = list(range(n))
    perm = [0] * n
    count = [0] * n
    checksum = 0
    max_flips = 0
    index = 0
    r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        for i in range(n):
            perm[i] = perm1[i]
        flips = 0
        k = perm[0]
        while k != 0:
            i = 0
            j = k
            while i < j:
                t = perm[i]
                perm[i] = perm[j]
                perm[j] = t
                i += 1
                j -= 1
            flips += 1
            k = perm[0]
        if flips > max_flips:
            max_flips = flips
        if index % 2 == 0:
            checksum += flips
        else:
            checksum -= flips
        while True:
            if r == n:
                return [checksum, max_flips]
            first = perm1[0]
            for i in range(r):
                perm1[i] = perm1[i + 1]
            perm1[r] = first
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        index += 1


def setup(n, data_path):
    return n


def run(n):
    return fannkuch(n)
