//! Integration tests: one test binary with a module per topic (keeps link time low).

mod analytic;
mod cli;
mod common;
mod compare;
mod determinism;
mod diagnosis;
mod drill;
mod drill_safety;
mod fuzz;
mod html_report;
mod inputs;
mod layering;
mod limits;
mod malformed;
mod outputs;
mod properties;
mod readme;
mod replay;
mod reports;
mod scenarios;
mod shards;
mod stdout;
mod sweep;
mod toolkit;
mod toolkit_report;
