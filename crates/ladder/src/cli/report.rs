//! `ladder report`: re-render a results document (or @study) as the terminal card and any of the outputs.

use super::outputs::{Outputs, load};
use crate::report::terminal;
use anyhow::Result;
use clap::Args;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A results document (`ladder run --json`, or $LADDER_HOME/results/*.json), or @study for the study's
    /// own figures.
    #[arg(value_name = "RESULTS.json")]
    pub results: String,
    #[command(flatten)]
    pub outputs: Outputs,
}

pub fn exec(args: ReportArgs) -> Result<ExitCode> {
    args.outputs.check()?;
    let results = load(&args.results, "RESULTS")?;
    print!(
        "{}",
        terminal::render_styled(&results, terminal::use_color())
    );
    args.outputs.write(&results)?;
    Ok(ExitCode::SUCCESS)
}
