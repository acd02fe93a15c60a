//! Improvement plans: the action items an after-action review or a postmortem agrees on,
//! kept in a TOML file (`[[item]]` with an id, text, owner, due date, the metric it should
//! move and the expected effect, optionally the `ttx whatif` change that models it, a status
//! and the day it was done), and whether later results show the effect.
//!
//! A plan file is read like a scenario: TOML into raw serde types, one `[[item]]` at a time,
//! then checked into a [`Plan`] that holds only valid values, every problem reported at once
//! with `file:line:col`, what is wrong and how to fix it (unknown keys with "did you mean").
//! [`status`] judges a plan against results; [`document`] renders that judgement;
//! [`seed`] turns a report's improvement points into a plan to start from.
//!
//! Metric names are the trend's (`time_to_detect`, ..., `records_lost`,
//! `met_rate:<objective>`), so an item reads against the same values `ttx trend` shows. This
//! module computes and formats text; it never reads the clock or prints.

pub mod date;
pub mod document;
pub mod seed;
pub mod status;

use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeValue, ValueDeserializer};

use crate::compare::MetricKind;
use crate::compare::placement::RECORDS_LOST;
use crate::results::TIME_METRICS;
use crate::scenario::diagnostic::{Diagnostic, Diagnostics, suggest};
use crate::scenario::duration::{format_minutes, parse_minutes};
use date::Date;

/// Where the plan format is described, for hints.
const DOCS: &str = "docs/improvement-plans.md";

/// Keys of the plan file's top level.
const TOP_KEYS: [&str; 2] = ["title", "item"];

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Agreed, not started.
    Open,
    /// Someone is on it.
    InProgress,
    /// Done (the item says on which day).
    Done,
    /// Decided against; kept for the record.
    Dropped,
}

impl Status {
    /// Every status, as plan files write them.
    pub const NAMES: [&'static str; 4] = ["open", "in-progress", "done", "dropped"];

    /// The status as plan files write it.
    pub fn name(self) -> &'static str {
        Status::NAMES[self as usize]
    }
}

/// What an item should move: a metric by the trend's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanMetric {
    /// A time metric, `time_to_detect` ... `time_to_recover`.
    Time(&'static str),
    /// Records lost per run.
    RecordsLost,
    /// How often an objective was met (`met_rate:<objective id>`).
    MetRate(String),
}

impl PlanMetric {
    /// Reads a metric name; `Err` holds the hint.
    pub fn parse(text: &str) -> Result<PlanMetric, String> {
        if let Some(&time) = TIME_METRICS.iter().find(|&&m| m == text) {
            return Ok(PlanMetric::Time(time));
        }
        if text == RECORDS_LOST {
            return Ok(PlanMetric::RecordsLost);
        }
        if let Some(objective) = text.strip_prefix("met_rate:") {
            return match objective.trim() {
                "" => Err("name the objective: met_rate:<objective id>".to_string()),
                id => Ok(PlanMetric::MetRate(id.to_string())),
            };
        }
        let known: Vec<&str> = TIME_METRICS
            .iter()
            .copied()
            .chain([RECORDS_LOST, "met_rate:"])
            .collect();
        Err(match suggest(text, known.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!(
                "metrics are {}, or met_rate:<objective id>",
                known[..5].join(", ")
            ),
        })
    }

    /// The name, as the trend and compare write it.
    pub fn name(&self) -> String {
        match self {
            PlanMetric::Time(name) => name.to_string(),
            PlanMetric::RecordsLost => RECORDS_LOST.to_string(),
            PlanMetric::MetRate(id) => format!("met_rate:{id}"),
        }
    }

    /// What kind of metric it is (what "better" means).
    pub fn kind(&self) -> MetricKind {
        match self {
            PlanMetric::Time(_) => MetricKind::Time,
            PlanMetric::RecordsLost => MetricKind::Count,
            PlanMetric::MetRate(_) => MetricKind::MetRate,
        }
    }
}

/// A bound an expected target sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Bound {
    /// `<=`
    #[serde(rename = "<=")]
    AtMost,
    /// `<`
    #[serde(rename = "<")]
    Below,
    /// `>=`
    #[serde(rename = ">=")]
    AtLeast,
    /// `>`
    #[serde(rename = ">")]
    Above,
}

