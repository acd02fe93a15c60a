//! `ttx roster`: who has played which role over a folder of drill results, and the proposed
//! next rotation, as a terminal table, JSON or Markdown.

use std::path::PathBuf;

use super::error::CliError;
use super::output::{emit, refuse_existing};

/// Example and exit codes of `ttx roster`.
pub const HELP: &str = "Example: ttx roster drills/ --format markdown --out roster.md\n\nNames come from `ttx drill --player ROLE=NAME`, the name field of a player's page, or the console's `player ROLE NAME`; batches and drills that name nobody are counted and left out.\n\nThe proposal gives as many people as possible a role they have never played, then the role they played longest ago, then least often (a least-cost assignment; see docs/cadence.md).\n\nExit codes: 0 success · 1 a file that is not results · 2 usage or I/O error, or an output file that exists (without --force)";

/// How the roster is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A table for the terminal (at most 100 columns).
    Text,
    /// The roster's data.
    Json,
    /// A Markdown document.
    Markdown,
}

/// Arguments of `ttx roster`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Results files of drills (JSON), or folders of them.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Replace an existing output file instead of refusing.
    #[arg(long)]
    force: bool,
}

/// Reads the results, builds the roster and writes it.
pub fn exec(args: Args) -> Result<(), CliError> {
    let outputs = refuse_existing(args.out.iter(), args.force)?;
    let roster = ttx::roster::roster(super::trend::read_results(&args.files)?);
    let text = match args.format {
        Format::Text => roster.table(),
        Format::Json => roster.json(),
        Format::Markdown => roster.markdown(),
    };
    emit(args.out.as_deref(), &text, outputs)
}
