//! Differences of quantiles between two samples, with seeded two-sample bootstrap intervals.
//!
//! "The median time to recover went from 48 to 41 minutes" means little without an interval:
//! with heavy-tailed durations the median of a few hundred runs moves by several minutes from
//! sampling alone. Each bootstrap resample draws both samples again with replacement
//! (independently, as the two batches were run), recomputes each quantile and takes the
//! difference `second - first`; the percentile interval of those differences is reported
//! (Efron 1979, "Bootstrap methods: another look at the jackknife", Ann. Statist. 7(1);
//! Efron & Tibshirani 1993, ch. 13).
//!
//! Several metrics of the same runs are resampled together: the samples of a side hold one
//! value per run in the same run order, a resample draws *runs*, and every metric of a drawn
//! run comes along (one draw serves every metric, and the metrics' intervals are those of one
//! bootstrap). Resample `i` draws from a ChaCha8 generator seeded with the seed on stream `i`,
//! and resamples are reduced in order, so intervals are identical at any thread count. A
//! resample is a vector of counts per run, so each costs O(n), not a sort.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::quantile_sorted;
use super::survival::Observation;

/// How a quantile is read from a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimator {
    /// The first time at which the Kaplan-Meier curve falls to `1 - p` (times, which may be
    /// censored; as `DurationSummary`).
    KaplanMeier,
    /// Hyndman-Fan type 7 between order statistics (counts, never censored; as the results'
    /// count summaries).
    Type7,
}

/// A sample sorted once for repeated quantiles of weighted resamples.
#[derive(Debug, Clone)]
pub struct SortedSample {
    observations: Vec<Observation>,
    /// The position in the given order (the run) of each sorted observation.
    order: Vec<usize>,
    estimator: Estimator,
}

impl SortedSample {
    /// Sorts `observations` by time (events before censorings at equal times), remembering
    /// where each came from.
    pub fn new(observations: &[Observation], estimator: Estimator) -> Self {
        let mut order: Vec<usize> = (0..observations.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (observations[a], observations[b]);
            a.time.total_cmp(&b.time).then(b.event.cmp(&a.event))
        });
        SortedSample {
            observations: order.iter().map(|&i| observations[i]).collect(),
            order,
            estimator,
        }
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.observations.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.observations.is_empty()
    }

    /// The `p`-quantile of the sample itself.
    pub fn quantile(&self, p: f64) -> Option<f64> {
        self.weighted_quantiles(&vec![1; self.len()], &[p])[0]
    }

    /// The quantiles at `probabilities` of the sample in which the observation at position `i`
    /// of the given order (run `i`) appears `weights[i]` times; one walk for all of them.
    fn weighted_quantiles(&self, weights: &[u32], probabilities: &[f64]) -> Vec<Option<f64>> {
        let weight = |k: usize| weights[self.order[k]];
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut found = vec![None; probabilities.len()];
        if total == 0 {
            return found;
        }
        match self.estimator {
            Estimator::KaplanMeier => {
                let (mut at_risk, mut survival) = (total as f64, 1.0f64);
                let mut k = 0;
                while k < self.observations.len() && found.iter().any(Option::is_none) {
                    let time = self.observations[k].time;
                    let (mut events, mut leaving) = (0.0, 0.0);
                    while k < self.observations.len() && self.observations[k].time == time {
                        let w = weight(k) as f64;
                        events += if self.observations[k].event { w } else { 0.0 };
                        leaving += w;
                        k += 1;
                    }
                    if events > 0.0 {
                        survival *= 1.0 - events / at_risk;
                        for (slot, p) in found.iter_mut().zip(probabilities) {
                            if slot.is_none() && survival <= 1.0 - p + 1e-12 {
                                *slot = Some(time);
                            }
                        }
                    }
                    at_risk -= leaving;
                }
            }
            Estimator::Type7 => {
                // The value at each sorted position, by cumulative weight.
                let at = |position: u64| {
                    let mut seen = 0u64;
                    (0..self.observations.len())
                        .find(|&k| {
                            seen += weight(k) as u64;
                            seen > position
                        })
                        .map(|k| self.observations[k].time)
                };
                for (slot, p) in found.iter_mut().zip(probabilities) {
                    let h = (total - 1) as f64 * p;
                    let lower = h.floor() as u64;
                    if let (Some(a), Some(b)) = (at(lower), at((lower + 1).min(total - 1))) {
                        *slot = Some(a + (h - lower as f64) * (b - a));
                    }
                }
            }
        }
        found
    }
}

/// Where a difference's interval came from, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// Two-sample bootstrap percentile interval (large samples, where it covers).
    Bootstrap,
    /// Exact Hodges-Lehmann interval of the shift ([`super::order::shift_interval`]).
    HodgesLehmann,
    /// No interval that holds its level exists at these sample sizes (or with censoring at
    /// them): shown as "none at n = ...".
    NoneAtThisN,
    /// Not asked for (no resamples), or undefined in most resamples (heavy censoring).
    NotComputed,
}

/// One quantile on both sides and their difference.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct QuantileDifference {
    /// Which quantile (0.5 = median).
    pub p: f64,
    /// The first sample's quantile.
    pub first: Option<f64>,
    /// The second sample's quantile.
    pub second: Option<f64>,
    /// `second - first`.
    pub difference: Option<f64>,
    /// Interval of the difference (see `interval_method`).
    pub interval: Option<[f64; 2]>,
    /// Where `interval` came from, or why there is none.
    pub interval_method: IntervalMethod,
}

