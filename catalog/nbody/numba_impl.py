"""n-body, the `numba` rung: @njit(cache=True) kernels over NumPy arrays.

State: positions (5, 3), velocities (5, 3) and masses (5,) as float64 arrays. The kernels are
plain scalar loops (Numba compiles them through LLVM); the step loop reads each body into
scalars so the inner pair loop touches no array bounds logic it does not need.
"""
import math

import numpy as np
import numba
from numba import njit

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


@njit(cache=True)
def energy(pos, vel, mass):
    nb = mass.shape[0]
    e = 0.0
    for i in range(nb):
        e += 0.5 * mass[i] * (vel[i, 0] * vel[i, 0] + vel[i, 1] * vel[i, 1] + vel[i, 2] * vel[i, 2])
        for j in range(i + 1, nb):
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            dz = pos[i, 2] - pos[j, 2]
            e -= mass[i] * mass[j] / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


@njit(cache=True)
def advance(pos, vel, mass, steps, dt):
    nb = mass.shape[0]
    for _ in range(steps):
        for i in range(nb):
            xi = pos[i, 0]
            yi = pos[i, 1]
            zi = pos[i, 2]
            mi = mass[i]
            for j in range(i + 1, nb):
                dx = xi - pos[j, 0]
                dy = yi - pos[j, 1]
                dz = zi - pos[j, 2]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * math.sqrt(d2))
                bi = mi * mag
                bj = mass[j] * mag
                vel[i, 0] -= dx * bj
                vel[i, 1] -= dy * bj
                vel[i, 2] -= dz * bj
                vel[j, 0] += dx * bi
                vel[j, 1] += dy * bi
                vel[j, 2] += dz * bi
        for i in range(nb):
            pos[i, 0] += dt * vel[i, 0]
            pos[i, 1] += dt * vel[i, 1]
            pos[i, 2] += dt * vel[i, 2]


def setup(n, data_path):
    table = np.array(_BODIES, dtype=np.float64)
    pos = np.ascontiguousarray(table[:, 0:3])
    vel = np.ascontiguousarray(table[:, 3:6]) * DAYS_PER_YEAR
    mass = np.ascontiguousarray(table[:, 6]) * SOLAR_MASS
    # offset momentum: the Sun moves so that the total momentum is zero
    for k in range(3):
        p = 0.0
        for i in range(len(mass)):
            p += vel[i, k] * mass[i]
        vel[0, k] = -p / SOLAR_MASS
    return (n, pos, vel, mass)


def run(state):
    n, pos, vel, mass = state
    before = energy(pos, vel, mass)
    advance(pos, vel, mass, n, DT)
    after = energy(pos, vel, mass)
    return [float(before), float(after)]


def ladder_info():
    # Numba's default, fastmath=False, in both modes: LLVM keeps IEEE semantics and contracts no FMAs, so this
    # rung needs nothing under `ladder run --fair`.
    return {"fastmath": False, "numba": numba.__version__}
