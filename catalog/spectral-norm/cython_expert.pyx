# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""spectral-norm, the `cython` rung's expert tier: OpenMP threads through `prange`, without the GIL.

Uses every idea of EXPERT.md: each product out = AᵀA x runs over tiles of 8 rows of A whose entries are
computed once into a per-thread buffer and used for both the tile's dot products and its part of Aᵀ(A x);
`prange` gives thread p of P a fixed, contiguous range of tiles and its own partial vector, and a second `prange`
over j adds the partials in thread order, so the result depends on P only; the j loops are plain C loops the
compiler vectorises (float64 denominators, dot products in 8 interleaved partial sums written out here). Outside
the fair mode, on a CPU with AVX-512F or AVX2+FMA, 1/d is the hardware reciprocal estimate refined by FMA steps,
in one loop per row over two vectors of lanes: the vector type and operations come from simd_reciprocal.h
through `cdef extern` (Cython reaches intrinsics only through C declarations, and has no test of the target CPU
of its own), and the C rung's expert file writes the same loop with them. ladder's expert build adds -fopenmp
and, outside the fair mode, -ffast-math.
"""
from cython.parallel cimport prange
from libc.math cimport sqrt
from libc.stdlib cimport malloc, free
from libc.string cimport memset
cimport openmp

# vectors of VD_LANES doubles; VD_LANES is 0 where no estimate is used (then nothing below is called)
cdef extern from "simd_reciprocal.h" nogil:
    ctypedef struct vd:
        pass
    int VD_LANES
    const char *VD_RECIPROCAL
    vd vd_set1(double a)
    vd vd_load(const double *p)
    void vd_store(double *p, vd a)
    vd vd_add(vd a, vd b)
    vd vd_fmadd(vd a, vd b, vd c)
    double vd_sum(vd a)
    vd vd_reciprocal(vd d)

cdef enum:
    TILE_ROWS = 8
    MIN_TILES_PER_THREAD = 8
    LANES = 8


cdef inline double estimated_row(int n, int i, const double *x, double *row) noexcept nogil:
    """Row i of A into row[0 .. n) with the reciprocal estimate (VD_LANES > 0); returns row · x. Two vectors of
    denominators advance by exact additions (from column j to j + W, W = 2·VD_LANES, d grows by W·s + W(W+1)/2
    with s = i + j, and that step by W²); each vector's reciprocals are stored and multiplied into its own partial
    sum, two independent chains. The columns after the last whole step are divided."""
    cdef int w = 2 * VD_LANES, j = 0, k
    cdef double fi = i, s, dot
    cdef double first[16]
    cdef double step[16]
    cdef vd d0, d1, step0, step1, grow, acc0, acc1, a0, a1
    for k in range(w):
        s = fi + k
        first[k] = s * (s + 1.0) * 0.5 + fi + 1.0
        step[k] = w * s + w * (w + 1) * 0.5
    d0 = vd_load(first)
    d1 = vd_load(first + VD_LANES)
    step0 = vd_load(step)
    step1 = vd_load(step + VD_LANES)
    grow = vd_set1(<double> w * w)
    acc0 = vd_set1(0.0)
    acc1 = vd_set1(0.0)
    while j + w <= n:
        a0 = vd_reciprocal(d0)
        a1 = vd_reciprocal(d1)
        vd_store(row + j, a0)
        vd_store(row + j + VD_LANES, a1)
        acc0 = vd_fmadd(vd_load(x + j), a0, acc0)
        acc1 = vd_fmadd(vd_load(x + j + VD_LANES), a1, acc1)
        d0 = vd_add(d0, step0)
        d1 = vd_add(d1, step1)
        step0 = vd_add(step0, grow)
        step1 = vd_add(step1, grow)
        j += w
    dot = vd_sum(vd_add(acc0, acc1))
    while j < n:
        s = fi + j
        row[j] = 1.0 / (s * (s + 1.0) * 0.5 + fi + 1.0)
        dot += row[j] * x[j]
        j += 1
    return dot


cdef inline double fill_row(int n, int i, const double *x, double *row) noexcept nogil:
    """Row i of A into row[0 .. n); returns row · x. Outside the estimate: a division per entry, then the dot
    product in LANES interleaved partial sums."""
    if VD_LANES:
        return estimated_row(n, i, x, row)
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
    """Adds Σ_r (A(r, ·) · x) A(r, ·) over the rows of tiles first .. last-1 to out. The update reads each row
    through its own pointer, indexed by the loop counter alone: indexed as `entries[k * n + j]` in C ints (and
    built with CPython's -fno-strict-overflow), gcc leaves this loop scalar, about twice as slow on one thread."""
    cdef double t[TILE_ROWS]
    cdef int tile, row, count, r
    cdef Py_ssize_t j
    cdef const double *e0 = entries
    cdef const double *e1 = entries + n
    cdef const double *e2 = entries + 2 * n
    cdef const double *e3 = entries + 3 * n
    cdef const double *e4 = entries + 4 * n
    cdef const double *e5 = entries + 5 * n
    cdef const double *e6 = entries + 6 * n
    cdef const double *e7 = entries + 7 * n
    cdef const double *e
    memset(out, 0, n * sizeof(double))
    for tile in range(first, last):
        row = tile * TILE_ROWS
        count = min(TILE_ROWS, n - row)
        for r in range(count):
            t[r] = fill_row(n, row + r, x, entries + r * n)
        if count == TILE_ROWS:
            for j in range(n):
                out[j] += (t[0] * e0[j] + t[1] * e1[j] + t[2] * e2[j] + t[3] * e3[j]
                           + t[4] * e4[j] + t[5] * e5[j] + t[6] * e6[j] + t[7] * e7[j])
        else:
            for r in range(count):
                e = entries + r * n
                for j in range(n):
                    out[j] += t[r] * e[j]


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
    return {"simd": "compiler-vectorised j loops (-O3 -march=native), 1/d: " + VD_RECIPROCAL.decode("ascii"),
            "threads": _last_threads[0],
            "fast_math": os.environ.get("LADDER_FAIR") != "1"}
