/* spectral-norm, the `c` rung: the Benchmarks Game algorithm in plain C99, called through ctypes.
 *
 * A(i, j) = 1 / ((i + j)(i + j + 1) / 2 + i + 1), computed on the fly (never stored).
 * Ten power iterations of v = AᵀA u, u = AᵀA v starting from u = 1, then
 * vBv = u·v, vv = v·v and the norm sqrt(vBv / vv).
 */
#include <math.h>
#include <stdlib.h>

static inline double eval_a(int i, int j)
{
    return 1.0 / (double)((i + j) * (i + j + 1) / 2 + i + 1);
}

/* out = A x */
static void mul_av(int n, const double *restrict x, double *restrict out)
{
    for (int i = 0; i < n; i++) {
        double sum = 0.0;
        for (int j = 0; j < n; j++)
            sum += eval_a(i, j) * x[j];
        out[i] = sum;
    }
}

/* out = Aᵀ x */
static void mul_atv(int n, const double *restrict x, double *restrict out)
{
    for (int i = 0; i < n; i++) {
        double sum = 0.0;
        for (int j = 0; j < n; j++)
            sum += eval_a(j, i) * x[j];
        out[i] = sum;
    }
}

/* out = AᵀA x, using tmp (n doubles) as scratch */
static void mul_atav(int n, const double *restrict x, double *restrict out, double *restrict tmp)
{
    mul_av(n, x, tmp);
    mul_atv(n, tmp, out);
}

/* Runs the whole benchmark for order n. Writes vBv and vv through the pointers and returns the
 * norm, or returns -1.0 if the work vectors cannot be allocated. */
double spectral_norm(int n, double *vbv_out, double *vv_out)
{
    double *u = malloc(sizeof(double) * (size_t)n);
    double *v = malloc(sizeof(double) * (size_t)n);
    double *tmp = malloc(sizeof(double) * (size_t)n);
    if (!u || !v || !tmp) {
        free(u); free(v); free(tmp);
        return -1.0;
    }
    for (int i = 0; i < n; i++)
        u[i] = 1.0;
    for (int k = 0; k < 10; k++) {
        mul_atav(n, u, v, tmp);
        mul_atav(n, v, u, tmp);
    }
    double vbv = 0.0, vv = 0.0;
    for (int i = 0; i < n; i++) {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    free(u); free(v); free(tmp);
    *vbv_out = vbv;
    *vv_out = vv;
    return sqrt(vbv / vv);
}
