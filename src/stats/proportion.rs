//! Proportions (such as how often an objective was met): Fisher's exact test of two, and the
//! Wilson interval of one.
//!
//! Exact, so it stays valid for the small counts of a few drills as well as for batches of
//! thousands of runs; with large counts it agrees with the chi-squared test.
//!
//! Reference: Fisher (1935), *The Design of Experiments* (the lady tasting tea); the two-sided
//! p-value sums the tables no more probable than the observed one, as R's `fisher.test` does.

use statrs::distribution::{ContinuousCDF, Normal};

/// Two-sided Fisher exact test of `a_hits / a_total` against `b_hits / b_total`; `None` if a
/// side has no trials or the hits are out of range.
pub fn fisher_exact(a_hits: u64, a_total: u64, b_hits: u64, b_total: u64) -> Option<f64> {
    if a_total == 0 || b_total == 0 || a_hits > a_total || b_hits > b_total {
        return None;
    }
    // With the margins fixed, a's hits are hypergeometric. Its probabilities relative to the
    // mode, by the ratio P(k + 1) / P(k) = (A - k)(h - k) / ((k + 1)(B - h + k + 1)): one pass
    // of multiplications instead of log-gamma functions per table (power analysis runs this
    // millions of times); terms far in the tails underflow to 0, below any p-value of note.
    let hits = a_hits + b_hits;
    let low = hits.saturating_sub(b_total);
    let high = hits.min(a_total);
    let (a, b, h) = (a_total as f64, b_total as f64, hits as f64);
    let ratio = |k: u64| {
        let k = k as f64;
        (a - k) * (h - k) / ((k + 1.0) * (b - h + k + 1.0))
    };
    let mode = (((h + 1.0) * (a + 1.0) / (a + b + 2.0)).floor() as u64).clamp(low, high);
    let mut weights = vec![0.0f64; (high - low + 1) as usize];
    weights[(mode - low) as usize] = 1.0;
    for k in mode..high {
        weights[(k + 1 - low) as usize] = weights[(k - low) as usize] * ratio(k);
    }
    for k in (low..mode).rev() {
        weights[(k - low) as usize] = weights[(k + 1 - low) as usize] / ratio(k);
    }
    let total: f64 = weights.iter().sum();
    let observed = weights[(a_hits - low) as usize];
    // R's relative tolerance, so tables equal in exact arithmetic count as "as extreme".
    let limit = observed * (1.0 + 1e-7);
    let p: f64 = weights.iter().filter(|&&q| q <= limit).sum::<f64>() / total;
    Some(p.min(1.0))
}

/// The smallest two-sided p-value [`fisher_exact`] can give with `a_total` and `b_total`
/// trials, over every possible count of hits: the most lopsided table. `None` when there are
/// more than 400 trials in all (then it is far below any alpha and not worth the `O(N²)`).
pub fn fisher_smallest_p(a_total: u64, b_total: u64) -> Option<f64> {
    let n = a_total + b_total;
    if a_total == 0 || b_total == 0 || n > 400 {
        return None;
    }
    (0..=n)
        .flat_map(|hits| {
            // With `hits` in all, the extreme tables put as many as possible on one side.
            let most = hits.min(a_total);
            let least = hits.saturating_sub(b_total);
            [most, least].map(|a| fisher_exact(a, a_total, hits - a, b_total))
        })
        .flatten()
        .reduce(f64::min)
}

/// The Wilson score interval of a proportion `hits / total` at `level` (e.g. 0.95):
/// `(p̂ + z²/2n ± z √(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n)`. Unlike `p̂ ± z·se` it stays within
/// [0, 1] and keeps its coverage near 0% and 100% (Wilson 1927, JASA 22(158)). `None` without
/// trials.
pub fn wilson_interval(hits: u64, total: u64, level: f64) -> Option<[f64; 2]> {
    if total == 0 || hits > total {
        return None;
    }
    let z = Normal::standard().inverse_cdf(1.0 - (1.0 - level) / 2.0);
    let (n, p) = (total as f64, hits as f64 / total as f64);
    let centre = p + z * z / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    let scale = 1.0 + z * z / n;
    Some([
        ((centre - half) / scale).max(0.0),
        ((centre + half) / scale).min(1.0),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fisher_matches_the_tea_tasting_example() {
        // Fisher (1935): 3 of 4 cups right each way; R fisher.test(matrix(c(3,1,1,3),2))
        // p = 0.4857 (= 34/70); scipy.stats.fisher_exact gives 0.48571428571428565.
        let p = fisher_exact(3, 4, 1, 4).unwrap();
        assert!((p - 34.0 / 70.0).abs() < 1e-12, "{p}");
    }

    #[test]
    fn fisher_matches_scipy_on_a_larger_table() {
        // scipy.stats.fisher_exact([[10, 20], [30, 15]]).pvalue = 0.008824760272675987.
        let p = fisher_exact(10, 30, 30, 45).unwrap();
        assert!((p - 0.008_824_760_272_675_987).abs() < 1e-10, "{p}");
    }

    #[test]
    fn wilson_matches_prop_test_without_correction() {
        // R: prop.test(8, 10, correct = FALSE)$conf.int = 0.4901625 0.9433178
        let [low, high] = wilson_interval(8, 10, 0.95).unwrap();
        assert!((low - 0.490_162_5).abs() < 1e-6 && (high - 0.943_317_8).abs() < 1e-6);
        assert_eq!(wilson_interval(0, 0, 0.95), None);
    }

    #[test]
    fn the_most_lopsided_table_gives_the_smallest_p() {
        // 1 trial each: the table 1/1 vs 0/1 has p = 1; 3 each: 3/3 vs 0/3 has p = 2/20.
        assert!((fisher_smallest_p(1, 1).unwrap() - 1.0).abs() < 1e-9);
        assert!((fisher_smallest_p(3, 3).unwrap() - 0.1).abs() < 1e-12);
        assert_eq!(fisher_smallest_p(0, 3), None);
        assert_eq!(fisher_smallest_p(300, 300), None);
    }

    #[test]
    fn equal_proportions_and_degenerate_input() {
        assert!((fisher_exact(50, 100, 50, 100).unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(fisher_exact(1, 0, 1, 2), None);
        assert_eq!(fisher_exact(3, 2, 1, 2), None);
    }
}
