//! `ttx drill` and `ttx replay JOURNAL.jsonl` as the binary runs them: load or resume, serve
//! the live drill, then write the results and the after-action report next to the journal;
//! re-score a journal. The library's [`ttx::drill`] runs the drill and builds its report; this
//! module is what prints and writes files.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use super::error::{CliError, usage};
use super::output;
use ttx::compare::placement;
use ttx::drill::journal::{self, JournalError, JournalRead};
use ttx::drill::live::{self, LiveOptions};
use ttx::drill::report::DrillReport;
use ttx::drill::{Drill, Ended, FeedItem, StartOptions, human_roles, new_token, rescore};
use ttx::model::StreamKeys;
use ttx::results::MicroInfo;
use ttx::scenario::{self, Loaded};

/// Console commands and exit codes of `ttx drill`.
pub const HELP: &str = "Example: ttx drill scenarios/lead-sync-schema-drift.toml --humans on-call,incident-commander --speed 10\n\nPrints a join link per human role; type `help` at the console for its commands (pause, resume, speed N, inject ID, note TEXT, as ROLE run ACTION, end, ...). See docs/facilitator-guide.md.\n\nExit codes: 0 the drill ended and its report was written · 1 invalid scenario or journal · 2 usage or I/O error (a journal path that exists, an address in use)";

/// Arguments of `ttx drill`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file; the bundled default scenario when omitted.
    #[arg(conflicts_with = "resume")]
    scenario: Option<PathBuf>,
    /// Seed: the drill plays run 0 of it [default: drawn at random, printed and journaled].
    #[arg(long, short = 's', conflicts_with = "resume")]
    seed: Option<u64>,
    /// Scenario minutes per wall minute (10 = ten scenario minutes pass each wall minute)
    /// [default: 1, or the journal's when resuming].
    #[arg(long, value_parser = ttx::drill::clock::parse_speed)]
    speed: Option<f64>,
    /// Roles played by people, comma-separated role ids; the others are simulated.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ROLE,...",
        conflicts_with = "resume"
    )]
    humans: Vec<String>,
    /// Where the decision log goes (must not exist)
    /// [default: reports/<scenario>-drill-<date>.jsonl].
    #[arg(long, value_name = "PATH", conflicts_with = "resume")]
    journal: Option<PathBuf>,
    /// A name for the drill, such as the quarter (2026-Q3) or a date (2026-07-15): journaled,
    /// carried into its results and reports; `ttx trend` orders drills by it.
    #[arg(long, conflicts_with = "resume")]
    label: Option<String>,
    /// Continue the drill a journal records, from where the journal ends.
    #[arg(long, value_name = "JOURNAL")]
    resume: Option<PathBuf>,
    /// Address of the participant pages. Anything but a loopback address makes them
    /// reachable from other machines (a warning says so).
    #[arg(long, default_value = "127.0.0.1:8300", value_name = "ADDR:PORT")]
    listen: SocketAddr,
    /// Do not read console commands from standard input.
    #[arg(long)]
    no_console: bool,
    /// Jump the clock over idle time, where nothing reaches a person (no page, inject or
    /// other item for a role a person plays, no module start); journaled, so a resumed drill
    /// keeps it. `fast-forward on|off` at the console toggles it.
    #[arg(long)]
    fast_forward_idle: bool,
    /// Who plays a role, ROLE=NAME (repeatable): journaled, kept in the results and the
    /// report, counted by `ttx roster`. Players can also give their name on their page.
    #[arg(long = "player", value_name = "ROLE=NAME", value_parser = ttx::drill::players::parse_assignment)]
    players: Vec<(String, String)>,
    /// A micro-exercise of one module: the drill skips to the module's start and plays a
    /// time box of --minutes wall minutes at the chosen speed from there; its results are
    /// marked as a micro-exercise.
    #[arg(long, value_name = "ID", conflicts_with_all = ["resume", "preset"])]
    module: Option<String>,
    /// A short preset: `micro` plays a time box of --minutes wall minutes from the first
    /// moment a person sees something (from the start when nobody plays), marked as a
    /// micro-exercise.
    #[arg(long, value_enum, conflicts_with = "resume")]
    preset: Option<Preset>,
    /// Wall minutes of a micro-exercise's time box (with --module or --preset micro).
    #[arg(long, default_value_t = MICRO_MINUTES, value_parser = parse_minutes)]
    minutes: f64,
}

/// Wall minutes a micro-exercise lasts unless `--minutes` says otherwise.
pub const MICRO_MINUTES: f64 = 20.0;

/// A short exercise shape (`ttx drill --preset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Preset {
    /// A micro-exercise: a time box of `--minutes` from the first moment a person is paged.
    Micro,
}

