"""JSON event pipeline from already-parsed dicts, the `rust` rung: `ladder_kernels.json_pipeline_dicts`, a PyO3
extension module built by maturin from crates/ladder-kernels (src/python.rs over src/pipeline/). Rust reads each
event dict through the C API (the GIL is needed for that), filters and aggregates per user, then builds the
per-user dict of ../json-pipeline/SPEC.md.
"""
import json

import ladder_kernels


def setup(n, data_path):
    # by definition of this benchmark the events arrive as Python dicts: parsing is not timed
    with open(data_path, "rb") as f:
        return json.loads(f.read())


def run(events):
    return ladder_kernels.json_pipeline_dicts(events)
