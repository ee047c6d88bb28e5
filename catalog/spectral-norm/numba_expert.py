"""spectral-norm, the `numba` rung's expert tier: @njit(parallel=True) with `prange`, fastmath outside the fair mode.

Uses every idea of EXPERT.md: each product out = AᵀA x runs over tiles of 8 rows of A whose entries are computed
once into a per-thread buffer and used for both the tile's dot products and its part of Aᵀ(A x); a `prange` over
thread slots gives slot p of P a fixed, contiguous range of tiles and its own partial vector (Numba's static
chunking puts one slot on each thread), and a second `prange` over j adds the partials in slot order, so the
result depends on P only; the j loops are simple loops LLVM vectorises (float64 denominators, dot products in 4
interleaved partial sums written out here, so they vectorise without fastmath too). `fastmath=True` unless
LADDER_FAIR=1, and `error_model="numpy"` in both modes: a float division by zero then gives inf instead of
raising ZeroDivisionError (what Cython's `cdivision=True` does), so the row's divisions have no branch around
them and LLVM vectorises them (with Python's error model they stay one scalar division per entry, about 3x
slower here). EXPERT.md's reciprocal estimate is not used: Numba has no vector types and no target intrinsics in
the code it compiles, so `vrcp14pd` is out of reach short of writing LLVM IR by hand
(`numba.extending.intrinsic`), which would be LLVM code, not Numba's.

Numba's on-disk cache does not key on `fastmath`; ladder gives each floating-point mode its own NUMBA_CACHE_DIR,
so a fair run never loads code compiled with fast-math.
"""
import math
import os

import numpy as np
import numba
from numba import njit, prange

FAIR = os.environ.get("LADDER_FAIR") == "1"
TILE_ROWS = 8
MIN_TILES_PER_THREAD = 8

kernel = njit(fastmath=not FAIR, error_model="numpy", cache=True)
parallel_kernel = njit(parallel=True, fastmath=not FAIR, error_model="numpy", cache=True)


@kernel
def fill_row(i, x, row):
    """Row i of A into row; returns row · x."""
    n = x.shape[0]
    fi = float(i)
    for j in range(n):
        s = fi + j
        row[j] = 1.0 / (s * (s + 1.0) * 0.5 + fi + 1.0)
    s0 = s1 = s2 = s3 = 0.0
    j = 0
    while j + 4 <= n:
        s0 += row[j] * x[j]
        s1 += row[j + 1] * x[j + 1]
        s2 += row[j + 2] * x[j + 2]
        s3 += row[j + 3] * x[j + 3]
        j += 4
    dot = 0.0
    while j < n:
        dot += row[j] * x[j]
        j += 1
    return dot + s0 + s1 + s2 + s3


@kernel
def tile_range(first, last, x, entries, dots, out):
    """out = Σ_r (A(r, ·) · x) A(r, ·) over the rows of tiles first .. last-1."""
    n = x.shape[0]
    out[:] = 0.0
    for tile in range(first, last):
        row = tile * TILE_ROWS
        count = min(TILE_ROWS, n - row)
        for r in range(count):
            dots[r] = fill_row(row + r, x, entries[r])
        if count == TILE_ROWS:
            t0, t1, t2, t3 = dots[0], dots[1], dots[2], dots[3]
            t4, t5, t6, t7 = dots[4], dots[5], dots[6], dots[7]
            e0, e1, e2, e3 = entries[0], entries[1], entries[2], entries[3]
            e4, e5, e6, e7 = entries[4], entries[5], entries[6], entries[7]
            for j in range(n):
                out[j] += (t0 * e0[j] + t1 * e1[j] + t2 * e2[j] + t3 * e3[j]
                           + t4 * e4[j] + t5 * e5[j] + t6 * e6[j] + t7 * e7[j])
        else:
            for r in range(count):
                t = dots[r]
                e = entries[r]
                for j in range(n):
                    out[j] += t * e[j]


@parallel_kernel
def product(x, out, partials, entries, dots):
    """out = AᵀA x, one thread slot per row of `partials`."""
    n = x.shape[0]
    size = partials.shape[0]
    tiles = (n + TILE_ROWS - 1) // TILE_ROWS
    for p in prange(size):
        tile_range(tiles * p // size, tiles * (p + 1) // size, x, entries[p], dots[p], partials[p])
    for j in prange(n):
        s = partials[0, j]
        for q in range(1, size):
            s += partials[q, j]
        out[j] = s


@kernel
def power_method(n, size):
    u = np.ones(n)
    v = np.empty(n)
    partials = np.empty((size, n))
    entries = np.empty((size, TILE_ROWS, n))
    dots = np.empty((size, TILE_ROWS))
    for _ in range(10):
        product(u, v, partials, entries, dots)
        product(v, u, partials, entries, dots)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return math.sqrt(vbv / vv), vbv, vv


def team_size(n):
    tiles = (n + TILE_ROWS - 1) // TILE_ROWS
    return max(1, min(numba.get_num_threads(), tiles // MIN_TILES_PER_THREAD))


def setup(n, data_path):
    return n


def run(n):
    norm, vbv, vv = power_method(n, team_size(n))
    return [float(norm), float(vbv), float(vv)]


def ladder_info():
    return {"simd": "LLVM-vectorised j loops", "threads": numba.get_num_threads(), "fastmath": not FAIR,
            "threading_layer": numba.threading_layer(), "numba": numba.__version__}
