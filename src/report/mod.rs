//! Batch results and their outputs: the summary table, the JSON export and the CSV export.
//!
//! [`Results`] is computed serially from outcomes in run order, so every output is
//! byte-identical for the same scenario and seed whatever the thread count. The JSON format is
//! documented in `docs/results-format.md`.

pub mod catalog;
pub mod csv;
pub mod table;

use serde::Serialize;

use crate::scenario::{Metric, Scenario};
use crate::score::{ObjectiveResult, RunOutcome, TIMED};
use crate::stats::{self, DurationSummary};

/// Identifies the JSON layout, bumped on incompatible change.
pub const RESULTS_FORMAT: &str = "ttx-results/1";

/// The scenario a batch ran.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    /// `scenario.name`.
    pub name: String,
    /// `scenario.title`.
    pub title: String,
    /// `scenario.version`.
    pub version: String,
    /// `sha256:<hex>` of the file's bytes.
    pub content_hash: String,
    /// `sha256:<hex>` of each top-level section, to name what differs between two results.
    pub section_hashes: std::collections::BTreeMap<String, String>,
    /// Horizon in minutes.
    pub horizon_minutes: f64,
}

/// Summary of a count across runs.
#[derive(Debug, Clone, Serialize)]
pub struct CountSummary {
    /// Mean per run.
    pub mean: Option<f64>,
    /// Median per run.
    pub median: Option<f64>,
    /// 90th percentile per run.
    pub p90: Option<f64>,
    /// Largest in any run.
    pub max: Option<f64>,
}

impl CountSummary {
    fn of(values: impl Iterator<Item = f64>) -> Self {
        let mut values: Vec<f64> = values.collect();
        let mean = stats::mean(&values);
        values.sort_by(f64::total_cmp);
        CountSummary {
            mean,
            median: stats::quantile_sorted(&values, 0.5),
            p90: stats::quantile_sorted(&values, 0.9),
            max: values.last().copied(),
        }
    }
}

/// How often one objective was met.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveSummary {
    /// Objective id.
    pub id: String,
    /// What it says.
    pub text: String,
    /// Metric name.
    pub metric: String,
    /// Target (minutes or a count).
    pub target: f64,
    /// Time box in minutes.
    pub time_box_minutes: f64,
    /// Runs that met the target.
    pub met: u64,
    /// Runs over the target but within the time box.
    pub late: u64,
    /// Runs that missed it.
    pub missed: u64,
    /// `met / runs`.
    pub met_rate: f64,
}

/// One run as exported: the same fields as a CSV row.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    /// Run index.
    pub run: u64,
    /// Minutes from start to first onset.
    pub onset: Option<f64>,
    /// Minutes from onset; `null` = censored.
    pub time_to_detect: Option<f64>,
    /// Minutes from onset; `null` = censored.
    pub time_to_acknowledge: Option<f64>,
    /// Minutes from onset; `null` = censored.
    pub time_to_contain: Option<f64>,
    /// Minutes from onset; `null` = censored.
    pub time_to_recover: Option<f64>,
    /// Minutes from onset to the horizon.
    pub censored_at: f64,
    /// Record counts.
    pub records: crate::model::RecordCounts,
    /// Targets breached.
    pub targets_breached: u32,
    /// Escalations.
    pub escalations: u32,
    /// Wrong diagnoses.
    pub wrong_diagnoses: u32,
    /// Failed action attempts.
    pub failed_attempts: u32,
    /// Injects delivered.
    pub injects: u32,
    /// Status updates sent.
    pub updates: u32,
    /// Objective results in scenario order: `met`, `late` or `missed`.
    pub objectives: Vec<&'static str>,
}

/// The four time metrics, in milestone order.
#[derive(Debug, Clone, Serialize)]
pub struct TimeMetrics {
    /// Onset to first signal reaching a responder.
    pub time_to_detect: DurationSummary,
    /// Onset to first acknowledgement.
    pub time_to_acknowledge: DurationSummary,
    /// Onset to every fault contained or recovered.
    pub time_to_contain: DurationSummary,
    /// Onset to every fault recovered.
    pub time_to_recover: DurationSummary,
}

impl TimeMetrics {
    /// `(name, summary)` in milestone order ([`TIMED`]).
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &DurationSummary)> {
        let all = [
            &self.time_to_detect,
            &self.time_to_acknowledge,
            &self.time_to_contain,
            &self.time_to_recover,
        ];
        TIMED
            .iter()
            .zip(all)
            .map(|(m, s)| (Metric::TimeTo(*m).name(), s))
    }
}

