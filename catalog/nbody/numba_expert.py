"""n-body, the `numba` rung's expert tier: @njit kernels with fastmath outside the fair mode.

Follows EXPERT.md: one thread (five bodies leave nothing for `prange`: `parallel=True` would only add a thread
hand-off per step); the state as separate float64 arrays per coordinate (structure of arrays); each step in
phases: the ten pair separations into small arrays (pair index tables are constants), their magnitudes in one
loop over the pairs that LLVM can vectorise, then the velocity updates in pair order and the drift.
`fastmath=True` unless LADDER_FAIR=1.

Numba's on-disk cache does not key on `fastmath`; ladder gives each floating-point mode its own NUMBA_CACHE_DIR,
so a fair run never loads code compiled with fast-math.
"""
import math
import os

import numpy as np
import numba
from numba import njit

FAIR = os.environ.get("LADDER_FAIR") == "1"

PI = 3.14159265358979323
SOLAR_MASS = 4.0 * PI * PI
DAYS_PER_YEAR = 365.24
DT = 0.01

# x, y, z (AU), vx, vy, vz (AU/day), mass (solar masses): Sun, Jupiter, Saturn, Uranus, Neptune
BODIES = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
    [4.84143144246472090e00, -1.16032004402742839e00, -1.03622044471123109e-01,
     1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
     9.54791938424326609e-04],
    [8.34336671824457987e00, 4.12479856412430479e00, -4.03523417114321381e-01,
     -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
     2.85885980666130812e-04],
    [1.28943695621391310e01, -1.51111514016986312e01, -2.23307578892655734e-01,
     2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
     4.36624404335156298e-05],
    [1.53796971148509165e01, -2.59193146099879641e01, 1.79258772950371181e-01,
     2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
     5.15138902046611451e-05],
])
# the ten pairs (i, j), i < j, in EXPERT.md's order
FIRST = (0, 0, 0, 0, 1, 1, 1, 2, 2, 3)
SECOND = (1, 2, 3, 4, 2, 3, 4, 3, 4, 4)

kernel = njit(fastmath=not FAIR, cache=True)


@kernel
def energy(x, y, z, vx, vy, vz, m):
    e = 0.0
    for i in range(5):
        e += 0.5 * m[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i])
        for j in range(i + 1, 5):
            dx = x[i] - x[j]
            dy = y[i] - y[j]
            dz = z[i] - z[j]
            e -= m[i] * m[j] / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


@kernel
def advance(state, steps, dt):
    """Advances the columns x, y, z, vx, vy, vz (rows 0-5 of `state`; row 6 is the masses) by `steps` steps."""
    first = FIRST
    second = SECOND
    # local copies: LLVM keeps them in registers, where it must assume the caller's arrays may alias
    x = state[0].copy()
    y = state[1].copy()
    z = state[2].copy()
    vx = state[3].copy()
    vy = state[4].copy()
    vz = state[5].copy()
    m = state[6].copy()
    dx = np.empty(10)
    dy = np.empty(10)
    dz = np.empty(10)
    mag = np.empty(10)
    for _ in range(steps):
        for p in range(10):
            dx[p] = x[first[p]] - x[second[p]]
            dy[p] = y[first[p]] - y[second[p]]
            dz[p] = z[first[p]] - z[second[p]]
        for p in range(10):
            d2 = dx[p] * dx[p] + dy[p] * dy[p] + dz[p] * dz[p]
            mag[p] = dt / (d2 * math.sqrt(d2))
        for p in range(10):
            i = first[p]
            j = second[p]
            mi = m[i] * mag[p]
            mj = m[j] * mag[p]
            vx[i] -= dx[p] * mj
            vy[i] -= dy[p] * mj
            vz[i] -= dz[p] * mj
            vx[j] += dx[p] * mi
            vy[j] += dy[p] * mi
            vz[j] += dz[p] * mi
        for i in range(5):
            x[i] += dt * vx[i]
            y[i] += dt * vy[i]
            z[i] += dt * vz[i]
    for i in range(5):
        state[0, i] = x[i]
        state[1, i] = y[i]
        state[2, i] = z[i]
        state[3, i] = vx[i]
        state[4, i] = vy[i]
        state[5, i] = vz[i]


@kernel
def simulate(state, steps):
    before = energy(state[0], state[1], state[2], state[3], state[4], state[5], state[6])
    advance(state, steps, DT)
    return before, energy(state[0], state[1], state[2], state[3], state[4], state[5], state[6])


def setup(n, data_path):
    b = BODIES.copy()
    b[:, 3:6] *= DAYS_PER_YEAR
    b[:, 6] *= SOLAR_MASS
    for k in range(3, 6):
        b[0, k] = -sum(float(b[i, k] * b[i, 6]) for i in range(5)) / SOLAR_MASS
    return n, np.ascontiguousarray(b.T)     # row k: field k of the five bodies


def run(state):
    n, columns = state
    before, after = simulate(columns, n)
    return [float(before), float(after)]


def ladder_info():
    return {"simd": "LLVM-vectorised pair loop", "threads": 1, "fastmath": not FAIR, "numba": numba.__version__}
