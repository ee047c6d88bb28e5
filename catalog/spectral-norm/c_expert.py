"""spectral-norm, the `c` rung's expert tier: spectral_norm_expert.c (C99 + OpenMP), called through ctypes.

ladder compiles spectral_norm_expert.c into libspectral_norm_expert.so next to its copy of this module, with
-fopenmp and, outside the fair mode, -ffast-math. The C file uses all of EXPERT.md: tiles of 8 rows of A whose
entries serve both halves of a product, OpenMP threads over fixed contiguous tile ranges with partial sums added
in thread order, SIMD over j (interleaved partial sums written in the source), and outside the fair mode the
hardware reciprocal estimate refined by FMA steps (simd_reciprocal.h) and the compiler's fast-math.
"""
import ctypes
import os

_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libspectral_norm_expert.so"))
_lib.spectral_norm.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double)]
_lib.spectral_norm.restype = ctypes.c_double
_lib.spectral_norm_threads.argtypes = [ctypes.c_int]
_lib.spectral_norm_threads.restype = ctypes.c_int
_lib.spectral_norm_reciprocal.restype = ctypes.c_char_p

_last_n = [0]


def setup(n, data_path):
    return n


def run(n):
    _last_n[0] = n
    vbv = ctypes.c_double()
    vv = ctypes.c_double()
    norm = _lib.spectral_norm(n, ctypes.byref(vbv), ctypes.byref(vv))
    if norm < 0.0:
        raise MemoryError("spectral_norm: cannot allocate work memory for n=%d" % n)
    return [norm, vbv.value, vv.value]


def ladder_info():
    return {
        "simd": "compiler-vectorised j loops (-O3 -march=native), 1/d: "
        + _lib.spectral_norm_reciprocal().decode("ascii"),
        "threads": _lib.spectral_norm_threads(_last_n[0] or 1),
        "fast_math": os.environ.get("LADDER_FAIR") != "1",
    }
