"""n-body, the `rust-scalar` rung: `ladder_kernels.nbody_scalar`, the same crate's simulation on one thread with
no explicit SIMD (plain Rust for the x86-64 baseline), so the report card shows what the `rust` rung's vectors
bought. `run` returns [energy before, energy after].
"""
from typing import Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(steps: int) -> List[float]:
    before, after = ladder_kernels.nbody_scalar(steps)
    return [before, after]


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": "none (portable)", "threads": 1}
