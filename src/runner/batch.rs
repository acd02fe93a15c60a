//! A batch: N seeded replications of one scenario on all cores.
//!
//! Run `r` depends only on (scenario, seed, r) (see [`crate::engine::rng`]), and outcomes are
//! collected by run index, so a batch is byte-identical at any thread count.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::model::outcome::RunOutcome;
use crate::model::{self, StreamKeys};
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

/// Why a batch could not run.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
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
    let keys = StreamKeys::new(scenario, options.seed);
    let done = AtomicU64::new(0);
    let work = || -> Vec<RunOutcome> {
        (0..options.runs as usize)
            .into_par_iter()
            .with_min_len(64)
            .map(|run| {
                let run = options.first + run as u64;
                let outcome = model::simulate(scenario, &keys, run, options.max_events);
                let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                if finished.is_multiple_of(PROGRESS_EVERY) || finished == options.runs {
                    progress(finished);
                }
                outcome
            })
            .collect()
    };
    match options.threads {
        None => Ok(work()),
        Some(threads) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|source| BatchError::Threads { threads, source })?;
            Ok(pool.install(work))
        }
    }
}
