"""n-body, the `rust` rung: the whole simulation is `ladder_kernels.nbody`, a PyO3 extension module built by
maturin from crates/ladder-kernels (src/nbody.rs). It builds the Benchmarks Game system itself and releases the
GIL while it runs; `run` returns [energy before, energy after].
"""
import ladder_kernels


def setup(n, data_path):
    return n


def run(steps):
    before, after = ladder_kernels.nbody(steps)
    return [before, after]
