"""spectral-norm, the `codon` rung: the whole computation in one function that Codon compiles
(codon-jit's @codon.jit) to native code; the annotations are Codon's types (int, float, list).

Codon compiles the function body once, on the first call, then calls native code: that cost
shows in the first-call time, as with Numba.
"""
import codon


@codon.jit
def _spectral(n: int) -> list[float]:
    u = [1.0] * n
    v = [0.0] * n
    tmp = [0.0] * n
    for _ in range(10):
        for step in range(2):
            src = u if step == 0 else v
            dst = v if step == 0 else u
            for i in range(n):
                s = 0.0
                for j in range(n):
                    ij = i + j
                    s += src[j] / float(ij * (ij + 1) // 2 + i + 1)
                tmp[i] = s
            for i in range(n):
                s = 0.0
                for j in range(n):
                    ij = j + i
                    s += tmp[j] / float(ij * (ij + 1) // 2 + j + 1)
                dst[i] = s
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return [(vbv / vv) ** 0.5, vbv, vv]


def setup(n, data_path):
    return n


def run(n):
    return _spectral(n)
