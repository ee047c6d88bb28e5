"""mandelbrot, the `codon` rung: the plain algorithm with Codon's types, compiled ahead of time by Codon
(`codon build -release -pyext`) into a CPython extension. Codon has no `bytes` type, so the rows are built as a
list of byte values and `_pbm`, a `@python` function (run by CPython, with the list converted once), makes the
PBM bytes. ladder builds it with `--fp-contract=off` (`exact_rounding` in benchmark.toml), so every multiply and
add is rounded on its own, as the pinned bitmap needs."""


def rows(n: int) -> list[int]:
    out: list[int] = []
    inv = 2.0 / float(n)
    for y in range(n):
        ci = float(y) * inv - 1.0
        bits = 0
        for x in range(n):
            cr = float(x) * inv - 1.5
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
                out.append(bits)
                bits = 0
        if n & 7:
            out.append((bits << (8 - (n & 7))) & 255)
    return out


@python
def _pbm(n: int, body: list[int]) -> pyobj:
    return b"P4\n%d %d\n" % (n, n) + bytes(body)


def setup(n: int, data_path: str) -> int:
    return n


def run(n: int) -> pyobj:
    return _pbm(n, rows(n))
