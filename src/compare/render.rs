//! Writing a [`Comparison`] for people (a plain table; one document as Markdown and HTML) and
//! programs (JSON).
//!
//! Every format carries the same facts: both sides, each metric's medians, p90s and their
//! differences with intervals, the test, its raw and Holm-adjusted p-values, the verdict, and
//! the paragraph saying how verdicts were reached. Renderers only format; they decide nothing.

use std::fmt::Write as _;

use super::{Comparison, MetricComparison, MetricKind, SideInfo};
use crate::render::blocks::{self, Block, Column, Grid, Inline, text, words};
use crate::render::html::page;
use crate::render::table::{TERMINAL_WIDTH, TextTable, wrap};
use crate::render::text::capitalise;
use crate::results::RecordKind;
use crate::scenario::duration::format_minutes;
use crate::stats::difference::{IntervalMethod, QuantileDifference};

/// Output formats of `ttx compare`.
pub const FORMATS: [&str; 4] = ["table", "md", "html", "json"];

/// Renders `comparison` in `format` (one of [`FORMATS`]); `None` for an unknown format.
pub fn render(comparison: &Comparison, format: &str) -> Option<String> {
    match format {
        "table" => Some(table(comparison)),
        "md" => Some(markdown(comparison)),
        "html" => Some(html(comparison)),
        "json" => Some(json(comparison)),
        _ => None,
    }
}

/// The JSON form (pretty-printed, newline-terminated).
pub fn json(comparison: &Comparison) -> String {
    pretty_json(comparison)
}

/// Any of this module's reports as pretty-printed, newline-terminated JSON.
pub fn pretty_json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect(
        "comparisons are derived structs with string keys and numbers (serde_json writes a \
         non-finite number as null): serializing them cannot fail",
    );
    text.push('\n');
    text
}

/// "none at n = 3 vs 3": no interval of a change holds its level at these sizes.
fn none_at_sizes(first: u64, second: u64) -> String {
    format!("none at n = {first} vs {second}")
}

/// The cells of one metric's row, shared by the table and the document.
struct Row {
    metric: String,
    median: String,
    median_change: String,
    p90: String,
    p90_change: String,
    test: String,
    p: String,
    verdict: String,
}

impl Row {
    fn of(m: &MetricComparison) -> Self {
        let value = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| show(m.kind, v));
        let pair = |q: &Option<QuantileDifference>| {
            q.map_or_else(
                || "-".to_string(),
                |q| format!("{} → {}", value(q.first), value(q.second)),
            )
        };
        let change = |q: &Option<QuantileDifference>| {
            q.and_then(|q| q.difference).map_or_else(
                || "-".to_string(),
                |d| match q.and_then(|q| q.interval) {
                    Some([low, high]) => format!(
                        "{} ({} to {})",
                        signed(m.kind, d),
                        signed(m.kind, low),
                        signed(m.kind, high)
                    ),
                    None if q.is_some_and(|q| q.interval_method == IntervalMethod::NoneAtThisN) => {
                        format!(
                            "{} ({})",
                            signed(m.kind, d),
                            none_at_sizes(m.first_n, m.second_n)
                        )
                    }
                    None => signed(m.kind, d),
                },
            )
        };
        let (median, median_change) = match m.rates {
            Some([a, b]) => (
                format!("{:.1}% → {:.1}%", 100.0 * a, 100.0 * b),
                format!("{:+.1} pts", 100.0 * (b - a)),
            ),
            None => (pair(&m.median), change(&m.median)),
        };
        let censored = if m.first_censored + m.second_censored > 0 {
            format!(" ({}+{} censored)", m.first_censored, m.second_censored)
        } else {
            String::new()
        };
        Row {
            metric: format!("{}{censored}", m.metric.replace('_', " ")),
            median,
            median_change,
            p90: pair(&m.p90),
            p90_change: change(&m.p90),
            test: m
                .test
                .as_ref()
                .map_or("-".to_string(), |t| t.test.to_string()),
            p: match (&m.test, m.adjusted_p) {
                (Some(t), Some(adjusted)) => {
                    format!("{} ({})", p_value(t.p_value), p_value(adjusted))
                }
                _ => "-".to_string(),
            },
            verdict: m.verdict.text().to_string(),
        }
    }
}