impl Bound {
    /// Whether `value` keeps the bound of `target`.
    pub fn holds(self, value: f64, target: f64) -> bool {
        match self {
            Bound::AtMost => value <= target,
            Bound::Below => value < target,
            Bound::AtLeast => value >= target,
            Bound::Above => value > target,
        }
    }

    /// Whether the bound is an upper one (`<=`, `<`).
    pub fn upper(self) -> bool {
        matches!(self, Bound::AtMost | Bound::Below)
    }
}

/// How large an expected change is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    /// Minutes (time metrics), signed.
    Minutes(f64),
    /// A count (records lost), signed.
    Count(f64),
    /// A share of the value before (`-20%`), signed.
    Relative(f64),
    /// A share of runs (met rates, `+10pp`), signed.
    Points(f64),
}

/// The effect an item is expected to have on its metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    /// The metric's median (a met rate itself) within a bound: `<= 30m`, `>= 90%`, `<= 0`.
    Target {
        /// Which bound.
        bound: Bound,
        /// Minutes, a count or a share.
        value: f64,
    },
    /// A change from before the item was done: `lower`, `higher`, `-10m`, `-20%`, `+10pp`.
    Change {
        /// Whether the metric should go down.
        lower: bool,
        /// How far, when the plan says.
        size: Option<Size>,
    },
}

impl Expected {
    /// Reads an expected effect on `metric`: an optional leading metric name (which must be
    /// the item's), then a bound and a value, a signed size, or a direction. `Err` holds the
    /// message and the hint.
    pub fn parse(text: &str, metric: &PlanMetric) -> Result<Expected, (String, String)> {
        let kind = metric.kind();
        let mut rest = text.trim();
        if let Some((first, after)) = rest.split_once(char::is_whitespace)
            && PlanMetric::parse(first).is_ok()
        {
            if first != metric.name() {
                return Err((
                    format!(
                        "the effect names `{first}` but the item's metric is `{}`",
                        metric.name()
                    ),
                    "name the item's own metric, or leave it out: expected = \"<= 30m\""
                        .to_string(),
                ));
            }
            rest = after.trim();
        }
        let examples = match kind {
            MetricKind::Time => "\"<= 30m\", \"-10m\", \"-20%\" or \"lower\"",
            MetricKind::Count => "\"<= 0\", \"-50\", \"-20%\" or \"lower\"",
            MetricKind::MetRate => "\">= 90%\", \"+10pp\" or \"higher\"",
        };
        let wrong = |message: String| Err((message, format!("write e.g. {examples}")));
        for (op, bound) in [
            ("<=", Bound::AtMost),
            (">=", Bound::AtLeast),
            ("<", Bound::Below),
            (">", Bound::Above),
        ] {
            if let Some(value) = rest.strip_prefix(op) {
                return match Self::amount(value.trim(), kind) {
                    Some(value) => Ok(Expected::Target { bound, value }),
                    None => wrong(format!(
                        "`{}` is not a {} after `{op}`",
                        value.trim(),
                        unit_words(kind)
                    )),
                };
            }
        }
        match rest {
            "lower" => {
                return Ok(Expected::Change {
                    lower: true,
                    size: None,
                });
            }
            "higher" => {
                return Ok(Expected::Change {
                    lower: false,
                    size: None,
                });
            }
            _ => {}
        }
        let (lower, magnitude) = match (rest.strip_prefix('-'), rest.strip_prefix('+')) {
            (Some(m), _) => (true, m.trim()),
            (_, Some(m)) => (false, m.trim()),
            _ => return wrong(format!("cannot read `{rest}` as an expected effect")),
        };
        let sign = if lower { -1.0 } else { 1.0 };
        let size = match kind {
            MetricKind::MetRate => magnitude
                .strip_suffix("pp")
                .and_then(|n| n.trim().parse::<f64>().ok())
                .filter(|n| n.is_finite() && *n > 0.0 && *n <= 100.0)
                .map(|n| Size::Points(sign * n / 100.0)),
            _ => match magnitude.strip_suffix('%') {
                Some(n) => n
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite() && *n > 0.0 && (*n <= 100.0 || !lower))
                    .map(|n| Size::Relative(sign * n / 100.0)),
                None => Self::amount(magnitude, kind)
                    .filter(|n| *n > 0.0)
                    .map(|n| match kind {
                        MetricKind::Time => Size::Minutes(sign * n),
                        _ => Size::Count(sign * n),
                    }),
            },
        };
        match size {
            Some(size) => Ok(Expected::Change {
                lower,
                size: Some(size),
            }),
            None if kind == MetricKind::MetRate => wrong(format!(
                "`{rest}`: a change of a met rate is in percentage points, e.g. +10pp"
            )),
            None => wrong(format!("cannot read `{rest}` as a change")),
        }
    }

    /// Minutes (times), a count, or a share (`90%` or `0.9`) of a met rate.
    fn amount(text: &str, kind: MetricKind) -> Option<f64> {
        match kind {
            MetricKind::Time => parse_minutes(text).ok(),
            MetricKind::Count => text.parse::<f64>().ok().filter(|n| *n >= 0.0),
            MetricKind::MetRate => match text.strip_suffix('%') {
                Some(n) => n.trim().parse::<f64>().ok().map(|n| n / 100.0),
                None => text.parse::<f64>().ok(),
            }
            .filter(|n| (0.0..=1.0).contains(n)),
        }
    }

    /// Whether a result moving by `delta` (after minus before), or to `after` from `before`,
    /// is at least the expected size. `None` when no size was given.
    pub fn size_reached(&self, before: f64, after: f64) -> Option<bool> {
        let Expected::Change {
            size: Some(size), ..
        } = self
        else {
            return None;
        };
        let (delta, wanted) = match *size {
            Size::Minutes(m) => (after - before, m),
            Size::Count(c) => (after - before, c),
            Size::Points(p) => (after - before, p),
            Size::Relative(r) if before > 0.0 => ((after - before) / before, r),
            Size::Relative(_) => return Some(false),
        };
        Some(if wanted < 0.0 {
            delta <= wanted
        } else {
            delta >= wanted
        })
    }

    /// The size in words (`10m`, `20%`, `10 percentage points`), if any.
    pub fn size_text(&self) -> Option<String> {
        let Expected::Change {
            size: Some(size), ..
        } = self
        else {
            return None;
        };
        Some(match *size {
            Size::Minutes(m) => format_minutes(m.abs()),
            Size::Count(c) => format!("{:.0}", c.abs()),
            Size::Relative(r) => format!("{:.0}%", 100.0 * r.abs()),
            Size::Points(p) => format!("{:.0} percentage points", 100.0 * p.abs()),
        })
    }
}

