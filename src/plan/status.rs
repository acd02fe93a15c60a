//! Where a plan stands on a given day, and whether later results show what its done items were
//! expected to do.
//!
//! **Overdue** items are open or in progress with a due date before today. **Done** items with
//! a metric and an expected effect are read against the results dated after their done date:
//! a result's moment is a live drill's start, else its label as the trend reads it (a quarter
//! from its first day, a date from that day); results without one are left out (a note says
//! so). Only results from the day after the done date count as "after".
//!
//! The results are put in order and valued by [`crate::compare::trend`], so an item reads the
//! same medians, met rates and intervals as `ttx trend`, and the judgement keeps its honesty:
//!
//! - a **target** (`<= 30m`, `>= 90%`) is shown by the latest later batch when the whole 95%
//!   interval of its median (or met rate) keeps the bound; a median inside the bound with an
//!   interval reaching past it is not shown at that size;
//! - a **change** (`lower`, `-10m`, `-20%`, `+10pp`) is shown when `ttx compare` of the latest
//!   batch before the done date and the latest after it calls the metric better (one test per
//!   metric, Holm across metrics) and the change of the median reaches the expected size; a
//!   comparison whose sizes can never give a verdict says so instead of "not shown";
//! - live drills are one sample each: they are placed among simulated runs and reported, but
//!   can never show an effect alone.

use serde::Serialize;

use super::date::Date;
use super::{Bound, Expected, Item, Plan, Status};
use crate::compare::placement::ordinal;
use crate::compare::render::{show, signed};
use crate::compare::trend::{self, Trend, TrendPoint, When, parse_date, parse_quarter};
use crate::compare::{
    CompareError, CompareOptions, MetricKind, OneRunWords, Verdict, compare_metrics, unreachable,
};
use crate::results::{RecordKind, Results};
use crate::stats::uniform::mean_interval;

/// The JSON format name of a plan's status.
pub const STATUS_FORMAT: &str = "ttx-plan-status/1";

/// Where an item stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Open or in progress, past its due date.
    Overdue,
    /// In progress, not yet due.
    InProgress,
    /// Open, not yet due (or without a due date).
    Open,
    /// Done.
    Done,
    /// Dropped.
    Dropped,
}

impl Standing {
    /// How it reads in tables.
    pub fn text(self) -> &'static str {
        match self {
            Standing::Overdue => "overdue",
            Standing::InProgress => "in progress",
            Standing::Open => "open",
            Standing::Done => "done",
            Standing::Dropped => "dropped",
        }
    }
}

/// What later results say about a done item's expected effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Later results show the expected effect.
    Shown,
    /// Later results were judged and do not show it.
    NotShown,
    /// The later results cannot tell (only drills, sizes too small for any verdict, no
    /// batch before to compare with).
    CannotTell,
    /// No result is dated after the done date.
    NoLaterResults,
    /// The item names no metric or no expected effect.
    NotStated,
}

impl Effect {
    /// How it reads in tables.
    pub fn text(self) -> &'static str {
        match self {
            Effect::Shown => "shown",
            Effect::NotShown => "not shown",
            Effect::CannotTell => "cannot tell",
            Effect::NoLaterResults => "no later results",
            Effect::NotStated => "no effect stated",
        }
    }
}

/// One item on the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStatus {
    /// The item as the plan says it.
    pub item: Item,
    /// Where it stands.
    pub standing: Standing,
    /// Days past its due date, when overdue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_overdue: Option<i64>,
    /// For a done item: what later results show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
    /// The results the judgement read (their keys, as the trend shows them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub read: Vec<String>,
    /// The judgement in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// One result as the plan reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultPoint {
    /// File name.
    pub name: String,
    /// What it is shown as (label, drill day or file name).
    pub key: String,
    /// Whether it is a one-run record: a live drill or a real incident (`kind`).
    pub drill: bool,
    /// Which of the two a one-run record is; left out for drills and batches.
    #[serde(skip_serializing_if = "RecordKind::is_drill")]
    pub kind: RecordKind,
    /// Runs.
    pub runs: u64,
    /// Whether it has a moment to compare with done dates.
    pub dated: bool,
}

