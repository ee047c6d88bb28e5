"""n-body, the `mypyc` rung's study tier: the plain program with type annotations, compiled by mypyc.

This is the study's level of effort for mypyc: the Benchmarks Game data layout kept as it is (each body a list
[x, y, z, vx, vy, vz, mass] of floats, the ten pairs precomputed as a list of body pairs), with every local
annotated so mypyc can use C doubles for the arithmetic, and math.sqrt for the distance. The floats still live
boxed inside Python lists, so every read and write of a coordinate goes through a list; typed_expert.py (the
expert tier) replaces the lists with a native class.
"""
from __future__ import annotations

import math
from typing import List, Tuple

PI: float = 3.14159265358979323
SOLAR_MASS: float = 4.0 * PI * PI
DAYS_PER_YEAR: float = 365.24
DT: float = 0.01

# x, y, z (AU), vx, vy, vz (AU/day), mass (solar masses): Sun, Jupiter, Saturn, Uranus, Neptune
_BODIES: List[List[float]] = [
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
]


def make_system() -> List[List[float]]:
    bodies: List[List[float]] = []
    for row in _BODIES:
        bodies.append([row[0], row[1], row[2],
                       row[3] * DAYS_PER_YEAR, row[4] * DAYS_PER_YEAR, row[5] * DAYS_PER_YEAR,
                       row[6] * SOLAR_MASS])
    return bodies


def pairs_of(bodies: List[List[float]]) -> List[Tuple[List[float], List[float]]]:
    pairs: List[Tuple[List[float], List[float]]] = []
    i: int
    j: int
    for i in range(len(bodies)):
        for j in range(i + 1, len(bodies)):
            pairs.append((bodies[i], bodies[j]))
    return pairs


def offset_momentum(bodies: List[List[float]]) -> None:
    px: float = 0.0
    py: float = 0.0
    pz: float = 0.0
    for b in bodies:
        px += b[3] * b[6]
        py += b[4] * b[6]
        pz += b[5] * b[6]
    sun: List[float] = bodies[0]
    sun[3] = -px / SOLAR_MASS
    sun[4] = -py / SOLAR_MASS
    sun[5] = -pz / SOLAR_MASS


def energy(bodies: List[List[float]], pairs: List[Tuple[List[float], List[float]]]) -> float:
    e: float = 0.0
    dx: float
    dy: float
    dz: float
    for b in bodies:
        e += 0.5 * b[6] * (b[3] * b[3] + b[4] * b[4] + b[5] * b[5])
    for b1, b2 in pairs:
        dx = b1[0] - b2[0]
        dy = b1[1] - b2[1]
        dz = b1[2] - b2[2]
        e -= b1[6] * b2[6] / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(bodies: List[List[float]], pairs: List[Tuple[List[float], List[float]]],
            steps: int, dt: float) -> None:
    dx: float
    dy: float
    dz: float
    d2: float
    mag: float
    m1: float
    m2: float
    _: int
    for _ in range(steps):
        for b1, b2 in pairs:
            dx = b1[0] - b2[0]
            dy = b1[1] - b2[1]
            dz = b1[2] - b2[2]
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * math.sqrt(d2))
            m1 = b1[6] * mag
            m2 = b2[6] * mag
            b1[3] -= dx * m2
            b1[4] -= dy * m2
            b1[5] -= dz * m2
            b2[3] += dx * m1
            b2[4] += dy * m1
            b2[5] += dz * m1
        for b in bodies:
            b[0] += dt * b[3]
            b[1] += dt * b[4]
            b[2] += dt * b[5]


def setup(n: int, data_path: str) -> Tuple[int, List[List[float]]]:
    bodies = make_system()
    offset_momentum(bodies)
    return (n, bodies)


def run(state: Tuple[int, List[List[float]]]) -> List[float]:
    n, bodies = state
    pairs = pairs_of(bodies)
    before: float = energy(bodies, pairs)
    advance(bodies, pairs, n, DT)
    after: float = energy(bodies, pairs)
    return [before, after]
