//! Summary statistics: pure functions over samples, documented with their formulas.
//!
//! Degenerate input (no values, one value for an interval) returns `None` rather than NaN.

pub mod difference;
pub mod logrank;
pub mod multiplicity;
pub mod proportion;
pub mod rank;
pub mod survival;

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

/// Arithmetic mean, summed in the given order (so the result does not depend on threads).
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Sample standard deviation (n - 1 denominator).
pub fn sample_sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / (values.len() - 1) as f64).sqrt())
}

/// Two-sided confidence interval for the mean by Student's t:
/// `mean ± t(1 - (1 - level)/2, n - 1) * sd / sqrt(n)`.
pub fn mean_ci(values: &[f64], level: f64) -> Option<(f64, f64)> {
    let n = values.len();
    let (m, sd) = (mean(values)?, sample_sd(values)?);
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
    /// 95% interval of the median from the Greenwood band; an end is `null` where the band
    /// never falls to 0.5.
    pub median_ci95: [Option<f64>; 2],
    /// 90th percentile (Kaplan-Meier).
    pub p90: Option<f64>,
    /// 95th percentile (Kaplan-Meier).
    pub p95: Option<f64>,
    /// Mean (`"mean"`) or restricted mean (`"restricted_mean"`), see `mean_kind`.
    pub mean: Option<f64>,
    /// 95% confidence interval of the mean, `[low, high]` (low clamped at 0).
    pub ci95: Option<[f64; 2]>,
    /// `"mean"` without censoring; `"restricted_mean"` (up to `restricted_to`) with it.
    pub mean_kind: String,
    /// The restriction time of a restricted mean, minutes.
    pub restricted_to: Option<f64>,
}

impl DurationSummary {
    /// Summarises per-run times: `Some(t)` reached at `t`, `None` censored at `censored_at`
    /// (`None` for `censored_at` means the run never started the clock and is left out of the
    /// curve, counted only as censored).
    pub fn of(values: impl IntoIterator<Item = (Option<f64>, Option<f64>)>) -> Self {
        use survival::{KaplanMeier, Observation};
        let mut censored = 0;
        let mut reached: Vec<f64> = Vec::new();
        let mut observations = Vec::new();
        for (value, censored_at) in values {
            match value {
                Some(t) => {
                    reached.push(t);
                    observations.push(Observation {
                        time: t,
                        event: true,
                    });
                }
                None => {
                    censored += 1;
                    if let Some(c) = censored_at {
                        observations.push(Observation {
                            time: c,
                            event: false,
                        });
                    }
                }
            }
        }
        let km = KaplanMeier::fit(&observations, 0.95);
        let censored_in_curve = km.as_ref().is_some_and(|k| k.censored > 0);
        let (mean, ci95, mean_kind, restricted_to) = match &km {
            Some(k) if censored_in_curve && !reached.is_empty() => {
                let tau = k.max_time;
                let rmst = k.restricted_mean(tau);
                let half = 1.959_963_984_540_054 * k.restricted_mean_variance(tau).sqrt();
                (
                    Some(rmst),
                    Some([(rmst - half).max(0.0), rmst + half]),
                    "restricted_mean",
                    Some(tau),
                )
            }
            _ => {
                // Durations cannot be negative; a t interval on a small, skewed sample can
                // reach below 0, so its lower end is clamped there.
                let ci = mean_ci(&reached, 0.95).map(|(a, b)| [a.max(0.0), b]);
                (mean(&reached), ci, "mean", None)
            }
        };
        let quantile = |p: f64| km.as_ref().and_then(|k| k.quantile(p));
        let (low, high) = km
            .as_ref()
            .map_or((None, None), |k| k.quantile_interval(0.5));
        DurationSummary {
            reached: reached.len() as u64,
            censored,
            median: quantile(0.5),
            median_ci95: [low, high],
            p90: quantile(0.9),
            p95: quantile(0.95),
            mean,
            ci95,
            mean_kind: mean_kind.to_string(),
            restricted_to,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(s.mean_kind, "restricted_mean");
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
        assert_eq!(s.mean_kind, "mean");
        assert_eq!(s.median, Some(2.0));
    }
}
