//! The CSV export: one row per run with the fields of [`super::RunRow`]: times, records and
//! counters, then `phase:<name>` and `role:<id>` columns of minutes, then `objective:<id>`
//! columns holding `met`, `late`, `missed` or `n/a`, then, when some action is approved by a
//! role other than its performer, `approval_wait:<id>` and `approval_granted:<id>` per such
//! action. Censored times are empty cells.
//!
//! One list of `Column`s drives both the header and every row, so they cannot drift apart;
//! the `csv` crate does the quoting (RFC 4180). Numbers are written with Rust's shortest
//! round-trip `Display`, as in the JSON export.

use super::{Results, RunRow};
use crate::model::Phase;

/// One column of the export: its header and how a run fills it.
struct Column<'r> {
    name: String,
    cell: Box<dyn Fn(&RunRow) -> String + 'r>,
}

impl<'r> Column<'r> {
    fn new(name: impl Into<String>, cell: impl Fn(&RunRow) -> String + 'r) -> Self {
        Column {
            name: name.into(),
            cell: Box::new(cell),
        }
    }
}

/// A time or other optional number: empty when absent (censored).
fn optional(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The fixed columns of every export, in order.
fn fixed_columns<'r>() -> Vec<Column<'r>> {
    vec![
        Column::new("run", |r| r.run.to_string()),
        Column::new("onset", |r| optional(r.onset)),
        Column::new("time_to_detect", |r| optional(r.time_to_detect)),
        Column::new("time_to_acknowledge", |r| optional(r.time_to_acknowledge)),
        Column::new("time_to_contain", |r| optional(r.time_to_contain)),
        Column::new("time_to_recover", |r| optional(r.time_to_recover)),
        Column::new("censored_at", |r| r.censored_at.to_string()),
        Column::new("records_offered", |r| r.records.offered.to_string()),
        Column::new("records_delivered", |r| r.records.delivered.to_string()),
        Column::new("records_failed", |r| r.records.failed.to_string()),
        Column::new("records_lost", |r| r.records.lost.to_string()),
        Column::new("records_queued", |r| r.records.queued.to_string()),
        Column::new("records_recovered", |r| r.records.recovered.to_string()),
        Column::new("targets_breached", |r| r.targets_breached.to_string()),
        Column::new("escalations", |r| r.escalations.to_string()),
        Column::new("wrong_diagnoses", |r| r.wrong_diagnoses.to_string()),
        Column::new("failed_attempts", |r| r.failed_attempts.to_string()),
        Column::new("injects", |r| r.injects.to_string()),
        Column::new("updates", |r| r.updates.to_string()),
        Column::new("first_update", |r| optional(r.first_update)),
    ]
}

/// Every column of this batch's export: the fixed ones, then those its scenario adds.
fn columns(results: &Results) -> Vec<Column<'_>> {
    let mut columns = fixed_columns();
    for phase in Phase::ALL {
        columns.push(Column::new(format!("phase:{}", phase.name()), move |r| {
            r.phases.get(phase).to_string()
        }));
    }
    for (i, role) in results.scenario.roles.iter().enumerate() {
        columns.push(Column::new(format!("role:{role}"), move |r| {
            r.role_minutes
                .get(i)
                .map(f64::to_string)
                .unwrap_or_default()
        }));
    }
    for (i, objective) in results.objectives.iter().enumerate() {
        columns.push(Column::new(
            format!("objective:{}", objective.id),
            move |r| {
                r.objectives
                    .get(i)
                    .map(|o| o.name().to_string())
                    .unwrap_or_default()
            },
        ));
    }
    for (i, approval) in results.approvals.iter().enumerate() {
        columns.push(Column::new(
            format!("approval_wait:{}", approval.action),
            move |r| optional(r.approvals.get(i).and_then(|a| a.waited)),
        ));
        columns.push(Column::new(
            format!("approval_granted:{}", approval.action),
            move |r| match r.approvals.get(i) {
                Some(a) if a.waited.is_some() && a.granted => "yes".to_string(),
                Some(a) if a.waited.is_some() => "no".to_string(),
                _ => String::new(),
            },
        ));
    }
    columns
}

/// Renders the CSV export.
pub fn render(results: &Results) -> String {
    let columns = columns(results);
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::with_capacity(results.per_run.len() * 96 + 512));
    let write = "writing CSV into memory cannot fail";
    writer
        .write_record(columns.iter().map(|c| c.name.as_str()))
        .expect(write);
    let mut record = csv::StringRecord::with_capacity(256, columns.len());
    for row in &results.per_run {
        record.clear();
        for column in &columns {
            record.push_field(&(column.cell)(row));
        }
        writer.write_record(&record).expect(write);
    }
    let bytes = writer.into_inner().expect(write);
    String::from_utf8(bytes).expect("every cell is UTF-8 text")
}

/// Quotes a cell if it holds a comma, quote or newline (RFC 4180), as the `csv` crate does for
/// the run export: for the other CSV documents, which write their rows as text.
pub(crate) fn escape(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_rows_have_the_same_columns_and_quote_as_rfc_4180() {
        let loaded = crate::scenario::default_scenario();
        let options = crate::runner::BatchOptions::new(20, 3);
        let outcomes = crate::runner::run_batch(&loaded.scenario, &options, &|_| {}).unwrap();
        let mut results = Results::new(&loaded.scenario, 3, &outcomes);
        results.scenario.roles[0] = "on,\"call\"".to_string();
        let text = render(&results);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().clone();
        assert_eq!(&header[0], "run");
        assert!(header.iter().any(|h| h == "role:on,\"call\""), "{header:?}");
        let rows: Vec<_> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 20);
        assert!(rows.iter().all(|r| r.len() == header.len()));
        assert!(text.contains("\"role:on,\"\"call\"\"\""));
    }
}
