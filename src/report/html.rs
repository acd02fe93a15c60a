//! The HTML after-action report: one self-contained page (inline CSS and SVG, no scripts, no
//! external files) around the [`document`], which holds the content of the Markdown report in
//! the same order plus its charts ([`super::charts`], [`super::gantt`]).
//!
//! The page reads on screen and prints to A4 (`@media print`). The output depends only on the
//! report: no dates, no random ids, numbers at fixed precision, so it snapshots byte for byte.

use super::aar::AfterActionReport;
use super::aar_document::document;
use super::format::ReportFormat;
use crate::render::blocks;
use crate::render::html::{STYLE, escape};

/// The HTML format.
pub struct Html;

impl ReportFormat for Html {
    fn extension(&self) -> &'static str {
        "html"
    }

    fn render(&self, r: &AfterActionReport) -> String {
        let o = &r.overview;
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"ttx {version}\">\n\
             <title>After-action report: {title}</title>\n<style>{STYLE}</style>\n</head>\n\
             <body>\n<main>\n{body}\
             <footer>ttx {version} · {runs} runs of {scenario}, seed {seed} · the same results \
             file always gives this page, byte for byte.</footer>\n</main>\n</body>\n</html>\n",
            version = escape(&o.ttx_version),
            title = escape(&o.title),
            body = blocks::html(&document(r)),
            runs = o.runs,
            scenario = escape(&o.scenario),
            seed = o.seed,
        )
    }
}
