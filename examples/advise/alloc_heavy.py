"""Allocation-heavy example for `ladder advise`: millions of small container objects kept alive, so the cyclic
garbage collector keeps rescanning a growing heap."""


class Node:
    def __init__(self, key: int, tags: list) -> None:
        self.key = key
        self.tags = tags
        self.meta = {"key": key}


def main() -> None:
    nodes = []
    for i in range(500_000):
        nodes.append(Node(i, [i, i + 1]))
    print(len(nodes), sum(n.key for n in nodes) % 1000)


if __name__ == "__main__":
    main()
