# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""n-body, the `cython` rung.

The system lives in a cdef class as fixed-size C arrays (structure of arrays, NBODIES known at
compile time) and the step loop is a `nogil` C function on plain doubles: sqrt from libc.math,
no `**`, cdivision so divides carry no zero check, and the pair loop is a plain nested loop
the C compiler can unroll (no precomputed pair index arrays). `cython -a` shows it white.
"""
from libc.math cimport sqrt

cdef enum:
    NBODIES = 5

cdef double PI = 3.14159265358979323
cdef double SOLAR_MASS = 4.0 * PI * PI
cdef double DAYS_PER_YEAR = 365.24
cdef double DT = 0.01

# Sun, Jupiter, Saturn, Uranus, Neptune; velocities in AU/day, masses in solar masses
INITIAL = (
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


cdef class System:
    cdef double x[NBODIES]
    cdef double y[NBODIES]
    cdef double z[NBODIES]
    cdef double vx[NBODIES]
    cdef double vy[NBODIES]
    cdef double vz[NBODIES]
    cdef double m[NBODIES]
    cdef readonly long long steps


cdef double energy(System s) noexcept nogil:
    cdef double e = 0.0, dx, dy, dz
    cdef int i, j
    for i in range(NBODIES):
        e += 0.5 * s.m[i] * (s.vx[i] * s.vx[i] + s.vy[i] * s.vy[i] + s.vz[i] * s.vz[i])
        for j in range(i + 1, NBODIES):
            dx = s.x[i] - s.x[j]
            dy = s.y[i] - s.y[j]
            dz = s.z[i] - s.z[j]
            e -= s.m[i] * s.m[j] / sqrt(dx * dx + dy * dy + dz * dz)
    return e


cdef void advance(double *x, double *y, double *z,
                  double *vx, double *vy, double *vz,
                  const double *m, long long steps, double dt) noexcept nogil:
    cdef long long step
    cdef int i, j
    cdef double dx, dy, dz, d2, mag, mi, mj
    for step in range(steps):
        for i in range(NBODIES):
            for j in range(i + 1, NBODIES):
                dx = x[i] - x[j]
                dy = y[i] - y[j]
                dz = z[i] - z[j]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * sqrt(d2))
                mi = m[i] * mag
                mj = m[j] * mag
                vx[i] -= dx * mj
                vy[i] -= dy * mj
                vz[i] -= dz * mj
                vx[j] += dx * mi
                vy[j] += dy * mi
                vz[j] += dz * mi
        for i in range(NBODIES):
            x[i] += dt * vx[i]
            y[i] += dt * vy[i]
            z[i] += dt * vz[i]


cdef void step_system(System s) noexcept nogil:
    # work on stack copies: fixed-size locals the compiler can keep in registers
    cdef double x[NBODIES]
    cdef double y[NBODIES]
    cdef double z[NBODIES]
    cdef double vx[NBODIES]
    cdef double vy[NBODIES]
    cdef double vz[NBODIES]
    cdef double m[NBODIES]
    cdef int i
    for i in range(NBODIES):
        x[i] = s.x[i]; y[i] = s.y[i]; z[i] = s.z[i]
        vx[i] = s.vx[i]; vy[i] = s.vy[i]; vz[i] = s.vz[i]
        m[i] = s.m[i]
    advance(x, y, z, vx, vy, vz, m, s.steps, DT)
    for i in range(NBODIES):
        s.x[i] = x[i]; s.y[i] = y[i]; s.z[i] = z[i]
        s.vx[i] = vx[i]; s.vy[i] = vy[i]; s.vz[i] = vz[i]


def setup(long long n, data_path):
    cdef System s = System()
    cdef int i
    cdef double px = 0.0, py = 0.0, pz = 0.0
    for i in range(NBODIES):
        s.x[i], s.y[i], s.z[i], s.vx[i], s.vy[i], s.vz[i], s.m[i] = INITIAL[i]
        s.vx[i] *= DAYS_PER_YEAR
        s.vy[i] *= DAYS_PER_YEAR
        s.vz[i] *= DAYS_PER_YEAR
        s.m[i] *= SOLAR_MASS
    for i in range(NBODIES):
        px += s.vx[i] * s.m[i]
        py += s.vy[i] * s.m[i]
        pz += s.vz[i] * s.m[i]
    s.vx[0] = -px / SOLAR_MASS
    s.vy[0] = -py / SOLAR_MASS
    s.vz[0] = -pz / SOLAR_MASS
    s.steps = n
    return s


def run(System s):
    cdef double before, after
    with nogil:
        before = energy(s)
        step_system(s)
        after = energy(s)
    return [before, after]
