//! The after-action report's output formats, one file each behind [`ReportFormat`], named by
//! the closed list [`Format`] (what `ttx report --format` accepts).

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
        let mut text = serde_json::to_string_pretty(report).expect(
            "the report holds only strings, numbers (non-finite ones become null), options, \
             lists and string-keyed maps, which serde_json always serializes",
        );
        text.push('\n');
        text
    }
}

/// The report formats, in the order `--help` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown.
    Md,
    /// A self-contained HTML page.
    Html,
    /// The report structure as JSON.
    Json,
    /// One CSV row per metric and objective.
    Csv,
}

impl Format {
    /// Every format, in [`FORMATS`] order.
    pub const ALL: [Format; 4] = [Format::Md, Format::Html, Format::Json, Format::Csv];

    /// The format's name, as `--format` takes it.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Html => "html",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    /// The format of a name in [`FORMATS`].
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Its renderer.
    pub fn renderer(self) -> Box<dyn ReportFormat> {
        match self {
            Format::Md => Box::new(super::markdown::Markdown),
            Format::Html => Box::new(super::html::Html),
            Format::Json => Box::new(Json),
            Format::Csv => Box::new(super::report_csv::Csv),
        }
    }
}

// By hand rather than derived: a derive would turn each variant's doc into help text, and
// `--help` lists the names only.
impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

/// Format names accepted by `ttx report --format`.
pub const FORMATS: [&str; 4] = [
    Format::ALL[0].name(),
    Format::ALL[1].name(),
    Format::ALL[2].name(),
    Format::ALL[3].name(),
];

/// The format of a name in [`FORMATS`].
pub fn by_name(name: &str) -> Option<Box<dyn ReportFormat>> {
    Format::from_name(name).map(Format::renderer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_is_named_in_formats_and_back() {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names, FORMATS);
        for format in Format::ALL {
            assert_eq!(Format::from_name(format.name()), Some(format));
        }
        assert!(by_name("pdf").is_none());
    }

    /// Guards the `expect` in [`Json`]: non-finite numbers become `null`, so the JSON report
    /// is never replaced by an `{"error": ...}` object.
    #[test]
    fn json_report_of_non_finite_numbers_is_json_without_an_error_object() {
        let loaded = crate::scenario::default_scenario();
        let outcomes = crate::runner::run_batch(
            &loaded.scenario,
            &crate::runner::BatchOptions::new(20, 1),
            &|_| {},
        )
        .expect("the default scenario runs");
        let mut results = crate::results::Results::new(&loaded.scenario, 1, &outcomes);
        results.scenario.horizon_minutes = f64::NAN;
        results.objectives[0].met_rate = f64::INFINITY;
        let text = Json.render(&AfterActionReport::new(&results));
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert!(value.get("error").is_none());
    }
}
