"""Helper-called numeric loop for `ladder advise`: the arithmetic sits in a small function called from the loops,
the way the Benchmarks Game writes spectral-norm. The profiler charges the time to the helper, whose own body
has no loop; the loop that makes it hot is one frame out."""


def eval_a(i: int, j: int) -> float:
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def times_u(u: list[float]) -> list[float]:
    n = len(u)
    out = [0.0] * n
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * u[j]
        out[i] = s
    return out


def main() -> None:
    u = [1.0] * 400
    for _ in range(3):
        v = times_u(u)
        u = times_u(v)
    print(f"{sum(u):.9f}")


if __name__ == "__main__":
    main()