fn parse_minutes(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(m) if m.is_finite() && m > 0.0 && m <= 240.0 => Ok(m),
        _ => Err(format!(
            "`{text}` is not a number of wall minutes above 0 and at most 240 (a micro-exercise takes 15 to 20)"
        )),
    }
}

impl Args {
    /// The micro-exercise's time box, checked against the scenario, if one is asked for.
    fn micro(
        &self,
        scenario: &ttx::scenario::Scenario,
        speed: f64,
    ) -> Result<Option<MicroInfo>, CliError> {
        if let Some(id) = &self.module
            && !scenario.modules.iter().any(|m| m.id == *id)
        {
            let ids: Vec<&str> = scenario.modules.iter().map(|m| m.id.as_str()).collect();
            return Err(if ids.is_empty() {
                usage!("--module {id}: this scenario has no [[modules]]; use --preset micro")
            } else {
                usage!(
                    "--module {id}: no such module in this scenario; its modules are {}",
                    ids.join(", ")
                )
            });
        }
        if self.module.is_none() && self.preset.is_none() {
            return Ok(None);
        }
        Ok(Some(MicroInfo {
            module: self.module.clone(),
            minutes: self.minutes,
            window: self.minutes * speed,
        }))
    }

    /// Journals `--player` names: as the console's `player ROLE NAME` would.
    fn name_players(&self, drill: &mut Drill<'_>) -> Result<(), CliError> {
        for (role, name) in &self.players {
            let r = human_roles(drill.scenario(), std::slice::from_ref(role))
                .map_err(|message| usage!("--player {role}={name}: {message}"))?[0];
            drill.set_player(r, name).map_err(CliError::io)?;
        }
        Ok(())
    }
}

/// Files a finished drill wrote.
struct Written {
    /// The results (`ttx compare`, `ttx report` read them).
    results: PathBuf,
    /// The Markdown report.
    markdown: PathBuf,
    /// The HTML report.
    html: PathBuf,
}

/// Runs (or resumes) a live drill to its end, writes its outputs and says where they are.
pub fn exec(args: Args) -> Result<(), CliError> {
    // A new drill's scenario is loaded before anything is served.
    let scenario = match (&args.resume, &args.scenario) {
        (None, Some(path)) => Some(super::load_scenario(Some(path))?),
        _ => None,
    };
    if !args.listen.ip().is_loopback() {
        eprintln!(
            "warning: serving participant pages on {}, reachable from other machines; anyone with a join link can act for its role",
            args.listen
        );
    }
    let runtime = DrillRuntime(Some(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(CliError::io)?,
    ));
    let console = !args.no_console;
    let (ended, journal_path) = if let Some(path) = &args.resume {
        let (read, loaded) = open_journal(path)?;
        if read.ended().is_some() {
            return rebuild_outputs(path, &read, &loaded);
        }
        let start = read.start().clone();
        let keys = start.stream_keys(&loaded.scenario);
        let listener = live::bind(args.listen).map_err(CliError::io)?;
        let mut drill =
            Drill::resume(&loaded.scenario, &keys, &read, path).map_err(CliError::invalid)?;
        // The drill goes on at the speed it had, paused if it was; `--speed` sets a new one,
        // journaled like a `speed` typed at the console.
        if let Some(speed) = args.speed {
            drill
                .control(&format!("speed {speed}"))
                .map_err(CliError::io)?;
        }
        if args.fast_forward_idle && !drill.fast_forward_state() {
            drill
                .control(ttx::drill::FAST_FORWARD_ON)
                .map_err(CliError::io)?;
        }
        args.name_players(&mut drill)?;
        let options = LiveOptions {
            listener,
            tokens: start.tokens.clone(),
            // A journal written before the facilitator's page has no token for it: this
            // session gets a fresh one.
            facilitator_token: start.facilitator_token.clone().unwrap_or_else(new_token),
            console,
            out: Box::new(std::io::stdout()),
        };
        let ended = runtime
            .get()
            .block_on(live::run(drill, options))
            .map_err(CliError::io)?;
        (ended, path.clone())
    } else {
        let loaded = scenario.unwrap_or_else(scenario::default_scenario);
        let humans = human_roles(&loaded.scenario, &args.humans)
            .map_err(|message| usage!("--humans: {message}"))?;
        let speed = args.speed.unwrap_or(1.0);
        let micro = args.micro(&loaded.scenario, speed)?;
        for (role, name) in &args.players {
            human_roles(&loaded.scenario, std::slice::from_ref(role))
                .map_err(|message| usage!("--player {role}={name}: {message}"))?;
        }
        let seed = args.seed.unwrap_or_else(|| {
            use rand::RngExt;
            rand::rng().random_range(1..1_000_000)
        });
        let journal_path = args.journal.clone().unwrap_or_else(|| {
            ttx::render::paths::free_report_path(
                Path::new("reports"),
                &format!("{}-drill", loaded.scenario.meta.name),
                "jsonl",
            )
        });
        let tokens: BTreeMap<String, String> = humans
            .iter()
            .map(|&r| (loaded.scenario.roles[r].id.clone(), new_token()))
            .collect();
        let facilitator_token = new_token();
        let keys = StreamKeys::new(&loaded.scenario, seed);
        // Bound before the journal exists: an address in use leaves nothing behind.
        let listener = live::bind(args.listen).map_err(CliError::io)?;
        let mut drill = Drill::start(
            &loaded.scenario,
            &keys,
            StartOptions {
                seed,
                speed,
                humans,
                tokens: tokens.clone(),
                facilitator_token: Some(facilitator_token.clone()),
                journal: &journal_path,
                label: args.label.clone(),
                micro,
            },
        )
        .map_err(CliError::io)?;
        if args.fast_forward_idle {
            drill
                .control(ttx::drill::FAST_FORWARD_ON)
                .map_err(CliError::io)?;
        }
        args.name_players(&mut drill)?;
        // A micro-exercise begins where its play does: journaled like a `skip`.
        drill.skip_to_box().map_err(CliError::io)?;
        output::print(&format!(
            "seed {seed}; decision log: {}\n",
            journal_path.display()
        ))?;
        let options = LiveOptions {
            listener,
            tokens,
            facilitator_token,
            console,
            out: Box::new(std::io::stdout()),
        };
        let ended = runtime
            .get()
            .block_on(live::run(drill, options))
            .map_err(CliError::io)?;
        (ended, journal_path)
    };
    let (written, report) = write_outputs(&journal_path, &ended)?;
    let mut text = String::from("\n");
    for p in &report.placements {
        text.push_str(&format!("{}\n", p.sentence));
    }
    text.push_str(&format!(
        "\nresults: {}\nreport: {} and {}\n",
        written.results.display(),
        written.markdown.display(),
        written.html.display()
    ));
    output::print(&text)
}

