/* fannkuch-redux, the `c` rung: the Benchmarks Game's permutation walk in plain C99, called through ctypes.
 *
 * Permutations of 0..n-1 are generated in the benchmark's order (rotate a prefix, count down per position);
 * each one's flips are counted by reversing the prefix up to its first element until that element is 0. The
 * checksum adds the flips of even-numbered permutations and subtracts those of odd ones.
 */
#include <string.h>

#define MAX_N 16

int fannkuch_max_n(void) { return MAX_N; }

/* Writes the checksum and the maximum flip count; returns 0, or -1 when n is outside 1..MAX_N. */
int fannkuch(int n, long long *checksum_out, int *max_flips_out)
{
    if (n < 1 || n > MAX_N)
        return -1;
    int perm1[MAX_N], perm[MAX_N], count[MAX_N];
    for (int i = 0; i < n; i++)
        perm1[i] = i;
    long long checksum = 0;
    int max_flips = 0;
    long long index = 0;
    int r = n;
    for (;;) {
        for (; r != 1; r--)
            count[r - 1] = r;
        memcpy(perm, perm1, sizeof(int) * (size_t)n);
        int flips = 0;
        for (int k = perm[0]; k != 0; k = perm[0]) {
            for (int i = 0, j = k; i < j; i++, j--) {
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            flips++;
        }
        if (flips > max_flips)
            max_flips = flips;
        checksum += (index % 2 == 0) ? flips : -flips;
        /* The next permutation: rotate the first r+1 elements left until a counter is left. */
        for (;;) {
            if (r == n) {
                *checksum_out = checksum;
                *max_flips_out = max_flips;
                return 0;
            }
            int first = perm1[0];
            for (int i = 0; i < r; i++)
                perm1[i] = perm1[i + 1];
            perm1[r] = first;
            if (--count[r] > 0)
                break;
            r++;
        }
        index++;
    }
}
