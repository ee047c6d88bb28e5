"""n-body, the `rust` rung: the whole simulation is `ladder_kernels.nbody`, a PyO3 extension module built by
maturin from crates/ladder-kernels (src/nbody.rs). It builds the Benchmarks Game system itself and releases the
GIL while it runs. A step is one chain of dependent operations, so the compiler's SSE2 pairing of the ten
distances is as fast as it gets here (explicit AVX measured slower, see src/nbody.rs). `run` returns [energy
before, energy after].
"""
from typing import Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(steps: int) -> List[float]:
    before, after = ladder_kernels.nbody(steps)
    return [before, after]


def ladder_info() -> Dict[str, Union[str, int]]:
    # five bodies leave nothing to share out to threads
    return {"simd": "sse2 (compiler-vectorised)", "threads": 1}
