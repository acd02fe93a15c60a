//! The `ttx` binary: parse arguments, call the library, print results or the error chain, and
//! exit with a deliberate code (0 success, 1 invalid scenario, 2 usage or I/O error).

mod cli;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use cli::{Cli, Command};
use ttx::report;
use ttx::results::Results;
use ttx::results::merge::{Contents, Part};
use ttx::results::tally::Tally;
use ttx::results::tally::file::{TallyFile, TallyFileError};
use ttx::runner::{self, BatchOptions};
use ttx::scenario::{self, LoadError, Loaded};

/// A failure with the exit code it maps to.
struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl Failure {
    fn invalid(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: 1,
            error: error.into(),
        }
    }
    fn io(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: 2,
            error: error.into(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check {
            files,
            deny_warnings,
        } => check(&files, deny_warnings),
        Command::Run {
            scenario,
            runs,
            seed,
            threads,
            export_json,
            export_csv,
            report,
            shard,
            export_summary,
            export_tally,
            force,
            quiet,
            label,
        } => run(RunArgs {
            label,
            report,
            shard,
            export_summary,
            export_tally,
            scenario,
            runs,
            seed,
            threads: threads.map(|t| t as usize),
            export_json,
            export_csv,
            force,
            quiet,
        }),
        Command::Drill {
            scenario,
            seed,
            speed,
            humans,
            journal,
            resume,
            listen,
            no_console,
        } => drill(DrillCli {
            scenario,
            seed,
            speed,
            humans,
            journal,
            resume,
            listen,
            console: !no_console,
        }),
        Command::Replay {
            scenario,
            seed,
            run,
            format,
        } => replay(scenario.as_deref(), seed, run, &format),
        Command::Sweep {
            scenario,
            set,
            runs,
            seed,
            independent_seeds,
            threads,
            export_json,
            export_csv,
            html,
            force,
            quiet,
        } => sweep(SweepArgs {
            scenario,
            settings: set,
            runs,
            seed,
            seeds: if independent_seeds {
                runner::sweep::Seeds::Independent
            } else {
                runner::sweep::Seeds::Common
            },
            threads: threads.map(|t| t as usize),
            export_json,
            export_csv,
            html,
            force,
            quiet,
        }),
        Command::Merge {
            parts,
            out,
            export_csv,
            force,
            quiet,
        } => merge(&parts, &out, export_csv.as_deref(), force, quiet),
        Command::Report {
            results,
            format,
            out,
            force,
        } => report_command(&results, &format, out, force),
        Command::Packet { scenario, out } => packet(scenario.as_deref(), &out),
        Command::Schema => {
            write_stdout(&format!("{:#}\n", scenario::schema::json_schema()));
            Ok(())
        }
        Command::New { name, template } => new_scenario(&name, &template),
        Command::Catalog { dir } => match report::catalog::render(&dir) {
            Ok(text) => {
                write_stdout(&text);
                Ok(())
            }
            Err(report::catalog::CatalogError::Load(e @ LoadError::Invalid { .. })) => {
                Err(Failure::invalid(e))
            }
            Err(e) => Err(Failure::io(e)),
        },
        Command::Compare {
            first,
            second,
            format,
            out,
            alpha,
            resamples,
            seed,
            allow_different,
            force,
        } => compare(
            [&first, &second],
            &format,
            out.as_deref(),
            force,
            ttx::compare::CompareOptions {
                alpha,
                resamples,
                seed,
                allow_different,
                ..Default::default()
            },
        ),
        Command::Power {
            scenario,
            metric,
            change,
            n,
            alpha,
            power,
            seed,
            runs,
            replications,
            format,
        } => plan_power(
            scenario.as_deref(),
            &metric,
            match (change, n) {
                (_, Some(n)) => ttx::compare::power::Question::SmallestChange { n },
                (change, None) => ttx::compare::power::Question::SampleSize {
                    change: change.unwrap_or(-0.2),
                },
            },
            runs,
            ttx::compare::power::PowerOptions {
                alpha,
                power,
                replications: replications as usize,
                seed,
            },
            &format,
        ),
        Command::Trend {
            files,
            html,
            export_json,
            alpha,
            allow_different,
            force,
        } => trend(
            &files,
            html.as_deref(),
            export_json.as_deref(),
            force,
            ttx::compare::CompareOptions {
                alpha,
                allow_different,
                ..Default::default()
            },
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            print_error(&failure.error);
            ExitCode::from(failure.code)
        }
    }
}

