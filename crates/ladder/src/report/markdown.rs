//! The report card as Markdown (GitHub tables), one section per benchmark.

use super::card::{HEADERS, cards};
use crate::results::Results;

fn escape(cell: &str) -> String {
    cell.replace('|', "\\|").replace('\n', " ")
}

pub fn render(results: &Results) -> String {
    let m = &results.machine;
    let mut s = format!(
        "# ladder report card\n\nMachine: {} ({} cores, {:.0} GiB), {}, kernel {}. Run started {}. Baseline: {}. Floating point: {}.\n\n",
        m.cpu_model,
        m.cores,
        m.memory_bytes as f64 / (1024.0 * 1024.0 * 1024.0),
        m.os,
        m.kernel,
        results.started_at,
        results.baseline.as_deref().unwrap_or("none"),
        results.settings.mode()
    );
    for warning in super::host::warnings(results) {
        s.push_str(&format!("> {}\n\n", escape(&warning)));
    }
    for card in cards(results) {
        s.push_str(&format!(
            "## {} ({} {}, size {})\n\n",
            card.title, card.n, card.work, card.size
        ));
        s.push_str(&format!("| {} |\n", HEADERS.join(" | ")));
        s.push_str(&format!("|{}\n", "---|".repeat(HEADERS.len())));
        for row in &card.rows {
            let cells: Vec<String> = row.cells().iter().map(|c| escape(c)).collect();
            s.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        s.push('\n');
        if let (Some(source), Some(base)) = (&card.study_source, &card.study_baseline) {
            s.push_str(&format!(
                "Study figures: {source}; speedups against {base}.\n\n"
            ));
        }
        if !card.verification.is_empty() {
            s.push_str(&format!("{}\n\n", escape(&card.verification)));
        }
        for remark in &card.remarks {
            s.push_str(&format!("- {}\n", escape(remark)));
        }
        if !card.remarks.is_empty() {
            s.push('\n');
        }
        if card.has_shaky {
            s.push_str(&format!("{}\n\n", super::card::SHAKY_NOTE));
        }
        for (i, note) in card.notes.iter().enumerate() {
            s.push_str(&format!("{}. {}\n", i + 1, escape(note)));
        }
        for line in &card.effort {
            s.push_str(&format!("- effort: {}\n", escape(line)));
        }
        for (rung, why) in &card.not_expressed {
            s.push_str(&format!("- not expressed: **{rung}**: {}\n", escape(why)));
        }
        for (rung, why) in &card.no_expert {
            s.push_str(&format!(
                "- no expert implementation: **{rung}**: {}\n",
                escape(why)
            ));
        }
        for (cell, how) in &card.how_it_ran {
            s.push_str(&format!("- how it ran: **{cell}**: {}\n", escape(how)));
        }
        s.push('\n');
    }
    for section in super::scaling::sections(results) {
        s.push_str(&format!(
            "## {}: time against n ({})\n\n",
            section.title, section.work
        ));
        if section.fits.is_empty() {
            s.push_str("No rung has verified points at two sizes: nothing to fit.\n\n");
            continue;
        }
        s.push_str(
            "| Rung · Runtime | Exponent | CPU-time exponent | Median time @ n |\n|---|---|---|---|\n",
        );
        for f in &section.fits {
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                escape(&f.label),
                f.exponent_text(),
                f.cpu_exponent_text(),
                escape(&super::scaling::points_text(f))
            ));
        }
        s.push_str(&format!("\n{}.\n\n", super::scaling::NOTE));
    }
    s
}
