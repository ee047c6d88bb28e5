"""mandelbrot, the `numpy` rung: every pixel at once, as NumPy arrays.

The whole n x n grid of c values is one complex array; each of the 50 iterations updates the points that have
not escaped yet (a boolean mask), using separate real and imaginary float64 arrays so every multiply and add is
rounded as in the plain program. The mask is packed eight pixels a byte by np.packbits (the leftmost pixel in
the high bit, rows padded), which is the P4 layout.
"""
import numpy as np


def mandelbrot(n):
    axis = np.arange(n, dtype=np.float64) * (2.0 / n)
    cr = np.broadcast_to(axis - 1.5, (n, n)).copy()
    ci = np.broadcast_to((axis - 1.0)[:, None], (n, n)).copy()
    zr = np.zeros((n, n))
    zi = np.zeros((n, n))
    inside = np.ones((n, n), dtype=bool)
    live = np.ones((n, n), dtype=bool)
    for _ in range(50):
        r = zr[live]
        i = zi[live]
        tr = r * r - i * i + cr[live]
        ti = 2.0 * r * i + ci[live]
        zr[live] = tr
        zi[live] = ti
        escaped = tr * tr + ti * ti > 4.0
        idx = np.flatnonzero(live)
        inside.flat[idx[escaped]] = False
        live.flat[idx[escaped]] = False
    return b"P4\n%d %d\n" % (n, n) + np.packbits(inside, axis=1).tobytes()


def setup(n, data_path):
    return n


def run(n):
    return mandelbrot(n)