/// The drill's tokio runtime, shut down without waiting for its blocking threads: the console
/// reads stdin on one, and a plain drop would wait for another line of input after `end` was
/// typed at a terminal (or after an error), so the drill would not exit.
struct DrillRuntime(Option<tokio::runtime::Runtime>);

impl DrillRuntime {
    fn get(&self) -> &tokio::runtime::Runtime {
        self.0
            .as_ref()
            .expect("the runtime lives until the drill is dropped")
    }
}

impl Drop for DrillRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// Reads a journal and compiles the scenario it carries.
fn open_journal(path: &Path) -> Result<(JournalRead, Loaded), CliError> {
    let read = journal::read(path).map_err(|e| match e {
        JournalError::Io { .. } => CliError::io(e),
        _ => CliError::invalid(e),
    })?;
    let shown = format!("{}#start.source", path.display());
    let loaded = scenario::from_str(&shown, &read.start().source)?;
    Ok((read, loaded))
}

/// The outputs of an ended drill, in order: results, Markdown and HTML report, each with
/// the suffix of its file beside the journal.
pub(super) const OUTPUTS: [&str; 3] = ["results.json", "report.md", "report.html"];

/// Places the drill against the simulation and builds its outputs (see [`OUTPUTS`]): a pure
/// function of the ended drill, so a drill re-scored from its journal builds the same bytes.
fn outputs(journal: &Path, ended: &Ended) -> Result<([String; 3], DrillReport), CliError> {
    let results = &ended.results;
    let name = journal.display().to_string();
    let simulated = placement::simulate(
        &name,
        results,
        placement::PLACEMENT_RUNS,
        placement::PLACEMENT_SEED,
    )
    .map_err(CliError::invalid)?;
    let placements = placement::place(&results.per_run[0], &simulated);
    let loaded = results.compile_scenario(journal)?;
    let report = DrillReport::new(results, placements, &simulated, &ended.feed)
        .with_toolkit(
            &loaded.scenario,
            &results.per_run[0],
            &ended.modules_started,
        )
        .with_ending(&ended.open_steps, &ended.undelivered);
    Ok((
        [results.to_json(), report.markdown(), report.html()],
        report,
    ))
}