fn unit_words(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Time => "duration (e.g. 30m)",
        MetricKind::Count => "count of at least 0",
        MetricKind::MetRate => "share (e.g. 90% or 0.9)",
    }
}

/// One action item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Identifier, unique in the plan.
    pub id: String,
    /// What to do.
    pub text: String,
    /// Who owns it (a person or a role; `TBD` until agreed).
    pub owner: String,
    /// When it is due; an item without one is never overdue.
    pub due: Option<Date>,
    /// The metric it should move (the trend's name), if it has one.
    pub metric: Option<String>,
    /// The expected effect as written.
    pub expected_text: Option<String>,
    /// The expected effect, read.
    #[serde(skip)]
    pub expected: Option<Expected>,
    /// The `ttx whatif` change that models it (`NAME: KEY=VALUE, ...`).
    pub whatif: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// The day it was done (status `done` only).
    pub done: Option<Date>,
    /// Its `[[item]]` line in the plan file.
    pub line: usize,
}

impl Item {
    /// The metric, read (it was checked when the plan was read).
    pub fn plan_metric(&self) -> Option<PlanMetric> {
        self.metric
            .as_deref()
            .and_then(|m| PlanMetric::parse(m).ok())
    }
}

/// A checked improvement plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The plan's title, if it has one.
    pub title: Option<String>,
    /// The items, in file order.
    pub items: Vec<Item>,
}

/// Why a plan could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file could not be read.
    #[error("could not read plan '{path}'")]
    Io {
        /// The path given.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid plan.
    #[error("{}", .diagnostics.render(.path, .source_text))]
    Invalid {
        /// The path given.
        path: String,
        /// The file's text.
        source_text: String,
        /// Every problem found.
        diagnostics: Diagnostics,
    },
}

