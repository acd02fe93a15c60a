//! A trend: the same exercise over several quarters, each metric's value per quarter with its
//! interval, and for each step between consecutive quarters whether it is a detectable change.
//!
//! Results are ordered by their label (`ttx run --label 2026-Q3`), a live drill by its start
//! time, and otherwise by file name (with a note saying so). Each step is judged by the same
//! machinery as `ttx compare` ([`super::compare_metrics`]: one test per metric, Holm across
//! the step's metrics); a step to or from a single drill is not tested, since one drill cannot
//! show a change. Intervals are the results' own: the order-statistic 95% interval of the
//! median for times ("none at n = 3" below 6 runs), the Wilson 95% interval for met rates.
//!
//! This module computes the trend and its text table; [`super::trend_chart`] draws it.

use std::fmt::Write as _;

use serde::Serialize;

use super::{
    CompareError, CompareOptions, MetricKind, SectionDiff, Verdict, compare_metrics,
    render::{pretty_json, show},
};
use crate::compare::placement::RECORDS_LOST;
use crate::render::table::TextTable;
use crate::results::{Results, TIME_METRICS};
use crate::stats::proportion::wilson_interval;

/// One results file of a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// File name.
    pub name: String,
    /// What it is ordered and labelled by: its label, its drill's start, or its file name.
    pub key: String,
    /// Runs.
    pub runs: u64,
    /// Whether it is a live drill.
    pub drill: bool,
}

/// Why a median's interval is open above.
const OPEN_ABOVE: &str =
    "open above: fewer runs reached the milestone than a 95% interval of the median needs";

/// A metric's value at one point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointValue {
    /// Median (times, records lost) or met rate.
    pub value: Option<f64>,
    /// Its 95% interval, where there is one.
    pub interval: Option<[f64; 2]>,
    /// Why there is no closed interval ("none at n = 3: ..."), where a value has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_none: Option<String>,
}

/// The step from one point to the next, on one metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Step {
    /// The verdict ([`Verdict::NotTested`] for a step to or from a drill).
    pub verdict: Verdict,
    /// Holm-adjusted p-value within the step.
    pub adjusted_p: Option<f64>,
}

/// One metric over the points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendMetric {
    /// `time_to_detect`, ..., `records_lost`, `met_rate:<objective id>`.
    pub metric: String,
    /// What kind of metric (what "better" means).
    pub kind: MetricKind,
    /// One value per point.
    pub values: Vec<PointValue>,
    /// One step per pair of consecutive points.
    pub steps: Vec<Step>,
}

/// Several results of one scenario, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// `ttx-trend/1`.
    pub format: &'static str,
    /// Scenario name (of the first point).
    pub scenario: String,
    /// Family-wise error rate of each step.
    pub alpha: f64,
    /// The points, in order.
    pub points: Vec<TrendPoint>,
    /// Every metric.
    pub metrics: Vec<TrendMetric>,
    /// What a reader should know: ordering fall-backs, drills, scenario differences.
    pub notes: Vec<String>,
}

/// Orders `items` (file name, results) and judges each step. Refuses results of different
/// scenarios unless `options.allow_different`.
pub fn trend(
    mut items: Vec<(String, Results)>,
    options: &CompareOptions,
) -> Result<Trend, CompareError> {
    let mut notes = Vec::new();
    let key = |(name, r): &(String, Results)| {
        r.label
            .clone()
            .or_else(|| r.drill.as_ref().map(|d| d.started.clone()))
            .unwrap_or_else(|| name.clone())
    };
    let unlabelled: Vec<&str> = items
        .iter()
        .filter(|(_, r)| r.label.is_none() && r.drill.is_none())
        .map(|(name, _)| name.as_str())
        .collect();
    if !unlabelled.is_empty() {
        notes.push(format!(
            "{} ha{} no label and {} ordered by file name; give results a label with `ttx run --label 2026-Q3`",
            unlabelled.join(", "),
            if unlabelled.len() == 1 { "s" } else { "ve" },
            if unlabelled.len() == 1 { "is" } else { "are" }
        ));
    }
    items.sort_by(|a, b| key(a).cmp(&key(b)).then(a.0.cmp(&b.0)));
    let Some((first_name, first)) = items.first() else {
        return Ok(Trend {
            format: "ttx-trend/1",
            scenario: String::new(),
            alpha: options.alpha,
            points: Vec::new(),
            metrics: Vec::new(),
            notes,
        });
    };
    for (name, r) in &items[1..] {
        if r.scenario.content_hash != first.scenario.content_hash {
            let sections = SectionDiff::between(first, r).describe();
            if !options.allow_different {
                return Err(CompareError::DifferentScenarios {
                    first: first_name.clone(),
                    second: name.clone(),
                    sections,
                });
            }
            notes.push(format!(
                "{name} ran a different scenario than {first_name} ({sections}): its steps mix the team's change with the scenario's"
            ));
        }
    }
    if items.iter().any(|(_, r)| r.drill.is_some()) {
        notes.push(
            "a step to or from a live drill is not tested: one drill is one sample and cannot show a change"
                .to_string(),
        );
    }
    let mut metrics = metric_values(first, &items);
    let step_options = CompareOptions {
        resamples: 0,
        ..*options
    };
    for pair in items.windows(2) {
        let (a, b) = (&pair[0].1, &pair[1].1);
        let judged = if a.drill.is_none() && b.drill.is_none() {
            compare_metrics(a, b, &step_options)
        } else {
            Vec::new()
        };
        for metric in &mut metrics {
            let found = judged.iter().find(|m| m.metric == metric.metric);
            metric.steps.push(Step {
                verdict: found.map_or(Verdict::NotTested, |m| m.verdict),
                adjusted_p: found.and_then(|m| m.adjusted_p),
            });
        }
    }
    Ok(Trend {
        format: "ttx-trend/1",
        scenario: first.scenario.name.clone(),
        alpha: options.alpha,
        points: items
            .iter()
            .map(|item| TrendPoint {
                name: item.0.clone(),
                key: key(item),
                runs: item.1.per_run.len() as u64,
                drill: item.1.drill.is_some(),
            })
            .collect(),
        metrics,
        notes,
    })
}

