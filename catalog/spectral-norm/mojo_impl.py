"""spectral-norm, the `mojo` rung: the computation is spectral_norm_mojo.mojo, a Mojo module imported from Python.

`import mojo.importer` (from the PyPI `mojo` package) lets Python import a `.mojo` file: on first import it runs
`mojo build --emit shared-lib` and caches the extension in `__mojocache__` beside the source, keyed by a hash of
it, so the compile shows in the import time of a machine's first run only. The Mojo side runs the ten power
iterations single-threaded and returns (norm, vBv, vv); built with Mojo's
defaults, which have no fast-math but do fuse a*b+c into FMAs (`--fp-mode contract=fast`); `mojo.importer` takes
no build flags, so `--fair` does not change this build (catalog/mandelbrot/mojo_impl.py shows the way around it).
"""
import mojo.importer  # noqa: F401  (installs the .mojo import hook)

import spectral_norm_mojo


def setup(n, data_path):
    return n


def run(n):
    norm, vbv, vv = spectral_norm_mojo.spectral_norm(n)
    return [float(norm), float(vbv), float(vv)]


def ladder_info():
    return {"module": spectral_norm_mojo.__file__}
