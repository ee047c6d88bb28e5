# spectral-norm, the `mojo` rung's kernel: a Mojo module that Python imports (built by mojo.importer).
# The Benchmarks Game program: ten power iterations of AᵀA, each mat-vec a plain double loop in the same order as
# the C reference; returns (norm, vBv, vv) as a Python tuple. Single-threaded, Mojo's defaults (no fast-math).
from std.math import sqrt
from std.os import abort
from std.python import PythonObject, Python
from std.python.bindings import PythonModuleBuilder


@always_inline
def eval_a(i: Int, j: Int) -> Float64:
    var ij = i + j
    return 1.0 / Float64(ij * (ij + 1) // 2 + i + 1)


def times_a(u: List[Float64], mut out: List[Float64]):
    var n = len(u)
    for i in range(n):
        var s = 0.0
        for j in range(n):
            s += eval_a(i, j) * u[j]
        out[i] = s


def times_at(u: List[Float64], mut out: List[Float64]):
    var n = len(u)
    for i in range(n):
        var s = 0.0
        for j in range(n):
            s += eval_a(j, i) * u[j]
        out[i] = s


def spectral_norm(n_obj: PythonObject) raises -> PythonObject:
    var n = Int(py=n_obj)
    var u = List[Float64](length=n, fill=1.0)
    var v = List[Float64](length=n, fill=0.0)
    var tmp = List[Float64](length=n, fill=0.0)
    for _ in range(10):
        times_a(u, tmp)
        times_at(tmp, v)
        times_a(v, tmp)
        times_at(tmp, u)
    var vbv = 0.0
    var vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return Python.tuple(sqrt(vbv / vv), vbv, vv)


@export
def PyInit_spectral_norm_mojo() abi("C") -> PythonObject:
    try:
        var m = PythonModuleBuilder("spectral_norm_mojo")
        m.def_function[spectral_norm]("spectral_norm", docstring="(norm, vBv, vv) for matrix order n")
        return m.finalize()
    except e:
        abort(String("failed to create module: ", e))
