"""spectral-norm, the `numpy` rung: build A as a dense matrix, then let BLAS do the mat-vecs.

Building the n x n matrix is part of the timed work. A(i, j) = 1 / (T(i + j) + i + 1) with
T(s) = s(s + 1) / 2, so the T part is a Hankel matrix: a strided view of one vector of
length 2n - 1, built without copying. One broadcast add writes the matrix, one in-place
reciprocal finishes it (float64 is exact here: every denominator is an integer far below
2**53). Each A @ x and Aᵀ @ x is then one BLAS gemv call, which may use several threads.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def build_matrix(n):
    s = np.arange(2 * n - 1, dtype=np.float64)
    triangular = s * (s + 1.0) * 0.5                # T(s) for s = i + j in 0 .. 2n-2
    hankel = sliding_window_view(triangular, n)    # hankel[i, j] = T(i + j), a view
    row = np.arange(1, n + 1, dtype=np.float64)     # i + 1
    a = hankel + row[:, np.newaxis]
    np.reciprocal(a, out=a)
    return a


def setup(n, data_path):
    return n


def run(n):
    a = build_matrix(n)
    at = a.T
    u = np.ones(n)
    v = u
    for _ in range(10):
        v = at @ (a @ u)
        u = at @ (a @ v)
    vbv = float(u @ v)
    vv = float(v @ v)
    return [math.sqrt(vbv / vv), vbv, vv]
