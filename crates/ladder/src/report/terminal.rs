//! The report card in the terminal.

use super::card::{Card, HEADERS, cards};
use super::results::Results;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

pub fn render(results: &Results) -> String {
    let mut out = String::new();
    for card in cards(results) {
        out.push_str(&render_card(&card));
        out.push('\n');
    }
    out.push_str(&footer(results));
    out
}

fn render_card(card: &Card) -> String {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(HEADERS);
    for row in &card.rows {
        table.add_row(row.cells());
    }
    let mut s = format!(
        "{} ({} {}, size {}): speedup against {}\n{table}\n",
        card.title, card.n, card.work, card.size, card.baseline
    );
    if let (Some(source), Some(base)) = (&card.study_source, &card.study_baseline) {
        s.push_str(&format!(
            "  Study: {source}; its speedups are against {base}.\n"
        ));
    }
    if card.has_shaky {
        s.push_str(&format!("  {}\n", super::card::SHAKY_NOTE));
    }
    for (i, note) in card.notes.iter().enumerate() {
        s.push_str(&format!("  [{}] {note}\n", i + 1));
    }
    for (rung, why) in &card.not_expressed {
        s.push_str(&format!("  not expressed: {rung}: {why}\n"));
    }
    s
}

fn footer(results: &Results) -> String {
    let m = &results.machine;
    let counts = [
        super::results::Status::Ok,
        super::results::Status::Wrong,
        super::results::Status::Failed,
        super::results::Status::Timeout,
        super::results::Status::Unavailable,
    ]
    .map(|st| (st, results.cells.iter().filter(|c| c.status == st).count()));
    let summary: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(st, n)| format!("{n} {}", st.as_str()))
        .collect();
    format!(
        "{} cells: {}. Machine: {} ({} cores), {}, kernel {}.\n",
        results.cells.len(),
        summary.join(", "),
        m.cpu_model,
        m.cores,
        m.os,
        m.kernel
    )
}
