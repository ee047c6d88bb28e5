"""Vectorizable example for `ladder advise`: element-wise arithmetic over lists of floats, what NumPy does in one
array operation per line."""

import math


def transform(xs, ys, out, n):
    for i in range(n):
        out[i] = 0.5 * xs[i] * xs[i] + 2.0 * ys[i] - math.sqrt(ys[i] + 1.0)


def energy(values):
    return math.fsum([v * v * 0.5 for v in values])


def main():
    n = 100_000
    xs = [i * 0.001 for i in range(n)]
    ys = [(n - i) * 0.002 for i in range(n)]
    out = [0.0] * n
    total = 0.0
    for _ in range(8):
        transform(xs, ys, out, n)
        total += energy(out)
    print(f"{total:.9e}")


if __name__ == "__main__":
    main()
