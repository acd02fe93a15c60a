//! `ttx trend`: the same exercise over several results (files or folders of them), each
//! metric per result and which steps between them are detectable changes.

use std::path::PathBuf;

use super::error::{CliError, usage};
use super::output::refuse_existing;
use ttx::compare::CompareOptions;
use ttx::results::Results;

/// Example and exit codes of `ttx trend`.
pub const HELP: &str = "Example: ttx trend results/ --html trend.html\n\nStatistics: docs/statistics.md\n\nExit codes: 0 success · 1 not a results file, or results of different scenarios (without --allow-different) · 2 usage or I/O error, or an output file that exists (without --force)";

/// Arguments of `ttx trend`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Results files (JSON), or folders of them; ordered by label (`ttx run --label`), a
    /// drill by its start, otherwise by file name.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Also write a self-contained HTML page with a chart per metric (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
    /// Write the JSON form to this path (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    export_json: Option<PathBuf>,
    /// Family-wise error rate of each step across its metrics.
    #[arg(long, default_value_t = 0.05, value_parser = super::parse_probability)]
    alpha: f64,
    /// Include results of different scenarios (steps then mix the team's change with the
    /// scenario's change).
    #[arg(long)]
    allow_different: bool,
    /// Replace existing output files instead of refusing.
    #[arg(long)]
    force: bool,
}

/// Reads every result (folders in file-name order), computes the trend and writes it.
pub fn exec(args: Args) -> Result<(), CliError> {
    let outputs = refuse_existing(args.html.iter().chain(&args.export_json), args.force)?;
    let mut items = Vec::new();
    for path in &args.files {
        if !path.is_dir() {
            items.push((path.display().to_string(), Results::read(path)?));
            continue;
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| {
                CliError::io(
                    anyhow::Error::new(e).context(format!("could not list '{}'", path.display())),
                )
            })?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        if found.is_empty() {
            return Err(usage!(
                "'{}' holds no results files (*.json); write some with `ttx run --export-json`",
                path.display()
            ));
        }
        found.sort();
        for file in found {
            items.push((file.display().to_string(), Results::read(&file)?));
        }
    }
    let options = CompareOptions {
        alpha: args.alpha,
        allow_different: args.allow_different,
        ..Default::default()
    };
    let trend = ttx::compare::trend::trend(items, &options).map_err(CliError::invalid)?;
    if let Some(path) = &args.export_json {
        outputs.write(path, &trend.json())?;
    }
    if let Some(path) = &args.html {
        outputs.write(path, &ttx::compare::trend_chart::page(&trend))?;
        outputs.wrote(path);
    }
    outputs.print(&trend.table())
}
