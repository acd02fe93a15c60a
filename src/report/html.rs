//! The HTML after-action report: one self-contained page with SVG charts (to be written).

use super::aar::AfterActionReport;
use super::format::ReportFormat;

/// The HTML format.
pub struct Html;

impl ReportFormat for Html {
    fn extension(&self) -> &'static str {
        "html"
    }
    fn render(&self, report: &AfterActionReport) -> String {
        format!("<!doctype html><title>{}</title>", report.overview.title)
    }
}
