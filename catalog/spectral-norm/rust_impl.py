"""spectral-norm, the `rust` rung: `ladder_kernels.spectral_norm`, a PyO3 extension module built by maturin from
crates/ladder-kernels (src/spectral.rs). The ten power iterations run in Rust with the GIL released. Each AᵀA
product goes through A in tiles of 8 rows whose entries are computed once and used for both A·u and Aᵀ(A·u);
the tiles are shared out to rayon's threads in fixed ranges (the same bits on every call), and the entries come
from explicit SIMD (AVX-512F or AVX2+FMA, picked at run time; a hardware reciprocal estimate refined by FMAs
instead of a division; under `ladder run --fair`, true divisions and no FMA). `run` returns [norm, vBv, vv].
"""
from typing import Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> List[float]:
    norm, vbv, vv = ladder_kernels.spectral_norm(n)
    return [norm, vbv, vv]


def ladder_info() -> Dict[str, Union[str, int]]:
    return {
        "simd": ladder_kernels.simd_level(),
        "threads": ladder_kernels.threads(),
        "fp": ladder_kernels.spectral_fp_rules(),
    }
