//! `ttx trend`: the same exercise over several results (files or folders of them), each
//! metric per result and which steps between them are detectable changes.

use std::path::PathBuf;

use super::error::{CliError, usage};
use super::output::refuse_existing;
use ttx::compare::CompareOptions;
use ttx::results::Results;

/// Example and exit codes of `ttx trend`.
pub const HELP: &str = "Example: ttx trend results/ --html trend.html --markdown trend.md\n\nOrder: a label that is a quarter (2026-Q3, 2026Q3, Q3 2026, Q3-2026, Q3/2026) counts from the quarter's first day, a date label (2026-07-15, or 2026-07) from that day, a live drill without either from its start; then other labels, by label; then unlabelled results, by file name.\n\nSteps between two batches of one scenario version are tested like `ttx compare` (exact tests up to about 20 per side, Holm across metrics); steps to or from a single drill, or across a scenario revision, are not. Drills are placed among 10,000 simulated runs of their own scenario version, and the output says what that many drills can show.\n\nStatistics: docs/statistics.md\n\nExit codes: 0 success · 1 not a results file, a drill whose scenario text is invalid, or results of differently named scenarios (without --allow-different) · 2 usage or I/O error, or an output file that exists (without --force)";

/// Arguments of `ttx trend`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Results files (JSON), or folders of them; ordered by quarter or date labels (`ttx run
    /// --label 2026-Q3`), a drill by its start, then other labels, then by file name.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Also write a self-contained HTML page: a summary, a chart per metric with objective
    /// targets, the tables (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
    /// Also write the same document as Markdown, without the charts (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    markdown: Option<PathBuf>,
    /// Write the JSON form to this path (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    export_json: Option<PathBuf>,
    /// Family-wise error rate of each step across its metrics.
    #[arg(long, default_value_t = 0.05, value_parser = super::parse_probability)]
    alpha: f64,
    /// Include results of differently named scenarios (their steps are not tested). Versions
    /// of one scenario (same name, revised content) need no flag.
    #[arg(long)]
    allow_different: bool,
    /// Replace existing output files instead of refusing.
    #[arg(long)]
    force: bool,
}

/// Reads every result (folders in file-name order), computes the trend and writes it.
pub fn exec(args: Args) -> Result<(), CliError> {
    let outputs = refuse_existing(
        args.html
            .iter()
            .chain(&args.markdown)
            .chain(&args.export_json),
        args.force,
    )?;
    let items = read_results(&args.files)?;
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
    if let Some(path) = &args.markdown {
        outputs.write(path, &ttx::compare::trend_chart::markdown(&trend))?;
        outputs.wrote(path);
    }
    outputs.print(&trend.table())
}

/// Every results file of `paths` (files, or folders of `*.json` in file-name order), with the
/// name it is shown by: what `ttx trend` and `ttx roster` read.
pub(super) fn read_results(paths: &[PathBuf]) -> Result<Vec<(String, Results)>, CliError> {
    let mut items = Vec::new();
    for path in paths {
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
    Ok(items)
}
