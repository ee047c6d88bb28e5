"""spectral-norm, the `numba` rung: @njit(cache=True) kernels over NumPy arrays.

A(i, j) is a small jitted function Numba inlines into the mat-vec loops; the vectors are
float64 NumPy arrays allocated once per run and reused across the ten power iterations.
"""
import math

import numpy as np
import numba
from numba import njit


@njit(cache=True, inline="always")
def eval_a(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


@njit(cache=True)
def times_a(u, out):
    """out = A u"""
    n = u.shape[0]
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * u[j]
        out[i] = s


@njit(cache=True)
def times_at(u, out):
    """out = Aᵀ u"""
    n = u.shape[0]
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * u[j]
        out[i] = s


@njit(cache=True)
def spectral_norm(n):
    u = np.ones(n)
    v = np.empty(n)
    tmp = np.empty(n)
    for _ in range(10):
        times_a(u, tmp)
        times_at(tmp, v)
        times_a(v, tmp)
        times_at(tmp, u)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return math.sqrt(vbv / vv), vbv, vv


def setup(n, data_path):
    return n


def run(n):
    norm, vbv, vv = spectral_norm(n)
    return [float(norm), float(vbv), float(vv)]


def ladder_info():
    # Numba's default, fastmath=False, in both modes: LLVM keeps IEEE semantics and contracts no FMAs, so this
    # rung needs nothing under `ladder run --fair`.
    return {"fastmath": False, "numba": numba.__version__}