/// A value of a metric of `kind`: minutes for times, a count, or a share.
pub fn show(kind: MetricKind, value: f64) -> String {
    match kind {
        MetricKind::Time => format_minutes(value),
        MetricKind::Count => format!("{value:.0}"),
        MetricKind::MetRate => format!("{:.1}%", 100.0 * value),
    }
}

/// A difference with its sign: `-3.2m`, `+1h05m`, `+12`.
pub fn signed(kind: MetricKind, value: f64) -> String {
    let sign = if value < 0.0 { "-" } else { "+" };
    match kind {
        MetricKind::Time => format!("{sign}{}", format_minutes(value.abs())),
        _ => format!("{sign}{}", show(kind, value.abs())),
    }
}

fn p_value(p: f64) -> String {
    if p < 0.0001 {
        "<0.0001".to_string()
    } else {
        format!("{p:.4}")
    }
}

fn side(info: &SideInfo) -> String {
    let mut text = info.name.clone();
    if let Some(label) = &info.label {
        let _ = write!(text, " [{label}]");
    }
    match &info.drill_started {
        Some(started) if info.kind == RecordKind::Incident => {
            let _ = write!(text, ": real incident, onset {started}");
        }
        Some(started) => {
            let _ = write!(text, ": live drill started {started}");
        }
        None => {
            let _ = write!(text, ": {} runs", info.runs);
            if info.runs_without_incident > 0 {
                let _ = write!(
                    text,
                    ", {} without an incident (left out)",
                    info.runs_without_incident
                );
            }
        }
    }
    text
}

/// The lines above the metrics: sides, scenario and any scenario difference.
fn preamble(c: &Comparison) -> Vec<String> {
    let mut lines = vec![
        format!("first:  {}", side(&c.first)),
        format!("second: {}", side(&c.second)),
    ];
    match &c.scenario_difference {
        None => lines.push(format!("scenario: {} (same on both sides)", c.first.scenario)),
        Some(diff) => lines.push(format!(
            "warning: the sides ran different scenarios ({} → {}; {}): the differences below mix the team's change with the scenario's change",
            c.first.scenario,
            c.second.scenario,
            diff.describe()
        )),
    }
    if let Some(limit) = &c.limit {
        lines.push(format!("limit: {limit}"));
    }
    lines
}

