//! `ttx sweep`: a grid of scenario variants from `--set` values, each validated like a file
//! and run under common (or independent) seeds; its exports, HTML page and table.

use std::path::PathBuf;

use super::error::CliError;
use super::output::{self, progress_bar, refuse_existing};
use ttx::runner::BatchOptions;
use ttx::runner::sweep::{self as grid, Seeds, SweepError};
use ttx::scenario::{self, set::Setting};

/// Key paths and exit codes of `ttx sweep`.
pub const HELP: &str = "Example: ttx sweep --set detectors.zap-error-email.latency.mean=5m,10m,20m --runs 2000 --html sweep.html\n\nArray entries are addressed by id (or a severity's level) or by index: roles.on-call.acknowledge, escalation.severities.SEV2.acknowledge_within, detectors[0].miss.\n\nExit codes: 0 success · 1 a grid point's scenario is invalid (each diagnostic names its --set) · 2 usage or I/O error: a --set that names no value of the scenario, or an output file that exists (without --force)";

/// Arguments of `ttx sweep`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file; the bundled default scenario when omitted.
    scenario: Option<PathBuf>,
    /// A value to vary, KEY=V1,V2,...: a key path as the file nests it
    /// (`detectors.zap-error-email.latency.mean`, `detectors[0].miss`) and values read as
    /// TOML literals (`0.25`, `true`, `{ dist = "fixed", value = "5m" }`) or else as strings
    /// (`5m`). Repeat for a grid; the first --set varies slowest.
    #[arg(long = "set", value_name = "KEY=V1,V2,...", required = true)]
    set: Vec<Setting>,
    /// Replications per grid point.
    #[arg(long, short = 'n', default_value_t = 1000, value_parser = super::parse_runs)]
    runs: u64,
    /// Master seed, shared by every grid point.
    #[arg(long, short = 's', default_value_t = 1)]
    seed: u64,
    /// Give each grid point its own seed instead (measures what common random numbers buy;
    /// differences between points then include sampling noise).
    #[arg(long)]
    independent_seeds: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 't', value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// Write the sweep's results as JSON to this path (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    export_json: Option<PathBuf>,
    /// Write one CSV row per grid point to this path (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    export_csv: Option<PathBuf>,
    /// Write a self-contained HTML page with a chart of each metric against the swept values
    /// (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
    /// Replace existing output files instead of refusing.
    #[arg(long)]
    force: bool,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Validates every grid point, runs them, and writes what was asked.
pub fn exec(args: Args) -> Result<(), CliError> {
    let base = super::load_scenario(args.scenario.as_deref())?;
    let outputs = [&args.export_json, &args.export_csv, &args.html];
    let outputs = refuse_existing(outputs.into_iter().flatten(), args.force)?;
    let shown = super::scenario_name(args.scenario.as_deref());
    let source = &base.scenario.source;
    let points = grid::grid(source, &args.set).map_err(CliError::usage)?;
    let loaded = match grid::validate(&shown, source, &args.set, &points) {
        Ok(loaded) => loaded,
        Err(SweepError::Invalid(errors)) => {
            return Err(super::invalid_variants(
                &errors,
                "sweep scenario(s)",
                "--set",
            ));
        }
        Err(e) => return Err(CliError::usage(e)),
    };
    if !args.quiet {
        output::eprint(&base.warnings.render(&shown, source));
        // Warnings a --set brings that the scenario itself does not have.
        for (point, l) in points.iter().zip(&loaded) {
            let new: Vec<_> = l
                .warnings
                .0
                .iter()
                .filter(|w| {
                    !base
                        .warnings
                        .0
                        .iter()
                        .any(|b| b.key_path == w.key_path && b.message == w.message)
                })
                .cloned()
                .collect();
            if !new.is_empty() {
                let label = format!("{shown} [{}]", point.label());
                output::eprint(&scenario::Diagnostics(new).render(&label, &point.source));
            }
        }
    }
    let seeds = if args.independent_seeds {
        Seeds::Independent
    } else {
        Seeds::Common
    };
    let options = BatchOptions {
        threads: args.threads.map(|t| t as usize),
        ..BatchOptions::new(args.runs, args.seed)
    };
    let bar = progress_bar(args.runs.saturating_mul(loaded.len() as u64), args.quiet);
    let results = grid::run(&loaded, &options, seeds, &|done| bar.set_position(done))?;
    bar.finish_and_clear();
    let sweep = ttx::report::sweep::SweepResults::new(
        &base.scenario,
        &args.set,
        &points,
        results,
        args.seed,
        seeds,
        args.runs,
    );
    if let Some(path) = &args.export_json {
        outputs.write(path, &sweep.to_json())?;
    }
    if let Some(path) = &args.export_csv {
        outputs.write(path, &sweep.csv())?;
    }
    if let Some(path) = &args.html {
        outputs.write(path, &sweep.html())?;
        if !args.quiet {
            outputs.wrote(path);
        }
    }
    if args.quiet {
        return Ok(());
    }
    outputs.print(&sweep.text())
}
