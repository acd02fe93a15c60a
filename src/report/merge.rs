//! Merging shard results (`ttx run --shard K/N`) into the results of the whole batch: byte for
//! byte what one machine running every run writes.
//!
//! The parts must be every shard `1..=N` of one batch, once each: the same scenario (content
//! hash), seed, shard count, total runs and ttx version, each holding exactly its slice of run
//! indices. Rows are concatenated in run order and every summary is recomputed serially from
//! them ([`Results::from_rows`]), as an unsharded batch computes them; nothing is averaged
//! across shards. This module refuses what it cannot merge exactly; it never reads files.

use std::ops::Range;

use super::{Results, RunRow};
use crate::runner::Shard;

/// One shard's results and the name to show for it (its path).
#[derive(Debug, Clone)]
pub struct Part {
    /// Where it came from, for messages.
    pub name: String,
    /// Its results.
    pub results: Results,
}

/// Why parts could not be merged. Every variant names the part or shard at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// No parts.
    #[error("nothing to merge")]
    Empty,
    /// A part is a whole batch.
    #[error(
        "'{part}' is a whole batch, not a shard (write shards with `ttx run --shard K/N`, then merge them)"
    )]
    NotAShard {
        /// The part.
        part: String,
    },
    /// A part comes from another batch (or another ttx).
    #[error(
        "'{part}' is not a shard of the same batch as '{first}': its {what} is {found}, not {expected}"
    )]
    Mismatch {
        /// The part that differs.
        part: String,
        /// The first part, which the others are compared with.
        first: String,
        /// What differs.
        what: &'static str,
        /// The first part's value.
        expected: String,
        /// This part's value.
        found: String,
    },
    /// The same shard twice.
    #[error("shard {shard} is given twice: '{first}' and '{second}'; give each shard once")]
    Duplicate {
        /// The shard.
        shard: Shard,
        /// One part holding it.
        first: String,
        /// Another part holding it.
        second: String,
    },
    /// Shards missing.
    #[error("{}", missing_message(.missing, .given))]
    Missing {
        /// The shards not given.
        missing: Vec<Shard>,
        /// The shards given.
        given: Vec<Shard>,
    },
    /// A part's rows are not its slice of runs (an edited or truncated file).
    #[error("'{part}' (shard {shard}) should hold runs {}..{} but holds {found}", .expected.start, .expected.end)]
    Rows {
        /// The part.
        part: String,
        /// Its shard.
        shard: Shard,
        /// The runs it should hold.
        expected: Range<u64>,
        /// What it holds.
        found: String,
    },
}

