/* n-body, the `c` rung's expert tier: C99, called through ctypes.
 *
 * Uses EXPERT.md's ideas: one thread; the state as structure-of-arrays locals with a compile-time body count;
 * each step in phases, with the ten pair separations and magnitudes computed in loops over pair arrays that the
 * compiler vectorises (sqrt and division in SIMD lanes), then the velocity updates in pair order and the drift;
 * -ffast-math from ladder's expert build outside the fair mode.
 *
 * State layout shared with c_expert.py: NBODIES rows of 7 doubles, row-major: x, y, z, vx, vy, vz, mass.
 */
#include <math.h>

#define NBODIES 5
#define NPAIRS (NBODIES * (NBODIES - 1) / 2)
#define STRIDE 7

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
    double dx[NPAIRS], dy[NPAIRS], dz[NPAIRS], mag[NPAIRS];

    for (int i = 0; i < NBODIES; i++) {
        const double *b = state + i * STRIDE;
        x[i] = b[0]; y[i] = b[1]; z[i] = b[2];
        vx[i] = b[3]; vy[i] = b[4]; vz[i] = b[5];
        m[i] = b[6];
    }

    for (long long s = 0; s < steps; s++) {
        for (int p = 0; p < NPAIRS; p++) {
            dx[p] = x[pair_i[p]] - x[pair_j[p]];
            dy[p] = y[pair_i[p]] - y[pair_j[p]];
            dz[p] = z[pair_i[p]] - z[pair_j[p]];
        }
        for (int p = 0; p < NPAIRS; p++) {
            double d2 = dx[p] * dx[p] + dy[p] * dy[p] + dz[p] * dz[p];
            mag[p] = dt / (d2 * sqrt(d2));
        }
        for (int p = 0; p < NPAIRS; p++) {
            int i = pair_i[p], j = pair_j[p];
            double mi = m[i] * mag[p], mj = m[j] * mag[p];
            vx[i] -= dx[p] * mj; vy[i] -= dy[p] * mj; vz[i] -= dz[p] * mj;
            vx[j] += dx[p] * mi; vy[j] += dy[p] * mi; vz[j] += dz[p] * mi;
        }
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
