//! Summary statistics: pure functions over samples, documented with their formulas.
//!
//! Degenerate input (no values, one value for an interval) returns `None` rather than NaN.

pub mod difference;
pub mod logrank;
pub mod multiplicity;
pub mod order;
pub mod permutation;
pub mod proportion;
pub mod rank;
pub mod survival;
pub mod uniform;

use survival::{CurveSummary, Observation, ObservationKey, Timed};

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The `p`-quantile of sorted values by linear interpolation between order statistics
/// (Hyndman and Fan type 7, the default of R and NumPy): `h = (n - 1) p`,
/// `q = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lower = h.floor() as usize;
    let upper = (lower + 1).min(sorted.len() - 1);
    Some(sorted[lower] + (h - lower as f64) * (sorted[upper] - sorted[lower]))
}

/// Minutes rounded to a millionth of a minute (60 µs), so that durations equal in exact
/// arithmetic compare equal: a fixed 5-minute step summed from parts can come out as
/// 4.999999999999986, which without this would rank as faster than another run's 5.0 and move
/// a placement's "% faster / % the same" by several points. Comparisons (`ttx compare`, drill
/// placements) read times through this; nothing a scenario can express is that fine.
pub fn tie_time(minutes: f64) -> f64 {
    if minutes.is_finite() {
        (minutes * 1e6).round() / 1e6
    } else {
        minutes
    }
}

/// Arithmetic mean, summed in the given order (so the result does not depend on threads).
pub fn mean(values: &[f64]) -> Option<f64> {
    mean_of(values.iter().copied())
}

/// [`mean`] of values read from an iterator (twice: once to count them).
fn mean_of(values: impl Iterator<Item = f64> + Clone) -> Option<f64> {
    let n = values.clone().count();
    (n > 0).then(|| values.sum::<f64>() / n as f64)
}

/// Sample standard deviation (n - 1 denominator).
pub fn sample_sd(values: &[f64]) -> Option<f64> {
    sample_sd_of(values.iter().copied())
}

fn sample_sd_of(values: impl Iterator<Item = f64> + Clone) -> Option<f64> {
    let n = values.clone().count();
    if n < 2 {
        return None;
    }
    let m = mean_of(values.clone())?;
    let ss: f64 = values.map(|v| (v - m) * (v - m)).sum();
    Some((ss / (n - 1) as f64).sqrt())
}

/// Two-sided confidence interval for the mean by Student's t:
/// `mean ± t(1 - (1 - level)/2, n - 1) * sd / sqrt(n)`.
pub fn mean_ci(values: &[f64], level: f64) -> Option<(f64, f64)> {
    mean_ci_of(values.iter().copied(), level)
}

fn mean_ci_of(values: impl Iterator<Item = f64> + Clone, level: f64) -> Option<(f64, f64)> {
    let n = values.clone().count();
    let (m, sd) = (mean_of(values.clone())?, sample_sd_of(values)?);
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .ok()?
        .inverse_cdf(1.0 - (1.0 - level) / 2.0);
    let half = t * sd / (n as f64).sqrt();
    Some((m - half, m + half))
}

/// Summary of one duration metric across runs, in minutes, honest about censoring.
///
/// Percentiles come from the Kaplan-Meier curve, so runs censored at the horizon count as
/// "longer than their follow-up" rather than being dropped; a percentile the curve never
/// reaches is `None`. The mean is the plain mean when nothing is censored and the restricted
/// mean (area under the curve up to the longest follow-up) otherwise.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DurationSummary {
    /// Runs that reached the milestone.
    pub reached: u64,
    /// Runs that did not reach it before the horizon (censored), including runs in which no
    /// fault began.
    pub censored: u64,
    /// Median (Kaplan-Meier).
    pub median: Option<f64>,
    /// Distribution-free 95% interval of the median from order statistics
    /// ([`order::quantile_interval`]); the upper end is `null` when too few runs reached the
    /// milestone. `null` when no 95% interval exists at this `n` (fewer than 6 runs), with
    /// the reason in `median_ci95_none`.
    pub median_ci95: Option<[Option<f64>; 2]>,
    /// Why there is no `median_ci95` ("none at n = 3: ..."); absent when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_ci95_none: Option<String>,
    /// 90th percentile (Kaplan-Meier).
    pub p90: Option<f64>,
    /// 95th percentile (Kaplan-Meier).
    pub p95: Option<f64>,
    /// Mean or restricted mean, see `mean_kind`.
    pub mean: Option<f64>,
    /// 95% confidence interval of the mean, `[low, high]` (low clamped at 0).
    pub ci95: Option<[f64; 2]>,
    /// A plain mean without censoring; a restricted mean (up to `restricted_to`) with it.
    pub mean_kind: MeanKind,
    /// The restriction time of a restricted mean, minutes.
    pub restricted_to: Option<f64>,
}