fn list(shards: &[Shard]) -> String {
    shards
        .iter()
        .map(Shard::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn missing_message(missing: &[Shard], given: &[Shard]) -> String {
    let (noun, verb) = if missing.len() == 1 {
        ("shard", "is")
    } else {
        ("shards", "are")
    };
    format!(
        "{noun} {} {verb} missing (given: {}); run {} with the same --runs and --seed, then merge again",
        list(missing),
        list(given),
        if missing.len() == 1 { "it" } else { "them" },
    )
}

/// Merges every shard of one batch into the batch's results (without shard metadata).
pub fn merge(parts: Vec<Part>) -> Result<Results, MergeError> {
    let first = parts.first().ok_or(MergeError::Empty)?;
    let first_name = first.name.clone();
    let Some(reference) = first.results.shard else {
        return Err(MergeError::NotAShard { part: first_name });
    };
    let r = &first.results;
    let expected = [
        ("results format", r.format.clone()),
        ("ttx version", r.ttx_version.clone()),
        ("scenario content hash", r.scenario.content_hash.clone()),
        ("seed", r.seed.to_string()),
        ("shard count", reference.count.to_string()),
        ("total runs", reference.total_runs.to_string()),
    ];
    for part in &parts {
        let p = &part.results;
        let Some(shard) = p.shard else {
            return Err(MergeError::NotAShard {
                part: part.name.clone(),
            });
        };
        let found = [
            p.format.clone(),
            p.ttx_version.clone(),
            p.scenario.content_hash.clone(),
            p.seed.to_string(),
            shard.count.to_string(),
            shard.total_runs.to_string(),
        ];
        for ((what, expected), found) in expected.iter().zip(found) {
            if *expected != found {
                return Err(MergeError::Mismatch {
                    part: part.name.clone(),
                    first: first_name.clone(),
                    what,
                    expected: expected.clone(),
                    found,
                });
            }
        }
    }

    let mut parts = parts;
    // Stable: of two parts with the same shard, the first given is named first.
    parts.sort_by_key(|p| p.results.shard.map(|s| s.index));
    let shard_of = |p: &Part| {
        p.results
            .shard
            .map(|s| s.shard())
            .unwrap_or(reference.shard())
    };
    for pair in parts.windows(2) {
        if shard_of(&pair[0]) == shard_of(&pair[1]) {
            return Err(MergeError::Duplicate {
                shard: shard_of(&pair[0]),
                first: pair[0].name.clone(),
                second: pair[1].name.clone(),
            });
        }
    }
    let given: Vec<Shard> = parts.iter().map(shard_of).collect();
    let missing: Vec<Shard> = (1..=reference.count)
        .map(|index| Shard {
            index,
            count: reference.count,
        })
        .filter(|s| !given.contains(s))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, given });
    }

    let mut header = parts[0].results.header();
    header.runs_hit_event_cap = parts.iter().map(|p| p.results.runs_hit_event_cap).sum();
    let mut rows: Vec<RunRow> = Vec::with_capacity(reference.total_runs as usize);
    for part in parts {
        let shard = shard_of(&part);
        let expected = shard.range(reference.total_runs);
        let holds = &part.results.per_run;
        let exact = holds.len() as u64 == expected.end - expected.start
            && holds
                .iter()
                .zip(expected.clone())
                .all(|(row, run)| row.run == run);
        if !exact {
            let found = match (holds.first(), holds.last()) {
                (Some(a), Some(b)) => format!("{} rows, runs {}..={}", holds.len(), a.run, b.run),
                _ => "no rows".to_string(),
            };
            return Err(MergeError::Rows {
                part: part.name,
                shard,
                expected,
                found,
            });
        }
        rows.extend(part.results.per_run);
    }
    Ok(Results::from_rows(header, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ShardInfo;
    use crate::runner::{self, BatchOptions};

    fn shard(scenario: &crate::scenario::Scenario, seed: u64, s: Shard, total: u64) -> Part {
        let range = s.range(total);
        let options = BatchOptions {
            first: range.start,
            threads: Some(1),
            ..BatchOptions::new(range.end - range.start, seed)
        };
        let outcomes = runner::run_batch(scenario, &options, &|_| {}).expect("batch runs");
        let mut results = Results::new(scenario, seed, &outcomes);
        results.shard = Some(ShardInfo {
            index: s.index,
            count: s.count,
            total_runs: total,
        });
        Part {
            name: format!("part-{}", s.index),
            results,
        }
    }

    #[test]
    fn merged_shards_equal_the_whole_batch_even_with_empty_shards() {
        let loaded = crate::scenario::default_scenario();
        let scenario = &loaded.scenario;
        for (total, count) in [(40u64, 3u64), (2, 3)] {
            let whole = runner::run_batch(scenario, &BatchOptions::new(total, 5), &|_| {})
                .expect("batch runs");
            let whole = Results::new(scenario, 5, &whole).to_json();
            let parts = (1..=count)
                .rev()
                .map(|index| shard(scenario, 5, Shard { index, count }, total))
                .collect();
            assert_eq!(merge(parts).expect("merges").to_json(), whole);
        }
    }

    #[test]
    fn parts_of_another_batch_are_refused() {
        let loaded = crate::scenario::default_scenario();
        let scenario = &loaded.scenario;
        let a = shard(scenario, 5, Shard { index: 1, count: 2 }, 10);
        let b = shard(scenario, 6, Shard { index: 2, count: 2 }, 10);
        let error = merge(vec![a, b]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "'part-2' is not a shard of the same batch as 'part-1': its seed is 6, not 5"
        );
    }
}