/// Writes to stdout; a closed pipe (`ttx schema | head`) is not an error worth a panic.
fn write_stdout(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Prints an error and its causes as an indented "caused by" list. Scenario diagnostics are
/// already fully rendered, so they are printed as they are.
fn print_error(error: &anyhow::Error) {
    let mut stderr = std::io::stderr().lock();
    if let Some(LoadError::Invalid { .. }) = error.downcast_ref::<LoadError>() {
        let _ = write!(stderr, "{error}");
        return;
    }
    let _ = writeln!(stderr, "error: {error}");
    for cause in error.chain().skip(1) {
        let _ = writeln!(stderr, "  caused by: {cause}");
    }
}

fn check(files: &[PathBuf], deny_warnings: bool) -> Result<(), Failure> {
    let mut worst = 0u8;
    let mut failed = 0usize;
    let mut stderr = std::io::stderr().lock();
    for file in files {
        match scenario::load(file) {
            Ok(loaded) => {
                let shown = file.display().to_string();
                let source = std::fs::read_to_string(file).unwrap_or_default();
                let _ = write!(stderr, "{}", loaded.warnings.render(&shown, &source));
                let warnings = loaded.warnings.warnings().count();
                let _ = writeln!(
                    stderr,
                    "{}: {shown}{}",
                    if warnings > 0 && deny_warnings {
                        "failed"
                    } else {
                        "ok"
                    },
                    if warnings > 0 {
                        format!(
                            " ({warnings} warning{})",
                            if warnings == 1 { "" } else { "s" }
                        )
                    } else {
                        String::new()
                    }
                );
                if warnings > 0 && deny_warnings {
                    worst = worst.max(1);
                    failed += 1;
                }
            }
            Err(error @ LoadError::Invalid { .. }) => {
                let _ = write!(stderr, "{error}");
                if let LoadError::Invalid {
                    diagnostics, path, ..
                } = &error
                {
                    let errors = diagnostics.errors().count();
                    let _ = writeln!(
                        stderr,
                        "invalid: {path} ({errors} error{})",
                        if errors == 1 { "" } else { "s" }
                    );
                }
                worst = worst.max(1);
                failed += 1;
            }
            Err(error) => {
                let error = anyhow::Error::from(error);
                let _ = writeln!(stderr, "error: {error}");
                for cause in error.chain().skip(1) {
                    let _ = writeln!(stderr, "  caused by: {cause}");
                }
                worst = 2;
                failed += 1;
            }
        }
    }
    match worst {
        0 => Ok(()),
        code => Err(Failure {
            code,
            error: anyhow::anyhow!("{failed} of {} file(s) did not pass", files.len()),
        }),
    }
}

fn new_scenario(name: &str, template: &str) -> Result<(), Failure> {
    let kind = scenario::FaultKind::from_name(template)
        .ok_or_else(|| Failure::io(anyhow::anyhow!("unknown template `{template}`")))?;
    let path = if name.ends_with(".toml") {
        PathBuf::from(name)
    } else {
        PathBuf::from(format!("{name}.toml"))
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
        .to_string();
    let text = scenario::template::render(&stem, kind);
    // create_new refuses atomically if the file exists: nothing a user wrote is overwritten.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| {
            let message = if e.kind() == std::io::ErrorKind::AlreadyExists {
                format!(
                    "'{}' already exists; choose another name (ttx new never overwrites a file)",
                    path.display()
                )
            } else {
                format!("could not create '{}'", path.display())
            };
            Failure::io(anyhow::Error::new(e).context(message))
        })?;
    file.write_all(text.as_bytes()).map_err(|e| {
        Failure::io(anyhow::Error::new(e).context(format!("could not write '{}'", path.display())))
    })?;
    eprintln!("wrote {} ({template}); next: ttx check {0}", path.display());
    Ok(())
}