/// Each metric's value and interval at every point (steps still empty).
fn metric_values(first: &Results, items: &[(String, Results)]) -> Vec<TrendMetric> {
    let mut metrics: Vec<TrendMetric> = TIME_METRICS
        .iter()
        .map(|&name| TrendMetric {
            metric: name.to_string(),
            kind: MetricKind::Time,
            values: items
                .iter()
                .map(|(_, r)| {
                    let summary = r.metrics.iter().find(|(n, _)| *n == name).map(|(_, s)| s);
                    let ci = summary.and_then(|s| s.median_ci95);
                    PointValue {
                        value: summary.and_then(|s| s.median),
                        interval: match ci {
                            Some([Some(low), Some(high)]) => Some([low, high]),
                            _ => None,
                        },
                        interval_none: match ci {
                            Some([Some(_), None]) => Some(OPEN_ABOVE.to_string()),
                            Some(_) => None,
                            None => summary.and_then(|s| s.median_ci95_none.clone()),
                        },
                    }
                })
                .collect(),
            steps: Vec::new(),
        })
        .collect();
    metrics.push(TrendMetric {
        metric: RECORDS_LOST.to_string(),
        kind: MetricKind::Count,
        values: items
            .iter()
            .map(|(_, r)| PointValue {
                value: r.records.get("lost").and_then(|c| c.median),
                interval: None,
                interval_none: None,
            })
            .collect(),
        steps: Vec::new(),
    });
    for objective in &first.objectives {
        metrics.push(TrendMetric {
            metric: format!("met_rate:{}", objective.id),
            kind: MetricKind::MetRate,
            values: items
                .iter()
                .map(|(_, r)| {
                    let o = r.objectives.iter().find(|o| o.id == objective.id);
                    let (met, total) = o.map_or((0, 0), |o| (o.met, o.met + o.late + o.missed));
                    PointValue {
                        value: (total > 0).then(|| met as f64 / total as f64),
                        interval: wilson_interval(met, total, 0.95),
                        interval_none: None,
                    }
                })
                .collect(),
            steps: Vec::new(),
        });
    }
    metrics
}

impl Trend {
    /// The text table: a row per metric, a column per point; a cell after the first says
    /// whether the step into it is a detectable change.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} results in order (median and 95% interval; met rates with Wilson intervals)\n",
            self.scenario,
            self.points.len()
        );
        let mut rows: Vec<Vec<String>> = vec![
            std::iter::once("metric".to_string())
                .chain(self.points.iter().map(|p| p.key.clone()))
                .collect(),
        ];
        for m in &self.metrics {
            let mut row = vec![m.metric.replace('_', " ")];
            for (i, v) in m.values.iter().enumerate() {
                let mut cell = v
                    .value
                    .map_or_else(|| "-".to_string(), |value| show(m.kind, value));
                if let Some([low, high]) = v.interval {
                    let _ = write!(cell, " ({}–{})", show(m.kind, low), show(m.kind, high));
                } else if let Some(none) = &v.interval_none {
                    // The words before the reason's colon: "none at n = 3", "open above".
                    let _ = write!(cell, " ({})", none.split(':').next().unwrap_or(none));
                }
                if let Some(step) = i.checked_sub(1).and_then(|s| m.steps.get(s)) {
                    match step.verdict {
                        Verdict::Better => cell.push_str(" better"),
                        Verdict::Worse => cell.push_str(" worse"),
                        _ => {}
                    }
                }
                row.push(cell);
            }
            rows.push(row);
        }
        out.push_str(&TextTable::fitted(rows[0].len()).render(&rows));
        let _ = writeln!(
            out,
            "\n\"better\"/\"worse\" mark a step from the previous result that is a detectable change: each step is a `ttx compare` of the two results (one test per metric, Holm across the step's metrics, family-wise error {}); unmarked steps are no detectable change. Over many steps about {:.0}% of steps may show a false change",
            self.alpha,
            100.0 * self.alpha
        );
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }

    /// The JSON form (pretty-printed, newline-terminated).
    pub fn json(&self) -> String {
        pretty_json(self)
    }
}
