//! Which SIMD instruction set the fast kernels use, chosen once at run time.
//!
//! The crate is compiled for the x86-64 baseline (SSE2), so the wheel loads on any x86-64 machine; the fast
//! paths are separate functions compiled with `#[target_feature]` and picked here with
//! `is_x86_feature_detected!`. Other architectures always take the portable path.

use std::sync::OnceLock;

/// An instruction-set level a kernel has a path for, from the most capable down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// AVX-512F: 8 doubles a vector, and a 14-bit reciprocal estimate in double precision.
    Avx512,
    /// AVX2 with FMA: 4 doubles a vector.
    Avx2Fma,
    /// No explicit SIMD: plain Rust, vectorised (SSE2) by the compiler where it can.
    Portable,
}

impl Level {
    /// The name recorded in the results (`ladder_info()["simd"]`).
    pub fn name(self) -> &'static str {
        match self {
            Level::Avx512 => "avx512f",
            Level::Avx2Fma => "avx2+fma",
            Level::Portable => "none (portable)",
        }
    }
}

/// The best level this CPU supports, detected once. `LADDER_KERNELS_SIMD=avx2|portable` caps it (to compare
/// the paths on one machine, and to test the fallbacks); a cap above what the CPU has is ignored.
pub fn detected() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let best = cpu_level();
        let cap = match std::env::var("LADDER_KERNELS_SIMD").as_deref() {
            Ok("portable") | Ok("none") => Level::Portable,
            Ok("avx2") => Level::Avx2Fma,
            _ => Level::Avx512,
        };
        weaker(best, cap)
    })
}

/// Whether ladder runs under `--fair` (`LADDER_FAIR=1`): every compiled rung under the same floating-point
/// rules, correctly rounded operations and no fused multiply-adds. Read once.
pub fn fair() -> bool {
    static FAIR: OnceLock<bool> = OnceLock::new();
    *FAIR.get_or_init(|| std::env::var("LADDER_FAIR").as_deref() == Ok("1"))
}

fn rank(level: Level) -> u8 {
    match level {
        Level::Portable => 0,
        Level::Avx2Fma => 1,
        Level::Avx512 => 2,
    }
}

fn weaker(a: Level, b: Level) -> Level {
    if rank(a) <= rank(b) { a } else { b }
}

#[cfg(target_arch = "x86_64")]
fn cpu_level() -> Level {
    if is_x86_feature_detected!("avx512f") {
        Level::Avx512
    } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        Level::Avx2Fma
    } else {
        Level::Portable
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn cpu_level() -> Level {
    Level::Portable
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cap_never_raises_the_level() {
        assert_eq!(weaker(Level::Portable, Level::Avx512), Level::Portable);
        assert_eq!(weaker(Level::Avx512, Level::Avx2Fma), Level::Avx2Fma);
        assert_eq!(weaker(Level::Avx2Fma, Level::Avx2Fma), Level::Avx2Fma);
    }
}
