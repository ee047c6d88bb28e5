# mandelbrot, the `mojo` rung's kernel: a Mojo module that Python imports (built by mojo_impl.py with
# `--fp-mode contract=off`). The Benchmarks Game bitmap: pixel (x, y) is c = (2x/n - 1.5) + (2y/n - 1)i, inside
# when 50 steps of z -> z*z + c keep |z|^2 <= 4. The rows are written, eight pixels a byte (leftmost in the high
# bit, rows padded), into a buffer the Python side owns and passes by address. Scalar code, one thread; every
# multiply and add must be rounded on its own (the output's bits depend on it), hence the build flag: Mojo's
# default contracts them into fused multiply-adds.
from std.os import abort
from std.python import PythonObject, Python
from std.python.bindings import PythonModuleBuilder

comptime ITERATIONS = 50


def rows(n: Int, buf: Pointer[UInt8, MutAnyOrigin]):
    var row_bytes = (n + 7) // 8
    var inv = 2.0 / Float64(n)
    for y in range(n):
        var ci = Float64(y) * inv - 1.0
        var bits = 0
        for x in range(n):
            var cr = Float64(x) * inv - 1.5
            var zr = 0.0
            var zi = 0.0
            var inside = 1
            for _ in range(ITERATIONS):
                var tr = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = tr
                if zr * zr + zi * zi > 4.0:
                    inside = 0
                    break
            bits = (bits << 1) | inside
            if x & 7 == 7:
                buf[unsafe_offset=y * row_bytes + (x >> 3)] = UInt8(bits)
                bits = 0
        if n & 7 != 0:
            buf[unsafe_offset=y * row_bytes + row_bytes - 1] = UInt8(bits << (8 - (n & 7)))


def mandelbrot(n_obj: PythonObject, addr_obj: PythonObject) raises -> PythonObject:
    """Fill the n * ceil(n/8) bytes at address addr with the bitmap's rows."""
    var n = Int(py=n_obj)
    rows(n, Pointer[UInt8, MutAnyOrigin](unsafe_from_address=Int(py=addr_obj)))
    return PythonObject(None)


@export
def PyInit_mandelbrot_mojo() abi("C") -> PythonObject:
    try:
        var m = PythonModuleBuilder("mandelbrot_mojo")
        m.def_function[mandelbrot]("mandelbrot", docstring="write the n x n bitmap's rows to the buffer at addr")
        return m.finalize()
    except e:
        abort(String("failed to create module: ", e))