/// The plain-text table printed by `ttx compare`.
pub fn table(c: &Comparison) -> String {
    let mut out = String::new();
    for line in preamble(c) {
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
    if !c.drills.is_empty() {
        drill_lines(c, &mut out);
    } else {
        out.push_str(&TextTable::fitted(4).render(&per_metric_rows(c)));
        out.push('\n');
    }
    out.push_str(&wrap(&format!("how: {}", c.method), TERMINAL_WIDTH, ""));
    out.push('\n');
    out
}

/// The terminal table laid out per metric, so it fits [`TERMINAL_WIDTH`] columns: a heading
/// row with the verdict, then a row per quantile (or the met rate) and one for the test.
fn per_metric_rows(c: &Comparison) -> Vec<Vec<String>> {
    let mut rows = vec![
        ["metric", "first → second", "change (CI)", "verdict"]
            .map(String::from)
            .to_vec(),
    ];
    for (m, row) in c.metrics.iter().map(|m| (m, Row::of(m))) {
        let indented = |label: &str| format!("  {label}");
        rows.push(vec![row.metric, String::new(), String::new(), row.verdict]);
        let first = if m.rates.is_some() {
            "met rate"
        } else {
            "median"
        };
        rows.push(vec![
            indented(first),
            row.median,
            row.median_change,
            String::new(),
        ]);
        if m.rates.is_none() {
            rows.push(vec![
                indented("p90"),
                row.p90,
                row.p90_change,
                String::new(),
            ]);
        }
        let p = if row.p == "-" {
            row.p
        } else {
            format!("p {}", row.p.replacen(" (", " (Holm ", 1))
        };
        rows.push(vec![indented("test"), row.test, p, String::new()]);
    }
    rows
}

/// The comparison as one document, rendered to Markdown ([`markdown`]) and HTML ([`html`]):
/// the sides, then the metrics laid out per metric (as the terminal table) or, for drills,
/// their placements, then how the verdicts were reached.
pub fn document(c: &Comparison) -> Vec<Block> {
    let mut doc = vec![Block::Title {
        kicker: "Comparison".to_string(),
        title: c.first.scenario.clone(),
    }];
    doc.push(Block::Facts(
        preamble(c)
            .into_iter()
            .map(|line| match line.split_once(": ") {
                Some((key, value)) => (key.trim().to_string(), text(value.trim())),
                None => (String::new(), text(line)),
            })
            .collect(),
    ));
    if c.drills.is_empty() {
        doc.push(Block::Section {
            level: 2,
            id: "metrics",
            text: "Metrics".to_string(),
        });
        let mut rows = per_metric_rows(c).into_iter();
        let header = rows.next().unwrap_or_default();
        let heading = |cell: String| {
            vec![Inline::Either {
                markdown: text(cell.clone()),
                html: vec![Inline::Strong(text(cell))],
            }]
        };
        doc.push(Block::Grid(Grid {
            class: Some("compare"),
            columns: header
                .iter()
                .enumerate()
                .map(|(i, h)| match i {
                    0 | 3 => Column::plain(h),
                    _ => Column::num(h),
                })
                .collect(),
            rows: rows
                .map(|row| {
                    // A metric's heading row is the one with its verdict.
                    let is_heading = !row[3].is_empty();
                    row.into_iter()
                        .map(|cell| {
                            let cell = cell.trim_start().to_string();
                            if is_heading {
                                heading(cell)
                            } else {
                                text(cell)
                            }
                        })
                        .collect()
                })
                .collect(),
        }));
    } else {
        let words = c.one_run_words();
        doc.push(Block::Section {
            level: 2,
            id: "drills",
            text: words.heading.to_string(),
        });
        doc.push(Block::Paragraph(format!(
            "{}.",
            capitalise(&placed_note(c))
        )));
        for drill in &c.drills {
            doc.push(Block::Heading(3, drill.side.clone()));
            doc.push(Block::Items(
                drill.placements.iter().map(|p| p.describe()).collect(),
            ));
        }
    }
    doc.push(Block::Prose(
        None,
        vec![
            Inline::Strong(words("How the verdicts were reached.")),
            // Ticked: the commands it names (`ttx power`) read as code in HTML.
            Inline::Ticked(format!(" {}.", capitalise(&c.method))),
        ],
    ));
    doc
}

/// The Markdown report of `ttx compare --format md`.
pub fn markdown(c: &Comparison) -> String {
    blocks::markdown(&document(c)).trim_start().to_string()
}

/// The self-contained HTML page of `ttx compare --format html`.
pub fn html(c: &Comparison) -> String {
    page(
        &format!("Comparison: {}", c.first.scenario),
        &blocks::html(&document(c)),
    )
}

/// Why drills (or real incidents) are placed rather than compared.
fn placed_note(c: &Comparison) -> String {
    let words = c.one_run_words();
    format!(
        "{}; {} within its scenario's simulated runs instead",
        words.cannot,
        words.placed.to_lowercase()
    )
}

fn drill_lines(c: &Comparison, out: &mut String) {
    let _ = writeln!(out, "{}\n", placed_note(c));
    for drill in &c.drills {
        let _ = writeln!(out, "{}:", drill.side);
        for p in &drill.placements {
            let _ = writeln!(out, "{}", p.describe());
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards the `expect` in [`pretty_json`]: a NaN or infinite number (a degenerate
    /// summary) must still give valid JSON, never a panic or an error written into the file.
    #[test]
    fn non_finite_numbers_still_give_valid_json() {
        #[derive(serde::Serialize)]
        struct Summary {
            median: f64,
            p90: f64,
            ci95: Option<[f64; 2]>,
        }
        let text = pretty_json(&Summary {
            median: f64::NAN,
            p90: f64::INFINITY,
            ci95: Some([f64::NEG_INFINITY, 1.5]),
        });
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(value["median"], serde_json::Value::Null);
        assert_eq!(value["ci95"][1], 1.5);
        assert!(text.ends_with("}\n"));
    }
}
