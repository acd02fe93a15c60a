//! Merging shards (`ttx run --shard K/N`) into the whole batch: byte for byte what one machine
//! running every run writes.
//!
//! The parts must be every shard `1..=N` of one batch, once each: the same scenario (content
//! hash), seed, shard count, total runs and ttx version, each holding exactly its slice of run
//! indices, and all of one kind. Results files (`--export-json`) are joined row by row and
//! every summary is recomputed serially from the rows ([`Results::from_rows`]); tally files
//! (`--export-tally`) are joined tally by tally in shard order and summarised once
//! ([`Tally::summarize`](super::tally::Tally::summarize)), giving the summary of the whole batch without its rows. Nothing is
//! averaged across shards. This module refuses what it cannot merge exactly; it never reads
//! files.

use std::ops::Range;

use super::tally::file::TallyFile;
use super::{Header, Results, RunRow, ShardInfo};
use crate::results::Shard;

/// One shard's file and the name to show for it (its path).
#[derive(Debug, Clone)]
pub struct Part {
    /// Where it came from, for messages.
    pub name: String,
    /// What it holds.
    pub contents: Contents,
}

/// What a part holds.
#[derive(Debug, Clone)]
pub enum Contents {
    /// A results file with its rows (`ttx run --shard K/N --export-json`).
    Results(Box<Results>),
    /// A tally file (`ttx run --shard K/N --export-tally`).
    Tally(Box<TallyFile>),
}

