//! Where one run (a live drill) falls within the simulated distribution of its scenario.
//!
//! One drill is one sample: it cannot show that a team got better or worse, but it can be
//! placed against what the scenario's own model says is likely. For each metric the
//! *percentile* of the drill is the share of simulated runs that did better (faster; for
//! records lost, fewer), with ties counted half. A percentile of 71 means 71% of simulated
//! runs were faster than the team: lower is better.
//!
//! Censoring is respected. The simulated curve is Kaplan-Meier, so a simulated run censored
//! (never reaching the milestone before its horizon) at a time beyond the drill's counts as
//! slower than the drill, and one censored earlier carries only what it is known to say. A
//! drill that did not reach a milestone itself is placed at its censoring time, and its
//! percentile is then a lower bound ("at least").
//!
//! This module only computes and describes placements; it prints nothing. [`simulate`] runs the
//! scenario a results file carries with a fixed, documented seed, so a placement is
//! reproducible.

use crate::results::{Results, RunRow, TIME_METRICS};
use crate::runner::{self, BatchError, BatchOptions};
use crate::scenario::{self, LoadError};
use crate::stats::survival::KaplanMeier;

/// Simulated runs a drill is placed against by default.
pub const PLACEMENT_RUNS: u64 = 10_000;

/// Master seed of the simulated runs a drill is placed against (fixed, so placements are
/// reproducible: `ttx run SCENARIO --runs 10000 --seed 20260101` gives the same runs).
pub const PLACEMENT_SEED: u64 = 20_260_101;

/// The metric name of records lost, as placements and comparisons name it.
pub const RECORDS_LOST: &str = "records_lost";

/// Where one run falls on one metric.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Placement {
    /// Metric name: a time metric (`time_to_contain`, ...) or `records_lost`.
    pub metric: &'static str,
    /// The run's value (minutes, or a count); `None` if the run never reached the milestone
    /// or had no incident.
    pub value: Option<f64>,
    /// Minutes of follow-up when the run did not reach the milestone (its time exceeds this);
    /// the percentile is then a lower bound.
    pub censored_at: Option<f64>,
    /// Share of simulated runs that did better than this run, in `[0, 1]` (ties count half);
    /// `None` when the run had no incident or nothing was simulated.
    pub percentile: Option<f64>,
    /// Share of simulated runs with exactly this run's value (common for records lost, where
    /// most runs lose none; rare for times).
    pub tied: f64,
    /// Simulated runs with an incident that the percentile is computed over.
    pub simulated_runs: u64,
}

impl Placement {
    /// `≥` where the run did not reach the milestone (its percentile is a lower bound), else
    /// nothing: the mark put before a percentile wherever one is shown.
    pub fn bound_mark(&self) -> &'static str {
        if self.censored_at.is_some() {
            "≥"
        } else {
            ""
        }
    }

    /// One sentence for people, e.g. "your time to contain, 42 min, is at the 71st percentile
    /// of 10,000 simulated runs (71% of them were faster)".
    pub fn describe(&self) -> String {
        let name = self.metric.replace('_', " ");
        let runs = thousands(self.simulated_runs);
        let better = if self.metric == RECORDS_LOST {
            "lost fewer"
        } else {
            "were faster"
        };
        match (self.value, self.censored_at, self.percentile) {
            (Some(value), _, Some(p)) => format!(
                "your {name}, {}, is at the {} percentile of {runs} simulated runs ({}% of them {better}{})",
                self.show(value),
                ordinal(p),
                percent(p - self.tied / 2.0),
                if self.tied >= 0.005 {
                    format!(", {}% the same", percent(self.tied))
                } else {
                    String::new()
                }
            ),
            (None, Some(at), Some(p)) => format!(
                "your {name} was not reached within {}; at least {}% of {runs} simulated runs {better}",
                self.show(at),
                percent(p)
            ),
            _ if self.simulated_runs == 0 => {
                format!("your {name} cannot be placed: no simulated run had an incident")
            }
            _ => format!("your {name} cannot be placed: no incident began in your run"),
        }
    }

    fn show(&self, value: f64) -> String {
        if self.metric == RECORDS_LOST {
            format!("{value:.0} records")
        } else {
            format!("{value:.0} min")
        }
    }
}

