//! Censoring-aware estimates of time-to-event: the Kaplan-Meier estimator with Greenwood
//! confidence bands, its quantiles, the restricted mean, and seeded bootstrap intervals.
//!
//! A run that does not reach a milestone before the horizon is *censored* at the time it was
//! last observed (the horizon, measured from its onset): we know its time exceeds that, not
//! what it is. Dropping such runs, or counting them as reaching the milestone at the horizon,
//! biases every summary downwards; Kaplan-Meier uses exactly the information there is.
//!
//! References: Kaplan & Meier (1958), "Nonparametric estimation from incomplete
//! observations", JASA 53; Greenwood (1926) for the variance; the confidence band on the log
//! scale and the quantile rule follow R's `survival::survfit` defaults (`conf.type = "log"`);
//! the restricted mean survival time is Royston & Parmar (2013), BMC Med Res Methodol 13:152.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Normal};

/// One observation: a time, and whether the event happened then (`false` = censored then).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// Minutes to the event, or to censoring.
    pub time: f64,
    /// Whether the event was observed (not censored).
    pub event: bool,
}

/// One step of the Kaplan-Meier curve.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Step {
    /// Event time.
    pub time: f64,
    /// At risk just before it.
    pub at_risk: u64,
    /// Events at it.
    pub events: u64,
    /// Survival S(t) just after it.
    pub survival: f64,
    /// Lower end of the 95% band of S(t).
    pub lower: f64,
    /// Upper end of the 95% band of S(t).
    pub upper: f64,
}

/// A Kaplan-Meier curve.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    /// Steps at each distinct event time, in time order.
    pub steps: Vec<Step>,
    /// Number of observations.
    pub n: u64,
    /// Number of censored observations.
    pub censored: u64,
    /// Largest time observed (event or censoring).
    pub max_time: f64,
}

impl KaplanMeier {
    /// Fits the curve with a pointwise band at `level` (e.g. 0.95): `S(t) = Π (1 - d_j / n_j)`,
    /// `Var(log S) = Σ d_j / (n_j (n_j - d_j))` (Greenwood), band `S · exp(±z · se)` capped at 1.
    pub fn fit(observations: &[Observation], level: f64) -> Option<Self> {
        if observations.is_empty() {
            return None;
        }
        let z = Normal::standard().inverse_cdf(1.0 - (1.0 - level) / 2.0);
        let mut sorted = observations.to_vec();
        // Events before censorings at equal times: a run censored at t was still at risk at t.
        sorted.sort_by(|a, b| a.time.total_cmp(&b.time).then(b.event.cmp(&a.event)));
        let n = sorted.len() as u64;
        let censored = sorted.iter().filter(|o| !o.event).count() as u64;
        let mut steps = Vec::new();
        let (mut at_risk, mut survival, mut greenwood) = (n, 1.0f64, 0.0f64);
        let mut i = 0;
        while i < sorted.len() {
            let time = sorted[i].time;
            let mut events = 0;
            let mut leaving = 0;
            while i < sorted.len() && sorted[i].time == time {
                events += sorted[i].event as u64;
                leaving += 1;
                i += 1;
            }
            if events > 0 {
                survival *= 1.0 - events as f64 / at_risk as f64;
                if at_risk > events {
                    greenwood += events as f64 / (at_risk as f64 * (at_risk - events) as f64);
                }
                let (lower, upper) = if survival > 0.0 && at_risk > events {
                    let se = greenwood.sqrt();
                    (
                        (survival * (-z * se).exp()).max(0.0),
                        (survival * (z * se).exp()).min(1.0),
                    )
                } else {
                    (0.0, 0.0)
                };
                steps.push(Step {
                    time,
                    at_risk,
                    events,
                    survival,
                    lower,
                    upper,
                });
            }
            at_risk -= leaving;
        }
        let max_time = sorted.last().map_or(0.0, |o| o.time);
        Some(KaplanMeier {
            steps,
            n,
            censored,
            max_time,
        })
    }

    /// S(t): the share of runs that have not reached the event by `t`.
    pub fn survival_at(&self, t: f64) -> f64 {
        self.steps
            .iter()
            .take_while(|s| s.time <= t)
            .last()
            .map_or(1.0, |s| s.survival)
    }