/// A plan's status on a day, against results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanStatus {
    /// [`STATUS_FORMAT`].
    pub format: &'static str,
    /// The plan's title.
    pub title: Option<String>,
    /// The day it was judged on.
    pub today: Date,
    /// The results' scenario, when there are results.
    pub scenario: Option<String>,
    /// The results, in the trend's order.
    pub results: Vec<ResultPoint>,
    /// Every item: overdue first, then in progress, open, done, dropped (plan order within).
    pub items: Vec<ItemStatus>,
    /// What a reader should know.
    pub notes: Vec<String>,
}

/// What a plan is judged with.
#[derive(Debug, Clone, Copy)]
pub struct StatusOptions {
    /// The day to judge due dates on.
    pub today: Date,
    /// How results are ordered and compared (as `ttx trend` and `ttx compare` do).
    pub compare: CompareOptions,
}

/// One result with its moment and its place in the trend.
struct Dated<'a> {
    point: &'a TrendPoint,
    results: &'a Results,
    when: Option<When>,
}

/// Judges `plan` on `options.today` against `items` (file name, results).
pub fn status(
    plan: &Plan,
    items: Vec<(String, Results)>,
    options: &StatusOptions,
) -> Result<PlanStatus, CompareError> {
    let kept = items.clone();
    let trend = trend::trend(items, &options.compare)?;
    let dated: Vec<Dated> = trend
        .points
        .iter()
        .filter_map(|point| {
            let (_, results) = kept.iter().find(|(name, _)| *name == point.name)?;
            Some(Dated {
                point,
                results,
                when: moment(results),
            })
        })
        .collect();
    let mut notes = trend.notes.clone();
    let undated: Vec<&str> = dated
        .iter()
        .filter(|d| d.when.is_none())
        .map(|d| d.point.key.as_str())
        .collect();
    if !undated.is_empty() {
        notes.push(format!(
            "{} ha{} no date, so no done item reads {}: label results with a quarter or a date (`ttx run --label 2026-07-20`)",
            undated.join(", "),
            if undated.len() == 1 { "s" } else { "ve" },
            if undated.len() == 1 { "it" } else { "them" }
        ));
    }
    let mut statuses: Vec<ItemStatus> = plan
        .items
        .iter()
        .map(|item| judge(item, &trend, &dated, options))
        .collect();
    statuses.sort_by_key(|s| s.standing);
    Ok(PlanStatus {
        format: STATUS_FORMAT,
        title: plan.title.clone(),
        today: options.today,
        scenario: (!trend.points.is_empty()).then(|| trend.scenario.clone()),
        results: dated
            .iter()
            .map(|d| ResultPoint {
                name: d.point.name.clone(),
                key: d.point.key.clone(),
                drill: d.point.drill,
                kind: d.point.kind,
                runs: d.point.runs,
                dated: d.when.is_some(),
            })
            .collect(),
        items: statuses,
        notes,
    })
}

/// When a result happened: a drill's start, else its label as a quarter or a date.
fn moment(results: &Results) -> Option<When> {
    let label = results.label.as_deref();
    results
        .drill
        .as_ref()
        .and_then(|d| parse_date(&d.started))
        .or_else(|| label.and_then(parse_quarter))
        .or_else(|| label.and_then(parse_date))
}

fn judge(item: &Item, trend: &Trend, dated: &[Dated], options: &StatusOptions) -> ItemStatus {
    let overdue = item
        .due
        .map(|due| due.days_until(options.today))
        .filter(|&days| days > 0 && matches!(item.status, Status::Open | Status::InProgress));
    let standing = match item.status {
        _ if overdue.is_some() => Standing::Overdue,
        Status::Open => Standing::Open,
        Status::InProgress => Standing::InProgress,
        Status::Done => Standing::Done,
        Status::Dropped => Standing::Dropped,
    };
    let mut status = ItemStatus {
        item: item.clone(),
        standing,
        days_overdue: overdue,
        effect: None,
        read: Vec::new(),
        evidence: None,
    };
    if let (Status::Done, Some(done)) = (item.status, item.done) {
        let (effect, read, evidence) = effect(item, done, trend, dated, options);
        status.effect = Some(effect);
        status.read = read;
        status.evidence = Some(evidence);
    }
    status
}

