"""mandelbrot, the `numba` rung: the bitmap computed into a NumPy uint8 array by one @njit(cache=True)
function, compiled by Numba through LLVM on the first call (that cost shows in the first-call time). Numba
does not fuse multiplies and adds unless fastmath is on, so it computes the pinned bits."""
import numpy as np
from numba import njit


@njit(cache=True)
def _rows(n):
    row_bytes = (n + 7) // 8
    out = np.zeros(row_bytes * n, dtype=np.uint8)
    inv = 2.0 / n
    for y in range(n):
        ci = y * inv - 1.0
        bits = 0
        for x in range(n):
            cr = x * inv - 1.5
            zr = 0.0
            zi = 0.0
            inside = 1
            for _ in range(50):
                tr = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = tr
                if zr * zr + zi * zi > 4.0:
                    inside = 0
                    break
            bits = (bits << 1) | inside
            if x & 7 == 7:
                out[y * row_bytes + (x >> 3)] = bits
                bits = 0
        if n & 7:
            out[y * row_bytes + row_bytes - 1] = bits << (8 - (n & 7))
    return out


def setup(n, data_path):
    return n


def run(n):
    return b"P4\n%d %d\n" % (n, n) + _rows(n).tobytes()
