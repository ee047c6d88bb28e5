//! ladder: the Python optimization ladder reproduced on this machine, every step verified and measured.
//!
//! Stages, each a module with one job, data moving forward only (see DESIGN.md):
//! catalog -> toolchain (discovery, venvs, builds) -> measure (plan, worker, verify, stats) -> report.

pub mod advise;
pub mod catalog;
pub mod cli;
pub mod climb;
pub mod error;
pub mod events;
pub mod home;
pub mod measure;
pub mod process;
pub mod report;
pub mod results;
pub mod stats;
pub mod toolchain;
