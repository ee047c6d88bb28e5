"""spectral-norm, the `rust` rung's expert tier: `ladder_kernels.spectral_norm`, a PyO3 extension module built by
maturin from crates/ladder-kernels (src/spectral.rs). The ten power iterations run in Rust with the GIL released.
Each AᵀA product goes through A in tiles of 8 rows whose entries are computed once and used for both A·u and
Aᵀ(A·u); the tiles are shared out in fixed ranges to as many threads as rayon's pool has (one below n = 500, where
the split costs more than it brings), which meet after each product at a barrier that sleeps rather than spins
(the same bits on every call). The entries come from explicit SIMD (AVX-512F or AVX2+FMA, picked at run time; a
hardware reciprocal estimate refined by FMAs instead of a division; under `ladder run --fair`, true divisions and
no FMA). `run` returns [norm, vBv, vv].
"""
from typing import Dict, List, Union

import ladder_kernels

# the last n set up, for ladder_info(): the number of threads depends on it
_last_n = 0


def setup(n: int, data_path: str) -> int:
    global _last_n
    _last_n = n
    return n


def run(n: int) -> List[float]:
    norm, vbv, vv = ladder_kernels.spectral_norm(n)
    return [norm, vbv, vv]


def ladder_info() -> Dict[str, Union[str, int]]:
    threads = ladder_kernels.spectral_threads(_last_n) if _last_n > 0 else ladder_kernels.threads()
    return {
        "simd": ladder_kernels.simd_level(),
        "threads": threads,
        "fp": ladder_kernels.spectral_fp_rules(),
    }
