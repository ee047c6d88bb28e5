/* spectral-norm, the `c` rung's expert tier: C99 + OpenMP, called through ctypes.
 *
 * Uses every idea of EXPERT.md:
 *  1. Each product out = AᵀA x runs over tiles of TILE_ROWS rows of A: a tile's entries are computed once into
 *     a per-thread buffer (TILE_ROWS × n doubles, L2-resident) and used twice, for the tile's dot products
 *     t[r] = A(i0+r, ·) · x and for out += Σ_r t[r] A(i0+r, ·).
 *  2. One OpenMP team per call. Thread p of P owns tiles floor(T·p/P) .. floor(T·(p+1)/P)-1 and a partial
 *     vector; after a barrier the partials are added in thread order (the team splits that sum over ranges of
 *     j), so the result depends on P only. Waiting is OpenMP's: ladder sets OMP_WAIT_POLICY=passive.
 *  3. The j loops are SIMD: denominators in float64 (exact integers), dot products in LANES interleaved
 *     partial sums written out here, so the compiler vectorises them without fast-math (fair mode included).
 *     Outside the fair mode, on a CPU with AVX-512F or AVX2+FMA, 1/d is the hardware reciprocal estimate refined
 *     by FMA steps (simd_reciprocal.h; gcc does not use one for a double-precision division even under
 *     -ffast-math), in one fused loop per row like the Rust kernel's; otherwise every entry is a true division.
 *  4. -ffast-math comes from ladder's expert build outside the fair mode.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#include "simd_reciprocal.h"

#define TILE_ROWS 8
#define MIN_TILES_PER_THREAD 8
#define LANES 8
#define ALIGN 64

static double *alloc_doubles(size_t count)
{
    size_t bytes = (count * sizeof(double) + ALIGN - 1) / ALIGN * ALIGN;
    return aligned_alloc(ALIGN, bytes ? bytes : ALIGN);
}

/* Row i of A into row[0 .. n) with the reciprocal estimate (VD_LANES > 0), returning row · x. Two vectors of
 * denominators advance by exact additions (from column j to j + W, W = 2·VD_LANES, d grows by W·s + W(W+1)/2
 * with s = i + j, and that step by W²); each vector's reciprocals are stored and multiplied into its own partial
 * sum, two independent chains. The columns after the last whole step are divided. */
static double estimated_row(int n, int i, const double *restrict x, double *restrict row)
{
    const int w = 2 * VD_LANES;
    const double fi = (double)i;
    double first[16], step[16];
    for (int k = 0; k < w; k++) {
        double s = fi + k;
        first[k] = s * (s + 1.0) * 0.5 + fi + 1.0;
        step[k] = w * s + w * (w + 1) * 0.5;
    }
    vd d0 = vd_load(first), d1 = vd_load(first + VD_LANES);
    vd step0 = vd_load(step), step1 = vd_load(step + VD_LANES);
    const vd grow = vd_set1((double)w * w);
    vd acc0 = vd_set1(0.0), acc1 = vd_set1(0.0);
    int j = 0;
    for (; j + w <= n; j += w) {
        vd a0 = vd_reciprocal(d0), a1 = vd_reciprocal(d1);
        vd_store(row + j, a0);
        vd_store(row + j + VD_LANES, a1);
        acc0 = vd_fmadd(vd_load(x + j), a0, acc0);
        acc1 = vd_fmadd(vd_load(x + j + VD_LANES), a1, acc1);
        d0 = vd_add(d0, step0);
        d1 = vd_add(d1, step1);
        step0 = vd_add(step0, grow);
        step1 = vd_add(step1, grow);
    }
    double dot = vd_sum(vd_add(acc0, acc1));
    for (; j < n; j++) {
        double s = fi + (double)j;
        row[j] = 1.0 / (s * (s + 1.0) * 0.5 + fi + 1.0);
        dot += row[j] * x[j];
    }
    return dot;
}

/* Row i of A into row[0 .. n), returning row · x. Outside the estimate, the entries are written first (an
 * elementwise loop with a division each), then summed in LANES interleaved partial sums: each loop vectorises on
 * its own, without fast-math. */