/// Places `row` within `simulated` on every time metric and on records lost. Simulated runs
/// without an incident are left out (they have no times); so is `row` if it had none.
pub fn place(row: &RunRow, simulated: &Results) -> Vec<Placement> {
    let with_incident: Vec<&RunRow> = simulated
        .per_run
        .iter()
        .filter(|r| r.onset.is_some())
        .collect();
    let simulated_runs = with_incident.len() as u64;
    let mut placements: Vec<Placement> = TIME_METRICS
        .iter()
        .enumerate()
        .map(|(i, &metric)| {
            // Read as `compare` reads them, so a drill's fixed 5 minutes ties with 5.0.
            let observations = super::time_sample(&with_incident, i);
            let curve = KaplanMeier::fit(&observations, 0.95);
            let (value, censored_at, percentile, tied) = match (row.onset, row.times()[i], &curve) {
                (None, _, _) => (None, None, None, 0.0),
                (Some(_), Some(t), Some(km)) => {
                    let (faster, tied) = faster_and_tied(km, crate::stats::tie_time(t));
                    (Some(t), None, Some(faster + tied / 2.0), tied)
                }
                (Some(_), None, Some(km)) => (
                    None,
                    Some(row.censored_at),
                    // The drill took longer than its follow-up: every run that finished
                    // by then was surely faster.
                    Some(1.0 - km.survival_at(row.censored_at)),
                    0.0,
                ),
                (Some(_), t, None) => (t, t.is_none().then_some(row.censored_at), None, 0.0),
            };
            Placement {
                metric,
                value,
                censored_at,
                percentile,
                tied,
                simulated_runs,
            }
        })
        .collect();
    let lost = row.onset.map(|_| row.records.lost as f64);
    let shares = lost.filter(|_| simulated_runs > 0).map(|value| {
        let (below, equal) = with_incident.iter().fold((0u64, 0u64), |(b, e), r| {
            let other = r.records.lost as f64;
            (b + (other < value) as u64, e + (other == value) as u64)
        });
        let runs = simulated_runs as f64;
        (below as f64 / runs, equal as f64 / runs)
    });
    placements.push(Placement {
        metric: RECORDS_LOST,
        value: lost,
        censored_at: None,
        percentile: shares.map(|(fewer, tied)| fewer + tied / 2.0),
        tied: shares.map_or(0.0, |(_, tied)| tied),
        simulated_runs,
    });
    placements
}

/// `(P(T < t), P(T = t))` from the Kaplan-Meier curve: the shares of runs faster than `t` and
/// exactly at `t`.
fn faster_and_tied(km: &KaplanMeier, t: f64) -> (f64, f64) {
    let before = km
        .steps
        .iter()
        .take_while(|s| s.time < t)
        .last()
        .map_or(1.0, |s| s.survival);
    let at = km.survival_at(t);
    (1.0 - before, before - at)
}

/// Why the scenario a results file carries could not be simulated.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// The scenario text is not a valid scenario (for this version of ttx).
    #[error("the scenario carried in '{name}' is not valid for this version of ttx")]
    Invalid {
        /// Where the scenario came from.
        name: String,
        /// The diagnostics.
        #[source]
        source: LoadError,
    },
    /// The batch could not run.
    #[error("could not simulate the scenario carried in '{name}'")]
    Batch {
        /// Where the scenario came from.
        name: String,
        /// The cause.
        #[source]
        source: BatchError,
    },
}

/// Simulates `runs` runs of the scenario `results` carry (`scenario.source`) under `seed`;
/// `name` says where the results came from, for errors. Use [`PLACEMENT_RUNS`] and
/// [`PLACEMENT_SEED`] to place a drill reproducibly.
pub fn simulate(
    name: &str,
    results: &Results,
    runs: u64,
    seed: u64,
) -> Result<Results, SimulateError> {
    let shown = format!("{name}#scenario.source");
    let loaded = scenario::from_str(&shown, &results.scenario.source).map_err(|source| {
        SimulateError::Invalid {
            name: name.to_string(),
            source,
        }
    })?;
    let outcomes = runner::run_batch(&loaded.scenario, &BatchOptions::new(runs, seed), &|_| {})
        .map_err(|source| SimulateError::Batch {
            name: name.to_string(),
            source,
        })?;
    Ok(Results::new(&loaded.scenario, seed, &outcomes))
}

