"""binary-trees, the `rust` rung: the trees are made, counted and dropped by
`ladder_kernels.binary_trees`, a PyO3 extension module built by maturin from crates/ladder-kernels
(src/binary_trees.rs): a node is a Box, freed when its tree is counted (no collector), on one thread like the C
and Cython rungs, with the GIL released. `run` returns the Benchmarks Game program's lines."""
from typing import Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> List[str]:
    return ladder_kernels.binary_trees(n)


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"allocator": "the system malloc (Box)", "threads": 1}
