//! The results document's header for a run: everything but the cells (machine, runtimes, tool versions, the
//! catalog's rungs and benchmarks, the settings).

use crate::catalog::Catalog;
use crate::results::{self, BenchmarkInfo, Results, RungInfo, Settings};
use crate::toolchain::discover::{Discovery, Runtime};
use crate::toolchain::tools::Tool;

/// The results document's header: everything but the cells.
pub fn new_results(
    catalog: &Catalog,
    discovery: &Discovery,
    baseline: Option<&Runtime>,
    settings: Settings,
    found_tools: &[Tool],
) -> Results {
    let tools = found_tools
        .iter()
        .filter_map(|t| Some((t.name.clone(), t.version.clone()?)))
        .collect();
    Results {
        schema: results::SCHEMA.into(),
        version: results::SCHEMA_VERSION,
        ladder_version: env!("CARGO_PKG_VERSION").into(),
        ladder_build: Some(results::LadderBuild::this_binary()),
        started_at: results::now_rfc3339(),
        finished_at: None,
        command: std::env::args().collect(),
        settings,
        machine: crate::toolchain::host::machine(),
        baseline: baseline.map(|b| b.id.clone()),
        runtimes: discovery.runtimes.clone(),
        tools,
        rungs: catalog.rungs.iter().map(RungInfo::from).collect(),
        benchmarks: catalog.benchmarks.iter().map(BenchmarkInfo::from).collect(),
        cells: Vec::new(),
        rounds: Vec::new(),
        spot_n: Default::default(),
        host: None,
    }
}
