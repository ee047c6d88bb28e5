//! The command-line layer: one file per command (flags, resolving them into a stage's inputs, printing), and
//! the only module that knows every stage. Decisions a test would want to reach live in the stages; see
//! docs/architecture.md.

pub mod advise;
pub mod climb;
pub mod compare;
pub mod doctor;
pub mod list;
pub mod outputs;
pub mod progress;
pub mod report;
pub mod run;
pub mod table;

use crate::catalog::{Catalog, materialize_embedded};
use crate::home::ladder_home;
use anyhow::{Context, Result};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "ladder",
    version,
    about = "Climb the Python optimization ladder on this machine: every rung measured, every output verified"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every benchmark on every rung available here, verify every output, print the report card.
    Run(Box<run::RunArgs>),
    /// List the benchmarks and rungs, and which rungs are available here.
    List(list::ListArgs),
    /// Show every runtime and tool found (path, version) or missing (with the command that gets it).
    Doctor,
    /// Re-render a results document: terminal by default, or HTML, Markdown, pyperf JSON, CSV.
    Report(report::ReportArgs),
    /// Compare two results documents (two machines, before/after) with a significance test per cell.
    Compare(compare::CompareArgs),
    /// Profile your program (`ladder advise -- python app.py ARGS`): I/O-, memory- or CPU-bound, hot spots, ranked rungs.
    Advise(advise::AdviseArgs),
    /// Run your program on every other runtime and with its hot modules compiled, output checked, speedups measured.
    Climb(climb::ClimbArgs),
}

/// `--catalog DIR`, shared by the commands that read the catalog.
#[derive(Args, Debug, Clone, Default)]
pub struct CatalogArg {
    /// Use this catalog folder instead of the built-in one.
    #[arg(long, value_name = "DIR")]
    pub catalog: Option<PathBuf>,
}

/// `ladder --version`: the version, the commit and the built-in catalog's content hash (what a results document
/// records as `ladder_build`).
pub fn version_line() -> String {
    crate::results::LadderBuild::this_binary().describe()
}

/// The command line, parsed (clap exits with its message on bad flags, `--help` and `--version`).
pub fn parse() -> Cli {
    // clap keeps the version for the life of the process; computed once here.
    let version: &'static str = Box::leak(version_line().into_boxed_str());
    let matches = Cli::command().version(version).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// Entry point for `main`: runs the command and returns its exit code.
pub fn main(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::exec(*args),
        Command::List(args) => list::exec(args),
        Command::Doctor => doctor::exec(),
        Command::Report(args) => report::exec(args),
        Command::Compare(args) => compare::exec(args),
        Command::Advise(args) => advise::exec(args),
        Command::Climb(args) => climb::exec(args),
    }
}

/// The catalog `--catalog` names, or the built-in one (materialised under `$LADDER_HOME`).
pub fn load_catalog(arg: &CatalogArg) -> Result<Catalog> {
    match &arg.catalog {
        Some(dir) => Catalog::load(dir),
        None => {
            let home = ladder_home()?;
            Catalog::load(&materialize_embedded(&home)?).context("loading the built-in catalog")
        }
    }
}
