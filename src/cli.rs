//! Command-line definitions (clap). Only shapes here; `main.rs` carries them out.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Exit codes, documented in `--help` and the README.
pub const EXIT_CODES: &str = "Exit codes: 0 success · 1 invalid scenario (or warnings with --deny-warnings) · 2 usage or I/O error";

/// Key paths and exit codes of `ttx sweep`.
pub const SWEEP_HELP: &str = "Example: ttx sweep --set detectors.zap-error-email.latency.mean=5m,10m,20m --runs 2000 --html sweep.html\n\nArray entries are addressed by id (or a severity's level) or by index: roles.on-call.acknowledge, escalation.severities.SEV2.acknowledge_within, detectors[0].miss.\n\nExit codes: 0 success · 1 a grid point's scenario is invalid (each diagnostic names its --set) · 2 usage or I/O error: a --set that names no value of the scenario, or an output file that exists (without --force)";

/// Console commands and exit codes of `ttx drill`.
pub const DRILL_HELP: &str = "Example: ttx drill scenarios/lead-sync-schema-drift.toml --humans on-call,incident-commander --speed 10\n\nPrints a join link per human role; type `help` at the console for its commands (pause, resume, speed N, inject ID, note TEXT, as ROLE run ACTION, end, ...). See docs/facilitator-guide.md.\n\nExit codes: 0 the drill ended and its report was written · 1 invalid scenario or journal · 2 usage or I/O error (a journal path that exists, an address in use)";

fn parse_speed(text: &str) -> Result<f64, String> {
    ttx::drill::clock::parse_speed(text)
}

/// Exit codes of `ttx merge`.
pub const MERGE_EXIT_CODES: &str = "Exit codes: 0 success · 1 the parts are not one whole batch (not a results or tally file, not a shard, another scenario, seed, shard count or total, a missing or duplicated shard, results and tally files mixed, a damaged tally) · 2 usage or I/O error, --export-csv with tally files, or an output file that exists (without --force)";

