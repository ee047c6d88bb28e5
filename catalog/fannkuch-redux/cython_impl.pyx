# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""fannkuch-redux, the `cython` rung: the permutation walk on C int arrays in a `nogil` function.

The permutations live in fixed-size C arrays (n is at most 16: 16! permutations is already far beyond any size
here), every counter is a C int or long long, and the loops are plain C loops; `cython -a` shows them white.
"""
from libc.string cimport memcpy

cdef enum:
    MAX_N = 16


cdef int _fannkuch(int n, long long *checksum_out) noexcept nogil:
    cdef int perm1[MAX_N]
    cdef int perm[MAX_N]
    cdef int count[MAX_N]
    cdef int i, j, k, t, r, first, flips, max_flips = 0
    cdef long long checksum = 0, index = 0
    for i in range(n):
        perm1[i] = i
    r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        memcpy(perm, perm1, sizeof(int) * n)
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
                checksum_out[0] = checksum
                return max_flips
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
    if not 1 <= n <= MAX_N:
        raise ValueError("fannkuch-redux takes n from 1 to %d, not %d" % (MAX_N, n))
    return n


def run(int n):
    cdef long long checksum = 0
    cdef int max_flips
    with nogil:
        max_flips = _fannkuch(n, &checksum)
    return [checksum, max_flips]
