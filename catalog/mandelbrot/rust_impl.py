"""mandelbrot, the `rust` rung: the PBM file is made by `ladder_kernels.mandelbrot`, a PyO3
extension module built by maturin from crates/ladder-kernels (src/mandelbrot.rs), on one thread like the C,
Cython and Codon rungs, with the GIL released; Rust never fuses multiplies and adds, so the pinned bits come out."""
from typing import Dict, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> bytes:
    return ladder_kernels.mandelbrot(n)


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": "none (compiler's choice)", "threads": 1}
