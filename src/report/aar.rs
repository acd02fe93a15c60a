//! The after-action report: what a facilitator hands to leadership, derived from results.
//!
//! Objectives → ratings (P/S/M/U) → metrics with censoring-aware intervals → communications,
//! RACI and approval waits when the scenario has them ([`super::facilitation`]) → where the
//! time goes (phases and roles) → the timeline of a representative run → strengths, areas for
//! improvement and an improvement plan. Everything here is computed from a results file alone
//! (which carries the scenario text, so the representative run is replayed exactly), and
//! every percentile interval is the distribution-free order-statistic one, which says "none at
//! n = 3" where no 95% interval exists. The renderers (Markdown, HTML, JSON,
//! CSV) only format this structure.

use serde::{Deserialize, Serialize};

use super::facilitation::{ApprovalRow, Communications, RaciRow};
use crate::model::{self, Note, Phase, Span};
use crate::results::{CountSummary, Results, TIME_METRICS};
use crate::scenario::duration::format_minutes;
use crate::scenario::{Rating, Scenario};
use crate::stats::order;
use crate::stats::survival::{KaplanMeier, Observation};
use crate::stats::{DurationSummary, MeanKind};

/// Identifies the report JSON layout.
pub const REPORT_FORMAT: &str = "ttx-report/1";

/// Exercise overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Scenario name.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Scenario version.
    pub version: String,
    /// `sha256:` of the scenario file.
    pub content_hash: String,
    /// Master seed.
    pub seed: u64,
    /// Runs.
    pub runs: u64,
    /// ttx version that ran the batch.
    pub ttx_version: String,
    /// Horizon in minutes.
    pub horizon_minutes: f64,
    /// The results' label (`ttx run --label 2026-Q3`), if they have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// When the live drill these results record started (RFC 3339, UTC); batches have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill_started: Option<String>,
}

/// One objective and its rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveRating {
    /// Objective id.
    pub id: String,
    /// What it says.
    pub text: String,
    /// Metric.
    pub metric: String,
    /// Target (minutes or a count).
    pub target: f64,
    /// Time box (minutes).
    pub time_box_minutes: f64,
    /// Share of the judged runs (a fault began) meeting the target.
    pub met_rate: f64,
    /// Share of the judged runs over the target but within the time box.
    pub late_rate: f64,
    /// Share of the judged runs missing it.
    pub missed_rate: f64,
    /// P, S, M or U.
    pub rating: Rating,
    /// Least met rates for P, S, M.
    pub rating_thresholds: [f64; 3],
}

/// One time metric with intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    /// Metric name.
    pub metric: String,
    /// Runs that reached the milestone.
    pub reached: u64,
    /// Runs censored.
    pub censored: u64,
    /// Kaplan-Meier median.
    pub median: Option<f64>,
    /// Its distribution-free 95% interval (order statistics; `null` below 6 runs, the upper
    /// end `null` when too few runs reached the milestone).
    pub median_ci95: Option<[Option<f64>; 2]>,
    /// Why there is no `median_ci95` ("none at n = 3: ...").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_ci95_none: Option<String>,
    /// Kaplan-Meier 90th percentile.
    pub p90: Option<f64>,
    /// Its 95% interval, by the same rule as the median's (`null` below 36 runs).
    pub p90_ci95: Option<[Option<f64>; 2]>,
    /// Why there is no `p90_ci95`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90_ci95_none: Option<String>,
    /// Kaplan-Meier 95th percentile.
    pub p95: Option<f64>,
    /// Its 95% interval, by the same rule (`null` below 72 runs).
    pub p95_ci95: Option<[Option<f64>; 2]>,
    /// Why there is no `p95_ci95`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p95_ci95_none: Option<String>,
    /// Mean or restricted mean.
    pub mean: Option<f64>,
    /// `mean` or `restricted_mean`.
    pub mean_kind: MeanKind,
    /// 95% interval of the mean.
    pub mean_ci95: Option<[f64; 2]>,
    /// Restriction time of a restricted mean.
    pub restricted_to: Option<f64>,
}

/// A Kaplan-Meier curve of the share of runs not yet at a milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalCurve {
    /// Metric name.
    pub metric: String,
    /// `[minutes, survival, lower, upper]` at each event time (starts at `[0, 1, 1, 1]`).
    pub points: Vec<[f64; 4]>,
    /// Runs censored.
    pub censored: u64,
}

/// A histogram of a time metric over the runs that reached it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Metric name.
    pub metric: String,
    /// Width of each bin in minutes.
    pub bin_minutes: f64,
    /// Runs per bin, bin `i` covering `[i·w, (i+1)·w)`.
    pub counts: Vec<u64>,
    /// Runs not shown because censored.
    pub censored: u64,
}