/// Which mean a [`DurationSummary`] holds: written `mean` or `restricted_mean`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MeanKind {
    /// The plain mean of the times (no run censored).
    #[serde(rename = "mean")]
    Plain,
    /// The restricted mean: the mean time up to the longest follow-up (some runs censored).
    #[serde(rename = "restricted_mean")]
    Restricted,
}

impl MeanKind {
    /// The name written in results files and CSV columns.
    pub fn name(self) -> &'static str {
        match self {
            MeanKind::Plain => "mean",
            MeanKind::Restricted => "restricted_mean",
        }
    }
}

impl std::fmt::Display for MeanKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

impl DurationSummary {
    /// Summarises per-run times: `Some(t)` reached at `t`, `None` censored at `censored_at`
    /// (`None` for `censored_at` means the run never started the clock and is left out of the
    /// curve, counted only as censored).
    pub fn of(values: impl IntoIterator<Item = (Option<f64>, Option<f64>)>) -> Self {
        let mut outside_curve = 0;
        let mut observations: Vec<Observation> = values
            .into_iter()
            .filter_map(|(value, censored_at)| {
                let observation = Observation::of(value, censored_at);
                outside_curve += observation.is_none() as u64;
                observation
            })
            .collect();
        Self::of_observations(&mut observations, outside_curve, &mut Vec::new())
    }

    /// [`DurationSummary::of`] of runs given as columns, in run order: `times` (NaN where the
    /// run did not reach the milestone) and `censored_at` (NaN where the run never started
    /// the clock), equal bit for bit. The plain mean is read in run order first; then the
    /// observations are packed into [`ObservationKey`]s in the memory of `times` (`Vec`'s
    /// in-place collect: the column is not copied) and radix sorted ([`survival::sort_keys`]),
    /// several times faster than the comparison sort at millions of runs, in the same order.
    /// Should a time not pack (its sign bit set: no run has one, but a tally file could), the
    /// comparison sort serves instead.
    pub fn of_columns(times: Vec<f64>, censored_at: &[f64]) -> Self {
        let runs = times.len() as u64;
        let on_curve = || {
            times
                .iter()
                .zip(censored_at)
                .filter_map(|(t, c)| observation(*t, *c))
        };
        // One pass for both: at 10 million runs each pass over the columns costs tens of ms.
        let (observed, packs) = on_curve().fold((0u64, true), |(n, packs), o| {
            (n + 1, packs && ObservationKey::new(o).is_some())
        });
        let plain = PlainMean::of(times.iter().copied().filter(|t| !t.is_nan()), observed);
        let outside_curve = runs - observed;
        let mut scratch = Vec::new();
        if !packs {
            let mut observations: Vec<Observation> = on_curve().collect();
            drop(times);
            survival::sort_for_fit(&mut observations);
            return DurationSummary::of_sorted(&observations, outside_curve, plain, &mut scratch);
        }
        let mut keys = keys_in_place(times, censored_at);
        let mut buffer = Vec::new();
        survival::sort_keys(&mut keys, &mut buffer);
        drop(buffer);
        DurationSummary::of_sorted(&keys, outside_curve, plain, &mut scratch)
    }

    /// [`DurationSummary::of`] of runs already read as observations, in run order, plus
    /// `outside_curve` runs that never started the clock. Sorts `observations` in place and
    /// keeps no curve: the memory it needs beyond them is `scratch`, reused across calls.
    pub fn of_observations(
        observations: &mut [Observation],
        outside_curve: u64,
        scratch: &mut Vec<f64>,
    ) -> Self {
        // The plain mean sums in run order, so it is read before the sort reorders the runs.
        let reached_times = observations.iter().filter(|o| o.event).map(|o| o.time);
        let plain = PlainMean::of(reached_times, observations.len() as u64);
        survival::sort_for_fit(observations);
        Self::of_sorted(observations, outside_curve, plain, scratch)
    }

