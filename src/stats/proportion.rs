//! Proportions (such as how often an objective was met): Fisher's exact test of two, and the
//! Clopper-Pearson interval of one.
//!
//! Exact, so it stays valid for the small counts of a few drills as well as for batches of
//! thousands of runs; with large counts it agrees with the chi-squared test.
//!
//! Reference: Fisher (1935), *The Design of Experiments* (the lady tasting tea); the two-sided
//! p-value sums the tables no more probable than the observed one, as R's `fisher.test` does.

use statrs::distribution::{Beta, ContinuousCDF};

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

/// The Clopper-Pearson ("exact") interval of a proportion `hits / total` at `level` (e.g.
/// 0.95): the `p` not rejected by either one-sided binomial test at `(1 - level) / 2`, i.e.
/// `[B(α/2; x, n-x+1), B(1-α/2; x+1, n-x)]` with `B(q; a, b)` the beta quantile, and `0` or `1`
/// at the ends (Clopper & Pearson 1934, Biometrika 26(4)). Its coverage is at least `level` for
/// every true proportion and every `n`, which the Wilson interval cannot promise at the few
/// trials of a handful of drills (its coverage dips well below 95% near 0 and 1); the price is
/// a wider interval. The same binomial reasoning gives the order-statistic intervals of
/// medians, so every interval ttx prints holds its label at every `n`. `None` without trials.
pub fn clopper_pearson(hits: u64, total: u64, level: f64) -> Option<[f64; 2]> {
    if total == 0 || hits > total || !(0.0..1.0).contains(&level) {
        return None;
    }
    let tail = (1.0 - level) / 2.0;
    let (x, n) = (hits as f64, total as f64);
    let low = if hits == 0 {
        0.0
    } else {
        beta_quantile(x, n - x + 1.0, tail)?
    };
    let high = if hits == total {
        1.0
    } else {
        beta_quantile(x + 1.0, n - x, 1.0 - tail)?
    };
    Some([low, high])
}

/// The `q` quantile of the beta distribution `Beta(a, b)`, by bisection on its CDF to 1e-12
/// (statrs' regularized incomplete beta; its CDF is increasing, so bisection cannot miss).
fn beta_quantile(a: f64, b: f64, q: f64) -> Option<f64> {
    let beta = Beta::new(a, b).ok()?;
    let (mut low, mut high) = (0.0f64, 1.0f64);
    while high - low > 1e-12 {
        let middle = (low + high) / 2.0;
        if beta.cdf(middle) < q {
            low = middle;
        } else {
            high = middle;
        }
    }
    Some((low + high) / 2.0)
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
    fn clopper_pearson_matches_binom_test() {
        // R: binom.test(8, 10)$conf.int = 0.4439045 0.9747893; binom.test(3, 4) gives
        // 0.1941204 0.9936905; binom.test(0, 4) gives 0 0.6023646.
        let close = |got: [f64; 2], want: [f64; 2]| {
            assert!(
                (got[0] - want[0]).abs() < 1e-6 && (got[1] - want[1]).abs() < 1e-6,
                "{got:?} vs {want:?}"
            )
        };
        close(
            clopper_pearson(8, 10, 0.95).unwrap(),
            [0.443_904_5, 0.974_789_3],
        );
        close(
            clopper_pearson(3, 4, 0.95).unwrap(),
            [0.194_120_4, 0.993_690_5],
        );
        close(clopper_pearson(0, 4, 0.95).unwrap(), [0.0, 0.602_364_6]);
        assert_eq!(clopper_pearson(4, 4, 0.95).unwrap()[1], 1.0);
        assert_eq!(clopper_pearson(0, 0, 0.95), None);
    }

    /// Why Clopper-Pearson: at drill sizes its coverage never falls below 95%, computed
    /// exactly over the binomial, where Wilson's falls to about 80% near the ends.
    #[test]
    fn clopper_pearson_covers_at_every_true_rate_at_drill_sizes() {
        for n in 1..=10u64 {
            for step in 1..100 {
                let p = step as f64 / 100.0;
                let coverage: f64 = (0..=n)
                    .filter(|&x| {
                        let [low, high] = clopper_pearson(x, n, 0.95).unwrap();
                        low <= p && p <= high
                    })
                    .map(|x| binomial(n, x, p))
                    .sum();
                assert!(coverage >= 0.95 - 1e-9, "n = {n}, p = {p}: {coverage}");
            }
        }
    }

    fn binomial(n: u64, x: u64, p: f64) -> f64 {
        let choose = (0..x).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64);
        choose * p.powi(x as i32) * (1.0 - p).powi((n - x) as i32)
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
