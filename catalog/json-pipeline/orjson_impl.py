"""JSON event pipeline, the `orjson` rung: orjson.loads in place of json.loads, nothing else changed.

The drop-in the commentary recommends ("orjson and msgspec offer 3x JSON parsing speedup with zero code
changes"): orjson's Rust parser builds the same lists and dicts json.loads builds, and the plain-Python
pipeline of baseline.py (SPEC.md) runs on them unchanged. The gap to the `cpython` rung on the same CPython is
what the parser alone is worth.
"""

import orjson

from baseline import pipeline


def setup(n, data_path):
    with open(data_path, "rb") as f:
        return f.read()


def run(data):
    return pipeline(orjson.loads(data))