/// What later results say about a done item: the effect, the keys read, the words.
fn effect(
    item: &Item,
    done: Date,
    trend: &Trend,
    dated: &[Dated],
    options: &StatusOptions,
) -> (Effect, Vec<String>, String) {
    let (Some(metric), Some(expected)) = (item.plan_metric(), item.expected) else {
        return (
            Effect::NotStated,
            Vec::new(),
            "the item names no metric and expected effect, so no result can show it".into(),
        );
    };
    let name = metric.name();
    let Some(trend_metric) = trend.metrics.iter().find(|m| m.metric == name) else {
        let objectives: Vec<&str> = trend
            .metrics
            .iter()
            .filter_map(|m| m.metric.strip_prefix("met_rate:"))
            .collect();
        return (
            Effect::CannotTell,
            Vec::new(),
            format!(
                "the results have no metric `{name}` (their objectives: {})",
                if objectives.is_empty() {
                    "none".to_string()
                } else {
                    objectives.join(", ")
                }
            ),
        );
    };
    // From the day after the done date: a result labelled with the done day itself may
    // have run before the change.
    let from = done.add_days(1).when();
    let position = |d: &Dated| trend.points.iter().position(|p| p.name == d.point.name);
    let after: Vec<&Dated> = dated
        .iter()
        .filter(|d| d.when.is_some_and(|w| w >= from))
        .collect();
    let before: Vec<&Dated> = dated
        .iter()
        .filter(|d| d.when.is_some_and(|w| w < done.when()))
        .collect();
    if after.is_empty() {
        return (
            Effect::NoLaterResults,
            Vec::new(),
            format!(
                "no results are dated after {done}; run the next drill or batch with a label (`--label 2026-Q3`) and check again"
            ),
        );
    }
    let kind = trend_metric.kind;
    let label = name.replace('_', " ");
    let later_batch = after.iter().rev().find(|d| !d.point.drill);
    let value_at = |d: &Dated| position(d).and_then(|i| trend_metric.values.get(i));
    let drills: Vec<&&Dated> = after.iter().filter(|d| d.point.drill).collect();
    let drill_words = || drill_words(&drills, &name, kind, &label, value_at);
    match expected {
        Expected::Target { bound, value } => {
            let target = format!("{} {}", bound_text(bound), show(kind, value));
            let Some(batch) = later_batch else {
                return (
                    Effect::CannotTell,
                    keys(&drills),
                    drill_words() + &format!(" (target {target})"),
                );
            };
            let Some(point) = value_at(batch).filter(|p| p.value.is_some()) else {
                return (
                    Effect::CannotTell,
                    vec![batch.point.key.clone()],
                    format!("{}: no run reached a value of {label}", batch.point.key),
                );
            };
            let median = point.value.unwrap_or_default();
            let what = if kind == MetricKind::MetRate {
                format!("{label} {}", show(kind, median))
            } else {
                format!("median {label} {}", show(kind, median))
            };
            let stated = format!("{}: {what}{}", batch.point.key, point.interval_text(kind));
            let (effect, words) = match point.interval {
                _ if !bound.holds(median, value) => (
                    Effect::NotShown,
                    format!("{stated}, outside the target {target}"),
                ),
                Some([low, high]) => {
                    let far = if bound.upper() { high } else { low };
                    if bound.holds(far, value) {
                        (
                            Effect::Shown,
                            format!("{stated}: the whole 95% interval keeps the target {target}"),
                        )
                    } else {
                        (
                            Effect::NotShown,
                            format!(
                                "{stated}: inside the target {target}, but its 95% interval reaches past it, so this many runs do not show it"
                            ),
                        )
                    }
                }
                None if kind == MetricKind::Count => (
                    Effect::Shown,
                    format!(
                        "{stated}, inside the target {target} (records lost have no interval of the median)"
                    ),
                ),
                None => (
                    Effect::CannotTell,
                    format!(
                        "{stated}: inside the target {target}, but with no 95% interval at this size"
                    ),
                ),
            };
            (effect, vec![batch.point.key.clone()], words)
        }
        Expected::Change { lower, .. } => {
            let earlier_batch = before.iter().rev().find(|d| !d.point.drill);
            let (Some(first), Some(second)) = (earlier_batch, later_batch) else {
                let mut words = if drills.is_empty() {
                    String::new()
                } else {
                    drill_words() + ". "
                };
                words.push_str(&format!(
                    "A change needs a batch before {done} and one after it to compare; {}",
                    if earlier_batch.is_none() {
                        "there is none before"
                    } else {
                        "there is none after"
                    }
                ));
                let read = keys(&drills);
                return (Effect::CannotTell, read, words);
            };
            let read = vec![first.point.key.clone(), second.point.key.clone()];
            let compare_options = CompareOptions {
                resamples: 0,
                ..options.compare
            };
            let judged = compare_metrics(first.results, second.results, &compare_options);
            let Some(m) = judged.iter().find(|m| m.metric == name) else {
                return (
                    Effect::CannotTell,
                    read,
                    format!("{} has no `{name}` to compare", second.point.key),
                );
            };
            let (from_value, to_value) = match (kind, &m.median, m.rates) {
                (MetricKind::MetRate, _, Some([a, b])) => (Some(a), Some(b)),
                (_, Some(q), _) => (q.first, q.second),
                _ => (None, None),
            };
            let moved = match (from_value, to_value) {
                (Some(a), Some(b)) => format!(
                    "{} from {} to {} ({})",
                    if kind == MetricKind::MetRate {
                        label.clone()
                    } else {
                        format!("median {label}")
                    },
                    show(kind, a),
                    show(kind, b),
                    signed(kind, b - a)
                ),
                _ => format!("{label} has no value on one side"),
            };
            let revised = if first.results.scenario.content_hash
                != second.results.scenario.content_hash
            {
                format!(
                    " (the scenario was revised between them, v{} to v{}: the change is what the revised model predicts)",
                    first.results.scenario.version, second.results.scenario.version
                )
            } else {
                String::new()
            };
            let head = format!(
                "{} to {}: {moved}{revised}",
                first.point.key, second.point.key
            );
            let better = matches!(kind, MetricKind::MetRate) != lower;
            let wanted = if better {
                Verdict::Better
            } else {
                Verdict::Worse
            };
            let size = expected.size_text();
            let reached = match (from_value, to_value) {
                (Some(a), Some(b)) => expected.size_reached(a, b),
                _ => None,
            };
            match m.verdict {
                v if v == wanted => match (reached, size.clone()) {
                    (Some(false), Some(size)) => (
                        Effect::NotShown,
                        read,
                        format!(
                            "{head}: a detectable change the expected way, but short of the expected {size}"
                        ),
                    ),
                    _ => (
                        Effect::Shown,
                        read,
                        format!(
                            "{head}: a detectable change the expected way (`ttx compare`, Holm across metrics){}",
                            size.map_or_else(String::new, |s| format!(
                                ", at least the expected {s}"
                            ))
                        ),
                    ),
                },
                Verdict::Better | Verdict::Worse => (
                    Effect::NotShown,
                    read,
                    format!(
                        "{head}: a detectable change the other way ({})",
                        m.verdict.text()
                    ),
                ),
                Verdict::NotTested => (
                    Effect::CannotTell,
                    read,
                    format!("{head}: too little data for a test"),
                ),
                Verdict::NoDetectableChange => match unreachable(&judged, options.compare.alpha) {
                    Some(limit) => (Effect::CannotTell, read, format!("{head}: {limit}")),
                    None => (
                        Effect::NotShown,
                        read,
                        format!("{head}: no detectable change"),
                    ),
                },
            }
        }
    }
}

