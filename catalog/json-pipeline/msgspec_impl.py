"""JSON event pipeline, the `msgspec` rung: the events decoded straight into typed `msgspec.Struct`s.

msgspec's expert use is a schema: `Decoder(list[Event])` parses the bytes and builds `Event` structs in one
pass, validating types as it goes and skipping every field the schema does not name, so none of the unread
`meta` fields and no per-event dict is ever built. `meta`'s fields depend on the event type and carry no tag, so
`Meta` declares the fields the pipeline reads with defaults; JSON integers are accepted for float fields, and
`ts` is decoded by msgspec's own RFC 3339 parser into an aware datetime. The
structs are `gc=False` (they hold only strings and numbers, so the cycle collector need not track 100K of them).
The pipeline itself is baseline.py's (SPEC.md) with attribute access in place of dict lookups.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Dict, List, Optional

import msgspec

KEPT_TYPES = frozenset({"page_view", "click", "search", "add_to_cart", "purchase"})
START = datetime(2025, 3, 1, tzinfo=timezone.utc)
END = datetime(2025, 10, 1, tzinfo=timezone.utc)
TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class Meta(msgspec.Struct, gc=False):
    amount: float = 0.0
    items: int = 0
    qty: int = 0
    price: float = 0.0


class Event(msgspec.Struct, gc=False):
    user_id: str
    type: str
    page: str
    ts: datetime  # msgspec parses RFC 3339 itself, into an aware datetime
    meta: Meta


DECODER = msgspec.json.Decoder(List[Event])


@dataclass
class UserStats:
    first: datetime
    last: datetime
    events: int = 0
    purchases: int = 0
    revenue: float = 0.0
    cart_value: float = 0.0
    items: int = 0
    types: Counter = field(default_factory=Counter)
    pages: Counter = field(default_factory=Counter)
    hours: Counter = field(default_factory=Counter)
    days: set = field(default_factory=set)

    def summary(self) -> Dict[str, object]:
        return {
            "events": self.events,
            "purchases": self.purchases,
            "revenue": round(self.revenue, 2),
            "cart_value": round(self.cart_value, 2),
            "items": self.items,
            "top_type": self.types.most_common(1)[0][0],
            "top_page": self.pages.most_common(1)[0][0],
            "peak_hour": self.hours.most_common(1)[0][0],
            "active_days": len(self.days),
            "first_ts": self.first.strftime(TS_FORMAT),
            "last_ts": self.last.strftime(TS_FORMAT),
        }


def pipeline(events: List[Event]) -> Dict[str, Dict[str, object]]:
    users: Dict[str, UserStats] = {}
    for event in events:
        kind = event.type
        if kind not in KEPT_TYPES:
            continue
        when = event.ts
        if not START <= when < END:
            continue
        stats: Optional[UserStats] = users.get(event.user_id)
        if stats is None:
            stats = users[event.user_id] = UserStats(first=when, last=when)
        stats.events += 1
        stats.types[kind] += 1
        stats.pages[event.page] += 1
        stats.hours[when.hour] += 1
        stats.days.add(when.date())
        if when < stats.first:
            stats.first = when
        if when > stats.last:
            stats.last = when
        if kind == "purchase":
            stats.purchases += 1
            stats.revenue += event.meta.amount
            stats.items += event.meta.items
        elif kind == "add_to_cart":
            stats.cart_value += event.meta.qty * event.meta.price
    return {user: stats.summary() for user, stats in users.items()}


def setup(n: int, data_path: str) -> bytes:
    with open(data_path, "rb") as f:
        return f.read()


def run(data: bytes) -> Dict[str, Dict[str, object]]:
    return pipeline(DECODER.decode(data))
