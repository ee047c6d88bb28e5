# fannkuch-redux, the `mojo` rung's kernel: a Mojo module that Python imports (built by mojo.importer).
# The Benchmarks Game walk: every permutation of 0..n-1 in the benchmark's order (rotations counted down by a
# counter per position), each one flipped (its prefix reversed) until 0 is in front. Returns
# (checksum, max flips) as a Python tuple. Scalar integer code over Lists, one thread.
from std.os import abort
from std.python import PythonObject, Python
from std.python.bindings import PythonModuleBuilder


def count_flips(perm1: List[Int], mut perm: List[Int]) -> Int:
    """Copy perm1 into perm and reverse prefixes of perm until perm[0] is 0; return the reversals made."""
    for i in range(len(perm1)):
        perm[i] = perm1[i]
    var flips = 0
    var k = perm[0]
    while k != 0:
        var i = 0
        var j = k
        while i < j:
            var t = perm[i]
            perm[i] = perm[j]
            perm[j] = t
            i += 1
            j -= 1
        flips += 1
        k = perm[0]
    return flips


def fannkuch(n_obj: PythonObject) raises -> PythonObject:
    var n = Int(py=n_obj)
    var perm1 = List[Int](capacity=n)
    for i in range(n):
        perm1.append(i)
    var perm = List[Int](length=n, fill=0)
    var count = List[Int](length=n, fill=0)
    var checksum = 0
    var max_flips = 0
    var index = 0
    var r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        var flips = count_flips(perm1, perm)
        if flips > max_flips:
            max_flips = flips
        checksum += -flips if index & 1 else flips
        # The next permutation: rotate the first r+1 elements left until a counter is left.
        while True:
            if r == n:
                return Python.tuple(checksum, max_flips)
            var first = perm1[0]
            for i in range(r):
                perm1[i] = perm1[i + 1]
            perm1[r] = first
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        index += 1


@export
def PyInit_fannkuch_redux_mojo() abi("C") -> PythonObject:
    try:
        var m = PythonModuleBuilder("fannkuch_redux_mojo")
        m.def_function[fannkuch]("fannkuch", docstring="(checksum, max flips) over all permutations of 0..n-1")
        return m.finalize()
    except e:
        abort(String("failed to create module: ", e))