/// A date as a plan writes it: a string (`due = "2026-03-31"`) or a TOML date
/// (`due = 2026-03-31`), kept as its text until checked.
#[derive(Debug, Clone)]
struct DateText(String);

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = DateText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a date, YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateText, E> {
                Ok(DateText(v.to_string()))
            }
            // TOML dates reach serde as a one-entry map holding their text.
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<DateText, A::Error> {
                let Some((_, text)) = map.next_entry::<String, String>()? else {
                    return Err(serde::de::Error::custom("expected a date, YYYY-MM-DD"));
                };
                Ok(DateText(text))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// One `[[item]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    text: String,
    owner: String,
    due: Option<Spanned<DateText>>,
    metric: Option<Spanned<String>>,
    expected: Option<Spanned<String>>,
    whatif: Option<Spanned<String>>,
    #[serde(default = "open")]
    status: Spanned<Status>,
    done: Option<Spanned<DateText>>,
}

fn open() -> Spanned<Status> {
    Spanned::new(0..0, Status::Open)
}

/// Reads and checks a plan file.
pub fn load(path: &Path) -> Result<Plan, PlanError> {
    let shown = path.display().to_string();
    let bytes = crate::input::read(path, crate::input::InputKind::Plan).map_err(|source| {
        PlanError::Io {
            path: shown.clone(),
            source,
        }
    })?;
    let source = String::from_utf8(bytes).map_err(|e| PlanError::Io {
        path: shown.clone(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })?;
    from_str(&shown, &source)
}

/// Checks plan text, reporting positions against `path`.
pub fn from_str(path: &str, source: &str) -> Result<Plan, PlanError> {
    let mut diagnostics = Diagnostics::default();
    let plan = check(source, &mut diagnostics);
    diagnostics.sort();
    match plan {
        Some(plan) if !diagnostics.has_errors() => Ok(plan),
        _ => Err(PlanError::Invalid {
            path: path.to_string(),
            source_text: source.to_string(),
            diagnostics,
        }),
    }
}

fn check(source: &str, diagnostics: &mut Diagnostics) -> Option<Plan> {
    let document = crate::scenario::compile::parse_toml(source, diagnostics)?;
    let mut plan = Plan {
        title: None,
        items: Vec::new(),
    };
    let mut seen_items = false;
    for (key, value) in document.into_inner() {
        let span = value.span();
        match key.get_ref().as_ref() {
            "title" => match value.get_ref().as_str() {
                Some(title) => plan.title = Some(title.to_string()),
                None => diagnostics.push(
                    Diagnostic::error(Some(span), "title", "the title is a string")
                        .with_hint("write title = \"Q3 2026 lead sync review\""),
                ),
            },
            "item" => {
                seen_items = true;
                let DeValue::Array(entries) = value.into_inner() else {
                    diagnostics.push(
                        Diagnostic::error(Some(span), "item", "`item` is a list of tables")
                            .with_hint("write each item under its own [[item]] header"),
                    );
                    continue;
                };
                for (i, entry) in entries.into_iter().enumerate() {
                    let entry_span = entry.span();
                    let path = format!("item[{i}]");
                    match RawItem::deserialize(ValueDeserializer::from(entry)) {
                        Ok(raw) => {
                            if let Some(item) =
                                check_item(raw, &path, source, &plan.items, diagnostics)
                            {
                                plan.items.push(item);
                            }
                        }
                        Err(error) => diagnostics.push(shape(
                            error.message(),
                            error.span().unwrap_or(entry_span),
                            &path,
                        )),
                    }
                }
            }
            other => diagnostics.push(
                Diagnostic::error(Some(key.span()), "", format!("unknown key `{other}`"))
                    .with_suggestion(other, TOP_KEYS)
                    .with_hint_if_none(format!(
                        "a plan holds a title and [[item]] entries; see {DOCS}"
                    )),
            ),
        }
    }
    if !seen_items {
        diagnostics.push(
            Diagnostic::error(None, "", "the plan has no [[item]]").with_hint(format!(
                "add [[item]] entries with id, text and owner; see {DOCS}"
            )),
        );
    }
    Some(plan)
}

/// A serde message about an item's shape as a diagnostic: unknown keys and values with "did
/// you mean", missing keys with what to add.
fn shape(message: &str, span: Range<usize>, path: &str) -> Diagnostic {
    let message = message.trim();
    for (prefix, what) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (wrong, expected) = rest.split_once('`').unwrap_or((rest, ""));
            let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            return Diagnostic::error(Some(span), path, format!("unknown {what} `{wrong}`"))
                .with_suggestion(wrong, known.iter().copied())
                .with_hint_if_none(format!("known {what}s here: {}", known.join(", ")));
        }
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        return Diagnostic::error(Some(span), path, format!("missing key `{key}`"))
            .with_hint(format!("add `{key} = ...` to the item; see {DOCS}"));
    }
    Diagnostic::error(
        Some(span),
        path,
        message.replace("invalid type: ", "wrong type: "),
    )
    .with_hint(format!("see {DOCS} for the expected value"))
}

