//! `ttx power`: how many runs per side detect a change of a metric, or the smallest change a
//! number per side detects, by Monte Carlo over the scenario's own distribution.

use std::path::PathBuf;

use super::error::CliError;
use super::output;
use ttx::compare::power::{self, PowerOptions, Question};
use ttx::results::Results;
use ttx::runner::{self, BatchOptions};

/// Example and exit codes of `ttx power`.
pub const HELP: &str = "Examples: ttx power --metric time_to_recover --change -20%\n          ttx power scenarios/holiday-thin-coverage.toml --metric time_to_acknowledge --n 4\n\n\"80% power\" means `ttx compare` calls the change better in 80% of comparisons at that n: each replication draws n simulated runs per side, changes the metric on one side, and decides as compare does (exact tests up to about 20 per side, Holm across every metric). With few drills per side often no change at all can be detected; the answer then says why.\n\nStatistics: docs/statistics.md\n\nExit codes: 0 success · 1 invalid scenario or results file, or a metric too rarely reached to plan with · 2 usage or I/O error";

/// Arguments of `ttx power`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file, or a results file (its scenario text is used); the bundled default
    /// scenario when omitted.
    scenario: Option<PathBuf>,
    /// The time metric to plan for.
    #[arg(long, short = 'm', default_value = "time_to_recover", value_parser = clap::builder::PossibleValuesParser::new(ttx::results::TIME_METRICS))]
    metric: String,
    /// The change to detect: -20% (20% shorter) or +10%; answers how many per side.
    #[arg(long, allow_hyphen_values = true, value_parser = power::parse_change, required_unless_present = "n", conflicts_with = "n")]
    change: Option<f64>,
    /// Instead: the smallest improvement detectable with this many per side.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=power::MAX_N))]
    n: Option<u64>,
    /// Two-sided level of the test.
    #[arg(long, default_value_t = 0.05, value_parser = super::parse_probability)]
    alpha: f64,
    /// Power wanted.
    #[arg(long, default_value_t = 0.8, value_parser = super::parse_probability)]
    power: f64,
    /// Seed of the simulation and of the Monte Carlo replications.
    #[arg(long, short = 's', default_value_t = 1)]
    seed: u64,
    /// Simulated runs to draw from.
    #[arg(long, default_value_t = power::DEFAULT_POOL_RUNS, value_parser = clap::value_parser!(u64).range(100..))]
    runs: u64,
    /// Monte Carlo replications per estimate of the search; the recommended n is then settled
    /// by estimates with 4 times as many replications on fresh random streams.
    #[arg(long, default_value_t = power::DEFAULT_REPLICATIONS as u64, value_parser = clap::value_parser!(u64).range(10..))]
    replications: u64,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// What `--format` takes.
// Plain comments on the variants: doc comments would become help text that `--help` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    // The plan in words, for people.
    Text,
    // The plan as JSON.
    Json,
}

/// Simulates the pool of runs and plans from it.
pub fn exec(args: Args) -> Result<(), CliError> {
    let question = match (args.change, args.n) {
        (_, Some(n)) => Question::SmallestChange { n },
        // clap requires --change without --n; -20% is what the help's example asks.
        (change, None) => Question::SampleSize {
            change: change.unwrap_or(-0.2),
        },
    };
    let options = PowerOptions {
        alpha: args.alpha,
        power: args.power,
        replications: args.replications as usize,
        seed: args.seed,
    };
    let loaded = super::load_scenario_or_results(args.scenario.as_deref())?;
    let outcomes = runner::run_batch(
        &loaded.scenario,
        &BatchOptions::new(args.runs, options.seed),
        &|_| {},
    )?;
    let simulated = Results::new(&loaded.scenario, options.seed, &outcomes);
    let report =
        power::plan(&simulated, &args.metric, question, &options).map_err(CliError::invalid)?;
    output::print(&match args.format {
        Format::Text => report.text(),
        Format::Json => report.json(),
    })
}
