"""JSON event pipeline, plain Python: json.loads, then filter, transform and aggregate per user.

What a Python developer would write without thinking about speed (see SPEC.md). Runs on CPython 3.10+ and on
PyPy 3.9, so nothing newer than Python 3.9 is used.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

KEPT_TYPES = {"page_view", "click", "search", "add_to_cart", "purchase"}
START = datetime(2025, 3, 1, tzinfo=timezone.utc)
END = datetime(2025, 10, 1, tzinfo=timezone.utc)


def parse_ts(ts):
    # datetime.fromisoformat accepts the trailing "Z" only from Python 3.11 on
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


@dataclass
class UserStats:
    events: int = 0
    purchases: int = 0
    revenue: float = 0.0
    cart_value: float = 0.0
    items: int = 0
    types: Counter = field(default_factory=Counter)
    pages: Counter = field(default_factory=Counter)
    hours: Counter = field(default_factory=Counter)
    days: set = field(default_factory=set)
    first: datetime = None
    last: datetime = None

    def summary(self):
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
            "first_ts": self.first.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "last_ts": self.last.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def pipeline(events):
    users = {}
    for event in events:
        kind = event["type"]
        if kind not in KEPT_TYPES:
            continue
        when = parse_ts(event["ts"])
        if not START <= when < END:
            continue
        stats = users.get(event["user_id"])
        if stats is None:
            stats = users[event["user_id"]] = UserStats(first=when, last=when)
        stats.events += 1
        stats.types[kind] += 1
        stats.pages[event["page"]] += 1
        stats.hours[when.hour] += 1
        stats.days.add(when.date())
        stats.first = min(stats.first, when)
        stats.last = max(stats.last, when)
        if kind == "purchase":
            stats.purchases += 1
            stats.revenue += event["meta"]["amount"]
            stats.items += event["meta"]["items"]
        elif kind == "add_to_cart":
            stats.cart_value += event["meta"]["qty"] * event["meta"]["price"]
    return {user: stats.summary() for user, stats in users.items()}


def setup(n, data_path):
    with open(data_path, "rb") as f:
        return f.read()


def run(data):
    return pipeline(json.loads(data))
