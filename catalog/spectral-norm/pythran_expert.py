"""spectral-norm, the `pythran` rung's expert tier: OpenMP threads through `#omp parallel for` (pythran -fopenmp).

Uses every idea of EXPERT.md: each product out = AᵀA x runs over tiles of 8 rows of A whose entries are computed
once into a per-thread buffer and used for both the tile's dot products and its part of Aᵀ(A x); an
`#omp parallel for schedule(static, 1)` loop over thread slots gives slot p of P a fixed, contiguous range of
tiles and its own partial vector, and a second parallel loop over j adds the partials in slot order, so the
result depends on P only; the j loops are plain index loops over contiguous float64 arrays that g++ vectorises
(float64 denominators, dot products in 8 interleaved partial sums written out here). ladder's expert build adds
-fopenmp and, outside the fair mode, -ffast-math for the C++ compiler. Division stays a true division: Pythran
compiles a Python/NumPy subset and gives its code no vector types or target intrinsics, so EXPERT.md's reciprocal
estimate is out of its reach.

Pythran fully unrolls loops with a constant trip count, so the ten rounds are a while loop and the eight rows of
a tile are written out rather than looped over.
"""
import numpy as np
import omp

#pythran export setup(int, str)
#pythran export run(int)
#pythran export ladder_info()

TILE_ROWS = 8
MIN_TILES_PER_THREAD = 8


def fill_row(n, i, x, row):
    """Row i of A into row; returns row · x."""
    fi = float(i)
    for j in range(n):
        s = fi + j
        row[j] = 1.0 / (s * (s + 1.0) * 0.5 + fi + 1.0)
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
    j = 0
    while j + 8 <= n:
        a0 += row[j] * x[j]
        a1 += row[j + 1] * x[j + 1]
        a2 += row[j + 2] * x[j + 2]
        a3 += row[j + 3] * x[j + 3]
        a4 += row[j + 4] * x[j + 4]
        a5 += row[j + 5] * x[j + 5]
        a6 += row[j + 6] * x[j + 6]
        a7 += row[j + 7] * x[j + 7]
        j += 8
    dot = 0.0
    while j < n:
        dot += row[j] * x[j]
        j += 1
    return dot + a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7


def tile_range(n, first, last, x, e, out):
    """out = Σ_r (A(r, ·) · x) A(r, ·) over the rows of tiles first .. last-1; e holds TILE_ROWS rows of n."""
    for j in range(n):
        out[j] = 0.0
    e0 = e[0]
    e1 = e[1]
    e2 = e[2]
    e3 = e[3]
    e4 = e[4]
    e5 = e[5]
    e6 = e[6]
    e7 = e[7]
    for tile in range(first, last):
        row = tile * TILE_ROWS
        if row + TILE_ROWS <= n:
            t0 = fill_row(n, row, x, e0)
            t1 = fill_row(n, row + 1, x, e1)
            t2 = fill_row(n, row + 2, x, e2)
            t3 = fill_row(n, row + 3, x, e3)
            t4 = fill_row(n, row + 4, x, e4)
            t5 = fill_row(n, row + 5, x, e5)
            t6 = fill_row(n, row + 6, x, e6)
            t7 = fill_row(n, row + 7, x, e7)
            for j in range(n):
                out[j] += (t0 * e0[j] + t1 * e1[j] + t2 * e2[j] + t3 * e3[j]
                           + t4 * e4[j] + t5 * e5[j] + t6 * e6[j] + t7 * e7[j])
        else:
            r = 0
            while row + r < n:
                t = fill_row(n, row + r, x, e0)
                for j in range(n):
                    out[j] += t * e0[j]
                r += 1


def sum_partials(size, partials, out, j):
    s = partials[0, j]
    for q in range(1, size):
        s += partials[q, j]
    out[j] = s


def product(n, size, x, out, partials, e):
    """out = AᵀA x with `size` threads."""
    tiles = (n + TILE_ROWS - 1) // TILE_ROWS
    #omp parallel for schedule(static, 1) num_threads(size)
    for p in range(size):
        tile_range(n, tiles * p // size, tiles * (p + 1) // size, x, e[p], partials[p])
    #omp parallel for schedule(static) num_threads(size)
    for j in range(n):
        sum_partials(size, partials, out, j)


def openmp_threads():
    """The size of a default OpenMP team (Pythran's omp module has no get_max_threads)."""
    seen = np.ones(1, dtype=np.int64)
    #omp parallel
    if True:
        #omp single
        seen[0] = omp.get_num_threads()
    return seen[0]


def team_size(n):
    tiles = (n + TILE_ROWS - 1) // TILE_ROWS
    return max(1, min(openmp_threads(), tiles // MIN_TILES_PER_THREAD))


def setup(n, data_path):
    return n


def run(n):
    size = team_size(n)
    u = np.ones(n)
    v = np.zeros(n)
    partials = np.zeros((size, n))
    e = np.zeros((size, TILE_ROWS, n))
    step = 0
    while step < 10:
        product(n, size, u, v, partials, e)
        product(n, size, v, u, partials, e)
        step += 1
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return [np.sqrt(vbv / vv), vbv, vv]


def ladder_info():
    # The OpenMP team size; a module cannot keep state between calls in Pythran, so below 16 tiles (n < 121),
    # where run caps P to 1, this over-reports, as numba_expert's get_num_threads() does.
    return {"threads": openmp_threads()}