/// Where the time goes: one phase across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseRow {
    /// Phase name.
    pub phase: String,
    /// Mean minutes per run.
    pub mean_minutes: f64,
    /// Median minutes per run.
    pub median_minutes: f64,
    /// 90th percentile of minutes per run.
    pub p90_minutes: f64,
    /// Mean share of a run's time to recover (runs that recovered).
    pub mean_share: f64,
    /// Share of runs in which this phase took the most time.
    pub dominant_in: f64,
}

/// Where the time goes: one role across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleRow {
    /// Role id.
    pub role: String,
    /// Mean minutes per run the incident waited on this role.
    pub mean_minutes: f64,
    /// Share of all attributed minutes.
    pub share: f64,
}

/// The run whose time to recover is the median, replayed with its trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepresentativeRun {
    /// Run index.
    pub run: u64,
    /// Its time to recover (minutes from onset).
    pub time_to_recover: f64,
    /// Scenario minute of its first onset.
    pub onset: f64,
    /// What happened, in words.
    pub timeline: Vec<Note>,
    /// Activities per lane, for the Gantt chart.
    pub spans: Vec<Span>,
}

impl RepresentativeRun {
    /// Run `run` of `scenario` under `seed`, replayed with its trace; `None` if it did not
    /// recover.
    pub fn replay(scenario: &Scenario, seed: u64, run: u64) -> Option<Self> {
        let (outcome, trace) = model::trace_run(scenario, seed, run);
        Some(RepresentativeRun {
            run,
            time_to_recover: outcome.time_to(crate::scenario::Milestone::Recovered)?,
            onset: outcome.onset.unwrap_or(0.0),
            timeline: trace.notes,
            spans: trace.spans,
        })
    }
}

/// One line of the improvement plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    /// The objective it addresses.
    pub objective: String,
    /// What to do.
    pub action: String,
    /// The role that owns it.
    pub owner: String,
    /// When it is due.
    pub due: String,
}

/// The whole after-action report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfterActionReport {
    /// [`REPORT_FORMAT`].
    pub format: String,
    /// Exercise overview.
    pub overview: Overview,
    /// Overall rating: the lowest objective rating.
    pub overall_rating: Rating,
    /// Objective ratings.
    pub objectives: Vec<ObjectiveRating>,
    /// Time metrics.
    pub metrics: Vec<MetricRow>,
    /// Records per run: `lost`, `delayed`, `failed`.
    pub records: Vec<(String, CountSummary)>,
    /// Updates per audience on the `[comms]` cadence; absent without a cadence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communications: Option<Communications>,
    /// Who is responsible, accountable, consulted and informed per action; absent unless
    /// some action declares `raci`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub raci: Vec<RaciRow>,
    /// Approval waits per action approved by a role other than its performer; absent
    /// without such an action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<ApprovalRow>,
    /// Survival curves of time to contain and to recover.
    pub survival: Vec<SurvivalCurve>,
    /// Histograms of the four time metrics.
    pub histograms: Vec<Histogram>,
    /// Phase breakdown.
    pub phases: Vec<PhaseRow>,
    /// Role breakdown.
    pub roles: Vec<RoleRow>,
    /// The median-recovery run, if any run recovered and the scenario text compiles.
    pub representative: Option<RepresentativeRun>,
    /// What went well, from the data.
    pub strengths: Vec<String>,
    /// What to improve, from the data.
    pub areas_for_improvement: Vec<String>,
    /// Actions seeded from the weakest objectives.
    pub improvement_plan: Vec<PlanItem>,
}

/// The rule that makes the overall rating, stated in every report.
pub const OVERALL_RULE: &str = "The overall rating is the lowest objective rating: an exercise performs only as well as its weakest objective.";

