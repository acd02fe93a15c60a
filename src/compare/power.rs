//! Planning a comparison: how many runs (or drills) per side it takes to detect a change of a
//! metric, and the smallest change a given number per side can detect.
//!
//! Power is estimated by Monte Carlo over the scenario's own distribution of the metric, not a
//! textbook shape: the scenario is simulated once (the *pool*), and each replication draws `n`
//! values per side from the pool with replacement, multiplies the second side's times by
//! `1 + change`, and runs the very test `ttx compare` uses ([`super::test_samples`]) at level
//! alpha. The power is the share of replications in which the test is significant *in the
//! direction of the change*. A changed time that exceeds its run's follow-up becomes censored
//! there; a censored time stays censored at its follow-up (its true value is unknown, so a
//! speed-up cannot be credited to it: conservative).
//!
//! Replication `r` draws from ChaCha8 seeded with the seed on stream `r`, whatever `n` and
//! the change, so estimates at neighbouring `n` share random numbers (common random numbers
//! keep the search for `n` from zig-zagging) and every answer is reproducible. The Monte Carlo
//! uncertainty is reported as a 95% interval of the estimated power (`± 1.96 √(p(1-p)/R)`)
//! and as the range of `n` (or of changes) over which that interval still contains the target.
//!
//! Power here is for one planned metric tested alone. `ttx compare` tests every metric and
//! holds the family-wise error with Holm, whose strictest step is `alpha / m` for `m` tested
//! metrics: plan with `--alpha` divided by the number of metrics to be safe.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use super::{Direction, test_samples, time_sample};
use crate::results::{Results, TIME_METRICS};
use crate::stats::survival::Observation;

/// Monte Carlo replications per estimate by default.
pub const DEFAULT_REPLICATIONS: usize = 1000;

/// Simulated runs of the scenario the values are drawn from, by default.
pub const DEFAULT_POOL_RUNS: u64 = 10_000;

/// The largest `n` per side searched.
pub const MAX_N: u64 = 100_000;

/// One simulated run's value of the metric: reached at a time, or not within its follow-up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolValue {
    /// Minutes to the milestone; `None` if censored.
    pub time: Option<f64>,
    /// Minutes of follow-up (where the run is censored).
    pub follow_up: f64,
}

impl PoolValue {
    /// The value with its time multiplied by `factor`, censored at the follow-up if it now
    /// exceeds it.
    fn scaled(self, factor: f64) -> Observation {
        match self.time.map(|t| t * factor) {
            Some(t) if t <= self.follow_up => Observation {
                time: t,
                event: true,
            },
            _ => Observation {
                time: self.follow_up,
                event: false,
            },
        }
    }
}

/// Why power could not be estimated.
#[derive(Debug, thiserror::Error)]
pub enum PowerError {
    /// The metric is not a time metric.
    #[error(
        "`{0}` is not a time metric; choose one of time_to_detect, time_to_acknowledge, time_to_contain, time_to_recover"
    )]
    UnknownMetric(String),
    /// Too few simulated runs reached the milestone to draw from.
    #[error(
        "only {reached} simulated runs reached {metric}; the scenario gives too little to plan with (a longer horizon or more --runs may help)"
    )]
    TooFewValues {
        /// The metric.
        metric: String,
        /// Runs that reached it.
        reached: usize,
    },
}

/// How to estimate power.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerOptions {
    /// Two-sided level of the test.
    pub alpha: f64,
    /// Power wanted.
    pub power: f64,
    /// Monte Carlo replications per estimate.
    pub replications: usize,
    /// Seed of the replications.
    pub seed: u64,
}

/// The values of `metric` (a time metric) in the runs of `results` that had an incident.
pub fn pool(results: &Results, metric: &str) -> Result<Vec<PoolValue>, PowerError> {
    let index = TIME_METRICS
        .iter()
        .position(|m| *m == metric)
        .ok_or_else(|| PowerError::UnknownMetric(metric.to_string()))?;
    let rows = super::incident_rows(results);
    let values: Vec<PoolValue> = time_sample(&rows, index)
        .into_iter()
        .zip(&rows)
        .map(|(o, r)| PoolValue {
            time: o.event.then_some(o.time),
            follow_up: r.censored_at,
        })
        .collect();
    let reached = values.iter().filter(|v| v.time.is_some()).count();
    if reached < 20 {
        return Err(PowerError::TooFewValues {
            metric: metric.to_string(),
            reached,
        });
    }
    Ok(values)
}

