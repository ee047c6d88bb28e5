"""mandelbrot, the `jax` rung: the bitmap as one `jax.jit` function, every pixel of a block of rows at once.

JAX has no scalar loops to compile, so the iteration is written the NumPy way: z for a block of rows is a pair of
float64 arrays (real, imaginary), updated 50 times by a `lax.fori_loop` in which a pixel stops changing once
|z|^2 has passed 4 (a `where` keeps its last value, so nothing overflows), and the pixels still inside at the end
are packed eight a byte by `jnp.packbits` (leftmost pixel in the high bit, rows padded: the P4 layout). XLA fuses
each iteration into one loop over the block. The rows go through in blocks (`lax.map`) of about 2^18 pixels so
the standard size (16,000^2 pixels) needs megabytes, not gigabytes. Shapes follow n, so each size is compiled
once, kept in JAX's persistent cache under LADDER_CACHE_DIR.

Every multiply and add must be rounded on its own (the output's bits depend on it): XLA's CPU backend does not
contract them into fused multiply-adds and uses no fast-math unless asked, and this rung sets
`--xla_cpu_enable_fast_math=false` explicitly in best effort and `--fair` alike.
"""
import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")
FAIR = os.environ.get("LADDER_FAIR") == "1"
# exact rounding in both modes: pin XLA's default (no fast-math) explicitly rather than trust it
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_enable_fast_math=false").strip()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402

jax.config.update("jax_enable_x64", True)
_cache = os.environ.get("LADDER_CACHE_DIR")
if _cache:
    jax.config.update("jax_compilation_cache_dir", os.path.join(_cache, "jax"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)

ITERATIONS = 50
BLOCK_PIXELS = 1 << 18


def _inside(cr, ci):
    """Booleans: which c = cr + ci*i (a row vector by a column vector) stay bounded for 50 iterations."""
    shape = (ci.shape[0], cr.shape[0])
    cr = jnp.broadcast_to(cr[None, :], shape)
    ci = jnp.broadcast_to(ci[:, None], shape)

    def step(_, state):
        zr, zi, live = state
        tr = zr * zr - zi * zi + cr
        ti = 2.0 * zr * zi + ci
        zr = jnp.where(live, tr, zr)
        zi = jnp.where(live, ti, zi)
        return zr, zi, live & (zr * zr + zi * zi <= 4.0)

    zeros = jnp.zeros(shape)
    _, _, live = lax.fori_loop(0, ITERATIONS, step, (zeros, zeros, jnp.ones(shape, dtype=bool)))
    return live


@jax.jit
def bitmap(cr, ci_blocks):
    """The packed rows for ci_blocks (blocks of rows, each row's ci) against every column's cr."""
    packed = lax.map(lambda ci: jnp.packbits(_inside(cr, ci), axis=1), ci_blocks)
    return packed.reshape(-1, packed.shape[-1])


def setup(n, data_path):
    return n


def run(n):
    inv = 2.0 / n
    axis = np.arange(n, dtype=np.float64) * inv
    block = max(1, min(n, BLOCK_PIXELS // n))
    blocks = -(-n // block)
    ci = np.full(blocks * block, -1.0)  # rows past the last are padding, dropped below
    ci[:n] = axis - 1.0
    rows = bitmap(jnp.asarray(axis - 1.5), jnp.asarray(ci.reshape(blocks, block)))
    return b"P4\n%d %d\n" % (n, n) + np.asarray(rows)[:n].tobytes()


def ladder_info():
    return {"backend": jax.default_backend(), "x64": bool(jax.config.jax_enable_x64), "fair": FAIR}