impl MetricRow {
    /// The row of a time summarised as `summary` from `observations`, each percentile with
    /// its distribution-free order-statistic interval ([`order::quantile_interval`]: one
    /// rule for every interval ttx prints).
    pub fn of(name: &str, summary: &DurationSummary, observations: &[Observation]) -> Self {
        let interval = |p: f64, what: &str| order::quantile_ci95(observations, p, what);
        let ((p90_ci95, p90_ci95_none), (p95_ci95, p95_ci95_none)) =
            (interval(0.9, "p90"), interval(0.95, "p95"));
        let s = summary;
        MetricRow {
            metric: name.to_string(),
            reached: s.reached,
            censored: s.censored,
            median: s.median,
            median_ci95: s.median_ci95,
            median_ci95_none: s.median_ci95_none.clone(),
            p90: s.p90,
            p90_ci95: s.p90.and(p90_ci95),
            p90_ci95_none: s.p90.and(p90_ci95_none),
            p95: s.p95,
            p95_ci95: s.p95.and(p95_ci95),
            p95_ci95_none: s.p95.and(p95_ci95_none),
            mean: s.mean,
            mean_kind: s.mean_kind,
            mean_ci95: s.ci95,
            restricted_to: s.restricted_to,
        }
    }
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

impl AfterActionReport {
    /// Builds the report from results. Summaries are recomputed from the per-run rows, so a
    /// report depends only on the runs (and the scenario text) in the file.
    pub fn new(results: &Results) -> Self {
        let mut rebuilt = Results::from_rows(results.header(), results.per_run.clone());
        // The version that ran the batch, not the one writing the report.
        rebuilt.ttx_version = results.ttx_version.clone();
        let results = &rebuilt;
        // Rates are over the runs in which the objective could be judged (a fault began).
        let judged =
            |o: &crate::results::ObjectiveSummary| (o.met + o.late + o.missed).max(1) as f64;
        let objectives: Vec<ObjectiveRating> = results
            .objectives
            .iter()
            .map(|o| ObjectiveRating {
                id: o.id.clone(),
                text: o.text.clone(),
                metric: o.metric.clone(),
                target: o.target,
                time_box_minutes: o.time_box_minutes,
                met_rate: o.met as f64 / judged(o),
                late_rate: o.late as f64 / judged(o),
                missed_rate: o.missed as f64 / judged(o),
                rating: o.rating,
                rating_thresholds: o.rating_thresholds,
            })
            .collect();
        let overall_rating = objectives
            .iter()
            .map(|o| o.rating)
            .min()
            .unwrap_or(Rating::Performed);
        let metrics = results
            .metrics
            .iter()
            .enumerate()
            .map(|(i, (name, s))| MetricRow::of(name, s, &results.observations(i)))
            .collect();
        let records = ["lost", "delayed", "failed"]
            .iter()
            .filter_map(|k| results.records.get(*k).map(|c| (k.to_string(), c.clone())))
            .collect();
        let survival = [2usize, 3]
            .iter()
            .map(|&i| {
                let km = KaplanMeier::fit(&results.observations(i), 0.95);
                let mut points = vec![[0.0, 1.0, 1.0, 1.0]];
                if let Some(km) = &km {
                    points.extend(
                        km.steps
                            .iter()
                            .map(|s| [s.time, s.survival, s.lower, s.upper]),
                    );
                }
                SurvivalCurve {
                    metric: TIME_METRICS[i].to_string(),
                    points,
                    censored: km.map_or(0, |k| k.censored),
                }
            })
            .collect();
        let histograms = (0..4).map(|i| histogram(results, i)).collect();
        let phases = phase_rows(results);
        let roles = role_rows(results);
        // The scenario the results carry: for the RACI table, approvers and the replay.
        let loaded =
            crate::scenario::from_str("results.json#scenario.source", &results.scenario.source)
                .ok();
        let scenario = loaded.as_ref().map(|l| &l.scenario);
        let representative = scenario.and_then(|s| representative_run(results, s));
        let communications = Communications::of(results);
        let raci = scenario.map_or_else(Vec::new, RaciRow::of);
        let approvals = ApprovalRow::of(results, scenario);
        let (strengths, areas_for_improvement) = findings(results, &objectives, &phases, &roles);
        let improvement_plan = plan(&objectives, &phases, &roles);
        AfterActionReport {
            format: REPORT_FORMAT.to_string(),
            overview: Overview {
                scenario: results.scenario.name.clone(),
                title: results.scenario.title.clone(),
                version: results.scenario.version.clone(),
                content_hash: results.scenario.content_hash.clone(),
                seed: results.seed,
                runs: results.runs,
                ttx_version: results.ttx_version.clone(),
                horizon_minutes: results.scenario.horizon_minutes,
                label: results.label.clone(),
                drill_started: results.drill.as_ref().map(|d| d.started.clone()),
            },
            overall_rating,
            objectives,
            metrics,
            records,
            communications,
            raci,
            approvals,
            survival,
            histograms,
            phases,
            roles,
            representative,
            strengths,
            areas_for_improvement,
            improvement_plan,
        }
    }
}

/// About 20 bins of a "nice" width (1, 2, 5 × 10^k minutes) over the reached values.
fn histogram(results: &Results, metric: usize) -> Histogram {
    let values: Vec<f64> = results
        .per_run
        .iter()
        .filter_map(|r| r.times()[metric])
        .collect();
    let censored = results.per_run.len() as u64 - values.len() as u64;
    let max = values.iter().copied().fold(0.0, f64::max);
    let raw = (max / 20.0).max(1e-9);
    let magnitude = 10f64.powf(raw.log10().floor());
    let width = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|w| *w >= raw)
        .unwrap_or(10.0 * magnitude);
    let bins = ((max / width).floor() as usize + 1).min(200);
    let mut counts = vec![0u64; if values.is_empty() { 0 } else { bins }];
    for v in &values {
        let i = ((v / width).floor() as usize).min(bins - 1);
        counts[i] += 1;
    }
    Histogram {
        metric: TIME_METRICS[metric].to_string(),
        bin_minutes: width,
        counts,
        censored,
    }
}

