"""spectral-norm, the `codon` rung's expert tier: Codon's `@par` (OpenMP) threads over raw `Ptr[float]` buffers,
compiled ahead of time by Codon into a CPython extension.

Uses every idea of EXPERT.md: each product out = AᵀA x runs over tiles of 8 rows of A whose entries are computed
once into a per-thread buffer and used for both the tile's dot products and its part of Aᵀ(A x); a
`@par(schedule='static', chunk_size=1)` loop over thread slots gives slot p of P a fixed, contiguous range of
tiles and its own partial vector, and a second `@par` loop over j adds the partials in slot order, so the result
depends on P only. The vectors, partials and tile buffers are `Ptr[float]` (raw, unchecked memory): indexing a
`list[float]` checks bounds and may raise, which keeps LLVM from vectorising the j loops, while loops over a
`Ptr` compile to the same SIMD code as C (float64 denominators, dot products in 8 interleaved partial sums
written out here). ladder's expert build adds Codon's `-fast-math` outside the fair mode. Division stays a true
division: EXPERT.md's reciprocal estimate could be reached through Codon's experimental `Vec` type and an `@llvm`
function calling LLVM's `vrcp14pd` intrinsic, which is not written here.

The kernels are static methods of a class so that `-pyext` exports only `setup`, `run` and `ladder_info`.
"""
from math import sqrt
import openmp
import os

TILE_ROWS = 8
MIN_TILES_PER_THREAD = 8

_last_threads = [1]


class Kernels:
    @staticmethod
    def fill_row(n: int, i: int, x: Ptr[float], row: Ptr[float]) -> float:
        """Row i of A into row[0 .. n); returns row · x."""
        fi = float(i)
        for j in range(n):
            s = fi + float(j)
            row[j] = 1.0 / (s * (s + 1.0) * 0.5 + fi + 1.0)
        a0, a1, a2, a3, a4, a5, a6, a7 = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
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

    @staticmethod
    def tile_range(n: int, first: int, last: int, x: Ptr[float], e: Ptr[float], out: Ptr[float]):
        """out = Σ_r (A(r, ·) · x) A(r, ·) over the rows of tiles first .. last-1."""
        for j in range(n):
            out[j] = 0.0
        for tile in range(first, last):
            row = tile * TILE_ROWS
            count = min(TILE_ROWS, n - row)
            if count == TILE_ROWS:
                t0 = Kernels.fill_row(n, row, x, e)
                t1 = Kernels.fill_row(n, row + 1, x, e + n)
                t2 = Kernels.fill_row(n, row + 2, x, e + 2 * n)
                t3 = Kernels.fill_row(n, row + 3, x, e + 3 * n)
                t4 = Kernels.fill_row(n, row + 4, x, e + 4 * n)
                t5 = Kernels.fill_row(n, row + 5, x, e + 5 * n)
                t6 = Kernels.fill_row(n, row + 6, x, e + 6 * n)
                t7 = Kernels.fill_row(n, row + 7, x, e + 7 * n)
                e1 = e + n
                e2 = e + 2 * n
                e3 = e + 3 * n
                e4 = e + 4 * n
                e5 = e + 5 * n
                e6 = e + 6 * n
                e7 = e + 7 * n
                for j in range(n):
                    out[j] += (t0 * e[j] + t1 * e1[j] + t2 * e2[j] + t3 * e3[j]
                               + t4 * e4[j] + t5 * e5[j] + t6 * e6[j] + t7 * e7[j])
            else:
                for r in range(count):
                    t = Kernels.fill_row(n, row + r, x, e + r * n)
                    er = e + r * n
                    for j in range(n):
                        out[j] += t * er[j]

    @staticmethod
    def product(n: int, size: int, x: Ptr[float], out: Ptr[float], partials: Ptr[float], entries: Ptr[float]):
        """out = AᵀA x with `size` threads."""
        tiles = (n + TILE_ROWS - 1) // TILE_ROWS
        @par(schedule='static', chunk_size=1, num_threads=size)
        for p in range(size):
            Kernels.tile_range(n, tiles * p // size, tiles * (p + 1) // size, x,
                               entries + p * TILE_ROWS * n, partials + p * n)
        @par(schedule='static', num_threads=size)
        for j in range(n):
            s = partials[j]
            for q in range(1, size):
                s += partials[q * n + j]
            out[j] = s

    @staticmethod
    def team_size(n: int) -> int:
        tiles = (n + TILE_ROWS - 1) // TILE_ROWS
        return max(1, min(openmp.get_max_threads(), tiles // MIN_TILES_PER_THREAD))


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> list[float]:
    size = Kernels.team_size(n)
    u = Ptr[float](n)
    v = Ptr[float](n)
    partials = Ptr[float](size * n)
    entries = Ptr[float](size * TILE_ROWS * n)
    for i in range(n):
        u[i] = 1.0
    step = 0
    while step < 10:
        Kernels.product(n, size, u, v, partials, entries)
        Kernels.product(n, size, v, u, partials, entries)
        step += 1
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    _last_threads[0] = size
    return [sqrt(vbv / vv), vbv, vv]


def ladder_info() -> dict[str, Union[int, bool, str]]:
    info: dict[str, Union[int, bool, str]] = {}
    info["simd"] = "LLVM-vectorised j loops"
    info["threads"] = _last_threads[0]
    info["fast_math"] = os.getenv("LADDER_FAIR", "") != "1"
    return info