/// For each pair of samples (one metric of the same runs on two sides: every first sample
/// has one value per run of the first side, in the same order, and likewise the second), the
/// differences `second - first` of each quantile in `probabilities`, with `level` percentile
/// intervals from `resamples` two-sample bootstrap resamples of runs seeded by `seed`
/// (0 resamples: no intervals).
pub fn quantile_differences(
    pairs: &[(SortedSample, SortedSample)],
    probabilities: &[f64],
    resamples: usize,
    level: f64,
    seed: u64,
) -> Vec<Vec<QuantileDifference>> {
    let (runs_first, runs_second) = pairs.first().map_or((0, 0), |(a, b)| (a.len(), b.len()));
    debug_assert!(
        pairs
            .iter()
            .all(|(a, b)| a.len() == runs_first && b.len() == runs_second),
        "every metric holds one value per run"
    );
    // resampled[i][metric][k]: the difference of quantile k of a metric in resample i.
    let resampled: Vec<Vec<Vec<Option<f64>>>> = if runs_first < 2 || runs_second < 2 {
        Vec::new()
    } else {
        (0..resamples)
            .into_par_iter()
            .with_min_len(4)
            .map(|i| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(i as u64);
                let a = resample_weights(runs_first, &mut rng);
                let b = resample_weights(runs_second, &mut rng);
                pairs
                    .iter()
                    .map(|(first, second)| {
                        let qa = first.weighted_quantiles(&a, probabilities);
                        let qb = second.weighted_quantiles(&b, probabilities);
                        qa.iter()
                            .zip(&qb)
                            .map(|(a, b)| Some((*b)? - (*a)?))
                            .collect()
                    })
                    .collect()
            })
            .collect()
    };
    pairs
        .iter()
        .enumerate()
        .map(|(m, (first, second))| {
            probabilities
                .iter()
                .enumerate()
                .map(|(k, &p)| {
                    let (a, b) = (first.quantile(p), second.quantile(p));
                    let mut values: Vec<f64> = resampled.iter().filter_map(|r| r[m][k]).collect();
                    values.sort_by(f64::total_cmp);
                    let interval = (!values.is_empty() && values.len() * 2 >= resampled.len())
                        .then(|| {
                            Some([
                                quantile_sorted(&values, (1.0 - level) / 2.0)?,
                                quantile_sorted(&values, 1.0 - (1.0 - level) / 2.0)?,
                            ])
                        })
                        .flatten();
                    QuantileDifference {
                        p,
                        first: a,
                        second: b,
                        difference: a.zip(b).map(|(a, b)| b - a),
                        interval,
                        interval_method: if interval.is_some() {
                            IntervalMethod::Bootstrap
                        } else {
                            IntervalMethod::NotComputed
                        },
                    }
                })
                .collect()
        })
        .collect()
}

/// How often each of `n` observations is drawn in `n` draws with replacement.
fn resample_weights(n: usize, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let mut weights = vec![0u32; n];
    for _ in 0..n {
        weights[rng.random_range(0..n)] += 1;
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::survival::KaplanMeier;

    use crate::stats::survival::events;

    #[test]
    fn quantiles_match_the_existing_estimators() {
        let data = events(&[1.0, 2.0, 3.0, 4.0, 10.0]);
        let type7 = SortedSample::new(&data, Estimator::Type7);
        assert_eq!(type7.quantile(0.5), Some(3.0));
        assert!((type7.quantile(0.9).unwrap() - 7.6).abs() < 1e-12);
        let mut censored = events(&[1.0, 2.0, 3.0, 7.0, 8.0, 9.0]);
        censored.extend([2.0, 4.0, 6.0].map(|time| Observation { time, event: false }));
        let km = SortedSample::new(&censored, Estimator::KaplanMeier);
        let reference = KaplanMeier::fit(&censored, 0.95).unwrap();
        for p in [0.25, 0.5, 0.75, 0.9] {
            assert_eq!(km.quantile(p), reference.quantile(p), "p = {p}");
        }
        // Weights follow the runs, not the sorted order: doubling run 0 (time 1.0, first in
        // the given order and in sorted order) and dropping run 8 (censored at 4).
        let mut weights = vec![1; censored.len()];
        weights[0] = 2;
        weights[7] = 0;
        let mut expanded = censored.clone();
        expanded.push(censored[0]);
        expanded.remove(7);
        let reference = KaplanMeier::fit(&expanded, 0.95).unwrap();
        assert_eq!(
            km.weighted_quantiles(&weights, &[0.5, 0.75]),
            vec![reference.quantile(0.5), reference.quantile(0.75)]
        );
    }

    #[test]
    fn intervals_are_reproducible_and_cover_a_known_shift() {
        let a: Vec<f64> = (0..300)
            .map(|i| (i as f64 * 0.37).sin() * 10.0 + 50.0)
            .collect();
        let b: Vec<f64> = a.iter().map(|v| v - 5.0).collect();
        let first = SortedSample::new(&events(&a), Estimator::KaplanMeier);
        let second = SortedSample::new(&events(&b), Estimator::KaplanMeier);
        let pairs = [(first, second)];
        let run = || quantile_differences(&pairs, &[0.5, 0.9], 200, 0.95, 9).remove(0);
        let d = run();
        assert_eq!(d, run());
        assert!((d[0].difference.unwrap() + 5.0).abs() < 1e-9);
        let [low, high] = d[0].interval.unwrap();
        assert!(
            low < -5.0 + 1e-9 && -5.0 - 1e-9 < high && high < 0.0,
            "{d:?}"
        );
        let none = quantile_differences(&pairs, &[0.5], 0, 0.95, 9);
        assert_eq!(none[0][0].interval, None);
    }
}
