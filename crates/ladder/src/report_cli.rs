//! The report-side commands and flags (`ladder report`, `ladder compare`, and the outputs `ladder run` writes
//! besides the terminal card), kept apart from cli.rs so the run command stays small. Parsing and printing
//! only: the rendering lives in `report::*`.

use crate::error::UsageError;
use crate::report::results::Results;
use crate::report::{compare, export, html, markdown, study, terminal};
use anyhow::{Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Files a run or a report can write besides the terminal card.
#[derive(Args, Debug, Clone, Default)]
pub struct Outputs {
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

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A results document (`ladder run --json`, or $LADDER_HOME/results/*.json), or @study for the study's
    /// own figures.
    #[arg(value_name = "RESULTS.json")]
    pub results: String,
    /// Write the report card as Markdown here.
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    #[command(flatten)]
    pub outputs: Outputs,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The reference: a results document or @study.
    #[arg(value_name = "A.json")]
    pub a: String,
    /// The one compared against it.
    #[arg(value_name = "B.json")]
    pub b: String,
    /// Exit 1 when any cell of B is significantly slower than A by more than PCT percent (for CI).
    #[arg(long, value_name = "PCT")]
    pub fail_if_slower: Option<f64>,
    /// Also write the comparison as JSON here (per cell: ratio, interval, p-value, test, verdict).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Also write the comparison as Markdown here.
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
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

    /// Rewrites the HTML page as the run stands (after every cell), atomically and quietly, so an interrupted
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

pub fn report(args: ReportArgs) -> Result<ExitCode> {
    check_output("--markdown", args.markdown.as_deref())?;
    args.outputs.check()?;
    let results = load(&args.results, "RESULTS")?;
    print!(
        "{}",
        terminal::render_styled(&results, terminal::use_color())
    );
    if let Some(md) = &args.markdown {
        std::fs::write(md, markdown::render(&results))
            .with_context(|| format!("writing {}", md.display()))?;
    }
    args.outputs.write(&results)?;
    Ok(ExitCode::SUCCESS)
}

pub fn compare(args: CompareArgs) -> Result<ExitCode> {
    if let Some(p) = args.fail_if_slower
        && !(p.is_finite() && p >= 0.0)
    {
        return Err(UsageError::new(format!(
            "--fail-if-slower {p}: must be a percentage, 0 or more"
        ))
        .into());
    }
    check_output("--json", args.json.as_deref())?;
    check_output("--markdown", args.markdown.as_deref())?;
    let a = load(&args.a, "A")?;
    let b = load(&args.b, "B")?;
    let cmp = compare::compare(&a, &b);
    print!("{}", compare::render(&cmp, &args.a, &args.b));
    if let Some(p) = &args.json {
        let text = serde_json::to_string_pretty(&compare::to_json(&cmp, &args.a, &args.b))?;
        std::fs::write(p, text + "\n")
            .with_context(|| format!("--json: writing {}", p.display()))?;
        eprintln!("ladder: wrote {}", p.display());
    }
    if let Some(p) = &args.markdown {
        std::fs::write(p, compare::render_markdown(&cmp, &args.a, &args.b))
            .with_context(|| format!("--markdown: writing {}", p.display()))?;
        eprintln!("ladder: wrote {}", p.display());
    }
    if let Some(pct) = args.fail_if_slower {
        let slower = cmp.slower_than(pct);
        if !slower.is_empty() {
            for p in &slower {
                eprintln!(
                    "ladder: {} ({}) {} is {:.1}% slower in B (significant)",
                    p.benchmark,
                    p.size_label(),
                    p.label_b,
                    (p.ratio.unwrap_or(1.0) - 1.0) * 100.0
                );
            }
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}
