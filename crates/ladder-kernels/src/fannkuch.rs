//! fannkuch-redux: the Benchmarks Game's permutation walk, on one thread, as the study's other compiled rungs (C,
//! Cython, Codon) run it. Permutations of 0..n-1 come in the benchmark's order (rotate a prefix, count down per
//! position); each one's flips are the prefix reversals it takes to bring 0 to the front.

use crate::SizeError;

/// The largest n accepted: 16! permutations already take days.
pub const MAX_N: usize = 16;

/// Validates a permutation length from Python.
pub fn checked_n(n: i64) -> Result<usize, SizeError> {
    usize::try_from(n)
        .ok()
        .filter(|n| (1..=MAX_N).contains(n))
        .ok_or_else(|| {
            SizeError(format!(
                "fannkuch-redux n must be between 1 and {MAX_N}, got {n}"
            ))
        })
}

/// (checksum, maximum flips): the checksum adds the flips of even-numbered permutations and subtracts those of
/// odd ones.
pub fn fannkuch(n: usize) -> (i64, u32) {
    let mut perm1 = [0u8; MAX_N];
    let mut perm = [0u8; MAX_N];
    let mut count = [0usize; MAX_N];
    for (i, p) in perm1.iter_mut().enumerate().take(n) {
        *p = i as u8;
    }
    let (mut checksum, mut max_flips) = (0i64, 0u32);
    let mut index = 0u64;
    let mut r = n;
    loop {
        while r != 1 {
            count[r - 1] = r;
            r -= 1;
        }
        perm[..n].copy_from_slice(&perm1[..n]);
        let mut flips = 0u32;
        let mut k = perm[0] as usize;
        while k != 0 {
            perm[..=k].reverse();
            flips += 1;
            k = perm[0] as usize;
        }
        max_flips = max_flips.max(flips);
        checksum += if index.is_multiple_of(2) {
            i64::from(flips)
        } else {
            -i64::from(flips)
        };
        // The next permutation: rotate the first r+1 elements left until a counter is left.
        loop {
            if r == n {
                return (checksum, max_flips);
            }
            perm1[..=r].rotate_left(1);
            count[r] -= 1;
            if count[r] > 0 {
                break;
            }
            r += 1;
        }
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_benchmarks_games_published_outputs() {
        assert_eq!(fannkuch(7), (228, 16));
        assert_eq!(fannkuch(9), (8629, 30));
        assert_eq!(fannkuch(1), (0, 0));
    }

    #[test]
    fn sizes_outside_the_range_are_refused() {
        assert!(checked_n(0).is_err() && checked_n(17).is_err() && checked_n(-3).is_err());
        assert_eq!(checked_n(12), Ok(12));
    }
}