fn report_command(
    results_path: &Path,
    format: &str,
    out: Option<PathBuf>,
    force: bool,
) -> Result<(), Failure> {
    let results = read_results(results_path)?;
    if results.summary_only {
        return Err(Failure::invalid(anyhow::anyhow!(
            "'{}' holds a summary without per-run rows, and a report is drawn from the rows; write the results with `ttx run --export-json` (or merge the shards' --export-json files)",
            results_path.display()
        )));
    }
    let report = ttx::report::aar::AfterActionReport::new(&results);
    let renderer = ttx::report::format::by_name(format)
        .ok_or_else(|| Failure::io(anyhow::anyhow!("unknown report format `{format}`")))?;
    let path = match out {
        Some(path) => {
            if path.exists() && !force {
                return Err(Failure::io(anyhow::anyhow!(
                    "'{}' already exists; pass --force to replace it, or choose another path",
                    path.display()
                )));
            }
            path
        }
        None => ttx::render::paths::free_report_path(
            Path::new("reports"),
            &results.scenario.name,
            renderer.extension(),
        ),
    };
    write_file(&path, &renderer.render(&report))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn replay(
    path: Option<&Path>,
    seed: Option<u64>,
    run: Option<u64>,
    format: &str,
) -> Result<(), Failure> {
    let extension = path.and_then(|p| p.extension()).and_then(|e| e.to_str());
    if extension != Some("jsonl") && run.is_none() {
        return Err(Failure::io(anyhow::anyhow!(
            "which run? give --run I (a run index of the batch, from 0)"
        )));
    }
    let run = run.unwrap_or(0);
    let (loaded, seed) = match (path, extension) {
        (Some(path), Some("jsonl")) => {
            let text = ttx::drill::command::replay_journal(path, format == "jsonl")
                .map_err(drill_failure)?;
            write_stdout(&text);
            return Ok(());
        }
        (Some(path), Some("json")) => {
            let results = read_results(path)?;
            if let Some(seed) = seed.filter(|s| *s != results.seed) {
                return Err(Failure::io(anyhow::anyhow!(
                    "'{}' holds seed {}, not {seed}; drop --seed to replay its runs",
                    path.display(),
                    results.seed
                )));
            }
            if !results.per_run.iter().any(|r| r.run == run) {
                return Err(Failure::io(anyhow::anyhow!(
                    "'{}' has no run {run}; its runs are {}",
                    path.display(),
                    run_span(&results)
                )));
            }
            let shown = format!("{}#scenario.source", path.display());
            let loaded =
                scenario::from_str(&shown, &results.scenario.source).map_err(Failure::invalid)?;
            (loaded, results.seed)
        }
        _ => (load_scenario(path)?, seed.unwrap_or(1)),
    };
    let replay = report::replay::Replay::new(&loaded.scenario, seed, run);
    let text = if format == "jsonl" {
        replay.jsonl()
    } else {
        replay.text()
    };
    write_stdout(&text);
    Ok(())
}

struct DrillCli {
    scenario: Option<PathBuf>,
    seed: Option<u64>,
    speed: Option<f64>,
    humans: Vec<String>,
    journal: Option<PathBuf>,
    resume: Option<PathBuf>,
    listen: std::net::SocketAddr,
    console: bool,
}

fn drill_failure(failure: ttx::drill::command::Failure) -> Failure {
    if failure.invalid {
        Failure::invalid(failure.error)
    } else {
        Failure::io(failure.error)
    }
}

fn drill(args: DrillCli) -> Result<(), Failure> {
    let scenario = match (&args.resume, &args.scenario) {
        (None, Some(path)) => Some(load_scenario(Some(path))?),
        _ => None,
    };
    ttx::drill::command::drill(ttx::drill::command::DrillArgs {
        scenario,
        seed: args.seed,
        speed: args.speed,
        humans: args.humans,
        journal: args.journal,
        resume: args.resume,
        listen: args.listen,
        console: args.console,
    })
    .map(|_| ())
    .map_err(drill_failure)
}

/// The run indices of a results file, as `first..=last` (or `none`).
fn run_span(results: &Results) -> String {
    match (results.per_run.first(), results.per_run.last()) {
        (Some(first), Some(last)) => format!("{}..={}", first.run, last.run),
        _ => "none".to_string(),
    }
}

/// Reads a part for `ttx merge`: a tally file (it starts with its format line) or a results
/// file.
fn read_part(path: &Path) -> Result<Part, Failure> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| {
        Failure::io(anyhow::Error::new(e).context(format!("could not read '{name}'")))
    })?;
    let mut input = std::io::BufReader::new(file);
    let is_tally =
        std::io::BufRead::fill_buf(&mut input).is_ok_and(|b| b.starts_with(b"ttx-tally/"));
    let contents = if is_tally {
        let tally = TallyFile::read(&mut input).map_err(|e| {
            let failure = match e {
                TallyFileError::Io(_) => Failure::io,
                _ => Failure::invalid,
            };
            failure(anyhow::Error::new(e).context(format!("could not read tally '{name}'")))
        })?;
        Contents::Tally(Box::new(tally))
    } else {
        Contents::Results(Box::new(read_results(path)?))
    };
    Ok(Part { name, contents })
}

