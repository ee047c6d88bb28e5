"""fannkuch-redux, the `multiprocessing` rung: the permutations split into blocks over a process pool.

The n! permutations are numbered in the benchmark's order, and that order is a mixed-radix counter: digit i
(0..i) says how many times the first i+1 elements have been rotated left. So any permutation can be built from
its number directly (rotate the whole list d(n-1) times, then the first n-1 elements d(n-2) times, and so on),
and a block of consecutive numbers can be walked from there exactly as the plain program walks them. The pool
gets a few blocks per process (flip counts vary along the order, so equal blocks would not take equal time);
each returns its checksum part (signed by the permutation's number, as the plain program signs it) and its
largest flip count. The pool is started inside `run`, so the timed call pays what a program pays for it.
"""
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

BLOCKS_PER_PROCESS = 4


def factorial(n):
    f = 1
    for k in range(2, n + 1):
        f *= k
    return f


def block(n, start, stop):
    """[checksum part, max flips] of permutations start..stop-1."""
    perm1 = list(range(n))
    digits = [0] * n
    rest = start
    for i in range(n - 1, 0, -1):
        f = factorial(i)
        d, rest = divmod(rest, f)
        digits[i] = d
        perm1[: i + 1] = perm1[d : i + 1] + perm1[:d]
    checksum = 0
    max_flips = 0
    for index in range(start, stop):
        perm = perm1[:]
        flips = 0
        k = perm[0]
        while k:
            perm[: k + 1] = perm[k::-1]
            flips += 1
            k = perm[0]
        if flips > max_flips:
            max_flips = flips
        checksum += -flips if index & 1 else flips
        # The next number: rotate the first i+1 elements left and count it, carrying into the next digit.
        i = 1
        while i < n:
            perm1.insert(i, perm1.pop(0))
            digits[i] += 1
            if digits[i] <= i:
                break
            digits[i] = 0
            i += 1
    return [checksum, max_flips]


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
    total = factorial(n)
    workers = processes()
    parts = min(total, workers * BLOCKS_PER_PROCESS)
    bounds = [total * p // parts for p in range(parts + 1)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        futures = [pool.submit(block, n, bounds[p], bounds[p + 1]) for p in range(parts)]
        results = [f.result() for f in futures]
    return [sum(r[0] for r in results), max(r[1] for r in results)]


def ladder_info():
    return {"processes": 1 + processes(), "start_method": _context().get_start_method()}
