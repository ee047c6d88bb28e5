"""fannkuch-redux, the `taichi` rung: the permutation walk as one Taichi kernel on the CPU backend.

Taichi runs only a kernel's outermost `for` loop in parallel, and the benchmark's walk is one sequential chain:
each permutation is the previous one rotated, counted down by per-position counters. So the kernel is the plain
walk, serial, compiled through LLVM (a top-level `while` loop, which Taichi does not parallelise), with the
permutation, its working copy and the counters in small int32 ndarrays. Integer work: there is no
floating-point mode to choose, best effort and `--fair` are the same kernel. Compiled kernels are cached under
LADDER_CACHE_DIR.
"""
import contextlib
import io
import os

# Taichi prints a banner on import and a line from ti.init to stdout, which the worker rightly counts as output
# of the benchmark: the banner has a switch, the ti.init line (a plain print) is captured and dropped.
os.environ.setdefault("ENABLE_TAICHI_HEADER_PRINT", "False")

import numpy as np  # noqa: E402
import taichi as ti  # noqa: E402

_cache = os.environ.get("LADDER_CACHE_DIR")
with contextlib.redirect_stdout(io.StringIO()):
    ti.init(
        arch=ti.cpu,
        log_level=ti.WARN,
        offline_cache=bool(_cache),
        **({"offline_cache_file_path": os.path.join(_cache, "taichi")} if _cache else {}),
    )

Ints = ti.types.ndarray(dtype=ti.i32, ndim=1)


@ti.kernel
def fannkuch(perm1: Ints, perm: Ints, count: Ints, result: Ints):
    n = perm1.shape[0]
    checksum = 0
    max_flips = 0
    index = 0
    r = n
    done = False
    while not done:
        while r != 1:
            count[r - 1] = r
            r -= 1
        for i in range(n):
            perm[i] = perm1[i]
        flips = 0
        k = perm[0]
        while k != 0:
            i = 0
            j = k
            while i < j:
                t = perm[i]
                perm[i] = perm[j]
                perm[j] = t
                i += 1
                j -= 1
            flips += 1
            k = perm[0]
        max_flips = ti.max(max_flips, flips)
        if index % 2 == 0:
            checksum += flips
        else:
            checksum -= flips
        # The next permutation: rotate the first r+1 elements left until a counter is left.
        advanced = False
        while not advanced and not done:
            if r == n:
                done = True
            else:
                first = perm1[0]
                for i in range(r):
                    perm1[i] = perm1[i + 1]
                perm1[r] = first
                count[r] -= 1
                if count[r] > 0:
                    advanced = True
                else:
                    r += 1
        index += 1
    result[0] = checksum
    result[1] = max_flips


def setup(n, data_path):
    return n


def run(n):
    result = np.zeros(2, dtype=np.int32)
    fannkuch(np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.int32), np.zeros(n, dtype=np.int32), result)
    return [int(result[0]), int(result[1])]


def ladder_info():
    return {"arch": "cpu", "threads": 1}
