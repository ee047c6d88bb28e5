"""n-body, the `rust` rung's expert tier: `ladder_kernels.nbody_expert`, a PyO3 extension module built by maturin
from crates/ladder-kernels (src/nbody.rs), with the GIL released. It follows catalog/nbody/EXPERT.md: the state
as a structure of arrays in locals for the whole run, and each step in phases, the ten pair separations, then
their force factors in one loop the compiler vectorises (padded to twelve lanes; a copy of the loop built for AVX
runs four lanes at a time when the CPU has AVX, else SSE2 runs two), then the velocity updates in pair order and
the drift. One thread, as EXPERT.md says. No fast-math: stable Rust has no such switch, and it never contracts a
multiply and an add into an FMA, so the fair mode changes nothing here. Measured on an AMD EPYC (500,000 steps):
26.3-26.9 ms against 19.8-20.0 ms for the study tier's plain loop, whose ten independent square roots and
divisions the out-of-order core already overlaps (see src/nbody.rs). `run` returns [energy before, energy after],
the same bits as the plain loop.
"""
from typing import Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(steps: int) -> List[float]:
    before, after = ladder_kernels.nbody_expert(steps)
    return [before, after]


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": ladder_kernels.nbody_simd_level(), "threads": 1}
