//! `ladder list`: the benchmarks, and the rungs in ladder order with where each runs here (from the same plan
//! `ladder run` makes, so the two never disagree about availability).

use super::table::{indented, plain};
use super::{CatalogArg, load_catalog};
use crate::measure::plan::{self, Selection, ToolPresence};
use crate::toolchain::discover::{SearchPaths, discover};
use crate::toolchain::tools::probe_tools;
use anyhow::Result;
use clap::Args;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// Also say, for each rung, which benchmarks it cannot express and why.
    #[arg(long, short)]
    pub verbose: bool,
}

pub fn exec(args: ListArgs) -> Result<ExitCode> {
    let catalog = load_catalog(&args.catalog)?;
    let discovery = discover(&SearchPaths::from_env());
    let mut benches = plain(&["benchmark", "title", "n counts", "sizes"]);
    for b in &catalog.benchmarks {
        let sizes: Vec<String> = b
            .sizes
            .iter()
            .map(|s| format!("{} n={}", s.name, s.n))
            .collect();
        benches.add_row(vec![
            b.id.clone(),
            b.title.clone(),
            b.work.clone(),
            sizes.join(", "),
        ]);
    }
    println!("Benchmarks:\n{}", indented(&benches));
    let plan = plan::build_plan(
        &catalog,
        &discovery,
        discovery.default_baseline(),
        &Selection::default(),
        ToolPresence::probe(&probe_tools(), &catalog),
    );
    let mut rungs = plain(&["rung", "title", "study rung", "here"]);
    let mut not_expressed = Vec::new();
    for r in &catalog.rungs {
        let cells: Vec<_> = plan.cells.iter().filter(|c| c.rung == r.id).collect();
        let mut runtimes: Vec<&str> = cells
            .iter()
            .filter(|c| c.unavailable.is_none())
            .map(|c| c.runtime_label.as_str())
            .collect();
        runtimes.sort();
        runtimes.dedup();
        let state = match cells.iter().find_map(|c| c.unavailable.as_ref()) {
            Some((reason, get)) if runtimes.is_empty() => format!(
                "unavailable: {reason}{}",
                get.as_ref()
                    .map(|g| format!(" (get it: {g})"))
                    .unwrap_or_default()
            ),
            _ if !r.packages.is_empty() => format!(
                "on {} (installs {} on first use)",
                runtimes.join(", "),
                r.packages.join(" ")
            ),
            _ => format!("on {}", runtimes.join(", ")),
        };
        rungs.add_row(vec![
            r.id.clone(),
            r.title.clone(),
            r.study_rung.clone(),
            state,
        ]);
        for b in &catalog.benchmarks {
            if let Some(why) = b.not_expressed.get(&r.id) {
                not_expressed.push(vec![r.id.clone(), b.id.clone(), why.clone()]);
            }
        }
    }
    println!("Rungs (ladder order):\n{}", indented(&rungs));
    if args.verbose {
        let mut table = plain(&["rung", "benchmark", "why it is not expressed"]);
        for row in not_expressed {
            table.add_row(row);
        }
        println!("Not expressed:\n{}", indented(&table));
    } else if !not_expressed.is_empty() {
        println!(
            "{} rung/benchmark pairs are not expressed (`ladder list --verbose` says why).",
            not_expressed.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
