//! A batch: N seeded replications of one scenario on all cores, kept whole ([`run_batch`]) or
//! folded chunk by chunk into a tally ([`summarize_batch`], [`tally_batch`]), its rows handed
//! on chunk by chunk where asked ([`tally_batch_with_rows`]).
//!
//! Run `r` depends only on (scenario, seed, r) (see [`crate::engine::rng`]), and outcomes are
//! collected by run index, so a batch is byte-identical at any thread count.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::model::outcome::RunOutcome;
use crate::model::{self, StreamKeys, Worker};
use crate::results::tally::Tally;
use crate::results::{Header, Results, RunRow};
use crate::scenario::Scenario;

/// What to run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Index of the first run (0 unless the batch is a shard of a larger one).
    pub first: u64,
    /// Number of replications: runs `first..first + runs`.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Event cap per run.
    pub max_events: u64,
}

impl BatchOptions {
    /// `runs` replications under `seed` on every core.
    pub fn new(runs: u64, seed: u64) -> Self {
        BatchOptions {
            first: 0,
            runs,
            seed,
            threads: None,
            max_events: model::DEFAULT_MAX_EVENTS,
        }
    }
}

/// The most runs a batch keeps in memory run by run ([`run_batch`]: about 1–2 KB each with
/// their rows, so about 2 GB at this bound). Summaries of more fold the runs into a tally
/// ([`summarize_batch`], 40 bytes a run); rows of more come from shards of the batch.
pub const MAX_KEPT_RUNS: u64 = 1_000_000;

/// Why a batch could not run.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// More runs than a batch keeps in memory (checked before any run).
    #[error(
        "{runs} runs is more than the {MAX_KEPT_RUNS} a batch keeps run by run in memory: for \
         a summary of more runs, export only a summary (`ttx run --export-summary PATH`); for \
         per-run rows, a CSV export alone (`--export-csv PATH`, written as the runs come); for \
         a JSON export or a report, split the batch into shards of at most {MAX_KEPT_RUNS} \
         (`--shard K/N`)"
    )]
    TooManyRuns {
        /// Runs asked for.
        runs: u64,
    },
    /// The thread pool could not be built.
    #[error("could not start {threads} worker threads")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// The cause.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

/// How often (in runs) progress is reported.
const PROGRESS_EVERY: u64 = 512;

