//! What a batch produces and its files: [`Results`] (the header, per-run rows and the summary),
//! the CSV export ([`csv`]), tallies of runs and their file ([`tally`]), shards ([`shard`]) and
//! merging shards back into the whole batch ([`merge`]).
//!
//! [`Results`] is computed serially from per-run rows in run order, so every output is
//! byte-identical for the same scenario and seed whatever the thread count, and results can be
//! rebuilt from rows read back from JSON (reports, merges): [`Results::read`] reads a file back
//! and [`Results::compile_scenario`] compiles the scenario it carries. The JSON format is
//! documented in `docs/results-format.md`. Nothing here runs a scenario or writes a document.

pub mod csv;
pub mod merge;
pub mod shard;
pub mod tally;

pub use shard::Shard;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::rng::Generator;
use crate::model::outcome::{ApprovalRun, AudienceRun, ObjectiveResult, RunOutcome};
use crate::model::{PhaseMinutes, RecordCounts};
use crate::scenario::{self, LoadError, Loaded, Scenario};
use crate::stats::DurationSummary;
use crate::stats::survival::Observation;

/// Identifies the JSON layout and the random streams behind its figures, bumped on
/// incompatible change. `ttx-results/2` has the layout of `ttx-results/1`; its runs draw from
/// Philox4x64-10 streams (issue 19) where /1's drew from ChaCha8, so the same seed gives other
/// (equally valid) figures. Both are read; shards of the two are never merged (the format is
/// part of a shard's identity).
pub const RESULTS_FORMAT: &str = "ttx-results/2";

/// The format of results drawn from `generator`: a drill journaled before issue 19 (ChaCha8)
/// rescores to the `ttx-results/1` it wrote then.
pub fn format_of(generator: Generator) -> &'static str {
    match generator {
        Generator::Philox => RESULTS_FORMAT,
        Generator::ChaCha8 => "ttx-results/1",
    }
}

/// The scenario a batch ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub section_hashes: BTreeMap<String, String>,
    /// Horizon in minutes.
    pub horizon_minutes: f64,
    /// Role ids, in scenario order (the keys of per-run role minutes).
    pub roles: Vec<String>,
    /// The scenario file's text: results carry it so any run can be replayed from them.
    pub source: String,
}

/// Summary of a count across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// An objective's definition and how often it was met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Runs in which no fault began (not counted in the rates).
    pub not_applicable: u64,
    /// `met / (met + late + missed)`.
    pub met_rate: f64,
    /// Least met rates rated P, S and M (`[performed, some_challenges, major_challenges]`).
    pub rating_thresholds: [f64; 3],
    /// The rating of the met rate: `P` (performed without challenges), `S` (with some
    /// challenges), `M` (with major challenges) or `U` (unable to be performed).
    pub rating: crate::scenario::Rating,
}

/// One run as exported: the same fields as a CSV row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    /// Run index.
    pub run: u64,
    /// Minutes from start to first onset; `null` if no fault began before the horizon.
    pub onset: Option<f64>,
    /// Minutes from onset; `null` = censored.
    pub time_to_detect: Option<f64>,
    /// Minutes from onset; `null` = censored.
    pub time_to_acknowledge: Option<f64>,
    /// Minutes from onset; `null` = censored.
    pub time_to_contain: Option<f64>,
    /// Minutes from onset; `null` = censored.
    pub time_to_recover: Option<f64>,
    /// Minutes from the latest incident onset to the horizon (where censored times are censored).
    pub censored_at: f64,
    /// Record counts.
    pub records: RecordCounts,
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
    /// Minutes from onset to the first status update, if any was sent.
    pub first_update: Option<f64>,
    /// Communications per audience; absent when the scenario has no `[comms]` cadence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comms: Vec<AudienceRun>,
    /// Approval waits per action approved by a role other than its performer; absent when the
    /// scenario has no such action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<ApprovalRun>,
    /// Objective results in scenario order: `met`, `late`, `missed` or `n/a` (no fault began).
    pub objectives: Vec<ObjectiveResult>,
    /// Minutes per phase, from the first onset.
    pub phases: PhaseMinutes,
    /// Minutes each role was the one the incident waited on (scenario role order).
    pub role_minutes: Vec<f64>,
}

