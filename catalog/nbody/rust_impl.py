"""n-body, the `rust` rung's study tier: `ladder_kernels.nbody`, a PyO3 extension module built by maturin from
crates/ladder-kernels (src/nbody.rs), with the GIL released. It is the Benchmarks Game program as idiomatic Rust,
as the study's Rust was: an array of bodies, each step one nested loop over the pairs (separation, distance,
velocity updates) and then the drift; one thread, no explicit SIMD, no tuning. `run` returns [energy before,
energy after].
"""
from typing import Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(steps: int) -> List[float]:
    before, after = ladder_kernels.nbody(steps)
    return [before, after]


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": "none (the compiler's own SSE2 only)", "threads": 1}
