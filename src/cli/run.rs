//! `ttx run`: a seeded batch of a scenario (or one shard of it), its exports, the
//! after-action report if asked, and the summary table on stdout.

use std::path::{Path, PathBuf};

use super::error::CliError;
use super::output::{self, Outputs, progress_bar, refuse_existing};
use ttx::report::format::Format;
use ttx::results::tally::Tally;
use ttx::results::tally::file::TallyFile;
use ttx::results::{Results, Shard, ShardInfo};
use ttx::runner::{self, BatchOptions};
use ttx::scenario::Scenario;

/// Arguments of `ttx run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file; the bundled default scenario when omitted.
    scenario: Option<PathBuf>,
    /// Number of replications.
    #[arg(long, short = 'n', default_value_t = 1000, value_parser = super::parse_runs)]
    runs: u64,
    /// Master seed: same scenario + same seed = identical results.
    #[arg(long, short = 's', default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 't', value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// Write the results as JSON to this path (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    export_json: Option<PathBuf>,
    /// Write one CSV row per run to this path (`-`: stdout). Without --export-json or
    /// --report the rows are written as the runs come, so any number of runs fits in memory.
    #[arg(long, value_name = "PATH")]
    export_csv: Option<PathBuf>,
    /// Also write the after-action report (Markdown and HTML) into this folder.
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// Run only shard K of N: runs [(K-1)·R/N, K·R/N) of R = --runs; `ttx merge` joins the
    /// shards' --export-json files into the whole batch's results.
    #[arg(long, value_name = "K/N", conflicts_with = "report")]
    shard: Option<Shard>,
    /// Write the summary as JSON to this path (`-`: stdout): a results file without per-run rows
    /// (`"summary_only": true`), so memory stays small for any number of runs.
    #[arg(long, value_name = "PATH")]
    export_summary: Option<PathBuf>,
    /// Write the tally (about 40 bytes per run) to this path (`-`: stdout); `ttx merge` joins
    /// the shards' tally files into the whole batch's summary. Without --shard the tally is of
    /// the whole batch (shard 1/1).
    #[arg(long, value_name = "PATH")]
    export_tally: Option<PathBuf>,
    /// Replace existing export files instead of refusing.
    #[arg(long)]
    force: bool,
    /// Print nothing but errors (and no progress bar).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// A name for these results, stored in the JSON export (`2026-Q3`): `ttx trend` orders
    /// and names results by it, `ttx compare` shows it.
    #[arg(long, value_name = "TEXT")]
    label: Option<String>,
}

