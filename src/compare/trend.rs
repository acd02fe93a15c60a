//! A trend: the same exercise over several quarters, each metric's value per result with its
//! interval, each step between consecutive results that can be judged judged like
//! `ttx compare`, and each live drill placed among simulated runs of its own scenario version.
//!
//! **Order.** A result is placed in time by its label when the label is a quarter ("2026-Q3",
//! "Q3 2026", ...: the quarter's first day) or a date ("2026-07-15", "2026-07"), otherwise a
//! live drill by its start; results with a time come first, in time order; then results with
//! other labels, by label; then unlabelled ones, by file name (a note says so).
//!
//! **Steps.** A step between two batches of the same scenario version is judged by the same
//! machinery as `ttx compare` ([`super::compare_metrics`]: one test per metric, Holm across the
//! step's metrics). A step to or from a single drill is not tested (one drill cannot show a
//! change), nor a step across scenario versions (it would mix the team's change with the
//! scenario's).
//!
//! **Drills across versions.** A scenario revised between quarters keeps its name and changes
//! its content hash. Each drill is placed among [`super::placement::PLACEMENT_RUNS`] simulated
//! runs of the scenario text its own results carry, so its percentile is the figure that stays
//! comparable across versions; [`DrillSummary`] says in words what that many drills can show.
//!
//! Intervals are the results' own: the order-statistic 95% interval of the median for times
//! ("none at n = 3" below 6 runs), the Clopper-Pearson 95% interval for met rates.
//!
//! This module computes the trend and its text table; [`super::trend_chart`] builds its
//! document (HTML with charts, and Markdown).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::placement::{self, PLACEMENT_SEED, Placement, RECORDS_LOST, ordinal, thousands};
use super::{
    CompareError, CompareOptions, MetricKind, OneRunWords, SectionDiff, Verdict, compare_metrics,
    count_of,
    render::{pretty_json, show},
};
use crate::render::table::TextTable;
use crate::results::{RecordKind, Results, TIME_METRICS};
use crate::stats::proportion::clopper_pearson;
use crate::stats::uniform::mean_interval;

/// What a point's place in the order comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderedBy {
    /// A quarter label ("2026-Q3"), at the quarter's first day.
    Quarter,
    /// A date label ("2026-07-15", or a month "2026-07" at its first day).
    Date,
    /// A live drill's start (its label is neither a quarter nor a date, or it has none).
    DrillStart,
    /// A label that is no time: after every result with a time, by label.
    Label,
    /// Nothing: last, by file name.
    FileName,
}

/// A moment to order by: year, month, day, seconds into the day (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct When {
    year: u32,
    month: u32,
    day: u32,
    second: u32,
}

/// A quarter label: `2026-Q3`, `2026Q3`, `2026 Q3`, `2026/Q3`, `Q3 2026`, `Q3-2026`, `Q3/2026`
/// (any case; separators are spaces, `-`, `/`, `_`, `.`), at the quarter's first day.
pub fn parse_quarter(label: &str) -> Option<When> {
    let compact: String = label
        .trim()
        .to_ascii_uppercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '/' | '_' | '.'))
        .collect();
    let (year, quarter) = match compact.as_bytes() {
        [y @ .., b'Q', q] if y.len() == 4 => (y, *q),
        [b'Q', q, y @ ..] if y.len() == 4 => (y, *q),
        _ => return None,
    };
    let year: u32 = std::str::from_utf8(year).ok()?.parse().ok()?;
    let quarter = u32::from(quarter.checked_sub(b'0')?);
    // `then`, not `then_some`: the month of quarter 0 would underflow before the check.
    (1..=4).contains(&quarter).then(|| When {
        year,
        month: 3 * (quarter - 1) + 1,
        day: 1,
        second: 0,
    })
}