/// The estimated power at one `n` and change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Values per side.
    pub n: u64,
    /// Multiplicative change of the second side (`-0.2` = 20% shorter).
    pub change: f64,
    /// Share of replications that detected the change.
    pub power: f64,
    /// 95% Monte Carlo interval of the power, `[low, high]`.
    pub interval: [f64; 2],
    /// Replications.
    pub replications: usize,
}

/// Estimates the power of detecting `change` with `n` values per side.
pub fn estimate(pool: &[PoolValue], n: u64, change: f64, options: &PowerOptions) -> Estimate {
    let factor = 1.0 + change;
    let wanted = if change < 0.0 {
        Direction::Lower
    } else {
        Direction::Higher
    };
    let n_usize = n as usize;
    let detected = (0..options.replications)
        .into_par_iter()
        .with_min_len(8)
        .filter(|&r| {
            let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
            rng.set_stream(r as u64);
            let mut draw = |scale: f64| -> Vec<Observation> {
                (0..n_usize)
                    .map(|_| pool[rng.random_range(0..pool.len())].scaled(scale))
                    .collect()
            };
            let first = draw(1.0);
            let second = draw(factor);
            test_samples(&first, &second)
                .is_some_and(|t| t.p_value < options.alpha && t.direction == wanted)
        })
        .count();
    let r = options.replications.max(1) as f64;
    let power = detected as f64 / r;
    let half = 1.959_963_984_540_054 * (power * (1.0 - power) / r).sqrt();
    Estimate {
        n,
        change,
        power,
        interval: [(power - half).max(0.0), (power + half).min(1.0)],
        replications: options.replications,
    }
}

/// The answer to "how many per side to detect this change?".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleSize {
    /// The smallest `n` per side whose estimated power reaches the target; `None` if none up to
    /// [`MAX_N`] does.
    pub n: Option<u64>,
    /// The estimate at that `n` (or at [`MAX_N`]).
    pub estimate: Estimate,
    /// The `n` range the Monte Carlo error leaves open: from the smallest `n` whose power
    /// interval reaches the target to the smallest whose whole interval is above it.
    pub n_range: [Option<u64>; 2],
    /// The closed form for a lognormal time, for comparison (see [`closed_form_n`]).
    pub closed_form: Option<ClosedForm>,
}

/// The smallest `n` in `2..=MAX_N` for which `reaches` holds, by doubling then bisection
/// (assumes `reaches` is monotone in `n`, which common random numbers make nearly so).
fn smallest_n(mut reaches: impl FnMut(u64) -> bool) -> Option<u64> {
    let mut high = 2;
    while !reaches(high) {
        if high >= MAX_N {
            return None;
        }
        high = (high * 2).min(MAX_N);
    }
    let mut low = high / 2; // does not reach (or is below 2)
    if low < 2 {
        return Some(high);
    }
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if reaches(mid) {
            high = mid;
        } else {
            low = mid;
        }
    }
    Some(high)
}

/// How many values per side detect `change` with the wanted power.
pub fn sample_size(pool: &[PoolValue], change: f64, options: &PowerOptions) -> SampleSize {
    let mut cache = std::collections::BTreeMap::new();
    let mut at = |n: u64| -> Estimate {
        *cache
            .entry(n)
            .or_insert_with(|| estimate(pool, n, change, options))
    };
    let n = smallest_n(|n| at(n).power >= options.power);
    let optimistic = smallest_n(|n| at(n).interval[1] >= options.power);
    let certain = smallest_n(|n| at(n).interval[0] >= options.power);
    SampleSize {
        n,
        estimate: at(n.unwrap_or(MAX_N)),
        n_range: [optimistic, certain],
        closed_form: closed_form(pool, change, options),
    }
}

/// The answer to "what is the smallest change `n` per side can detect?".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmallestChange {
    /// Values per side.
    pub n: u64,
    /// The smallest improvement (a negative change, e.g. `-0.35`) detected with the wanted
    /// power, to the nearest 0.5%; `None` if not even a 99% reduction is.
    pub change: Option<f64>,
    /// The estimate at that change (or at -99%).
    pub estimate: Estimate,
}

