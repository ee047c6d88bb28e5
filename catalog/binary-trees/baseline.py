"""binary-trees, plain Python (the `cpython` and `pypy` rungs).

The Benchmarks Game problem: allocate many perfect binary trees, walk each to count its nodes, and let it go.
The work is allocation and the garbage collector's, which is where runtimes differ most: CPython frees each tree
by reference counting as it goes, PyPy's generational GC collects young trees in bulk, and a compiled numeric
rung has nothing to offer. A node is a tuple (left, right); a leaf is (None, None). `run` returns the lines
the Benchmarks Game program prints. Runs unchanged on CPython 3.10+ and PyPy 3.9.
"""

MIN_DEPTH = 4


def make_tree(depth):
    if depth == 0:
        return (None, None)
    depth -= 1
    return (make_tree(depth), make_tree(depth))


def check_tree(node):
    left, right = node
    if left is None:
        return 1
    return 1 + check_tree(left) + check_tree(right)


def binary_trees(n):
    max_depth = max(MIN_DEPTH + 2, n)
    stretch = max_depth + 1
    lines = ["stretch tree of depth %d\t check: %d" % (stretch, check_tree(make_tree(stretch)))]
    long_lived = make_tree(max_depth)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 2 ** (max_depth - depth + MIN_DEPTH)
        check = 0
        for _ in range(iterations):
            check += check_tree(make_tree(depth))
        lines.append("%d\t trees of depth %d\t check: %d" % (iterations, depth, check))
    lines.append("long lived tree of depth %d\t check: %d" % (max_depth, check_tree(long_lived)))
    return lines


def setup(n, data_path):
    return n


def run(n):
    return binary_trees(n)


if __name__ == "__main__":
    import sys

    print("\n".join(run(setup(int(sys.argv[1]) if len(sys.argv) > 1 else 10, ""))))
