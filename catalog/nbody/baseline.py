"""n-body, plain Python (the `cpython` and `pypy` rungs).

The Benchmarks Game n-body problem: a symplectic integrator for the Sun and the four
gas giants. Each body is a (position, velocity, mass) triple of plain lists and a float;
`run` prints nothing and returns [energy before, energy after] instead.
Runs unchanged on CPython 3.10+ and PyPy 3.9.
"""
import math
from itertools import combinations

PI = 3.14159265358979323
SOLAR_MASS = 4.0 * PI * PI
DAYS_PER_YEAR = 365.24
DT = 0.01


def _planet(x, y, z, vx, vy, vz, mass):
    velocity = [vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR, vz * DAYS_PER_YEAR]
    return ([x, y, z], velocity, mass * SOLAR_MASS)


def make_system():
    """The Sun and the four gas giants (Benchmarks Game initial conditions)."""
    sun = ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], SOLAR_MASS)
    jupiter = _planet(
        4.84143144246472090e00, -1.16032004402742839e00, -1.03622044471123109e-01,
        1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
        9.54791938424326609e-04,
    )
    saturn = _planet(
        8.34336671824457987e00, 4.12479856412430479e00, -4.03523417114321381e-01,
        -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
        2.85885980666130812e-04,
    )
    uranus = _planet(
        1.28943695621391310e01, -1.51111514016986312e01, -2.23307578892655734e-01,
        2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
        4.36624404335156298e-05,
    )
    neptune = _planet(
        1.53796971148509165e01, -2.59193146099879641e01, 1.79258772950371181e-01,
        2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
        5.15138902046611451e-05,
    )
    return [sun, jupiter, saturn, uranus, neptune]


def offset_momentum(bodies):
    """Give the Sun the velocity that makes the system's total momentum zero."""
    px = py = pz = 0.0
    for _, (vx, vy, vz), mass in bodies:
        px += vx * mass
        py += vy * mass
        pz += vz * mass
    sun_velocity = bodies[0][1]
    sun_velocity[0] = -px / SOLAR_MASS
    sun_velocity[1] = -py / SOLAR_MASS
    sun_velocity[2] = -pz / SOLAR_MASS


def energy(bodies):
    e = 0.0
    for _, (vx, vy, vz), mass in bodies:
        e += 0.5 * mass * (vx * vx + vy * vy + vz * vz)
    for ((x1, y1, z1), _, m1), ((x2, y2, z2), _, m2) in combinations(bodies, 2):
        dx = x1 - x2
        dy = y1 - y2
        dz = z1 - z2
        e -= m1 * m2 / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(bodies, steps, dt):
    pairs = list(combinations(bodies, 2))
    for _ in range(steps):
        for (r1, v1, m1), (r2, v2, m2) in pairs:
            dx = r1[0] - r2[0]
            dy = r1[1] - r2[1]
            dz = r1[2] - r2[2]
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * math.sqrt(d2))
            b1 = m1 * mag
            b2 = m2 * mag
            v1[0] -= dx * b2
            v1[1] -= dy * b2
            v1[2] -= dz * b2
            v2[0] += dx * b1
            v2[1] += dy * b1
            v2[2] += dz * b1
        for r, (vx, vy, vz), _ in bodies:
            r[0] += dt * vx
            r[1] += dt * vy
            r[2] += dt * vz


def setup(n, data_path):
    bodies = make_system()
    offset_momentum(bodies)
    return (n, bodies)


def run(state):
    n, bodies = state
    before = energy(bodies)
    advance(bodies, n, DT)
    after = energy(bodies)
    return [before, after]


if __name__ == "__main__":
    import sys

    result = run(setup(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, ""))
    print("%.9f\n%.9f" % tuple(result))