    /// [`DurationSummary::of_observations`] of observations already in
    /// [`survival::sort_for_fit`]'s order (as [`Observation`]s or packed keys), with `plain`
    /// read off the same runs in run order.
    pub fn of_sorted<T: Timed>(
        sorted: &[T],
        outside_curve: u64,
        plain: PlainMean,
        scratch: &mut Vec<f64>,
    ) -> Self {
        let reached = plain.reached;
        let curve = CurveSummary::of_sorted(sorted, 0.95, [0.5, 0.9, 0.95], 0.5, scratch);
        let (mean, ci95, mean_kind, restricted_to) = match (plain.mean, &curve) {
            (None, Some(k)) => {
                let tau = k.max_time;
                let rmst = k.restricted_mean;
                let half = 1.959_963_984_540_054 * k.restricted_mean_variance.sqrt();
                (
                    Some(rmst),
                    Some([(rmst - half).max(0.0), rmst + half]),
                    MeanKind::Restricted,
                    Some(tau),
                )
            }
            (plain, _) => {
                let (mean, ci) = plain.unwrap_or((None, None));
                (mean, ci, MeanKind::Plain, None)
            }
        };
        let [median, p90, p95] = curve.as_ref().map_or([None; 3], |k| k.quantiles);
        let interval = order::quantile_interval(sorted, 0.5, 0.95);
        DurationSummary {
            reached,
            censored: sorted.len() as u64 - reached + outside_curve,
            median,
            median_ci95: interval.and_then(|i| i.ends()),
            median_ci95_none: interval.and_then(|i| i.reason("median")),
            p90,
            p95,
            mean,
            ci95,
            mean_kind,
            restricted_to,
        }
    }
}

/// A run's observation of a milestone from its columns (see [`DurationSummary::of_columns`]).
fn observation(time: f64, censored_at: f64) -> Option<Observation> {
    Observation::of(
        (!time.is_nan()).then_some(time),
        (!censored_at.is_nan()).then_some(censored_at),
    )
}

/// The keys of the runs on the curve of a time column, in run order, written over the column
/// itself: a key is as large as a time, and the `i`-th key is written once the `i`-th run
/// (or a later one) has been read, so `Vec`'s in-place collect reuses the allocation (checked
/// by a test). Runs whose observation does not pack are left out: check them first.
fn keys_in_place(times: Vec<f64>, censored_at: &[f64]) -> Vec<ObservationKey> {
    times
        .into_iter()
        .zip(censored_at)
        .filter_map(|(t, c)| observation(t, *c).and_then(ObservationKey::new))
        .collect()
}

/// What a [`DurationSummary`] reads of the runs in run order: how many reached the milestone
/// and, when no run on the curve is censored (or none reached it), the plain mean and its 95%
/// t interval, summed in run order so they do not depend on how the runs were sorted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlainMean {
    reached: u64,
    /// `None` when the mean is the curve's restricted mean.
    mean: Option<(Option<f64>, Option<[f64; 2]>)>,
}

