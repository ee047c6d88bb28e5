"""JSON event pipeline from already-parsed dicts, the `rust` rung: `ladder_kernels.json_pipeline_dicts`, a PyO3
extension module built by maturin from crates/ladder-kernels (src/python.rs over src/pipeline/). Rust reads each
event dict through the C API (the GIL is needed for that, so one thread), filters and aggregates per user, then
builds the per-user dict of ../json-pipeline/SPEC.md.
"""
import json
from typing import Any, Dict, List, Union

import ladder_kernels


def setup(n: int, data_path: str) -> List[Dict[str, Any]]:
    # by definition of this benchmark the events arrive as Python dicts: parsing is not timed
    with open(data_path, "rb") as f:
        return json.loads(f.read())


def run(events: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    return ladder_kernels.json_pipeline_dicts(events)


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": "none (portable)", "threads": 1}