static double fill_row(int n, int i, const double *restrict x, double *restrict row)
{
    if (VD_LANES)
        return estimated_row(n, i, x, row);
    const double fi = (double)i;
    for (int j = 0; j < n; j++) {
        double s = fi + (double)j;
        row[j] = 1.0 / (s * (s + 1.0) * 0.5 + fi + 1.0);
    }
    double acc[LANES] = {0.0};
    int j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int k = 0; k < LANES; k++)
            acc[k] += row[j + k] * x[j + k];
    double dot = 0.0;
    for (; j < n; j++)
        dot += row[j] * x[j];
    for (int k = 0; k < LANES; k++)
        dot += acc[k];
    return dot;
}

/* Adds the contribution of rows first .. first+count-1 of A to out: Σ_r (A(r, ·) · x) A(r, ·). */
static void tile(int n, int first, int count, const double *restrict x, double *restrict entries,
                 double *restrict out)
{
    double t[TILE_ROWS];
    for (int r = 0; r < count; r++)
        t[r] = fill_row(n, first + r, x, entries + (size_t)r * n);
    if (count == TILE_ROWS) {
        const double *e0 = entries, *e1 = e0 + n, *e2 = e1 + n, *e3 = e2 + n;
        const double *e4 = e3 + n, *e5 = e4 + n, *e6 = e5 + n, *e7 = e6 + n;
        for (int j = 0; j < n; j++)
            out[j] += t[0] * e0[j] + t[1] * e1[j] + t[2] * e2[j] + t[3] * e3[j]
                    + t[4] * e4[j] + t[5] * e5[j] + t[6] * e6[j] + t[7] * e7[j];
    } else {
        for (int r = 0; r < count; r++) {
            const double *e = entries + (size_t)r * n;
            for (int j = 0; j < n; j++)
                out[j] += t[r] * e[j];
        }
    }
}

static int team_size(int n)
{
    int tiles = (n + TILE_ROWS - 1) / TILE_ROWS;
    int most = tiles / MIN_TILES_PER_THREAD;
    int threads = omp_get_max_threads();
    if (threads > most)
        threads = most;
    return threads < 1 ? 1 : threads;
}

int spectral_norm_threads(int n) { return team_size(n); }

const char *spectral_norm_reciprocal(void) { return VD_RECIPROCAL; }

/* Runs the whole benchmark for order n. Writes vBv and vv through the pointers and returns the norm, or -1.0
 * if the work memory cannot be allocated. */
double spectral_norm(int n, double *vbv_out, double *vv_out)
{
    const int size = team_size(n);
    const int tiles = (n + TILE_ROWS - 1) / TILE_ROWS;
    double *u = alloc_doubles((size_t)n);
    double *v = alloc_doubles((size_t)n);
    double *partials = alloc_doubles((size_t)size * n);
    double *entries = alloc_doubles((size_t)size * TILE_ROWS * n);
    if (!u || !v || !partials || !entries) {
        free(u); free(v); free(partials); free(entries);
        return -1.0;
    }
    for (int i = 0; i < n; i++)
        u[i] = 1.0;

    #pragma omp parallel num_threads(size)
    {
        /* The runtime may give fewer threads than asked: tiles go by the team actually formed. */
        const int team = omp_get_num_threads();
        const int p = omp_get_thread_num();
        const int first = tiles * p / team, last = tiles * (p + 1) / team;
        double *mine = partials + (size_t)p * n;
        double *buffer = entries + (size_t)p * TILE_ROWS * n;
        for (int k = 0; k < 20; k++) {
            const double *x = (k % 2 == 0) ? u : v;
            double *out = (k % 2 == 0) ? v : u;
            memset(mine, 0, sizeof(double) * (size_t)n);
            for (int t = first; t < last; t++) {
                int row = t * TILE_ROWS;
                int count = n - row < TILE_ROWS ? n - row : TILE_ROWS;
                tile(n, row, count, x, buffer, mine);
            }
            #pragma omp barrier
            #pragma omp for schedule(static)
            for (int j = 0; j < n; j++) {
                double s = partials[j];
                for (int q = 1; q < team; q++)
                    s += partials[(size_t)q * n + j];
                out[j] = s;
            }
            /* the implicit barrier of `omp for`: out is complete before the next product reads it */
        }
    }

    double vbv = 0.0, vv = 0.0;
    for (int i = 0; i < n; i++) {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    free(u); free(v); free(partials); free(entries);
    *vbv_out = vbv;
    *vv_out = vv;
    return sqrt(vbv / vv);
}
