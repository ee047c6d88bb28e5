# n-body, the `mojo` rung's kernel: a Mojo module that Python imports (built by mojo.importer).
# The Benchmarks Game system is built here, advanced `steps` times with dt = 0.01, and its energy before and after
# is returned as a Python tuple. Scalar code over flat lists; Mojo compiles it through LLVM with its defaults.
from std.math import sqrt
from std.os import abort
from std.python import PythonObject, Python
from std.python.bindings import PythonModuleBuilder

comptime PI = 3.14159265358979323
comptime SOLAR_MASS = 4.0 * PI * PI
comptime DAYS_PER_YEAR = 365.24
comptime NB = 5


def energy(pos: List[Float64], vel: List[Float64], mass: List[Float64]) -> Float64:
    var e = 0.0
    for i in range(NB):
        var vx = vel[3 * i]
        var vy = vel[3 * i + 1]
        var vz = vel[3 * i + 2]
        e += 0.5 * mass[i] * (vx * vx + vy * vy + vz * vz)
        for j in range(i + 1, NB):
            var dx = pos[3 * i] - pos[3 * j]
            var dy = pos[3 * i + 1] - pos[3 * j + 1]
            var dz = pos[3 * i + 2] - pos[3 * j + 2]
            e -= mass[i] * mass[j] / sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(mut pos: List[Float64], mut vel: List[Float64], mass: List[Float64], steps: Int, dt: Float64):
    for _ in range(steps):
        for i in range(NB):
            for j in range(i + 1, NB):
                var dx = pos[3 * i] - pos[3 * j]
                var dy = pos[3 * i + 1] - pos[3 * j + 1]
                var dz = pos[3 * i + 2] - pos[3 * j + 2]
                var d2 = dx * dx + dy * dy + dz * dz
                var mag = dt / (d2 * sqrt(d2))
                var bi = mass[i] * mag
                var bj = mass[j] * mag
                vel[3 * i] -= dx * bj
                vel[3 * i + 1] -= dy * bj
                vel[3 * i + 2] -= dz * bj
                vel[3 * j] += dx * bi
                vel[3 * j + 1] += dy * bi
                vel[3 * j + 2] += dz * bi
        for i in range(NB):
            pos[3 * i] += dt * vel[3 * i]
            pos[3 * i + 1] += dt * vel[3 * i + 1]
            pos[3 * i + 2] += dt * vel[3 * i + 2]


def nbody(steps_obj: PythonObject) raises -> PythonObject:
    var steps = Int(py=steps_obj)
    # x, y, z (AU), vx, vy, vz (AU/day), mass (solar masses): Sun, Jupiter, Saturn, Uranus, Neptune
    var table: List[Float64] = [
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0,
        4.84143144246472090e00, -1.16032004402742839e00, -1.03622044471123109e-01,
        1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
        9.54791938424326609e-04,
        8.34336671824457987e00, 4.12479856412430479e00, -4.03523417114321381e-01,
        -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
        2.85885980666130812e-04,
        1.28943695621391310e01, -1.51111514016986312e01, -2.23307578892655734e-01,
        2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
        4.36624404335156298e-05,
        1.53796971148509165e01, -2.59193146099879641e01, 1.79258772950371181e-01,
        2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
        5.15138902046611451e-05,
    ]
    var pos = List[Float64](length=3 * NB, fill=0.0)
    var vel = List[Float64](length=3 * NB, fill=0.0)
    var mass = List[Float64](length=NB, fill=0.0)
    for i in range(NB):
        for k in range(3):
            pos[3 * i + k] = table[7 * i + k]
            vel[3 * i + k] = table[7 * i + 3 + k] * DAYS_PER_YEAR
        mass[i] = table[7 * i + 6] * SOLAR_MASS
    # offset momentum: the Sun moves so that the total momentum is zero
    for k in range(3):
        var p = 0.0
        for i in range(NB):
            p += vel[3 * i + k] * mass[i]
        vel[k] = -p / SOLAR_MASS
    var before = energy(pos, vel, mass)
    advance(pos, vel, mass, steps, 0.01)
    var after = energy(pos, vel, mass)
    return Python.tuple(before, after)


@export
def PyInit_nbody_mojo() abi("C") -> PythonObject:
    try:
        var m = PythonModuleBuilder("nbody_mojo")
        m.def_function[nbody]("nbody", docstring="[energy before, energy after] of n steps")
        return m.finalize()
    except e:
        abort(String("failed to create module: ", e))
