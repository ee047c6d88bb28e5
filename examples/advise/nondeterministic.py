"""A deliberately nondeterministic program, for `ladder climb`: the order of a set of strings depends on the
per-process hash seed (PYTHONHASHSEED), so two runs print different lines. `climb` must report such output as
differing, never as a speedup."""


def work(n):
    total = 0
    for i in range(n):
        total += (i * i) % 7
    return total


def main():
    names = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"}
    print(work(300_000))
    print(" ".join(names))


if __name__ == "__main__":
    main()
