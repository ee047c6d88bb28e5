"""fannkuch-redux, the `rust` rung: the permutation walk is `ladder_kernels.fannkuch_redux`, a
PyO3 extension module built by maturin from crates/ladder-kernels (src/fannkuch.rs), on one thread like the C,
Cython and Codon rungs, with the GIL released. `run` returns [checksum, maximum flips]."""
from typing import Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> List[int]:
    checksum, max_flips = ladder_kernels.fannkuch_redux(n)
    return [checksum, max_flips]


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": "none (compiler's choice)", "threads": 1}
