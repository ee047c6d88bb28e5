"""n-body, the `pythran` rung's expert tier: a numeric kernel that Pythran compiles ahead of time to C++.

Follows EXPERT.md: one thread (five bodies leave nothing to share, so no `#omp` loop here); the state as
structure of arrays (x, y, z, vx, vy, vz, m: five float64 each) copied out of the (5, 7) state array before the
time loop and back after it; each step in phases: the ten pair separations from constant tuples of pair
indices, their magnitudes in one loop over the pair arrays (sqrt and division with no dependence between pairs,
for g++ to put in SIMD lanes), then the velocity updates in pair order and the drift. ladder's expert build
passes -ffast-math to the C++ compiler outside the fair mode.

g++ 12 (-O3 -march=native, AVX-512 host) leaves the ten magnitudes scalar, as it does in the C expert, so the
phases buy little here: measured at n = 500,000 (CPU time, median of 5, alternated), 28.6 ms with -ffast-math against the study
version's 27.7 ms (built without it), and 30.2 ms against 33.5 ms in the fair mode.

The state crosses the module's boundary as in the study version: `setup` returns (n, bodies) with bodies a (5, 7)
float64 array (x y z vx vy vz mass per row), and `run` returns (energy before, energy after).
"""
import numpy as np

#pythran export setup(int, str)
#pythran export run((int, float64[:, :]))
#pythran export ladder_info()

PI = 3.14159265358979323
SOLAR_MASS = 4.0 * PI * PI
DAYS_PER_YEAR = 365.24
DT = 0.01
NBODIES = 5
NPAIRS = 10
# The pairs (i, j), i < j, in the plain program's order.
FIRST = (0, 0, 0, 0, 1, 1, 1, 2, 2, 3)
SECOND = (1, 2, 3, 4, 2, 3, 4, 3, 4, 4)


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
    for i in range(NBODIES):
        px += bodies[i, 3] * bodies[i, 6]
        py += bodies[i, 4] * bodies[i, 6]
        pz += bodies[i, 5] * bodies[i, 6]
    bodies[0, 3] = -px / SOLAR_MASS
    bodies[0, 4] = -py / SOLAR_MASS
    bodies[0, 5] = -pz / SOLAR_MASS


def energy(bodies):
    e = 0.0
    for i in range(NBODIES):
        vx = bodies[i, 3]
        vy = bodies[i, 4]
        vz = bodies[i, 5]
        e += 0.5 * bodies[i, 6] * (vx * vx + vy * vy + vz * vz)
        for j in range(i + 1, NBODIES):
            dx = bodies[i, 0] - bodies[j, 0]
            dy = bodies[i, 1] - bodies[j, 1]
            dz = bodies[i, 2] - bodies[j, 2]
            e -= bodies[i, 6] * bodies[j, 6] / np.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(bodies, steps, dt):
    x = np.empty(NBODIES)
    y = np.empty(NBODIES)
    z = np.empty(NBODIES)
    vx = np.empty(NBODIES)
    vy = np.empty(NBODIES)
    vz = np.empty(NBODIES)
    m = np.empty(NBODIES)
    dx = np.empty(NPAIRS)
    dy = np.empty(NPAIRS)
    dz = np.empty(NPAIRS)
    mag = np.empty(NPAIRS)
    for b in range(NBODIES):
        x[b] = bodies[b, 0]
        y[b] = bodies[b, 1]
        z[b] = bodies[b, 2]
        vx[b] = bodies[b, 3]
        vy[b] = bodies[b, 4]
        vz[b] = bodies[b, 5]
        m[b] = bodies[b, 6]
    for _ in range(steps):
        for p in range(NPAIRS):
            dx[p] = x[FIRST[p]] - x[SECOND[p]]
            dy[p] = y[FIRST[p]] - y[SECOND[p]]
            dz[p] = z[FIRST[p]] - z[SECOND[p]]
        for p in range(NPAIRS):
            d2 = dx[p] * dx[p] + dy[p] * dy[p] + dz[p] * dz[p]
            mag[p] = dt / (d2 * np.sqrt(d2))
        for p in range(NPAIRS):
            i = FIRST[p]
            j = SECOND[p]
            mi = m[i] * mag[p]
            mj = m[j] * mag[p]
            vx[i] -= dx[p] * mj
            vy[i] -= dy[p] * mj
            vz[i] -= dz[p] * mj
            vx[j] += dx[p] * mi
            vy[j] += dy[p] * mi
            vz[j] += dz[p] * mi
        for b in range(NBODIES):
            x[b] += dt * vx[b]
            y[b] += dt * vy[b]
            z[b] += dt * vz[b]
    for b in range(NBODIES):
        bodies[b, 0] = x[b]
        bodies[b, 1] = y[b]
        bodies[b, 2] = z[b]
        bodies[b, 3] = vx[b]
        bodies[b, 4] = vy[b]
        bodies[b, 5] = vz[b]


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


def ladder_info():
    return {"threads": 1}
