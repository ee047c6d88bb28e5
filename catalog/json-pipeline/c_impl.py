"""JSON event pipeline, hot path rewritten in C: json_pipeline.c reads the raw bytes, filters and aggregates
into C structs; this module calls it through ctypes and builds only the final dict (SPEC.md).

ladder compiles json_pipeline.c into libjson_pipeline.so next to this file.
"""

import ctypes
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_lib = ctypes.CDLL(os.path.join(_HERE, "libjson_pipeline.so"))

TYPES = ("page_view", "click", "search", "add_to_cart", "purchase")
PAGES = ("/", "/home", "/search", "/product", "/cart", "/checkout", "/account", "/help", "/blog", "/pricing")
INTS_PER_USER = 8  # id_len events purchases items top_type top_page peak_hour active_days
FLOATS_PER_USER = 2  # revenue cart_value (unrounded sums)


class _Result(ctypes.Structure):
    _fields_ = [
        ("n_users", ctypes.c_int64),
        ("ints", ctypes.POINTER(ctypes.c_int64)),
        ("floats", ctypes.POINTER(ctypes.c_double)),
        ("ids", ctypes.c_void_p),
        ("stamps", ctypes.c_void_p),
        ("error", ctypes.c_char * 256),
    ]


_lib.jp_run.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
_lib.jp_run.restype = ctypes.POINTER(_Result)
_lib.jp_free.argtypes = [ctypes.POINTER(_Result)]
_lib.jp_free.restype = None


def setup(n, data_path):
    with open(data_path, "rb") as f:
        return f.read()


def run(data):
    result = _lib.jp_run(data, len(data))
    if not result:
        raise MemoryError("json_pipeline: out of memory")
    try:
        res = result.contents
        if res.error:
            raise ValueError("malformed events: " + res.error.decode("utf-8", "replace"))
        n = res.n_users
        ints = res.ints[: n * INTS_PER_USER]
        floats = res.floats[: n * FLOATS_PER_USER]
        ids = ctypes.string_at(res.ids, sum(ints[0::INTS_PER_USER])) if n else b""
        stamps = ctypes.string_at(res.stamps, 40 * n).decode("ascii") if n else ""
    finally:
        _lib.jp_free(result)

    out = {}
    at = 0
    for i in range(n):
        id_len, events, purchases, items, top_type, top_page, peak_hour, active_days = ints[
            i * INTS_PER_USER : (i + 1) * INTS_PER_USER
        ]
        user = ids[at : at + id_len].decode("utf-8", "surrogatepass")
        at += id_len
        out[user] = {
            "events": events,
            "purchases": purchases,
            "revenue": round(floats[2 * i], 2),
            "cart_value": round(floats[2 * i + 1], 2),
            "items": items,
            "top_type": TYPES[top_type],
            "top_page": PAGES[top_page],
            "peak_hour": peak_hour,
            "active_days": active_days,
            "first_ts": stamps[40 * i : 40 * i + 20],
            "last_ts": stamps[40 * i + 20 : 40 * i + 40],
        }
    return out
