//! The log-rank test: do two samples of censored times come from the same distribution?
//!
//! At each distinct event time the events of the first sample are compared with what equal
//! hazards would give, `E₁ = d · n₁ / n` (`d` events, `n` at risk, `n₁` of them in the first
//! sample), with the hypergeometric variance `V = n₁ n₂ d (n - d) / (n² (n - 1))`; the
//! statistic `(Σ (O₁ - E₁))² / Σ V` is chi-squared with 1 degree of freedom under the null.
//! Runs censored at the horizon stay in the risk sets until they leave, so censoring is used,
//! not dropped. It is most powerful when one side's hazard is a constant multiple of the
//! other's, and still valid (if less powerful) otherwise.
//!
//! References: Mantel (1966), "Evaluation of survival data and two new rank order statistics
//! arising in its consideration", Cancer Chemotherapy Reports 50(3); Peto & Peto (1972),
//! "Asymptotically efficient rank invariant test procedures", JRSS A 135(2). Matches R's
//! `survival::survdiff` (`rho = 0`).

use statrs::distribution::{ContinuousCDF, Normal};

use super::survival::Observation;

/// The outcome of a log-rank test.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LogRank {
    /// Chi-squared statistic (1 df).
    pub chi_squared: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Events observed in the first sample.
    pub observed_first: f64,
    /// Events expected in the first sample under equal hazards.
    pub expected_first: f64,
}

impl LogRank {
    /// Whether the first sample reached the event sooner than equal hazards predict.
    pub fn first_is_faster(&self) -> bool {
        self.observed_first > self.expected_first
    }
}

/// Log-rank test of `first` against `second`; `None` if either is empty or nothing happened
/// (no event, or every event at a time where everyone left: no variance).
pub fn log_rank(first: &[Observation], second: &[Observation]) -> Option<LogRank> {
    if first.is_empty() || second.is_empty() {
        return None;
    }
    // (time, sample, event); events before censorings at equal times, as Kaplan-Meier does.
    let mut all: Vec<(f64, usize, bool)> = first
        .iter()
        .map(|o| (o.time, 0, o.event))
        .chain(second.iter().map(|o| (o.time, 1, o.event)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut at_risk = [first.len() as f64, second.len() as f64];
    let (mut observed, mut expected, mut variance) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < all.len() {
        let time = all[i].0;
        let (mut events, mut leaving) = ([0.0f64; 2], [0.0f64; 2]);
        while i < all.len() && all[i].0 == time {
            let (_, sample, event) = all[i];
            events[sample] += event as u8 as f64;
            leaving[sample] += 1.0;
            i += 1;
        }
        let d = events[0] + events[1];
        let n = at_risk[0] + at_risk[1];
        if d > 0.0 {
            observed += events[0];
            expected += d * at_risk[0] / n;
            if n > 1.0 {
                variance += at_risk[0] * at_risk[1] * d * (n - d) / (n * n * (n - 1.0));
            }
        }
        at_risk[0] -= leaving[0];
        at_risk[1] -= leaving[1];
    }
    if variance <= 0.0 {
        return None;
    }
    let chi_squared = (observed - expected).powi(2) / variance;
    let p_value = (2.0 * Normal::standard().sf(chi_squared.sqrt())).min(1.0);
    Some(LogRank {
        chi_squared,
        p_value,
        observed_first: observed,
        expected_first: expected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(times: &[(f64, bool)]) -> Vec<Observation> {
        times
            .iter()
            .map(|&(time, event)| Observation { time, event })
            .collect()
    }

    /// R `survival::aml` (acute myelogenous leukaemia, Miller 1981): `survdiff(Surv(time,
    /// status) ~ x, data = aml)` prints Chisq = 3.4 on 1 df, p = 0.07; Maintained observed 7,
    /// expected 10.69. lifelines `logrank_test` gives 3.3963886989776024, p 0.0653393220405049.
    #[test]
    fn log_rank_matches_survdiff_on_aml() {
        let maintained = obs(&[
            (9., true),
            (13., true),
            (13., false),
            (18., true),
            (23., true),
            (28., false),
            (31., true),
            (34., true),
            (45., false),
            (48., true),
            (161., false),
        ]);
        let nonmaintained = obs(&[
            (5., true),
            (5., true),
            (8., true),
            (8., true),
            (12., true),
            (16., false),
            (23., true),
            (27., true),
            (30., true),
            (33., true),
            (43., true),
            (45., true),
        ]);
        let t = log_rank(&maintained, &nonmaintained).unwrap();
        assert!(
            (t.chi_squared - 3.396_388_698_977_602).abs() < 1e-9,
            "{t:?}"
        );
        assert!((t.p_value - 0.065_339_322_040_504_9).abs() < 1e-9, "{t:?}");
        assert_eq!(t.observed_first, 7.0);
        assert!((t.expected_first - 10.69).abs() < 0.005);
        assert!(!t.first_is_faster());
        // Symmetric: swapping the samples gives the same statistic.
        let s = log_rank(&nonmaintained, &maintained).unwrap();
        assert!((s.chi_squared - t.chi_squared).abs() < 1e-9 && s.first_is_faster());
    }

    #[test]
    fn nothing_to_test_gives_none() {
        assert_eq!(log_rank(&[], &obs(&[(1.0, true)])), None);
        assert_eq!(log_rank(&obs(&[(1.0, false)]), &obs(&[(2.0, false)])), None);
    }
}
