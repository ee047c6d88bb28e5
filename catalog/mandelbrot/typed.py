"""mandelbrot, the `mypyc` rung: the plain algorithm, fully annotated, for mypyc to compile to C.

Every local is a `float` (an unboxed C double in mypyc's C) or an `int`; the iteration updates two floats
instead of unpacking a tuple, and the bytes are collected in a bytearray.
"""


def mandelbrot(n: int) -> bytes:
    out = bytearray(b"P4\n%d %d\n" % (n, n))
    inv: float = 2.0 / n
    for y in range(n):
        ci: float = y * inv - 1.0
        bits = 0
        for x in range(n):
            cr: float = x * inv - 1.5
            zr: float = 0.0
            zi: float = 0.0
            inside = 1
            for _ in range(50):
                tr: float = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = tr
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


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> bytes:
    return mandelbrot(n)
