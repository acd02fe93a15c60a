//! Running scenarios: many seeded replications in parallel ([`batch`]), a slice of them on one
//! machine of many ([`shard`]), and a grid of scenario variants ([`sweep`]).
//!
//! Runners emit progress through a callback and return outcomes in run order; they never print.

pub mod batch;
pub mod sweep;

pub use batch::{BatchError, BatchOptions, run_batch};
