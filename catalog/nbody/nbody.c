/* n-body, the `c` rung: the Benchmarks Game algorithm in plain C99, called through ctypes.
 *
 * State layout shared with c_impl.py: NBODIES rows of 7 doubles, row-major:
 *   x, y, z, vx, vy, vz, mass
 * The hot loop copies the rows into local structure-of-arrays buffers with a compile-time
 * body count, so the compiler can fully unroll the pair loop and keep everything in registers.
 */
#include <math.h>

#define NBODIES 5
#define STRIDE 7

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
        for (int i = 0; i < NBODIES; i++) {
            for (int j = i + 1; j < NBODIES; j++) {
                double dx = x[i] - x[j];
                double dy = y[i] - y[j];
                double dz = z[i] - z[j];
                double d2 = dx * dx + dy * dy + dz * dz;
                double mag = dt / (d2 * sqrt(d2));
                double mi = m[i] * mag;
                double mj = m[j] * mag;
                vx[i] -= dx * mj; vy[i] -= dy * mj; vz[i] -= dz * mj;
                vx[j] += dx * mi; vy[j] += dy * mi; vz[j] += dz * mi;
            }
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