    /// The `p`-quantile of the time to event: the first time at which `S(t) <= 1 - p`;
    /// `None` if the curve never gets that low (too much censoring to say).
    pub fn quantile(&self, p: f64) -> Option<f64> {
        first_at_or_below(&self.steps, 1.0 - p, |s| s.survival)
    }

    /// A confidence interval for the `p`-quantile from the band: the first times at which the
    /// lower and the upper band fall to `1 - p` (Brookmeyer & Crowley, 1982). An end is `None`
    /// when that band never gets so low (the interval is open there).
    pub fn quantile_interval(&self, p: f64) -> (Option<f64>, Option<f64>) {
        let target = 1.0 - p;
        (
            first_at_or_below(&self.steps, target, |s| s.lower),
            first_at_or_below(&self.steps, target, |s| s.upper),
        )
    }

    /// The restricted mean time to event up to `tau`: `∫₀^τ S(t) dt`, the area under the curve.
    /// Without censoring and with `tau` at or past the largest time it equals the plain mean.
    pub fn restricted_mean(&self, tau: f64) -> f64 {
        let (mut area, mut last_time, mut last_survival) = (0.0, 0.0, 1.0);
        for step in &self.steps {
            if step.time >= tau {
                break;
            }
            area += (step.time - last_time) * last_survival;
            last_time = step.time;
            last_survival = step.survival;
        }
        area + (tau - last_time).max(0.0) * last_survival
    }
}

impl KaplanMeier {
    /// Variance of [`KaplanMeier::restricted_mean`] at `tau`:
    /// `Σ_{t_j < τ} A_j² d_j / (n_j (n_j - d_j))` with `A_j = ∫_{t_j}^{τ} S(t) dt`
    /// (Klein & Moeschberger, Survival Analysis, 2nd ed., eq. 4.5.2).
    pub fn restricted_mean_variance(&self, tau: f64) -> f64 {
        let steps: Vec<&Step> = self.steps.iter().filter(|s| s.time < tau).collect();
        let mut variance = 0.0;
        let mut area_after = 0.0;
        let mut right = tau;
        for step in steps.iter().rev() {
            area_after += (right - step.time) * step.survival;
            right = step.time;
            if step.at_risk > step.events {
                variance += area_after * area_after * step.events as f64
                    / (step.at_risk as f64 * (step.at_risk - step.events) as f64);
            }
        }
        variance
    }
}

fn first_at_or_below(steps: &[Step], target: f64, value: impl Fn(&Step) -> f64) -> Option<f64> {
    // A small tolerance so that S = 0.5 exactly (e.g. 5 of 10) counts as reaching the median.
    steps
        .iter()
        .find(|s| value(s) <= target + 1e-12)
        .map(|s| s.time)
}

