"""JSON event pipeline from raw bytes, the `c` rung's expert tier: json_pipeline_expert.c (C99 + OpenMP), called
through ctypes.

ladder compiles json_pipeline_expert.c, with json_pipeline.c (the study tier's reader, kept as the general path),
into libjson_pipeline_expert.so next to this module, with -fopenmp. The C side uses EXPERT.md's ideas 1-5: a
reader for this schema over borrowed spans, the type and timestamp compared before anything else is decoded,
allocation-free aggregates, one line-aligned slice per thread merged in file order (float terms replayed), and
SIMD string scans; it also summarises every user (ties, rounding to cents as round(x, 2) does). Any input the fast
reader does not take is read by the general path, so malformed input raises ValueError with its byte offset.
This module builds the dicts (idea 6) from whole columns: one dict display per user, no per-user slicing.
"""

import ctypes
import os

_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libjson_pipeline_expert.so"))

TYPES = ("page_view", "click", "search", "add_to_cart", "purchase")
PAGES = ("/", "/home", "/search", "/product", "/cart", "/checkout", "/account", "/help", "/blog", "/pricing")
N_COLS = 8  # events purchases items top_type top_page peak_hour active_days id_len, each a column of n


class _Result(ctypes.Structure):
    _fields_ = [
        ("n_users", ctypes.c_int64),
        ("cols", ctypes.c_void_p),
        ("money", ctypes.c_void_p),
        ("ids", ctypes.c_void_p),
        ("ids_len", ctypes.c_int64),
        ("ids_split", ctypes.c_int64),
        ("stamps", ctypes.c_void_p),
        ("slices", ctypes.c_int64),
        ("error", ctypes.c_char * 256),
    ]


_lib.jpx_run.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
_lib.jpx_run.restype = ctypes.POINTER(_Result)
_lib.jpx_free.argtypes = [ctypes.POINTER(_Result)]
_lib.jpx_free.restype = None
_lib.jpx_threads.restype = ctypes.c_int
_lib.jpx_simd.restype = ctypes.c_char_p

_last_slices = [0]  # slices the fast reader used in the last call (0: the general path read it)


def setup(n, data_path):
    with open(data_path, "rb") as f:
        return f.read()


def _user_ids(raw, lengths, split):
    if split:
        return raw.decode("utf-8", "surrogatepass").split("\n")
    ids = []
    at = 0
    for length in lengths:
        ids.append(raw[at : at + length].decode("utf-8", "surrogatepass"))
        at += length + 1
    return ids


def run(data):
    result = _lib.jpx_run(data, len(data))
    if not result:
        raise MemoryError("json_pipeline_expert: out of memory")
    try:
        res = result.contents
        if res.error:
            raise ValueError("malformed events: " + res.error.decode("utf-8", "replace"))
        n = res.n_users
        if n == 0:
            return {}
        cols = memoryview(ctypes.string_at(res.cols, 8 * N_COLS * n)).cast("q").tolist()
        money = memoryview(ctypes.string_at(res.money, 16 * n)).cast("d").tolist()
        raw_ids = ctypes.string_at(res.ids, res.ids_len - 1)  # without the last '\n'
        stamps = ctypes.string_at(res.stamps, 42 * n - 1).decode("ascii").split("\n")
        split = res.ids_split
        _last_slices[0] = res.slices
    finally:
        _lib.jpx_free(result)

    ids = _user_ids(raw_ids, cols[7 * n :], split)
    return {
        user: {
            "events": events,
            "purchases": purchases,
            "revenue": revenue,
            "cart_value": cart_value,
            "items": items,
            "top_type": TYPES[top_type],
            "top_page": PAGES[top_page],
            "peak_hour": peak_hour,
            "active_days": active_days,
            "first_ts": first_ts,
            "last_ts": last_ts,
        }
        for user, events, purchases, items, top_type, top_page, peak_hour, active_days, revenue, cart_value,
        first_ts, last_ts in zip(
            ids, cols[:n], cols[n : 2 * n], cols[2 * n : 3 * n], cols[3 * n : 4 * n], cols[4 * n : 5 * n],
            cols[5 * n : 6 * n], cols[6 * n : 7 * n], money[:n], money[n:], stamps[:n], stamps[n:]
        )
    }


def ladder_info():
    return {"simd": _lib.jpx_simd().decode("ascii"), "threads": _last_slices[0] or 1}
