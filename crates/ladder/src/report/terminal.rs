//! The report card in the terminal.

use super::card::{Card, HEADERS, cards};
use crate::results::Results;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

/// The report card without colour (bars are plain Unicode, fine in a file or a pipe).
pub fn render(results: &Results) -> String {
    render_styled(results, false)
}

/// Whether to colour the terminal output: stdout is a terminal and NO_COLOR (https://no-color.org) is unset or
/// empty.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// A bar of `width` cells for `value` on a log axis [lo, hi], in eighth blocks.
pub fn bar(value: f64, lo: f64, hi: f64, width: usize) -> String {
    if !(value.is_finite() && value > 0.0 && lo > 0.0 && hi > lo) {
        return String::new();
    }
    let frac = ((value / lo).log10() / (hi / lo).log10()).clamp(0.0, 1.0);
    let eighths = (frac * (width * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    s.push_str(PARTS[eighths % 8]);
    if s.is_empty() {
        s.push('▏');
    }
    s
}

/// The report card; `color` paints the bars (green: faster than the baseline, red: slower).
pub fn render_styled(results: &Results, color: bool) -> String {
    let mut out = String::new();
    for card in cards(results) {
        out.push_str(&render_card(&card, color));
        out.push('\n');
    }
    for section in super::scaling::sections(results) {
        out.push_str(&render_scaling(&section));
        out.push('\n');
    }
    out.push_str(&footer(results));
    out
}

fn render_card(card: &Card, color: bool) -> String {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(HEADERS);
    // One log axis per card, whole decades from the slowest (or 1x) to the fastest rung.
    let speedups = card.rows.iter().filter_map(|r| r.speedup_value);
    let lo = 10f64.powf(speedups.clone().fold(1.0f64, f64::min).log10().floor());
    let hi = 10f64
        .powf(speedups.fold(1.0f64, f64::max).log10().ceil())
        .max(lo * 10.0);
    for row in &card.rows {
        let mut cells: Vec<comfy_table::Cell> =
            row.cells().iter().map(comfy_table::Cell::new).collect();
        if let Some(v) = row.speedup_value {
            let mut cell =
                comfy_table::Cell::new(format!("{} {}", row.speedup, bar(v, lo, hi, 12)));
            if color {
                cell = cell.fg(if v >= 1.0 {
                    comfy_table::Color::Green
                } else {
                    comfy_table::Color::Red
                });
            }
            cells[3] = cell;
        }
        table.add_row(cells);
    }
    let mut s = format!(
        "{} ({} {}, size {}): speedup against {} (bars: log scale, {}x to {}x)\n{table}\n",
        card.title, card.n, card.work, card.size, card.baseline, lo, hi
    );
    if let (Some(source), Some(base)) = (&card.study_source, &card.study_baseline) {
        s.push_str(&format!(
            "  Study: {source}; its speedups are against {base}.\n"
        ));
    }
    if !card.verification.is_empty() {
        s.push_str(&format!("  {}\n", card.verification));
    }
    for remark in &card.remarks {
        s.push_str(&format!("  {remark}\n"));
    }
    if card.has_shaky {
        s.push_str(&format!("  {}\n", super::card::SHAKY_NOTE));
    }
    for (i, note) in card.notes.iter().enumerate() {
        s.push_str(&format!("  [{}] {note}\n", i + 1));
    }
    for line in &card.effort {
        s.push_str(&format!("  effort: {line}\n"));
    }
    for (rung, why) in &card.not_expressed {
        s.push_str(&format!("  not expressed: {rung}: {why}\n"));
    }
    for (rung, why) in &card.no_expert {
        s.push_str(&format!("  no expert implementation: {rung}: {why}\n"));
    }
    for (cell, how) in &card.how_it_ran {
        s.push_str(&format!("  how it ran: {cell}: {how}\n"));
    }
    s
}

/// Time against n: each rung's fitted exponent with the points it was fitted to.
fn render_scaling(section: &super::scaling::Section) -> String {
    let mut s = format!(
        "{}: time against n ({}), fitted exponent per rung\n",
        section.title, section.work
    );
    if section.fits.is_empty() {
        s.push_str("  no rung has verified points at two sizes: nothing to fit\n");
        return s;
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "Rung · Runtime",
            "Exponent",
            "CPU-time exp.",
            "Median time @ n",
        ]);
    for f in &section.fits {
        table.add_row([
            f.label.clone(),
            f.exponent_text(),
            f.cpu_exponent_text(),
            super::scaling::points_text(f),
        ]);
    }
    s.push_str(&format!("{table}\n  {}\n", super::scaling::NOTE));
    s
}

fn footer(results: &Results) -> String {
    let m = &results.machine;
    let counts = [
        crate::results::Status::Ok,
        crate::results::Status::Wrong,
        crate::results::Status::Failed,
        crate::results::Status::Timeout,
        crate::results::Status::Unavailable,
    ]
    .map(|st| (st, results.cells.iter().filter(|c| c.status == st).count()));
    let summary: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(st, n)| format!("{n} {}", st.as_str()))
        .collect();
    let mut s = format!(
        "{} cells: {}. Floating point: {}. Machine: {} ({} cores), {}, kernel {}.\n",
        results.cells.len(),
        summary.join(", "),
        results.settings.mode(),
        m.cpu_model,
        m.cores,
        m.os,
        m.kernel
    );
    for warning in super::host::warnings(results) {
        s.push_str(&format!("{warning}\n"));
    }
    s
}