/// A date label or time stamp: `2026-07-15`, `2026-07` (the month's first day), or an RFC 3339
/// time `2026-07-15T09:30:00Z` (a drill's start; read as written, in UTC as ttx writes it).
pub fn parse_date(text: &str) -> Option<When> {
    let text = text.trim();
    let digits = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let year = parts.next().filter(|y| y.len() == 4).and_then(digits)?;
    let month = parts.next().filter(|m| m.len() == 2).and_then(digits)?;
    let day = match parts.next() {
        Some(d) if d.len() == 2 => digits(d)?,
        Some(_) => return None,
        None if time.is_none() => 1,
        None => return None,
    };
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let second = match time {
        None => 0,
        Some(time) => {
            let mut hms = time.get(..8).unwrap_or(time).split(':');
            let mut next = || hms.next().filter(|p| p.len() == 2).and_then(digits);
            let (h, m) = (next()?, next()?);
            let s = next().unwrap_or(0);
            if h > 23 || m > 59 || s > 60 {
                return None;
            }
            h * 3600 + m * 60 + s
        }
    };
    Some(When {
        year,
        month,
        day,
        second,
    })
}

/// One results file of a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// File name.
    pub name: String,
    /// What it is shown as: its label, else its drill's start day, else its file name.
    pub key: String,
    /// The results' label (`ttx run --label`, `ttx drill --label`).
    pub label: Option<String>,
    /// When a live drill started (RFC 3339, UTC); batches have no date.
    pub date: Option<String>,
    /// What its place in the order comes from.
    pub ordered_by: OrderedBy,
    /// Runs.
    pub runs: u64,
    /// Whether it is a one-run record: a live drill or a real incident (`kind`).
    pub drill: bool,
    /// Which of the two a one-run record is; left out for drills and batches.
    #[serde(skip_serializing_if = "RecordKind::is_drill")]
    pub kind: RecordKind,
    /// Whether that drill was a micro-exercise (`ttx drill --module` or `--preset micro`):
    /// its key says `(micro)`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub micro: bool,
    /// `scenario.version` of the scenario it ran.
    pub scenario_version: String,
    /// Content hash of that scenario (`sha256:...`): versions differ when this does.
    pub content_hash: String,
    /// For a live drill, its placement on every metric among simulated runs of its own
    /// scenario version.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placements: Vec<Placement>,
}

impl TrendPoint {
    /// The scenario version as people read it: `v1.1 (3f2a9c1e)`.
    pub fn version(&self) -> String {
        let hash = self.content_hash.trim_start_matches("sha256:");
        format!(
            "v{} ({})",
            self.scenario_version,
            hash.get(..8).unwrap_or(hash)
        )
    }
}

/// What a micro-exercise's key ends with, in every table and chart of the trend.
pub const MICRO_MARK: &str = "(micro)";

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

impl PointValue {
    /// The value with its interval, as the table shows it.
    pub fn cell(&self, kind: MetricKind) -> String {
        self.value_text(kind) + &self.interval_text(kind)
    }

    /// The value, or `-`.
    pub fn value_text(&self, kind: MetricKind) -> String {
        self.value
            .map_or_else(|| "-".to_string(), |value| show(kind, value))
    }

    /// ` (low–high)`, or the words before the reason's colon (` (none at n = 3)`,
    /// ` (open above)`), or nothing.
    pub fn interval_text(&self, kind: MetricKind) -> String {
        if let Some([low, high]) = self.interval {
            format!(" ({}–{})", show(kind, low), show(kind, high))
        } else if let Some(none) = &self.interval_none {
            format!(" ({})", none.split(':').next().unwrap_or(none))
        } else {
            String::new()
        }
    }
}

/// Why a step was not tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Untested {
    /// One side is a single live drill.
    Drill,
    /// The two sides ran different versions of the scenario.
    Revised,
}

/// The step from one point to the next, on one metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Step {
    /// The verdict ([`Verdict::NotTested`] for a step to or from a drill, or across versions).
    pub verdict: Verdict,
    /// Holm-adjusted p-value within the step.
    pub adjusted_p: Option<f64>,
    /// Why the step was not tested, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untested: Option<Untested>,
}

/// One metric over the points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendMetric {
    /// `time_to_detect`, ..., `records_lost`, `met_rate:<objective id>`.
    pub metric: String,
    /// What kind of metric (what "better" means).
    pub kind: MetricKind,
    /// Targets of the objectives on this metric (minutes or a count), `(objective id,
    /// target)`, from the first point's scenario.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<(String, f64)>,
    /// One value per point.
    pub values: Vec<PointValue>,
    /// One step per pair of consecutive points.
    pub steps: Vec<Step>,
}

