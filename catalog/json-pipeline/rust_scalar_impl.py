"""JSON event pipeline from raw bytes, the `rust-scalar` rung: `ladder_kernels.json_pipeline_scalar`, the same
reader and aggregation as the `rust` rung on one thread, so the report card shows what the threads bought.
Malformed input raises ValueError with the byte offset.
"""
from typing import Any, Dict, Union

import ladder_kernels


def setup(n: int, data_path: str) -> bytes:
    with open(data_path, "rb") as f:
        return f.read()


def run(data: bytes) -> Dict[str, Dict[str, Any]]:
    return ladder_kernels.json_pipeline_scalar(data)


def ladder_info() -> Dict[str, Union[str, int]]:
    return {"simd": "none (portable)", "threads": 1}
