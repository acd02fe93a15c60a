//! `ttx whatif`: candidate changes of a scenario run against its baseline under common random
//! numbers and ranked per metric (`--change`), or every numeric parameter moved both ways
//! (`--sensitivity`); as a table, JSON, Markdown and a self-contained HTML page.

use std::path::PathBuf;

use super::error::CliError;
use super::output::{self, progress_bar, refuse_existing};
use ttx::compare::{self, CompareOptions};
use ttx::runner::BatchOptions;
use ttx::whatif::sensitivity::{self, Spread};
use ttx::whatif::{self, Change, WhatifError, render};

/// Example and exit codes of `ttx whatif`.
pub const HELP: &str = "Examples:\n  ttx whatif --change \"faster-monitor: detectors.zap-error-email.latency.mean=4m\" --change \"read-the-inbox: detectors.zap-error-email.miss=0.1\" --html whatif.html\n  ttx whatif --sensitivity 20% --html sensitivity.html\n\nKey paths are those of `ttx sweep --set` (docs/sweep.md); how changes are judged: docs/whatif.md.\n\nExit codes: 0 success (whatever the verdicts) · 1 a changed scenario is invalid (each diagnostic names its --change) · 2 usage or I/O error: a --change that names no value of the scenario, or an output file that exists (without --force)";

/// Arguments of `ttx whatif`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file; the bundled default scenario when omitted.
    scenario: Option<PathBuf>,
    /// A candidate change, "NAME: KEY=VALUE[, KEY=VALUE...]", with key paths as `ttx sweep
    /// --set` takes them (one value per key). Repeat for each change.
    #[arg(
        long = "change",
        value_name = "NAME: KEY=VALUE,...",
        required_unless_present = "sensitivity",
        conflicts_with = "sensitivity"
    )]
    change: Vec<Change>,
    /// Move every numeric parameter down and up by this share instead (20% or ±20%) and draw
    /// a tornado chart per metric.
    #[arg(long, value_name = "SPREAD")]
    sensitivity: Option<Spread>,
    /// Replications per variant (the baseline's too).
    #[arg(long, short = 'n', default_value_t = 2000, value_parser = super::parse_runs)]
    runs: u64,
    /// Seed every variant shares (common random numbers).
    #[arg(long, short = 's', default_value_t = 1)]
    seed: u64,
    /// Family-wise error rate across the metrics of each change.
    #[arg(long, default_value_t = 0.05, value_parser = super::parse_probability)]
    alpha: f64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 't', value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// Write the results as JSON to this path (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    export_json: Option<PathBuf>,
    /// Write a Markdown document to this path (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    markdown: Option<PathBuf>,
    /// Write a self-contained HTML page to this path (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
    /// Replace existing output files instead of refusing.
    #[arg(long)]
    force: bool,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// The three renderings of an analysis, and its table.
struct Rendered {
    json: String,
    markdown: String,
    html: String,
    table: String,
}

/// Prepares and runs the changes (or the sensitivity analysis), and writes what was asked.
pub fn exec(args: Args) -> Result<(), CliError> {
    let base = super::load_scenario(args.scenario.as_deref())?;
    let paths = [&args.export_json, &args.markdown, &args.html];
    let outputs = refuse_existing(paths.into_iter().flatten(), args.force)?;
    let shown = super::scenario_name(args.scenario.as_deref());
    if !args.quiet {
        output::eprint(&base.warnings.render(&shown, &base.scenario.source));
    }
    let options = BatchOptions {
        threads: args.threads.map(|t| t as usize),
        ..BatchOptions::new(args.runs, args.seed)
    };
    let rendered = match args.sensitivity {
        Some(spread) => {
            let variants = 1 + 2 * sensitivity::parameters(&base.scenario.source).len() as u64;
            let bar = progress_bar(args.runs.saturating_mul(variants), args.quiet);
            let s = sensitivity::run(&shown, &base, spread, &options, &|done| {
                bar.set_position(done)
            })?;
            bar.finish_and_clear();
            Rendered {
                json: render::json(&s),
                markdown: render::sensitivity_markdown(&s),
                html: render::sensitivity_html(&s),
                table: render::sensitivity_text(&s),
            }
        }
        None => {
            let variants = match whatif::prepare(&shown, &base.scenario.source, &args.change) {
                Ok(v) => v,
                Err(WhatifError::Invalid(errors)) => {
                    return Err(super::invalid_variants(
                        &errors,
                        "changed scenario(s)",
                        "--change",
                    ));
                }
                Err(e) => return Err(CliError::usage(e)),
            };
            let compare = CompareOptions {
                alpha: args.alpha,
                resamples: compare::DEFAULT_RESAMPLES,
                ..Default::default()
            };
            let total = args.runs.saturating_mul(1 + variants.len() as u64);
            let bar = progress_bar(total, args.quiet);
            let w = whatif::run(&base, &variants, &options, &compare, &|done| {
                bar.set_position(done)
            })?;
            bar.finish_and_clear();
            Rendered {
                json: render::json(&w),
                markdown: render::markdown(&w),
                html: render::html(&w),
                table: render::text_table(&w),
            }
        }
    };
    for (path, content) in [
        (&args.export_json, &rendered.json),
        (&args.markdown, &rendered.markdown),
        (&args.html, &rendered.html),
    ] {
        if let Some(path) = path {
            outputs.write(path, content)?;
            if !args.quiet {
                outputs.wrote(path);
            }
        }
    }
    if args.quiet {
        return Ok(());
    }
    outputs.print(&rendered.table)
}
