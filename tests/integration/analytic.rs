//! Monte Carlo against closed forms: a scenario whose milestone times are sums of independent
//! exponential and fixed delays, so their means and variances are known exactly.
//!
//! In this scenario (see `src/model/mod.rs`) the path from onset to recovery is:
//!
//! 1. `FaultOnset` schedules the monitor's `Signal` after its latency `L ~ Exp(mean 10m)`
//!    (miss 0, so it always fires): time to detect = `L`.
//! 2. `Signal` opens the incident at the first severity, which pages the role; the page is
//!    acknowledged after `A ~ Exp(mean 5m)` (no working hours, no overload, so the factor is
//!    1): time to acknowledge = `L + A`.
//! 3. On acknowledgement `plan` finds the fault workable and the role free; it decides to run
//!    the recover action after `D = 7m` (fixed).
//! 4. `ActionDecided` (no approval) makes the action ready and `plan` starts it at once; one
//!    attempt takes `T ~ Exp(mean 20m)` and succeeds (success 1), recovering the fault:
//!    time to contain = time to recover = `L + A + D + T`.
//!
//! Nothing else competes: no diagnosis, no injects, no deck, no status updates, targets far
//! beyond the horizon and no automatic escalation. The horizon (30 days) makes censoring
//! impossible in practice (it would need a sum of three exponentials with means of 35 minutes
//! in total to exceed 43,000 minutes).

use ttx::model::outcome::RunOutcome;
use ttx::results::Results;
use ttx::runner::{self, BatchOptions};
use ttx::scenario::Milestone;

const SCENARIO: &str = r#"
[scenario]
name = "analytic-sum-of-delays"
horizon = "30d"

[[systems]]
id = "form"
kind = "source"

[[systems]]
id = "sync"
kind = "flow"
from = "form"
to = "crm"
records_per_minute = 1

[[systems]]
id = "crm"
kind = "sink"

[[causes]]
id = "renamed-field"
text = "A field was renamed on the form"

[[causes]]
id = "expired-token"
text = "The CRM connection's token expired"

[[causes]]
id = "crm-outage"
text = "The CRM's API is down"

[[faults]]
id = "broken-mapping"
kind = "schema_drift"
target = "sync"
onset = "1h"
effect = { mode = "loud", share = 1.0 }
root_cause = "renamed-field"

[[detectors]]
id = "error-alert"
kind = "monitor"
watches = "sync"
signal = "errors"
latency = { dist = "exponential", mean = "10m" }
miss = 0

[[roles]]
id = "on-call"
acknowledge = { dist = "exponential", mean = "5m" }
decide = "7m"

[escalation]
auto_escalate = false
severities = [
  { level = "SEV3", acknowledge_within = "60d", restore_within = "60d", page = ["on-call"] },
]

[[actions]]
id = "fix-mapping"
by = "on-call"
target = "sync"
effect = "recover"
duration = { dist = "exponential", mean = "20m" }
success = 1.0
"#;

/// Means (minutes) of the parts, from the scenario above.
const DETECT_MEAN: f64 = 10.0;
const ACK_MEAN: f64 = 5.0;
const DECIDE: f64 = 7.0;
const ACTION_MEAN: f64 = 20.0;

const RUNS: u64 = 20_000;
const SEED: u64 = 8_675_309;
/// Two-sided 99% quantile of the standard normal.
const Z99: f64 = 2.576;

/// Mean and variance of a sum of independent exponentials (given by their means) and fixed
/// delays: means add, and an exponential of mean m has variance m^2.
fn sum_of(exponential_means: &[f64], fixed: &[f64]) -> (f64, f64) {
    let mean = exponential_means.iter().sum::<f64>() + fixed.iter().sum::<f64>();
    let variance = exponential_means.iter().map(|m| m * m).sum();
    (mean, variance)
}

fn batch() -> (ttx::scenario::Scenario, Vec<RunOutcome>) {
    let loaded = ttx::scenario::from_str("analytic.toml", SCENARIO)
        .unwrap_or_else(|e| panic!("the analytic scenario does not compile:\n{e}"));
    assert!(
        loaded.warnings.0.is_empty(),
        "the analytic scenario has warnings: {:?}",
        loaded.warnings
    );
    let options = BatchOptions::new(RUNS, SEED);
    let outcomes = runner::run_batch(&loaded.scenario, &options, &|_| {}).expect("batch runs");
    (loaded.scenario, outcomes)
}

fn values(outcomes: &[RunOutcome], milestone: Milestone) -> Vec<f64> {
    outcomes
        .iter()
        .map(|o| {
            o.time_to(milestone)
                .unwrap_or_else(|| panic!("run {} is censored at {}", o.run, milestone.name()))
        })
        .collect()
}

