//! Reports: the results document and the report card rendered from it (terminal and Markdown).

pub mod card;
pub mod format;
pub mod markdown;
pub mod results;
pub mod terminal;