/// The smallest improvement (shortening) `n` values per side detect with the wanted power.
pub fn smallest_change(pool: &[PoolValue], n: u64, options: &PowerOptions) -> SmallestChange {
    // Changes in steps of 0.5%, from -0.5% to -99%; power grows with the size of the change.
    let at = |step: u64| estimate(pool, n, -(step as f64) * 0.005, options);
    let last = at(198);
    if last.power < options.power {
        return SmallestChange {
            n,
            change: None,
            estimate: last,
        };
    }
    let (mut low, mut high) = (0u64, 198u64); // low does not reach, high does
    while high - low > 1 {
        let mid = (low + high) / 2;
        if at(mid).power >= options.power {
            high = mid;
        } else {
            low = mid;
        }
    }
    let estimate = at(high);
    SmallestChange {
        n,
        change: Some(estimate.change),
        estimate,
    }
}

/// The textbook answer for a lognormal time, to set the Monte Carlo one against.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClosedForm {
    /// Standard deviation of the log-times of the pool.
    pub sigma_log: f64,
    /// `n` per side of a two-sided t-test on log-times.
    pub t_test_n: f64,
    /// `n` per side of the rank test, `t_test_n · π/3`.
    pub rank_test_n: f64,
}

/// `n = 2 (z_{1-α/2} + z_power)² σ² / ln(1 + change)²`, the per-side size of a two-sided
/// t-test on log-times detecting a multiplicative change of a lognormal time with log-sd `σ`;
/// the rank tests need `π/3` times as many under normality (the asymptotic relative
/// efficiency of Mann-Whitney against the t-test is `3/π ≈ 0.955`, Hodges & Lehmann 1956, and
/// Brunner-Munzel's equals it under a shift). `None` when the pool has censored values or
/// non-positive times (the formula does not apply).
pub fn closed_form_n(sigma_log: f64, change: f64, alpha: f64, power: f64) -> Option<f64> {
    if change <= -1.0 || change == 0.0 || sigma_log <= 0.0 {
        return None;
    }
    let normal = Normal::standard();
    let z = normal.inverse_cdf(1.0 - alpha / 2.0) + normal.inverse_cdf(power);
    Some(2.0 * z * z * sigma_log * sigma_log / (1.0 + change).ln().powi(2))
}

fn closed_form(pool: &[PoolValue], change: f64, options: &PowerOptions) -> Option<ClosedForm> {
    let logs: Option<Vec<f64>> = pool
        .iter()
        .map(|v| v.time.filter(|t| *t > 0.0).map(f64::ln))
        .collect();
    let sigma_log = crate::stats::sample_sd(&logs?)?;
    let t_test_n = closed_form_n(sigma_log, change, options.alpha, options.power)?;
    Some(ClosedForm {
        sigma_log,
        t_test_n,
        rank_test_n: t_test_n * std::f64::consts::PI / 3.0,
    })
}

/// What to ask.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Question {
    /// How many per side detect this multiplicative change?
    SampleSize {
        /// E.g. `-0.2` for 20% shorter.
        change: f64,
    },
    /// The smallest improvement this many per side detect.
    SmallestChange {
        /// Values (runs or drills) per side.
        n: u64,
    },
}

/// A power analysis of one metric of one scenario, ready to print.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerReport {
    /// `ttx-power/1`.
    pub format: &'static str,
    /// Scenario name.
    pub scenario: String,
    /// The metric.
    pub metric: String,
    /// Two-sided level.
    pub alpha: f64,
    /// Power wanted.
    pub power: f64,
    /// Replications per estimate.
    pub replications: usize,
    /// Seed of the simulated pool and of the replications.
    pub seed: u64,
    /// Simulated runs.
    pub pool_runs: u64,
    /// Runs with an incident (the values drawn from).
    pub pool_values: u64,
    /// Of those, runs censored on the metric.
    pub pool_censored: u64,
    /// The answer to [`Question::SampleSize`].
    pub sample_size: Option<SampleSize>,
    /// The answer to [`Question::SmallestChange`].
    pub smallest_change: Option<SmallestChange>,
}

