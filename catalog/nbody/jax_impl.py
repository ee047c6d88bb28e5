"""n-body, the `jax` rung: the simulation as one `jax.jit` function, the time loop a `lax.fori_loop`.

JAX has no scalar loops to compile, so the step is written the NumPy way (all pairs at once, as in the `numpy`
rung) and XLA compiles the whole loop, fusing each step's dozen array operations into a few kernels and running
the 500,000 steps without returning to Python. float64 is switched on before anything is traced (JAX's float32
default would fail the 9-decimal check). The step count is a traced argument, so every size shares one
compilation, kept in JAX's persistent cache under LADDER_CACHE_DIR.

Best effort and `--fair` are the same program: XLA's CPU backend uses no fast-math unless asked; in fair mode
(LADDER_FAIR=1) `--xla_cpu_enable_fast_math=false` is set explicitly anyway.
"""
import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")
FAIR = os.environ.get("LADDER_FAIR") == "1"
if FAIR:  # pin XLA's default (no fast-math) explicitly rather than trust it
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

PI = 3.14159265358979323
SOLAR_MASS = 4.0 * PI * PI
DAYS_PER_YEAR = 365.24
DT = 0.01

# x, y, z (AU), vx, vy, vz (AU/day), mass (solar masses): Sun, Jupiter, Saturn, Uranus, Neptune
_BODIES = (
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
    (4.84143144246472090e00, -1.16032004402742839e00, -1.03622044471123109e-01,
     1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
     9.54791938424326609e-04),
    (8.34336671824457987e00, 4.12479856412430479e00, -4.03523417114321381e-01,
     -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
     2.85885980666130812e-04),
    (1.28943695621391310e01, -1.51111514016986312e01, -2.23307578892655734e-01,
     2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
     4.36624404335156298e-05),
    (1.53796971148509165e01, -2.59193146099879641e01, 1.79258772950371181e-01,
     2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
     5.15138902046611451e-05),
)


def energy(pos, vel, mass):
    kinetic = 0.5 * jnp.sum(mass * jnp.sum(vel * vel, axis=1))
    i, j = np.triu_indices(mass.shape[0], k=1)
    sep = pos[i] - pos[j]
    return kinetic - jnp.sum(mass[i] * mass[j] / jnp.sqrt(jnp.sum(sep * sep, axis=1)))


def step(pos, vel, mass, dt):
    nb = mass.shape[0]
    sep = pos[:, None, :] - pos[None, :, :]          # sep[i, j] = r_i - r_j
    d2 = jnp.sum(sep * sep, axis=2)
    self_pair = jnp.eye(nb, dtype=bool)
    d2 = jnp.where(self_pair, 1.0, d2)                # a body and itself: finite, then zeroed
    mag = jnp.where(self_pair, 0.0, dt / (d2 * jnp.sqrt(d2))) * mass[None, :]
    vel = vel - jnp.sum(sep * mag[:, :, None], axis=1)
    return pos + dt * vel, vel


@jax.jit
def simulate(pos, vel, mass, steps, dt):
    before = energy(pos, vel, mass)
    pos, vel = lax.fori_loop(0, steps, lambda _, pv: step(pv[0], pv[1], mass, dt), (pos, vel))
    return before, energy(pos, vel, mass)


def setup(n, data_path):
    table = np.array(_BODIES, dtype=np.float64)
    vel = table[:, 3:6] * DAYS_PER_YEAR
    mass = table[:, 6] * SOLAR_MASS
    vel[0] = -(mass @ vel) / SOLAR_MASS  # offset momentum: total momentum zero
    return (n, jnp.asarray(table[:, 0:3]), jnp.asarray(vel), jnp.asarray(mass))


def run(state):
    n, pos, vel, mass = state
    before, after = simulate(pos, vel, mass, n, DT)
    return [float(before), float(after)]


def ladder_info():
    return {"backend": jax.default_backend(), "x64": bool(jax.config.jax_enable_x64), "fair": FAIR}
