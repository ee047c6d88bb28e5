"""Many small objects for `ladder advise`: two million small instances kept alive at once, each with its own
attribute dict, so the heap is millions of objects that every full collection walks."""


class Particle:
    def __init__(self, x: float, y: float) -> None:
        self.x = x
        self.y = y


def main() -> None:
    particles = [Particle(i * 0.5, i * 0.25) for i in range(2_000_000)]
    print(len(particles), round(sum(p.x for p in particles[::1000]), 3))


if __name__ == "__main__":
    main()
