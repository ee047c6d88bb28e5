"""n-body, the `codon` rung: the plain program's algorithm with Codon's types, compiled ahead of time by Codon
(`codon build -release -pyext`) into a CPython extension that the worker imports like any other.

Each body is one list of seven floats (x, y, z, vx, vy, vz, mass), as in the plain program's lists, and the
pairs are walked in the same order. `setup` returns the step count and the flat initial state (35 floats); `run`
takes them back, so both cross the module's boundary as Python objects, as for every other rung.
"""
from math import sqrt

PI = 3.14159265358979323
SOLAR_MASS = 4.0 * PI * PI
DAYS_PER_YEAR = 365.24
DT = 0.01

# x, y, z (AU), vx, vy, vz (AU/day), mass (solar masses): Sun, Jupiter, Saturn, Uranus, Neptune
INITIAL = [
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


def energy(bodies: list[list[float]]) -> float:
    e = 0.0
    nb = len(bodies)
    for i in range(nb):
        b = bodies[i]
        e += 0.5 * b[6] * (b[3] * b[3] + b[4] * b[4] + b[5] * b[5])
    for i in range(nb):
        for j in range(i + 1, nb):
            b1 = bodies[i]
            b2 = bodies[j]
            dx = b1[0] - b2[0]
            dy = b1[1] - b2[1]
            dz = b1[2] - b2[2]
            e -= b1[6] * b2[6] / sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(bodies: list[list[float]], steps: int, dt: float):
    nb = len(bodies)
    for _ in range(steps):
        for i in range(nb):
            for j in range(i + 1, nb):
                b1 = bodies[i]
                b2 = bodies[j]
                dx = b1[0] - b2[0]
                dy = b1[1] - b2[1]
                dz = b1[2] - b2[2]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * sqrt(d2))
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


def setup(n: int, data_path: str) -> tuple[int, list[float]]:
    flat: list[float] = []
    for body in INITIAL:
        flat.extend([body[0], body[1], body[2], body[3] * DAYS_PER_YEAR, body[4] * DAYS_PER_YEAR,
                     body[5] * DAYS_PER_YEAR, body[6] * SOLAR_MASS])
    # offset momentum: the Sun moves so that the total momentum is zero
    for k in range(3):
        p = 0.0
        for i in range(0, len(flat), 7):
            p += flat[i + 3 + k] * flat[i + 6]
        flat[3 + k] = -p / SOLAR_MASS
    return (n, flat)


def run(state: tuple[int, list[float]]) -> list[float]:
    n, flat = state
    bodies = [flat[i:i + 7] for i in range(0, len(flat), 7)]
    before = energy(bodies)
    advance(bodies, n, DT)
    after = energy(bodies)
    return [before, after]
