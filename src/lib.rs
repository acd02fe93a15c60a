//! ttx: a tabletop-exercise simulator for incidents in no-code and low-code integrations.
//!
//! A scenario (TOML) describes a landscape of sources, flows and sinks, the faults that break
//! them, how anyone finds out, who responds and how, the runbook, and the injects a drill
//! sends. The modules form layers, each importing only the ones before it (a test keeps it so):
//!
//! - [`engine`], [`stats`], [`render`] and [`input`] depend on nothing else in the crate: the
//!   discrete-event core and its seeded streams, pure statistics, rendering primitives, and
//!   bounded reading of the files a user names;
//! - [`scenario`] compiles TOML into a validated [`scenario::Scenario`];
//! - [`model`] simulates one run of a scenario on the engine and scores it
//!   ([`model::outcome::RunOutcome`]);
//! - [`results`] is what a batch produces and its files (rows, summaries, tallies, shards,
//!   merge);
//! - [`runner`] runs seeded batches on all cores and sweeps;
//! - [`compare`] judges results against each other (compare, trend, power, placement);
//! - [`report`] writes documents (after-action report, packet, catalogue, replay, sweep pages);
//! - [`whatif`] ranks candidate changes of a scenario against its baseline, and measures how
//!   much each numeric parameter moves each metric (sensitivity);
//! - [`incident`] imports a real incident's timeline as a record, places it and writes its
//!   postmortem;
//! - [`drill`] runs a live drill with people on a wall clock and writes its report;
//! - [`plan`] reads improvement plans and judges them against later results;
//! - [`roster`] reads drills' results for who played which role and proposes the next
//!   rotation.
//!
//! The library never prints; the `ttx` binary's command line sits on top.
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
pub mod incident;
pub mod input;
pub mod model;
pub mod plan;
pub mod render;
pub mod report;
pub mod results;
pub mod roster;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod whatif;
