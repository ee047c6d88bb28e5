"""mandelbrot, the `c` rung: the bitmap is computed by mandelbrot.c, called through ctypes into a buffer.

ladder compiles mandelbrot.c into libmandelbrot.so next to its copy of this module (without FMA contraction:
`exact_rounding` in benchmark.toml). `run` prefixes the P4 header to the rows C wrote."""
import ctypes
import os

_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libmandelbrot.so"))
_lib.mandelbrot_rows.argtypes = [ctypes.c_int, ctypes.c_char_p]
_lib.mandelbrot_rows.restype = ctypes.c_int


def setup(n, data_path):
    if n < 1:
        raise ValueError("mandelbrot takes n >= 1, not %d" % n)
    return n


def run(n):
    body = ctypes.create_string_buffer(((n + 7) // 8) * n)
    if _lib.mandelbrot_rows(n, body) != 0:
        raise ValueError("mandelbrot_rows(%d) refused its n" % n)
    return b"P4\n%d %d\n" % (n, n) + body.raw
