"""spectral-norm, the `multiprocessing` rung: the plain-Python mat-vecs split by rows over a process pool.

The textbook answer to "threads don't parallelise CPU-bound Python": a `ProcessPoolExecutor` with one process
per available core. Each of the 40 mat-vecs (A u and Aᵀ u, twice per power iteration, ten iterations) is cut into
one contiguous block of rows per process; each process computes its rows with the same loops as baseline.py and
sends them back, and the parent joins the blocks in order before the next mat-vec, which needs all of them. Every
row is summed in the same order as baseline.py, so the result is bit-identical to it.

The pool is started and shut down inside `run`, so the timed call pays for what a program pays: starting the
processes, pickling the vector out and the rows back 40 times. `ladder_info()` reports the process count; the
worker adds the CPU time of the pool's processes to the cell's CPU time.
"""
import math
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context


def eval_a(i, j):
    ij = i + j
    return 1.0 / (ij * (ij + 1) // 2 + i + 1)


def rows_a(u, start, stop):
    """Rows start..stop of A u."""
    n = len(u)
    out = []
    for i in range(start, stop):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * u[j]
        out.append(s)
    return out


def rows_at(u, start, stop):
    """Rows start..stop of Aᵀ u."""
    n = len(u)
    out = []
    for i in range(start, stop):
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * u[j]
        out.append(s)
    return out


def processes():
    """One process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _context():
    # fork starts a pool in milliseconds and the children inherit this module as imported; where fork is
    # unavailable (or unsafe), the platform default (spawn/forkserver) re-imports it by name.
    try:
        return get_context("fork")
    except ValueError:
        return get_context()


def parallel_matvec(pool, rows, u, blocks):
    futures = [pool.submit(rows, u, start, stop) for start, stop in blocks]
    out = []
    for f in futures:
        out.extend(f.result())
    return out


def setup(n, data_path):
    return n


def run(n):
    workers = min(processes(), n)
    step = -(-n // workers)
    blocks = [(s, min(s + step, n)) for s in range(0, n, step)]
    with ProcessPoolExecutor(max_workers=len(blocks), mp_context=_context()) as pool:
        u = [1.0] * n
        v = u
        for _ in range(10):
            v = parallel_matvec(pool, rows_at, parallel_matvec(pool, rows_a, u, blocks), blocks)
            u = parallel_matvec(pool, rows_at, parallel_matvec(pool, rows_a, v, blocks), blocks)
    vbv = 0.0
    vv = 0.0
    for ue, ve in zip(u, v):
        vbv += ue * ve
        vv += ve * ve
    return [math.sqrt(vbv / vv), vbv, vv]


def ladder_info():
    return {"processes": 1 + processes(), "start_method": _context().get_start_method()}
