"""n-body, the `c` rung's expert tier: the time-stepping loop is nbody_expert.c, called through ctypes.

ladder compiles nbody_expert.c into libnbody_expert.so next to its copy of this module (-ffast-math outside the
fair mode). The C file follows EXPERT.md: one thread, structure-of-arrays locals, the ten pair separations and
magnitudes two pairs per SSE2 vector (packed sqrt and division), then velocity updates in pair order and the
drift; its header comment says why the vectors are explicit. `setup`
builds the Benchmarks Game system and offsets its momentum (not timed) into a flat ctypes array of
5 x (x, y, z, vx, vy, vz, mass) doubles; `run` hands that array to C.
"""
import ctypes
import os

PI = 3.14159265358979323
SOLAR_MASS = 4.0 * PI * PI
DAYS_PER_YEAR = 365.24
DT = 0.01
STRIDE = 7

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

_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libnbody_expert.so"))
_lib.nbody_count.argtypes = []
_lib.nbody_count.restype = ctypes.c_int
_lib.nbody_energy.argtypes = [ctypes.POINTER(ctypes.c_double)]
_lib.nbody_energy.restype = ctypes.c_double
_lib.nbody_advance.argtypes = [ctypes.POINTER(ctypes.c_double), ctypes.c_longlong, ctypes.c_double]
_lib.nbody_advance.restype = None

if _lib.nbody_count() != len(_BODIES):
    raise ImportError("libnbody_expert.so was built for a different number of bodies")


def setup(n, data_path):
    flat = []
    for x, y, z, vx, vy, vz, mass in _BODIES:
        flat += [x, y, z, vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR, vz * DAYS_PER_YEAR, mass * SOLAR_MASS]
    # offset momentum: the Sun moves so that the total momentum is zero
    for k in range(3):
        p = sum(flat[i + 3 + k] * flat[i + 6] for i in range(0, len(flat), STRIDE))
        flat[3 + k] = -p / SOLAR_MASS
    state = (ctypes.c_double * len(flat))(*flat)
    return (n, state)


def run(state):
    n, bodies = state
    before = _lib.nbody_energy(bodies)
    _lib.nbody_advance(bodies, n, DT)
    after = _lib.nbody_energy(bodies)
    return [before, after]


def ladder_info():
    return {"simd": "sse2 pairs (GCC vector extensions)", "threads": 1,
            "fast_math": os.environ.get("LADDER_FAIR") != "1"}
