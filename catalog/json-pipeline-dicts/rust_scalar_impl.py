"""JSON event pipeline from already-parsed dicts, the `rust-scalar` rung. Reading Python dicts needs the GIL, so
there is nothing to share out to threads or vectorise: this is the same function as the `rust` rung's,
`ladder_kernels.json_pipeline_dicts`, listed so every benchmark has a `rust-scalar` cell.
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
