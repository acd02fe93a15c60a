//! The command line, private to the binary: [`Cli`] and its [`Command`]s, one file per
//! subcommand holding its `#[derive(Args)]` struct and its `exec`, which carries it out with
//! the library. [`exec`] dispatches; [`error`] holds the one error type and decides exit
//! codes; [`output`] is everything written (files, stdout, the progress bar). Nothing here
//! computes what the library can: commands load, call, and write.

mod catalog;
mod check;
mod compare;
mod completions;
mod drill;
mod error;
mod incident;
mod man;
mod merge;
mod new;
mod output;
mod packet;
mod paint;
mod plan;
mod power;
mod replay;
mod report;
mod roster;
mod run;
mod sweep;
mod trend;
mod whatif;

use std::path::Path;
use std::sync::LazyLock;

use clap::{Parser, Subcommand};

use error::CliError;
use ttx::results::tally::file::TALLY_FORMAT;
use ttx::results::{RESULTS_FORMAT, Results};
use ttx::scenario::{self, Loaded};

/// Exit codes, documented in `--help` and the README.
const EXIT_CODES: &str = "Exit codes: 0 success · 1 invalid input (a scenario or results file) · 2 usage or I/O error · 130 interrupted";

/// Exit codes of `ttx check`, the one command with `--deny-warnings` (and of `ttx` itself,
/// whose footer speaks for every command).
const CHECK_EXIT_CODES: &str = "Exit codes: 0 success · 1 invalid scenario (or warnings with ttx check --deny-warnings) · 2 usage or I/O error · 130 interrupted";

/// What `ttx --version` says: the crate version, the commit it was built from (`build.rs`;
/// "unknown" from a tarball) and the file formats it writes, so a results file and a bug
/// report can be traced to the tool that made them.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (commit {}; writes {RESULTS_FORMAT} and {TALLY_FORMAT})",
        env!("CARGO_PKG_VERSION"),
        env!("TTX_BUILD_COMMIT"),
    )
});

/// ttx: tabletop-exercise simulator for incidents in no-code and low-code integrations.
#[derive(Debug, Parser)]
#[command(name = "ttx", version = VERSION.as_str(), about, after_help = CHECK_EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// When to colour verdicts, ratings, errors and warnings: auto (on a terminal, unless
    /// NO_COLOR is set; CLICOLOR_FORCE=1 forces it), always or never. Files never hold colour.
    #[arg(long, global = true, value_name = "WHEN", default_value_t = clap::ColorChoice::Auto)]
    pub color: clap::ColorChoice,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate scenario files without running them.
    #[command(after_help = CHECK_EXIT_CODES)]
    Check(check::Args),
    /// Run seeded Monte Carlo replications and print a summary.
    #[command(after_help = EXIT_CODES)]
    Run(run::Args),
    /// Print the full event trace of one run: the very run a batch computed.
    #[command(after_help = EXIT_CODES)]
    Replay(replay::Args),
    /// Run a live facilitated drill: the scenario on a wall clock, people playing roles
    /// through their own web pages, the facilitator at this console; writes a decision log
    /// and, at the end, results and an after-action report beside it.
    #[command(after_help = drill::HELP)]
    Drill(drill::Args),
    /// Run a grid of scenario variants: every combination of the --set values, each validated
    /// like a file and run under the same seed (common random numbers).
    #[command(after_help = sweep::HELP)]
    Sweep(sweep::Args),
    /// Merge shard results (`ttx run --shard K/N --export-json`) into the whole batch's results,
    /// byte for byte what one unsharded run writes; or shard tallies (`--export-tally`) into the
    /// whole batch's summary, byte for byte what `ttx run --export-summary` writes.
    #[command(after_help = merge::HELP)]
    Merge(merge::Args),
    /// Write the after-action report of a results file (from `ttx run --export-json`), or
    /// rebuild a drill's results and reports from its journal (`ttx report X.jsonl`).
    #[command(after_help = EXIT_CODES)]
    Report(report::Args),
    /// Print the JSON Schema of the scenario format (for editor completion).
    Schema,
    /// Print the scenario catalogue (Markdown) of a folder: `ttx catalog scenarios > scenarios/README.md`.
    Catalog(catalog::Args),
    /// Write the exercise packet a facilitator prints before the day: the Situation Manual
    /// (for everyone) and the Master Scenario Events List (controllers only), each as Markdown
    /// and as a self-contained HTML page.
    #[command(after_help = EXIT_CODES)]
    Packet(packet::Args),
    /// Write a commented, valid starting scenario for a failure mode.
    #[command(after_help = EXIT_CODES)]
    New(new::Args),
    /// Compare two results (`ttx run --export-json`, or live drills): per metric, medians and
    /// p90s with 95% intervals that hold at every size (exact Hodges-Lehmann up to about 20 per
    /// side, bootstrap above), one test per metric (exact Mann-Whitney or permutation log-rank
    /// up to about 20 per side, Brunner-Munzel or log-rank above, Fisher for met rates), Holm
    /// across metrics so --alpha holds for the whole comparison, and a verdict: better, worse
    /// or no detectable change. Says when the sizes can never give a verdict; a live drill is
    /// placed among simulated runs of its scenario instead.
    #[command(after_help = compare::HELP)]
    Compare(compare::Args),
    /// How many runs (or drills) per side `ttx compare` needs to call a change of a metric
    /// better with the wanted power, or the smallest change a number per side can detect:
    /// Monte Carlo over the scenario's own runs, deciding exactly as compare does (its test at
    /// that n, Holm across every metric). Says in words when an n can detect nothing at all.
    #[command(after_help = power::HELP)]
    Power(power::Args),
    /// The same exercise over several quarters (batches, live drills and imported real
    /// incidents, across revisions of the scenario): each metric per result with its 95%
    /// interval, which steps between consecutive batches are detectable changes, and each
    /// drill's or incident's placement among simulated runs of its own scenario version, with
    /// what that many can show.
    #[command(after_help = trend::HELP)]
    Trend(trend::Args),
    /// What would an action item buy? Run candidate changes of a scenario (--change "NAME:
    /// KEY=VALUE, ...", key paths as `ttx sweep --set`) against the baseline under common
    /// random numbers and rank them per metric with the change of median and p90, its 95%
    /// interval and a verdict as `ttx compare` gives; or move every numeric parameter both
    /// ways (--sensitivity 20%) and draw a tornado chart per metric.
    #[command(after_help = whatif::HELP)]
    Whatif(whatif::Args),
    /// Track an improvement plan (TOML): what is overdue, open and done, and whether later
    /// drills and batches show each done item's expected effect, with honest small-n words.
    Plan(plan::Args),
    /// Bring a real incident in: `ttx incident import TIMELINE --scenario SCENARIO` validates
    /// its timeline, places it among simulated runs of its scenario and writes an incident
    /// record and a blameless postmortem.
    #[command(after_help = incident::HELP)]
    Incident(incident::Args),
    /// Who has played which role over a folder of drill results (times, last day), and a
    /// proposed next rotation so that everyone comes to cover every role.
    #[command(after_help = roster::HELP)]
    Roster(roster::Args),
    /// Print the shell completion script for bash, zsh, fish, powershell or elvish.
    Completions(completions::Args),
    /// Print the manual page ttx(1) in roff (`ttx man | man -l -`).
    Man(man::Args),
}

