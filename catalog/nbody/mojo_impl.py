"""n-body, the `mojo` rung: the simulation is nbody_mojo.mojo, a Mojo module imported from Python.

`import mojo.importer` (from the PyPI `mojo` package) lets Python import a `.mojo` file: on first import it runs
`mojo build --emit shared-lib` and caches the extension in `__mojocache__` beside the source, keyed by a hash of
it, so the compile shows in the import time of a machine's first run only. The Mojo side builds the Benchmarks
Game system, runs the steps and returns (energy before, energy after), like the Rust rung; built with Mojo's
defaults, which have no fast-math but do fuse a*b+c into FMAs (`--fp-mode contract=fast`); `mojo.importer` takes
no build flags, so `--fair` does not change this build (catalog/mandelbrot/mojo_impl.py shows the way around it).
"""
import mojo.importer  # noqa: F401  (installs the .mojo import hook)

import nbody_mojo


def setup(n, data_path):
    return n


def run(steps):
    before, after = nbody_mojo.nbody(steps)
    return [float(before), float(after)]


def ladder_info():
    return {"module": nbody_mojo.__file__}
