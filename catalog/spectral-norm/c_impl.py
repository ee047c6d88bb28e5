"""spectral-norm, the `c` rung: the whole computation is spectral_norm.c, called through ctypes.

ladder compiles spectral_norm.c into libspectral_norm.so next to its copy of this module.
"""
import ctypes
import os

_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libspectral_norm.so"))
_lib.spectral_norm.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double)]
_lib.spectral_norm.restype = ctypes.c_double


def setup(n, data_path):
    return n


def run(n):
    vbv = ctypes.c_double()
    vv = ctypes.c_double()
    norm = _lib.spectral_norm(n, ctypes.byref(vbv), ctypes.byref(vv))
    if norm < 0.0:
        raise MemoryError("spectral_norm: cannot allocate work vectors for n=%d" % n)
    return [norm, vbv.value, vv.value]