fn phase_rows(results: &Results) -> Vec<PhaseRow> {
    let rows = &results.per_run;
    let started: Vec<_> = rows.iter().filter(|r| r.onset.is_some()).collect();
    let n = started.len().max(1) as f64;
    let minutes = |r: &crate::results::RunRow, p: Phase| r.phases.get(p);
    Phase::ALL
        .iter()
        .map(|&phase| {
            let values = sorted(started.iter().map(|r| minutes(r, phase)).collect());
            // Verification comes after recovery: it is no share of the time to recover.
            let shares: Vec<f64> = started
                .iter()
                .filter(|_| phase != Phase::Verification)
                .filter_map(|r| {
                    r.time_to_recover
                        .filter(|t| *t > 0.0)
                        .map(|t| minutes(r, phase) / t)
                })
                .collect();
            let dominant = started
                .iter()
                .filter(|r| {
                    Phase::ALL
                        .iter()
                        .filter(|p| **p != Phase::Verification)
                        .max_by(|a, b| minutes(r, **a).total_cmp(&minutes(r, **b)))
                        == Some(&phase)
                })
                .count();
            PhaseRow {
                phase: phase.name().to_string(),
                mean_minutes: values.iter().sum::<f64>() / n,
                median_minutes: crate::stats::quantile_sorted(&values, 0.5).unwrap_or(0.0),
                p90_minutes: crate::stats::quantile_sorted(&values, 0.9).unwrap_or(0.0),
                mean_share: crate::stats::mean(&shares).unwrap_or(0.0),
                dominant_in: dominant as f64 / n,
            }
        })
        .collect()
}