/// ttx: tabletop-exercise simulator for incidents in no-code and low-code integrations.
#[derive(Debug, Parser)]
#[command(name = "ttx", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate scenario files without running them.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Treat warnings as errors (exit 1).
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Run seeded Monte Carlo replications and print a summary.
    #[command(after_help = EXIT_CODES)]
    Run {
        /// Scenario file; the bundled default scenario when omitted.
        scenario: Option<PathBuf>,
        /// Number of replications.
        #[arg(long, short = 'n', default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
        runs: u64,
        /// Master seed: same scenario + same seed = identical results.
        #[arg(long, short = 's', default_value_t = 1)]
        seed: u64,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, short = 't', value_parser = clap::value_parser!(u64).range(1..=1024))]
        threads: Option<u64>,
        /// Write the results as JSON to this path.
        #[arg(long, value_name = "PATH")]
        export_json: Option<PathBuf>,
        /// Write one CSV row per run to this path.
        #[arg(long, value_name = "PATH")]
        export_csv: Option<PathBuf>,
        /// Also write the after-action report (Markdown and HTML) into this folder.
        #[arg(long, value_name = "DIR")]
        report: Option<PathBuf>,
        /// Run only shard K of N: runs [(K-1)·R/N, K·R/N) of R = --runs; `ttx merge` joins the
        /// shards' --export-json files into the whole batch's results.
        #[arg(long, value_name = "K/N", conflicts_with = "report")]
        shard: Option<ttx::results::Shard>,
        /// Write the summary as JSON to this path: a results file without per-run rows
        /// (`"summary_only": true`), so memory stays small for any number of runs.
        #[arg(long, value_name = "PATH")]
        export_summary: Option<PathBuf>,
        /// With --shard: write the shard's tally (about 40 bytes per run) to this path;
        /// `ttx merge` joins the shards' tally files into the whole batch's summary.
        #[arg(long, value_name = "PATH", requires = "shard")]
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
    },
    /// Print the full event trace of one run: the very run a batch computed.
    #[command(after_help = EXIT_CODES)]
    Replay {
        /// Scenario file (the bundled default scenario when omitted), or a results file from
        /// `ttx run --export-json` (its scenario text and seed are used).
        scenario: Option<PathBuf>,
        /// Master seed of the batch [default: 1, or the results file's seed].
        #[arg(long, short = 's')]
        seed: Option<u64>,
        /// Run index within the batch, from 0 (the `run` column of the exports); not for a
        /// drill journal, which holds one run.
        #[arg(long, short = 'r')]
        run: Option<u64>,
        /// Output format: text for people, jsonl (one JSON object per line) for programs.
        #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "jsonl"])]
        format: String,
    },
    /// Run a live facilitated drill: the scenario on a wall clock, people playing roles
    /// through their own web pages, the facilitator at this console; writes a decision log
    /// and, at the end, results and an after-action report beside it.
    #[command(after_help = DRILL_HELP)]
    Drill {
        /// Scenario file; the bundled default scenario when omitted.
        #[arg(conflicts_with = "resume")]
        scenario: Option<PathBuf>,
        /// Seed: the drill plays run 0 of it [default: drawn at random, printed and journaled].
        #[arg(long, short = 's', conflicts_with = "resume")]
        seed: Option<u64>,
        /// Scenario minutes per wall minute (10 = ten scenario minutes pass each wall minute)
        /// [default: 1, or the journal's when resuming].
        #[arg(long, value_parser = parse_speed)]
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
        /// Continue the drill a journal records, from where the journal ends.
        #[arg(long, value_name = "JOURNAL")]
        resume: Option<PathBuf>,
        /// Address of the participant pages. Anything but a loopback address makes them
        /// reachable from other machines (a warning says so).
        #[arg(long, default_value = "127.0.0.1:8300", value_name = "ADDR:PORT")]
        listen: std::net::SocketAddr,
        /// Do not read console commands from standard input.
        #[arg(long)]
        no_console: bool,
    },
    /// Run a grid of scenario variants: every combination of the --set values, each validated
    /// like a file and run under the same seed (common random numbers).
    #[command(after_help = SWEEP_HELP)]
    Sweep {
        /// Scenario file; the bundled default scenario when omitted.
        scenario: Option<PathBuf>,
        /// A value to vary, KEY=V1,V2,...: a key path as the file nests it
        /// (`detectors.zap-error-email.latency.mean`, `detectors[0].miss`) and values read as
        /// TOML literals (`0.25`, `true`, `{ dist = "fixed", value = "5m" }`) or else as strings
        /// (`5m`). Repeat for a grid; the first --set varies slowest.
        #[arg(long = "set", value_name = "KEY=V1,V2,...", required = true)]
        set: Vec<ttx::scenario::set::Setting>,
        /// Replications per grid point.
        #[arg(long, short = 'n', default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
        runs: u64,
        /// Master seed, shared by every grid point.
        #[arg(long, short = 's', default_value_t = 1)]
        seed: u64,
        /// Give each grid point its own seed instead (measures what common random numbers buy;
        /// differences between points then include sampling noise).
        #[arg(long)]
        independent_seeds: bool,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, short = 't', value_parser = clap::value_parser!(u64).range(1..=1024))]
        threads: Option<u64>,
        /// Write the sweep's results as JSON to this path.
        #[arg(long, value_name = "PATH")]
        export_json: Option<PathBuf>,
        /// Write one CSV row per grid point to this path.
        #[arg(long, value_name = "PATH")]
        export_csv: Option<PathBuf>,
        /// Write a self-contained HTML page with a chart of each metric against the swept values.
        #[arg(long, value_name = "PATH")]
        html: Option<PathBuf>,
        /// Replace existing output files instead of refusing.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors.
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Merge shard results (`ttx run --shard K/N --export-json`) into the whole batch's results,
    /// byte for byte what one unsharded run writes; or shard tallies (`--export-tally`) into the
    /// whole batch's summary, byte for byte what `ttx run --export-summary` writes.
    #[command(after_help = MERGE_EXIT_CODES)]
    Merge {
        /// Every shard's results file (JSON), or every shard's tally file, in any order.
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Where to write the merged results (JSON).
        #[arg(long, short = 'o', value_name = "PATH")]
        out: PathBuf,
        /// Also write the merged per-run CSV here.
        #[arg(long, value_name = "PATH")]
        export_csv: Option<PathBuf>,
        /// Replace existing output files instead of refusing.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors (no summary table).
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Write the after-action report of a results file (from `ttx run --export-json`).
    #[command(after_help = EXIT_CODES)]
    Report {
        /// Results file (JSON).
        results: PathBuf,
        /// Output format.
        #[arg(long, short = 'f', default_value = "md", value_parser = clap::builder::PossibleValuesParser::new(ttx::report::format::FORMATS))]
        format: String,
        /// Output file; default: reports/<scenario>-<date>.<ext>, never replacing an existing report.
        #[arg(long, short = 'o', value_name = "PATH")]
        out: Option<PathBuf>,
        /// Replace the --out file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Print the JSON Schema of the scenario format (for editor completion).
    Schema,
    /// Print the scenario catalogue (Markdown) of a folder: `ttx catalog scenarios > scenarios/README.md`.
    Catalog {
        /// Folder of scenario files.
        #[arg(default_value = "scenarios")]
        dir: PathBuf,
    },
    /// Write the exercise packet a facilitator prints before the day: the Situation Manual
    /// (for everyone) and the Master Scenario Events List (controllers only), each as Markdown
    /// and as a self-contained HTML page.
    #[command(after_help = EXIT_CODES)]
    Packet {
        /// Scenario file; the bundled default scenario when omitted.
        scenario: Option<PathBuf>,
        /// Folder to write into; files are named <scenario>-sitman-<date>.md (.html) and
        /// <scenario>-msel-<date>.md (.html), with -2, -3, ... added rather than replacing a file.
        #[arg(long, short = 'o', value_name = "DIR", default_value = "reports")]
        out: PathBuf,
    },
    /// Write a commented, valid starting scenario for a failure mode.
    #[command(after_help = EXIT_CODES)]
    New {
        /// Scenario name; writes NAME.toml (or NAME as given if it ends in .toml).
        name: String,
        /// Failure mode to start from.
        #[arg(long, short = 't', default_value = "schema_drift", value_parser = clap::builder::PossibleValuesParser::new(ttx::scenario::FaultKind::NAMES))]
        template: String,
    },
    /// Compare two results (`ttx run --export-json`, or live drills): per metric, the change of
    /// medians and p90s with bootstrap intervals, a rank or log-rank test, and a verdict
    /// (better, worse, no detectable change) with the family-wise error held at --alpha.
    #[command(after_help = COMPARE_HELP)]
    Compare {
        /// The baseline results (JSON), e.g. last quarter's.
        first: PathBuf,
        /// The results judged against it (JSON).
        second: PathBuf,
        /// Output format.
        #[arg(long, short = 'f', default_value = "table", value_parser = clap::builder::PossibleValuesParser::new(ttx::compare::render::FORMATS))]
        format: String,
        /// Write the output to this file instead of stdout.
        #[arg(long, short = 'o', value_name = "PATH")]
        out: Option<PathBuf>,
        /// Family-wise error rate across all metrics.
        #[arg(long, default_value_t = 0.05, value_parser = parse_probability)]
        alpha: f64,
        /// Bootstrap resamples for the intervals (0: no intervals). The cost grows with runs ×
        /// resamples: about 20 s at 100,000 runs per side on 2 cores; lower it for huge results.
        #[arg(long, default_value_t = ttx::compare::DEFAULT_RESAMPLES)]
        resamples: usize,
        /// Seed of the bootstrap.
        #[arg(long, short = 's', default_value_t = ttx::compare::DEFAULT_SEED)]
        seed: u64,
        /// Compare results of different scenarios anyway (the difference then mixes the team's
        /// change with the scenario's change).
        #[arg(long)]
        allow_different: bool,
        /// Replace the --out file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// How many runs (or drills) per side it takes to detect a change of a metric, or the
    /// smallest change a number per side can detect: Monte Carlo over the scenario's own
    /// distribution with the test `ttx compare` uses.
    #[command(after_help = POWER_HELP)]
    Power {
        /// Scenario file, or a results file (its scenario text is used); the bundled default
        /// scenario when omitted.
        scenario: Option<PathBuf>,
        /// The time metric to plan for.
        #[arg(long, short = 'm', default_value = "time_to_recover", value_parser = clap::builder::PossibleValuesParser::new(ttx::results::TIME_METRICS))]
        metric: String,
        /// The change to detect: -20% (20% shorter) or +10%.
        #[arg(long, allow_hyphen_values = true, value_parser = ttx::compare::power::parse_change, required_unless_present = "n", conflicts_with = "n")]
        change: Option<f64>,
        /// Instead: the smallest improvement detectable with this many per side.
        #[arg(long, value_parser = clap::value_parser!(u64).range(2..=ttx::compare::power::MAX_N))]
        n: Option<u64>,
        /// Two-sided level of the test.
        #[arg(long, default_value_t = 0.05, value_parser = parse_probability)]
        alpha: f64,
        /// Power wanted.
        #[arg(long, default_value_t = 0.8, value_parser = parse_probability)]
        power: f64,
        /// Seed of the simulation and of the Monte Carlo replications.
        #[arg(long, short = 's', default_value_t = 1)]
        seed: u64,
        /// Simulated runs to draw from.
        #[arg(long, default_value_t = ttx::compare::power::DEFAULT_POOL_RUNS, value_parser = clap::value_parser!(u64).range(100..))]
        runs: u64,
        /// Monte Carlo replications per estimate.
        #[arg(long, default_value_t = ttx::compare::power::DEFAULT_REPLICATIONS as u64, value_parser = clap::value_parser!(u64).range(10..))]
        replications: u64,
        /// Output format.
        #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// The same exercise over several quarters: each metric per result with its interval, and
    /// which steps between consecutive results are detectable changes.
    #[command(after_help = TREND_HELP)]
    Trend {
        /// Results files (JSON), or folders of them; ordered by label (`ttx run --label`), a
        /// drill by its start, otherwise by file name.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also write a self-contained HTML page with a chart per metric.
        #[arg(long, value_name = "PATH")]
        html: Option<PathBuf>,
        /// Write the JSON form to this path.
        #[arg(long, value_name = "PATH")]
        export_json: Option<PathBuf>,
        /// Family-wise error rate of each step across its metrics.
        #[arg(long, default_value_t = 0.05, value_parser = parse_probability)]
        alpha: f64,
        /// Include results of different scenarios (steps then mix the team's change with the
        /// scenario's change).
        #[arg(long)]
        allow_different: bool,
        /// Replace existing output files instead of refusing.
        #[arg(long)]
        force: bool,
    },
}

/// Example and exit codes of `ttx trend`.
pub const TREND_HELP: &str = "Example: ttx trend results/ --html trend.html\n\nStatistics: docs/statistics.md\n\nExit codes: 0 success · 1 not a results file, or results of different scenarios (without --allow-different) · 2 usage or I/O error, or an output file that exists (without --force)";

/// Example and exit codes of `ttx power`.
pub const POWER_HELP: &str = "Examples: ttx power --metric time_to_recover --change -20%\n          ttx power scenarios/holiday-thin-coverage.toml --metric time_to_acknowledge --n 4\n\nStatistics: docs/statistics.md\n\nExit codes: 0 success · 1 invalid scenario or results file, or a metric too rarely reached to plan with · 2 usage or I/O error";

/// Exit codes of `ttx compare`.
pub const COMPARE_HELP: &str = "Example: ttx compare q1.json q2.json --format md --out q2-vs-q1.md\n\nStatistics: docs/statistics.md\n\nExit codes: 0 success (whatever the verdicts) · 1 not a results file, or the sides ran different scenarios (without --allow-different) · 2 usage or I/O error, or an output file that exists (without --force)";

/// A probability strictly between 0 and 1 (a significance level, a power).
fn parse_probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(a) if a > 0.0 && a < 1.0 => Ok(a),
        _ => Err(format!(
            "`{text}` is not a probability strictly between 0 and 1 (e.g. 0.05 for --alpha, 0.8 for --power)"
        )),
    }
}
