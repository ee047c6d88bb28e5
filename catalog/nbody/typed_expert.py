"""n-body, the `mypyc` rung's expert tier: fully annotated Python that mypyc compiles to C.

Written for mypyc as its experts would: each body is a native class with float attributes (compiled to a C struct
of unboxed doubles), every local is typed `float` or `int`, the pair loop is two index loops
over a `list[Body]` (no tuple unpacking, no iterator objects), and the distance uses
math.sqrt, which mypyc turns into a C call, instead of `** -1.5`.
"""
from __future__ import annotations

import math
from typing import List, Tuple

PI: float = 3.14159265358979323
SOLAR_MASS: float = 4.0 * PI * PI
DAYS_PER_YEAR: float = 365.24
DT: float = 0.01


class Body:
    x: float
    y: float
    z: float
    vx: float
    vy: float
    vz: float
    mass: float

    def __init__(
        self, x: float, y: float, z: float, vx: float, vy: float, vz: float, mass: float
    ) -> None:
        self.x = x
        self.y = y
        self.z = z
        self.vx = vx
        self.vy = vy
        self.vz = vz
        self.mass = mass


def planet(x: float, y: float, z: float, vx: float, vy: float, vz: float, mass: float) -> Body:
    return Body(
        x, y, z, vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR, vz * DAYS_PER_YEAR, mass * SOLAR_MASS
    )


def make_system() -> List[Body]:
    return [
        Body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS),
        planet(  # Jupiter
            4.84143144246472090e00, -1.16032004402742839e00, -1.03622044471123109e-01,
            1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
            9.54791938424326609e-04,
        ),
        planet(  # Saturn
            8.34336671824457987e00, 4.12479856412430479e00, -4.03523417114321381e-01,
            -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
            2.85885980666130812e-04,
        ),
        planet(  # Uranus
            1.28943695621391310e01, -1.51111514016986312e01, -2.23307578892655734e-01,
            2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
            4.36624404335156298e-05,
        ),
        planet(  # Neptune
            1.53796971148509165e01, -2.59193146099879641e01, 1.79258772950371181e-01,
            2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
            5.15138902046611451e-05,
        ),
    ]


def offset_momentum(bodies: List[Body]) -> None:
    px: float = 0.0
    py: float = 0.0
    pz: float = 0.0
    for b in bodies:
        px += b.vx * b.mass
        py += b.vy * b.mass
        pz += b.vz * b.mass
    sun: Body = bodies[0]
    sun.vx = -px / SOLAR_MASS
    sun.vy = -py / SOLAR_MASS
    sun.vz = -pz / SOLAR_MASS


def energy(bodies: List[Body]) -> float:
    e: float = 0.0
    nb: int = len(bodies)
    dx: float
    dy: float
    dz: float
    for i in range(nb):
        b1: Body = bodies[i]
        e += 0.5 * b1.mass * (b1.vx * b1.vx + b1.vy * b1.vy + b1.vz * b1.vz)
        for j in range(i + 1, nb):
            b2: Body = bodies[j]
            dx = b1.x - b2.x
            dy = b1.y - b2.y
            dz = b1.z - b2.z
            e -= b1.mass * b2.mass / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(bodies: List[Body], steps: int, dt: float) -> None:
    nb: int = len(bodies)
    i: int
    j: int
    dx: float
    dy: float
    dz: float
    d2: float
    mag: float
    m1: float
    m2: float
    b1: Body
    b2: Body
    for _ in range(steps):
        for i in range(nb):
            b1 = bodies[i]
            for j in range(i + 1, nb):
                b2 = bodies[j]
                dx = b1.x - b2.x
                dy = b1.y - b2.y
                dz = b1.z - b2.z
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * math.sqrt(d2))
                m1 = b1.mass * mag
                m2 = b2.mass * mag
                b1.vx -= dx * m2
                b1.vy -= dy * m2
                b1.vz -= dz * m2
                b2.vx += dx * m1
                b2.vy += dy * m1
                b2.vz += dz * m1
        for b1 in bodies:
            b1.x += dt * b1.vx
            b1.y += dt * b1.vy
            b1.z += dt * b1.vz


def setup(n: int, data_path: str) -> Tuple[int, List[Body]]:
    bodies = make_system()
    offset_momentum(bodies)
    return (n, bodies)


def run(state: Tuple[int, List[Body]]) -> List[float]:
    n, bodies = state
    before: float = energy(bodies)
    advance(bodies, n, DT)
    after: float = energy(bodies)
    return [before, after]