/// Reads a results file (`ttx run --export-json`).
fn read_results(path: &Path) -> Result<Results, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::io(
            anyhow::Error::new(e).context(format!("could not read results '{}'", path.display())),
        )
    })?;
    Results::from_json(&text).map_err(|e| {
        Failure::invalid(anyhow::Error::new(e).context(format!(
            "'{}' is not a ttx results file (write one with `ttx run --export-json`)",
            path.display()
        )))
    })
}

struct RunArgs {
    label: Option<String>,
    report: Option<PathBuf>,
    shard: Option<ttx::results::Shard>,
    export_summary: Option<PathBuf>,
    export_tally: Option<PathBuf>,
    scenario: Option<PathBuf>,
    runs: u64,
    seed: u64,
    threads: Option<usize>,
    export_json: Option<PathBuf>,
    export_csv: Option<PathBuf>,
    force: bool,
    quiet: bool,
}

fn load_scenario(path: Option<&Path>) -> Result<Loaded, Failure> {
    match path {
        None => Ok(scenario::default_scenario()),
        Some(path) => scenario::load(path).map_err(|e| match e {
            LoadError::Invalid { .. } => Failure::invalid(e),
            LoadError::Io { .. } => Failure::io(e),
        }),
    }
}

/// Writes the Situation Manual and the MSEL, Markdown and HTML, into `dir`.
fn packet(path: Option<&Path>, dir: &Path) -> Result<(), Failure> {
    let loaded = load_scenario(path)?;
    let packet = report::packet::Packet::new(&loaded.scenario);
    let name = &loaded.scenario.meta.name;
    for (document, stem) in [(&packet.sitman, "sitman"), (&packet.msel, "msel")] {
        for (extension, text) in [("md", document.markdown()), ("html", document.html())] {
            let path =
                ttx::render::paths::free_report_path(dir, &format!("{name}-{stem}"), extension);
            write_file(&path, &text)?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

fn run(args: RunArgs) -> Result<(), Failure> {
    let loaded = load_scenario(args.scenario.as_deref())?;
    // Refuse before spending minutes on a batch whose results could not be written.
    let outputs = [
        &args.export_json,
        &args.export_csv,
        &args.export_summary,
        &args.export_tally,
    ];
    refuse_existing(outputs.into_iter().flatten(), args.force)?;
    if !args.quiet && !loaded.warnings.0.is_empty() {
        let shown = args
            .scenario
            .as_ref()
            .map_or(scenario::DEFAULT_SCENARIO_PATH.to_string(), |p| {
                p.display().to_string()
            });
        let source = match &args.scenario {
            Some(p) => std::fs::read_to_string(p).unwrap_or_default(),
            None => scenario::DEFAULT_SCENARIO.to_string(),
        };
        eprint!("{}", loaded.warnings.render(&shown, &source));
    }
    let range = args.shard.map_or(0..args.runs, |s| s.range(args.runs));
    let options = BatchOptions {
        first: range.start,
        threads: args.threads,
        ..BatchOptions::new(range.end - range.start, args.seed)
    };
    let bar = progress_bar(options.runs, args.quiet);
    let progress = |done| bar.set_position(done);
    let shard = args.shard.map(|s| ttx::results::ShardInfo {
        index: s.index,
        count: s.count,
        total_runs: args.runs,
    });
    let header = ttx::results::Header::of(&loaded.scenario, args.seed);
    // Writes the shard's tally file, if asked, and hands the tally back to be summarised.
    let export_tally = |tally: Tally| -> Result<Tally, Failure> {
        let (Some(path), Some(shard)) = (&args.export_tally, shard) else {
            return Ok(tally);
        };
        let file = TallyFile {
            ttx_version: env!("CARGO_PKG_VERSION").to_string(),
            header: header.clone(),
            shard,
            tally,
        };
        write_file_with(path, |out| file.write(out))?;
        Ok(file.tally)
    };
    // Per-run rows are kept only when something writes them; a summary alone folds the batch
    // chunk by chunk, so memory stays about 40 bytes per run.
    let keeps_rows =
        args.export_json.is_some() || args.export_csv.is_some() || args.report.is_some();
    let mut results = if keeps_rows {
        let outcomes =
            runner::run_batch(&loaded.scenario, &options, &progress).map_err(Failure::io)?;
        if args.export_tally.is_some() {
            let mut tally = Tally::new(loaded.scenario.objectives.len());
            outcomes.iter().for_each(|o| tally.add_outcome(o));
            export_tally(tally)?;
        }
        Results::new(&loaded.scenario, args.seed, &outcomes)
    } else {
        let tally = ttx::runner::batch::tally_batch(&loaded.scenario, &options, &progress)
            .map_err(Failure::io)?;
        export_tally(tally)?.summarize(header.clone())
    };
    bar.finish_and_clear();
    results.label = args.label;
    results.shard = shard;
    if let Some(path) = &args.export_json {
        write_file(path, &results.to_json())?;
    }
    if let Some(path) = &args.export_csv {
        write_file(path, &ttx::results::csv::render(&results))?;
    }
    if let Some(path) = &args.export_summary {
        write_file(path, &results.to_summary_json())?;
    }
    if let Some(dir) = &args.report {
        let after_action = ttx::report::aar::AfterActionReport::new(&results);
        for format in ["md", "html"] {
            if let Some(renderer) = ttx::report::format::by_name(format) {
                let path = ttx::render::paths::free_report_path(
                    dir,
                    &results.scenario.name,
                    renderer.extension(),
                );
                write_file(&path, &renderer.render(&after_action))?;
                if !args.quiet {
                    eprintln!("wrote {}", path.display());
                }
            }
        }
    }
    if !args.quiet {
        if let Some(shard) = args.shard {
            let runs = if range.is_empty() {
                "no runs".to_string()
            } else {
                format!("runs {} to {}", range.start, range.end - 1)
            };
            write_stdout(&format!(
                "shard {shard} of a {}-run batch: {runs} (join the shards' --export-json or --export-tally files with `ttx merge`)\n\n",
                args.runs
            ));
        }
        write_stdout(&report::table::render(&results));
    }
    Ok(())
}

/// Refuses output paths that exist, unless `force`: nothing a user wrote is replaced silently.
fn refuse_existing<'p>(
    paths: impl IntoIterator<Item = &'p PathBuf>,
    force: bool,
) -> Result<(), Failure> {
    for path in paths {
        if path.exists() && !force {
            return Err(Failure::io(anyhow::anyhow!(
                "'{}' already exists; pass --force to replace it, or choose another path",
                path.display()
            )));
        }
    }
    Ok(())
}

struct SweepArgs {
    scenario: Option<PathBuf>,
    settings: Vec<ttx::scenario::set::Setting>,
    runs: u64,
    seed: u64,
    seeds: runner::sweep::Seeds,
    threads: Option<usize>,
    export_json: Option<PathBuf>,
    export_csv: Option<PathBuf>,
    html: Option<PathBuf>,
    force: bool,
    quiet: bool,
}

fn sweep(args: SweepArgs) -> Result<(), Failure> {
    use runner::sweep::{self as grid, SweepError};
    let base = load_scenario(args.scenario.as_deref())?;
    let outputs = [&args.export_json, &args.export_csv, &args.html];
    refuse_existing(outputs.into_iter().flatten(), args.force)?;
    let shown = args
        .scenario
        .as_ref()
        .map_or(scenario::DEFAULT_SCENARIO_PATH.to_string(), |p| {
            p.display().to_string()
        });
    let source = &base.scenario.source;
    let points = grid::grid(source, &args.settings).map_err(Failure::io)?;
    let loaded = match grid::validate(&shown, source, &args.settings, &points) {
        Ok(loaded) => loaded,
        Err(SweepError::Invalid(errors)) => {
            let mut stderr = std::io::stderr().lock();
            for error in &errors {
                let _ = write!(stderr, "{error}");
            }
            return Err(Failure::invalid(anyhow::anyhow!(
                "{} sweep scenario(s) are invalid; each error above names the --set that caused it",
                errors.len()
            )));
        }
        Err(e) => return Err(Failure::io(e)),
    };
    if !args.quiet {
        eprint!("{}", base.warnings.render(&shown, source));
        // Warnings a --set brings that the scenario itself does not have.
        for (point, l) in points.iter().zip(&loaded) {
            let new: Vec<_> = l
                .warnings
                .0
                .iter()
                .filter(|w| {
                    !base
                        .warnings
                        .0
                        .iter()
                        .any(|b| b.key_path == w.key_path && b.message == w.message)
                })
                .cloned()
                .collect();
            if !new.is_empty() {
                let label = format!("{shown} [{}]", point.label());
                eprint!(
                    "{}",
                    scenario::Diagnostics(new).render(&label, &point.source)
                );
            }
        }
    }
    let options = BatchOptions {
        threads: args.threads,
        ..BatchOptions::new(args.runs, args.seed)
    };
    let bar = progress_bar(args.runs * loaded.len() as u64, args.quiet);
    let results = grid::run(&loaded, &options, args.seeds, &|done| {
        bar.set_position(done)
    })
    .map_err(Failure::io)?;
    bar.finish_and_clear();
    let sweep = report::sweep::SweepResults::new(
        &base.scenario,
        &args.settings,
        &points,
        results,
        args.seed,
        args.seeds,
        args.runs,
    );
    if let Some(path) = &args.export_json {
        write_file(path, &sweep.to_json())?;
    }
    if let Some(path) = &args.export_csv {
        write_file(path, &sweep.csv())?;
    }
    if let Some(path) = &args.html {
        write_file(path, &sweep.html())?;
        if !args.quiet {
            eprintln!("wrote {}", path.display());
        }
    }
    if !args.quiet {
        write_stdout(&sweep.text());
    }
    Ok(())
}

fn merge(
    paths: &[PathBuf],
    out: &Path,
    export_csv: Option<&Path>,
    force: bool,
    quiet: bool,
) -> Result<(), Failure> {
    let outputs: Vec<PathBuf> = std::iter::once(out)
        .chain(export_csv)
        .map(Path::to_path_buf)
        .collect();
    refuse_existing(&outputs, force)?;
    let mut parts = Vec::with_capacity(paths.len());
    for path in paths {
        parts.push(read_part(path)?);
    }
    let count = parts.len();
    let results = ttx::results::merge::merge(parts).map_err(Failure::invalid)?;
    if let (true, Some(path)) = (results.summary_only, export_csv) {
        return Err(Failure::io(anyhow::anyhow!(
            "tally files carry no per-run rows, so there is no CSV to write to '{}'; merge the shards' --export-json files for one",
            path.display()
        )));
    }
    write_file(out, &results.to_json())?;
    if let Some(path) = export_csv {
        write_file(path, &ttx::results::csv::render(&results))?;
    }
    if !quiet {
        eprintln!(
            "merged {count} shards ({} runs) into {}",
            results.runs,
            out.display()
        );
        write_stdout(&report::table::render(&results));
    }
    Ok(())
}

fn progress_bar(runs: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {pos}/{len} runs [{bar:30}] {per_sec} eta {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Writes a file through a temporary sibling and a rename, so a crash never leaves half a file.
fn write_file(path: &Path, content: &str) -> Result<(), Failure> {
    write_file_with(path, |out| out.write_all(content.as_bytes()))
}

/// [`write_file`] of what `write` writes into a buffered file.
fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), Failure> {
    let context = || format!("could not write '{}'", path.display());
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::io(anyhow::Error::new(e).context(context())))?;
    }
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("out")
    ));
    std::fs::File::create(&tmp)
        .and_then(|file| {
            let mut out = std::io::BufWriter::new(file);
            write(&mut out)?;
            out.flush()
        })
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| Failure::io(anyhow::Error::new(e).context(context())))
}

