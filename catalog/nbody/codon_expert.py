"""n-body, the `codon` rung's expert tier, compiled ahead of time by Codon into a CPython extension.

Follows EXPERT.md: one thread (five bodies leave nothing to share, so no `@par` here); the state as structure of
arrays in stack arrays (`__array__[float](5)`, which LLVM keeps in registers) with the body count a compile-time
constant; each step in phases: the ten pair separations, written out by `staticrange` over constant tuples of
pair indices; their magnitudes in one loop over the pairs; then the velocity updates in pair order and the
drift. ladder's expert build adds Codon's `-fast-math` outside the fair mode.

LLVM unrolls the ten-pair magnitude loop completely and Codon's pipeline leaves the ten independent sqrt and
division chains scalar (no SLP packing). Hiding the trip count so that the loop vectoriser runs (16 padded lanes,
sqrt and division in one 8-wide AVX-512 op each) was measured slower here: 32.5 ms against 29.5 ms of CPU time
at n = 500,000 (the study version: 38 ms), so the straight-line form is kept.

`setup` returns the step count and the flat initial state (35 floats: x, y, z, vx, vy, vz, mass per body), as the
study version does. The kernels are static methods of a class so that `-pyext` exports only `setup`, `run` and
`ladder_info`.
"""
from math import sqrt
import os

PI = 3.14159265358979323
SOLAR_MASS = 4.0 * PI * PI
DAYS_PER_YEAR = 365.24
DT = 0.01

NBODIES: Static[int] = 5
NPAIRS: Static[int] = 10
FIELDS: Static[int] = 7
# The pairs (i, j), i < j, in the plain program's order.
FIRST = (0, 0, 0, 0, 1, 1, 1, 2, 2, 3)
SECOND = (1, 2, 3, 4, 2, 3, 4, 3, 4, 4)

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


class Kernels:
    @staticmethod
    def energy(flat: list[float]) -> float:
        e = 0.0
        for i in range(NBODIES):
            b = i * FIELDS
            e += 0.5 * flat[b + 6] * (flat[b + 3] * flat[b + 3] + flat[b + 4] * flat[b + 4]
                                      + flat[b + 5] * flat[b + 5])
            for j in range(i + 1, NBODIES):
                c = j * FIELDS
                dx = flat[b] - flat[c]
                dy = flat[b + 1] - flat[c + 1]
                dz = flat[b + 2] - flat[c + 2]
                e -= flat[b + 6] * flat[c + 6] / sqrt(dx * dx + dy * dy + dz * dz)
        return e

    @staticmethod
    def advance(flat: list[float], steps: int, dt: float):
        x = __array__[float](NBODIES)
        y = __array__[float](NBODIES)
        z = __array__[float](NBODIES)
        vx = __array__[float](NBODIES)
        vy = __array__[float](NBODIES)
        vz = __array__[float](NBODIES)
        m = __array__[float](NBODIES)
        dx = __array__[float](NPAIRS)
        dy = __array__[float](NPAIRS)
        dz = __array__[float](NPAIRS)
        mag = __array__[float](NPAIRS)
        for b in range(NBODIES):
            x[b] = flat[b * FIELDS]
            y[b] = flat[b * FIELDS + 1]
            z[b] = flat[b * FIELDS + 2]
            vx[b] = flat[b * FIELDS + 3]
            vy[b] = flat[b * FIELDS + 4]
            vz[b] = flat[b * FIELDS + 5]
            m[b] = flat[b * FIELDS + 6]
        for _ in range(steps):
            for p in staticrange(NPAIRS):
                dx[p] = x[FIRST[p]] - x[SECOND[p]]
                dy[p] = y[FIRST[p]] - y[SECOND[p]]
                dz[p] = z[FIRST[p]] - z[SECOND[p]]
            for p in range(NPAIRS):
                d2 = dx[p] * dx[p] + dy[p] * dy[p] + dz[p] * dz[p]
                mag[p] = dt / (d2 * sqrt(d2))
            for p in staticrange(NPAIRS):
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
            flat[b * FIELDS] = x[b]
            flat[b * FIELDS + 1] = y[b]
            flat[b * FIELDS + 2] = z[b]
            flat[b * FIELDS + 3] = vx[b]
            flat[b * FIELDS + 4] = vy[b]
            flat[b * FIELDS + 5] = vz[b]


def setup(n: int, data_path: str) -> tuple[int, list[float]]:
    flat: list[float] = []
    for body in INITIAL:
        flat.extend([body[0], body[1], body[2], body[3] * DAYS_PER_YEAR, body[4] * DAYS_PER_YEAR,
                     body[5] * DAYS_PER_YEAR, body[6] * SOLAR_MASS])
    # offset momentum: the Sun moves so that the total momentum is zero
    for k in range(3):
        p = 0.0
        for i in range(0, len(flat), FIELDS):
            p += flat[i + 3 + k] * flat[i + 6]
        flat[3 + k] = -p / SOLAR_MASS
    return (n, flat)


def run(state: tuple[int, list[float]]) -> list[float]:
    n, flat = state
    if len(flat) != NBODIES * FIELDS:
        raise ValueError("n-body state must hold 5 bodies of 7 floats")
    before = Kernels.energy(flat)
    Kernels.advance(flat, n, DT)
    after = Kernels.energy(flat)
    return [before, after]


def ladder_info() -> dict[str, Union[int, bool, str]]:
    info: dict[str, Union[int, bool, str]] = {}
    info["simd"] = "none: the pair loops fully unrolled, scalar"
    info["threads"] = 1
    info["fast_math"] = os.getenv("LADDER_FAIR", "") != "1"
    return info
