"""O(n^2) membership test for `ladder advise`: `x in seen` on a list inside the loop scans the list every time.
A set makes each test O(1); no runtime change does."""


def unique_in_order(values: list[int]) -> list[int]:
    seen = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


def main() -> None:
    values = [(i * 7919) % 6000 for i in range(20_000)]
    print(len(unique_in_order(values)))


if __name__ == "__main__":
    main()