fn compare(
    paths: [&Path; 2],
    format: &str,
    out: Option<&Path>,
    force: bool,
    options: ttx::compare::CompareOptions,
) -> Result<(), Failure> {
    use ttx::compare::{self, CompareError, Side};
    refuse_existing(out.map(Path::to_path_buf).iter(), force)?;
    let [first, second] = [read_results(paths[0])?, read_results(paths[1])?];
    let names = paths.map(|p| p.display().to_string());
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
        CompareError::Simulate(_) | CompareError::DifferentScenarios { .. } => Failure::invalid(e),
    })?;
    let text = compare::render::render(&comparison, format)
        .ok_or_else(|| Failure::io(anyhow::anyhow!("unknown format `{format}`")))?;
    emit(out, &text)
}

/// Writes `text` to `out`, or to stdout without one.
fn emit(out: Option<&Path>, text: &str) -> Result<(), Failure> {
    match out {
        Some(path) => {
            write_file(path, text)?;
            eprintln!("wrote {}", path.display());
        }
        None => write_stdout(text),
    }
    Ok(())
}

/// A scenario file, or the scenario a results file carries (`.json`).
fn load_scenario_or_results(path: Option<&Path>) -> Result<Loaded, Failure> {
    match path {
        Some(path) if path.extension().is_some_and(|e| e == "json") => {
            let results = read_results(path)?;
            let shown = format!("{}#scenario.source", path.display());
            scenario::from_str(&shown, &results.scenario.source).map_err(Failure::invalid)
        }
        _ => load_scenario(path),
    }
}

