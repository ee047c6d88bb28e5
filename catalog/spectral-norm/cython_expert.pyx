# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""spectral-norm, the `cython` rung's expert tier: OpenMP threads through `prange`, without the GIL.

Uses every idea of EXPERT.md: each product out = AᵀA x runs over tiles of 8 rows of A whose entries are
computed once into a per-thread buffer and used for both the tile's dot products and its part of Aᵀ(A x);
`prange` gives thread p of P a fixed, contiguous range of tiles and its own partial vector, and a second `prange`
over j adds the partials in thread order, so the result depends on P only; the j loops are plain C loops the
compiler vectorises (float64 denominators, dot products in 8 interleaved partial sums written out here). ladder's
expert build adds -fopenmp and, outside the fair mode, -ffast-math. Division stays a true division.
"""
from cython.parallel cimport prange
from libc.math cimport sqrt
from libc.stdlib cimport malloc, free
from libc.string cimport memset
cimport openmp

cdef enum:
    TILE_ROWS = 8
    MIN_TILES_PER_THREAD = 8
    LANES = 8


cdef inline double fill_row(int n, int i, const double *x, double *row) noexcept nogil:
    """Row i of A into row[0 .. n); returns row · x."""
    cdef double fi = i, s, dot = 0.0
    cdef double acc[LANES]
    cdef int j, k
    for j in range(n):
        s = fi + j
        row[j] = 1.0 / (s * (s + 1.0) * 0.5 + fi + 1.0)
    for k in range(LANES):
        acc[k] = 0.0
    j = 0
    while j + LANES <= n:
        for k in range(LANES):
            acc[k] += row[j + k] * x[j + k]
        j += LANES
    while j < n:
        dot += row[j] * x[j]
        j += 1
    for k in range(LANES):
        dot += acc[k]
    return dot


cdef void tile_range(int n, int first, int last, const double *x, double *entries,
                     double *out) noexcept nogil:
    """Adds Σ_r (A(r, ·) · x) A(r, ·) over the rows of tiles first .. last-1 to out."""
    cdef double t[TILE_ROWS]
    cdef int tile, row, count, r, j
    cdef double acc
    memset(out, 0, n * sizeof(double))
    for tile in range(first, last):
        row = tile * TILE_ROWS
        count = min(TILE_ROWS, n - row)
        for r in range(count):
            t[r] = fill_row(n, row + r, x, entries + r * n)
        if count == TILE_ROWS:
            for j in range(n):
                out[j] += (t[0] * entries[j] + t[1] * entries[n + j] + t[2] * entries[2 * n + j]
                           + t[3] * entries[3 * n + j] + t[4] * entries[4 * n + j]
                           + t[5] * entries[5 * n + j] + t[6] * entries[6 * n + j]
                           + t[7] * entries[7 * n + j])
        else:
            for r in range(count):
                for j in range(n):
                    out[j] += t[r] * entries[r * n + j]


cdef int team_size(int n) noexcept nogil:
    cdef int tiles = (n + TILE_ROWS - 1) // TILE_ROWS
    return max(1, min(openmp.omp_get_max_threads(), tiles // MIN_TILES_PER_THREAD))


cdef void product(int n, int size, const double *x, double *out, double *partials,
                  double *entries) noexcept nogil:
    """out = AᵀA x with `size` threads."""
    cdef int tiles = (n + TILE_ROWS - 1) // TILE_ROWS
    cdef int p, q, j
    cdef double s
    for p in prange(size, schedule='static', chunksize=1, num_threads=size):
        tile_range(n, tiles * p // size, tiles * (p + 1) // size, x,
                   entries + p * TILE_ROWS * n, partials + p * n)
    for j in prange(n, schedule='static', num_threads=size):
        s = partials[j]
        for q in range(1, size):
            s = s + partials[q * n + j]
        out[j] = s


_last_threads = [1]


def setup(int n, data_path):
    return n


def run(int n):
    cdef int size = team_size(n)
    cdef double *u = <double *> malloc(n * sizeof(double))
    cdef double *v = <double *> malloc(n * sizeof(double))
    cdef double *partials = <double *> malloc(size * n * sizeof(double))
    cdef double *entries = <double *> malloc(size * TILE_ROWS * n * sizeof(double))
    cdef double vbv = 0.0, vv = 0.0
    cdef int i, k
    if u == NULL or v == NULL or partials == NULL or entries == NULL:
        free(u)
        free(v)
        free(partials)
        free(entries)
        raise MemoryError()
    try:
        with nogil:
            for i in range(n):
                u[i] = 1.0
            for k in range(10):
                product(n, size, u, v, partials, entries)
                product(n, size, v, u, partials, entries)
            for i in range(n):
                vbv += u[i] * v[i]
                vv += v[i] * v[i]
    finally:
        free(u)
        free(v)
        free(partials)
        free(entries)
    _last_threads[0] = size
    return [sqrt(vbv / vv), vbv, vv]


def ladder_info():
    import os
    return {"simd": "compiler-vectorised j loops (-O3 -march=native)", "threads": _last_threads[0],
            "fast_math": os.environ.get("LADDER_FAIR") != "1"}
