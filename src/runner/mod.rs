//! Running scenarios: many seeded replications in parallel, whole or a shard of a larger batch
//! ([`batch`]; shards are described by [`crate::results::Shard`]), and a grid of scenario
//! variants ([`sweep`]).
//!
//! Runners emit progress through a callback and return outcomes in run order; they never print.

pub mod batch;
pub mod sweep;

pub use batch::{BatchError, BatchOptions, run_batch};
