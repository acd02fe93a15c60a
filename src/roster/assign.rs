//! The assignment problem: given a cost for each (row, column) pair, one column per row, no
//! column twice, at the least total cost. The Hungarian method (Kuhn 1955; Munkres 1957) in
//! its O(n²m) form with potentials (as in Jonker and Volgenant 1987's shortest augmenting
//! paths): rows are added one at a time, each by a shortest augmenting path.
//!
//! Deterministic: the same matrix gives the same assignment.

/// The least-cost assignment of `cost` (rows ≤ columns, every row as long): for each row,
/// its column. Empty for no rows.
///
/// # Panics
///
/// When a row has fewer columns than there are rows, or rows differ in length (the caller
/// builds the matrix).
pub fn assign(cost: &[Vec<i64>]) -> Vec<usize> {
    let n = cost.len();
    if n == 0 {
        return Vec::new();
    }
    let m = cost[0].len();
    assert!(
        n <= m && cost.iter().all(|row| row.len() == m),
        "an assignment needs at least as many columns as rows, every row as long"
    );
    let inf = i64::MAX / 4;
    // Potentials of rows (u) and columns (v), 1-based; p[j]: the row column j holds (0: none);
    // way[j]: the column before j on the augmenting path.
    let mut u = vec![0i64; n + 1];
    let mut v = vec![0i64; m + 1];
    let mut p = vec![0usize; m + 1];
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut min_to = vec![inf; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0;
            for j in 1..=m {
                if used[j] {
                    continue;
                }
                let reduced = cost[i0 - 1][j - 1] - u[i0] - v[j];
                if reduced < min_to[j] {
                    min_to[j] = reduced;
                    way[j] = j0;
                }
                if min_to[j] < delta {
                    delta = min_to[j];
                    j1 = j;
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_to[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        // Flip the augmenting path.
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut columns = vec![0; n];
    for j in 1..=m {
        if p[j] != 0 {
            columns[p[j] - 1] = j - 1;
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(cost: &[Vec<i64>], columns: &[usize]) -> i64 {
        columns.iter().enumerate().map(|(i, &j)| cost[i][j]).sum()
    }

    /// The least total over every injective assignment, by enumeration.
    fn brute(cost: &[Vec<i64>]) -> i64 {
        fn go(cost: &[Vec<i64>], row: usize, used: &mut Vec<bool>) -> i64 {
            if row == cost.len() {
                return 0;
            }
            let mut best = i64::MAX;
            for j in 0..used.len() {
                if !used[j] {
                    used[j] = true;
                    best = best.min(cost[row][j] + go(cost, row + 1, used));
                    used[j] = false;
                }
            }
            best
        }
        go(cost, 0, &mut vec![false; cost[0].len()])
    }

    #[test]
    fn a_textbook_matrix_gets_its_known_optimum() {
        let cost = vec![vec![4, 1, 3], vec![2, 0, 5], vec![3, 2, 2]];
        let columns = assign(&cost);
        assert_eq!(columns, vec![1, 0, 2]);
        assert_eq!(total(&cost, &columns), 5);
    }

    /// Every square and wide matrix up to 4 × 5 from a fixed generator: the least total,
    /// and each column used once.
    #[test]
    fn the_assignment_is_optimal_and_injective_against_enumeration() {
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % 20) as i64
        };
        for rows in 1..=4 {
            for columns in rows..=5 {
                for _ in 0..20 {
                    let cost: Vec<Vec<i64>> = (0..rows)
                        .map(|_| (0..columns).map(|_| next()).collect())
                        .collect();
                    let chosen = assign(&cost);
                    let mut seen = chosen.clone();
                    seen.sort_unstable();
                    seen.dedup();
                    assert_eq!(seen.len(), rows, "{cost:?}");
                    assert_eq!(total(&cost, &chosen), brute(&cost), "{cost:?}");
                }
            }
        }
        assert!(assign(&[]).is_empty());
    }
}
