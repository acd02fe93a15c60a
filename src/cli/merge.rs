//! `ttx merge`: shard results into the whole batch's results, or shard tallies into its
//! summary, byte for byte what one unsharded run writes.

use std::path::{Path, PathBuf};

use super::error::{CliError, usage};
use super::output::refuse_existing;
use ttx::results::Results;
use ttx::results::merge::{Contents, Part};
use ttx::results::tally::file::{TallyFile, TallyFileError};

/// Exit codes of `ttx merge`.
pub const HELP: &str = "Exit codes: 0 success · 1 the parts are not one whole batch (not a results or tally file, not a shard, another scenario, seed, shard count or total, a missing or duplicated shard, results and tally files mixed, a damaged tally) · 2 usage or I/O error, --export-csv with tally files, or an output file that exists (without --force)";

/// Arguments of `ttx merge`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Every shard's results file (JSON), or every shard's tally file, in any order.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// Where to write the merged results (JSON; `-`: stdout, the summary table then on stderr).
    #[arg(long, short = 'o', value_name = "PATH")]
    out: PathBuf,
    /// Also write the merged per-run CSV here (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    export_csv: Option<PathBuf>,
    /// Replace existing output files instead of refusing.
    #[arg(long)]
    force: bool,
    /// Print nothing but errors (no summary table).
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Reads every part, merges them, and writes the whole.
pub fn exec(args: Args) -> Result<(), CliError> {
    let paths: Vec<&PathBuf> = std::iter::once(&args.out).chain(&args.export_csv).collect();
    let outputs = refuse_existing(paths, args.force)?;
    let parts = args
        .parts
        .iter()
        .map(|path| read_part(path))
        .collect::<Result<Vec<_>, _>>()?;
    let count = parts.len();
    let results = ttx::results::merge::merge(parts).map_err(CliError::invalid)?;
    if let (true, Some(path)) = (results.summary_only, &args.export_csv) {
        return Err(usage!(
            "tally files carry no per-run rows, so there is no CSV to write to '{}'; merge the shards' --export-json files for one",
            path.display()
        ));
    }
    outputs.write(&args.out, &results.to_json())?;
    if let Some(path) = &args.export_csv {
        outputs.write(path, &ttx::results::csv::render(&results))?;
    }
    if args.quiet {
        return Ok(());
    }
    eprintln!(
        "merged {count} shards ({} runs) into {}",
        results.runs,
        args.out.display()
    );
    outputs.print(&ttx::report::table::render(&results))
}

/// Reads a part: a tally file (it starts with its format line) or a results file.
fn read_part(path: &Path) -> Result<Part, CliError> {
    let name = path.display().to_string();
    let file = ttx::input::open(path, ttx::input::InputKind::Tally).map_err(|e| {
        CliError::io(anyhow::Error::new(e).context(format!("could not read '{name}'")))
    })?;
    let mut input = std::io::BufReader::new(file);
    let is_tally =
        std::io::BufRead::fill_buf(&mut input).is_ok_and(|b| b.starts_with(b"ttx-tally/"));
    let contents = if is_tally {
        let tally = TallyFile::read(&mut input).map_err(|e| {
            let kind = match e {
                TallyFileError::Io(_) => CliError::io,
                _ => CliError::invalid,
            };
            kind(anyhow::Error::new(e).context(format!("could not read tally '{name}'")))
        })?;
        Contents::Tally(Box::new(tally))
    } else {
        Contents::Results(Box::new(Results::read(path)?))
    };
    Ok(Part { name, contents })
}
