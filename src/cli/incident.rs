//! `ttx incident import`: a real incident's timeline read against its scenario, written as an
//! incident record (results format), a postmortem in Markdown and HTML, and its placement
//! among simulated runs printed.

use std::path::PathBuf;

use super::error::CliError;
use super::output::{self, refuse_existing, refuse_stdout_folder};
use ttx::incident::postmortem::Postmortem;
use ttx::incident::time::Offset;
use ttx::incident::{self, Impact};

/// What `ttx incident --help` adds.
pub const HELP: &str = "Timeline format, errors and what the placement means: docs/incidents.md\n\
Exit codes: 0 success · 1 invalid timeline or scenario · 2 usage or I/O error (an output that exists without --force)";

/// Arguments of `ttx incident`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Import a real incident's timeline (CSV or JSON Lines): validate it, place its
    /// milestones among 10,000 simulated runs of its scenario, and with --out write the
    /// incident record (results format: `ttx compare` and `ttx trend` read it like a drill)
    /// and a blameless postmortem (Markdown and HTML).
    #[command(after_help = HELP)]
    Import(ImportArgs),
}

#[derive(Debug, clap::Args)]
struct ImportArgs {
    /// The timeline: CSV under the header `time,kind,actor,text`, or one JSON object per line
    /// with those keys (by extension: .csv, .jsonl; else by content). Kinds: onset, detected,
    /// acknowledged, escalated, contained, recovered, restored, decision, note.
    timeline: PathBuf,
    /// The scenario this incident is a case of (TOML), or a results file that carries it.
    #[arg(long, value_name = "SCENARIO")]
    scenario: PathBuf,
    /// The UTC offset of times written without one (e.g. +01:00, -05:00, UTC); ttx carries
    /// no time-zone database, so give the offset in effect during the incident.
    #[arg(long, value_name = "OFFSET", value_parser = Offset::parse)]
    timezone: Option<Offset>,
    /// A name for the record: `ttx trend` orders by it (2026-Q1, 2026-03-14); without one, by
    /// the onset.
    #[arg(long)]
    label: Option<String>,
    /// Records lost for good, if the team counted them.
    #[arg(long, value_name = "N")]
    records_lost: Option<u64>,
    /// Records delivered late (replayed, backfilled), if the team counted them.
    #[arg(long, value_name = "N")]
    records_delayed: Option<u64>,
    /// Folder to write NAME.results.json, NAME.postmortem.md and NAME.postmortem.html in (NAME:
    /// the timeline's file name without its extension); without it, only the placement is
    /// printed.
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also write the postmortem's action items (and an item for each milestone slower than
    /// three simulated runs in four) as an improvement plan to start from, for `ttx plan
    /// status` (docs/improvement-plans.md).
    #[arg(long, value_name = "PATH")]
    plan_out: Option<PathBuf>,
    /// Replace those files if they exist.
    #[arg(long)]
    force: bool,
}

/// Carries out `ttx incident`.
pub fn exec(args: Args) -> Result<(), CliError> {
    match args.command {
        Sub::Import(args) => import(args),
    }
}

fn import(args: ImportArgs) -> Result<(), CliError> {
    let stem = args.timeline.file_stem().map_or_else(
        || "incident".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let files: Vec<PathBuf> = match &args.out {
        Some(dir) => {
            refuse_stdout_folder(dir, "--out")?;
            ["results.json", "postmortem.md", "postmortem.html"]
                .iter()
                .map(|ext| dir.join(format!("{stem}.{ext}")))
                .collect()
        }
        None => Vec::new(),
    };
    let outputs = refuse_existing(files.iter().chain(&args.plan_out), args.force)?;
    let loaded = super::load_scenario_or_results(Some(&args.scenario))?;
    let name = args.timeline.display().to_string();
    let bytes =
        ttx::input::read(&args.timeline, ttx::input::InputKind::Timeline).map_err(|source| {
            CliError::io(
                anyhow::Error::new(source).context(format!("could not read timeline '{name}'")),
            )
        })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::invalid(anyhow::anyhow!(
            "'{name}' is not UTF-8 text (byte {}): save the timeline as UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let impact = Impact {
        lost: args.records_lost,
        delayed: args.records_delayed,
    };
    let imported = incident::import(
        &name,
        &text,
        args.timezone,
        &loaded.scenario,
        args.label,
        impact,
    )?;
    let scenario_path = args.scenario.display().to_string();
    let mut summary = format!(
        "{} · incident from {} · onset {}\n",
        imported.record.scenario.name,
        name,
        imported.timeline.onset().at.local()
    );
    for placement in &imported.placements {
        if placement.metric == ttx::compare::placement::RECORDS_LOST && impact.lost.is_none() {
            continue;
        }
        summary.push_str(&placement.describe().replacen("your ", "your real ", 1));
        summary.push('\n');
    }
    if files.is_empty() {
        summary.push_str("note: pass --out DIR to write the incident record and its postmortem\n");
    } else {
        let postmortem = Postmortem::new(&imported, &loaded.scenario, &scenario_path);
        let contents = [
            imported.record.to_json(),
            postmortem.markdown(),
            postmortem.html(),
        ];
        let pairs: Vec<(PathBuf, String)> = files.iter().cloned().zip(contents).collect();
        outputs.write_all(&pairs)?;
        for path in &files {
            outputs.wrote(path);
        }
    }
    if let Some(path) = &args.plan_out {
        let plan = ttx::plan::seed::from_incident(&imported, super::report::today());
        outputs.write(path, &plan)?;
        outputs.wrote(path);
    }
    output::print(&summary)
}
