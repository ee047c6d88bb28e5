"""spectral-norm, the `mypyc` rung: fully annotated Python that mypyc compiles to C.

Written for mypyc: vectors are `list[float]` (read as unboxed C doubles), every local is
typed, loops are `for j in range(n)` over ints (compiled to C loops), and A(i, j) is a small
native function taking i64 indices, so its arithmetic is plain C integer arithmetic.
"""
from __future__ import annotations

import math
from typing import List

from mypy_extensions import i64


def eval_a(i: i64, j: i64) -> float:
    ij: i64 = i + j
    return 1.0 / float(ij * (ij + 1) // 2 + i + 1)


def times_a(u: List[float], out: List[float]) -> None:
    """out = A u"""
    n: i64 = len(u)
    i: i64
    j: i64
    s: float
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * u[j]
        out[i] = s


def times_at(u: List[float], out: List[float]) -> None:
    """out = Aᵀ u"""
    n: i64 = len(u)
    i: i64
    j: i64
    s: float
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * u[j]
        out[i] = s


def times_ata(u: List[float], out: List[float], tmp: List[float]) -> None:
    """out = AᵀA u, with tmp as scratch"""
    times_a(u, tmp)
    times_at(tmp, out)


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> List[float]:
    u: List[float] = [1.0] * n
    v: List[float] = [0.0] * n
    tmp: List[float] = [0.0] * n
    for _ in range(10):
        times_ata(u, v, tmp)
        times_ata(v, u, tmp)
    vbv: float = 0.0
    vv: float = 0.0
    i: int
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return [math.sqrt(vbv / vv), vbv, vv]