/// Checks the values of one item; `None` (with diagnostics) when one is wrong.
fn check_item(
    raw: RawItem,
    path: &str,
    source: &str,
    earlier: &[Item],
    diagnostics: &mut Diagnostics,
) -> Option<Item> {
    let before = diagnostics.0.len();
    let mut error = |span: Range<usize>, key: &str, message: String, hint: String| {
        diagnostics
            .push(Diagnostic::error(Some(span), format!("{path}.{key}"), message).with_hint(hint));
    };
    let id = raw.id.get_ref().trim().to_string();
    if id.is_empty() {
        error(
            raw.id.span(),
            "id",
            "an item's id is empty".into(),
            "give it a short id, e.g. id = \"faster-detect\"".into(),
        );
    } else if let Some(other) = earlier.iter().find(|i| i.id == id) {
        error(
            raw.id.span(),
            "id",
            format!("the id `{id}` is taken by the item on line {}", other.line),
            "give each item its own id".into(),
        );
    }
    let mut date = |value: &Option<Spanned<DateText>>, key: &str| -> Option<Date> {
        let value = value.as_ref()?;
        let parsed = Date::parse(value.get_ref().0.trim());
        if parsed.is_none() {
            error(
                value.span(),
                key,
                format!("`{}` is not a date", value.get_ref().0),
                "write a day as YYYY-MM-DD, e.g. \"2026-03-31\"".into(),
            );
        }
        parsed
    };
    let due = date(&raw.due, "due");
    let done = date(&raw.done, "done");
    let status = *raw.status.get_ref();
    match (status, &raw.done) {
        (Status::Done, None) => error(
            raw.status.span(),
            "status",
            "a done item needs the day it was done".into(),
            "add done = \"YYYY-MM-DD\": later results are read against it".into(),
        ),
        (Status::Open | Status::InProgress | Status::Dropped, Some(value)) => error(
            value.span(),
            "done",
            format!(
                "`done` is for done items, and this one is {}",
                status.name()
            ),
            "set status = \"done\", or remove `done`".into(),
        ),
        _ => {}
    }
    let metric = raw
        .metric
        .as_ref()
        .and_then(|m| match PlanMetric::parse(m.get_ref().trim()) {
            Ok(metric) => Some(metric),
            Err(hint) => {
                error(
                    m.span(),
                    "metric",
                    format!("unknown metric `{}`", m.get_ref()),
                    hint,
                );
                None
            }
        });
    let expected = match (&raw.expected, &raw.metric, &metric) {
        (Some(e), _, Some(metric)) => match Expected::parse(e.get_ref(), metric) {
            Ok(expected) => Some(expected),
            Err((message, hint)) => {
                error(e.span(), "expected", message, hint);
                None
            }
        },
        (Some(e), None, _) => {
            error(
                e.span(),
                "expected",
                "an expected effect needs the metric it is on".into(),
                "add metric = \"time_to_detect\" (or another metric; see the docs)".into(),
            );
            None
        }
        _ => None,
    };
    if let Some(w) = &raw.whatif
        && let Err(message) = check_whatif(w.get_ref())
    {
        error(
            w.span(),
            "whatif",
            message,
            "write NAME: KEY=VALUE, KEY=VALUE with the key paths of `ttx sweep --set`, e.g. \"faster-monitor: detectors.zap-error-email.latency.mean=5m\"".into(),
        );
    }
    if diagnostics.0.len() > before {
        return None;
    }
    let line = crate::scenario::diagnostic::line_col(source, raw.id.span().start).0;
    Some(Item {
        id,
        text: raw.text,
        owner: raw.owner,
        due,
        metric: metric.map(|m| m.name()),
        expected_text: raw.expected.map(|e| e.into_inner().trim().to_string()),
        expected,
        whatif: raw.whatif.map(|w| w.into_inner()),
        status,
        done,
        line,
    })
}

