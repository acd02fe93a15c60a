//! `ttx compare`: two results, metric by metric, with a verdict each; as a table, Markdown,
//! an HTML page or JSON, on stdout or into a file.

use std::path::PathBuf;

use super::error::CliError;
use super::output::{emit, refuse_existing};
use ttx::compare::{self, CompareError, CompareOptions, Side, render};
use ttx::results::Results;

/// Example and exit codes of `ttx compare`.
pub const HELP: &str = "Example: ttx compare q1.json q2.json --format html --out q2-vs-q1.html\n\nStatistics: docs/statistics.md\n\nExit codes: 0 success (whatever the verdicts) · 1 not a results file, or the sides ran different scenarios (without --allow-different) · 2 usage or I/O error, or an output file that exists (without --force)";

/// Arguments of `ttx compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The baseline results (JSON), e.g. last quarter's.
    first: PathBuf,
    /// The results judged against it (JSON).
    second: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "PATH")]
    out: Option<PathBuf>,
    /// Family-wise error rate across all metrics.
    #[arg(long, default_value_t = 0.05, value_parser = super::parse_probability)]
    alpha: f64,
    /// Bootstrap resamples for the intervals (0: no intervals). The cost grows with runs ×
    /// resamples: about 20 s at 100,000 runs per side on 2 cores; lower it for huge results.
    #[arg(long, default_value_t = compare::DEFAULT_RESAMPLES,
          value_parser = clap::builder::TypedValueParser::map(clap::value_parser!(u32).range(0..=1_000_000), |n| n as usize))]
    resamples: usize,
    /// Seed of the bootstrap.
    #[arg(long, short = 's', default_value_t = compare::DEFAULT_SEED)]
    seed: u64,
    /// Compare results of different scenarios anyway (the difference then mixes the team's
    /// change with the scenario's change).
    #[arg(long)]
    allow_different: bool,
    /// Replace the --out file if it exists.
    #[arg(long)]
    force: bool,
}

/// What `--format` takes.
// Plain comments on the variants: doc comments would become help text that `--help` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    // A plain-text table for the terminal.
    Table,
    // Markdown.
    Md,
    // A self-contained HTML page (the same document as the Markdown).
    Html,
    // The comparison as JSON.
    Json,
}

/// Compares the two sides and writes the comparison.
pub fn exec(args: Args) -> Result<(), CliError> {
    let outputs = refuse_existing(&args.out, args.force)?;
    let [first, second] = [Results::read(&args.first)?, Results::read(&args.second)?];
    let names = [&args.first, &args.second].map(|p| p.display().to_string());
    let options = CompareOptions {
        alpha: args.alpha,
        resamples: args.resamples,
        seed: args.seed,
        allow_different: args.allow_different,
        ..Default::default()
    };
    let comparison = compare::compare(
        Side {
            name: &names[0],
            results: &first,
        },
        Side {
            name: &names[1],
            results: &second,
        },
        &options,
    )
    .map_err(|e| match e {
        CompareError::Simulate(_) | CompareError::DifferentScenarios { .. } => CliError::invalid(e),
    })?;
    let text = match args.format {
        Format::Table => render::table(&comparison),
        Format::Md => render::markdown(&comparison),
        Format::Html => render::html(&comparison),
        Format::Json => render::json(&comparison),
    };
    emit(args.out.as_deref(), &text, outputs)
}
