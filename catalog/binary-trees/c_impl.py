"""binary-trees, the `c` rung: the trees are made, counted and freed by binary_trees.c, called through ctypes;
this module formats the counts into the benchmark's lines.

ladder compiles binary_trees.c into libbinary_trees.so next to its copy of this module."""
import ctypes
import os

MIN_DEPTH = 4

_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libbinary_trees.so"))
_lib.binary_trees.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_longlong), ctypes.c_int]
_lib.binary_trees.restype = ctypes.c_int


def setup(n, data_path):
    if not 0 <= n <= 30:
        raise ValueError("binary-trees takes a depth from 0 to 30, not %d" % n)
    return n


def run(n):
    counts = (ctypes.c_longlong * 32)()
    if _lib.binary_trees(n, counts, 32) < 0:
        raise ValueError("binary_trees(%d) refused its n" % n)
    max_depth = max(MIN_DEPTH + 2, n)
    lines = ["stretch tree of depth %d\t check: %d" % (max_depth + 1, counts[0])]
    k = 1
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + MIN_DEPTH)
        lines.append("%d\t trees of depth %d\t check: %d" % (iterations, depth, counts[k]))
        k += 1
    lines.append("long lived tree of depth %d\t check: %d" % (max_depth, counts[k]))
    return lines