/// What the live drills of a trend show, and what they cannot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrillSummary {
    /// Live drills.
    pub drills: u64,
    /// Simulated runs each is placed among, per scenario version.
    pub simulated_runs: u64,
    /// Seed of those runs.
    pub seed: u64,
    /// Where the average placement of this many drills falls 95% of the time when the team
    /// plays exactly as the scenario's model predicts (percentile shares).
    pub chance_range: [f64; 2],
    /// The average placement on each metric, `(metric, share)`; `None` where no drill was
    /// placed.
    pub averages: Vec<(String, Option<f64>)>,
    /// The metrics whose average counts a drill that did not reach the milestone at its
    /// lower bound (`≥` in the table): the average is then a lower bound too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lower_bounds: Vec<String>,
    /// The limit in plain words.
    pub limit: String,
}

/// Several results of one scenario, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// `ttx-trend/2`.
    pub format: &'static str,
    /// Scenario name (of the first point).
    pub scenario: String,
    /// Family-wise error rate of each step.
    pub alpha: f64,
    /// The points, in order.
    pub points: Vec<TrendPoint>,
    /// Every metric.
    pub metrics: Vec<TrendMetric>,
    /// The live drills' placements summed up, when there are drills.
    pub drills: Option<DrillSummary>,
    /// What a reader should know: ordering fall-backs, drills, scenario versions.
    pub notes: Vec<String>,
}

/// Where an item goes in the order: results with a time first, by time; then labels that
/// are no time; then unlabelled results.
fn order_of(name: &str, r: &Results) -> (OrderedBy, Option<When>, String) {
    let label = r.label.as_deref();
    if let Some(when) = label.and_then(parse_quarter) {
        return (OrderedBy::Quarter, Some(when), String::new());
    }
    if let Some(when) = label.and_then(parse_date) {
        return (OrderedBy::Date, Some(when), String::new());
    }
    if let Some(when) = r.drill.as_ref().and_then(|d| parse_date(&d.started)) {
        return (OrderedBy::DrillStart, Some(when), String::new());
    }
    match label {
        Some(label) => (OrderedBy::Label, None, label.to_string()),
        None => (OrderedBy::FileName, None, name.to_string()),
    }
}

/// What a point is shown as: its label, its drill's start day, or its file name.
fn key_of(name: &str, r: &Results) -> String {
    r.label
        .clone()
        .or_else(|| {
            r.drill
                .as_ref()
                .map(|d| d.started.get(..10).unwrap_or(&d.started).to_string())
        })
        .unwrap_or_else(|| name.to_string())
}

