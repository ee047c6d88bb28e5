"""n-body, the `rust` rung: the whole simulation is `ladder_kernels.nbody`, a PyO3 extension module built by
maturin from crates/ladder-kernels (src/nbody.rs). It builds the Benchmarks Game system itself and releases the
GIL while it runs; the ten pair distances of each step go through AVX vectors when the CPU has AVX2 (picked at
run time, same IEEE operations in the same order as the scalar code). `run` returns [energy before, energy after].
"""
from typing import Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(steps: int) -> List[float]:
    before, after = ladder_kernels.nbody(steps)
    return [before, after]


def ladder_info() -> Dict[str, Union[str, int]]:
    # AVX is used only when detected; five bodies leave nothing to share out to threads
    return {"simd": ladder_kernels.simd_level(), "threads": 1}
