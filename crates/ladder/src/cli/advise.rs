//! `ladder advise`: its flags and output; the profiling and the decision tree live in `advise`.

use super::{CatalogArg, load_catalog};
use crate::error::UsageError;
use crate::home::ladder_home;
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct AdviseArgs {
    /// Write the findings as JSON here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Stop the program after this many seconds (what was measured until then is kept).
    #[arg(long, default_value_t = 600.0, value_name = "SECS")]
    pub timeout: f64,
    /// Write the flame graph of the on-CPU samples here (SVG).
    #[arg(long, value_name = "PATH")]
    pub flame: Option<PathBuf>,
    /// The program's command line, after `--`: python [OPTIONS] (SCRIPT | -m MODULE | -c CODE) [ARGS...]
    #[arg(last = true, required = true, value_name = "CMD")]
    pub cmd: Vec<String>,
}

pub fn exec(args: AdviseArgs) -> Result<ExitCode> {
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(UsageError::new(format!(
            "--timeout {}: must be a positive number of seconds",
            args.timeout
        ))
        .into());
    }
    let cwd = std::env::current_dir().context("reading the current folder")?;
    let catalog = load_catalog(&CatalogArg { catalog: None })?;
    let figures =
        crate::advise::recommend::Figures::load(&catalog, &ladder_home()?.join("results"));
    let advice = crate::advise::advise(
        &args.cmd,
        &cwd,
        std::time::Duration::from_secs_f64(args.timeout),
        &figures,
    )?;
    eprint!("{}", crate::advise::render(&advice));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&advice)?)
            .with_context(|| format!("--json {}: writing", path.display()))?;
    }
    if let Some(path) = &args.flame {
        std::fs::write(path, crate::advise::flame_svg(&advice))
            .with_context(|| format!("--flame {}: writing", path.display()))?;
    }
    Ok(if advice.status == "ok" {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