/// Orders `items` (file name, results), judges each step and places each drill. Refuses
/// results of differently named scenarios unless `options.allow_different`; versions of one
/// scenario (same name, different content) are welcome.
pub fn trend(
    mut items: Vec<(String, Results)>,
    options: &CompareOptions,
) -> Result<Trend, CompareError> {
    let mut notes = Vec::new();
    items.sort_by_cached_key(|(name, r)| {
        let (by, when, text) = order_of(name, r);
        let rank = match by {
            OrderedBy::Label => 1,
            OrderedBy::FileName => 2,
            _ => 0,
        };
        (rank, when, text, name.clone())
    });
    let unordered = |by: OrderedBy| -> Vec<&str> {
        items
            .iter()
            .filter(|(name, r)| order_of(name, r).0 == by)
            .map(|(name, _)| name.as_str())
            .collect()
    };
    let unlabelled = unordered(OrderedBy::FileName);
    if !unlabelled.is_empty() {
        notes.push(format!(
            "{} ha{} no label and {} ordered by file name, last; give results a label with `ttx run --label 2026-Q3`",
            unlabelled.join(", "),
            if unlabelled.len() == 1 { "s" } else { "ve" },
            if unlabelled.len() == 1 { "is" } else { "are" }
        ));
    }
    let timeless = unordered(OrderedBy::Label);
    if !timeless.is_empty() {
        notes.push(format!(
            "the label{} of {} {} neither a quarter nor a date, so {} ordered after the dated results, by label; quarters read as 2026-Q3 or Q3 2026, dates as 2026-07-15",
            if timeless.len() == 1 { "" } else { "s" },
            timeless.join(", "),
            if timeless.len() == 1 { "is" } else { "are" },
            if timeless.len() == 1 { "it is" } else { "they are" },
        ));
    }
    let Some((first_name, first)) = items.first() else {
        return Ok(Trend {
            format: "ttx-trend/2",
            scenario: String::new(),
            alpha: options.alpha,
            points: Vec::new(),
            metrics: Vec::new(),
            drills: None,
            notes,
        });
    };
    for (name, r) in &items[1..] {
        if r.scenario.name != first.scenario.name {
            let sections = SectionDiff::between(first, r).describe();
            if !options.allow_different {
                return Err(CompareError::DifferentScenarios {
                    first: first_name.clone(),
                    second: name.clone(),
                    sections,
                });
            }
            notes.push(format!(
                "{name} ran another scenario ({}) than {first_name} ({}): {sections}",
                r.scenario.name, first.scenario.name
            ));
        }
    }
    let one_runs = OneRunWords::of(items.iter().filter_map(|(_, r)| r.record_kind()));
    for pair in items.windows(2) {
        let ((a_name, a), (b_name, b)) = (&pair[0], &pair[1]);
        if a.scenario.content_hash != b.scenario.content_hash && a.scenario.name == b.scenario.name
        {
            notes.push(format!(
                "the scenario was revised between {} and {} (v{} to v{}; {}): that step is not tested, since it would mix the team's change with the scenario's; {} are compared across versions by their placements",
                key_of(a_name, a),
                key_of(b_name, b),
                a.scenario.version,
                b.scenario.version,
                SectionDiff::between(a, b).describe(),
                one_runs.many
            ));
        }
    }
    if items.iter().any(|(_, r)| r.drill.is_some()) {
        notes.push(format!(
            "a step to or from a {} is not tested: one {} is one sample and cannot show a change",
            one_runs.one,
            one_runs.short(1)
        ));
    }
    let micro = (items.iter())
        .filter(|(_, r)| r.drill.as_ref().is_some_and(|d| d.micro.is_some()))
        .count();
    if micro > 0 {
        notes.push(format!(
            "{micro} of the drills {} micro-exercise{} (marked {MICRO_MARK}): a time box of one module or the first minutes of the incident, scored and placed like a full drill, so a milestone the box ended before is censored there",
            if micro == 1 { "is a" } else { "are" },
            if micro == 1 { "" } else { "s" }
        ));
    }
    let mut metrics = metric_values(first, &items);
    let step_options = CompareOptions {
        resamples: 0,
        ..*options
    };
    for pair in items.windows(2) {
        let (a, b) = (&pair[0].1, &pair[1].1);
        let untested = if a.drill.is_some() || b.drill.is_some() {
            Some(Untested::Drill)
        } else if a.scenario.content_hash != b.scenario.content_hash {
            Some(Untested::Revised)
        } else {
            None
        };
        let judged = match untested {
            None => compare_metrics(a, b, &step_options),
            Some(_) => Vec::new(),
        };
        for metric in &mut metrics {
            let found = judged.iter().find(|m| m.metric == metric.metric);
            metric.steps.push(Step {
                verdict: found.map_or(Verdict::NotTested, |m| m.verdict),
                adjusted_p: found.and_then(|m| m.adjusted_p),
                untested,
            });
        }
    }
    let points = points(&items, options.placement_runs)?;
    let drills = drill_summary(&points, options.placement_runs);
    Ok(Trend {
        format: "ttx-trend/2",
        scenario: first.scenario.name.clone(),
        alpha: options.alpha,
        points,
        metrics,
        drills,
        notes,
    })
}

/// The points, each drill placed among `runs` simulated runs of its own scenario version
/// (simulated once per version).
fn points(items: &[(String, Results)], runs: u64) -> Result<Vec<TrendPoint>, CompareError> {
    let mut simulated: BTreeMap<&str, Results> = BTreeMap::new();
    let mut points = Vec::new();
    for (name, r) in items {
        let mut placements = Vec::new();
        if let (Some(_), Some(row)) = (&r.drill, r.per_run.first()) {
            let hash = r.scenario.content_hash.as_str();
            if !simulated.contains_key(hash) {
                let batch = placement::simulate(name, r, runs, PLACEMENT_SEED)?;
                simulated.insert(hash, batch);
            }
            placements = placement::place(row, &simulated[hash]);
        }
        let micro = r.drill.as_ref().is_some_and(|d| d.micro.is_some());
        let key = key_of(name, r);
        points.push(TrendPoint {
            name: name.clone(),
            key: if micro {
                format!("{key} {MICRO_MARK}")
            } else {
                key
            },
            micro,
            label: r.label.clone(),
            date: r.drill.as_ref().map(|d| d.started.clone()),
            ordered_by: order_of(name, r).0,
            runs: r.per_run.len() as u64,
            drill: r.drill.is_some(),
            kind: r.record_kind().unwrap_or_default(),
            scenario_version: r.scenario.version.clone(),
            content_hash: r.scenario.content_hash.clone(),
            placements,
        });
    }
    Ok(points)
}

