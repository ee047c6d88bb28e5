"""JSON event pipeline, the `pysimdjson` rung: simdjson's lazy documents in place of json.loads.

pysimdjson parses the whole buffer with simdjson's SIMD parser into its own tape, and hands out `Array` and
`Object` proxies that make a Python value only for a field that is read. The plain-Python pipeline of
baseline.py (SPEC.md) reads `event["type"]`, `event["meta"]["amount"]` ... through those proxies unchanged, so
the fields it never reads (the id, most of `meta`) never become Python objects. The parser is reused across
calls, as simdjson's documentation advises; nothing of the document outlives `run`, because the pipeline keeps
only strings and numbers it copied out.
"""

import simdjson

from baseline import pipeline

_PARSER = simdjson.Parser()


def setup(n, data_path):
    with open(data_path, "rb") as f:
        return f.read()


def run(data):
    return pipeline(_PARSER.parse(data))
