"""fannkuch-redux, the `c` rung: the permutation walk is fannkuch_redux.c, called through ctypes.

ladder compiles fannkuch_redux.c into libfannkuch_redux.so next to its copy of this module."""
import ctypes
import os

_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libfannkuch_redux.so"))
_lib.fannkuch.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_longlong), ctypes.POINTER(ctypes.c_int)]
_lib.fannkuch.restype = ctypes.c_int
_lib.fannkuch_max_n.restype = ctypes.c_int


def setup(n, data_path):
    if not 1 <= n <= _lib.fannkuch_max_n():
        raise ValueError("fannkuch-redux takes n from 1 to %d, not %d" % (_lib.fannkuch_max_n(), n))
    return n


def run(n):
    checksum = ctypes.c_longlong()
    max_flips = ctypes.c_int()
    if _lib.fannkuch(n, ctypes.byref(checksum), ctypes.byref(max_flips)) != 0:
        raise ValueError("fannkuch(%d) refused its n" % n)
    return [checksum.value, max_flips.value]
