//! `ttx report`: the after-action report of a results file, in the format asked.

use std::path::{Path, PathBuf};

use super::error::CliError;
use super::output::{Outputs, refuse_existing};
use ttx::report::aar::AfterActionReport;
use ttx::report::format::Format;
use ttx::results::Results;

/// Arguments of `ttx report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Results file (JSON).
    results: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Md)]
    format: Format,
    /// Output file; default: reports/<scenario>-<date>.<ext>, never replacing an existing report; `-`: stdout.
    #[arg(long, short = 'o', value_name = "PATH")]
    out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long)]
    force: bool,
}

/// Writes the report to `--out`, or to a free name under `reports/`.
pub fn exec(args: Args) -> Result<(), CliError> {
    let results = Results::read(&args.results)?;
    if results.summary_only {
        return Err(CliError::invalid(anyhow::anyhow!(
            "'{}' holds a summary without per-run rows, and a report is drawn from the rows; write the results with `ttx run --export-json` (or merge the shards' --export-json files)",
            args.results.display()
        )));
    }
    let report = AfterActionReport::new(&results);
    let renderer = args.format.renderer();
    let (path, outputs) = match args.out {
        Some(path) => {
            let outputs = refuse_existing([&path], args.force)?;
            (path, outputs)
        }
        None => (
            ttx::render::paths::free_report_path(
                Path::new("reports"),
                &results.scenario.name,
                renderer.extension(),
            ),
            Outputs::new_files(),
        ),
    };
    outputs.write(&path, &renderer.render(&report))?;
    outputs.wrote(&path);
    Ok(())
}
