"""binary-trees, the `mypyc` rung: the plain algorithm, fully annotated, for mypyc to compile to C.

A node is a native class (a C struct with two object pointers) instead of a tuple; `check_tree` and
`make_tree` become C functions. The allocation itself still goes through CPython's object allocator and
reference counting, which is the work this benchmark measures.
"""
from typing import List, Optional

MIN_DEPTH = 4


class Node:
    __slots__ = ("left", "right")

    def __init__(self, left: Optional["Node"], right: Optional["Node"]) -> None:
        self.left = left
        self.right = right


def make_tree(depth: int) -> Node:
    if depth == 0:
        return Node(None, None)
    depth -= 1
    return Node(make_tree(depth), make_tree(depth))


def check_tree(node: Node) -> int:
    left = node.left
    right = node.right
    if left is None or right is None:
        return 1
    return 1 + check_tree(left) + check_tree(right)


def binary_trees(n: int) -> List[str]:
    max_depth = max(MIN_DEPTH + 2, n)
    stretch = max_depth + 1
    lines = ["stretch tree of depth %d\t check: %d" % (stretch, check_tree(make_tree(stretch)))]
    long_lived = make_tree(max_depth)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + MIN_DEPTH)
        check = 0
        for _ in range(iterations):
            check += check_tree(make_tree(depth))
        lines.append("%d\t trees of depth %d\t check: %d" % (iterations, depth, check))
    lines.append("long lived tree of depth %d\t check: %d" % (max_depth, check_tree(long_lived)))
    return lines


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> List[str]:
    return binary_trees(n)
