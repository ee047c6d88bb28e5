"""n-body, the `rust-scalar` rung: `ladder_kernels.nbody`, the very code of the `rust` rung. n-body has no
explicit SIMD and no threads to take away: a step is one chain of dependent operations, the compiler already
pairs the ten distances in SSE2 vectors, and explicit AVX measured slower (crates/ladder-kernels/src/nbody.rs).
The cell stays so the card shows that. `run` returns [energy before, energy after].
"""
from typing import Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(steps: int) -> List[float]:
    before, after = ladder_kernels.nbody(steps)
    return [before, after]


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": "sse2 (compiler-vectorised, the rust rung's code)", "threads": 1}
