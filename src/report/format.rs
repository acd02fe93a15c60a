//! The after-action report's output formats, one file each behind [`ReportFormat`].

use super::aar::AfterActionReport;

/// An output format of the after-action report.
pub trait ReportFormat {
    /// File extension (without the dot).
    fn extension(&self) -> &'static str;
    /// Renders the whole report.
    fn render(&self, report: &AfterActionReport) -> String;
}

/// The JSON format: the report structure itself (documented in docs/report-format.md).
pub struct Json;

impl ReportFormat for Json {
    fn extension(&self) -> &'static str {
        "json"
    }
    fn render(&self, report: &AfterActionReport) -> String {
        let mut text = serde_json::to_string_pretty(report)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    }
}

/// Format names accepted by `ttx report --format`.
pub const FORMATS: [&str; 4] = ["md", "html", "json", "csv"];

/// The format of a name in [`FORMATS`].
pub fn by_name(name: &str) -> Option<Box<dyn ReportFormat>> {
    Some(match name {
        "md" => Box::new(super::markdown::Markdown),
        "html" => Box::new(super::html::Html),
        "json" => Box::new(Json),
        "csv" => Box::new(super::report_csv::Csv),
        _ => return None,
    })
}
