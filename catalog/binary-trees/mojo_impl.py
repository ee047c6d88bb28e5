"""binary-trees, the `mojo` rung: the trees are built, counted and freed by binary_trees_mojo.mojo, a Mojo module
imported from Python.

`import mojo.importer` (from the PyPI `mojo` package) lets Python import a `.mojo` file: on first import it runs
`mojo build --emit shared-lib` and caches the extension in `__mojocache__` beside the source, keyed by a hash of
it, so the compile shows in the import time of a machine's first run only. Mojo has no garbage collector: each
node is one heap allocation, freed by the kernel as soon as its tree is counted (as the C rung does). The kernel
returns the counts; this module formats them into the benchmark's lines. Integer work: best effort and `--fair`
are the same build.
"""
import mojo.importer  # noqa: F401  (installs the .mojo import hook)

import binary_trees_mojo

MIN_DEPTH = 4


def setup(n, data_path):
    return n


def run(n):
    counts = [int(c) for c in binary_trees_mojo.binary_trees(n)]
    max_depth = max(MIN_DEPTH + 2, n)
    lines = ["stretch tree of depth %d\t check: %d" % (max_depth + 1, counts[0])]
    k = 1
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + MIN_DEPTH)
        lines.append("%d\t trees of depth %d\t check: %d" % (iterations, depth, counts[k]))
        k += 1
    lines.append("long lived tree of depth %d\t check: %d" % (max_depth, counts[k]))
    return lines


def ladder_info():
    return {"module": binary_trees_mojo.__file__}
