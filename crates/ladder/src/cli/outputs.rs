//! The files a run or a report writes besides the terminal card (`--markdown`, `--html`, `--pyperf`, `--csv`),
//! checked before anything runs; and reading a results document named on the command line.

use crate::error::UsageError;
use crate::report::{export, html, markdown, study};
use crate::results::Results;
use anyhow::{Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};

/// Files a run or a report can write besides the terminal card.
#[derive(Args, Debug, Clone, Default)]
pub struct Outputs {
    /// Write the report card as Markdown here.
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    /// Write the report as one self-contained HTML page (charts as inline SVG) here.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
    /// Write the samples as pyperf JSON here (`python -m pyperf stats PATH` reads it).
    #[arg(long, value_name = "PATH")]
    pub pyperf: Option<PathBuf>,
    /// Write one CSV row per cell (raw samples included) here.
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,
}

/// Fails early, with the flag named, when an output's folder does not exist.
pub fn check_output(flag: &str, path: Option<&Path>) -> Result<()> {
    if let Some(p) = path
        && let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(UsageError::new(format!(
            "{flag} {}: the folder {} does not exist",
            p.display(),
            dir.display()
        ))
        .into());
    }
    Ok(())
}

impl Outputs {
    pub fn check(&self) -> Result<()> {
        check_output("--markdown", self.markdown.as_deref())?;
        check_output("--html", self.html.as_deref())?;
        check_output("--pyperf", self.pyperf.as_deref())?;
        check_output("--csv", self.csv.as_deref())
    }

    pub fn write(&self, results: &Results) -> Result<()> {
        let write = |path: &Option<PathBuf>, text: String| -> Result<()> {
            if let Some(p) = path {
                std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?;
                eprintln!("ladder: wrote {}", p.display());
            }
            Ok(())
        };
        if self.markdown.is_some() {
            write(&self.markdown, markdown::render(results))?;
        }
        if self.html.is_some() {
            write(&self.html, html::render(results))?;
        }
        if self.pyperf.is_some() {
            write(
                &self.pyperf,
                serde_json::to_string_pretty(&export::pyperf(results))?,
            )?;
        }
        if self.csv.is_some() {
            write(&self.csv, export::csv(results))?;
        }
        Ok(())
    }

    /// Rewrites the HTML page as the run stands (after every worker process), atomically and quietly, so an interrupted
    /// run still leaves a page with everything measured so far.
    pub fn write_html_partial(&self, results: &Results) -> Result<()> {
        let Some(p) = &self.html else {
            return Ok(());
        };
        let tmp = p.with_extension("html.tmp");
        std::fs::write(&tmp, html::render(results))
            .with_context(|| format!("--html: writing {}", tmp.display()))?;
        std::fs::rename(&tmp, p).with_context(|| format!("--html: writing {}", p.display()))
    }
}

/// Reads a results document named on the command line; `@study` is the study's figures.
pub fn load(name: &str, arg: &str) -> Result<Results> {
    if name == study::NAME {
        let home = crate::home::ladder_home()?;
        let catalog = crate::catalog::Catalog::load(&crate::catalog::materialize_embedded(&home)?)
            .context("loading the built-in catalog")?;
        return Ok(study::results(&catalog));
    }
    let path = Path::new(name);
    if !path.is_file() {
        return Err(UsageError::new(format!(
            "{arg} {name}: no such file (give a results document written by `ladder run`, or {})",
            study::NAME
        ))
        .into());
    }
    Results::read(path).map_err(|e| {
        UsageError::new(format!("{arg} {name}: not a readable results document"))
            .with_detail(Some(format!("{e:#}")))
            .into()
    })
}