/// Carries out the command line's command.
pub fn exec(cli: Cli) -> Result<(), CliError> {
    paint::choose(cli.color);
    match cli.command {
        Command::Check(args) => check::exec(args),
        Command::Run(args) => run::exec(args),
        Command::Replay(args) => replay::exec(args),
        Command::Drill(args) => drill::exec(args),
        Command::Sweep(args) => sweep::exec(args),
        Command::Merge(args) => merge::exec(args),
        Command::Report(args) => report::exec(args),
        Command::Schema => output::print(&format!("{:#}\n", scenario::schema::json_schema())),
        Command::Catalog(args) => catalog::exec(args),
        Command::Packet(args) => packet::exec(args),
        Command::New(args) => new::exec(args),
        Command::Compare(args) => compare::exec(args),
        Command::Power(args) => power::exec(args),
        Command::Trend(args) => trend::exec(args),
        Command::Whatif(args) => whatif::exec(args),
        Command::Plan(args) => plan::exec(args),
        Command::Incident(args) => incident::exec(args),
        Command::Roster(args) => roster::exec(args),
        Command::Completions(args) => completions::exec(args),
        Command::Man(args) => man::exec(args),
    }
}

/// A scenario file, or the bundled default without one.
fn load_scenario(path: Option<&Path>) -> Result<Loaded, CliError> {
    match path {
        None => Ok(scenario::default_scenario()),
        Some(path) => Ok(scenario::load(path)?),
    }
}

/// How diagnostics name a scenario given as `path` (the default's shipped path without one).
fn scenario_name(path: Option<&Path>) -> String {
    path.map_or(scenario::DEFAULT_SCENARIO_PATH.to_string(), |p| {
        p.display().to_string()
    })
}

/// A scenario file, or the scenario a results file carries (`.json`).
fn load_scenario_or_results(path: Option<&Path>) -> Result<Loaded, CliError> {
    match path {
        Some(path) if path.extension().is_some_and(|e| e == "json") => {
            Ok(Results::read(path)?.compile_scenario(path)?)
        }
        _ => load_scenario(path),
    }
}

/// Prints every diagnostic of the invalid variants of a scenario (sweep grid points, whatif
/// changes) and the error that ends the command: "N {what} are invalid; each error above
/// names the {option} that caused it" (exit 1).
fn invalid_variants(errors: &[scenario::LoadError], what: &str, option: &str) -> CliError {
    use std::io::Write as _;
    let mut stderr = std::io::stderr().lock();
    for error in errors {
        let _ = write!(stderr, "{error}");
    }
    CliError::invalid(anyhow::anyhow!(
        "{} {what} are invalid; each error above names the {option} that caused it",
        errors.len()
    ))
}

/// A probability strictly between 0 and 1 (a significance level, a power).
fn parse_probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(a) if a > 0.0 && a < 1.0 => Ok(a),
        _ => Err(format!(
            "`{text}` is not a probability strictly between 0 and 1 (e.g. 0.05 for --alpha, 0.8 for --power)"
        )),
    }
}

/// A number of runs: a whole number, at least 1 (said in words, not as a Rust range).
pub(crate) fn parse_runs(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err("a batch needs at least 1 run".to_string()),
        Ok(runs) => Ok(runs),
        Err(_) => Err(format!(
            "expected a whole number of runs, at least 1 (at most {})",
            u64::MAX
        )),
    }
}