/// Everything a batch produced.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// [`RESULTS_FORMAT`].
    pub format: &'static str,
    /// Version of ttx that ran the batch.
    pub ttx_version: &'static str,
    /// The scenario.
    pub scenario: ScenarioInfo,
    /// Master seed.
    pub seed: u64,
    /// Number of runs.
    pub runs: u64,
    /// Runs in which no fault began before the horizon (every time metric is censored).
    pub runs_without_incident: u64,
    /// Runs cut short by the event cap (should be 0).
    pub runs_hit_event_cap: u64,
    /// Time metrics in minutes from onset.
    pub metrics: TimeMetrics,
    /// Record counts per run: `lost`, `delayed`, `failed`, `offered`.
    pub records: std::collections::BTreeMap<&'static str, CountSummary>,
    /// Other per-run counters: `targets_breached`, `escalations`, `wrong_diagnoses`,
    /// `failed_attempts`, `injects`, `updates`.
    pub counters: std::collections::BTreeMap<&'static str, CountSummary>,
    /// Objectives met.
    pub objectives: Vec<ObjectiveSummary>,
    /// Every run.
    pub per_run: Vec<RunRow>,
}

fn result_name(result: ObjectiveResult) -> &'static str {
    match result {
        ObjectiveResult::Met => "met",
        ObjectiveResult::Late => "late",
        ObjectiveResult::Missed => "missed",
    }
}

impl Results {
    /// Summarises outcomes (in run order).
    pub fn new(scenario: &Scenario, seed: u64, outcomes: &[RunOutcome]) -> Self {
        let runs = outcomes.len() as u64;
        let summary = |i: usize| DurationSummary::of(outcomes.iter().map(|o| o.times[i]));
        let metrics = TimeMetrics {
            time_to_detect: summary(0),
            time_to_acknowledge: summary(1),
            time_to_contain: summary(2),
            time_to_recover: summary(3),
        };
        let count = |f: fn(&RunOutcome) -> f64| CountSummary::of(outcomes.iter().map(f));
        let records = [
            ("lost", count(|o| o.records.lost as f64)),
            ("delayed", count(|o| o.records.delayed() as f64)),
            ("failed", count(|o| o.records.failed as f64)),
            ("offered", count(|o| o.records.offered as f64)),
        ]
        .into_iter()
        .collect();
        let counters = [
            ("targets_breached", count(|o| o.targets_breached as f64)),
            ("escalations", count(|o| o.escalations as f64)),
            ("wrong_diagnoses", count(|o| o.wrong_diagnoses as f64)),
            ("failed_attempts", count(|o| o.failed_attempts as f64)),
            ("injects", count(|o| o.injects as f64)),
            ("updates", count(|o| o.updates as f64)),
        ]
        .into_iter()
        .collect();
        let objectives = scenario
            .objectives
            .iter()
            .enumerate()
            .map(|(i, objective)| {
                let tally = |r: ObjectiveResult| {
                    outcomes.iter().filter(|o| o.objectives[i] == r).count() as u64
                };
                let met = tally(ObjectiveResult::Met);
                ObjectiveSummary {
                    id: objective.id.clone(),
                    text: objective.text.clone(),
                    metric: objective.metric.name().to_string(),
                    target: objective.target,
                    time_box_minutes: objective.time_box,
                    met,
                    late: tally(ObjectiveResult::Late),
                    missed: tally(ObjectiveResult::Missed),
                    met_rate: if runs == 0 {
                        0.0
                    } else {
                        met as f64 / runs as f64
                    },
                }
            })
            .collect();
        let per_run = outcomes
            .iter()
            .map(|o| RunRow {
                run: o.run,
                onset: o.onset,
                time_to_detect: o.times[0],
                time_to_acknowledge: o.times[1],
                time_to_contain: o.times[2],
                time_to_recover: o.times[3],
                censored_at: o.censored_at,
                records: o.records,
                targets_breached: o.targets_breached,
                escalations: o.escalations,
                wrong_diagnoses: o.wrong_diagnoses,
                failed_attempts: o.failed_attempts,
                injects: o.injects,
                updates: o.updates,
                objectives: o.objectives.iter().copied().map(result_name).collect(),
            })
            .collect();
        let fingerprint = &scenario.fingerprint;
        Results {
            format: RESULTS_FORMAT,
            ttx_version: env!("CARGO_PKG_VERSION"),
            scenario: ScenarioInfo {
                name: scenario.meta.name.clone(),
                title: scenario.meta.title.clone(),
                version: scenario.meta.version.clone(),
                content_hash: format!("sha256:{}", fingerprint.content),
                section_hashes: fingerprint
                    .sections
                    .iter()
                    .map(|(k, v)| (k.clone(), format!("sha256:{v}")))
                    .collect(),
                horizon_minutes: scenario.meta.horizon,
            },
            seed,
            runs,
            runs_without_incident: outcomes.iter().filter(|o| o.onset.is_none()).count() as u64,
            runs_hit_event_cap: outcomes.iter().filter(|o| o.hit_event_cap).count() as u64,
            metrics,
            records,
            counters,
            objectives,
            per_run,
        }
    }

    /// The JSON export (pretty-printed, newline-terminated).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    }
}