fn keys(drills: &[&&Dated]) -> Vec<String> {
    drills.iter().map(|d| d.point.key.clone()).collect()
}

fn bound_text(bound: Bound) -> &'static str {
    match bound {
        Bound::AtMost => "<=",
        Bound::Below => "<",
        Bound::AtLeast => ">=",
        Bound::Above => ">",
    }
}

/// What the live drills (or real incidents) after the done date say: each one's value and
/// placement, and that one is one sample.
fn drill_words<'a>(
    drills: &[&&'a Dated<'a>],
    name: &str,
    kind: MetricKind,
    label: &str,
    value_at: impl Fn(&Dated) -> Option<&'a trend::PointValue>,
) -> String {
    if drills.is_empty() {
        return "no batch after the done date, and no drill or incident".to_string();
    }
    let each: Vec<String> = drills
        .iter()
        .map(|d| {
            let value = value_at(d).map_or("-".to_string(), |v| v.value_text(kind));
            let placed = d
                .point
                .placements
                .iter()
                .find(|p| p.metric == name)
                .and_then(|p| p.percentile.map(|share| (share, p.bound_mark())))
                .map_or_else(String::new, |(share, bound)| {
                    format!(", {bound}{} percentile", ordinal(share))
                });
            format!("{} {value}{placed}", d.point.key)
        })
        .collect();
    let k = drills.len() as u64;
    let one_runs = OneRunWords::of(drills.iter().map(|d| d.point.kind));
    let mut words = format!(
        "only {} after the done date ({label}: {}); ",
        one_runs.many,
        each.join("; ")
    );
    match mean_interval(k, 0.95) {
        Some([low, high]) if k > 1 => words.push_str(&format!(
            "{k} {} are {k} samples: a team playing as the model predicts averages between the {} and the {} percentile, and no {} can show a change alone",
            one_runs.short(k),
            ordinal(low),
            ordinal(high),
            one_runs.short(1)
        )),
        _ => words.push_str(&format!(
            "one {} is one sample and cannot show an effect",
            one_runs.short(1)
        )),
    }
    words
}

