//! `ttx report`: the after-action report of a results file, in the format asked; or a
//! drill's own results and report rebuilt from its journal (`ttx report X.jsonl`).

use std::path::{Path, PathBuf};

use super::error::CliError;
use super::output::refuse_existing;
use ttx::plan::date::Date;
use ttx::report::aar::AfterActionReport;
use ttx::report::format::Format;
use ttx::results::Results;

/// Arguments of `ttx report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Results file (JSON), or a drill's journal (`.jsonl`): its results and report are
    /// rebuilt from it, byte for byte what the drill wrote.
    results: PathBuf,
    /// Output format [default: md; for a journal, all of results, md and html]. For a
    /// journal, `json` is the drill's results file.
    #[arg(long, short = 'f', value_enum)]
    format: Option<Format>,
    /// Output file; default: reports/<scenario>-<date>.<ext> (for a journal X.jsonl: beside
    /// it, X.results.json, X.report.md, X.report.html, as the drill names them), never
    /// replacing an existing file (`-2`, `-3`, ... instead); `-`: stdout.
    #[arg(long, short = 'o', value_name = "PATH")]
    out: Option<PathBuf>,
    /// Also write the report's improvement points as an improvement plan (TOML) to start
    /// from: every item open, owner TBD, due by its objective's rating; track it with `ttx
    /// plan status` (docs/improvement-plans.md).
    #[arg(long, value_name = "PATH")]
    plan_out: Option<PathBuf>,
    /// Replace the --out (and --plan-out) file if it exists.
    #[arg(long)]
    force: bool,
}

/// Today (UTC), the day a plan's due dates count from.
pub(super) fn today() -> Date {
    Date::of(std::time::SystemTime::now())
}

/// Writes the report to `--out`, or to a free name under `reports/`; a journal's outputs
/// to `--out` or beside it.
pub fn exec(args: Args) -> Result<(), CliError> {
    if args.results.extension().is_some_and(|e| e == "jsonl") {
        return drill_report(&args);
    }
    let format = args.format.unwrap_or(Format::Md);
    let results = Results::read(&args.results)?;
    if results.summary_only {
        return Err(CliError::invalid(anyhow::anyhow!(
            "'{}' holds a summary without per-run rows, and a report is drawn from the rows; write the results with `ttx run --export-json` (or merge the shards' --export-json files)",
            args.results.display()
        )));
    }
    let report = AfterActionReport::new(&results);
    let renderer = format.renderer();
    let (path, outputs) = match &args.out {
        Some(path) => {
            let outputs = refuse_existing([path].into_iter().chain(&args.plan_out), args.force)?;
            (path.clone(), outputs)
        }
        None => (
            ttx::render::paths::free_report_path(
                Path::new("reports"),
                &results.scenario.name,
                renderer.extension(),
            ),
            refuse_existing(&args.plan_out, args.force)?,
        ),
    };
    outputs.write(&path, &renderer.render(&report))?;
    outputs.wrote(&path);
    if let Some(plan) = &args.plan_out {
        outputs.write(
            plan,
            &ttx::plan::seed::from_report(&report, &results, today()),
        )?;
        outputs.wrote(plan);
    }
    Ok(())
}

/// `ttx report X.jsonl`: the drill's results and reports (one with `--format`, all three
/// without), rebuilt from its journal: by default beside it with the names the drill gives
/// them (a name taken gets `-2`, ...), or to `--out` (one format).
fn drill_report(args: &Args) -> Result<(), CliError> {
    use super::drill::{OUTPUTS, free_sibling, journal_outputs};
    // Which of the drill's outputs (in OUTPUTS order) a format is.
    let index = |format: Format| match format {
        Format::Json => Ok(0),
        Format::Md => Ok(1),
        Format::Html => Ok(2),
        Format::Csv => Err(super::error::usage!(
            "a drill's report is md or html (json: its results); CSV is the batch report's"
        )),
    };
    let chosen: Vec<usize> = match args.format {
        Some(format) => vec![index(format)?],
        None if args.out.is_some() => {
            return Err(super::error::usage!(
                "--out names one file: choose its --format (md, html, or json for the results)"
            ));
        }
        None => vec![0, 1, 2],
    };
    let rebuilt = journal_outputs(&args.results)?;
    let contents = &rebuilt.contents;
    if !rebuilt.ended {
        eprintln!(
            "note: {}: the drill has not ended; scored where its journal stops",
            args.results.display()
        );
    }
    let (outputs, paths) = match &args.out {
        Some(path) => (
            refuse_existing([path].into_iter().chain(&args.plan_out), args.force)?,
            vec![path.clone()],
        ),
        None => (
            refuse_existing(&args.plan_out, args.force)?,
            (chosen.iter())
                .map(|&i| free_sibling(&args.results, OUTPUTS[i]))
                .collect(),
        ),
    };
    for (path, &i) in paths.iter().zip(&chosen) {
        outputs.write(path, &contents[i])?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(plan) = &args.plan_out {
        let text = ttx::plan::seed::from_drill(&rebuilt.report, &rebuilt.results, today());
        outputs.write(plan, &text)?;
        outputs.wrote(plan);
    }
    Ok(())
}