fn plan_power(
    path: Option<&Path>,
    metric: &str,
    question: ttx::compare::power::Question,
    runs: u64,
    options: ttx::compare::power::PowerOptions,
    format: &str,
) -> Result<(), Failure> {
    let loaded = load_scenario_or_results(path)?;
    let outcomes = runner::run_batch(
        &loaded.scenario,
        &BatchOptions::new(runs, options.seed),
        &|_| {},
    )
    .map_err(Failure::io)?;
    let simulated = Results::new(&loaded.scenario, options.seed, &outcomes);
    let report = ttx::compare::power::plan(&simulated, metric, question, &options)
        .map_err(Failure::invalid)?;
    write_stdout(&if format == "json" {
        report.json()
    } else {
        report.text()
    });
    Ok(())
}

fn trend(
    paths: &[PathBuf],
    html: Option<&Path>,
    export_json: Option<&Path>,
    force: bool,
    options: ttx::compare::CompareOptions,
) -> Result<(), Failure> {
    let outputs: Vec<PathBuf> = html
        .into_iter()
        .chain(export_json)
        .map(Path::to_path_buf)
        .collect();
    refuse_existing(&outputs, force)?;
    let mut items = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| {
                    Failure::io(
                        anyhow::Error::new(e)
                            .context(format!("could not list '{}'", path.display())),
                    )
                })?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            if found.is_empty() {
                return Err(Failure::io(anyhow::anyhow!(
                    "'{}' holds no results files (*.json); write some with `ttx run --export-json`",
                    path.display()
                )));
            }
            found.sort();
            for file in found {
                items.push((file.display().to_string(), read_results(&file)?));
            }
        } else {
            items.push((path.display().to_string(), read_results(path)?));
        }
    }
    let trend = ttx::compare::trend::trend(items, &options).map_err(Failure::invalid)?;
    if let Some(path) = export_json {
        write_file(path, &trend.json())?;
    }
    if let Some(path) = html {
        write_file(path, &ttx::compare::trend_chart::page(&trend))?;
        eprintln!("wrote {}", path.display());
    }
    write_stdout(&trend.table());
    Ok(())
}
