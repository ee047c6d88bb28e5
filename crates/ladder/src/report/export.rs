//! Exports: pyperf-compatible JSON (so `python -m pyperf stats` and `compare_to` read our samples) and CSV (one
//! row per cell, the raw samples joined by spaces). Only `ok` cells with samples go into the pyperf file: pyperf
//! has no notion of a wrong or unavailable benchmark, and a run without values is not valid there.

use crate::results::{Results, Status};
use serde_json::{Value, json};

/// The pyperf benchmark name of a cell: unique within a document.
fn name(c: &crate::results::Cell) -> String {
    format!(
        "{}[{}]/{}/{}",
        c.benchmark,
        c.size_label(),
        c.rung_label(),
        c.runtime
    )
}

/// A pyperf suite (format version 1.0): one benchmark per measured cell, one run per worker process holding its
/// samples in seconds (time per call, as pyperf's values are per inner loop) and its first call as the warm-up, so
/// pyperf's own statistics see the processes apart.
pub fn pyperf(results: &Results) -> Value {
    let benchmarks: Vec<Value> = results
        .cells
        .iter()
        .filter(|c| c.status == Status::Ok && !c.samples_ns.is_empty())
        .map(|c| {
            let mut run_meta = json!({ "date": results.started_at });
            if let Some(py) = &c.python {
                run_meta["python_version"] = json!(py);
            }
            let run = |samples: &[f64], first_call: Option<u64>| {
                let values: Vec<f64> = samples.iter().map(|ns| ns / 1e9).collect();
                let warmups: Vec<Value> = first_call
                    .map(|f| vec![json!([1, f as f64 / 1e9])])
                    .unwrap_or_default();
                json!({ "metadata": run_meta, "warmups": warmups, "values": values })
            };
            let runs: Vec<Value> = if c.runs.is_empty() {
                vec![run(&c.samples_ns, c.first_call_ns)]
            } else {
                c.runs
                    .iter()
                    .filter(|r| !r.samples_ns.is_empty())
                    .map(|r| run(&r.samples_ns, r.first_call_ns))
                    .collect()
            };
            json!({
                "metadata": {
                    "name": name(c),
                    "unit": "second",
                    "loops": c.loops.max(1),
                    "description": format!("ladder {} x {} on {}, n={}", c.benchmark, c.rung_label(), c.runtime, c.n),
                },
                "runs": runs,
            })
        })
        .collect();
    let m = &results.machine;
    json!({
        "version": "1.0",
        "metadata": {
            "cpu_model_name": m.cpu_model,
            "cpu_count": m.cores.max(1),
            "platform": format!("{} {} {}", m.os, m.kernel, m.arch),
            "ladder_version": results.ladder_version,
        },
        "benchmarks": benchmarks,
    })
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

pub const CSV_HEADER: &str = "benchmark,size,n,rung,tier,runtime,status,verified,median_ns,ci95_lo_ns,ci95_hi_ns,ci_level,min_ns,mad_ns,speedup,speedup_ci95_lo,speedup_ci95_hi,first_call_ns,peak_rss_bytes,cpu_ns,threads,loops,samples_ns,reason,reference";

/// One row per cell, RFC 4180 quoting by the `csv` crate (reasons hold commas, quotes and newlines).
pub fn csv(results: &Results) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    // Writing into a Vec cannot fail, and every row has the header's number of fields.
    let _ = out.write_record(CSV_HEADER.split(','));
    for c in &results.cells {
        let samples: Vec<String> = c.samples_ns.iter().map(|x| x.to_string()).collect();
        let fields = [
            c.benchmark.clone(),
            c.size.to_string(),
            c.n.to_string(),
            c.rung.clone(),
            c.tier.to_string(),
            c.runtime.clone(),
            c.status.as_str().to_string(),
            c.verified.to_string(),
            opt(c.median_ns),
            opt(c.ci95_ns.map(|x| x[0])),
            opt(c.ci95_ns.map(|x| x[1])),
            opt(c.ci_level),
            opt(c.min_ns),
            opt(c.mad_ns),
            opt(c.speedup),
            opt(c.speedup_ci95.map(|x| x[0])),
            opt(c.speedup_ci95.map(|x| x[1])),
            opt(c.first_call_ns),
            opt(c.peak_rss_bytes),
            opt(c.cpu_ns),
            opt(c.threads),
            c.loops.to_string(),
            samples.join(" "),
            c.reason.clone(),
            c.reference_or_pinned()
                .map(|r| r.describe())
                .unwrap_or_default(),
        ];
        let _ = out.write_record(&fields);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}