impl PlainMean {
    /// Of the times of the runs that reached the milestone, in run order, out of `observed`
    /// runs on the curve (reached or censored).
    pub fn of(reached_times: impl Iterator<Item = f64> + Clone, observed: u64) -> Self {
        let reached = reached_times.clone().count() as u64;
        let censored_in_curve = reached < observed;
        let mean = (!censored_in_curve || reached == 0).then(|| {
            // Durations cannot be negative; a t interval on a small, skewed sample can reach
            // below 0, so its lower end is clamped there.
            let ci = mean_ci_of(reached_times.clone(), 0.95).map(|(a, b)| [a.max(0.0), b]);
            (mean_of(reached_times), ci)
        });
        PlainMean { reached, mean }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A time column entry: NaN (not reached) often, whole minutes (ties) often, any
    /// non-negative double otherwise, and now and then +0.0, +inf or a subnormal.
    fn time() -> impl Strategy<Value = f64> {
        prop_oneof![
            2 => Just(f64::NAN),
            3 => (0u32..40).prop_map(f64::from),
            3 => 0.0f64..1e6,
            1 => prop_oneof![Just(0.0), Just(f64::INFINITY), Just(f64::MIN_POSITIVE / 8.0)],
        ]
    }

    /// The old path, as `summarize` computed it before the keys: observations in run order,
    /// comparison sort.
    fn by_comparison_sort(times: &[f64], censored_at: &[f64]) -> DurationSummary {
        DurationSummary::of(
            times
                .iter()
                .zip(censored_at)
                .map(|(t, c)| ((!t.is_nan()).then_some(*t), (!c.is_nan()).then_some(*c))),
        )
    }

    /// Debug prints every double in full (and -0.0 apart from 0.0), so equal strings are
    /// equal bits.
    fn bits(summary: &DurationSummary) -> String {
        format!("{summary:?}")
    }

    proptest! {
        /// The radix-sorted keys give the comparison sort's summary bit for bit, with ties,
        /// censorings (also at event times) and runs off the curve.
        #[test]
        fn the_key_path_equals_the_comparison_sort_path(
            runs in proptest::collection::vec((time(), time()), 0..400)
        ) {
            let (times, censored_at): (Vec<f64>, Vec<f64>) = runs.into_iter().unzip();
            let old = by_comparison_sort(&times, &censored_at);
            let new = DurationSummary::of_columns(times, &censored_at);
            prop_assert_eq!(bits(&new), bits(&old));
        }
    }

    /// A time with its sign bit set cannot be packed; the comparison sort must take over and
    /// give the same summary (a tally file may hold -0.0: it is not negative).
    #[test]
    fn a_negative_zero_falls_back_to_the_comparison_sort() {
        let times = vec![3.0, -0.0, f64::NAN, 0.0, 7.5, f64::NAN];
        let censored_at = vec![9.0, 9.0, 9.0, 9.0, 9.0, f64::NAN];
        let old = by_comparison_sort(&times, &censored_at);
        assert_eq!(
            bits(&DurationSummary::of_columns(times, &censored_at)),
            bits(&old)
        );
    }

    /// The keys must not be a second copy of the column: at 10 million runs that is 80 MB
    /// per metric under way.
    #[test]
    fn the_keys_are_written_over_the_time_column() {
        let times: Vec<f64> = (0..10_000)
            .map(|i| if i % 3 == 0 { f64::NAN } else { i as f64 })
            .collect();
        let censored_at: Vec<f64> = (0..10_000)
            .map(|i| if i % 5 == 0 { f64::NAN } else { 20_000.0 })
            .collect();
        let column = times.as_ptr() as usize;
        let keys = keys_in_place(times, &censored_at);
        assert_eq!(keys.as_ptr() as usize, column);
        assert_eq!(keys.len(), 10_000 - 10_000 / 15 - 1);
    }

    #[test]
    fn sums_of_fixed_durations_tie() {
        let parts: f64 = [0.1, 0.2].iter().sum();
        assert_ne!(parts, 0.3);
        assert_eq!(tie_time(parts), tie_time(0.3));
        assert_eq!(tie_time(4.999_999_999_999_986), 5.0);
        assert_ne!(tie_time(5.0), tie_time(5.001));
        assert!(tie_time(f64::INFINITY).is_infinite());
    }

    #[test]
    fn quantiles_match_type_7() {
        // numpy.quantile([1, 2, 3, 4, 10], [0.5, 0.9]) = [3.0, 7.6]
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile_sorted(&v, 0.5), Some(3.0));
        assert!((quantile_sorted(&v, 0.9).unwrap() - 7.6).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[], 0.5), None);
        assert_eq!(quantile_sorted(&[4.0], 0.9), Some(4.0));
    }

    #[test]
    fn mean_interval_matches_a_t_table() {
        // n = 5, mean 4, sd = sqrt(12.5); t(0.975, 4) = 2.776445.
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        let (low, high) = mean_ci(&v, 0.95).unwrap();
        let half = 2.776_445 * 12.5_f64.sqrt() / 5.0_f64.sqrt();
        assert!((low - (4.0 - half)).abs() < 1e-4 && (high - (4.0 + half)).abs() < 1e-4);
        assert_eq!(mean_ci(&[3.0], 0.95), None);
    }

    #[test]
    fn censored_runs_count_as_longer_not_as_missing() {
        // 1, 3 reached; two runs censored at 10: S = 0.75 after 1, 0.5 after 3.
        let s = DurationSummary::of([
            (Some(1.0), Some(10.0)),
            (None, Some(10.0)),
            (Some(3.0), Some(10.0)),
            (None, Some(10.0)),
        ]);
        assert_eq!((s.reached, s.censored), (2, 2));
        assert_eq!(s.median, Some(3.0));
        assert_eq!(s.p90, None);
        assert_eq!(s.mean_kind, MeanKind::Restricted);
        // Area to tau = 10: 1·1 + 0.75·2 + 0.5·7 = 6.
        assert_eq!(s.mean, Some(6.0));
    }

    #[test]
    fn without_censoring_the_mean_is_plain() {
        let s = DurationSummary::of([
            (Some(1.0), Some(9.0)),
            (Some(2.0), Some(9.0)),
            (Some(6.0), Some(9.0)),
        ]);
        assert_eq!(s.mean, Some(3.0));
        assert_eq!(s.mean_kind, MeanKind::Plain);
        assert_eq!(s.median, Some(2.0));
    }
}
