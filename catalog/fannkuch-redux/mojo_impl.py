"""fannkuch-redux, the `mojo` rung: the permutation walk is fannkuch_redux_mojo.mojo, a Mojo module imported
from Python.

`import mojo.importer` (from the PyPI `mojo` package) lets Python import a `.mojo` file: on first import it runs
`mojo build --emit shared-lib` and caches the extension in `__mojocache__` beside the source, keyed by a hash of
it, so the compile shows in the import time of a machine's first run only. The Mojo side walks all n!
permutations with scalar integer code on one thread and returns (checksum, max flips); integer work, so there is
no floating-point mode to choose and best effort and `--fair` are the same build.
"""
import mojo.importer  # noqa: F401  (installs the .mojo import hook)

import fannkuch_redux_mojo


def setup(n, data_path):
    return n


def run(n):
    checksum, max_flips = fannkuch_redux_mojo.fannkuch(n)
    return [int(checksum), int(max_flips)]


def ladder_info():
    return {"module": fannkuch_redux_mojo.__file__}
