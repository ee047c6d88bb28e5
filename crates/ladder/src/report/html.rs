//! The HTML report: one self-contained file (inline CSS and SVG; no script, no network, no external font), a pure
//! function of the results document. Per benchmark and size: the ladder chart with the study's figure on the same
//! axis, wall vs CPU time of multi-core rungs, first call vs warm, peak memory, the scaling chart when several
//! sizes were measured, and the cell table; then the machine, the runtimes and the tool versions.

use super::card::{self, Card, HEADERS, cards, labels, ordered_cells, study_figure};
use super::format;
use super::scaling;
use super::svg::{self, BarRow, LadderRow, Line, escape};
use crate::results::{Cell, Results, Status};
use std::fmt::Write;

const CSS: &str = r#"
:root { color-scheme: light; --ink: #1a202c; --muted: #5a6576; --line: #e2e8f0; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: #f7f8fa; }
main { max-width: 1100px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.6em; margin: .4em 0; } h2 { font-size: 1.25em; margin: 0 0 .3em; } h3 { font-size: 1em; margin: .8em 0 .2em; }
section.bench { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px; margin: 16px 0; }
p.sub, p.note, li { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); gap: 8px 18px; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: 13px; min-width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; white-space: nowrap; }
td.wrap { white-space: normal; min-width: 14em; }
tr.grey td { color: #8a94a3; }
svg.chart { display: block; max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg text { fill: var(--ink); }
svg .label { text-anchor: end; } svg .tick { text-anchor: middle; fill: var(--muted); font-size: 11px; }
svg .tick.y { text-anchor: end; } svg .axis-title { text-anchor: middle; fill: var(--muted); font-size: 11px; }
svg .grid { stroke: var(--line); } svg .grid.base { stroke: #4a5568; stroke-dasharray: 4 3; }
svg .bar.ok { fill: #2b6cb0; } svg .bar.slower { fill: #c05621; } svg .bar.grey { fill: #edf0f4; }
svg .row.grey text { fill: #8a94a3; font-style: italic; }
svg .ci { stroke: #111; stroke-width: 1.5; fill: none; }
svg .study { fill: #fff; stroke: #b7791f; stroke-width: 2; }
svg .s0 { fill: #2b6cb0; } svg .s1 { fill: #ed8936; }
svg .line path { fill: none; stroke-width: 2; } svg .line circle { stroke: none; }
svg .c0 path { stroke: #2b6cb0; } svg .c0 circle, svg .c0 text { fill: #2b6cb0; }
svg .c1 path { stroke: #c05621; } svg .c1 circle, svg .c1 text { fill: #c05621; }
svg .c2 path { stroke: #2f855a; } svg .c2 circle, svg .c2 text { fill: #2f855a; }
svg .c3 path { stroke: #6b46c1; } svg .c3 circle, svg .c3 text { fill: #6b46c1; }
svg .c4 path { stroke: #b83280; } svg .c4 circle, svg .c4 text { fill: #b83280; }
svg .c5 path { stroke: #2c7a7b; } svg .c5 circle, svg .c5 text { fill: #2c7a7b; }
svg .c6 path { stroke: #975a16; } svg .c6 circle, svg .c6 text { fill: #975a16; }
svg .c7 path { stroke: #4a5568; } svg .c7 circle, svg .c7 text { fill: #4a5568; }
.ladder-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; }
@media (max-width: 600px) { svg.chart.ladder, svg.chart.scaling { min-width: 600px; } svg.chart.bars { min-width: 360px; } body { font-size: 14px; } main { padding: 8px; } section.bench { padding: 8px; } }
"#;

fn cell_label(results: &Results, c: &Cell) -> String {
    let (rung, runtime) = labels(results, c);
    if c.rung == "cpython" || c.rung == "pypy" {
        runtime
    } else {
        rung
    }
}

fn ladder_rows(
    results: &Results,
    bench: &crate::results::BenchmarkInfo,
    cells: &[&Cell],
) -> Vec<LadderRow> {
    cells
        .iter()
        .map(|c| {
            let text = match (c.status, c.speedup, c.speedup_ci95) {
                (Status::Ok, Some(s), Some(ci)) => format::ratio_ci(s, ci),
                (Status::Ok, _, _) => "ok (no baseline to compare)".into(),
                (st, _, _) => format!("{}: {}", st.as_str(), c.reason),
            };
            LadderRow {
                label: cell_label(results, c),
                status: c.status.as_str().into(),
                speedup: c.speedup,
                ci: c.speedup_ci95,
                study: study_figure(results, bench, c).map(|f| f.1),
                text,
            }
        })
        .collect()
}

/// Rungs that ran on more than one core, or tried to: several working threads or processes (even when they
/// waited for a core, as on a busy machine), or CPU time clearly above wall time (a BLAS that threads by itself).
fn multi_core(c: &Cell) -> bool {
    c.reported_threads().unwrap_or(1) > 1
        || c.processes.unwrap_or(1) > 1
        || matches!((c.cpu_ns, c.median_ns), (Some(cpu), Some(wall)) if wall > 0.0 && cpu / wall > 1.2)
}

/// `1.8 cores, 2 threads`, or `… 3 processes` for a process pool (whose worker has one thread).
fn cores_text(c: &Cell) -> String {
    let busy = c.cpu_ns.unwrap_or(0.0) / c.median_ns.unwrap_or(1.0);
    match c.processes {
        Some(p) if p > 1 => format!("{busy:.1} cores, {p} processes"),
        _ => match c.reported_threads() {
            Some(t) if t > 1 => format!("{busy:.1} cores, {t} threads"),
            _ => format!("{busy:.1} cores busy"),
        },
    }
}

fn section(results: &Results, card: &Card, s: &mut String) {
    let Some(bench) = results.benchmarks.iter().find(|b| b.id == card.benchmark) else {
        return;
    };
    let cells = ordered_cells(results, &card.benchmark, card.size, card.n);
    let _ = write!(
        s,
        r#"<section class="bench" id="{}"><h2>{}</h2><p class="sub">n = {} {}, size {}; speedups against {}."#,
        escape(&card.anchor()),
        escape(&card.title),
        card.n,
        escape(&card.work),
        card.size,
        escape(&card.baseline)
    );
    if let (Some(source), Some(base)) = (&card.study_source, &card.study_baseline) {
        let _ = write!(
            s,
            " ◇ marks the study's figure ({}; against {}).",
            escape(source),
            escape(base)
        );
    }
    s.push_str("</p>");
    if !card.verification.is_empty() {
        let _ = write!(s, r#"<p class="sub">{}</p>"#, escape(&card.verification));
    }
    for remark in &card.remarks {
        let _ = write!(s, r#"<p class="sub">{}</p>"#, escape(remark));
    }
    // On a phone the ladder chart keeps a legible size and scrolls sideways rather than shrinking its text.
    s.push_str(r#"<div class="ladder-wrap">"#);
    s.push_str(&svg::ladder_chart(
        &format!("{}: speedup by rung", card.title),
        &ladder_rows(results, bench, &cells),
    ));
    s.push_str(r#"</div><div class="charts">"#);
    let ok: Vec<&&Cell> = cells.iter().filter(|c| c.status == Status::Ok).collect();
    // Wall vs CPU: only rungs with several threads or processes, so a multi-core rung is never read as single-core.
    let multi: Vec<BarRow> = ok
        .iter()
        .filter(|c| multi_core(c))
        .map(|c| BarRow {
            label: cell_label(results, c),
            values: vec![c.median_ns, c.cpu_ns],
            text: cores_text(c),
        })
        .collect();
    s.push_str("<div><h3>Wall vs CPU time (rungs with several threads or processes)</h3>");
    if multi.is_empty() {
        s.push_str(r#"<p class="note">Every rung here ran one thread in one process (CPU time within 20% of wall time).</p>"#);
    } else {
        s.push_str(&svg::bar_chart(
            "wall vs CPU time per call",
            &["wall time", "CPU time, all threads"],
            &multi,
            false,
            &|v| format::duration(v),
        ));
    }
    s.push_str("</div>");
    let first: Vec<BarRow> = ok
        .iter()
        .filter(|c| c.first_call_ns.is_some())
        .map(|c| BarRow {
            label: cell_label(results, c),
            values: vec![c.first_call_ns.map(|n| n as f64), c.median_ns],
            text: format!(
                "{} → {}",
                format::duration(c.first_call_ns.unwrap_or(0) as f64),
                format::duration(c.median_ns.unwrap_or(0.0))
            ),
        })
        .collect();
    if !first.is_empty() {
        s.push_str("<div><h3>First call vs warm (JIT and import-time work)</h3>");
        s.push_str(&svg::bar_chart(
            "first call vs warm median",
            &["first call", "warm median"],
            &first,
            true,
            &|v| format::duration(v),
        ));
        s.push_str("</div>");
    }
    let mem: Vec<BarRow> = ok
        .iter()
        .filter(|c| c.peak_rss_bytes.is_some())
        .map(|c| BarRow {
            label: cell_label(results, c),
            values: vec![c.peak_rss_bytes.map(|b| b as f64)],
            text: format::bytes(c.peak_rss_bytes.unwrap_or(0)),
        })
        .collect();
    if !mem.is_empty() {
        s.push_str("<div><h3>Peak memory of the worker</h3>");
        s.push_str(&svg::bar_chart(
            "peak RSS",
            &["peak RSS"],
            &mem,
            false,
            &|v| format::bytes(v as u64),
        ));
        s.push_str("</div>");
    }
    s.push_str("</div>");
    cell_table(card, s);
    s.push_str("</section>");
}

fn cell_table(card: &Card, s: &mut String) {
    s.push_str(r#"<h3>Cells</h3><div class="table-wrap"><table><thead><tr>"#);
    for h in HEADERS {
        let _ = write!(s, "<th>{}</th>", escape(h));
    }
    s.push_str("</tr></thead><tbody>");
    for row in &card.rows {
        let grey = !row.status.starts_with("ok");
        let _ = write!(s, "<tr{}>", if grey { r#" class="grey""# } else { "" });
        for (i, c) in row.cells().iter().enumerate() {
            let class = if i == HEADERS.len() - 1 {
                r#" class="wrap""#
            } else {
                ""
            };
            let _ = write!(s, "<td{class}>{}</td>", escape(c));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    if card.has_shaky {
        let _ = write!(s, r#"<p class="note">{}</p>"#, escape(card::SHAKY_NOTE));
    }
    if !card.effort.is_empty() {
        s.push_str(r#"<h3>What the expert tier bought</h3><ul>"#);
        for line in &card.effort {
            let _ = write!(s, "<li>{}</li>", escape(line));
        }
        s.push_str("</ul>");
    }
    if !card.notes.is_empty() || !card.not_expressed.is_empty() || !card.no_expert.is_empty() {
        s.push_str("<ol>");
        for n in &card.notes {
            let _ = write!(s, "<li>{}</li>", escape(n));
        }
        s.push_str("</ol><ul>");
        for (rung, why) in &card.no_expert {
            let _ = write!(
                s,
                "<li>no expert implementation: <b>{}</b>: {}</li>",
                escape(rung),
                escape(why)
            );
        }
        for (rung, why) in &card.not_expressed {
            let _ = write!(
                s,
                "<li>not expressed: <b>{}</b>: {}</li>",
                escape(rung),
                escape(why)
            );
        }
        s.push_str("</ul>");
    }
}

fn scaling_section(results: &Results, s: &mut String) {
    for section in scaling::sections(results) {
        let _ = write!(
            s,
            r#"<section class="bench" id="{}-scaling"><h2>{}: time against n</h2><p class="sub">log-log; the slope is the exponent of the cost's growth in {}.</p>"#,
            escape(&section.benchmark),
            escape(&section.title),
            escape(&section.work)
        );
        if section.fits.is_empty() {
            s.push_str(
                "<p>No rung has verified points at two sizes: nothing to fit.</p></section>",
            );
            continue;
        }
        let lines: Vec<Line> = section
            .fits
            .iter()
            .map(|f| Line {
                label: format!(
                    "{} ({})",
                    f.label,
                    f.exponent
                        .map(|_| format!(
                            "exponent {}{}",
                            f.exponent_text(),
                            f.cpu_exponent
                                .map(|c| format!(", CPU time {c:.2}"))
                                .unwrap_or_default()
                        ))
                        .unwrap_or_default()
                ),
                points: f.points.clone(),
            })
            .collect();
        // Like the ladder chart: legible on a phone, scrolling sideways.
        s.push_str(r#"<div class="ladder-wrap">"#);
        s.push_str(&svg::scaling_chart(
            &format!("{}: time against n", section.title),
            &lines,
        ));
        s.push_str("</div><ul>");
        for f in &section.fits {
            let _ = write!(
                s,
                "<li>{}: {}</li>",
                escape(&f.label),
                escape(&scaling::describe(f))
            );
        }
        let _ = write!(
            s,
            r#"</ul><p class="sub">{}.</p></section>"#,
            escape(scaling::NOTE)
        );
    }
}

fn machine_section(results: &Results, s: &mut String) {
    let m = &results.machine;
    let _ = write!(
        s,
        r#"<section class="bench" id="machine"><h2>Machine and tools</h2><p>{} ({} cores, {:.0} GiB, {}), {}, kernel {}. Run {} → {}. Command: <code>{}</code>.</p>"#,
        escape(&m.cpu_model),
        m.cores,
        m.memory_bytes as f64 / (1024.0 * 1024.0 * 1024.0),
        escape(&m.arch),
        escape(&m.os),
        escape(&m.kernel),
        escape(&results.started_at),
        escape(results.finished_at.as_deref().unwrap_or("unfinished")),
        escape(&results.command.join(" "))
    );
    s.push_str(r#"<h3>Runtimes</h3><div class="table-wrap"><table><thead><tr><th>id</th><th>runtime</th><th>executable</th><th>found via</th></tr></thead><tbody>"#);
    for r in &results.runtimes {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.id),
            escape(&r.display_name()),
            escape(&r.executable.display().to_string()),
            escape(&r.found_via)
        );
    }
    s.push_str(r#"</tbody></table></div><h3>Tools</h3><div class="table-wrap"><table><thead><tr><th>tool</th><th>version</th></tr></thead><tbody>"#);
    for (k, v) in &results.tools {
        let _ = write!(s, "<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(v));
    }
    s.push_str("</tbody></table></div></section>");
}

/// The whole page.
pub fn render(results: &Results) -> String {
    let cards = cards(results);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>ladder report: {}</title><style>{CSS}</style></head><body><main><h1>The optimization ladder on {}</h1><p class="sub">{} cells; baseline {}; floating point {}; ladder {}.</p><nav>"#,
        escape(&results.machine.cpu_model),
        escape(&results.machine.cpu_model),
        results.cells.len(),
        escape(results.baseline.as_deref().unwrap_or("none")),
        escape(results.settings.mode()),
        escape(&results.ladder_described())
    );
    let links: Vec<String> = cards
        .iter()
        .map(|c| {
            format!(
                r##"<a href="#{}">{} ({})</a>"##,
                escape(&c.anchor()),
                escape(&c.title),
                c.size_label()
            )
        })
        .collect();
    s.push_str(&links.join(" · "));
    s.push_str(r##" · <a href="#machine">machine</a></nav>"##);
    for warning in super::host::warnings(results) {
        let _ = write!(s, r#"<p class="note">{}</p>"#, escape(&warning));
    }
    for card in &cards {
        section(results, card, &mut s);
    }
    scaling_section(results, &mut s);
    machine_section(results, &mut s);
    s.push_str("</main></body></html>\n");
    s
}

/// The ladder chart of one benchmark and size alone (for tests and embedding).
pub fn ladder_svg(
    results: &Results,
    benchmark: &str,
    size: crate::catalog::SizeName,
) -> Option<String> {
    let bench = results.benchmarks.iter().find(|b| b.id == benchmark)?;
    let n = card::sizes_of(results, benchmark)
        .into_iter()
        .find(|(s, _)| *s == size)?
        .1;
    let cells = ordered_cells(results, benchmark, size, n);
    if cells.is_empty() {
        return None;
    }
    Some(svg::ladder_chart(
        &format!("{}: speedup by rung", bench.title),
        &ladder_rows(results, bench, &cells),
    ))
}