/// Runs the batch; `progress` is called with the number of runs finished so far (from worker
/// threads, in no particular order).
pub fn run_batch(
    scenario: &Scenario,
    options: &BatchOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<RunOutcome>, BatchError> {
    if options.runs > MAX_KEPT_RUNS {
        return Err(BatchError::TooManyRuns { runs: options.runs });
    }
    let keys = StreamKeys::new(scenario, options.seed);
    let done = AtomicU64::new(0);
    let work = || -> Vec<RunOutcome> {
        (0..options.runs as usize)
            .into_par_iter()
            .with_min_len(64)
            .map_init(
                || Worker::new(scenario, &keys, options.max_events),
                |worker, run| {
                    let outcome = worker.simulate(options.first + run as u64).clone();
                    report_progress(&done, 1, options.runs, progress);
                    outcome
                },
            )
            .collect()
    };
    in_pool(options.threads, work)
}

/// Counts `runs` more finished runs and calls `progress` when the count crosses a multiple
/// of [`PROGRESS_EVERY`] or reaches `total`.
fn report_progress(done: &AtomicU64, runs: u64, total: u64, progress: &(dyn Fn(u64) + Sync)) {
    let finished = done.fetch_add(runs, Ordering::Relaxed) + runs;
    if finished / PROGRESS_EVERY != (finished - runs) / PROGRESS_EVERY || finished == total {
        progress(finished);
    }
}

/// Runs `work` on `threads` worker threads, or on every core.
fn in_pool<T: Send>(
    threads: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> Result<T, BatchError> {
    Ok(Threads::new(threads)?.install(work))
}

/// The threads a batch runs on: rayon's pool of every core, or a pool of its own size.
struct Threads(Option<rayon::ThreadPool>);

impl Threads {
    fn new(threads: Option<usize>) -> Result<Self, BatchError> {
        let Some(threads) = threads else {
            return Ok(Threads(None));
        };
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map(|pool| Threads(Some(pool)))
            .map_err(|source| BatchError::Threads { threads, source })
    }

    fn install<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T {
        match &self.0 {
            None => work(),
            Some(pool) => pool.install(work),
        }
    }
}

/// Runs per chunk of a summary-only batch: large enough to keep both cores busy, small
/// enough that the outcomes of one chunk are a few tens of MB.
pub const CHUNK_RUNS: u64 = 1 << 16;

/// Runs a batch and returns its summary only, folding each chunk of runs into a [`Tally`] in
/// run order and dropping the outcomes: memory grows by about 40 bytes per run, not 900.
/// The result equals [`Results::new`] on the same runs, without `per_run`.
pub fn summarize_batch(
    scenario: &Scenario,
    options: &BatchOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Results, BatchError> {
    let tally = tally_batch(scenario, options, progress)?;
    summarize_tally(tally, Header::of(scenario, options.seed), options.threads)
}

/// A batch tally's summary ([`Tally::summarize`]), worked out on the batch's own threads: its
/// time metrics are summarized side by side, and `--threads 1` means one thread for the
/// summary too (it ran on every core). The summary does not depend on the threads.
pub fn summarize_tally(
    tally: Tally,
    header: Header,
    threads: Option<usize>,
) -> Result<Results, BatchError> {
    in_pool(threads, || tally.summarize(header))
}

/// Runs a batch and returns its tally, folded chunk by chunk as in [`summarize_batch`].
pub fn tally_batch(
    scenario: &Scenario,
    options: &BatchOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Tally, BatchError> {
    let tally = tally_in_chunks::<Infallible>(scenario, options, CHUNK_RUNS, progress, None)?;
    Ok(tally.unwrap_or_else(|never| match never {}))
}

/// Runs a batch into a tally as [`tally_batch`] does and hands `rows` each slice of rows, in
/// run order, chunk by chunk: the rows of any number of runs in the memory of one chunk (the
/// CSV export writes them as they come). Stops at the first error of `rows` and returns it.
pub fn tally_batch_with_rows<E>(
    scenario: &Scenario,
    options: &BatchOptions,
    progress: &(dyn Fn(u64) + Sync),
    rows: RowSink<'_, E>,
) -> Result<Result<Tally, E>, BatchError> {
    tally_in_chunks(scenario, options, CHUNK_RUNS, progress, Some(rows))
}

/// Where a batch hands its rows, a slice at a time in run order; an error stops the batch.
pub type RowSink<'a, E> = &'a mut dyn FnMut(&[RunRow]) -> Result<(), E>;

/// Runs per slice of a tally batch: one worker folds each slice into a tally of its own, and
/// the slices' tallies are appended in run order (columns in run order, integer counts: the
/// same tally as folding run by run, at any thread count).
const SLICE_RUNS: u64 = 1 << 10;

fn tally_in_chunks<E>(
    scenario: &Scenario,
    options: &BatchOptions,
    chunk_runs: u64,
    progress: &(dyn Fn(u64) + Sync),
    mut rows: Option<RowSink<'_, E>>,
) -> Result<Result<Tally, E>, BatchError> {
    let threads = Threads::new(options.threads)?;
    let keys = StreamKeys::new(scenario, options.seed);
    let objectives = scenario.objectives.len();
    let slice_runs = SLICE_RUNS.min(chunk_runs);
    let finished = AtomicU64::new(0);
    let keeps_rows = rows.is_some();
    let mut tally = Tally::new(objectives);
    tally.reserve(options.runs);
    let mut done = 0;
    // Chunk by chunk, so the slices' tallies (and rows) waiting to be appended stay small; the
    // rows go to `rows` on this thread, between chunks.
    while done < options.runs {
        let chunk = chunk_runs.min(options.runs - done);
        let first = options.first + done;
        let parts: Vec<(Tally, Vec<RunRow>)> = threads.install(|| {
            (0..chunk.div_ceil(slice_runs))
                .into_par_iter()
                .map_init(
                    || Worker::new(scenario, &keys, options.max_events),
                    |worker, slice| {
                        let from = slice * slice_runs;
                        let to = (from + slice_runs).min(chunk);
                        let mut part = Tally::new(objectives);
                        part.reserve(to - from);
                        let mut part_rows = Vec::new();
                        for run in from..to {
                            let outcome = worker.simulate(first + run);
                            part.add_outcome(outcome);
                            if keeps_rows {
                                part_rows.push(RunRow::of(outcome));
                            }
                        }
                        report_progress(&finished, to - from, options.runs, progress);
                        (part, part_rows)
                    },
                )
                .collect()
        });
        for (part, part_rows) in parts {
            tally.append(part);
            if let Some(rows) = rows.as_mut()
                && let Err(e) = rows(&part_rows)
            {
                return Ok(Err(e));
            }
        }
        done += chunk;
    }
    Ok(Ok(tally))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_only_batch_equals_the_full_results_without_rows() {
        let loaded = crate::scenario::default_scenario();
        let options = BatchOptions::new(3_000, 5);
        let outcomes = run_batch(&loaded.scenario, &options, &|_| {}).unwrap();
        let mut full = Results::new(&loaded.scenario, 5, &outcomes);
        // Chunks of 700 runs: the fold crosses chunk boundaries several times.
        let streamed = tally_in_chunks(&loaded.scenario, &options, 700, &|_| {}, None)
            .unwrap()
            .unwrap_or_else(|never: Infallible| match never {})
            .summarize(Header::of(&loaded.scenario, 5));
        assert_eq!(streamed.to_json(), full.to_summary_json());
    }

    #[test]
    fn rows_handed_on_chunk_by_chunk_are_the_kept_rows_in_run_order() {
        let loaded = crate::scenario::default_scenario();
        let options = BatchOptions {
            first: 40,
            threads: Some(2),
            ..BatchOptions::new(2_500, 8)
        };
        let outcomes = run_batch(&loaded.scenario, &options, &|_| {}).unwrap();
        let kept = Results::new(&loaded.scenario, 8, &outcomes);
        let header = Header::of(&loaded.scenario, 8);
        let mut csv = crate::results::csv::RowWriter::new(&header, Vec::new());
        let mut handed = 0;
        // Chunks of 700 runs in slices of at most 700: rows cross chunk and slice boundaries.
        let tally = tally_in_chunks(
            &loaded.scenario,
            &options,
            700,
            &|_| {},
            Some(&mut |rows: &[RunRow]| {
                assert_eq!(rows.first().map(|r| r.run), Some(40 + handed));
                handed += rows.len() as u64;
                csv.write(rows)
            }),
        )
        .unwrap()
        .unwrap();
        assert_eq!(handed, 2_500);
        let streamed = String::from_utf8(csv.finish().unwrap()).unwrap();
        assert!(
            streamed == crate::results::csv::render(&kept),
            "the CSVs differ"
        );
        let mut kept = kept;
        assert_eq!(tally.summarize(header).to_json(), kept.to_summary_json());
    }
}
