//! How far the average of `k` percentiles wanders by chance: the mean of `k` independent
//! uniform values on `[0, 1]` (the Bates distribution; their sum is Irwin-Hall's).
//!
//! A live drill's placement is the share of simulated runs of its scenario that did better.
//! If the team plays exactly as the scenario's model predicts, that share is uniform on
//! `[0, 1]` for a time without ties, so the average placement of `k` such drills follows the
//! Bates distribution. Its central interval says, in the units people read (percentiles), what
//! `k` drills can and cannot show.
//!
//! Reference: Irwin (1927) and Hall (1927), Biometrika 19: the sum `S` of `k` uniforms has
//! `P(S ≤ s) = (1/k!) Σ_{j=0}^{⌊s⌋} (-1)^j C(k, j) (s - j)^k`.

use statrs::distribution::{ContinuousCDF, Normal};

/// Above this many values the alternating sum loses precision; the normal approximation
/// (mean 1/2, variance 1/(12k)) is then within 1e-3 of the truth.
const EXACT_UP_TO: u64 = 30;

/// `P(mean of k uniforms ≤ x)`; `None` for `k = 0`.
pub fn mean_cdf(k: u64, x: f64) -> Option<f64> {
    if k == 0 {
        return None;
    }
    if x <= 0.0 {
        return Some(0.0);
    }
    if x >= 1.0 {
        return Some(1.0);
    }
    if k > EXACT_UP_TO {
        let z = (x - 0.5) * (12.0 * k as f64).sqrt();
        return Some(Normal::standard().cdf(z));
    }
    let s = x * k as f64;
    let (mut total, mut choose, mut factorial) = (0.0f64, 1.0f64, 1.0f64);
    for i in 1..=k {
        factorial *= i as f64;
    }
    for j in 0..=(s.floor() as u64).min(k) {
        if j > 0 {
            choose *= (k - j + 1) as f64 / j as f64;
        }
        let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
        total += sign * choose * (s - j as f64).powi(k as i32);
    }
    Some((total / factorial).clamp(0.0, 1.0))
}

/// The central `level` interval of the mean of `k` uniforms, `[q, 1 - q]` with
/// `P(mean ≤ q) = (1 - level) / 2` (the distribution is symmetric about 1/2); `None` for
/// `k = 0`.
pub fn mean_interval(k: u64, level: f64) -> Option<[f64; 2]> {
    let tail = (1.0 - level) / 2.0;
    let (mut low, mut high) = (0.0f64, 0.5f64);
    mean_cdf(k, 0.5)?;
    while high - low > 1e-10 {
        let middle = (low + high) / 2.0;
        if mean_cdf(k, middle)? < tail {
            low = middle;
        } else {
            high = middle;
        }
    }
    let q = (low + high) / 2.0;
    Some([q, 1.0 - q])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_drill_is_the_uniform_itself() {
        let [low, high] = mean_interval(1, 0.95).unwrap();
        assert!((low - 0.025).abs() < 1e-9 && (high - 0.975).abs() < 1e-9);
        assert_eq!(mean_interval(0, 0.95), None);
    }

    #[test]
    fn two_drills_follow_the_triangle() {
        // The mean of two uniforms is triangular: P(mean ≤ x) = 2x² below 1/2, so the 2.5%
        // point is √(0.0125) = 0.1118.
        let [low, _] = mean_interval(2, 0.95).unwrap();
        assert!((low - 0.0125f64.sqrt()).abs() < 1e-8, "{low}");
        assert!((mean_cdf(2, 0.25).unwrap() - 0.125).abs() < 1e-12);
    }

    #[test]
    fn the_exact_sum_meets_the_normal_approximation() {
        // At k = 30 the two agree closely; the interval narrows as 1/√k.
        let exact = mean_cdf(30, 0.42).unwrap();
        let z = (0.42 - 0.5) * (12.0f64 * 30.0).sqrt();
        assert!((exact - Normal::standard().cdf(z)).abs() < 2e-3);
        let four = mean_interval(4, 0.95).unwrap();
        let sixteen = mean_interval(16, 0.95).unwrap();
        assert!(four[0] < sixteen[0] && sixteen[1] < four[1]);
        // The ranges docs/statistics.md quotes (2, 3, 4, 6 and 8 drills: 11th, 18th, 22nd,
        // 27th and 30th percentile upwards), against the same sum evaluated in Python.
        for (k, low) in [
            (2, 0.111_803),
            (3, 0.177_110),
            (4, 0.220_028),
            (6, 0.270_691),
            (8, 0.301_045),
        ] {
            let [q, high] = mean_interval(k, 0.95).unwrap();
            assert!(
                (q - low).abs() < 1e-5 && (high - (1.0 - low)).abs() < 1e-5,
                "{k}: {q}"
            );
        }
    }
}