impl RunRow {
    /// The row of one outcome.
    pub fn of(o: &RunOutcome) -> Self {
        RunRow {
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
            first_update: o.first_update,
            comms: o.comms.clone(),
            approvals: o.approvals.clone(),
            objectives: o.objectives.clone(),
            phases: PhaseMinutes::from(o.phase_minutes),
            role_minutes: o.role_minutes.clone(),
        }
    }

    /// The time metrics in milestone order (detect, acknowledge, contain, recover).
    pub fn times(&self) -> [Option<f64>; 4] {
        [
            self.time_to_detect,
            self.time_to_acknowledge,
            self.time_to_contain,
            self.time_to_recover,
        ]
    }
}

/// The four time metrics, in milestone order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// The names of the time metrics, in milestone order.
pub const TIME_METRICS: [&str; 4] = [
    "time_to_detect",
    "time_to_acknowledge",
    "time_to_contain",
    "time_to_recover",
];

impl TimeMetrics {
    /// `(name, summary)` in milestone order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &DurationSummary)> {
        let all = [
            &self.time_to_detect,
            &self.time_to_acknowledge,
            &self.time_to_contain,
            &self.time_to_recover,
        ];
        TIME_METRICS.into_iter().zip(all)
    }
}

/// Everything a batch produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// [`RESULTS_FORMAT`].
    pub format: String,
    /// Version of ttx that ran the batch.
    pub ttx_version: String,
    /// The scenario.
    pub scenario: ScenarioInfo,
    /// Master seed.
    pub seed: u64,
    /// Number of runs.
    pub runs: u64,
    /// Which slice of a larger batch these results are (`ttx run --shard`); absent for a
    /// whole batch, including one merged from shards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
    /// A name the user gave these results (`ttx run --label 2026-Q3`): trends order and name
    /// results by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Present when these results record one live drill (`ttx drill`) rather than a simulated
    /// batch: `per_run` then holds the one run the team played.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<DrillInfo>,
    /// Runs in which no fault began before the horizon (every time metric is censored).
    pub runs_without_incident: u64,
    /// Runs cut short by the event cap (should be 0).
    pub runs_hit_event_cap: u64,
    /// Time metrics in minutes from onset.
    pub metrics: TimeMetrics,
    /// Record counts per run: `lost`, `delayed`, `failed`, `offered`.
    pub records: BTreeMap<String, CountSummary>,
    /// Other per-run counters: `targets_breached`, `escalations`, `wrong_diagnoses`,
    /// `failed_attempts`, `injects`, `updates`.
    pub counters: BTreeMap<String, CountSummary>,
    /// Objectives met.
    pub objectives: Vec<ObjectiveSummary>,
    /// Communications per audience across runs; absent when the scenario has no `[comms]`
    /// cadence (and in summary-only results, which keep no per-run rows to count them from).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comms: Vec<CommsSummary>,
    /// Approval waits per action approved by a role other than its performer, across runs;
    /// absent when the scenario has no such action (and in summary-only results).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<ApprovalSummary>,
    /// `true` when the per-run rows were not kept (`ttx run --export-summary`, `ttx merge` of
    /// tally files): `per_run` is then empty while every summary covers all `runs`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub summary_only: bool,
    /// The checksum of the per-run rows ([`rows_digest`]), checked when the file is read back
    /// so a damaged row is refused; absent in summary-only results and in files written
    /// before it existed (those are read without the check).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_sha256: Option<String>,
    /// Every run (none when `summary_only`).
    pub per_run: Vec<RunRow>,
}

