"""binary-trees, the `multiprocessing` rung: the depths' iterations split over a process pool.

Each depth's trees are made and counted independently of every other depth's, so a `ProcessPoolExecutor` with one
process per available core takes one depth at a time (the largest counts first) with the same functions as
baseline.py, each process allocating and freeing in its own heap with its own collector. The stretch tree and the
long-lived tree stay in the parent, as in the Benchmarks Game program. The pool is started and shut down inside
`run`; `ladder_info()` reports the process count; the worker adds the pool's CPU time to the cell's.
"""
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

MIN_DEPTH = 4


def make_tree(depth):
    if depth == 0:
        return (None, None)
    depth -= 1
    return (make_tree(depth), make_tree(depth))


def check_tree(node):
    left, right = node
    if left is None:
        return 1
    return 1 + check_tree(left) + check_tree(right)


def depth_check(depth, iterations):
    check = 0
    for _ in range(iterations):
        check += check_tree(make_tree(depth))
    return check


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
    max_depth = max(MIN_DEPTH + 2, n)
    stretch = max_depth + 1
    lines = ["stretch tree of depth %d\t check: %d" % (stretch, check_tree(make_tree(stretch)))]
    long_lived = make_tree(max_depth)
    depths = list(range(MIN_DEPTH, max_depth + 1, 2))
    iterations = [2 ** (max_depth - d + MIN_DEPTH) for d in depths]
    with ProcessPoolExecutor(max_workers=processes(), mp_context=_context()) as pool:
        checks = [pool.submit(depth_check, d, it) for d, it in zip(depths, iterations)]
        for d, it, f in zip(depths, iterations, checks):
            lines.append("%d\t trees of depth %d\t check: %d" % (it, d, f.result()))
    lines.append("long lived tree of depth %d\t check: %d" % (max_depth, check_tree(long_lived)))
    return lines


def ladder_info():
    return {"processes": 1 + processes(), "start_method": _context().get_start_method()}
