//! mandelbrot: the Benchmarks Game's bitmap, on one thread, as the study's other compiled rungs run it. Pixel
//! (x, y) of an n x n image is c = (2x/n - 1.5) + (2y/n - 1)i, in the set (bit 1) when z -> z^2 + c keeps
//! |z|^2 <= 4 for 50 iterations. Rust rounds every multiply and add on its own (it never fuses them into an FMA
//! unless asked), which the pinned bitmap needs.

use crate::SizeError;

/// The largest side accepted (the Benchmarks Game's 16,000 is 32 MB of bitmap).
pub const MAX_N: usize = 65_536;

/// Validates a side length from Python.
pub fn checked_n(n: i64) -> Result<usize, SizeError> {
    usize::try_from(n)
        .ok()
        .filter(|n| (1..=MAX_N).contains(n))
        .ok_or_else(|| {
            SizeError(format!(
                "mandelbrot n must be between 1 and {MAX_N}, got {n}"
            ))
        })
}

/// The P4 PBM file: its header, then eight pixels a byte, the leftmost in the high bit, rows padded.
pub fn pbm(n: usize) -> Vec<u8> {
    let row_bytes = n.div_ceil(8);
    let mut out = format!("P4\n{n} {n}\n").into_bytes();
    out.reserve(row_bytes * n);
    let inv = 2.0 / n as f64;
    for y in 0..n {
        let ci = y as f64 * inv - 1.0;
        for xb in 0..row_bytes {
            let mut bits = 0u8;
            for bit in 0..8 {
                let x = xb * 8 + bit;
                let inside = x < n && inside(x as f64 * inv - 1.5, ci);
                bits = (bits << 1) | u8::from(inside);
            }
            out.push(bits);
        }
    }
    out
}

fn inside(cr: f64, ci: f64) -> bool {
    let (mut zr, mut zi) = (0.0f64, 0.0f64);
    for _ in 0..50 {
        let tr = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = tr;
        if zr * zr + zi * zi > 4.0 {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_200_pixel_bitmap() {
        let out = pbm(200);
        // The Benchmarks Game's output for n = 200: 5,011 bytes (MD5 cc65e64bd553ed18896de1dfe7fae3e5); a few
        // bytes of it pinned here, the whole file's digest by ladder's check.
        // The Benchmarks Game's output for n = 200: 5,011 bytes (MD5 cc65e64bd553ed18896de1dfe7fae3e5). ladder's
        // check compares the whole file's SHA-256; here two position-weighted sums of its body, taken from that
        // file, so a single wrong pixel fails.
        assert_eq!(out.len(), 5011);
        assert!(out.starts_with(b"P4\n200 200\n"));
        let body = &out[11..];
        let sum: u64 = body.iter().map(|b| u64::from(*b)).sum();
        let weighted = body.iter().enumerate().fold(0u64, |acc, (i, b)| {
            (acc + i as u64 * u64::from(*b)) % 1_000_000_007
        });
        assert_eq!((sum, weighted), (506_926, 274_918_182));
    }

    #[test]
    fn padding_bits_are_zero() {
        let out = pbm(9);
        let body = &out[b"P4\n9 9\n".len()..];
        assert_eq!(body.len(), 18);
        assert!(body.iter().skip(1).step_by(2).all(|b| b & 0x7f == 0));
    }
}
