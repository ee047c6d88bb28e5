"""spectral-norm, the `rust` rung's study tier: `ladder_kernels.spectral_norm_plain`, a PyO3 extension module built
by maturin from crates/ladder-kernels (src/spectral.rs), with the GIL released. It is the Benchmarks Game's plain
program as idiomatic Rust, as the study's Rust was: u = 1, then ten rounds of v = Aᵀ(A u), u = Aᵀ(A v), each
product row by row with every entry A(i, j) = 1 / ((i + j)(i + j + 1) / 2 + i + 1) a true division, summed in
order; one thread, no explicit SIMD, no tiles. `run` returns [norm, vBv, vv].
"""
from typing import Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> List[float]:
    norm, vbv, vv = ladder_kernels.spectral_norm_plain(n)
    return [norm, vbv, vv]


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": "none", "threads": 1, "fp": "true divisions, no FMA"}
