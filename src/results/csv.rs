//! The CSV export: one row per run with the fields of [`super::RunRow`]: times, records and
//! counters, then `phase:<name>` and `role:<id>` columns of minutes, then `objective:<id>`
//! columns holding `met`, `late`, `missed` or `n/a`, then, when some action is approved by a
//! role other than its performer, `approval_wait:<id>` and `approval_granted:<id>` per such
//! action. Censored times are empty cells.
//!
//! One list of `Column`s drives both the header and every row, so they cannot drift apart;
//! the `csv` crate does the quoting (RFC 4180). Numbers are written with Rust's shortest
//! round-trip `Display`, as in the JSON export.

use std::io::Write;

use super::{Header, ObjectiveSummary, Results, RunRow};
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

/// Every column of a batch's export: the fixed ones, then those its scenario adds: its
/// roles, its objectives and the actions approved apart from their performer.
fn columns(
    roles: &[String],
    objectives: &[ObjectiveSummary],
    approved: &[&str],
) -> Vec<Column<'static>> {
    let mut columns = fixed_columns();
    for phase in Phase::ALL {
        columns.push(Column::new(format!("phase:{}", phase.name()), move |r| {
            r.phases.get(phase).to_string()
        }));
    }
    for (i, role) in roles.iter().enumerate() {
        columns.push(Column::new(format!("role:{role}"), move |r| {
            r.role_minutes
                .get(i)
                .map(f64::to_string)
                .unwrap_or_default()
        }));
    }
    for (i, objective) in objectives.iter().enumerate() {
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
    for (i, action) in approved.iter().enumerate() {
        columns.push(Column::new(format!("approval_wait:{action}"), move |r| {
            optional(r.approvals.get(i).and_then(|a| a.waited))
        }));
        columns.push(Column::new(
            format!("approval_granted:{action}"),
            move |r| match r.approvals.get(i) {
                Some(a) if a.waited.is_some() && a.granted => "yes".to_string(),
                Some(a) if a.waited.is_some() => "no".to_string(),
                _ => String::new(),
            },
        ));
    }
    columns
}

/// Renders the CSV export of results that hold their rows.
pub fn render(results: &Results) -> String {
    let approved: Vec<&str> = results
        .approvals
        .iter()
        .map(|a| a.action.as_str())
        .collect();
    let columns = columns(&results.scenario.roles, &results.objectives, &approved);
    let out = Vec::with_capacity(results.per_run.len() * 96 + 512);
    let mut rows = RowWriter::with_columns(columns, out);
    let write = "writing CSV into memory cannot fail";
    rows.write(&results.per_run).expect(write);
    let bytes = rows.finish().expect(write);
    String::from_utf8(bytes).expect("every cell is UTF-8 text")
}

/// The CSV export written while the batch runs, a slice of rows at a time in run order, so
/// the rows of any number of runs need the memory of one slice (`ttx run --export-csv`
/// without a JSON export or a report). It writes what [`render`] writes for the same runs.
pub struct RowWriter<'h, W: Write> {
    /// The batch's header, which names the role and objective columns (`None`: the columns
    /// were given whole).
    header: Option<&'h Header>,
    /// Fixed by the first rows: the approval columns are named by the rows' approvals.
    columns: Option<Vec<Column<'static>>>,
    header_written: bool,
    writer: csv::Writer<W>,
    record: csv::StringRecord,
}

impl<'h, W: Write> RowWriter<'h, W> {
    /// A writer of the rows of a batch with `header` into `out`.
    pub fn new(header: &'h Header, out: W) -> Self {
        Self::of(Some(header), None, out)
    }

    fn with_columns(columns: Vec<Column<'static>>, out: W) -> Self {
        Self::of(None, Some(columns), out)
    }

    fn of(header: Option<&'h Header>, columns: Option<Vec<Column<'static>>>, out: W) -> Self {
        RowWriter {
            header,
            columns,
            header_written: false,
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(out),
            record: csv::StringRecord::new(),
        }
    }

    /// Writes `rows`, the next ones in run order (the header line first, with the first).
    pub fn write(&mut self, rows: &[RunRow]) -> std::io::Result<()> {
        let Some(first) = rows.first() else {
            return Ok(());
        };
        if !self.header_written {
            let approved: Vec<&str> = first.approvals.iter().map(|a| a.action.as_str()).collect();
            self.write_header(&approved)?;
        }
        let columns = self.columns.as_ref().expect("the header fixed the columns");
        for row in rows {
            self.record.clear();
            for column in columns {
                self.record.push_field(&(column.cell)(row));
            }
            self.writer.write_record(&self.record).map_err(io_error)?;
        }
        Ok(())
    }

    /// Writes what is still buffered (the header line alone if no row came; no row names
    /// an approval column then, as in `render` of no rows) and gives `out` back.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.write_header(&[])?;
        self.writer.into_inner().map_err(|e| e.into_error())
    }

    /// Fixes the columns, unless given, and writes the header line, once.
    fn write_header(&mut self, approved: &[&str]) -> std::io::Result<()> {
        if self.header_written {
            return Ok(());
        }
        let header = self.header;
        let columns = self.columns.get_or_insert_with(|| {
            let header = header.expect("a streaming writer has its batch's header");
            columns(&header.scenario.roles, &header.objectives, approved)
        });
        self.writer
            .write_record(columns.iter().map(|c| c.name.as_str()))
            .map_err(io_error)?;
        self.header_written = true;
        Ok(())
    }
}

/// The I/O error under a CSV writer's error, so that a closed pipe is still a closed pipe
/// (which ends a command quietly) and a full disk still names itself.
fn io_error(error: csv::Error) -> std::io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
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
