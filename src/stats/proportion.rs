//! Comparing two proportions (such as how often an objective was met) with Fisher's exact test.
//!
//! Exact, so it stays valid for the small counts of a few drills as well as for batches of
//! thousands of runs; with large counts it agrees with the chi-squared test.
//!
//! Reference: Fisher (1935), *The Design of Experiments* (the lady tasting tea); the two-sided
//! p-value sums the tables no more probable than the observed one, as R's `fisher.test` does.

use statrs::function::gamma::ln_gamma;

/// Two-sided Fisher exact test of `a_hits / a_total` against `b_hits / b_total`; `None` if a
/// side has no trials or the hits are out of range.
pub fn fisher_exact(a_hits: u64, a_total: u64, b_hits: u64, b_total: u64) -> Option<f64> {
    if a_total == 0 || b_total == 0 || a_hits > a_total || b_hits > b_total {
        return None;
    }
    // With the margins fixed, a's hits are hypergeometric.
    let hits = a_hits + b_hits;
    let n = a_total + b_total;
    let ln_choose = |n: u64, k: u64| {
        ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
    };
    let ln_total = ln_choose(n, hits);
    let probability =
        |k: u64| (ln_choose(a_total, k) + ln_choose(b_total, hits - k) - ln_total).exp();
    let low = hits.saturating_sub(b_total);
    let high = hits.min(a_total);
    let observed = probability(a_hits);
    // R's relative tolerance, so tables equal in exact arithmetic count as "as extreme".
    let limit = observed * (1.0 + 1e-7);
    let p: f64 = (low..=high).map(probability).filter(|&q| q <= limit).sum();
    Some(p.min(1.0))
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
    fn equal_proportions_and_degenerate_input() {
        assert!((fisher_exact(50, 100, 50, 100).unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(fisher_exact(1, 0, 1, 2), None);
        assert_eq!(fisher_exact(3, 2, 1, 2), None);
    }
}
