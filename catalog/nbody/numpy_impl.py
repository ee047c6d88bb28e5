"""n-body, the `numpy` rung: every pair at once, as (5, 5, 3) arrays.

The study skipped NumPy for n-body; this is the version a NumPy user writes anyway. Each step computes all
body-to-body separations by broadcasting, the 5 x 5 matrix of dt / d^3 (the diagonal, a body with itself, is
zeroed), and the velocity change of every body as one contraction with the masses. It does each pair twice (i-j
and j-i) where the scalar rungs do it once, and each step is a dozen NumPy calls on tiny arrays, so per-call
overhead, not arithmetic, sets the pace: the point of this rung is to show that vectorising a 5-body sequential
time loop does not pay. The buffers are allocated once per run and reused with `out=` so the step loop allocates
nothing.
"""
import numpy as np

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


def energy(pos: np.ndarray, vel: np.ndarray, mass: np.ndarray) -> float:
    kinetic = 0.5 * np.dot(mass, np.einsum("ij,ij->i", vel, vel))
    i, j = np.triu_indices(len(mass), k=1)
    sep = pos[i] - pos[j]
    dist = np.sqrt(np.einsum("ij,ij->i", sep, sep))
    return float(kinetic - np.sum(mass[i] * mass[j] / dist))


def advance(pos: np.ndarray, vel: np.ndarray, mass: np.ndarray, steps: int, dt: float) -> None:
    nb = len(mass)
    sep = np.empty((nb, nb, 3))          # sep[i, j] = r_i - r_j
    d2 = np.empty((nb, nb))
    mag = np.empty((nb, nb))
    dv = np.empty((nb, 3))
    eye = np.eye(nb, dtype=bool)
    not_self = ~eye
    mass_row = mass[np.newaxis, :]
    for _ in range(steps):
        np.subtract(pos[:, np.newaxis, :], pos[np.newaxis, :, :], out=sep)
        np.einsum("ijk,ijk->ij", sep, sep, out=d2)
        d2[eye] = 1.0                    # a body and itself: any finite value, zeroed below
        np.sqrt(d2, out=mag)
        np.multiply(mag, d2, out=mag)
        np.divide(dt, mag, out=mag)      # dt / d^3
        np.multiply(mag, not_self, out=mag)
        np.multiply(mag, mass_row, out=mag)
        np.einsum("ijk,ij->ik", sep, mag, out=dv)
        vel -= dv
        pos += dt * vel


def setup(n, data_path):
    table = np.array(_BODIES, dtype=np.float64)
    pos = np.ascontiguousarray(table[:, 0:3])
    vel = np.ascontiguousarray(table[:, 3:6]) * DAYS_PER_YEAR
    mass = np.ascontiguousarray(table[:, 6]) * SOLAR_MASS
    # offset momentum: the Sun moves so that the total momentum is zero
    vel[0] = -(mass @ vel) / SOLAR_MASS
    return (n, pos, vel, mass)


def run(state):
    n, pos, vel, mass = state
    before = energy(pos, vel, mass)
    advance(pos, vel, mass, n, DT)
    after = energy(pos, vel, mass)
    return [before, after]