/// Checks the shape of a whatif change, `NAME: KEY=VALUE[, KEY=VALUE...]`: a name, and a first
/// override whose key path reads as `ttx sweep --set` reads it (`ttx whatif` checks the rest
/// against the scenario when it runs).
fn check_whatif(text: &str) -> Result<(), String> {
    let Some((name, overrides)) = text.split_once(':') else {
        return Err(format!("`{text}` has no `NAME:` before its overrides"));
    };
    if name.trim().is_empty() {
        return Err("the change has no name before `:`".to_string());
    }
    let first = overrides.split(',').next().unwrap_or("").trim();
    first
        .parse::<crate::scenario::set::Setting>()
        .map(|_| ())
        .map_err(|e| format!("`{first}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(source: &str) -> String {
        match from_str("p.toml", source) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn expected_effects_read_per_metric_kind() {
        let time = PlanMetric::Time("time_to_detect");
        assert_eq!(
            Expected::parse("time_to_detect <= 30m", &time),
            Ok(Expected::Target {
                bound: Bound::AtMost,
                value: 30.0
            })
        );
        assert_eq!(
            Expected::parse("-10m", &time),
            Ok(Expected::Change {
                lower: true,
                size: Some(Size::Minutes(-10.0))
            })
        );
        assert_eq!(
            Expected::parse("-20%", &time),
            Ok(Expected::Change {
                lower: true,
                size: Some(Size::Relative(-0.2))
            })
        );
        assert!(Expected::parse("time_to_recover <= 30m", &time).is_err());
        let rate = PlanMetric::MetRate("detect-fast".into());
        assert_eq!(
            Expected::parse(">= 90%", &rate),
            Ok(Expected::Target {
                bound: Bound::AtLeast,
                value: 0.9
            })
        );
        assert!(Expected::parse("+10%", &rate).is_err());
        assert!(Expected::parse("+10pp", &rate).is_ok());
        assert!(Expected::parse("<= 2 records", &PlanMetric::RecordsLost).is_err());
        let faster = Expected::parse("-10m", &time).unwrap();
        assert_eq!(faster.size_reached(30.0, 19.0), Some(true));
        assert_eq!(faster.size_reached(30.0, 25.0), Some(false));
    }

    #[test]
    fn every_mistake_in_a_plan_is_reported_with_its_line_and_a_hint() {
        let text = "title = \"q3\"\n[[item]]\nid = \"a\"\ntext = \"t\"\nownr = \"x\"\n\n[[item]]\nid = \"b\"\ntext = \"t\"\nowner = \"x\"\nstatus = \"finished\"\n\n[[item]]\nid = \"c\"\ntext = \"t\"\nowner = \"x\"\ndue = \"2026-02-30\"\nmetric = \"time_to_detetc\"\nexpected = \"<= 30m\"\nstatus = \"done\"\n";
        let out = errors(text);
        assert!(
            out.contains("p.toml:5:1: item[0]: unknown key `ownr`"),
            "{out}"
        );
        assert!(out.contains("did you mean `owner`?"), "{out}");
        assert!(
            out.contains("p.toml:11:10: item[1]: unknown value `finished`"),
            "{out}"
        );
        assert!(
            out.contains("p.toml:17:7: item[2].due: `2026-02-30` is not a date"),
            "{out}"
        );
        assert!(
            out.contains("item[2].metric: unknown metric `time_to_detetc`"),
            "{out}"
        );
        assert!(out.contains("did you mean `time_to_detect`?"), "{out}");
        assert!(
            out.contains("a done item needs the day it was done"),
            "{out}"
        );
    }

    #[test]
    fn a_valid_plan_keeps_every_field() {
        let plan = from_str(
            "p.toml",
            "[[item]]\nid = \"a\"\ntext = \"t\"\nowner = \"x\"\ndue = \"2026-03-31\"\nmetric = \"met_rate:detect-fast\"\nexpected = \">= 90%\"\nwhatif = \"faster: detectors.d.latency.mean=5m\"\nstatus = \"done\"\ndone = 2026-03-20\n",
        )
        .unwrap();
        let item = &plan.items[0];
        assert_eq!(item.due, Date::parse("2026-03-31"));
        assert_eq!(item.done, Date::parse("2026-03-20"));
        assert_eq!(item.status, Status::Done);
        assert_eq!(item.metric.as_deref(), Some("met_rate:detect-fast"));
        assert_eq!(item.line, 2);
        assert!(
            errors("[[item]]\nid = \"a\"\ntext = \"t\"\nowner = \"x\"\nwhatif = \"no colon\"\n")
                .contains("has no `NAME:`")
        );
    }
}
