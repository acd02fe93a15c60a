//! The summary printed by `ttx run`: scenario, metrics, records per run and objectives as
//! fixed-width text tables ([`TextTable`]), then notes on censoring and cut-short runs. When
//! the horizon or the event cap swallowed every run, it says so in words instead of printing
//! tables of dashes and figures of runs that were cut short.

use std::fmt::Write as _;

use crate::render::table::{TextColumn, TextTable};
use crate::results::{Results, TIME_METRICS};
use crate::scenario::duration::format_minutes;

/// Characters of the objectives table's target column (a longer target wraps its time box).
const TARGET_WIDTH: usize = 36;

/// Renders the summary table.
pub fn render(results: &Results) -> String {
    let mut out = String::new();
    let s = &results.scenario;
    let _ = writeln!(
        out,
        "{} (v{}) · {} runs · seed {} · horizon {}",
        s.name,
        s.version,
        results.runs,
        results.seed,
        format_minutes(s.horizon_minutes)
    );
    let _ = writeln!(out, "{}\n", s.title);
    let runs = results.runs;
    if runs > 0 && results.runs_hit_event_cap == runs {
        let _ = writeln!(
            out,
            "every run hit the event cap ({} events) before the horizon and was cut short, so\n\
             this batch has no figures: look for what fires without end (an `update_every` or\n\
             comms cadence of seconds over a long horizon, a reconciliation's `every`)",
            crate::model::DEFAULT_MAX_EVENTS
        );
        return out;
    }
    let right = TextColumn::right;
    let unreached: Vec<String> = results
        .metrics
        .iter()
        .filter(|(_, m)| runs > 0 && m.censored == runs)
        .map(|(name, _)| name.replace('_', " "))
        .collect();
    if runs > 0 && results.runs_without_incident == runs {
        let _ = writeln!(
            out,
            "no fault began before the horizon ({}) in any run, so there are no times to\n\
             summarise: move the faults' onsets earlier or the horizon later",
            format_minutes(s.horizon_minutes)
        );
    } else if unreached.len() == TIME_METRICS.len() {
        let _ = writeln!(
            out,
            "no fault was detected in any run before the horizon ({}), so every time is\n\
             censored and there is nothing to summarise: lengthen the horizon, or add a detector\n\
             that sees the faults (`ttx check` warns about what no run can reach)",
            format_minutes(s.horizon_minutes)
        );
    }
    let metrics_table = TextTable::fixed(vec![
        TextColumn::left(22),
        right(8),
        right(8),
        right(8),
        right(8),
        TextColumn::left(19).after("  "),
        right(9),
    ]);
    let minutes = super::markdown::minutes;
    let mut rows = vec![
        [
            "minutes from onset",
            "median",
            "p90",
            "p95",
            "mean",
            "95% CI of mean",
            "censored",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (name, m) in results.metrics.iter() {
        let ci = m.ci95.map_or_else(
            || "-".to_string(),
            |[a, b]| format!("{} – {}", format_minutes(a), format_minutes(b)),
        );
        let mean = super::markdown::mean_starred(m);
        rows.push(vec![
            name.replace('_', " "),
            minutes(m.median),
            minutes(m.p90),
            minutes(m.p95),
            mean,
            ci,
            m.censored.to_string(),
        ]);
    }
    if unreached.len() < TIME_METRICS.len() {
        out.push_str(&metrics_table.render(&rows));
    }

    let records_table = TextTable::fixed(vec![
        TextColumn::left(22),
        right(8),
        right(8),
        right(8),
        right(8),
    ]);
    let count = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.0}"));
    let mut rows = vec![
        ["records per run", "median", "p90", "mean", "max"]
            .map(String::from)
            .to_vec(),
    ];
    for key in ["lost", "delayed", "failed"] {
        if let Some(c) = results.records.get(key) {
            rows.push(vec![
                key.to_string(),
                count(c.median),
                count(c.p90),
                c.mean
                    .map_or_else(|| "-".to_string(), |v| format!("{v:.1}")),
                count(c.max),
            ]);
        }
    }
    out.push('\n');
    out.push_str(&records_table.render(&rows));

    if !results.objectives.is_empty() {
        let objectives_table = TextTable::fixed(vec![
            TextColumn::left(26),
            TextColumn::left(TARGET_WIDTH),
            right(7),
            right(7),
            right(7),
            right(7),
        ]);
        let mut rows = vec![
            ["objective", "target", "met", "late", "missed", "rating"]
                .map(String::from)
                .to_vec(),
        ];
        for o in &results.objectives {
            // Rates over the runs in which a fault began (others had nothing to judge).
            let judged = o.met + o.late + o.missed;
            let pct = |n: u64| {
                if judged == 0 {
                    "-".to_string()
                } else {
                    format!("{:.1}%", 100.0 * n as f64 / judged as f64)
                }
            };
            let (target, time_box) = if o.metric.starts_with("time_to") {
                (
                    format!("{} <= {}", o.metric, format_minutes(o.target)),
                    Some(format!("(box {})", format_minutes(o.time_box_minutes))),
                )
            } else {
                (format!("{} <= {}", o.metric, o.target), None)
            };
            // A target too long for its column puts its time box on a line of its own, so
            // the rates stay aligned.
            let (target, continued) = match time_box {
                Some(time_box) if target.len() + 1 + time_box.len() > TARGET_WIDTH => {
                    (target, Some(time_box))
                }
                Some(time_box) => (format!("{target} {time_box}"), None),
                None => (target, None),
            };
            rows.push(vec![
                o.id.clone(),
                target,
                pct(o.met),
                pct(o.late),
                pct(o.missed),
                o.rating.to_string(),
            ]);
            if let Some(time_box) = continued {
                rows.push(vec![String::new(), format!("  {time_box}")]);
            }
        }
        out.push('\n');
        out.push_str(&objectives_table.render(&rows));
        let _ = writeln!(
            out,
            "ratings (by met rate): P performed without challenges · S some challenges\n                       M major challenges · U unable"
        );
    }
    if results.runs_without_incident > 0 {
        let _ = writeln!(
            out,
            "\nnote: in {} runs no fault began before the horizon; their times count as censored",
            results.runs_without_incident
        );
    }
    if results.runs_hit_event_cap > 0 {
        let _ = writeln!(
            out,
            "\nwarning: {} runs hit the event cap and were cut short; check the scenario for a runaway loop",
            results.runs_hit_event_cap
        );
    }
    if !unreached.is_empty() && unreached.len() < TIME_METRICS.len() {
        let _ = writeln!(
            out,
            "\nnote: no run reached {} before the horizon ({}), so {} no figures",
            unreached.join(", "),
            format_minutes(s.horizon_minutes),
            if unreached.len() == 1 {
                "that row has"
            } else {
                "those rows have"
            }
        );
    }
    let censored: u64 = results.metrics.iter().map(|(_, m)| m.censored).sum();
    if censored > 0 && unreached.len() < TIME_METRICS.len() {
        let _ = writeln!(
            out,
            "\nnote: censored runs did not reach the milestone before the horizon; percentiles are\n\
             Kaplan-Meier estimates (\"-\" where too many runs are censored to tell), and * marks a\n\
             restricted mean (the mean time up to the longest follow-up)"
        );
    }
    out
}
