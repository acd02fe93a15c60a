//! Distribution-free confidence intervals from order statistics: for quantiles of one sample
//! (medians, p90s), and for the shift between two samples (Hodges-Lehmann). They hold their
//! level at every sample size, with or without ties, whatever the distribution, and where no
//! interval at that level exists for the sample size they say so instead of printing a
//! zero-width or min–max band.
//!
//! **Quantiles.** Of `n` values, the number below the true `p`-quantile `q` is binomial
//! `B(n, p)`, so `[x₍ₗ₎, x₍ᵤ₎]` covers `q` with probability `P(l ≤ B ≤ u - 1)` (exactly, for a
//! continuous distribution; at least, with ties). The ranks are equal-tailed: `l` the largest
//! with `P(B ≤ l - 1) ≤ (1 - level)/2`, `u` the smallest with `P(B ≥ u) ≤ (1 - level)/2`. For
//! the median at 95% that needs `n ≥ 6` (`P(B = 0) = 1/64`), for the p90 `n ≥ 36`.
//! Censored values (known only to exceed their follow-up) keep the interval valid if the lower
//! end is the `l`-th smallest *observed* time (event or censoring: no true time is smaller)
//! and the upper end the `u`-th *event* time (at least `u` true times are at or below it); the
//! upper end is open when fewer than `u` runs reached the event. Without censoring this is
//! the exact interval above.
//!
//! **Shift.** For two samples, the Hodges-Lehmann interval of the shift `Δ` (the second minus
//! the first, under `Y ~ X + Δ`) is `[D₍c₎, D₍mn+1-c₎]` of the `mn` sorted pairwise
//! differences `y_j - x_i`, with `c` the largest count such that the exact Mann-Whitney null
//! gives `P(U ≤ c - 1) ≤ (1 - level)/2`. It exists from 4 per side (`C(8, 4) = 70`).
//!
//! References: Thompson (1936), "On confidence ranges for the median and other expectation
//! distributions for populations of unknown distribution form", Ann. Math. Statist. 7(3);
//! David & Nagaraja (2003), *Order Statistics*, 3rd ed., §7.1; Hodges & Lehmann (1963),
//! "Estimates of location based on rank tests", Ann. Math. Statist. 34(2); Bauer (1972),
//! "Constructing confidence sets using rank statistics", JASA 67(339).

use statrs::function::gamma::ln_gamma;

use super::survival::{Observation, Timed};

/// The 1-based ranks `(l, u)` of the order statistics bounding an equal-tailed `level`
/// interval of the `p`-quantile of `n` values; `None` when no such interval exists at this
/// `n` (the extreme order statistics alone cover less than `level`). One pass over the
/// binomial probabilities in log space, skipping those more than 12 standard deviations from
/// the mean (below 1e-30 each), so it costs `O(√n)` at large `n`.
pub fn quantile_ranks(n: u64, p: f64, level: f64) -> Option<(u64, u64)> {
    if n == 0 || !(p > 0.0 && p < 1.0) || !(level > 0.0 && level < 1.0) {
        return None;
    }
    let tail = (1.0 - level) / 2.0;
    let nf = n as f64;
    let sd = (nf * p * (1.0 - p)).sqrt();
    let from = (nf * p - 12.0 * sd - 1.0).floor().max(0.0) as u64;
    let to = ((nf * p + 12.0 * sd + 1.0).ceil() as u64).min(n);
    let ln_pmf = |i: u64| {
        ln_gamma(nf + 1.0) - ln_gamma(i as f64 + 1.0) - ln_gamma((n - i) as f64 + 1.0)
            + i as f64 * p.ln()
            + (n - i) as f64 * (1.0 - p).ln()
    };
    // l = the first k with P(B ≤ k) > tail; u - 1 = the first k with P(B ≤ k) ≥ 1 - tail.
    let (mut cdf, mut l, mut u) = (0.0f64, None, None);
    for k in from..=to {
        cdf += ln_pmf(k).exp();
        if l.is_none() && cdf > tail {
            l = Some(k);
        }
        if u.is_none() && cdf >= 1.0 - tail {
            u = Some(k + 1);
        }
    }
    let (l, u) = (l?, u.unwrap_or(n + 1));
    (l >= 1 && u <= n).then_some((l, u))
}