/// The drills' average placements and, in words, what that many drills can show.
fn drill_summary(points: &[TrendPoint], runs: u64) -> Option<DrillSummary> {
    let drills: Vec<&TrendPoint> = points.iter().filter(|p| p.drill).collect();
    let k = drills.len() as u64;
    let chance_range = mean_interval(k, 0.95)?;
    let one = mean_interval(1, 0.95)?;
    let mut names: Vec<&'static str> = TIME_METRICS.to_vec();
    names.push(RECORDS_LOST);
    let mut lower_bounds = Vec::new();
    let averages = names
        .iter()
        .map(|&metric| {
            let placed: Vec<&Placement> = drills
                .iter()
                .filter_map(|p| p.placements.iter().find(|pl| pl.metric == metric))
                .filter(|pl| pl.percentile.is_some())
                .collect();
            let shares: Vec<f64> = placed.iter().filter_map(|pl| pl.percentile).collect();
            let average =
                (!shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64);
            if placed.iter().any(|pl| pl.censored_at.is_some()) {
                lower_bounds.push(metric.to_string());
            }
            (metric.to_string(), average)
        })
        .collect();
    let versions = drills
        .iter()
        .map(|p| p.content_hash.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let simulated = thousands(runs);
    let words = OneRunWords::of(drills.iter().map(|p| p.kind));
    let mut limit = format!(
        "{k} {} {} {k} sample{}. A placement is where one {} fell among {simulated} simulated runs of its own scenario version{}: the share of simulated runs that did better, so lower is better, and it stays comparable when the scenario is revised. By chance alone, a team that acts exactly as the scenario's model predicts lands anywhere from the {:.1}th to the {:.1}th percentile in one {}",
        words.short(k),
        if k == 1 { "is" } else { "are" },
        plural(k as usize),
        words.short(1),
        if versions > 1 {
            format!(" ({versions} versions here)")
        } else {
            String::new()
        },
        100.0 * one[0],
        100.0 * one[1],
        words.short(1),
    );
    if k > 1 {
        let _ = write!(
            limit,
            ", and the average of {k} {} on a metric falls between the {} and the {} percentile 95% of the time: only an average outside that range suggests the team differs from the model",
            words.short(k),
            ordinal(chance_range[0]),
            ordinal(chance_range[1])
        );
    }
    let _ = write!(
        limit,
        ". No step from one {} to the next can show a change; `ttx power --n {k}` says how large a change {k} {} per side could detect",
        words.short(1),
        words.short(k)
    );
    Some(DrillSummary {
        drills: k,
        simulated_runs: runs,
        seed: PLACEMENT_SEED,
        chance_range,
        averages,
        lower_bounds,
        limit,
    })
}

/// Each metric's value and interval at every point (steps still empty).
fn metric_values(first: &Results, items: &[(String, Results)]) -> Vec<TrendMetric> {
    let targets = |metric: &str| -> Vec<(String, f64)> {
        first
            .objectives
            .iter()
            .filter(|o| o.metric == metric)
            .map(|o| (o.id.clone(), o.target))
            .collect()
    };
    let mut metrics: Vec<TrendMetric> = TIME_METRICS
        .iter()
        .map(|&name| TrendMetric {
            metric: name.to_string(),
            kind: MetricKind::Time,
            targets: targets(name),
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
        targets: targets(RECORDS_LOST),
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
            targets: Vec::new(),
            values: items
                .iter()
                .map(|(_, r)| {
                    let o = r.objectives.iter().find(|o| o.id == objective.id);
                    let (met, total) = o.map_or((0, 0), |o| (o.met, o.met + o.late + o.missed));
                    PointValue {
                        value: (total > 0).then(|| met as f64 / total as f64),
                        interval: clopper_pearson(met, total, 0.95),
                        interval_none: None,
                    }
                })
                .collect(),
            steps: Vec::new(),
        });
    }
    metrics
}

