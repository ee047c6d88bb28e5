//! The Rust rung of the optimization ladder.
//!
//! The kernels are plain Rust functions ([`nbody`], [`spectral`], [`pipeline`]) with their own unit tests; the
//! Python extension module `ladder_kernels` is a thin binding layer over them, compiled only with the `python`
//! feature (maturin enables it), so `cargo test` and `cargo clippy` need no Python.

pub mod binary_trees;
pub mod fannkuch;
pub mod mandelbrot;
pub mod nbody;
pub mod pipeline;
pub mod simd;
pub mod spectral;

#[cfg(feature = "python")]
mod python;

use std::fmt;

/// A problem size a kernel refuses (negative, zero where that is meaningless, or absurdly large).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeError(pub String);

impl fmt::Display for SizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SizeError {}
