"""JSON event pipeline from raw bytes, the `rust` rung: `ladder_kernels.json_pipeline`, a PyO3 extension module
built by maturin from crates/ladder-kernels (src/pipeline/). Rust parses the bytes (serde_json, borrowing the
strings from the input), filters and aggregates per user with the GIL released, then builds the per-user dict of
SPEC.md. Malformed input raises ValueError with the byte offset.
"""
import ladder_kernels


def setup(n, data_path):
    with open(data_path, "rb") as f:
        return f.read()


def run(data):
    return ladder_kernels.json_pipeline(data)
