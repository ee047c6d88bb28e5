"""mandelbrot, the `mojo` rung: the bitmap is computed by mandelbrot_mojo.mojo, a Mojo module imported from Python.

Mojo contracts `a * b + c` into fused multiply-adds by default (`mojo build --fp-mode contract=fast`), and a
fused multiply-add changes the bit of some boundary pixels, so this benchmark's exact output needs the module
built with `--fp-mode contract=off`. `mojo.importer` (which the other Mojo rungs use) passes no build flags, so
this module runs the same `mojo build --emit shared-lib` itself, with that flag, through the `mojo` package's own
launcher, caches the extension in `__mojocache__` beside the source keyed by a hash of the source and the
flags (the compile shows in the import time of a machine's first run only), and imports it. Best effort and
`--fair` are the same build.

Python allocates the rows as a bytearray and passes its address; the Mojo kernel writes the packed pixels into
it (scalar, one thread) and Python adds the P4 header.
"""
import ctypes
import hashlib
import importlib.util
import os

from mojo.run import subprocess_run_mojo

_NAME = "mandelbrot_mojo"
_FLAGS = ["--fp-mode", "contract=off"]


def _load():
    here = os.path.dirname(os.path.abspath(__file__))
    source = os.path.join(here, _NAME + ".mojo")
    with open(source, "rb") as f:
        key = hashlib.sha256(f.read() + " ".join(_FLAGS).encode()).hexdigest()[:16]
    cache = os.path.join(here, "__mojocache__")
    lib = os.path.join(cache, "%s.%s.so" % (_NAME, key))
    if not os.path.isfile(lib):
        os.makedirs(cache, exist_ok=True)
        partial = lib + ".%d.tmp.so" % os.getpid()
        built = subprocess_run_mojo(
            ["build", source, "--emit", "shared-lib", *_FLAGS, "-o", partial], capture_output=True, text=True
        )
        if built.returncode != 0:
            raise ImportError("mojo build failed:\n" + built.stdout + built.stderr)
        os.replace(partial, lib)
    spec = importlib.util.spec_from_file_location(_NAME, lib)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mandelbrot_mojo = _load()


def setup(n, data_path):
    return n


def run(n):
    rows = bytearray(((n + 7) // 8) * n)
    view = (ctypes.c_char * len(rows)).from_buffer(rows)
    mandelbrot_mojo.mandelbrot(n, ctypes.addressof(view))
    del view  # release the buffer export before the bytearray is read
    return b"P4\n%d %d\n" % (n, n) + bytes(rows)


def ladder_info():
    return {"module": mandelbrot_mojo.__file__, "fp_mode": "contract=off"}
