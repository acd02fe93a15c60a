//! `ttx drill` and `ttx replay JOURNAL.jsonl` as the binary runs them: load or resume, serve
//! the live drill, then write the results and the after-action report next to the journal.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use super::journal::{self, JournalRead};
use super::live::{self, LiveOptions};
use super::{Drill, Ended, StartOptions, human_roles, new_token, rescore};
use crate::compare::placement;
use crate::drill::report::DrillReport;
use crate::model::StreamKeys;
use crate::report;
use crate::scenario::{self, Loaded};

/// What `ttx drill` was asked to do.
pub struct DrillArgs {
    /// The scenario; `None` for the bundled default (ignored when resuming).
    pub scenario: Option<Loaded>,
    /// Seed; `None` draws one (and prints and journals it).
    pub seed: Option<u64>,
    /// Speed; `None`: 1, or the journal's when resuming.
    pub speed: Option<f64>,
    /// Role ids played by people.
    pub humans: Vec<String>,
    /// Journal path for a new drill; `None`: `reports/<scenario>-drill-<date>.jsonl`.
    pub journal: Option<PathBuf>,
    /// A journal to resume.
    pub resume: Option<PathBuf>,
    /// Address of the participant pages.
    pub listen: SocketAddr,
    /// Whether to read console commands from standard input.
    pub console: bool,
}

/// A failed drill command: `invalid` input (exit 1) or anything else (exit 2).
#[derive(Debug)]
pub struct Failure {
    /// Whether the input was invalid (a scenario, a journal) rather than unusable.
    pub invalid: bool,
    /// What went wrong.
    pub error: anyhow::Error,
}

impl Failure {
    fn invalid(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            invalid: true,
            error: error.into(),
        }
    }
    fn io(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            invalid: false,
            error: error.into(),
        }
    }
}

/// Files a finished drill wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The results (`ttx compare`, `ttx report` read them).
    pub results: PathBuf,
    /// The Markdown report.
    pub markdown: PathBuf,
    /// The HTML report.
    pub html: PathBuf,
}

/// Reads a journal and compiles the scenario it carries.
fn open_journal(path: &Path) -> Result<(JournalRead, Loaded), Failure> {
    let read = journal::read(path).map_err(|e| match e {
        journal::JournalError::Io { .. } => Failure::io(e),
        _ => Failure::invalid(e),
    })?;
    let shown = format!("{}#start.source", path.display());
    let loaded = scenario::from_str(&shown, &read.start().source).map_err(Failure::invalid)?;
    Ok((read, loaded))
}

