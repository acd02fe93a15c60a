//! What would an action item buy? `ttx whatif` runs candidate changes of a scenario (each a
//! named set of `--set`-style overrides, see [`crate::scenario::set`]) against the baseline
//! and ranks them per metric; [`sensitivity`] moves every numeric parameter both ways instead.
//!
//! Every variant runs under the baseline's seed and run indices: common random numbers, so run
//! `r` of every variant draws the same onsets, responders and detectors wherever the variants
//! agree, and a difference is the effect of the change, not the noise of different draws (see
//! [`crate::runner::sweep`]). Each change is judged against the baseline by exactly the
//! machinery of `ttx compare` ([`crate::compare::compare_metrics`]): the same medians, p90s,
//! intervals, tests, Holm adjustment and verdicts, so `ttx run` of both variants and
//! `ttx compare` of the two files say the same. Those tests treat the sides as independent,
//! which is conservative under common random numbers: a verdict here is never bolder than the
//! pairing warrants.
//!
//! This module computes and ranks; [`render`] writes the table, JSON, Markdown and the HTML
//! page. It never prints.

pub mod render;
pub mod sensitivity;

use serde::Serialize;

use crate::compare::{CompareOptions, MetricComparison, MetricKind, Verdict, compare_metrics};
use crate::results::Results;
use crate::runner::sweep::{self, SweepError};
use crate::runner::{self, BatchError, BatchOptions};
use crate::scenario::set::{self, SetError, Setting};
use crate::scenario::{self, LoadError, Loaded};
use crate::stats::difference::QuantileDifference;

/// Identifies the JSON layout of `ttx whatif`, bumped on incompatible change.
pub const WHATIF_FORMAT: &str = "ttx-whatif/1";

/// One candidate change: a name and the values it sets (one value per key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The name people call it by (`faster-monitor`).
    pub name: String,
    /// `KEY=VALUE` settings, each with exactly one value.
    pub settings: Vec<Setting>,
}

/// Why a `--change` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// No `:` after the name.
    #[error(
        "expected NAME: KEY=VALUE[, KEY=VALUE...] (e.g. \"faster-monitor: detectors.zap-error-email.latency.mean=4m\")"
    )]
    Form,
    /// The name is empty or holds characters other than letters, digits, `-`, `_`, `.`.
    #[error(
        "`{0}` is not a change name: use letters, digits, `-`, `_` or `.` (e.g. faster-monitor)"
    )]
    Name(String),
    /// A setting that does not read.
    #[error("{0}")]
    Set(#[from] SetError),
}

impl std::str::FromStr for Change {
    type Err = ChangeError;

    /// Reads `NAME: KEY=VALUE, KEY=VALUE`; commas inside brackets, braces or quotes do not
    /// split, so a value may be a whole distribution.
    fn from_str(text: &str) -> Result<Self, ChangeError> {
        let (name, rest) = text.split_once(':').ok_or(ChangeError::Form)?;
        let name = name.trim();
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if name.is_empty() || !name.chars().all(valid) {
            return Err(ChangeError::Name(name.to_string()));
        }
        let settings = set::split_values(rest)?
            .iter()
            .map(|part| part.parse::<Setting>())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Change {
            name: name.to_string(),
            settings,
        })
    }
}

impl Change {
    /// Each setting as `KEY=VALUE`, as written.
    pub fn settings_text(&self) -> Vec<String> {
        self.settings
            .iter()
            .map(|s| format!("{}={}", s.key, s.values.join(",")))
            .collect()
    }

    /// `KEY=VALUE, KEY=VALUE`, as written.
    pub fn describe(&self) -> String {
        self.settings_text().join(", ")
    }
}