/// How a batch communicated with one audience on the `[comms]` cadence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommsSummary {
    /// The audience.
    pub audience: String,
    /// Updates that fell due, over all runs.
    pub due: u64,
    /// Updates sent, over all runs.
    pub sent: u64,
    /// Updates sent on cadence, over all runs.
    pub on_cadence: u64,
    /// `on_cadence / due`; `null` when nothing fell due.
    pub on_cadence_share: Option<f64>,
    /// Cadence misses (due but late or never sent) per run.
    pub misses_per_run: CountSummary,
    /// Minutes from onset to the first update to this audience; runs without one are
    /// censored at the horizon (runs without an incident are left out of the curve).
    pub time_to_first_update: DurationSummary,
    /// Required fields filled / required, over every update sent; `null` when none required any.
    pub completeness: Option<f64>,
    /// Jargon words flagged, over all runs.
    pub jargon_flags: u64,
}

impl CommsSummary {
    /// Sums per-run communications by audience (in the rows' audience order).
    pub fn of_rows(rows: &[RunRow]) -> Vec<CommsSummary> {
        let Some(first) = rows.iter().find(|r| !r.comms.is_empty()) else {
            return Vec::new();
        };
        first
            .comms
            .iter()
            .enumerate()
            .map(|(a, audience)| {
                let runs: Vec<(&RunRow, &AudienceRun)> = rows
                    .iter()
                    .filter_map(|r| r.comms.get(a).map(|c| (r, c)))
                    .collect();
                let total = |f: fn(&AudienceRun) -> u32| -> u64 {
                    runs.iter().map(|(_, c)| f(c) as u64).sum()
                };
                let (due, on_cadence) = (total(|c| c.due), total(|c| c.on_cadence));
                let (filled, required) = (total(|c| c.fields_filled), total(|c| c.fields_required));
                let mut misses = tally::Histogram::default();
                for (_, c) in &runs {
                    misses.add(c.cadence_misses() as u64, 1);
                }
                CommsSummary {
                    audience: audience.audience.clone(),
                    due,
                    sent: total(|c| c.sent),
                    on_cadence,
                    on_cadence_share: (due > 0).then(|| on_cadence as f64 / due as f64),
                    misses_per_run: tally::count_summary(&misses),
                    time_to_first_update: DurationSummary::of(
                        runs.iter()
                            .map(|(r, c)| (c.first_update, r.onset.map(|_| r.censored_at))),
                    ),
                    completeness: (required > 0).then(|| filled as f64 / required as f64),
                    jargon_flags: total(|c| c.jargon_flags),
                }
            })
            .collect()
    }
}

/// How long a batch waited for the approval of one action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalSummary {
    /// The action's id.
    pub action: String,
    /// Runs in which its approval was asked.
    pub asked: u64,
    /// Runs in which it was asked and never approved before the end of the run.
    pub never_granted: u64,
    /// Minutes from the request to the approval, over the runs that asked; a request never
    /// approved is censored at the end of its run.
    pub wait: DurationSummary,
}

impl ApprovalSummary {
    /// Summarises per-run approval waits by action (in the rows' action order).
    pub fn of_rows(rows: &[RunRow]) -> Vec<ApprovalSummary> {
        let Some(first) = rows.iter().find(|r| !r.approvals.is_empty()) else {
            return Vec::new();
        };
        first
            .approvals
            .iter()
            .enumerate()
            .map(|(a, approval)| {
                let asked: Vec<&ApprovalRun> = rows
                    .iter()
                    .filter_map(|r| r.approvals.get(a))
                    .filter(|w| w.waited.is_some())
                    .collect();
                ApprovalSummary {
                    action: approval.action.clone(),
                    asked: asked.len() as u64,
                    never_granted: asked.iter().filter(|w| !w.granted).count() as u64,
                    wait: DurationSummary::of(
                        asked
                            .iter()
                            .map(|w| (w.waited.filter(|_| w.granted), w.waited)),
                    ),
                }
            })
            .collect()
    }
}

/// The shard a results file holds: runs `[(index-1)·total_runs/count, index·total_runs/count)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// Which shard, from 1.
    pub index: u64,
    /// How many shards the batch was split into.
    pub count: u64,
    /// Runs of the whole batch.
    pub total_runs: u64,
}

