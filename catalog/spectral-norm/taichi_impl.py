"""spectral-norm, the `taichi` rung: Taichi kernels on the CPU backend, in float64.

Taichi compiles each `@ti.kernel` through LLVM and runs the outermost `for` loop of a kernel in parallel over
the CPU's cores; everything nested inside it runs serially in one thread. So each mat-vec is one kernel whose
rows are shared out between threads while every row's sum stays a serial loop, in the same order as the C
reference. The final dot products are reductions: Taichi would do them with parallel atomic adds, whose order
(and so whose last bits) changes from run to run, so they are serialised with `ti.loop_config(serialize=True)`.

Best effort (ladder's default) is Taichi as shipped: `fast_math=True`, which lets LLVM reassociate and use
approximate operations, and explains much of the study's spectral-norm lead. `ladder run --fair` sets
LADDER_FAIR=1 and this rung then runs with `fast_math=False`. Both pass the 1e-9 check. Compiled kernels are
cached under ladder's cache folder (LADDER_CACHE_DIR), so only the first run pays for LLVM.
"""
import contextlib
import io
import math
import os

# Taichi prints a banner on import and a line from ti.init to stdout, which the worker rightly counts as output
# of the benchmark: the banner has a switch, the ti.init line (a plain print) is captured and dropped.
os.environ.setdefault("ENABLE_TAICHI_HEADER_PRINT", "False")

import taichi as ti  # noqa: E402

FAIR = os.environ.get("LADDER_FAIR") == "1"
_cache = os.environ.get("LADDER_CACHE_DIR")
with contextlib.redirect_stdout(io.StringIO()):
    ti.init(
        arch=ti.cpu,
        default_fp=ti.f64,
        fast_math=not FAIR,
        log_level=ti.WARN,
        offline_cache=bool(_cache),
        **({"offline_cache_file_path": os.path.join(_cache, "taichi")} if _cache else {}),
    )


@ti.func
def eval_a(i: ti.i64, j: ti.i64) -> ti.f64:
    ij = i + j
    return 1.0 / ti.cast(ij * (ij + 1) // 2 + i + 1, ti.f64)


@ti.kernel
def times_a(u: ti.types.ndarray(dtype=ti.f64, ndim=1), out: ti.types.ndarray(dtype=ti.f64, ndim=1)):
    n = u.shape[0]
    for i in range(n):  # parallel over rows
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * u[j]
        out[i] = s


@ti.kernel
def times_at(u: ti.types.ndarray(dtype=ti.f64, ndim=1), out: ti.types.ndarray(dtype=ti.f64, ndim=1)):
    n = u.shape[0]
    for i in range(n):  # parallel over rows
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * u[j]
        out[i] = s


@ti.kernel
def dots(u: ti.types.ndarray(dtype=ti.f64, ndim=1), v: ti.types.ndarray(dtype=ti.f64, ndim=1)) -> ti.math.vec2:
    vbv = 0.0
    vv = 0.0
    ti.loop_config(serialize=True)  # a reduction in a fixed order: same bits every run
    for i in range(u.shape[0]):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return ti.math.vec2(vbv, vv)


def setup(n, data_path):
    return n


def run(n):
    u = ti.ndarray(ti.f64, shape=n)
    v = ti.ndarray(ti.f64, shape=n)
    tmp = ti.ndarray(ti.f64, shape=n)
    u.fill(1.0)
    for _ in range(10):
        times_a(u, tmp)
        times_at(tmp, v)
        times_a(v, tmp)
        times_at(tmp, u)
    vbv, vv = dots(u, v)
    return [math.sqrt(vbv / vv), float(vbv), float(vv)]


def ladder_info():
    return {"fast_math": not FAIR, "arch": "cpu", "threads": ti.lang.impl.current_cfg().cpu_max_num_threads}
