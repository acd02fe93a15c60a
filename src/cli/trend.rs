//! `ttx trend`: the same exercise over several results (files or folders of them), each
//! metric per result and which steps between them are detectable changes.

use std::path::PathBuf;

use super::error::{CliError, usage};
use super::output::{Outputs, refuse_existing};
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
    /// The documents to write: HTML (a summary, a chart per metric with objective targets,
    /// the tables), Markdown (the same without the charts), JSON.
    #[command(flatten)]
    documents: Documents,
    /// Family-wise error rate of each step across its metrics.
    #[arg(long, default_value_t = 0.05, value_parser = super::parse_probability)]
    alpha: f64,
    /// Include results of differently named scenarios (their steps are not tested). Versions
    /// of one scenario (same name, revised content) need no flag.
    #[arg(long)]
    allow_different: bool,
}

/// The documents a command writes besides the table it prints (`ttx trend`, `ttx plan
/// status`): one document rendered as HTML and Markdown, and its JSON form.
#[derive(Debug, clap::Args)]
pub(super) struct Documents {
    /// Also write a self-contained HTML page (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
    /// Also write the same document as Markdown (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    markdown: Option<PathBuf>,
    /// Write the JSON form to this path (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    export_json: Option<PathBuf>,
    /// Replace existing output files instead of refusing.
    #[arg(long)]
    force: bool,
}

impl Documents {
    /// Checks the paths before any work (see [`refuse_existing`]).
    pub(super) fn check(&self) -> Result<Outputs, CliError> {
        refuse_existing(
            self.html
                .iter()
                .chain(&self.markdown)
                .chain(&self.export_json),
            self.force,
        )
    }

    /// Writes the JSON, HTML and Markdown asked for, then prints `table`.
    pub(super) fn write(
        &self,
        outputs: &Outputs,
        json: impl FnOnce() -> String,
        html: impl FnOnce() -> String,
        markdown: impl FnOnce() -> String,
        table: &str,
    ) -> Result<(), CliError> {
        if let Some(path) = &self.export_json {
            outputs.write(path, &json())?;
        }
        if let Some(path) = &self.html {
            outputs.write(path, &html())?;
            outputs.wrote(path);
        }
        if let Some(path) = &self.markdown {
            outputs.write(path, &markdown())?;
            outputs.wrote(path);
        }
        outputs.print(table)
    }
}

/// Reads every result (folders in file-name order), computes the trend and writes it.
pub fn exec(args: Args) -> Result<(), CliError> {
    let outputs = args.documents.check()?;
    let items = read_results(&args.files)?;
    let options = CompareOptions {
        alpha: args.alpha,
        allow_different: args.allow_different,
        ..Default::default()
    };
    let trend = ttx::compare::trend::trend(items, &options).map_err(CliError::invalid)?;
    args.documents.write(
        &outputs,
        || trend.json(),
        || ttx::compare::trend_chart::page(&trend),
        || ttx::compare::trend_chart::markdown(&trend),
        &trend.table(),
    )
}

/// Reads results files, and the `*.json` files of folders (in file-name order), as (file
/// name, results) pairs.
pub(super) fn read_results(files: &[PathBuf]) -> Result<Vec<(String, Results)>, CliError> {
    let mut items = Vec::new();
    for path in files {
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
