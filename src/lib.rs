//! ttx: a tabletop-exercise simulator for incidents in no-code and low-code integrations.
//!
//! A scenario (TOML) describes a landscape of sources, flows and sinks, the faults that break
//! them, how anyone finds out, who responds and how, the runbook, and the injects a drill
//! sends. ttx compiles it ([`scenario`]), simulates seeded replications on a discrete-event
//! core ([`engine`], [`model`]), runs them in parallel ([`runner`]), scores each run
//! ([`score`]) and summarises the batch ([`stats`], [`report`]).
//!
//! ```no_run
//! let loaded = ttx::scenario::default_scenario();
//! let options = ttx::runner::BatchOptions::new(1000, 7);
//! let outcomes = ttx::runner::run_batch(&loaded.scenario, &options, &|_| {}).unwrap();
//! let results = ttx::results::Results::new(&loaded.scenario, 7, &outcomes);
//! println!("{}", ttx::report::table::render(&results));
//! ```

#![warn(missing_docs)]

pub mod compare;
pub mod drill;
pub mod engine;
pub mod model;
pub mod render;
pub mod report;
pub mod results;
pub mod runner;
pub mod scenario;
pub mod stats;
