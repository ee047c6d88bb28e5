//! The plain aligned tables `ladder list` and `ladder doctor` print: a header row, no borders, wrapped to the
//! terminal's width when there is one.

use comfy_table::{ContentArrangement, Table, presets::NOTHING};

pub fn plain(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    table
}

/// The table's lines under their section title (the preset pads each cell by one space; one more indents).
pub fn indented(table: &Table) -> String {
    table
        .lines()
        .map(|l| format!(" {}\n", l.trim_end()))
        .collect()
}