/// Answers `question` about `metric` by drawing from `simulated`, the results of simulating
/// the scenario (`ttx power` simulates `--runs` runs under `--seed`).
pub fn plan(
    simulated: &Results,
    metric: &str,
    question: Question,
    options: &PowerOptions,
) -> Result<PowerReport, PowerError> {
    let values = pool(simulated, metric)?;
    let (sample_size, smallest_change) = match question {
        Question::SampleSize { change } => (Some(sample_size(&values, change, options)), None),
        Question::SmallestChange { n } => (None, Some(smallest_change(&values, n, options))),
    };
    Ok(PowerReport {
        format: "ttx-power/1",
        scenario: simulated.scenario.name.clone(),
        metric: metric.to_string(),
        alpha: options.alpha,
        power: options.power,
        replications: options.replications,
        seed: options.seed,
        pool_runs: simulated.per_run.len() as u64,
        pool_values: values.len() as u64,
        pool_censored: values.iter().filter(|v| v.time.is_none()).count() as u64,
        sample_size,
        smallest_change,
    })
}

impl PowerReport {
    /// The report for people.
    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let metric = self.metric.replace('_', " ");
        let target = format!("{:.0}%", 100.0 * self.power);
        let _ = writeln!(
            out,
            "{}: {metric}, from {} simulated runs ({} with an incident, {} censored), seed {}",
            self.scenario, self.pool_runs, self.pool_values, self.pool_censored, self.seed
        );
        let interval = |e: &Estimate| {
            format!(
                "estimated power {:.1}% (95% Monte Carlo interval {:.1}% to {:.1}%, {} replications)",
                100.0 * e.power,
                100.0 * e.interval[0],
                100.0 * e.interval[1],
                e.replications
            )
        };
        if let Some(answer) = &self.sample_size {
            let change = percent_change(answer.estimate.change);
            match answer.n {
                Some(n) => {
                    let _ = writeln!(
                        out,
                        "to detect a {change} change of {metric} with {target} power at alpha {}: {n} runs (or drills) per side",
                        self.alpha
                    );
                    let _ = writeln!(out, "  at n = {n}: {}", interval(&answer.estimate));
                    if let [Some(low), Some(high)] = answer.n_range {
                        let _ = writeln!(
                            out,
                            "  Monte Carlo uncertainty: any n from {low} to {high} is consistent with {target} power"
                        );
                    }
                }
                None => {
                    let _ = writeln!(
                        out,
                        "a {change} change of {metric} is not detectable with {target} power even with {MAX_N} per side ({})",
                        interval(&answer.estimate)
                    );
                }
            }
            if let Some(c) = answer.closed_form {
                let _ = writeln!(
                    out,
                    "  for reference: a lognormal time with the same spread (sd of log-times {:.2}) needs {:.0} per side by the closed form for a t-test on logs, {:.0} for a rank test (× π/3)",
                    c.sigma_log, c.t_test_n, c.rank_test_n
                );
            }
        }
        if let Some(answer) = &self.smallest_change {
            match answer.change {
                Some(change) => {
                    let _ = writeln!(
                        out,
                        "with {} per side, the smallest improvement of {metric} detected with {target} power at alpha {} is {}",
                        answer.n,
                        self.alpha,
                        percent_change(change)
                    );
                    let _ = writeln!(out, "  at that change: {}", interval(&answer.estimate));
                }
                None => {
                    let _ = writeln!(
                        out,
                        "with {} per side, not even a 99% shorter {metric} is detected with {target} power at alpha {} ({})",
                        answer.n,
                        self.alpha,
                        interval(&answer.estimate)
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "\nhow: each replication draws n values per side from the simulated runs, changes the second side's times, and runs the test `ttx compare` uses; power is the share of replications significant in the direction of the change. It is for this one metric: `ttx compare` tests every metric with Holm's correction, whose strictest step is alpha divided by the number of metrics"
        );
        out
    }

    /// The JSON form (pretty-printed, newline-terminated).
    pub fn json(&self) -> String {
        super::render::pretty_json(self)
    }
}

/// `-0.2` as `-20%`, `0.155` as `+15.5%`.
fn percent_change(change: f64) -> String {
    let percent = 100.0 * change;
    if (percent - percent.round()).abs() < 1e-9 {
        format!("{percent:+.0}%")
    } else {
        format!("{percent:+.1}%")
    }
}

/// Reads a change as `-20%`, `+15%` or `-0.2`: more than -100%, not zero.
pub fn parse_change(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let (number, scale) = match trimmed.strip_suffix('%') {
        Some(number) => (number, 0.01),
        None => (trimmed, 1.0),
    };
    match number.trim().parse::<f64>().map(|v| v * scale) {
        Ok(change) if change > -1.0 && change != 0.0 && change.is_finite() => Ok(change),
        _ => Err(format!(
            "`{text}` is not a change: write a percentage above -100% and not 0, e.g. -20% (20% shorter) or +10%"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, LogNormal};

    fn lognormal_pool(sigma: f64, size: usize) -> Vec<PoolValue> {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let d = LogNormal::new(3.0, sigma).unwrap();
        (0..size)
            .map(|_| PoolValue {
                time: Some(d.sample(&mut rng)),
                follow_up: f64::INFINITY,
            })
            .collect()
    }

    fn options() -> PowerOptions {
        PowerOptions {
            alpha: 0.05,
            power: 0.8,
            replications: 1000,
            seed: 7,
        }
    }

    /// Issue 6 acceptance: for a lognormal time (σ = 1) and a 20% reduction, the Monte Carlo
    /// sample size is within 15% of the closed form 2 (1.96 + 0.8416)² / ln(0.8)² · π/3 ≈ 330.
    #[test]
    fn sample_size_agrees_with_the_closed_form_for_a_lognormal_time() {
        let pool = lognormal_pool(1.0, 20_000);
        let answer = sample_size(&pool, -0.2, &options());
        let closed = answer.closed_form.unwrap();
        assert!((closed.sigma_log - 1.0).abs() < 0.02, "{closed:?}");
        let expected = closed_form_n(1.0, -0.2, 0.05, 0.8).unwrap() * std::f64::consts::PI / 3.0;
        assert!((expected - 330.2).abs() < 0.5, "{expected}");
        let n = answer.n.unwrap() as f64;
        eprintln!(
            "power: n = {n}, closed form {expected:.1}, {:?}",
            answer.n_range
        );
        assert!(
            (n / expected - 1.0).abs() < 0.15,
            "n = {n}, closed form {expected}"
        );
        let [low, high] = answer.n_range;
        assert!(low.unwrap() as f64 <= n && n <= high.unwrap() as f64);
    }

    #[test]
    fn estimates_are_reproducible_and_grow_with_the_change() {
        let pool = lognormal_pool(1.0, 2_000);
        let o = PowerOptions {
            replications: 300,
            ..options()
        };
        let a = estimate(&pool, 40, -0.3, &o);
        assert_eq!(a, estimate(&pool, 40, -0.3, &o));
        assert!(estimate(&pool, 40, -0.6, &o).power > a.power);
        // No change: detections are false alarms in one direction, about alpha / 2.
        let none = estimate(&pool, 40, -0.000_001, &o);
        assert!(none.power < 0.06, "{none:?}");
    }

    #[test]
    fn few_drills_only_detect_large_changes() {
        let pool = lognormal_pool(1.0, 2_000);
        let o = PowerOptions {
            replications: 300,
            ..options()
        };
        let four = smallest_change(&pool, 4, &o);
        let change = four.change.unwrap();
        assert!(change < -0.75, "{four:?}");
        // Two per side can never reach p < 0.05 (the least exact p-value is 1/3).
        assert_eq!(smallest_change(&pool, 2, &o).change, None);
    }

    #[test]
    fn changes_parse_as_percentages_or_fractions() {
        assert_eq!(parse_change("-20%"), Ok(-0.2));
        assert_eq!(parse_change("0.1"), Ok(0.1));
        assert!(parse_change("-100%").is_err());
        assert!(parse_change("0%").is_err());
        assert!(parse_change("fast").unwrap_err().contains("e.g. -20%"));
        assert_eq!(percent_change(-0.2), "-20%");
        assert_eq!(percent_change(-0.155), "-15.5%");
    }

    #[test]
    fn censoring_is_kept_when_times_are_scaled() {
        let v = PoolValue {
            time: Some(50.0),
            follow_up: 60.0,
        };
        assert_eq!(
            v.scaled(1.5),
            Observation {
                time: 60.0,
                event: false
            }
        );
        assert_eq!(
            v.scaled(0.5),
            Observation {
                time: 25.0,
                event: true
            }
        );
        let censored = PoolValue {
            time: None,
            follow_up: 60.0,
        };
        assert!(!censored.scaled(0.5).event);
    }
}
