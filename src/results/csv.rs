//! The CSV export: one row per run with the fields of [`super::RunRow`]: times, records and
//! counters, then `phase:<name>` and `role:<id>` columns of minutes, then `objective:<id>`
//! columns holding `met`, `late`, `missed` or `n/a`, then, when some action is approved by a
//! role other than its performer, `approval_wait:<id>` and `approval_granted:<id>` per such
//! action. Censored times are empty cells.

use std::fmt::Write as _;

use super::Results;
use crate::model::Phase;

/// Renders the CSV export.
pub fn render(results: &Results) -> String {
    let mut out = String::with_capacity(results.per_run.len() * 96 + 512);
    out.push_str(
        "run,onset,time_to_detect,time_to_acknowledge,time_to_contain,time_to_recover,censored_at,\
         records_offered,records_delivered,records_failed,records_lost,records_queued,records_recovered,\
         targets_breached,escalations,wrong_diagnoses,failed_attempts,injects,updates,first_update",
    );
    for phase in Phase::ALL {
        let _ = write!(out, ",phase:{}", phase.name());
    }
    for role in &results.scenario.roles {
        let _ = write!(out, ",{}", escape(&format!("role:{role}")));
    }
    for objective in &results.objectives {
        let _ = write!(out, ",{}", escape(&format!("objective:{}", objective.id)));
    }
    for approval in &results.approvals {
        let _ = write!(
            out,
            ",{},{}",
            escape(&format!("approval_wait:{}", approval.action)),
            escape(&format!("approval_granted:{}", approval.action))
        );
    }
    out.push('\n');
    let cell = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    for row in &results.per_run {
        let r = &row.records;
        let _ = write!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            row.run,
            cell(row.onset),
            cell(row.time_to_detect),
            cell(row.time_to_acknowledge),
            cell(row.time_to_contain),
            cell(row.time_to_recover),
            row.censored_at,
            r.offered,
            r.delivered,
            r.failed,
            r.lost,
            r.queued,
            r.recovered,
            row.targets_breached,
            row.escalations,
            row.wrong_diagnoses,
            row.failed_attempts,
            row.injects,
            row.updates
        );
        let _ = write!(out, ",{}", cell(row.first_update));
        for phase in Phase::ALL {
            let _ = write!(out, ",{}", row.phases.get(phase));
        }
        for minutes in &row.role_minutes {
            let _ = write!(out, ",{minutes}");
        }
        for result in &row.objectives {
            out.push(',');
            out.push_str(result.name());
        }
        for approval in &row.approvals {
            let granted = match approval.waited {
                None => "",
                Some(_) if approval.granted => "yes",
                Some(_) => "no",
            };
            let _ = write!(out, ",{},{granted}", cell(approval.waited));
        }
        out.push('\n');
    }
    out
}

/// Quotes a cell if it holds a comma, quote or newline (RFC 4180).
pub(crate) fn escape(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