/// Why a whatif could not be set up or run.
#[derive(Debug, thiserror::Error)]
pub enum WhatifError {
    /// Two changes with one name.
    #[error("--change {0} is given twice; give each change its own name")]
    DuplicateName(String),
    /// A setting that cannot be applied to the scenario (a key that does not exist).
    #[error("--change {name}: {setting}: {reason}")]
    Apply {
        /// The change's name.
        name: String,
        /// `KEY=VALUE`.
        setting: String,
        /// Why.
        reason: Box<SetError>,
    },
    /// One key set twice in a change.
    #[error("--change {name} sets {key} twice; give each key once")]
    DuplicateKey {
        /// The change's name.
        name: String,
        /// The key.
        key: String,
    },
    /// Changes whose scenario is invalid: every diagnostic, each naming its change.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<String>())]
    Invalid(Vec<LoadError>),
    /// A batch could not run.
    #[error(transparent)]
    Batch(#[from] BatchError),
}

/// A change applied to the scenario and compiled like a file.
#[derive(Debug)]
pub struct Variant {
    /// The change.
    pub change: Change,
    /// Its scenario.
    pub loaded: Loaded,
}

/// How diagnostics name the variant of `path` a change makes: `path [--change NAME]`.
pub fn variant_path(path: &str, name: &str) -> String {
    format!("{path} [--change {name}]")
}

/// Applies every change to `source` (the scenario at `path`) and compiles each variant like a
/// file; all invalid variants are reported together.
pub fn prepare(path: &str, source: &str, changes: &[Change]) -> Result<Vec<Variant>, WhatifError> {
    for (i, c) in changes.iter().enumerate() {
        if changes[..i].iter().any(|d| d.name == c.name) {
            return Err(WhatifError::DuplicateName(c.name.clone()));
        }
    }
    let mut variants = Vec::with_capacity(changes.len());
    let mut errors = Vec::new();
    for change in changes {
        // One value per key: the sweep grid of these settings is the one point they make.
        let name = change.name.clone();
        let points = sweep::grid(source, &change.settings).map_err(|e| match e {
            SweepError::Set { key, value, reason } => WhatifError::Apply {
                name,
                setting: format!("{key}={value}"),
                reason,
            },
            SweepError::DuplicateKey(key) => WhatifError::DuplicateKey { name, key },
            SweepError::Invalid(errors) => WhatifError::Invalid(errors),
        })?;
        match scenario::from_str(&variant_path(path, &change.name), &points[0].source) {
            Ok(loaded) => variants.push(Variant {
                change: change.clone(),
                loaded,
            }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(variants)
    } else {
        Err(WhatifError::Invalid(errors))
    }
}

/// The scenario a whatif ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaseScenario {
    /// `scenario.name`.
    pub name: String,
    /// `scenario.title`.
    pub title: String,
    /// `scenario.version`.
    pub version: String,
    /// `sha256:<hex>` of the baseline file's bytes.
    pub content_hash: String,
}

impl BaseScenario {
    fn of(scenario: &scenario::Scenario) -> Self {
        BaseScenario {
            name: scenario.meta.name.clone(),
            title: scenario.meta.title.clone(),
            version: scenario.meta.version.clone(),
            content_hash: format!("sha256:{}", scenario.fingerprint.content),
        }
    }
}

/// What a change did, per metric, as `ttx compare` of baseline and variant says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeOutcome {
    /// The change's name.
    pub name: String,
    /// Its settings, `KEY=VALUE` as written.
    pub settings: Vec<String>,
    /// `sha256:<hex>` of the variant's scenario text.
    pub content_hash: String,
    /// Every metric, baseline first, variant second.
    pub metrics: Vec<MetricComparison>,
}

/// A verdict as whatif words it: a change has an effect, or none that is detectable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Detectably better than the baseline.
    Better,
    /// Detectably worse.
    Worse,
    /// The runs cannot tell it from the baseline at the chosen error rate.
    NoDetectableEffect,
    /// Too little data for a test.
    NotTested,
}

impl Effect {
    /// The effect of a comparison's verdict.
    pub fn of(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Better => Effect::Better,
            Verdict::Worse => Effect::Worse,
            Verdict::NoDetectableChange => Effect::NoDetectableEffect,
            Verdict::NotTested => Effect::NotTested,
        }
    }

    /// How it reads in tables.
    pub fn text(self) -> &'static str {
        match self {
            Effect::Better => "better",
            Effect::Worse => "worse",
            Effect::NoDetectableEffect => "no detectable effect",
            Effect::NotTested => "not tested",
        }
    }

    /// Better first, worse last: the first key of a ranking.
    fn order(self) -> u8 {
        match self {
            Effect::Better => 0,
            Effect::NoDetectableEffect | Effect::NotTested => 1,
            Effect::Worse => 2,
        }
    }
}

