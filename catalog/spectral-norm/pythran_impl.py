"""spectral-norm, the `pythran` rung: a numeric kernel that Pythran compiles ahead of time to C++.

Written for Pythran: vectors are float64 arrays, A(i, j) is a small function Pythran inlines,
and the products are plain nested loops over ints, compiled to C++ loops with the sum kept in
a register. No NumPy temporaries in the hot loop: the matrix is never built.
"""
import numpy as np

#pythran export setup(int, str)
#pythran export run(int)


def eval_a(i, j):
    ij = i + j
    return 1.0 / (ij * (ij + 1) // 2 + i + 1)


def times_a(u, out):
    n = u.shape[0]
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * u[j]
        out[i] = s


def times_at(u, out):
    n = u.shape[0]
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * u[j]
        out[i] = s


def times_ata(u, out, tmp):
    times_a(u, tmp)
    times_at(tmp, out)


def setup(n, data_path):
    return n


def run(n):
    u = np.ones(n)
    v = np.zeros(n)
    tmp = np.zeros(n)
    for _ in range(10):
        times_ata(u, v, tmp)
        times_ata(v, u, tmp)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return (np.sqrt(vbv / vv), vbv, vv)
