"""spectral-norm, the `jax` rung: the whole computation as one `jax.jit` function, compiled by XLA for the CPU.

JAX works in float32 unless told otherwise, which would fail the 1e-9 check, so float64 is switched on before
anything is traced. A is built inside the jitted function from two iotas (XLA fuses it into the first use), and
the ten power iterations are a `lax.fori_loop`, so the timed call is one dispatch into compiled code: this is the
version the commentary's "1,633x by delegating to XLA" describes. `n` is static (the shapes depend on it), so each
size compiles once; compiled executables go to JAX's persistent cache under LADDER_CACHE_DIR, so the first call
shows the compile time only on a machine's first run.

Best effort and `--fair` (LADDER_FAIR=1) are the same program: XLA's CPU backend does not use fast-math unless
asked (`--xla_cpu_enable_fast_math` defaults to false); in fair mode that flag is set explicitly anyway.
"""
import math
import os
from functools import partial

os.environ.setdefault("JAX_PLATFORMS", "cpu")
FAIR = os.environ.get("LADDER_FAIR") == "1"
if FAIR:  # pin XLA's default (no fast-math) explicitly rather than trust it
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_enable_fast_math=false").strip()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

jax.config.update("jax_enable_x64", True)
_cache = os.environ.get("LADDER_CACHE_DIR")
if _cache:
    jax.config.update("jax_compilation_cache_dir", os.path.join(_cache, "jax"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


@partial(jax.jit, static_argnums=0)
def spectral_norm(n: int):
    i = lax.broadcasted_iota(jnp.float64, (n, n), 0)
    j = lax.broadcasted_iota(jnp.float64, (n, n), 1)
    a = 1.0 / ((i + j) * (i + j + 1.0) * 0.5 + i + 1.0)

    def iteration(_, uv):
        u, _v = uv
        v = a.T @ (a @ u)
        return (a.T @ (a @ v), v)

    ones = jnp.ones(n, dtype=jnp.float64)
    u, v = lax.fori_loop(0, 10, iteration, (ones, ones))
    return u @ v, v @ v


def setup(n, data_path):
    return n


def run(n):
    vbv, vv = spectral_norm(n)
    vbv, vv = float(vbv), float(vv)
    return [math.sqrt(vbv / vv), vbv, vv]


def ladder_info():
    return {"backend": jax.default_backend(), "x64": bool(jax.config.jax_enable_x64), "fair": FAIR}