/// One change's place in a metric's ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// 1 for the most helpful.
    pub rank: usize,
    /// The change's name.
    pub change: String,
    /// Baseline and variant medians and their difference with its interval (times, counts).
    pub median: Option<QuantileDifference>,
    /// The same for the 90th percentile.
    pub p90: Option<QuantileDifference>,
    /// Met rates `[baseline, variant]` (met rates only).
    pub rates: Option<[f64; 2]>,
    /// Holm-adjusted p-value of the change's test on this metric.
    pub adjusted_p: Option<f64>,
    /// The verdict.
    pub effect: Effect,
}

/// The changes ranked on one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// `time_to_detect`, ..., `records_lost`, `met_rate:<objective>`.
    pub metric: String,
    /// What kind of metric.
    pub kind: MetricKind,
    /// Most helpful first.
    pub changes: Vec<Ranked>,
}

/// Everything a whatif produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Whatif {
    /// [`WHATIF_FORMAT`].
    pub format: &'static str,
    /// Version of ttx that ran it.
    pub ttx_version: &'static str,
    /// The baseline scenario.
    pub scenario: BaseScenario,
    /// The seed every variant ran under (common random numbers).
    pub seed: u64,
    /// Runs per variant.
    pub runs: u64,
    /// Family-wise error rate of each change's comparison.
    pub alpha: f64,
    /// Bootstrap resamples of the intervals.
    pub resamples: usize,
    /// Every change against the baseline, in the order given.
    pub changes: Vec<ChangeOutcome>,
    /// Per metric, the changes ranked.
    pub rankings: Vec<Ranking>,
    /// How the verdicts and the ranking were reached, in words.
    pub method: String,
}

