# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""spectral-norm, the `cython` rung.

The whole computation runs without the GIL on malloc'd C arrays: A(i, j) is an inline C
function on C ints, the mat-vec loops are plain C loops, and cdivision(True) means the
divide carries no zero check. `cython -a` shows the kernels white.
"""
from libc.math cimport sqrt
from libc.stdlib cimport malloc, free


cdef inline double eval_a(int i, int j) noexcept nogil:
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


cdef void times_a(int n, const double *u, double *out) noexcept nogil:
    """out = A u"""
    cdef int i, j
    cdef double s
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * u[j]
        out[i] = s


cdef void times_at(int n, const double *u, double *out) noexcept nogil:
    """out = Aᵀ u"""
    cdef int i, j
    cdef double s
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * u[j]
        out[i] = s


cdef void times_ata(int n, const double *u, double *out, double *tmp) noexcept nogil:
    times_a(n, u, tmp)
    times_at(n, tmp, out)


def setup(int n, data_path):
    return n


def run(int n):
    cdef double *u = <double *> malloc(n * sizeof(double))
    cdef double *v = <double *> malloc(n * sizeof(double))
    cdef double *tmp = <double *> malloc(n * sizeof(double))
    cdef double vbv = 0.0, vv = 0.0
    cdef int i, k
    if u == NULL or v == NULL or tmp == NULL:
        free(u)
        free(v)
        free(tmp)
        raise MemoryError()
    try:
        with nogil:
            for i in range(n):
                u[i] = 1.0
            for k in range(10):
                times_ata(n, u, v, tmp)
                times_ata(n, v, u, tmp)
            for i in range(n):
                vbv += u[i] * v[i]
                vv += v[i] * v[i]
    finally:
        free(u)
        free(v)
        free(tmp)
    return [sqrt(vbv / vv), vbv, vv]
