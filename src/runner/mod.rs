//! Running scenarios: many seeded replications in parallel ([`batch`]).
//!
//! Runners emit progress through a callback and return outcomes in run order; they never print.

pub mod batch;

pub use batch::{BatchError, BatchOptions, run_batch};
