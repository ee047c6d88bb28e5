"""JSON event pipeline from raw bytes, the `rust` rung's study tier: `ladder_kernels.json_pipeline_serde`, a PyO3
extension module built by maturin from crates/ladder-kernels (src/pipeline/study.rs), with the GIL released. It
reads as the study's Rust did: serde_json deserialises the array into derived structs whose strings borrow from
the bytes (decoded only where they carry escapes) and whose `meta` stays raw JSON until the event's type says
what it holds, on one thread with no explicit SIMD; the events are then filtered and aggregated per user as
SPEC.md says (the crate's aggregation, shared with the expert tier, so the output is the same to the bit).
Malformed input raises ValueError, with serde_json's line and column or the event's index.
"""
from typing import Any, Dict, Union

import ladder_kernels


def setup(n: int, data_path: str) -> bytes:
    with open(data_path, "rb") as f:
        return f.read()


def run(data: bytes) -> Dict[str, Dict[str, Any]]:
    return ladder_kernels.json_pipeline_serde(data)


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": "none", "threads": 1}