/// What a live drill's results record beyond its one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillInfo {
    /// Wall-clock time the drill started, RFC 3339 in UTC.
    pub started: String,
    /// Roles played by people; the others were played by the simulated role models.
    pub humans: Vec<String>,
    /// Scenario minutes per wall minute the drill began with.
    pub speed: f64,
    /// Whether the one run was played in a drill or happened for real (`ttx incident
    /// import`); absent in a drill's file, so files written before it existed read as drills.
    #[serde(default, skip_serializing_if = "RecordKind::is_drill")]
    pub kind: RecordKind,
    /// Who played which role, by role id (`ttx drill --player ROLE=NAME`, the name a player
    /// gave on their page, or the console's `player ROLE NAME`); absent in older results.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub players: BTreeMap<String, String>,
    /// Set for a micro-exercise (`ttx drill --module ID` or `--preset micro`): a short drill
    /// that feeds the same trend as full drills, marked there; absent for a full drill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub micro: Option<MicroInfo>,
}

/// What the one run of a [`DrillInfo`] record is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    /// A live drill (`ttx drill`).
    #[default]
    Drill,
    /// A real incident reconstructed from its timeline (`ttx incident import`): `started` is
    /// its onset, `humans` every role, `speed` 1.
    Incident,
}

impl RecordKind {
    /// Whether it is a drill (the default, left out of files).
    pub fn is_drill(&self) -> bool {
        *self == RecordKind::Drill
    }

    /// What one is called in running text: "live drill", "real incident".
    pub fn noun(self) -> &'static str {
        match self {
            RecordKind::Drill => "live drill",
            RecordKind::Incident => "real incident",
        }
    }

    /// Its name in files and documents: `drill` or `incident`.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Drill => "drill",
            RecordKind::Incident => "incident",
        }
    }
}

/// What made a drill a micro-exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MicroInfo {
    /// The module played (`--module ID`); `None` for `--preset micro`, which plays from the
    /// start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// Wall minutes the exercise was boxed to at its starting speed.
    pub minutes: f64,
    /// Scenario minutes the box spans (`minutes` × speed), from where play began.
    pub window: f64,
}

impl ShardInfo {
    /// The shard as `K/N`.
    pub fn shard(&self) -> crate::results::Shard {
        crate::results::Shard {
            index: self.index,
            count: self.count,
        }
    }
}

/// What results need to know of a scenario, also recoverable from a results file.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The scenario.
    pub scenario: ScenarioInfo,
    /// Objective definitions (their counts are recomputed from rows).
    pub objectives: Vec<ObjectiveSummary>,
    /// Master seed.
    pub seed: u64,
    /// Events cap hits (not in rows).
    pub runs_hit_event_cap: u64,
    /// See [`Results::label`].
    pub label: Option<String>,
    /// See [`Results::drill`].
    pub drill: Option<DrillInfo>,
}

impl Header {
    /// The header of a batch of `scenario` under `seed`.
    pub fn of(scenario: &Scenario, seed: u64) -> Self {
        let fingerprint = &scenario.fingerprint;
        Header {
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
                roles: scenario.roles.iter().map(|r| r.id.clone()).collect(),
                source: scenario.source.clone(),
            },
            objectives: scenario
                .objectives
                .iter()
                .map(|o| ObjectiveSummary {
                    id: o.id.clone(),
                    text: o.text.clone(),
                    metric: o.metric.name().to_string(),
                    target: o.target,
                    time_box_minutes: o.time_box,
                    met: 0,
                    late: 0,
                    missed: 0,
                    not_applicable: 0,
                    met_rate: 0.0,
                    rating_thresholds: [
                        o.ratings.performed,
                        o.ratings.some_challenges,
                        o.ratings.major_challenges,
                    ],
                    rating: crate::scenario::Rating::Unable, // recomputed from rows
                })
                .collect(),
            seed,
            runs_hit_event_cap: 0,
            label: None,
            drill: None,
        }
    }
}

