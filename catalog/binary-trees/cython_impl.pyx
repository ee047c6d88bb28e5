# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""binary-trees, the `cython` rung: nodes as a C struct allocated with malloc, walked and freed in `nogil`
C functions.

The expert's answer to an allocation-bound problem in Cython is to leave Python objects out of it: each node is
two pointers from malloc, each tree is freed as soon as it is checked (as the Benchmarks Game's C programs do
with their pools), and only the result lines are Python strings.
"""
from libc.stdlib cimport malloc, free


cdef struct Node:
    Node *left
    Node *right


cdef Node *make_tree(int depth) noexcept nogil:
    cdef Node *node = <Node *> malloc(sizeof(Node))
    if node == NULL:
        return NULL
    if depth == 0:
        node.left = NULL
        node.right = NULL
    else:
        node.left = make_tree(depth - 1)
        node.right = make_tree(depth - 1)
    return node


cdef long check_tree(Node *node) noexcept nogil:
    if node.left == NULL:
        return 1
    return 1 + check_tree(node.left) + check_tree(node.right)


cdef void free_tree(Node *node) noexcept nogil:
    if node.left != NULL:
        free_tree(node.left)
        free_tree(node.right)
    free(node)


cdef long checked(int depth) except -1 nogil:
    """Makes a tree, counts it, frees it."""
    cdef Node *tree = make_tree(depth)
    if tree == NULL:
        with gil:
            raise MemoryError()
    cdef long count = check_tree(tree)
    free_tree(tree)
    return count


def setup(n, data_path):
    if not 0 <= n <= 30:
        raise ValueError("binary-trees takes a depth from 0 to 30, not %d" % n)
    return n


def run(int n):
    cdef int min_depth = 4
    cdef int max_depth = max(min_depth + 2, n)
    cdef int stretch = max_depth + 1
    cdef int depth
    cdef long iterations, i, check
    lines = ["stretch tree of depth %d\t check: %d" % (stretch, checked(stretch))]
    cdef Node *long_lived = make_tree(max_depth)
    if long_lived == NULL:
        raise MemoryError()
    for depth in range(min_depth, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + min_depth)
        check = 0
        with nogil:
            for i in range(iterations):
                check += checked(depth)
        lines.append("%d\t trees of depth %d\t check: %d" % (iterations, depth, check))
    lines.append("long lived tree of depth %d\t check: %d" % (max_depth, check_tree(long_lived)))
    free_tree(long_lived)
    return lines
