"""spectral-norm, the `rust` rung: `ladder_kernels.spectral_norm`, a PyO3 extension module built by maturin from
crates/ladder-kernels (src/spectral.rs). The ten power iterations run in Rust, rows shared out to rayon's threads,
with the GIL released; `run` returns [norm, vBv, vv].
"""
import ladder_kernels


def setup(n, data_path):
    return n


def run(n):
    norm, vbv, vv = ladder_kernels.spectral_norm(n)
    return [norm, vbv, vv]
