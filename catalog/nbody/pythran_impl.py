"""n-body, the `pythran` rung: a numeric kernel that Pythran compiles ahead of time to C++.

Written for Pythran: the state is one (5, 7) float64 array (x y z vx vy vz mass per row) so
Pythran sees contiguous doubles with known types; the pair loop is plain indexed loops, which
Pythran turns into C++ loops over unboxed doubles; `#pythran export` lines give the
signatures the compiled module exposes to Python. `run` returns a tuple, which the worker
reports as [energy before, energy after].
"""
import numpy as np

#pythran export setup(int, str)
#pythran export run((int, float64[:, :]))

PI = 3.14159265358979323
SOLAR_MASS = 4.0 * PI * PI
DAYS_PER_YEAR = 365.24
DT = 0.01


def make_system():
    bodies = np.array(
        [
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
    )
    # Velocities are given in AU/day and masses in solar masses: scale as the reference does.
    for i in range(1, 5):
        for k in range(3, 6):
            bodies[i, k] = bodies[i, k] * DAYS_PER_YEAR
    for i in range(5):
        bodies[i, 6] = bodies[i, 6] * SOLAR_MASS
    return bodies


def offset_momentum(bodies):
    px = 0.0
    py = 0.0
    pz = 0.0
    for i in range(bodies.shape[0]):
        px += bodies[i, 3] * bodies[i, 6]
        py += bodies[i, 4] * bodies[i, 6]
        pz += bodies[i, 5] * bodies[i, 6]
    bodies[0, 3] = -px / SOLAR_MASS
    bodies[0, 4] = -py / SOLAR_MASS
    bodies[0, 5] = -pz / SOLAR_MASS


def energy(bodies):
    nb = bodies.shape[0]
    e = 0.0
    for i in range(nb):
        vx = bodies[i, 3]
        vy = bodies[i, 4]
        vz = bodies[i, 5]
        e += 0.5 * bodies[i, 6] * (vx * vx + vy * vy + vz * vz)
    for i in range(nb):
        for j in range(i + 1, nb):
            dx = bodies[i, 0] - bodies[j, 0]
            dy = bodies[i, 1] - bodies[j, 1]
            dz = bodies[i, 2] - bodies[j, 2]
            e -= bodies[i, 6] * bodies[j, 6] / np.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(bodies, steps, dt):
    nb = bodies.shape[0]
    for _ in range(steps):
        for i in range(nb):
            for j in range(i + 1, nb):
                dx = bodies[i, 0] - bodies[j, 0]
                dy = bodies[i, 1] - bodies[j, 1]
                dz = bodies[i, 2] - bodies[j, 2]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * np.sqrt(d2))
                b1 = bodies[i, 6] * mag
                b2 = bodies[j, 6] * mag
                bodies[i, 3] -= dx * b2
                bodies[i, 4] -= dy * b2
                bodies[i, 5] -= dz * b2
                bodies[j, 3] += dx * b1
                bodies[j, 4] += dy * b1
                bodies[j, 5] += dz * b1
        for i in range(nb):
            bodies[i, 0] += dt * bodies[i, 3]
            bodies[i, 1] += dt * bodies[i, 4]
            bodies[i, 2] += dt * bodies[i, 5]


def setup(n, data_path):
    bodies = make_system()
    offset_momentum(bodies)
    return (n, bodies)


def run(state):
    n, bodies = state
    before = energy(bodies)
    advance(bodies, n, DT)
    after = energy(bodies)
    return (before, after)
