"""fannkuch-redux, the `numba` rung: the permutation walk in one @njit(cache=True) function over NumPy int
arrays, compiled by Numba through LLVM on the first call (that cost shows in the first-call time)."""
import numpy as np
from numba import njit


@njit(cache=True)
def _fannkuch(n):
    perm1 = np.arange(n)
    perm = np.empty(n, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    checksum = 0
    max_flips = 0
    index = 0
    r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        perm[:] = perm1
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
                return checksum, max_flips
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
    checksum, max_flips = _fannkuch(n)
    return [int(checksum), int(max_flips)]
