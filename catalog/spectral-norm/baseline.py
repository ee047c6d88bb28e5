"""spectral-norm, plain Python (the `cpython` and `pypy` rungs, and the runtime swaps).

The Benchmarks Game spectral-norm: the largest singular value of the infinite matrix
A(i, j) = 1 / ((i + j)(i + j + 1) / 2 + i + 1), truncated to n x n, by ten rounds of the
power method on AᵀA. `run` returns [norm, vBv, vv] instead of printing the norm.

Written the way the study's baseline is (the Benchmarks Game's idiomatic Python program): each
matrix-vector product is a list comprehension of `sum()` over a generator expression, and the
entry uses true division. Runs unchanged on CPython 3.10+ and PyPy 3.9.
"""
import math


def eval_a(i, j):
    ij = i + j
    return 1.0 / (ij * (ij + 1) / 2 + i + 1)


def times_a(u):
    """A u"""
    a = eval_a
    idx = range(len(u))
    return [sum(a(i, j) * u_j for j, u_j in zip(idx, u)) for i in idx]


def times_at(u):
    """Aᵀ u"""
    a = eval_a
    idx = range(len(u))
    return [sum(a(j, i) * u_j for j, u_j in zip(idx, u)) for i in idx]


def times_ata(u):
    return times_at(times_a(u))


def setup(n, data_path):
    return n


def run(n):
    u = [1.0] * n
    v = u
    for _ in range(10):
        v = times_ata(u)
        u = times_ata(v)
    vbv = 0.0
    vv = 0.0
    for ue, ve in zip(u, v):
        vbv += ue * ve
        vv += ve * ve
    return [math.sqrt(vbv / vv), vbv, vv]


if __name__ == "__main__":
    import sys

    result = run(setup(int(sys.argv[1]) if len(sys.argv) > 1 else 100, ""))
    print("%.9f" % result[0])
    print(repr(result))
