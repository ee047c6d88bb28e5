"""JSON event pipeline, the `multiprocessing` rung: the events split by lines over a process pool.

The textbook way round the GIL for a parse-heavy job: a `ProcessPoolExecutor` with one process per available core.
The raw bytes are cut at newlines into one contiguous block per process; each process parses its block with
json.loads and filters, transforms and partially aggregates it (baseline.py's work); the parent merges the partial
results block by block, in file order:

- counts are summed, and the per-user Counters are merged in block order, so their insertion order is the order of
  first occurrence in the file and `most_common` breaks ties exactly as baseline.py does;
- purchase amounts and cart values come back as lists and are summed in the parent in file order from 0.0, so the
  floating-point sums are baseline.py's to the last bit (adding per-block subtotals would round differently);
- days are unioned, first and last timestamps compared.

A block that does not parse on its own (the input is not one event per line, e.g. pretty-printed) makes the call
read the whole input again in this process, which also reports a real syntax error where it is. The pool is
started and shut down inside `run`, so the timed call pays for what a program pays: starting the processes and
pickling every block out and the partial results back. `ladder_info()` reports the process count; the worker adds
the pool's CPU time to the cell's.
"""
import json
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from multiprocessing import get_context

KEPT_TYPES = {"page_view", "click", "search", "add_to_cart", "purchase"}
START = datetime(2025, 3, 1, tzinfo=timezone.utc)
END = datetime(2025, 10, 1, tzinfo=timezone.utc)


def parse_ts(ts):
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def new_partial(when):
    # events, purchases, items, amounts, cart values, types, pages, hours, days, first, last
    return [0, 0, 0, [], [], Counter(), Counter(), Counter(), set(), when, when]


def aggregate(events):
    """Filter, transform and aggregate a run of events; per user, in order of first kept event."""
    users = {}
    for event in events:
        kind = event["type"]
        if kind not in KEPT_TYPES:
            continue
        when = parse_ts(event["ts"])
        if not START <= when < END:
            continue
        p = users.get(event["user_id"])
        if p is None:
            p = users[event["user_id"]] = new_partial(when)
        p[0] += 1
        p[5][kind] += 1
        p[6][event["page"]] += 1
        p[7][when.hour] += 1
        p[8].add(when.date())
        p[9] = min(p[9], when)
        p[10] = max(p[10], when)
        if kind == "purchase":
            p[1] += 1
            p[3].append(event["meta"]["amount"])
            p[2] += event["meta"]["items"]
        elif kind == "add_to_cart":
            p[4].append(event["meta"]["qty"] * event["meta"]["price"])
    return users


def aggregate_block(block):
    """One process's share: a run of whole lines of the array, parsed as an array of its own. None when the block
    is not whole events (the split fell inside one)."""
    body = block.strip().rstrip(b",")
    if not body:
        return {}
    try:
        events = json.loads(b"[" + body + b"]")
    except ValueError:
        return None
    return aggregate(events)


def merge(partials):
    """Per-user partial aggregates, block by block in file order, into the output of SPEC.md."""
    users = {}
    for part in partials:
        for user, p in part.items():
            m = users.get(user)
            if m is None:
                users[user] = p
                continue
            m[0] += p[0]
            m[1] += p[1]
            m[2] += p[2]
            m[3].extend(p[3])
            m[4].extend(p[4])
            m[5].update(p[5])
            m[6].update(p[6])
            m[7].update(p[7])
            m[8] |= p[8]
            m[9] = min(m[9], p[9])
            m[10] = max(m[10], p[10])
    out = {}
    for user, m in users.items():
        revenue = 0.0
        for amount in m[3]:
            revenue += amount
        cart = 0.0
        for value in m[4]:
            cart += value
        out[user] = {
            "events": m[0],
            "purchases": m[1],
            "revenue": round(revenue, 2),
            "cart_value": round(cart, 2),
            "items": m[2],
            "top_type": m[5].most_common(1)[0][0],
            "top_page": m[6].most_common(1)[0][0],
            "peak_hour": m[7].most_common(1)[0][0],
            "active_days": len(m[8]),
            "first_ts": m[9].strftime("%Y-%m-%dT%H:%M:%SZ"),
            "last_ts": m[10].strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    return out


def blocks_of(data, count):
    """The array's contents cut at newlines into at most `count` runs of whole lines; None if `data` is not a
    bracketed array."""
    start = len(data) - len(data.lstrip())
    end = len(data.rstrip())
    if start >= end or data[start : start + 1] != b"[" or data[end - 1 : end] != b"]":
        return None
    start += 1
    end -= 1
    step = max(1, (end - start) // count)
    cuts = [start]
    while len(cuts) < count:
        nl = data.find(b"\n", cuts[-1] + step, end)
        if nl < 0:
            break
        cuts.append(nl + 1)
    cuts.append(end)
    return [data[a:b] for a, b in zip(cuts, cuts[1:])]


def processes():
    """One process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _context():
    # fork starts a pool in milliseconds; where it is unavailable the platform default re-imports this module.
    try:
        return get_context("fork")
    except ValueError:
        return get_context()


def setup(n, data_path):
    with open(data_path, "rb") as f:
        return f.read()


def run(data):
    blocks = blocks_of(data, processes())
    partials = None
    if blocks:
        with ProcessPoolExecutor(max_workers=len(blocks), mp_context=_context()) as pool:
            partials = list(pool.map(aggregate_block, blocks))
    if partials is None or any(p is None for p in partials):
        # Not one event per line (or not an array): read it whole, which also reports a real syntax error.
        return merge([aggregate(json.loads(data))])
    return merge(partials)


def ladder_info():
    return {"processes": 1 + processes(), "start_method": _context().get_start_method()}
