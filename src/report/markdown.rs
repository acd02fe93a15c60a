//! The Markdown after-action report: the [`document`] as Markdown, and the number formats
//! both formats of the report (and the drill report) write values in.

use super::aar::{AfterActionReport, PhaseRow};
use super::aar_document::document;
use super::format::ReportFormat;
use crate::render::blocks;
use crate::scenario::duration::format_minutes;

/// The Markdown format.
pub struct Markdown;

impl ReportFormat for Markdown {
    fn extension(&self) -> &'static str {
        "md"
    }

    fn render(&self, report: &AfterActionReport) -> String {
        let text = blocks::markdown(&document(report));
        // Blocks are written after a blank line each; the title opens the file.
        text.strip_prefix('\n').unwrap_or(&text).to_string()
    }
}

/// Minutes as text, `-` when unknown.
pub fn minutes(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), format_minutes)
}

/// A summary's mean as text, `*` marking a restricted mean (some runs censored).
pub fn mean_starred(m: &crate::stats::DurationSummary) -> String {
    let text = minutes(m.mean);
    if m.mean_kind == crate::stats::MeanKind::Restricted {
        format!("{text}*")
    } else {
        text
    }
}

/// An interval as text: `[a – b]`, an open end as `…`.
pub fn interval(low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (None, None) => String::new(),
        (low, high) => format!(
            " [{} – {}]",
            low.map_or_else(|| "…".to_string(), format_minutes),
            high.map_or_else(|| "…".to_string(), format_minutes)
        ),
    }
}

/// A share as a percentage.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", 100.0 * share)
}

/// A phase's share of the time to recover; verification comes after recovery.
pub fn phase_share(p: &PhaseRow) -> String {
    if p.phase == "verification" {
        "after recovery".to_string()
    } else {
        percent(p.mean_share)
    }
}

/// A target in its unit: minutes for time metrics, a count otherwise.
pub fn target(metric: &str, value: f64) -> String {
    if metric.starts_with("time_to") {
        format_minutes(value)
    } else {
        format!("{value}")
    }
}
