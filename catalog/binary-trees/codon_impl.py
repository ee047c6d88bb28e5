"""binary-trees, the `codon` rung: the plain algorithm with Codon's types, compiled ahead of time by Codon
(`codon build -release -pyext`) into a CPython extension. A node is a Codon class (a reference type on Codon's
own garbage-collected heap, not a Python object); the result lines cross back to Python as strings.

Making and counting trees are the class's methods: `-pyext` exports every top-level function to Python, and a
`Node` has no Python form to cross that boundary with.
"""

MIN_DEPTH = 4


class Node:
    left: Optional[Node]
    right: Optional[Node]

    def __init__(self, left: Optional[Node], right: Optional[Node]):
        self.left = left
        self.right = right

    @staticmethod
    def make(depth: int) -> Node:
        if depth == 0:
            return Node(None, None)
        return Node(Node.make(depth - 1), Node.make(depth - 1))

    def check(self) -> int:
        if self.left is None:
            return 1
        return 1 + self.left.check() + self.right.check()


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> list[str]:
    max_depth = max(MIN_DEPTH + 2, n)
    stretch = max_depth + 1
    lines = [f"stretch tree of depth {stretch}\t check: {Node.make(stretch).check()}"]
    long_lived = Node.make(max_depth)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + MIN_DEPTH)
        check = 0
        for _ in range(iterations):
            check += Node.make(depth).check()
        lines.append(f"{iterations}\t trees of depth {depth}\t check: {check}")
    lines.append(f"long lived tree of depth {max_depth}\t check: {long_lived.check()}")
    return lines
