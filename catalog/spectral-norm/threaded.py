"""spectral-norm with threads, the `free-threaded` rung: the plain algorithm, with each
matrix-vector product split into row blocks run on a thread pool.

Each row of A u is independent, so the rows split cleanly across threads; on a free-threaded
CPython (3.13t/3.14t) the threads run in parallel, with the GIL they would take turns. Each
row's sum is computed in the same order as in baseline.py, so the result is bit-identical.
"""
import math
import os
from concurrent.futures import ThreadPoolExecutor


def eval_a(i, j):
    ij = i + j
    return 1.0 / (ij * (ij + 1) // 2 + i + 1)


def _rows_a(u, out, lo, hi):
    n = len(u)
    for i in range(lo, hi):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * u[j]
        out[i] = s


def _rows_at(u, out, lo, hi):
    n = len(u)
    for i in range(lo, hi):
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * u[j]
        out[i] = s


def _parallel(pool, blocks, rows, u, out):
    for f in [pool.submit(rows, u, out, lo, hi) for lo, hi in blocks]:
        f.result()


def setup(n, data_path):
    return n


def thread_count(n):
    """One thread per core Python may use: os.cpu_count() honours PYTHON_CPU_COUNT (3.13+), so
    `PYTHON_CPU_COUNT=1` runs the same code on one thread, for the speedup the threads bring."""
    return max(1, min(os.cpu_count() or 1, n))


_used = 1


def run(n):
    global _used
    workers = thread_count(n)
    _used = workers
    step = -(-n // workers)
    blocks = [(lo, min(lo + step, n)) for lo in range(0, n, step)]
    u = [1.0] * n
    v = [0.0] * n
    tmp = [0.0] * n
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in range(10):
            _parallel(pool, blocks, _rows_a, u, tmp)
            _parallel(pool, blocks, _rows_at, tmp, v)
            _parallel(pool, blocks, _rows_a, v, tmp)
            _parallel(pool, blocks, _rows_at, tmp, u)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return [math.sqrt(vbv / vv), vbv, vv]


def ladder_info():
    return {"threads": _used}