fn role_rows(results: &Results) -> Vec<RoleRow> {
    let n = results.per_run.len().max(1) as f64;
    let totals: Vec<f64> = (0..results.scenario.roles.len())
        .map(|i| {
            results
                .per_run
                .iter()
                .map(|r| r.role_minutes.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let all: f64 = totals.iter().sum::<f64>().max(1e-9);
    results
        .scenario
        .roles
        .iter()
        .zip(&totals)
        .map(|(role, total)| RoleRow {
            role: role.clone(),
            mean_minutes: total / n,
            share: total / all,
        })
        .collect()
}

/// The run at the median of time to recover (lower median; ties by run index), replayed.
fn representative_run(results: &Results, scenario: &Scenario) -> Option<RepresentativeRun> {
    let mut recovered: Vec<(f64, u64)> = results
        .per_run
        .iter()
        .filter_map(|r| r.time_to_recover.map(|t| (t, r.run)))
        .collect();
    if recovered.is_empty() {
        return None;
    }
    recovered.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (_, run) = recovered[(recovered.len() - 1) / 2];
    RepresentativeRun::replay(scenario, results.seed, run)
}

fn phase_label(phase: &str) -> String {
    phase.replace('_', " ")
}

fn findings(
    results: &Results,
    objectives: &[ObjectiveRating],
    phases: &[PhaseRow],
    roles: &[RoleRow],
) -> (Vec<String>, Vec<String>) {
    let mut strengths = Vec::new();
    let mut areas = Vec::new();
    let pct = |x: f64| format!("{:.0}%", 100.0 * x);
    for o in objectives {
        let line = format!(
            "{} ({}): met in {} of runs, rated {} — {}",
            o.id,
            o.metric,
            pct(o.met_rate),
            o.rating,
            o.rating.words()
        );
        if o.rating == Rating::Performed {
            strengths.push(line);
        } else if o.rating <= Rating::MajorChallenges {
            areas.push(line);
        }
    }
    let before_recovery: Vec<&PhaseRow> = phases
        .iter()
        .filter(|p| p.phase != "verification")
        .collect();
    if let Some(top) = before_recovery
        .iter()
        .max_by(|a, b| a.mean_share.total_cmp(&b.mean_share))
        && top.mean_share > 0.0
    {
        areas.push(format!(
            "{} takes the largest share of the time to recover ({} on average, {} in the median run, longest phase in {} of runs)",
            phase_label(&top.phase),
            pct(top.mean_share),
            format_minutes(top.median_minutes),
            pct(top.dominant_in)
        ));
    }
    for p in &before_recovery {
        if (p.phase == "detection" || p.phase == "acknowledgement")
            && p.mean_share > 0.0
            && p.mean_share < 0.1
        {
            strengths.push(format!(
                "{} is quick: {} of the time to recover on average",
                phase_label(&p.phase),
                pct(p.mean_share)
            ));
        }
    }
    if let Some(role) = roles.iter().max_by(|a, b| a.share.total_cmp(&b.share))
        && role.share > 0.5
    {
        areas.push(format!(
            "the incident waits on {} for {} of all attributed time: a single point of pressure",
            role.role,
            pct(role.share)
        ));
    }
    let mean_of = |key: &str| {
        results
            .counters
            .get(key)
            .and_then(|c| c.mean)
            .unwrap_or(0.0)
    };
    let wrong = mean_of("wrong_diagnoses");
    if wrong >= 0.3 {
        areas.push(format!(
            "wrong diagnoses: {wrong:.2} per run on average; misleading signals cost time"
        ));
    }
    let breached = mean_of("targets_breached");
    if breached >= 0.5 {
        areas.push(format!(
            "escalation targets breached {breached:.2} times per run on average"
        ));
    } else if breached < 0.1 {
        strengths.push(format!(
            "escalation targets are rarely breached ({breached:.2} per run)"
        ));
    }
    let lost_runs = results
        .per_run
        .iter()
        .filter(|r| r.records.lost > 0)
        .count() as f64
        / results.runs.max(1) as f64;
    if lost_runs > 0.05 {
        areas.push(format!("records are lost in {} of runs", pct(lost_runs)));
    } else if lost_runs == 0.0 {
        strengths.push("no run loses a record".to_string());
    }
    let recover = &results.metrics.time_to_recover;
    if recover.censored as f64 > 0.01 * results.runs as f64 {
        areas.push(format!(
            "{} runs ({}) do not recover within the {} horizon",
            recover.censored,
            pct(recover.censored as f64 / results.runs.max(1) as f64),
            format_minutes(results.scenario.horizon_minutes)
        ));
    }
    (strengths, areas)
}

/// Improvement actions for objectives rated below P, weakest first.
fn plan(objectives: &[ObjectiveRating], phases: &[PhaseRow], roles: &[RoleRow]) -> Vec<PlanItem> {
    let mut weak: Vec<&ObjectiveRating> = objectives
        .iter()
        .filter(|o| o.rating != Rating::Performed)
        .collect();
    weak.sort_by_key(|o| (o.rating, o.met_rate.to_bits()));
    // The role the incident waited on most (the first of equals); stakeholders never have
    // attributed time, so they never own an action.
    let busiest = roles
        .iter()
        .filter(|r| r.share > 0.0)
        .fold(None, |best: Option<&RoleRow>, r| match best {
            Some(b) if b.share >= r.share => Some(b),
            _ => Some(r),
        })
        .map_or("incident lead".to_string(), |r| r.role.clone());
    let dominant = phases
        .iter()
        .filter(|p| p.phase != "verification")
        .max_by(|a, b| a.mean_share.total_cmp(&b.mean_share))
        .map_or("diagnosis".to_string(), |p| phase_label(&p.phase));
    weak.iter()
        .map(|o| {
            let action = match o.metric.as_str() {
                "time_to_detect" => "Add or tune monitoring on the affected flow (error and volume alerts routed to a watched channel) and shorten reconciliation cadence".to_string(),
                "time_to_acknowledge" => "Review paging: route alerts to an on-call rota with escalation, and cover off-hours".to_string(),
                "time_to_contain" => "Pre-approve containment (pausing a flow) in the runbook so responders need not wait for approval".to_string(),
                "time_to_recover" => format!("Shorten {dominant}: rehearse the recovery runbook and document how to confirm the root cause"),
                "records_lost" | "records_failed" => "Extend retry retention and add a replay or backfill step to the runbook".to_string(),
                "records_delayed" => "Add a workaround that keeps records flowing while the fix is made".to_string(),
                _ => "Review the escalation targets against the team's real response times".to_string(),
            };
            PlanItem { objective: o.id.clone(), action, owner: busiest.clone(), due: o.rating.due().to_string() }
        })
        .collect()
}
