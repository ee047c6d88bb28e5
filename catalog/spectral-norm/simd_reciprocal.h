/* spectral-norm: the vector operations EXPERT.md idea 3's reciprocal estimate needs, for the C-family expert files
 * (spectral_norm_expert.c, and cython_expert.pyx through `cdef extern`: Cython has no syntax of its own for
 * intrinsics, and no test of the target CPU that runs when the C is compiled). Both write the same loop with
 * these; the Rust kernel writes it with its own intrinsics (crates/ladder-kernels/src/spectral.rs).
 *
 * The estimate is used outside the fair mode only: ladder's expert builds get -ffast-math there (__FAST_MATH__),
 * and not under --fair, where VD_LANES is 0 and the callers divide.
 *  - AVX-512F: vrcp14pd (relative error below 2^-14), then one cubic refinement r(1 + e + e^2), e = 1 - d*r,
 *    which leaves an error below 2^-42.
 *  - AVX2 with FMA: rcpps on the denominators rounded to float, then two Newton steps r(1 + e) in double, which
 *    leave an error below 2^-45.
 *  - Otherwise VD_LANES is 0: the callers take their portable loop, with a true division per entry.
 */
#ifndef SPECTRAL_NORM_SIMD_RECIPROCAL_H
#define SPECTRAL_NORM_SIMD_RECIPROCAL_H

#if defined(__FAST_MATH__) && defined(__AVX512F__)
#include <immintrin.h>
#define VD_LANES 8
#define VD_RECIPROCAL "AVX-512 vrcp14pd estimate + one cubic refinement"
typedef __m512d vd;
static inline vd vd_set1(double a) { return _mm512_set1_pd(a); }
static inline vd vd_load(const double *p) { return _mm512_loadu_pd(p); }
static inline void vd_store(double *p, vd a) { _mm512_storeu_pd(p, a); }
static inline vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
static inline vd vd_fmadd(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }
static inline double vd_sum(vd a) { return _mm512_reduce_add_pd(a); }
static inline vd vd_reciprocal(vd d)
{
    const __m512d one = _mm512_set1_pd(1.0);
    __m512d r = _mm512_rcp14_pd(d);
    __m512d e = _mm512_fnmadd_pd(d, r, one);
    return _mm512_fmadd_pd(r, _mm512_fmadd_pd(e, e, e), r);
}

#elif defined(__FAST_MATH__) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define VD_LANES 4
#define VD_RECIPROCAL "rcpps estimate + two Newton steps in double (AVX2, FMA)"
typedef __m256d vd;
static inline vd vd_set1(double a) { return _mm256_set1_pd(a); }
static inline vd vd_load(const double *p) { return _mm256_loadu_pd(p); }
static inline void vd_store(double *p, vd a) { _mm256_storeu_pd(p, a); }
static inline vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
static inline vd vd_fmadd(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }
static inline double vd_sum(vd a)
{
    __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}
static inline vd vd_reciprocal(vd d)
{
    const __m256d one = _mm256_set1_pd(1.0);
    __m256d r = _mm256_cvtps_pd(_mm_rcp_ps(_mm256_cvtpd_ps(d)));
    r = _mm256_fmadd_pd(r, _mm256_fnmadd_pd(d, r, one), r);
    return _mm256_fmadd_pd(r, _mm256_fnmadd_pd(d, r, one), r);
}

#else
/* No estimate: VD_LANES 0 tells the callers to skip their vector loop. The operations below only let that loop
 * compile; they are never called. */
#define VD_LANES 0
#define VD_RECIPROCAL "true division"
typedef struct { double lane; } vd;
static inline vd vd_set1(double a) { vd v = {a}; return v; }
static inline vd vd_load(const double *p) { return vd_set1(*p); }
static inline void vd_store(double *p, vd a) { *p = a.lane; }
static inline vd vd_add(vd a, vd b) { return vd_set1(a.lane + b.lane); }
static inline vd vd_fmadd(vd a, vd b, vd c) { return vd_set1(a.lane * b.lane + c.lane); }
static inline double vd_sum(vd a) { return a.lane; }
static inline vd vd_reciprocal(vd d) { return vd_set1(1.0 / d.lane); }
#endif

#endif
