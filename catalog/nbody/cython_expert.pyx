# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""n-body, the `cython` rung's expert tier.

Follows EXPERT.md: one thread (five bodies leave nothing to share, so no `prange` here); the state as
structure-of-arrays C locals with the body count a compile-time constant; each step in phases: the ten pair
separations into small C arrays, their magnitudes in one loop over the pairs that the C compiler vectorises,
then the velocity updates in pair order and the drift. ladder's expert build adds -ffast-math outside the fair
mode. All of it is a `nogil` C function on plain doubles; `cython -a` shows it white.
"""
import os

from libc.math cimport sqrt

cdef enum:
    NBODIES = 5
    NPAIRS = 10
    FIELDS = 7          # x, y, z, vx, vy, vz, mass

cdef double PI = 3.14159265358979323
cdef double SOLAR_MASS = 4.0 * PI * PI
cdef double DAYS_PER_YEAR = 365.24
cdef double DT = 0.01

# Sun, Jupiter, Saturn, Uranus, Neptune: x, y, z (AU), vx, vy, vz (AU/day), mass (solar masses)
BODIES = (
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


cdef class Bodies:
    """The system, row per body: x, y, z, vx, vy, vz, mass."""
    cdef double rows[NBODIES][FIELDS]
    cdef long long steps


cdef double energy(double (*rows)[FIELDS]) noexcept nogil:
    cdef double e = 0.0, dx, dy, dz
    cdef int i, j
    for i in range(NBODIES):
        e += 0.5 * rows[i][6] * (rows[i][3] * rows[i][3] + rows[i][4] * rows[i][4] + rows[i][5] * rows[i][5])
        for j in range(i + 1, NBODIES):
            dx = rows[i][0] - rows[j][0]
            dy = rows[i][1] - rows[j][1]
            dz = rows[i][2] - rows[j][2]
            e -= rows[i][6] * rows[j][6] / sqrt(dx * dx + dy * dy + dz * dz)
    return e


cdef void advance(double (*rows)[FIELDS], long long steps, double dt) noexcept nogil:
    cdef double x[NBODIES]
    cdef double y[NBODIES]
    cdef double z[NBODIES]
    cdef double vx[NBODIES]
    cdef double vy[NBODIES]
    cdef double vz[NBODIES]
    cdef double m[NBODIES]
    cdef double dx[NPAIRS]
    cdef double dy[NPAIRS]
    cdef double dz[NPAIRS]
    cdef double mag[NPAIRS]
    cdef int first[NPAIRS]
    cdef int second[NPAIRS]
    cdef int b, c, p, i, j
    cdef long long step
    cdef double d2, mi, mj
    p = 0
    for b in range(NBODIES):
        for c in range(b + 1, NBODIES):
            first[p] = b
            second[p] = c
            p += 1
    for b in range(NBODIES):
        x[b] = rows[b][0]; y[b] = rows[b][1]; z[b] = rows[b][2]
        vx[b] = rows[b][3]; vy[b] = rows[b][4]; vz[b] = rows[b][5]
        m[b] = rows[b][6]
    for step in range(steps):
        for p in range(NPAIRS):
            dx[p] = x[first[p]] - x[second[p]]
            dy[p] = y[first[p]] - y[second[p]]
            dz[p] = z[first[p]] - z[second[p]]
        for p in range(NPAIRS):
            d2 = dx[p] * dx[p] + dy[p] * dy[p] + dz[p] * dz[p]
            mag[p] = dt / (d2 * sqrt(d2))
        for p in range(NPAIRS):
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
        for b in range(NBODIES):
            x[b] += dt * vx[b]
            y[b] += dt * vy[b]
            z[b] += dt * vz[b]
    for b in range(NBODIES):
        rows[b][0] = x[b]; rows[b][1] = y[b]; rows[b][2] = z[b]
        rows[b][3] = vx[b]; rows[b][4] = vy[b]; rows[b][5] = vz[b]


def setup(long long n, data_path):
    cdef Bodies s = Bodies()
    cdef int b, k
    cdef double momentum
    for b in range(NBODIES):
        for k in range(FIELDS):
            s.rows[b][k] = BODIES[b][k]
        for k in range(3, 6):
            s.rows[b][k] *= DAYS_PER_YEAR
        s.rows[b][6] *= SOLAR_MASS
    for k in range(3, 6):
        momentum = 0.0
        for b in range(NBODIES):
            momentum += s.rows[b][k] * s.rows[b][6]
        s.rows[0][k] = -momentum / SOLAR_MASS
    s.steps = n
    return s


def run(Bodies s):
    cdef double before, after
    with nogil:
        before = energy(s.rows)
        advance(s.rows, s.steps, DT)
        after = energy(s.rows)
    return [before, after]


def ladder_info():
    return {"simd": "compiler-vectorised pair loops (-O3 -march=native)", "threads": 1,
            "fast_math": os.environ.get("LADDER_FAIR") != "1"}