/// A percentile bootstrap interval of a statistic over resampled observations, reproducible
/// from `seed`: `resamples` samples of the same size drawn with replacement, the statistic on
/// each, and the `(1 - level)/2` and `1 - (1 - level)/2` quantiles of the results. Resamples on
/// which the statistic is undefined are left out; `None` if most are.
pub fn bootstrap_interval(
    observations: &[Observation],
    statistic: impl Fn(&[Observation]) -> Option<f64>,
    resamples: usize,
    level: f64,
    seed: u64,
) -> Option<(f64, f64)> {
    if observations.len() < 2 || resamples == 0 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut sample = vec![observations[0]; observations.len()];
    let mut values = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for slot in sample.iter_mut() {
            *slot = observations[rng.random_range(0..observations.len())];
        }
        if let Some(v) = statistic(&sample) {
            values.push(v);
        }
    }
    if values.len() * 2 < resamples {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let low = super::quantile_sorted(&values, (1.0 - level) / 2.0)?;
    let high = super::quantile_sorted(&values, 1.0 - (1.0 - level) / 2.0)?;
    Some((low, high))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(pairs: &[(f64, bool)]) -> Vec<Observation> {
        pairs
            .iter()
            .map(|&(time, event)| Observation { time, event })
            .collect()
    }

    /// Worked by hand: times 1, 2, 2+ (censored), 3, 4+, 5, 6+, 7, 8, 9 (n = 10).
    /// t=1: 10 at risk, S = 0.9; t=2: 9 at risk, S = 0.8; 2+ leaves; t=3: 7 at risk,
    /// S = 0.8·6/7 = 0.685714; 4+ leaves; t=5: 5 at risk, S = 0.548571; 6+ leaves;
    /// t=7: 3 at risk, S = 0.365714; t=8: 2 at risk, S = 0.182857; t=9: 1, S = 0.
    #[test]
    fn kaplan_meier_matches_a_hand_computation() {
        let data = obs(&[
            (1.0, true),
            (2.0, true),
            (2.0, false),
            (3.0, true),
            (4.0, false),
            (5.0, true),
            (6.0, false),
            (7.0, true),
            (8.0, true),
            (9.0, true),
        ]);
        let km = KaplanMeier::fit(&data, 0.95).unwrap();
        let survival: Vec<f64> = km.steps.iter().map(|s| s.survival).collect();
        let expected = [
            0.9,
            0.8,
            0.685_714_285_7,
            0.548_571_428_6,
            0.365_714_285_7,
            0.182_857_142_9,
            0.0,
        ];
        for (s, e) in survival.iter().zip(expected) {
            assert!((s - e).abs() < 1e-9, "{survival:?}");
        }
        assert_eq!(km.censored, 3);
        // Median: first time S <= 0.5 is t = 7.
        assert_eq!(km.quantile(0.5), Some(7.0));
        // Restricted mean to tau = 9: 1·1 + 0.9·1 + 0.8·1 + 0.685714·2 + 0.548571·2
        // + 0.365714·1 + 0.182857·1 = 5.7177...
        let expected_rmst = 1.0
            + 0.9
            + 0.8
            + 0.685_714_285_7 * 2.0
            + 0.548_571_428_6 * 2.0
            + 0.365_714_285_7
            + 0.182_857_142_9;
        assert!((km.restricted_mean(9.0) - expected_rmst).abs() < 1e-9);
        // Greenwood at t = 1: se(log S) = sqrt(1 / (10·9)); band = 0.9·exp(±1.96·0.10541).
        let step = km.steps[0];
        let se = (1.0f64 / 90.0).sqrt();
        assert!((step.lower - 0.9 * (-1.959_964 * se).exp()).abs() < 1e-6);
        assert!((step.upper - (0.9 * (1.959_964 * se).exp()).min(1.0)).abs() < 1e-6);
    }

    #[test]
    fn restricted_mean_variance_matches_a_hand_computation() {
        // Times 1, 2+, 3 (tau = 3): S = 2/3 after t=1, 0 after t=3.
        // A at t=1 = ∫_1^3 S = 2·(2/3) = 4/3; term = (4/3)² · 1 / (3·2) = 16/54.
        // t=3 is not before tau, so it adds nothing.
        let data = obs(&[(1.0, true), (2.0, false), (3.0, true)]);
        let km = KaplanMeier::fit(&data, 0.95).unwrap();
        assert!((km.restricted_mean_variance(3.0) - 16.0 / 54.0).abs() < 1e-12);
        assert!((km.restricted_mean(3.0) - (1.0 + 2.0 * 2.0 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn without_censoring_the_restricted_mean_is_the_mean() {
        let data = obs(&[(2.0, true), (4.0, true), (9.0, true)]);
        let km = KaplanMeier::fit(&data, 0.95).unwrap();
        assert!((km.restricted_mean(9.0) - 5.0).abs() < 1e-12);
        assert_eq!(km.quantile(0.5), Some(4.0));
    }

    #[test]
    fn heavy_censoring_leaves_the_median_undefined() {
        let data = obs(&[(1.0, true), (5.0, false), (5.0, false), (5.0, false)]);
        let km = KaplanMeier::fit(&data, 0.95).unwrap();
        assert_eq!(km.quantile(0.5), None);
        assert_eq!(km.survival_at(3.0), 0.75);
    }

    #[test]
    fn bootstrap_intervals_are_reproducible_and_cover_the_estimate() {
        let data: Vec<Observation> = (1..=200)
            .map(|i| Observation {
                time: i as f64,
                event: i % 7 != 0,
            })
            .collect();
        let median = |s: &[Observation]| KaplanMeier::fit(s, 0.95).and_then(|k| k.quantile(0.5));
        let a = bootstrap_interval(&data, median, 300, 0.95, 11).unwrap();
        let b = bootstrap_interval(&data, median, 300, 0.95, 11).unwrap();
        assert_eq!(a, b);
        let estimate = median(&data).unwrap();
        assert!(a.0 <= estimate && estimate <= a.1, "{a:?} vs {estimate}");
    }
}
