//! `ladder climb`: its flags and output; running and checking the attempts live in `climb`.

use crate::climb::{Climb, Options, RUNGS, climb, render};
use crate::error::UsageError;
use crate::home::ladder_home;
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ClimbArgs {
    /// Write the attempts as JSON here (rewritten after every attempt).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Runs per attempt (each output is checked; the median and its interval come from these). From 7 runs the
    /// speedup interval covers 95%; with fewer it is the range of the runs and says so.
    #[arg(long, default_value_t = 7, value_name = "N")]
    pub repeats: usize,
    /// Stop any single run after this many seconds.
    #[arg(long, default_value_t = 600.0, value_name = "SECS")]
    pub timeout: f64,
    /// Only these rungs (comma-separated: cpython, free-threaded, cpython-jit, pypy, graalpy, mypyc, cython;
    /// default: all).
    #[arg(long, value_delimiter = ',', value_name = "ID,..")]
    pub rung: Option<Vec<String>>,
    /// The program's command line, after `--`: python [OPTIONS] (SCRIPT | -m MODULE | -c CODE) [ARGS...]
    #[arg(last = true, required = true, value_name = "CMD")]
    pub cmd: Vec<String>,
}

pub fn exec(args: ClimbArgs) -> Result<ExitCode> {
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(UsageError::new(format!(
            "--timeout {}: must be a positive number of seconds",
            args.timeout
        ))
        .into());
    }
    if !(1..=1000).contains(&args.repeats) {
        return Err(UsageError::new(format!(
            "--repeats {}: must be between 1 and 1000",
            args.repeats
        ))
        .into());
    }
    if let Some(bad) = args
        .rung
        .iter()
        .flatten()
        .find(|r| !RUNGS.contains(&r.as_str()))
    {
        return Err(UsageError::new(format!(
            "--rung {bad}: climb cannot try that rung; valid: {}",
            RUNGS.join(", ")
        ))
        .into());
    }
    let home = ladder_home()?;
    let catalog = crate::catalog::Catalog::load(&crate::catalog::materialize_embedded(&home)?)
        .context("loading the built-in catalog")?;
    let packages = |id: &str| {
        catalog
            .rungs
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.packages.clone())
            .unwrap_or_default()
    };
    let discovery =
        crate::toolchain::discover::discover(&crate::toolchain::discover::SearchPaths::from_env());
    let cwd = std::env::current_dir().context("reading the current folder")?;
    let opts = Options {
        repeats: args.repeats,
        timeout: std::time::Duration::from_secs_f64(args.timeout),
        home: &home,
        work_dir: &cwd,
        discovery: &discovery,
        mypyc_packages: packages("mypyc"),
        cython_packages: packages("cython"),
        rungs: args.rung.clone(),
    };
    let mut shown = 0;
    let mut header = false;
    let mut write_err = None;
    let result = climb(&args.cmd, &opts, |c| {
        // Progress on stderr, one line per attempt as it ends; the JSON is rewritten so nothing is lost.
        if !header {
            header = true;
            eprintln!(
                "ladder climb: baseline {} measured ({} runs)",
                c.baseline.runtime,
                c.baseline.samples_ns.len()
            );
        }
        for a in c.attempts.iter().skip(shown) {
            eprintln!("  {} on {}: {}", a.rung, a.runtime, a.status);
        }
        shown = c.attempts.len();
        if let Some(p) = &args.json
            && let Err(e) = write_json(p, c)
        {
            write_err = Some(e);
        }
    })?;
    if let Some(e) = write_err {
        return Err(e);
    }
    if let Some(p) = &args.json {
        write_json(p, &result)?;
    }
    print!("{}", render(&result));
    Ok(ExitCode::SUCCESS)
}

fn write_json(path: &std::path::Path, c: &Climb) -> Result<()> {
    std::fs::write(path, serde_json::to_string_pretty(c)?)
        .with_context(|| format!("--json {}: writing", path.display()))
}