/// Runs the batch (or shard) and writes what was asked.
pub fn exec(args: Args) -> Result<(), CliError> {
    let loaded = super::load_scenario(args.scenario.as_deref())?;
    // Refuse before spending minutes on a batch whose results could not be written.
    let outputs = [
        &args.export_json,
        &args.export_csv,
        &args.export_summary,
        &args.export_tally,
    ];
    let outputs = refuse_existing(outputs.into_iter().flatten(), args.force)?;
    if let Some(dir) = &args.report {
        output::refuse_stdout_folder(dir, "--report")?;
    }
    if !args.quiet && !loaded.warnings.0.is_empty() {
        let shown = super::scenario_name(args.scenario.as_deref());
        let source = match &args.scenario {
            Some(p) => std::fs::read_to_string(p).unwrap_or_default(),
            None => ttx::scenario::DEFAULT_SCENARIO.to_string(),
        };
        output::eprint(&loaded.warnings.render(&shown, &source));
    }
    let range = args.shard.map_or(0..args.runs, |s| s.range(args.runs));
    let options = BatchOptions {
        first: range.start,
        threads: args.threads.map(|t| t as usize),
        ..BatchOptions::new(range.end - range.start, args.seed)
    };
    let bar = progress_bar(options.runs, args.quiet);
    let progress = |done| bar.set_position(done);
    let shard = args.shard.map(|s| ShardInfo {
        index: s.index,
        count: s.count,
        total_runs: args.runs,
    });
    let header = ttx::results::Header::of(&loaded.scenario, args.seed);
    // Writes the shard's tally file, if asked, and hands the tally back to be summarised.
    let export_tally = |tally: Tally| -> Result<Tally, CliError> {
        let Some(path) = &args.export_tally else {
            return Ok(tally);
        };
        // An unsharded batch is its own one shard, so its tally merges like any other.
        let shard = shard.unwrap_or(ShardInfo {
            index: 1,
            count: 1,
            total_runs: args.runs,
        });
        let file = TallyFile {
            ttx_version: env!("CARGO_PKG_VERSION").to_string(),
            header: header.clone(),
            shard,
            tally,
            // A batch's keys are `StreamKeys::new`'s: the default generator.
            generator: ttx::engine::rng::Generator::default(),
        };
        outputs.write_with(path, |mut out| file.write(&mut out))?;
        Ok(file.tally)
    };
    // Per-run rows are kept only for a JSON export or a report. Otherwise the batch folds
    // chunk by chunk into a tally (about 40 bytes per run), and a CSV export is written as
    // its rows come: any number of runs in the memory of one chunk.
    let keeps_rows = args.export_json.is_some() || args.report.is_some();
    let mut results = if keeps_rows {
        let outcomes = runner::run_batch(&loaded.scenario, &options, &progress)?;
        if args.export_tally.is_some() {
            let mut tally = Tally::new(loaded.scenario.objectives.len());
            outcomes.iter().for_each(|o| tally.add_outcome(o));
            export_tally(tally)?;
        }
        Results::new(&loaded.scenario, args.seed, &outcomes)
    } else {
        let tally = match &args.export_csv {
            Some(path) => tally_writing_csv(
                path,
                &loaded.scenario,
                &options,
                &progress,
                &header,
                &outputs,
            )?,
            None => runner::batch::tally_batch(&loaded.scenario, &options, &progress)?,
        };
        runner::batch::summarize_tally(export_tally(tally)?, header.clone(), options.threads)?
    };
    bar.finish_and_clear();
    results.label = args.label;
    results.shard = shard;
    if let Some(path) = &args.export_json {
        outputs.write(path, &results.to_json())?;
    }
    if keeps_rows && let Some(path) = &args.export_csv {
        outputs.write(path, &ttx::results::csv::render(&results))?;
    }
    if let Some(path) = &args.export_summary {
        outputs.write(path, &results.to_summary_json())?;
    }
    if let Some(dir) = &args.report {
        let after_action = ttx::report::aar::AfterActionReport::new(&results);
        let files: Vec<(PathBuf, String)> = [Format::Md, Format::Html]
            .into_iter()
            .map(|format| {
                let renderer = format.renderer();
                let path = ttx::render::paths::free_report_path(
                    dir,
                    &results.scenario.name,
                    renderer.extension(),
                );
                (path, renderer.render(&after_action))
            })
            .collect();
        // The Markdown and HTML reports land together or not at all.
        Outputs::new_files().write_all(&files)?;
        if !args.quiet {
            for (path, _) in &files {
                eprintln!("wrote {}", path.display());
            }
        }
    }
    if args.quiet {
        return Ok(());
    }
    if let Some(shard) = args.shard {
        let runs = if range.is_empty() {
            "no runs".to_string()
        } else {
            format!("runs {} to {}", range.start, range.end - 1)
        };
        outputs.print(&format!(
            "shard {shard} of a {}-run batch: {runs} (join the shards' --export-json or --export-tally files with `ttx merge`)\n\n",
            args.runs
        ))?;
    }
    outputs.print(&ttx::report::table::render(&results))
}

/// Runs the batch into a tally while its CSV export is written row by row (into a temporary
/// sibling placed whole at the end, as every export, or to standard output).
fn tally_writing_csv(
    path: &Path,
    scenario: &Scenario,
    options: &BatchOptions,
    progress: &(dyn Fn(u64) + Sync),
    header: &ttx::results::Header,
    outputs: &Outputs,
) -> Result<Tally, CliError> {
    let mut batch = None;
    let written = outputs.write_with(path, |out| {
        let mut csv = ttx::results::csv::RowWriter::new(header, out);
        let ran = runner::batch::tally_batch_with_rows(scenario, options, progress, &mut |rows| {
            csv.write(rows)
        });
        match ran {
            Ok(Ok(tally)) => {
                csv.finish()?;
                batch = Some(Ok(tally));
                Ok(())
            }
            Ok(Err(write_error)) => Err(write_error),
            Err(batch_error) => {
                batch = Some(Err(batch_error));
                Err(std::io::Error::other("the batch did not run"))
            }
        }
    });
    match batch {
        // The batch's own error says more than the write it cut short.
        Some(Err(batch_error)) => Err(batch_error.into()),
        Some(Ok(tally)) => written.map(|()| tally),
        None => Err(written.expect_err("a CSV export that wrote without a batch")),
    }
}
