"""JSON-heavy example for `ladder advise`: events decoded with json.loads into dicts, filtered and aggregated into
more dicts, the result encoded with json.dumps (the study's pipeline shape)."""

import json

KINDS = ("view", "cart", "purchase", "view", "search")


def make_events(n):
    return [
        json.dumps(
            {
                "user": "u%d" % (i % 211),
                "type": KINDS[i % 5],
                "amount": (i * 37) % 1000 / 10,
                "meta": {"page": "/p/%d" % (i % 17), "ref": "r%d" % (i % 3)},
            }
        )
        for i in range(n)
    ]


def aggregate(lines):
    users = {}
    for line in lines:
        event = json.loads(line)
        if event["type"] == "view":
            continue
        user = users.setdefault(event["user"], {"events": 0, "spent": 0.0, "pages": {}})
        user["events"] += 1
        if event["type"] == "purchase":
            user["spent"] += event["amount"]
        page = event["meta"]["page"]
        user["pages"][page] = user["pages"].get(page, 0) + 1
    return users


def main():
    lines = make_events(60_000)
    result = aggregate(lines)
    text = json.dumps(result, sort_keys=True)
    print(len(result), len(text), sum(u["events"] for u in result.values()))


if __name__ == "__main__":
    main()