/// `ttx drill`: runs (or resumes) a live drill to its end and writes its outputs.
pub fn drill(args: DrillArgs) -> Result<Written, Failure> {
    if !args.listen.ip().is_loopback() {
        eprintln!(
            "warning: serving participant pages on {}, reachable from other machines; anyone with a join link can act for its role",
            args.listen
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Failure::io)?;
    let (ended, journal_path) = if let Some(path) = &args.resume {
        let (read, loaded) = open_journal(path)?;
        if read.ended().is_some() {
            return Err(Failure::invalid(anyhow::anyhow!(
                "{}: this drill has ended; re-score it with `ttx replay {}`",
                path.display(),
                path.display()
            )));
        }
        let start = read.start().clone();
        let keys = StreamKeys::new(&loaded.scenario, start.seed);
        let mut drill =
            Drill::resume(&loaded.scenario, &keys, &read, path).map_err(Failure::invalid)?;
        if let Some(speed) = args.speed {
            drill.speed = speed;
        }
        let options = LiveOptions {
            listen: args.listen,
            tokens: start.tokens.clone(),
            console: args.console,
        };
        let ended = runtime
            .block_on(live::run(drill, options))
            .map_err(Failure::io)?;
        (ended, path.clone())
    } else {
        let loaded = args.scenario.unwrap_or_else(scenario::default_scenario);
        let humans = human_roles(&loaded.scenario, &args.humans)
            .map_err(|message| Failure::io(anyhow::anyhow!("--humans: {message}")))?;
        let seed = args.seed.unwrap_or_else(|| {
            use rand::RngExt;
            rand::rng().random_range(1..1_000_000)
        });
        let journal_path = args.journal.clone().unwrap_or_else(|| {
            crate::render::paths::free_report_path(
                Path::new("reports"),
                &format!("{}-drill", loaded.scenario.meta.name),
                "jsonl",
            )
        });
        let tokens: BTreeMap<String, String> = humans
            .iter()
            .map(|&r| (loaded.scenario.roles[r].id.clone(), new_token()))
            .collect();
        let keys = StreamKeys::new(&loaded.scenario, seed);
        let drill = Drill::start(
            &loaded.scenario,
            &keys,
            StartOptions {
                seed,
                speed: args.speed.unwrap_or(1.0),
                humans,
                tokens: tokens.clone(),
                journal: &journal_path,
            },
        )
        .map_err(Failure::io)?;
        println!("seed {seed}; decision log: {}", journal_path.display());
        let options = LiveOptions {
            listen: args.listen,
            tokens,
            console: args.console,
        };
        let ended = runtime
            .block_on(live::run(drill, options))
            .map_err(Failure::io)?;
        (ended, journal_path)
    };
    let (written, report) = write_outputs(&journal_path, &ended)?;
    println!();
    for p in &report.placements {
        println!("{}", p.sentence);
    }
    println!(
        "\nresults: {}\nreport: {} and {}",
        written.results.display(),
        written.markdown.display(),
        written.html.display()
    );
    Ok(written)
}

/// Places the drill against the simulation and writes results and reports beside the
/// journal (`X.jsonl` → `X.results.json`, `X.report.md`, `X.report.html`), never replacing a
/// file: an existing name gets `-2`, `-3`, ...
pub fn write_outputs(journal: &Path, ended: &Ended) -> Result<(Written, DrillReport), Failure> {
    let results = &ended.results;
    let name = journal.display().to_string();
    let simulated = placement::simulate(
        &name,
        results,
        placement::PLACEMENT_RUNS,
        placement::PLACEMENT_SEED,
    )
    .map_err(Failure::invalid)?;
    let placements = placement::place(&results.per_run[0], &simulated);
    let shown = format!("{name}#scenario.source");
    let loaded = scenario::from_str(&shown, &results.scenario.source).map_err(Failure::invalid)?;
    let report = DrillReport::new(results, placements, &simulated, &ended.feed).with_toolkit(
        &loaded.scenario,
        &results.per_run[0],
        &ended.modules_started,
    );
    let written = Written {
        results: free_sibling(journal, "results.json"),
        markdown: free_sibling(journal, "report.md"),
        html: free_sibling(journal, "report.html"),
    };
    write_new(&written.results, &results.to_json())?;
    write_new(&written.markdown, &report.markdown())?;
    write_new(&written.html, &report.html())?;
    Ok((written, report))
}

fn free_sibling(journal: &Path, suffix: &str) -> PathBuf {
    let stem = journal
        .file_stem()
        .map_or("drill".to_string(), |s| s.to_string_lossy().into_owned());
    let dir = journal.parent().unwrap_or(Path::new(""));
    let mut candidate = dir.join(format!("{stem}.{suffix}"));
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{stem}-{n}.{suffix}"));
        n += 1;
    }
    candidate
}

fn write_new(path: &Path, content: &str) -> Result<(), Failure> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| f.write_all(content.as_bytes()))
        .map_err(|e| {
            Failure::io(
                anyhow::Error::new(e).context(format!("could not write '{}'", path.display())),
            )
        })
}

/// `ttx replay JOURNAL.jsonl`: re-scores a drill from its journal. Returns the drill's
/// timeline and scores as text, or its results as JSON.
pub fn replay_journal(path: &Path, json: bool) -> Result<String, Failure> {
    let (read, loaded) = open_journal(path)?;
    let keys = StreamKeys::new(&loaded.scenario, read.start().seed);
    let (results, _, _) =
        rescore(&loaded.scenario, &keys, &read, path).map_err(Failure::invalid)?;
    if json {
        return Ok(results.to_json());
    }
    let mut out = String::new();
    for entry in &read.entries {
        let item = super::FeedItem::of(entry);
        let who = if item.roles.is_empty() {
            String::new()
        } else {
            format!("[{}] ", item.roles.join(", "))
        };
        out.push_str(&format!(
            "{}  {who}{}\n",
            super::clock::format_minutes(item.t),
            item.text
        ));
    }
    if read.ended().is_none() {
        out.push_str("(the drill has not ended: scored where its journal stops)\n");
    }
    out.push('\n');
    out.push_str(&report::table::render(&results));
    Ok(out)
}
