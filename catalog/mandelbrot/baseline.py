"""mandelbrot, plain Python (the `cpython` and `pypy` rungs).

The Benchmarks Game problem: an n x n bitmap of the Mandelbrot set over [-1.5, 0.5] x [-1, 1]. Pixel (x, y) is
c = (2x/n - 1.5) + (2y/n - 1)i, and it is in the set when z -> z*z + c keeps |z|^2 <= 4 for 50 iterations.
`run` returns the P4 PBM file as bytes: its header, then eight pixels a byte, the leftmost in the high bit, each
row padded to whole bytes. Runs unchanged on CPython 3.10+ and PyPy 3.9.
"""


def mandelbrot(n):
    out = bytearray(b"P4\n%d %d\n" % (n, n))
    inv = 2.0 / n
    for y in range(n):
        ci = y * inv - 1.0
        bits = 0
        for x in range(n):
            cr = x * inv - 1.5
            zr = zi = 0.0
            inside = 1
            for _ in range(50):
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                if zr * zr + zi * zi > 4.0:
                    inside = 0
                    break
            bits = (bits << 1) | inside
            if x & 7 == 7:
                out.append(bits)
                bits = 0
        if n & 7:
            out.append(bits << (8 - (n & 7)))
    return bytes(out)


def setup(n, data_path):
    return n


def run(n):
    return mandelbrot(n)


if __name__ == "__main__":
    import sys

    sys.stdout.buffer.write(run(setup(int(sys.argv[1]) if len(sys.argv) > 1 else 200, "")))
