//! The CSV after-action report: every value of the JSON report as one `section,key,value`
//! row, keys as paths (`objectives[0].met_rate`), so spreadsheets can pivot on them.

use std::fmt::Write as _;

use serde_json::Value;

use super::aar::AfterActionReport;
use super::format::ReportFormat;
use crate::results::csv::escape;

/// The CSV format.
pub struct Csv;

impl ReportFormat for Csv {
    fn extension(&self) -> &'static str {
        "csv"
    }

    fn render(&self, report: &AfterActionReport) -> String {
        let mut out = String::from("section,key,value\n");
        let value = serde_json::to_value(report).expect(
            "the report is derived structs with string keys and numbers (a non-finite number \
             becomes null): serializing it cannot fail",
        );
        if let Value::Object(sections) = value {
            for (section, value) in &sections {
                flatten(&mut out, section, section, value);
            }
        }
        out
    }
}

fn flatten(out: &mut String, section: &str, key: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(out, section, &format!("{key}.{k}"), v);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(out, section, &format!("{key}[{i}]"), v);
            }
        }
        Value::Null => {
            let _ = writeln!(out, "{section},{},", escape(key));
        }
        Value::String(s) => {
            let _ = writeln!(out, "{section},{},{}", escape(key), escape(s));
        }
        other => {
            let _ = writeln!(out, "{section},{},{other}", escape(key));
        }
    }
}