/// The smallest `n` with a `level` interval of the `p`-quantile (6 for the median at 95%).
pub fn smallest_n(p: f64, level: f64) -> u64 {
    (1..10_000)
        .find(|&n| quantile_ranks(n, p, level).is_some())
        .unwrap_or(u64::MAX)
}

/// A confidence interval of a quantile, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QuantileInterval {
    /// `[low, high]`; `high` is `None` (open) when too few runs reached the event.
    Bounds {
        /// Lower end.
        low: f64,
        /// Upper end, if known.
        high: Option<f64>,
    },
    /// No interval at this level exists for `n` values; it needs `needed`.
    TooFew {
        /// Values there are.
        n: u64,
        /// Values an interval needs.
        needed: u64,
    },
}

impl QuantileInterval {
    /// The ends, as results files store them (`None` when there is no interval).
    pub fn ends(&self) -> Option<[Option<f64>; 2]> {
        match *self {
            QuantileInterval::Bounds { low, high } => Some([Some(low), high]),
            QuantileInterval::TooFew { .. } => None,
        }
    }

    /// Why there is no interval, in words ("none at n = 3: a 95% interval of the median
    /// needs at least 6 values"); `None` when there is one.
    pub fn reason(&self, what: &str) -> Option<String> {
        match *self {
            QuantileInterval::Bounds { .. } => None,
            QuantileInterval::TooFew { n, needed } => Some(format!(
                "{}: a 95% interval of the {what} needs at least {needed} values",
                none_at(n)
            )),
        }
    }
}

/// How every output shows a missing interval: "none at n = 3".
pub fn none_at(n: u64) -> String {
    format!("none at n = {n}")
}

/// The order-statistic interval of the `p`-quantile of `sorted` observations (by time, events
/// before censorings at equal times, as the Kaplan-Meier fit sorts them), valid with
/// censoring (see the module documentation). `None` for no observations.
pub fn quantile_interval<T: Timed>(sorted: &[T], p: f64, level: f64) -> Option<QuantileInterval> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let Some((l, u)) = quantile_ranks(n, p, level) else {
        return Some(QuantileInterval::TooFew {
            n,
            needed: smallest_n(p, level),
        });
    };
    let low = sorted[l as usize - 1].time();
    let high = sorted
        .iter()
        .filter(|o| o.event())
        .nth(u as usize - 1)
        .map(|o| o.time());
    Some(QuantileInterval::Bounds { low, high })
}

/// The 95% [`quantile_interval`] of the `p`-quantile of `observations` in any order, as every
/// output writes it: its ends (an end `None` where the runs cannot bound it), or `None` and
/// why there is none ([`QuantileInterval::reason`], naming the quantile `what`).
pub fn quantile_ci95(
    observations: &[Observation],
    p: f64,
    what: &str,
) -> (Option<[Option<f64>; 2]>, Option<String>) {
    let mut sorted = observations.to_vec();
    super::survival::sort_for_fit(&mut sorted);
    let interval = quantile_interval(&sorted, p, 0.95);
    (
        interval.and_then(|i| i.ends()),
        interval.and_then(|i| i.reason(what)),
    )
}

/// Exact null distribution of the Mann-Whitney `U` for `m` and `n` untied values, as counts
/// indexed by `U` (the recurrence `f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u)`).
pub(crate) fn u_distribution(m: usize, n: usize) -> Vec<f64> {
    // row[j] = distribution for (i, j), built for i = 0..=m.
    let mut row: Vec<Vec<f64>> = vec![vec![1.0]; n + 1];
    for i in 1..=m {
        let mut next: Vec<Vec<f64>> = vec![vec![1.0]; n + 1];
        for j in 1..=n {
            let mut f = vec![0.0; i * j + 1];
            for (k, c) in row[j].iter().enumerate() {
                f[k + j] += c;
            }
            for (k, c) in next[j - 1].iter().enumerate() {
                f[k] += c;
            }
            next[j] = f;
        }
        row = next;
    }
    row.swap_remove(n)
}