/// `0.712` as `71st`, `0.02` as `2nd`, `0.113` as `11th`.
pub fn ordinal(share: f64) -> String {
    let n = (share * 100.0).round() as u64;
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn percent(share: f64) -> String {
    format!("{:.0}", share * 100.0)
}

/// `10000` as `10,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simulated() -> Results {
        let loaded = scenario::default_scenario();
        let outcomes =
            runner::run_batch(&loaded.scenario, &BatchOptions::new(400, 3), &|_| {}).unwrap();
        Results::new(&loaded.scenario, 3, &outcomes)
    }

    fn row_with(results: &Results, times: [Option<f64>; 4]) -> RunRow {
        let mut row = results.per_run[0].clone();
        row.onset = Some(10.0);
        row.time_to_detect = times[0];
        row.time_to_acknowledge = times[1];
        row.time_to_contain = times[2];
        row.time_to_recover = times[3];
        row
    }

    #[test]
    fn without_censoring_the_percentile_is_the_share_of_faster_runs() {
        let sim = simulated();
        let mut detect: Vec<f64> = sim
            .per_run
            .iter()
            .filter_map(|r| r.time_to_detect)
            .collect();
        assert_eq!(
            detect.len(),
            400,
            "the default scenario reaches detection in every run"
        );
        detect.sort_by(f64::total_cmp);
        // Between the 100th and 101st fastest runs: exactly 100 of 400 were faster.
        let t = (detect[99] + detect[100]) / 2.0;
        let placed = place(&row_with(&sim, [Some(t), None, None, None]), &sim);
        assert_eq!(placed[0].metric, "time_to_detect");
        assert!((placed[0].percentile.unwrap() - 0.25).abs() < 1e-12);
        // Exactly on a simulated time: that run counts half.
        let on = place(&row_with(&sim, [Some(detect[99]), None, None, None]), &sim);
        assert!((on[0].percentile.unwrap() - 99.5 / 400.0).abs() < 1e-12);
    }

    #[test]
    fn a_censored_drill_gets_a_lower_bound() {
        let sim = simulated();
        let placed = place(&row_with(&sim, [None, None, None, None]), &sim);
        let p = &placed[3];
        assert_eq!(p.value, None);
        assert_eq!(p.censored_at, Some(sim.per_run[0].censored_at));
        assert!(p.percentile.unwrap() > 0.9, "{p:?}");
        assert!(p.describe().contains("at least"), "{}", p.describe());
    }

    #[test]
    fn censored_simulated_runs_beyond_the_drill_count_as_slower() {
        // Simulated: 1, 2 reached; two runs censored at 10. A drill at 5 beat the two
        // censored runs (they took longer than 10): 2 of 4 were faster.
        let sim = simulated();
        let mut small = sim.clone();
        small.per_run.truncate(4);
        for (r, t) in small
            .per_run
            .iter_mut()
            .zip([Some(1.0), Some(2.0), None, None])
        {
            r.onset = Some(0.0);
            r.time_to_contain = t;
            r.censored_at = 10.0;
        }
        let placed = place(&row_with(&sim, [None, None, Some(5.0), None]), &small);
        assert_eq!(placed[2].percentile, Some(0.5));
        assert_eq!(placed[2].simulated_runs, 4);
    }

    #[test]
    fn descriptions_read_like_the_report() {
        let p = Placement {
            metric: "time_to_contain",
            value: Some(42.2),
            censored_at: None,
            percentile: Some(0.712),
            tied: 0.0,
            simulated_runs: 10_000,
        };
        assert_eq!(
            p.describe(),
            "your time to contain, 42 min, is at the 71st percentile of 10,000 simulated runs (71% of them were faster)"
        );
        assert_eq!(ordinal(0.113), "11th");
        assert_eq!(ordinal(0.02), "2nd");
        let none = Placement {
            value: None,
            percentile: None,
            ..p
        };
        assert!(none.describe().contains("no incident began"));
        // Most runs lose no records: a drill that lost none sits mid-way through the ties.
        let lost = Placement {
            metric: RECORDS_LOST,
            value: Some(0.0),
            censored_at: None,
            percentile: Some(0.495),
            tied: 0.99,
            simulated_runs: 10_000,
        };
        assert_eq!(
            lost.describe(),
            "your records lost, 0 records, is at the 50th percentile of 10,000 simulated runs (0% of them lost fewer, 99% the same)"
        );
    }

    #[test]
    fn a_run_without_incident_is_not_placed() {
        let sim = simulated();
        let mut row = sim.per_run[0].clone();
        row.onset = None;
        assert!(place(&row, &sim).iter().all(|p| p.percentile.is_none()));
    }
}