impl Results {
    /// The runs with a fault, as observations of the time metric at `metric` (an index into
    /// [`TIME_METRICS`]): reached, or censored where the run's follow-up ended. Empty when
    /// the per-run rows are not kept.
    pub fn observations(&self, metric: usize) -> Vec<Observation> {
        self.per_run
            .iter()
            .filter(|r| r.onset.is_some())
            .map(|r| match r.times()[metric] {
                Some(t) => Observation {
                    time: t,
                    event: true,
                },
                None => Observation {
                    time: r.censored_at,
                    event: false,
                },
            })
            .collect()
    }

    /// Summarises outcomes (in run order).
    pub fn new(scenario: &Scenario, seed: u64, outcomes: &[RunOutcome]) -> Self {
        let header = Header {
            runs_hit_event_cap: outcomes.iter().filter(|o| o.hit_event_cap).count() as u64,
            ..Header::of(scenario, seed)
        };
        Results::from_rows(header, outcomes.iter().map(RunRow::of).collect())
    }

    /// Summarises rows (in run order).
    pub fn from_rows(header: Header, rows: Vec<RunRow>) -> Self {
        let mut tally = tally::Tally::new(header.objectives.len());
        for row in &rows {
            tally.add_row(row);
        }
        let mut results = tally.summarize(header);
        results.comms = CommsSummary::of_rows(&rows);
        results.approvals = ApprovalSummary::of_rows(&rows);
        results.summary_only = false;
        results.rows_sha256 = Some(rows_digest(&rows));
        results.per_run = rows;
        results
    }

    /// The header these results were built from (to rebuild or merge them).
    pub fn header(&self) -> Header {
        Header {
            scenario: self.scenario.clone(),
            objectives: self.objectives.clone(),
            seed: self.seed,
            runs_hit_event_cap: self.runs_hit_event_cap,
            label: self.label.clone(),
            drill: self.drill.clone(),
        }
    }

    /// The JSON export (pretty-printed, newline-terminated).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect(
            "results hold only strings, numbers (non-finite ones become null), options, lists \
             and string-keyed maps, which serde_json always serializes",
        );
        text.push('\n');
        text
    }

    /// The summary-only JSON of these results (`ttx run --export-summary`): no per-run rows,
    /// and neither the `comms` nor the `approvals` summary, which are drawn from rows a tally
    /// does not keep, so the file is the same whether the batch kept its rows or not.
    pub fn to_summary_json(&mut self) -> String {
        let rows = std::mem::take(&mut self.per_run);
        let comms = std::mem::take(&mut self.comms);
        let approvals = std::mem::take(&mut self.approvals);
        let summary_only = std::mem::replace(&mut self.summary_only, true);
        let rows_sha256 = self.rows_sha256.take();
        let json = self.to_json();
        self.rows_sha256 = rows_sha256;
        self.per_run = rows;
        self.comms = comms;
        self.approvals = approvals;
        self.summary_only = summary_only;
        json
    }

    /// What its one run is, for a live drill's or a real incident's record; `None` for a batch.
    pub fn record_kind(&self) -> Option<RecordKind> {
        self.drill.as_ref().map(|d| d.kind)
    }

    /// Reads a JSON export back.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Reads a results file (`ttx run --export-json`, a drill's results).
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        let shown = || path.display().to_string();
        let bytes =
            crate::input::read(path, crate::input::InputKind::Results).map_err(|source| {
                ReadError::Io {
                    path: shown(),
                    source,
                }
            })?;
        // Bytes that are not UTF-8 are not a results file (exit 1), not an I/O failure.
        let results: Results =
            serde_json::from_slice(&bytes).map_err(|source| ReadError::NotResults {
                path: shown(),
                source,
            })?;
        if let Some(expected) = &results.rows_sha256
            && *expected != rows_digest(&results.per_run)
        {
            return Err(ReadError::Damaged { path: shown() });
        }
        Ok(results)
    }

    /// Compiles the scenario these results carry (its `source`); `file` names the results
    /// file in diagnostics, which point into `file#scenario.source`.
    pub fn compile_scenario(&self, file: &Path) -> Result<Loaded, LoadError> {
        let shown = format!("{}#scenario.source", file.display());
        scenario::from_str(&shown, &self.scenario.source)
    }
}