/// The Hodges-Lehmann `level` interval of the shift `second - first` (see the module
/// documentation); `None` when a sample is empty, when no such interval exists at these
/// sizes (fewer than 4 per side at 95%), or when `m · n` exceeds 250,000 pairs.
pub fn shift_interval(first: &[f64], second: &[f64], level: f64) -> Option<[f64; 2]> {
    let (m, n) = (first.len(), second.len());
    if m == 0 || n == 0 || m * n > 250_000 {
        return None;
    }
    let counts = u_distribution(m, n);
    let total: f64 = counts.iter().sum();
    let tail = (1.0 - level) / 2.0;
    // c: the largest count with P(U ≤ c - 1) ≤ tail.
    let (mut c, mut below) = (0usize, 0.0);
    while c < counts.len() && (below + counts[c]) / total <= tail {
        below += counts[c];
        c += 1;
    }
    if c == 0 {
        return None;
    }
    let mut differences: Vec<f64> = second
        .iter()
        .flat_map(|y| first.iter().map(move |x| y - x))
        .collect();
    differences.sort_by(f64::total_cmp);
    Some([differences[c - 1], differences[m * n - c]])
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::stats::survival::events;

    #[test]
    fn median_ranks_match_the_binomial_table() {
        // n = 6: [x(1), x(6)], coverage 1 - 2/64 = 96.9%. n = 10: [x(2), x(9)] (97.9%);
        // n = 20: [x(6), x(15)] (95.9%) -- as R's `DescTools::MedianCI(method = "exact")`.
        assert_eq!(quantile_ranks(6, 0.5, 0.95), Some((1, 6)));
        assert_eq!(quantile_ranks(10, 0.5, 0.95), Some((2, 9)));
        assert_eq!(quantile_ranks(20, 0.5, 0.95), Some((6, 15)));
        for n in 1..6 {
            assert_eq!(quantile_ranks(n, 0.5, 0.95), None, "n = {n}");
        }
        assert_eq!(smallest_n(0.5, 0.95), 6);
        assert_eq!(smallest_n(0.9, 0.95), 36);
        assert_eq!(smallest_n(0.95, 0.95), 72);
        assert_eq!(quantile_ranks(0, 0.5, 0.95), None);
        assert_eq!(quantile_ranks(10, f64::NAN, 0.95), None);
    }

    #[test]
    fn too_few_values_give_a_reason_not_a_band() {
        let i = quantile_interval(&events(&[2.5, 3.0, 9.0]), 0.5, 0.95).unwrap();
        assert_eq!(i, QuantileInterval::TooFew { n: 3, needed: 6 });
        assert_eq!(i.ends(), None);
        assert_eq!(
            i.reason("median").unwrap(),
            "none at n = 3: a 95% interval of the median needs at least 6 values"
        );
        assert_eq!(quantile_interval::<Observation>(&[], 0.5, 0.95), None);
    }

    #[test]
    fn censored_runs_widen_the_interval_and_can_open_it() {
        let sorted = events(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(
            quantile_interval(&sorted, 0.5, 0.95).unwrap().ends(),
            Some([Some(1.0), Some(6.0)])
        );
        let mut censored = sorted.clone();
        censored[5].event = false;
        // Only 5 events: the 6th event time is unknown, so the upper end is open.
        assert_eq!(
            quantile_interval(&censored, 0.5, 0.95).unwrap().ends(),
            Some([Some(1.0), None])
        );
    }

    #[test]
    fn shift_interval_is_exact_and_needs_four_per_side() {
        // 4 vs 4: c = 1 (P(U = 0) = 1/70), so the interval is [min, max] of the differences.
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [11.0, 12.0, 13.0, 15.0];
        assert_eq!(shift_interval(&x, &y, 0.95), Some([7.0, 14.0]));
        assert_eq!(shift_interval(&x[..3], &y[..3], 0.95), None);
        assert_eq!(shift_interval(&[], &y, 0.95), None);
        // 10 vs 10: c = 24 (R's wilcox.test(conf.int = TRUE) uses qwilcox(0.025, 10, 10) = 24).
        let counts = u_distribution(10, 10);
        let total: f64 = counts.iter().sum();
        let at_most = |u: usize| counts[..=u].iter().sum::<f64>() / total;
        assert!(at_most(23) <= 0.025 && at_most(24) > 0.025);
        let x: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let y: Vec<f64> = (0..10).map(|i| 100.0 + 10.0 * i as f64).collect();
        let mut d: Vec<f64> = y
            .iter()
            .flat_map(|b| x.iter().map(move |a| b - a))
            .collect();
        d.sort_by(f64::total_cmp);
        assert_eq!(shift_interval(&x, &y, 0.95), Some([d[23], d[76]]));
    }
}
