//! Shards: contiguous slices of a batch's run indices, so one batch can run as N independent
//! jobs (a Slurm job array, a Kubernetes Indexed Job, GNU parallel) and be merged back into
//! exactly what one machine produces (`report::merge`).
//!
//! Shard `k` of `n` covers runs `[(k-1)·R/n, k·R/n)` of `R` runs (integer division), so the
//! shards partition `0..R` in order whatever `R` and `n` are; a shard may be empty when
//! `n > R`. Run `r` depends only on (scenario, seed, r), so where a run is computed does not
//! matter.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Shard `index` of `count` (both from 1, as written: `2/3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 1.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl Shard {
    /// The run indices this shard covers out of `total` runs.
    pub fn range(&self, total: u64) -> Range<u64> {
        let bound = |k: u64| (k as u128 * total as u128 / self.count as u128) as u64;
        bound(self.index - 1)..bound(self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Why a shard could not be read from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not of the form `K/N`.
    #[error("expected K/N (shard K of N, from 1), e.g. 2/8")]
    Form,
    /// K or N is not a positive whole number.
    #[error("`{0}` is not a positive whole number")]
    Number(String),
    /// K is above N.
    #[error("shard {index} of {count} does not exist: K runs from 1 to N")]
    Range {
        /// K.
        index: u64,
        /// N.
        count: u64,
    },
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Self, ShardError> {
        let (k, n) = text.split_once('/').ok_or(ShardError::Form)?;
        let number = |s: &str| {
            s.trim()
                .parse::<u64>()
                .ok()
                .filter(|v| *v >= 1)
                .ok_or_else(|| ShardError::Number(s.trim().to_string()))
        };
        let (index, count) = (number(k)?, number(n)?);
        if index > count {
            return Err(ShardError::Range { index, count });
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_runs_in_order() {
        for total in [1u64, 2, 3, 10, 999, 1000, 1001] {
            for count in [1u64, 2, 3, 7, 16] {
                let mut next = 0;
                for index in 1..=count {
                    let range = Shard { index, count }.range(total);
                    assert_eq!(range.start, next, "{index}/{count} of {total}");
                    assert!(range.end >= range.start);
                    next = range.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn huge_batches_do_not_overflow() {
        let shard = Shard { index: 3, count: 3 };
        assert_eq!(shard.range(u64::MAX).end, u64::MAX);
    }

    #[test]
    fn reads_k_of_n() {
        assert_eq!("2/3".parse(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!("2".parse::<Shard>(), Err(ShardError::Form));
        assert_eq!(
            "0/3".parse::<Shard>(),
            Err(ShardError::Number("0".to_string()))
        );
        assert_eq!(
            "4/3".parse::<Shard>(),
            Err(ShardError::Range { index: 4, count: 3 })
        );
        assert_eq!(Shard { index: 2, count: 3 }.to_string(), "2/3");
    }
}
