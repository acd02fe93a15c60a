//! `ttx replay`: the event trace of one run, from a scenario and seed, from a results file
//! (its scenario text and seed), or from a drill's journal (re-scored, see [`super::drill`]).

use std::path::PathBuf;

use super::error::{CliError, usage};
use super::output;
use ttx::report::replay::Replay;
use ttx::results::Results;

/// Arguments of `ttx replay`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file (the bundled default scenario when omitted), or a results file from
    /// `ttx run --export-json` (its scenario text and seed are used).
    scenario: Option<PathBuf>,
    /// Master seed of the batch [default: 1, or the results file's seed].
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Run index within the batch, from 0 (the `run` column of the exports); not for a
    /// drill journal, which holds one run.
    #[arg(long, short = 'r')]
    run: Option<u64>,
    /// Output format: text for people, jsonl (one JSON object per line) for programs.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// What `--format` takes.
// Plain comments on the variants: doc comments would become help text that `--help` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    // The trace (or a journal's timeline and scores) for people.
    Text,
    // One JSON object per line (a journal's results as JSON).
    Jsonl,
}

/// Prints the trace the arguments name.
pub fn exec(args: Args) -> Result<(), CliError> {
    let path = args.scenario.as_deref();
    let extension = path.and_then(|p| p.extension()).and_then(|e| e.to_str());
    if extension != Some("jsonl") && args.run.is_none() {
        return Err(usage!(
            "which run? give --run I (a run index of the batch, from 0)"
        ));
    }
    let run = args.run.unwrap_or(0);
    let (loaded, seed) = match (path, extension) {
        (Some(path), Some("jsonl")) => {
            let text = super::drill::replay_journal(path, args.format == Format::Jsonl)?;
            return output::print(&text);
        }
        (Some(path), Some("json")) => {
            let results = Results::read(path)?;
            if let Some(seed) = args.seed.filter(|s| *s != results.seed) {
                return Err(usage!(
                    "'{}' holds seed {}, not {seed}; drop --seed to replay its runs",
                    path.display(),
                    results.seed
                ));
            }
            if !results.per_run.iter().any(|r| r.run == run) {
                return Err(usage!(
                    "'{}' has no run {run}; its runs are {}",
                    path.display(),
                    run_span(&results)
                ));
            }
            (results.compile_scenario(path)?, results.seed)
        }
        _ => (super::load_scenario(path)?, args.seed.unwrap_or(1)),
    };
    let replay = Replay::new(&loaded.scenario, seed, run);
    output::print(&match args.format {
        Format::Text => replay.text(),
        Format::Jsonl => replay.jsonl(),
    })
}

/// The run indices of a results file, as `first..=last` (or `none`).
fn run_span(results: &Results) -> String {
    match (results.per_run.first(), results.per_run.last()) {
        (Some(first), Some(last)) => format!("{}..={}", first.run, last.run),
        _ => "none".to_string(),
    }
}