impl PlanStatus {
    /// Items in a standing.
    pub fn count(&self, standing: Standing) -> usize {
        self.items.iter().filter(|s| s.standing == standing).count()
    }

    /// Done items with an effect.
    pub fn count_effect(&self, effect: Effect) -> usize {
        self.items
            .iter()
            .filter(|s| s.effect == Some(effect))
            .count()
    }

    /// The status in one sentence.
    pub fn summary(&self) -> String {
        let done = self.count(Standing::Done);
        let mut out = format!(
            "{} item{} on {}: {} overdue, {} in progress, {} open, {} done, {} dropped",
            self.items.len(),
            if self.items.len() == 1 { "" } else { "s" },
            self.today,
            self.count(Standing::Overdue),
            self.count(Standing::InProgress),
            self.count(Standing::Open),
            done,
            self.count(Standing::Dropped),
        );
        if done > 0 {
            let parts: Vec<String> = [
                Effect::Shown,
                Effect::NotShown,
                Effect::CannotTell,
                Effect::NoLaterResults,
                Effect::NotStated,
            ]
            .iter()
            .map(|&e| (e, self.count_effect(e)))
            .filter(|(_, n)| *n > 0)
            .map(|(e, n)| format!("{n} {}", e.text()))
            .collect();
            out.push_str(&format!(
                ". Of the done items, the results since show the expected effect: {}",
                parts.join(", ")
            ));
        }
        out.push('.');
        out
    }

    /// The JSON form (pretty-printed, newline-terminated).
    pub fn json(&self) -> String {
        crate::compare::render::pretty_json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standing_orders_overdue_first() {
        assert!(Standing::Overdue < Standing::InProgress);
        assert!(Standing::Open < Standing::Done);
    }
}
