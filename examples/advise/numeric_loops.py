"""CPU-bound example for `ladder advise`: pairwise float arithmetic in nested loops over lists (n-body style)."""

import math


def simulate(steps: int, n: int) -> float:
    xs = [float(i) for i in range(n)]
    vs = [0.0] * n
    for _ in range(steps):
        for i in range(n):
            for j in range(i + 1, n):
                d = xs[i] - xs[j]
                f = 0.001 / (d * d + 1.0)
                vs[i] -= d * f
                vs[j] += d * f
        for i in range(n):
            xs[i] += 0.01 * vs[i]
    return math.fsum(xs)


if __name__ == "__main__":
    print(f"{simulate(300, 120):.9f}")
