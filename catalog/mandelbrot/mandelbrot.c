/* mandelbrot, the `c` rung: the Benchmarks Game's bitmap in plain C99, called through ctypes.
 *
 * Pixel (x, y) of an n x n image is c = (2x/n - 1.5) + (2y/n - 1)i; it is in the set (bit 1) when z -> z^2 + c
 * stays within |z|^2 <= 4 for 50 iterations. Eight pixels a byte, the leftmost in the high bit, rows padded to
 * whole bytes: the body of a P4 PBM file, which the Python side prefixes with its header.
 */
int mandelbrot_rows(int n, unsigned char *out)
{
    if (n < 1)
        return -1;
    const int row_bytes = (n + 7) / 8;
    const double inv = 2.0 / n;
    for (int y = 0; y < n; y++) {
        const double ci = y * inv - 1.0;
        unsigned char *row = out + (long)y * row_bytes;
        for (int xb = 0; xb < row_bytes; xb++) {
            unsigned char bits = 0;
            for (int bit = 0; bit < 8; bit++) {
                const int x = xb * 8 + bit;
                int inside = 0;
                if (x < n) {
                    const double cr = x * inv - 1.5;
                    double zr = 0.0, zi = 0.0;
                    inside = 1;
                    for (int i = 0; i < 50; i++) {
                        const double tr = zr * zr - zi * zi + cr;
                        const double ti = 2.0 * zr * zi + ci;
                        zr = tr;
                        zi = ti;
                        if (zr * zr + zi * zi > 4.0) {
                            inside = 0;
                            break;
                        }
                    }
                }
                bits = (unsigned char)((bits << 1) | inside);
            }
            row[xb] = bits;
        }
    }
    return 0;
}
