"""spectral-norm, the `pythran` rung: a numeric kernel that Pythran compiles ahead of time to C++.

Written for Pythran, and lean for its compiler: one exported entry point, vectors as float64 arrays, the two
matrix-vector products as explicit index loops in one function with A(i, j) written out inline (no helper called
with several argument types, no generator expressions or broadcasting), so g++ instantiates each loop once.
"""
import numpy as np

#pythran export setup(int, str)
#pythran export run(int)


def times_ata(u, out, tmp, n):
    """out = AᵀA u, with tmp = A u as scratch; A(i, j) = 1 / ((i + j)(i + j + 1) / 2 + i + 1)."""
    for i in range(n):
        s = 0.0
        for j in range(n):
            ij = i + j
            s += 1.0 / (ij * (ij + 1) // 2 + i + 1) * u[j]
        tmp[i] = s
    for i in range(n):
        s = 0.0
        for j in range(n):
            ij = i + j
            s += 1.0 / (ij * (ij + 1) // 2 + j + 1) * tmp[j]
        out[i] = s


def setup(n, data_path):
    return n


def run(n):
    u = np.ones(n)
    v = np.zeros(n)
    tmp = np.zeros(n)
    # A while loop, not `for _ in range(10)`: Pythran fully unrolls constant-count loops, and ten inlined copies
    # of both products made g++ exhaust memory (18-23 GB seen; over 3 GB before failing under a cap).
    step = 0
    while step < 10:
        times_ata(u, v, tmp, n)
        times_ata(v, u, tmp, n)
        step += 1
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return (float(np.sqrt(vbv / vv)), vbv, vv)
