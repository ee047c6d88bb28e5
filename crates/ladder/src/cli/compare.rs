//! `ladder compare`: two results documents cell by cell, with a significance test per cell.

use super::outputs::{check_output, load};
use crate::error::UsageError;
use crate::report::compare;
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

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

pub fn exec(args: CompareArgs) -> Result<ExitCode> {
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
