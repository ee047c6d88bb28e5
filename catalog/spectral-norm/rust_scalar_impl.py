"""spectral-norm, the `rust-scalar` rung: `ladder_kernels.spectral_norm_scalar`, the same crate's power method on
one thread, row by row (A·u, then Aᵀ of that, every entry computed in each), with true divisions and no explicit
SIMD (the compiler may still use SSE2, the x86-64 baseline), so the report card shows what the `rust` rung's
tiling, SIMD and threads bought together. `run` returns [norm, vBv, vv].
"""
from typing import Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> List[float]:
    norm, vbv, vv = ladder_kernels.spectral_norm_scalar(n)
    return [norm, vbv, vv]


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": "none (portable)", "threads": 1}