/// Runs a batch of `loaded` under `options` and keeps its rows.
fn batch(
    loaded: &Loaded,
    options: &BatchOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Results, BatchError> {
    let outcomes = runner::run_batch(&loaded.scenario, options, progress)?;
    Ok(Results::new(&loaded.scenario, options.seed, &outcomes))
}

/// Runs the baseline and every variant under `options` (one seed: common random numbers),
/// compares each variant with the baseline as `ttx compare` does under `compare`, and ranks
/// them. `progress` gets the runs finished over the whole whatif.
pub fn run(
    base: &Loaded,
    variants: &[Variant],
    options: &BatchOptions,
    compare: &CompareOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Whatif, BatchError> {
    let baseline = batch(base, options, progress)?;
    let mut changes = Vec::with_capacity(variants.len());
    for (i, variant) in variants.iter().enumerate() {
        let done_before = (i as u64 + 1) * options.runs;
        let results = batch(&variant.loaded, options, &|done| {
            progress(done_before + done)
        })?;
        changes.push(ChangeOutcome {
            name: variant.change.name.clone(),
            settings: variant.change.settings_text(),
            content_hash: results.scenario.content_hash.clone(),
            metrics: compare_metrics(&baseline, &results, compare),
        });
    }
    let rankings = rank(&changes);
    Ok(Whatif {
        format: WHATIF_FORMAT,
        ttx_version: env!("CARGO_PKG_VERSION"),
        scenario: BaseScenario::of(&base.scenario),
        seed: options.seed,
        runs: options.runs,
        alpha: compare.alpha,
        resamples: compare.resamples,
        method: method(compare, changes.len()),
        changes,
        rankings,
    })
}

fn method(compare: &CompareOptions, changes: usize) -> String {
    format!(
        "every change ran under the baseline's seed and run indices (common random numbers) and was compared with the baseline exactly as `ttx compare` compares two results files: one two-sided test per metric, Holm-adjusted over the metrics of that change so that the chance of calling any metric of it changed when nothing changed is at most {alpha}; intervals are {level}% (bootstrap, {resamples} resamples, seed {seed}; they do not decide verdicts). The tests treat baseline and variant as independent samples, which is conservative under common random numbers. The {changes} change(s) are not adjusted against each other. Per metric, changes are ranked by verdict (better, then no detectable effect, then worse), then by the change of the median (of the met rate for objectives), then of the p90",
        alpha = compare.alpha,
        level = 100.0 * (1.0 - compare.alpha),
        resamples = compare.resamples,
        seed = compare.seed,
    )
}

/// The estimate of a metric's change that ranks it, signed so that lower is more helpful.
fn score(m: &MetricComparison) -> [f64; 2] {
    let missing = f64::INFINITY;
    match m.rates {
        Some([a, b]) => [a - b, 0.0],
        None => [
            m.median.and_then(|q| q.difference).unwrap_or(missing),
            m.p90.and_then(|q| q.difference).unwrap_or(missing),
        ],
    }
}

/// Ranks the changes on every metric the first change has (every change has the same ones:
/// they are the baseline's).
fn rank(changes: &[ChangeOutcome]) -> Vec<Ranking> {
    let Some(first) = changes.first() else {
        return Vec::new();
    };
    first
        .metrics
        .iter()
        .enumerate()
        .map(|(i, metric)| {
            let mut entries: Vec<(&ChangeOutcome, &MetricComparison)> =
                changes.iter().map(|c| (c, &c.metrics[i])).collect();
            entries.sort_by(|(ca, a), (cb, b)| {
                let (ea, eb) = (Effect::of(a.verdict), Effect::of(b.verdict));
                ea.order()
                    .cmp(&eb.order())
                    .then(
                        score(a)
                            .partial_cmp(&score(b))
                            .unwrap_or(std::cmp::Ordering::Equal),
                    )
                    .then_with(|| ca.name.cmp(&cb.name))
            });
            Ranking {
                metric: metric.metric.clone(),
                kind: metric.kind,
                changes: entries
                    .into_iter()
                    .enumerate()
                    .map(|(r, (c, m))| Ranked {
                        rank: r + 1,
                        change: c.name.clone(),
                        median: m.median,
                        p90: m.p90,
                        rates: m.rates,
                        adjusted_p: m.adjusted_p,
                        effect: Effect::of(m.verdict),
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_name_then_settings_split_at_top_level_commas() {
        let change: Change =
            "second-on-call: roles.on-call.acknowledge={ dist = \"fixed\", value = \"2m\" }, detectors[0].miss=0.1"
                .parse()
                .unwrap();
        assert_eq!(change.name, "second-on-call");
        assert_eq!(change.settings.len(), 2);
        assert_eq!(change.settings[0].key, "roles.on-call.acknowledge");
        assert_eq!(
            change.settings[0].values,
            ["{ dist = \"fixed\", value = \"2m\" }"]
        );
        assert_eq!(
            change.describe(),
            "roles.on-call.acknowledge={ dist = \"fixed\", value = \"2m\" }, detectors[0].miss=0.1"
        );
        assert_eq!("a.b=1".parse::<Change>(), Err(ChangeError::Form));
        assert_eq!(
            "two words: a=1".parse::<Change>(),
            Err(ChangeError::Name("two words".into()))
        );
        assert!(matches!(
            "x: a".parse::<Change>(),
            Err(ChangeError::Set(SetError::Form))
        ));
    }

    #[test]
    fn changes_are_applied_and_named_in_diagnostics() {
        let source = crate::scenario::DEFAULT_SCENARIO;
        let ok: Change = "fast: detectors.zap-error-email.latency.mean=2m"
            .parse()
            .unwrap();
        let variants = prepare("s.toml", source, std::slice::from_ref(&ok)).unwrap();
        assert!(variants[0].loaded.scenario.source.contains("mean = \"2m\""));
        let bad: Change = "broken: detectors.zap-error-email.miss=2".parse().unwrap();
        let Err(WhatifError::Invalid(errors)) = prepare("s.toml", source, &[ok.clone(), bad])
        else {
            panic!("an invalid change is refused");
        };
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("s.toml [--change broken]"));
        let Err(e) = prepare("s.toml", source, &[ok.clone(), ok]) else {
            panic!("a name twice is refused");
        };
        assert_eq!(
            e.to_string(),
            "--change fast is given twice; give each change its own name"
        );
    }
}
