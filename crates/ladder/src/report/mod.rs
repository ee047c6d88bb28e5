//! Reports: everything rendered from the results document (terminal, Markdown, HTML with SVG charts,
//! comparison of two documents, scaling fits, pyperf and CSV exports, the study's figures as a document).

pub mod card;
pub mod compare;
pub mod export;
pub mod format;
pub mod host;
pub mod html;
pub mod markdown;
pub mod scaling;
pub mod study;
pub mod svg;
pub mod terminal;

#[cfg(test)]
mod run_tests;
