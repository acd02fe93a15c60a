//! Controlling the family-wise error when many metrics are tested at once.
//!
//! A comparison tests a dozen metrics; at 5% each, one of them would look "changed" by chance
//! in about half of all comparisons of identical scenarios. Holm's step-down procedure keeps
//! the chance of *any* false "changed" at or below alpha, under any dependence between the
//! tests (ttx's time metrics are strongly correlated: a late detection delays everything), and
//! is uniformly more powerful than Bonferroni.
//!
//! Reference: Holm (1979), "A simple sequentially rejective multiple test procedure",
//! Scandinavian Journal of Statistics 6(2).

/// Holm-adjusted p-values, in the order given: sort ascending, `p̃₍ᵢ₎ = max_{j ≤ i} min(1,
/// (m - j + 1) p₍ⱼ₎)`. A test rejects at family-wise level alpha when its adjusted p-value is
/// below alpha. Same as R's `p.adjust(p, "holm")`.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (step, &i) in order.iter().enumerate() {
        running = running.max(((m - step) as f64 * p_values[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_matches_p_adjust() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.005]);
        let expected = [0.03, 0.06, 0.06, 0.02];
        for (a, e) in adjusted.iter().zip(expected) {
            assert!((a - e).abs() < 1e-12, "{adjusted:?}");
        }
        assert!(holm(&[]).is_empty());
        assert_eq!(holm(&[0.7, 0.9]), vec![1.0, 1.0]);
    }
}
