"""mandelbrot, the `multiprocessing` rung: the plain program's rows split over a process pool.

Rows are independent, so a `ProcessPoolExecutor` with one process per available core computes one contiguous
block of rows each, with the same loops as baseline.py, and sends back its packed bytes; the parent joins the
blocks in order after the P4 header. The pool is started and shut down inside `run`, so the timed call pays what a
program pays for it. `ladder_info()` reports the process count; the worker adds the pool's CPU time to the cell's.
"""
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context


def rows(n, start, stop):
    """The packed bytes of rows start..stop."""
    out = bytearray()
    inv = 2.0 / n
    for y in range(start, stop):
        ci = y * inv - 1.0
        bits = 0
        for x in range(n):
            cr = x * inv - 1.5
            zr = zi = 0.0
            inside = 1
            for _ in range(50):
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                if zr * zr + zi * zi > 4.0:
                    inside = 0
                    break
            bits = (bits << 1) | inside
            if x & 7 == 7:
                out.append(bits)
                bits = 0
        if n & 7:
            out.append(bits << (8 - (n & 7)))
    return bytes(out)


def processes():
    """One process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _context():
    # fork starts a pool in milliseconds; where it is unavailable, the platform default re-imports this module.
    try:
        return get_context("fork")
    except ValueError:
        return get_context()


def setup(n, data_path):
    return n


def run(n):
    workers = min(processes(), n)
    step = -(-n // workers)
    blocks = [(s, min(s + step, n)) for s in range(0, n, step)]
    with ProcessPoolExecutor(max_workers=len(blocks), mp_context=_context()) as pool:
        parts = [pool.submit(rows, n, start, stop) for start, stop in blocks]
        body = b"".join(f.result() for f in parts)
    return b"P4\n%d %d\n" % (n, n) + body


def ladder_info():
    return {"processes": 1 + processes(), "start_method": _context().get_start_method()}
