"""JSON event pipeline from raw bytes, the `rust` rung's expert tier: `ladder_kernels.json_pipeline`, a PyO3
extension module built by maturin from crates/ladder-kernels (src/pipeline/). With the GIL released, a hand-written
JSON reader for the events schema (borrowed strings, only the needed fields decoded, everything else validated and
skipped) reads line-aligned slices of the bytes, one per thread (as many as `ladder_kernels.threads()`; one for an
input under 1 MiB); every slice boundary is checked against the sequential parse, and any input that does not split
cleanly is read again sequentially. Each slice is aggregated per user on its own thread, and the slices are merged
in file order (float sums replayed term by term, so every figure is the sequential one bit for bit). The per-user
dicts of SPEC.md are then built while another thread summarises the users ahead of them. Malformed input raises
ValueError with the byte offset.
"""
from typing import Any, Dict, Union

import ladder_kernels


def setup(n: int, data_path: str) -> bytes:
    with open(data_path, "rb") as f:
        return f.read()


def run(data: bytes) -> Dict[str, Dict[str, Any]]:
    return ladder_kernels.json_pipeline(data)


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": ladder_kernels.pipeline_simd_level(), "threads": ladder_kernels.threads()}
