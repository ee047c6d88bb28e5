"""fannkuch-redux, the `codon` rung: the plain algorithm with Codon's types, compiled ahead of time by Codon
(`codon build -release -pyext`) into a CPython extension; `int` is a 64-bit machine integer and `list[int]` an
unboxed array. The reversal and rotation are index loops, as Codon compiles them to plain machine loops."""


def fannkuch(n: int) -> list[int]:
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
                perm[i], perm[j] = perm[j], perm[i]
                i += 1
                j -= 1
            flips += 1
            k = perm[0]
        if flips > max_flips:
            max_flips = flips
        checksum += flips if index % 2 == 0 else -flips
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


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> list[int]:
    return fannkuch(n)
