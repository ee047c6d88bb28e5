"""spectral-norm, the `codon` rung: the plain program's algorithm with Codon's types, compiled ahead of time by
Codon (`codon build -release -pyext`) into a CPython extension that the worker imports like any other.

The study ran Codon on the same programs as its Python rungs; this is that program with the argument and return
types written out, which Codon needs at the module's boundary. Inside, Codon infers the rest and compiles to
native code through LLVM; `int` is a 64-bit machine integer and `list[float]` an unboxed array.
"""
from math import sqrt


def eval_a(i: int, j: int) -> float:
    ij = i + j
    return 1.0 / float(ij * (ij + 1) // 2 + i + 1)


def times_a(u: list[float]) -> list[float]:
    """A u"""
    n = len(u)
    v = [0.0] * n
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * u[j]
        v[i] = s
    return v


def times_at(u: list[float]) -> list[float]:
    """Aᵀ u"""
    n = len(u)
    v = [0.0] * n
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * u[j]
        v[i] = s
    return v


def times_ata(u: list[float]) -> list[float]:
    return times_at(times_a(u))


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> list[float]:
    u = [1.0] * n
    v = u
    for _ in range(10):
        v = times_ata(u)
        u = times_ata(v)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return [sqrt(vbv / vv), vbv, vv]