/// A placement's percentile as the tables show it: `71st`, `≥95th` for a lower bound, `-`.
pub fn placement_cell(p: Option<&Placement>) -> String {
    match p.and_then(|p| p.percentile.map(|share| (p, share))) {
        Some((p, share)) => format!("{}{}", p.bound_mark(), ordinal(share)),
        None => "-".to_string(),
    }
}

impl Trend {
    /// How many steps of `metric` are detectable changes, `(better, worse)`.
    fn changes(metric: &TrendMetric) -> (usize, usize) {
        let count = |v: Verdict| metric.steps.iter().filter(|s| s.verdict == v).count();
        (count(Verdict::Better), count(Verdict::Worse))
    }

    /// The trend in one or two sentences, for the top of its page.
    pub fn summary(&self) -> String {
        let (Some(first), Some(last)) = (self.points.first(), self.points.last()) else {
            return "no results".to_string();
        };
        let versions = self.versions();
        let batches = self.points.iter().filter(|p| !p.drill).count();
        let one_runs = |kind| {
            (self.points.iter())
                .filter(|p| p.drill && p.kind == kind)
                .count()
        };
        let counts: Vec<String> = [
            (batches, None),
            (one_runs(RecordKind::Drill), Some(RecordKind::Drill)),
            (one_runs(RecordKind::Incident), Some(RecordKind::Incident)),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, kind)| match kind {
            None => format!("{n} batch{}", if n == 1 { "" } else { "es" }),
            Some(kind) => count_of(kind, n),
        })
        .collect();
        let mut out = format!(
            "{} of {} from {} to {}",
            and_list(&counts),
            self.scenario,
            first.key,
            last.key
        );
        if versions > 1 {
            let _ = write!(out, " across {versions} versions of the scenario");
        }
        let tested = self
            .metrics
            .iter()
            .flat_map(|m| &m.steps)
            .any(|s| s.untested.is_none());
        let changed: Vec<String> = self
            .metrics
            .iter()
            .filter_map(|m| {
                let (better, worse) = Self::changes(m);
                let name = m.metric.replace('_', " ");
                match (better, worse) {
                    (0, 0) => None,
                    (b, 0) => Some(format!("{name} got better in {b} step{}", plural(b))),
                    (0, w) => Some(format!("{name} got worse in {w} step{}", plural(w))),
                    (b, w) => Some(format!("{name} got better in {b} and worse in {w} steps")),
                }
            })
            .collect();
        out.push_str(". ");
        if !tested {
            let _ = write!(
                out,
                "No step between consecutive results could be tested (a step to or from a single {}, or across scenario versions, cannot show a change)",
                self.one_run_words().short(1)
            );
        } else if changed.is_empty() {
            out.push_str("No step between consecutive batches is a detectable change");
        } else {
            let _ = write!(out, "Detectable changes: {}", changed.join("; "));
        }
        if let Some(d) = &self.drills {
            let latest = |lower_bound: bool| {
                d.averages
                    .iter()
                    .rev()
                    .filter(|(m, _)| {
                        m.starts_with("time_to") && d.lower_bounds.contains(m) == lower_bound
                    })
                    .find_map(|(m, a)| a.map(|a| (m, a)))
            };
            // The latest milestone whose average is exact; a lower bound (a drill that did
            // not get that far) only where no time has an exact one, and said so.
            let (found, exact) = match latest(false) {
                Some(found) => (Some(found), true),
                None => (latest(true), false),
            };
            if let Some((metric, average)) = found {
                let words = self.one_run_words();
                // One is not averaged: it placed where it placed.
                let who = match d.drills {
                    1 => format!("The {} placed", words.short(1)),
                    n => format!("The {n} {} placed, on average,", words.short(n)),
                };
                let _ = write!(
                    out,
                    ". {who} {} the {} percentile of simulated runs on {}",
                    if exact { "at" } else { "at or above" },
                    ordinal(average),
                    metric.replace('_', " ")
                );
                if !exact {
                    let _ = write!(
                        out,
                        " ({}, so its percentile is a lower bound)",
                        match d.drills {
                            1 => "it did not get that far".to_string(),
                            _ => format!("not every {} reached it", words.short(1)),
                        }
                    );
                }
                if d.drills > 1 {
                    let _ = write!(
                        out,
                        " (a team playing as the model predicts averages between the {} and the {} 95% of the time)",
                        ordinal(d.chance_range[0]),
                        ordinal(d.chance_range[1])
                    );
                }
            }
        }
        out.push('.');
        out
    }

    /// The rows of the metrics table: a header (metric, then each point's key), then a row
    /// per metric whose cells after the first say whether the step into them is a detectable
    /// change.
    pub fn rows(&self) -> Vec<Vec<String>> {
        let mut rows: Vec<Vec<String>> = vec![
            std::iter::once("metric".to_string())
                .chain(self.points.iter().map(|p| p.key.clone()))
                .collect(),
        ];
        if self.versions() > 1 {
            rows.push(
                std::iter::once("scenario version".to_string())
                    .chain(self.points.iter().map(TrendPoint::version))
                    .collect(),
            );
        }
        for m in &self.metrics {
            let mut row = vec![m.metric.replace('_', " ")];
            for (i, v) in m.values.iter().enumerate() {
                let mut cell = v.cell(m.kind);
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
        rows
    }

    /// The rows of the placements table: a header (metric, each drill, average), then a row
    /// per metric; `None` without drills.
    pub fn placement_rows(&self) -> Option<Vec<Vec<String>>> {
        let summary = self.drills.as_ref()?;
        let drills: Vec<&TrendPoint> = self.points.iter().filter(|p| p.drill).collect();
        let mut rows: Vec<Vec<String>> = vec![
            std::iter::once("metric".to_string())
                .chain(drills.iter().map(|p| p.key.clone()))
                .chain((drills.len() > 1).then(|| "average".to_string()))
                .collect(),
        ];
        for (metric, average) in &summary.averages {
            let mut row = vec![metric.replace('_', " ")];
            for p in &drills {
                row.push(placement_cell(
                    p.placements.iter().find(|pl| pl.metric == metric),
                ));
            }
            if drills.len() > 1 {
                let bound = if summary.lower_bounds.contains(metric) {
                    "≥"
                } else {
                    ""
                };
                row.push(
                    average.map_or_else(|| "-".to_string(), |a| bound.to_string() + &ordinal(a)),
                );
            }
            rows.push(row);
        }
        Some(rows)
    }

    /// How many scenario versions the points ran.
    pub fn versions(&self) -> usize {
        self.points
            .iter()
            .map(|p| p.content_hash.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }

    /// The sentence under the metrics table: what "better"/"worse" mean.
    pub fn steps_note(&self) -> String {
        format!(
            "\"better\"/\"worse\" mark a step from the previous result that is a detectable change: each step between two batches of one scenario version is a `ttx compare` of the two (one test per metric, Holm across the step's metrics, family-wise error {}); unmarked steps are no detectable change, or were not tested. Over many steps about {:.0}% of steps may show a false change",
            self.alpha,
            100.0 * self.alpha
        )
    }

    /// The sentence above the placements table.
    pub fn placements_note(&self) -> Option<String> {
        let d = self.drills.as_ref()?;
        let words = self.one_run_words();
        Some(format!(
            "percentile of each {} among {} simulated runs of its own scenario version (seed {}; lower = faster than more of them, ≥ where the {} did not reach the milestone)",
            words.one,
            thousands(d.simulated_runs),
            d.seed,
            words.short(1)
        ))
    }

    /// The words for this trend's one-run records (live drills, real incidents, or both).
    pub fn one_run_words(&self) -> OneRunWords {
        OneRunWords::of(self.points.iter().filter(|p| p.drill).map(|p| p.kind))
    }

    /// The text table printed by `ttx trend`: the summary, a row per metric and a column per
    /// point, the drills' placements, the limit of what they show, and the notes.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}\n", self.summary());
        let _ = writeln!(
            out,
            "{}: {} results in order (median and 95% interval; met rates with Clopper-Pearson intervals)\n",
            self.scenario,
            self.points.len()
        );
        let rows = self.rows();
        out.push_str(&TextTable::fitted(rows[0].len()).render(&rows));
        let _ = writeln!(out, "\n{}", self.steps_note());
        if let (Some(rows), Some(note), Some(d)) =
            (self.placement_rows(), self.placements_note(), &self.drills)
        {
            let _ = writeln!(out, "\nplacements: {note}\n");
            out.push_str(&TextTable::fitted(rows[0].len()).render(&rows));
            let _ = writeln!(out, "\nlimit: {}", d.limit);
        }
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

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two drills: both acknowledged, one never recovered. The average on time to recover is
    /// a lower bound (marked in the table) and the summary names the latest exact one.
    #[test]
    fn a_drill_that_did_not_recover_makes_its_average_a_lower_bound() {
        let placed = |metric: &'static str, share: f64, censored: bool| Placement {
            metric,
            value: (!censored).then_some(30.0),
            censored_at: censored.then_some(40.0),
            percentile: Some(share),
            tied: 0.0,
            simulated_runs: 10_000,
        };
        let drill = |name: &str, recover: Placement| TrendPoint {
            name: name.to_string(),
            key: name.to_string(),
            label: None,
            date: None,
            ordered_by: OrderedBy::FileName,
            runs: 1,
            drill: true,
            kind: RecordKind::Drill,
            micro: false,
            scenario_version: "1".to_string(),
            content_hash: "h".to_string(),
            placements: vec![placed("time_to_acknowledge", 0.2, false), recover],
        };
        let points = vec![
            drill("a", placed("time_to_recover", 0.5, false)),
            drill("b", placed("time_to_recover", 0.1, true)),
        ];
        let drills = drill_summary(&points, 10_000).unwrap();
        assert_eq!(drills.lower_bounds, vec!["time_to_recover".to_string()]);
        let trend = Trend {
            format: "ttx-trend/2",
            scenario: "s".to_string(),
            alpha: 0.05,
            points,
            metrics: Vec::new(),
            drills: Some(drills),
            notes: Vec::new(),
        };
        let summary = trend.summary();
        assert!(
            summary.contains("placed, on average, at the 20th percentile of simulated runs on time to acknowledge"),
            "{summary}"
        );
        let rows = trend.placement_rows().unwrap();
        let recover = rows.iter().find(|r| r[0] == "time to recover").unwrap();
        assert_eq!(recover[1..], ["50th", "≥10th", "≥30th"]);
        let acknowledge = rows.iter().find(|r| r[0] == "time to acknowledge").unwrap();
        assert_eq!(acknowledge[3], "20th");
    }

    fn day(year: u32, month: u32, day: u32) -> Option<When> {
        Some(When {
            year,
            month,
            day,
            second: 0,
        })
    }

    #[test]
    fn quarters_read_in_every_documented_form() {
        for form in [
            "2026-Q2", "2026Q2", "2026 Q2", "2026/q2", "Q2 2026", "q2-2026", "Q2/2026", "Q2_2026",
        ] {
            assert_eq!(parse_quarter(form), day(2026, 4, 1), "{form}");
        }
        for not in [
            "2026-Q5",
            "Q0 2026",
            "Q2 26",
            "2026",
            "quarter 2",
            "2026-Q12",
        ] {
            assert_eq!(parse_quarter(not), None, "{not}");
        }
        assert!(parse_quarter("2026-Q1") < parse_quarter("2026-Q2"));
        assert!(parse_quarter("Q4 2025") < parse_quarter("2026-Q1"));
    }

    #[test]
    fn dates_and_drill_starts_read_as_times() {
        assert_eq!(parse_date("2026-12-05"), day(2026, 12, 5));
        assert_eq!(parse_date("2026-12"), day(2026, 12, 1));
        let start = parse_date("2026-12-05T09:30:15Z").unwrap();
        assert!(start > parse_date("2026-12-05").unwrap());
        assert!(start < parse_date("2026-12-05T10:00:00Z").unwrap());
        for not in [
            "2026-13-01",
            "26-12-05",
            "2026-12-5",
            "December",
            "2026-Q1",
            "",
        ] {
            assert_eq!(parse_date(not), None, "{not}");
        }
        // A December drill sorts after the second quarter (the example).
        assert!(parse_date("2026-12-05T09:00:00Z") > parse_quarter("2026-Q2"));
    }
}