/// Asserts that the Monte Carlo mean lies within the 99% interval around the analytic mean
/// (using the analytic standard deviation), and that the sample standard deviation is within
/// 5% of the analytic one (about five standard errors at this sample size).
fn assert_matches(name: &str, mc_mean: f64, samples: &[f64], mean: f64, variance: f64) {
    let n = samples.len() as f64;
    let sd = variance.sqrt();
    let half_width = Z99 * sd / n.sqrt();
    let sample_mean = samples.iter().sum::<f64>() / n;
    let sample_sd = (samples
        .iter()
        .map(|v| (v - sample_mean) * (v - sample_mean))
        .sum::<f64>()
        / (n - 1.0))
        .sqrt();
    eprintln!(
        "{name}: analytic mean {mean:.3} sd {sd:.3}; Monte Carlo mean {mc_mean:.3} \
         (99% band ±{half_width:.3}) sd {sample_sd:.3}"
    );
    assert!(
        (mc_mean - mean).abs() <= half_width,
        "{name}: Monte Carlo mean {mc_mean} is outside {mean} ± {half_width}"
    );
    assert!(
        (sample_sd - sd).abs() <= 0.05 * sd,
        "{name}: Monte Carlo sd {sample_sd} is more than 5% away from {sd}"
    );
}

#[test]
fn time_to_recover_matches_the_sum_of_detect_acknowledge_decide_and_act() {
    let (scenario, outcomes) = batch();
    let results = Results::new(&scenario, SEED, &outcomes);
    assert_eq!(results.runs_without_incident, 0);
    assert_eq!(results.runs_hit_event_cap, 0);

    let recover = &results.metrics.time_to_recover;
    assert_eq!(recover.censored, 0, "censored runs at recovery");
    assert_eq!(recover.reached, RUNS);
    let (mean, variance) = sum_of(&[DETECT_MEAN, ACK_MEAN, ACTION_MEAN], &[DECIDE]);
    assert_eq!(mean, 42.0);
    assert_eq!(variance, 525.0);
    let samples = values(&outcomes, Milestone::Recovered);
    assert_matches(
        "time_to_recover",
        recover.mean.expect("a mean"),
        &samples,
        mean,
        variance,
    );

    // Recovery is the only way to contain here, so both milestones fall together.
    assert_eq!(results.metrics.time_to_contain.censored, 0);
    assert_eq!(
        values(&outcomes, Milestone::Contained),
        samples,
        "time to contain should equal time to recover when only a recover action exists"
    );
}

#[test]
fn time_to_detect_and_acknowledge_match_their_distributions() {
    let (scenario, outcomes) = batch();
    let results = Results::new(&scenario, SEED, &outcomes);

    let detect = &results.metrics.time_to_detect;
    assert_eq!(detect.censored, 0, "censored runs at detection");
    let (mean, variance) = sum_of(&[DETECT_MEAN], &[]);
    assert_matches(
        "time_to_detect",
        detect.mean.expect("a mean"),
        &values(&outcomes, Milestone::Detected),
        mean,
        variance,
    );

    let acknowledge = &results.metrics.time_to_acknowledge;
    assert_eq!(acknowledge.censored, 0, "censored runs at acknowledgement");
    let (mean, variance) = sum_of(&[DETECT_MEAN, ACK_MEAN], &[]);
    assert_matches(
        "time_to_acknowledge",
        acknowledge.mean.expect("a mean"),
        &values(&outcomes, Milestone::Acknowledged),
        mean,
        variance,
    );
}

#[test]
fn fixed_delays_add_exactly() {
    // With every delay fixed, every run takes exactly the sum: 10 + 5 + 7 + 20 = 42 minutes.
    let fixed = SCENARIO
        .replace(
            r#"latency = { dist = "exponential", mean = "10m" }"#,
            r#"latency = "10m""#,
        )
        .replace(
            r#"acknowledge = { dist = "exponential", mean = "5m" }"#,
            r#"acknowledge = "5m""#,
        )
        .replace(
            r#"duration = { dist = "exponential", mean = "20m" }"#,
            r#"duration = "20m""#,
        );
    assert!(!fixed.contains("exponential"));
    let loaded = ttx::scenario::from_str("fixed.toml", &fixed)
        .unwrap_or_else(|e| panic!("the fixed scenario does not compile:\n{e}"));
    let outcomes =
        runner::run_batch(&loaded.scenario, &BatchOptions::new(50, SEED), &|_| {}).unwrap();
    for o in &outcomes {
        assert_eq!(o.onset, Some(60.0));
        assert_eq!(o.times, [Some(10.0), Some(15.0), Some(42.0), Some(42.0)]);
    }
}
