# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""mandelbrot, the `cython` rung: the bitmap computed into a bytearray by a `nogil` C loop on doubles.

The pixels' bits go straight into the bytearray's buffer (a typed memoryview), eight a byte; every variable is a
C double or int. The benchmark pins its output bits, so ladder builds it without FMA contraction (`exact_rounding`
in benchmark.toml), in both modes.
"""


cdef void _rows(int n, unsigned char[::1] out) noexcept nogil:
    cdef int row_bytes = (n + 7) // 8
    cdef double inv = 2.0 / n
    cdef int x, y, i, inside
    cdef unsigned char bits
    cdef double ci, cr, zr, zi, tr
    for y in range(n):
        ci = y * inv - 1.0
        bits = 0
        for x in range(n):
            cr = x * inv - 1.5
            zr = 0.0
            zi = 0.0
            inside = 1
            for i in range(50):
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


def setup(n, data_path):
    if n < 1:
        raise ValueError("mandelbrot takes n >= 1, not %d" % n)
    return n


def run(int n):
    header = b"P4\n%d %d\n" % (n, n)
    body = bytearray(((n + 7) // 8) * n)
    _rows(n, body)
    return header + bytes(body)