/// The checksum of per-run rows as a results file records it (`rows_sha256`): `sha256:` and
/// the hex SHA-256 of the rows as compact JSON. Computed from the rows' values, so reading a
/// file back and hashing what was read gives the same digest unless a value changed.
pub fn rows_digest(rows: &[RunRow]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    serde_json::to_writer(&mut hasher, rows).expect(
        "rows hold only numbers, strings, options and lists, which serde_json always \
         serializes, and hashing never fails to write",
    );
    format!("sha256:{}", scenario::hex(&hasher.finalize()))
}

/// Why [`Results::read`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read.
    #[error("could not read results '{path}'")]
    Io {
        /// The path given.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but holds no results.
    #[error("'{path}' is not a ttx results file (write one with `ttx run --export-json`)")]
    NotResults {
        /// The path given.
        path: String,
        /// Where the JSON did not fit.
        #[source]
        source: serde_json::Error,
    },
    /// The per-run rows do not match the checksum the file carries.
    #[error(
        "'{path}' is damaged: its per-run rows do not match their checksum (rows_sha256), so a \
         row was changed after it was written; export the results again"
    )]
    Damaged {
        /// The path given.
        path: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty_results() -> Results {
        Results::new(&scenario::default_scenario().scenario, 1, &[])
    }

    /// Guards the `expect` in `to_json`: non-finite numbers, the one value JSON cannot hold,
    /// become `null` instead of failing, so no `{"error": ...}` is ever written in their place.
    #[test]
    fn to_json_of_non_finite_numbers_is_json_without_an_error_object() {
        let mut results = empty_results();
        results.scenario.horizon_minutes = f64::NAN;
        results.objectives[0].met_rate = f64::INFINITY;
        for text in [results.to_json(), results.to_summary_json()] {
            let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            assert!(value.get("error").is_none());
            assert_eq!(
                value["scenario"]["horizon_minutes"],
                serde_json::Value::Null
            );
        }
    }

    /// A drill's file (written before records could be incidents) reads as a drill, and a
    /// drill's file is written as before: only an incident names its kind.
    #[test]
    fn a_drill_record_leaves_its_kind_out_and_reads_back_as_a_drill() {
        let old = r#"{"started": "2026-07-15T09:30:00Z", "humans": ["on-call"], "speed": 5.0}"#;
        let drill: DrillInfo = serde_json::from_str(old).unwrap();
        assert_eq!(drill.kind, RecordKind::Drill);
        assert!(!serde_json::to_string(&drill).unwrap().contains("kind"));
        let incident = DrillInfo {
            kind: RecordKind::Incident,
            ..drill
        };
        let text = serde_json::to_string(&incident).unwrap();
        assert!(text.contains(r#""kind":"incident""#), "{text}");
        assert_eq!(serde_json::from_str::<DrillInfo>(&text).unwrap(), incident);
    }

    #[test]
    fn read_names_the_file_it_could_not_read_or_understand() {
        let dir = std::env::temp_dir().join(format!("ttx-results-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.json");
        let error = Results::read(&missing).unwrap_err();
        assert!(matches!(error, ReadError::Io { .. }));
        assert_eq!(
            error.to_string(),
            format!("could not read results '{}'", missing.display())
        );
        let scenario_file = dir.join("not-results.json");
        std::fs::write(&scenario_file, "{}").unwrap();
        let error = Results::read(&scenario_file).unwrap_err();
        assert!(matches!(error, ReadError::NotResults { .. }));
        let good = dir.join("good.json");
        std::fs::write(&good, empty_results().to_json()).unwrap();
        let read = Results::read(&good).unwrap();
        assert_eq!(read, empty_results());
        let loaded = read.compile_scenario(&good).unwrap();
        assert_eq!(loaded.scenario.meta.name, read.scenario.name);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
