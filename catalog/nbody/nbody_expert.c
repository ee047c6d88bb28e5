/* n-body, the `c` rung's expert tier: C99 with GCC vector extensions, called through ctypes.
 *
 * Uses EXPERT.md's ideas: one thread; the state as structure-of-arrays locals with a compile-time body count;
 * each step in phases: the ten pair separations, their magnitudes two pairs per SSE2 vector (packed sqrt and
 * division), then the velocity updates in pair order and the drift; -ffast-math from ladder's expert build
 * outside the fair mode.
 *
 * Why explicit two-lane vectors and unroll pragmas: GCC 12 at -O3 either keeps the ten-pair loops rolled, with
 * the velocities and positions in stack slots (every update a store-forwarding round trip), or unrolls them
 * and then scalarises the ten square roots and divisions (no SLP across sqrt calls); a padded `omp simd` mag
 * loop vectorises but stalls on scalar stores feeding wide loads. Measured (CPU time, 500,000 steps, best of 7):
 * plain loops 30 ms, padded 12-lane `omp simd` 24-26 ms, this code 20.5 ms, the Rust expert 21 ms on the same
 * host. Two lanes are what LLVM picks for the Rust kernel too (see crates/ladder-kernels/src/nbody.rs).
 *
 * State layout shared with c_expert.py: NBODIES rows of 7 doubles, row-major: x, y, z, vx, vy, vz, mass.
 */
#include <math.h>
#include <emmintrin.h>     /* SSE2, the x86-64 baseline: _mm_sqrt_pd */

#define NBODIES 5
#define NPAIRS (NBODIES * (NBODIES - 1) / 2)
#define STRIDE 7
#define NVEC (NPAIRS / 2)      /* pairs 2k and 2k+1 share vector k */

typedef double v2d __attribute__((vector_size(16)));

static const int pair_i[NPAIRS] = {0, 0, 0, 0, 1, 1, 1, 2, 2, 3};
static const int pair_j[NPAIRS] = {1, 2, 3, 4, 2, 3, 4, 3, 4, 4};

int nbody_count(void) { return NBODIES; }

double nbody_energy(const double *state)
{
    double e = 0.0;
    for (int i = 0; i < NBODIES; i++) {
        const double *b = state + i * STRIDE;
        e += 0.5 * b[6] * (b[3] * b[3] + b[4] * b[4] + b[5] * b[5]);
        for (int j = i + 1; j < NBODIES; j++) {
            const double *c = state + j * STRIDE;
            double dx = b[0] - c[0];
            double dy = b[1] - c[1];
            double dz = b[2] - c[2];
            e -= (b[6] * c[6]) / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

void nbody_advance(double *state, long long steps, double dt)
{
    double x[NBODIES], y[NBODIES], z[NBODIES];
    double vx[NBODIES], vy[NBODIES], vz[NBODIES], m[NBODIES];

    for (int i = 0; i < NBODIES; i++) {
        const double *b = state + i * STRIDE;
        x[i] = b[0]; y[i] = b[1]; z[i] = b[2];
        vx[i] = b[3]; vy[i] = b[4]; vz[i] = b[5];
        m[i] = b[6];
    }

    for (long long s = 0; s < steps; s++) {
        v2d dx[NVEC], dy[NVEC], dz[NVEC], mag[NVEC];
#pragma GCC unroll 8
        for (int k = 0; k < NVEC; k++) {
            int i0 = pair_i[2 * k], j0 = pair_j[2 * k], i1 = pair_i[2 * k + 1], j1 = pair_j[2 * k + 1];
            dx[k] = (v2d){x[i0] - x[j0], x[i1] - x[j1]};
            dy[k] = (v2d){y[i0] - y[j0], y[i1] - y[j1]};
            dz[k] = (v2d){z[i0] - z[j0], z[i1] - z[j1]};
        }
#pragma GCC unroll 8
        for (int k = 0; k < NVEC; k++) {
            v2d d2 = dx[k] * dx[k] + dy[k] * dy[k] + dz[k] * dz[k];
            mag[k] = dt / (d2 * (v2d)_mm_sqrt_pd((__m128d)d2));
        }
#pragma GCC unroll 16
        for (int p = 0; p < NPAIRS; p++) {
            int i = pair_i[p], j = pair_j[p], k = p / 2, l = p % 2;
            double mi = m[i] * mag[k][l], mj = m[j] * mag[k][l];
            vx[i] -= dx[k][l] * mj; vy[i] -= dy[k][l] * mj; vz[i] -= dz[k][l] * mj;
            vx[j] += dx[k][l] * mi; vy[j] += dy[k][l] * mi; vz[j] += dz[k][l] * mi;
        }
#pragma GCC unroll 8
        for (int i = 0; i < NBODIES; i++) {
            x[i] += dt * vx[i];
            y[i] += dt * vy[i];
            z[i] += dt * vz[i];
        }
    }

    for (int i = 0; i < NBODIES; i++) {
        double *b = state + i * STRIDE;
        b[0] = x[i]; b[1] = y[i]; b[2] = z[i];
        b[3] = vx[i]; b[4] = vy[i]; b[5] = vz[i];
    }
}