impl Contents {
    fn kind(&self) -> &'static str {
        match self {
            Contents::Results(_) => "a results file",
            Contents::Tally(_) => "a tally file",
        }
    }

    /// `(format, ttx version, scenario content hash, seed, shard)`.
    fn identity(&self) -> (&str, &str, &str, u64, Option<ShardInfo>) {
        match self {
            Contents::Results(r) => (
                &r.format,
                &r.ttx_version,
                &r.scenario.content_hash,
                r.seed,
                r.shard,
            ),
            Contents::Tally(t) => (
                super::format_of(t.generator),
                &t.ttx_version,
                &t.header.scenario.content_hash,
                t.header.seed,
                Some(t.shard),
            ),
        }
    }

    fn runs(&self) -> u64 {
        match self {
            Contents::Results(r) => r.per_run.len() as u64,
            Contents::Tally(t) => t.tally.runs(),
        }
    }
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
    /// Parts of both kinds.
    #[error(
        "'{part}' is {kind} but '{first}' is {first_kind}; merge either every shard's --export-json file or every shard's --export-tally file"
    )]
    Mixed {
        /// The part of the other kind.
        part: String,
        /// Its kind.
        kind: &'static str,
        /// The first part.
        first: String,
        /// The first part's kind.
        first_kind: &'static str,
    },
    /// A results file without rows.
    #[error(
        "'{part}' holds a summary without per-run rows (`--export-summary`), which cannot be merged; merge the shards' --export-tally files instead"
    )]
    SummaryOnly {
        /// The part.
        part: String,
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

/// Merges every shard of one batch into the batch's results (without shard metadata): with
/// every row from results files, the summary only (`summary_only`) from tally files.
pub fn merge(parts: Vec<Part>) -> Result<Results, MergeError> {
    let (reference, parts) = one_batch(parts)?;
    let total = reference.total_runs;
    for part in &parts {
        let shard = shard_of(part);
        let expected = shard.range(total);
        if part.contents.runs() != expected.end - expected.start {
            return Err(MergeError::Rows {
                part: part.name.clone(),
                shard,
                expected,
                found: format!("{} runs", part.contents.runs()),
            });
        }
    }
    // `one_batch` admits parts of one kind only, so each list below holds every part.
    let mut results = Vec::new();
    let mut tallies = Vec::new();
    for part in parts {
        let shard = shard_of(&part);
        match part.contents {
            Contents::Results(r) => results.push((part.name, shard, *r)),
            Contents::Tally(t) => tallies.push(*t),
        }
    }
    if tallies.is_empty() {
        merge_rows(results, total)
    } else {
        merge_tallies(tallies, total)
    }
}

fn shard_of(part: &Part) -> Shard {
    let (.., shard) = part.contents.identity();
    shard.map_or(Shard { index: 1, count: 1 }, |s| s.shard())
}

/// Checks that the parts are every shard of one batch, once each and of one kind, and
/// returns the batch's shard information with the parts in shard order.
fn one_batch(mut parts: Vec<Part>) -> Result<(ShardInfo, Vec<Part>), MergeError> {
    let first = parts.first().ok_or(MergeError::Empty)?;
    let first_name = first.name.clone();
    let (format, version, hash, seed, shard) = first.contents.identity();
    let Some(reference) = shard else {
        return Err(MergeError::NotAShard { part: first_name });
    };
    let expected = [
        ("results format", format.to_string()),
        ("ttx version", version.to_string()),
        ("scenario content hash", hash.to_string()),
        ("seed", seed.to_string()),
        ("shard count", reference.count.to_string()),
        ("total runs", reference.total_runs.to_string()),
    ];
    for part in &parts {
        let (kind, first_kind) = (part.contents.kind(), first.contents.kind());
        if kind != first_kind {
            return Err(MergeError::Mixed {
                part: part.name.clone(),
                kind,
                first: first_name,
                first_kind,
            });
        }
        if let Contents::Results(r) = &part.contents
            && r.summary_only
        {
            return Err(MergeError::SummaryOnly {
                part: part.name.clone(),
            });
        }
        let (format, version, hash, seed, shard) = part.contents.identity();
        let Some(shard) = shard else {
            return Err(MergeError::NotAShard {
                part: part.name.clone(),
            });
        };
        let found = [
            format.to_string(),
            version.to_string(),
            hash.to_string(),
            seed.to_string(),
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

    // Stable: of two parts with the same shard, the first given is named first.
    parts.sort_by_key(|p| shard_of(p).index);
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
    Ok((reference, parts))
}

/// Joins the rows of results files (name, shard, results; in shard order) and summarises
/// them.
fn merge_rows(parts: Vec<(String, Shard, Results)>, total: u64) -> Result<Results, MergeError> {
    let mut header = None;
    let mut format = None;
    let mut rows: Vec<RunRow> = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    for (name, shard, results) in parts {
        let expected = shard.range(total);
        let holds = &results.per_run;
        if !holds
            .iter()
            .zip(expected.clone())
            .all(|(row, run)| row.run == run)
        {
            let found = match (holds.first(), holds.last()) {
                (Some(a), Some(b)) => format!("{} rows, runs {}..={}", holds.len(), a.run, b.run),
                _ => "no rows".to_string(),
            };
            return Err(MergeError::Rows {
                part: name,
                shard,
                expected,
                found,
            });
        }
        // Every part has the same format (checked with the identity): the whole keeps it.
        format.get_or_insert_with(|| results.format.clone());
        let header = header.get_or_insert_with(|| Header {
            runs_hit_event_cap: 0,
            ..results.header()
        });
        header.runs_hit_event_cap += results.runs_hit_event_cap;
        rows.extend(results.per_run);
    }
    let header = header.ok_or(MergeError::Empty)?;
    Ok(Results {
        format: format.unwrap_or_else(|| super::RESULTS_FORMAT.to_string()),
        ..Results::from_rows(header, rows)
    })
}

/// Appends the tallies of tally files (in shard order) and summarises the whole.
fn merge_tallies(parts: Vec<TallyFile>, total: u64) -> Result<Results, MergeError> {
    let mut parts = parts.into_iter();
    let TallyFile {
        header,
        mut tally,
        generator,
        ..
    } = parts.next().ok_or(MergeError::Empty)?;
    tally.reserve(total.saturating_sub(tally.runs()));
    for part in parts {
        tally.append(part.tally);
    }
    Ok(Results {
        format: super::format_of(generator).to_string(),
        ..tally.summarize(header)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ShardInfo;
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
            contents: Contents::Results(Box::new(results)),
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

    /// Shards of one seed drawn from two generators (a shard written before issue 19 and one
    /// after) are two different batches.
    #[test]
    fn shards_of_two_generators_are_refused() {
        let loaded = crate::scenario::default_scenario();
        let scenario = &loaded.scenario;
        let a = shard(scenario, 5, Shard { index: 1, count: 2 }, 10);
        let mut b = shard(scenario, 5, Shard { index: 2, count: 2 }, 10);
        if let Contents::Results(results) = &mut b.contents {
            results.format = "ttx-results/1".to_string();
        }
        let error = merge(vec![a, b]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "'part-2' is not a shard of the same batch as 'part-1': its results format is \
             ttx-results/1, not ttx-results/2"
        );
    }
}
