//! Summary statistics: pure functions over samples, documented with their formulas.
//!
//! Degenerate input (no values, one value for an interval) returns `None` rather than NaN.

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

/// Summary of one duration metric across runs, in minutes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DurationSummary {
    /// Runs that reached the milestone.
    pub reached: u64,
    /// Runs censored at the horizon (did not reach it).
    pub censored: u64,
    /// Median over reached runs.
    pub median: Option<f64>,
    /// 90th percentile over reached runs.
    pub p90: Option<f64>,
    /// 95th percentile over reached runs.
    pub p95: Option<f64>,
    /// Mean over reached runs.
    pub mean: Option<f64>,
    /// 95% confidence interval of that mean, `[low, high]`.
    pub ci95: Option<[f64; 2]>,
}

impl DurationSummary {
    /// Summarises values where `None` marks a censored run.
    ///
    /// The percentiles and mean describe the runs that reached the milestone; with censoring
    /// they understate the true values, which is why the censored count always travels with
    /// them.
    pub fn of(values: impl IntoIterator<Item = Option<f64>>) -> Self {
        let mut censored = 0;
        let mut reached: Vec<f64> = Vec::new();
        for value in values {
            match value {
                Some(v) => reached.push(v),
                None => censored += 1,
            }
        }
        let m = mean(&reached);
        // Durations cannot be negative; a t interval on a small, skewed sample can reach below
        // 0, so its lower end is clamped there.
        let ci = mean_ci(&reached, 0.95).map(|(a, b)| [a.max(0.0), b]);
        reached.sort_by(f64::total_cmp);
        DurationSummary {
            reached: reached.len() as u64,
            censored,
            median: quantile_sorted(&reached, 0.5),
            p90: quantile_sorted(&reached, 0.9),
            p95: quantile_sorted(&reached, 0.95),
            mean: m,
            ci95: ci,
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
    fn censored_runs_are_counted_not_averaged() {
        let s = DurationSummary::of([Some(1.0), None, Some(3.0), None]);
        assert_eq!((s.reached, s.censored), (2, 2));
        assert_eq!(s.median, Some(2.0));
        assert_eq!(s.mean, Some(2.0));
    }
}
