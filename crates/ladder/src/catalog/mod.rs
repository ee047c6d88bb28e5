//! The catalog: benchmarks and rungs as data (`catalog/` in the repo, embedded in the binary, or `--catalog DIR`).
//!
//! Loading validates everything a run depends on up front, so a malformed catalog fails before anything is
//! measured, with an error that names the file and the field.

mod check;
mod embedded;
mod model;
mod python_req;

pub use check::{Check, FloatRule, JsonReference, Pinned};
pub use embedded::{
    KERNELS_PROFILE, WORKER_PY, embedded_catalog_hash, embedded_kernels_crate,
    embedded_kernels_version, hex, materialize_embedded,
};
pub use model::{
    Benchmark, BuildKind, Catalog, Expert, InputKind, Rung, RuntimeSelector, Size, SizeName, Study,
    Tier,
};
pub use python_req::PythonReq;

use crate::error::UsageError;
use anyhow::{Context, Result};
use std::path::Path;

impl Catalog {
    /// Loads `DIR/rungs.toml` and every `DIR/<benchmark>/benchmark.toml`.
    pub fn load(dir: &Path) -> Result<Catalog> {
        if !dir.is_dir() {
            return Err(UsageError::new(format!(
                "--catalog {}: not a folder; point it at a folder holding rungs.toml and one folder per benchmark",
                dir.display()
            ))
            .into());
        }
        let rungs_path = dir.join("rungs.toml");
        let rungs = model::parse_rungs(&rungs_path)?;
        let mut benchmarks = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .with_context(|| format!("reading catalog folder {}", dir.display()))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.join("benchmark.toml").is_file())
            .collect();
        entries.sort();
        for bench_dir in entries {
            let bench = model::parse_benchmark(&bench_dir, &rungs)?;
            if let Some(first) = benchmarks.iter().find(|b: &&Benchmark| b.id == bench.id) {
                return Err(UsageError::new(format!(
                    "{}: field `id`: {:?} is already the id of {}; give each benchmark its own id",
                    bench_dir.join("benchmark.toml").display(),
                    bench.id,
                    first.dir.join("benchmark.toml").display()
                ))
                .into());
            }
            benchmarks.push(bench);
        }
        if benchmarks.is_empty() {
            return Err(UsageError::new(format!(
                "{}: no benchmark found (each benchmark is a folder with a benchmark.toml)",
                dir.display()
            ))
            .into());
        }
        // Keep the study's order for the built-in benchmarks (its ladder's three, then the rest of its first
        // table), then anything a user added, by id.
        let order = [
            "nbody",
            "spectral-norm",
            "json-pipeline",
            "json-pipeline-dicts",
            "fannkuch-redux",
            "mandelbrot",
            "binary-trees",
        ];
        benchmarks.sort_by_key(|b| {
            (
                order.iter().position(|o| *o == b.id).unwrap_or(order.len()),
                b.id.clone(),
            )
        });
        Ok(Catalog {
            root: dir.to_path_buf(),
            rungs,
            benchmarks,
        })
    }

    pub fn benchmark(&self, id: &str) -> Option<&Benchmark> {
        self.benchmarks.iter().find(|b| b.id == id)
    }

    pub fn rung(&self, id: &str) -> Option<&Rung> {
        self.rungs.iter().find(|r| r.id == id)
    }
}

#[cfg(test)]
pub(crate) mod tests;