/// Writes the outputs beside the journal (`X.jsonl` → `X.results.json`, `X.report.md`,
/// `X.report.html`), never replacing a file: an existing name gets `-2`, `-3`, ...
fn write_outputs(journal: &Path, ended: &Ended) -> Result<(Written, DrillReport), CliError> {
    let (contents, report) = outputs(journal, ended)?;
    let [results, markdown, html] = OUTPUTS.map(|suffix| free_sibling(journal, suffix));
    for (path, content) in [&results, &markdown, &html].into_iter().zip(&contents) {
        output::Outputs::new_files().write(path, content)?;
    }
    Ok((
        Written {
            results,
            markdown,
            html,
        },
        report,
    ))
}

/// The drill a journal records, re-scored: ended where its `end` entry says, or where the
/// journal stops.
fn rescored(path: &Path, read: &JournalRead, loaded: &Loaded) -> Result<Ended, CliError> {
    let keys = read.start().stream_keys(&loaded.scenario);
    rescore(&loaded.scenario, &keys, read, path).map_err(CliError::invalid)
}

/// A drill rebuilt from its journal (`ttx report JOURNAL.jsonl`).
pub(super) struct Rebuilt {
    /// The drill's own outputs (see [`OUTPUTS`]), the bytes the drill wrote.
    pub contents: [String; 3],
    /// Whether the drill had ended (one that had not is scored where its journal stops).
    pub ended: bool,
    /// Its report, for a plan to start from (`--plan-out`).
    pub report: DrillReport,
    /// Its results.
    pub results: ttx::results::Results,
}

/// `ttx report JOURNAL.jsonl`: the drill's own outputs (see [`OUTPUTS`]: results, Markdown
/// and HTML report) rebuilt from its journal alone, with its report and results.
pub(super) fn journal_outputs(path: &Path) -> Result<Rebuilt, CliError> {
    let (read, loaded) = open_journal(path)?;
    let ended = rescored(path, &read, &loaded)?;
    let (contents, report) = outputs(path, &ended)?;
    Ok(Rebuilt {
        contents,
        ended: read.ended().is_some(),
        report,
        results: ended.results,
    })
}

/// `ttx drill --resume` of an ended drill: re-scores it from its journal and writes the
/// outputs a stop after the `end` entry left unwritten (`X.results.json`, `X.report.md`,
/// `X.report.html` that do not exist), the same bytes the drill would have written.
fn rebuild_outputs(path: &Path, read: &JournalRead, loaded: &Loaded) -> Result<(), CliError> {
    let ended = rescored(path, read, loaded)?;
    let missing: Vec<(PathBuf, usize)> = (OUTPUTS.iter().enumerate())
        .map(|(i, suffix)| (sibling(path, suffix), i))
        .filter(|(p, _)| !p.exists())
        .collect();
    let mut text = format!("{}: this drill has ended; ", path.display());
    if missing.is_empty() {
        text.push_str("its results and reports are all there, nothing to write\n");
        return output::print(&text);
    }
    let (contents, _) = outputs(path, &ended)?;
    text.push_str("rebuilt from its journal:\n");
    for (file, i) in missing {
        output::Outputs::new_files().write(&file, &contents[i])?;
        text.push_str(&format!("  {}\n", file.display()));
    }
    output::print(&text)
}

/// `X.jsonl` → `X.<suffix>`.
fn sibling(journal: &Path, suffix: &str) -> PathBuf {
    let stem = journal
        .file_stem()
        .map_or("drill".to_string(), |s| s.to_string_lossy().into_owned());
    journal
        .parent()
        .unwrap_or(Path::new(""))
        .join(format!("{stem}.{suffix}"))
}

/// `X.jsonl` → `X.<suffix>`, or `X-2.<suffix>`, `X-3.<suffix>`, ... if that exists.
pub(super) fn free_sibling(journal: &Path, suffix: &str) -> PathBuf {
    let first = sibling(journal, suffix);
    let stem = journal
        .file_stem()
        .map_or("drill".to_string(), |s| s.to_string_lossy().into_owned());
    let dir = journal.parent().unwrap_or(Path::new(""));
    let mut candidate = first;
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{stem}-{n}.{suffix}"));
        n += 1;
    }
    candidate
}

/// `ttx replay JOURNAL.jsonl`: re-scores a drill from its journal. Returns the drill's
/// timeline and scores as text, or its results as JSON.
pub fn replay_journal(path: &Path, json: bool) -> Result<String, CliError> {
    let (read, loaded) = open_journal(path)?;
    let results = rescored(path, &read, &loaded)?.results;
    if json {
        return Ok(results.to_json());
    }
    let mut out = String::new();
    for entry in &read.entries {
        out.push_str(&FeedItem::of(entry).line());
        out.push('\n');
    }
    if read.ended().is_none() {
        out.push_str("(the drill has not ended: scored where its journal stops)\n");
    }
    out.push('\n');
    out.push_str(&ttx::report::table::render(&results));
    Ok(out)
}
