//! `ttx plan status PLAN [RESULTS...]`: an improvement plan on a day: what is overdue, open
//! and done, and whether the results since each done item show its expected effect.

use std::path::PathBuf;
use std::time::SystemTime;

use super::error::CliError;
use ttx::compare::CompareOptions;
use ttx::plan::date::Date;
use ttx::plan::status::StatusOptions;

/// Example and exit codes of `ttx plan`.
pub const HELP: &str = "Example: ttx plan status plan.toml results/ --html plan.html\n\nA done item is read against the results dated after its done date (a drill by its start, else a quarter or date label): a target (\"<= 30m\") is shown when the latest later batch's 95% interval keeps it; a change (\"-10m\", \"lower\") when `ttx compare` of the latest batch before and the latest after calls it better by at least that much. A live drill is one sample and cannot show an effect alone. Format: docs/improvement-plans.md\n\nExit codes: 0 success · 1 an invalid plan, not a results file, or results of differently named scenarios (without --allow-different) · 2 usage or I/O error, or an output file that exists (without --force)";

/// Arguments of `ttx plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do with the plan.
    #[command(subcommand)]
    command: PlanCommand,
}

/// Subcommands of `ttx plan`.
#[derive(Debug, clap::Subcommand)]
enum PlanCommand {
    /// What is overdue, open and done, and whether later drills and batches show each done
    /// item's expected effect.
    #[command(after_help = HELP)]
    Status(StatusArgs),
}

/// Arguments of `ttx plan status`.
#[derive(Debug, clap::Args)]
struct StatusArgs {
    /// The plan file (TOML; `ttx report --plan-out` writes one to start from).
    plan: PathBuf,
    /// Results files (JSON) or folders of them: batches, live drills; ordered as `ttx trend`
    /// orders them.
    results: Vec<PathBuf>,
    /// The day to judge due dates on, YYYY-MM-DD [default: today, UTC].
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    today: Option<Date>,
    /// The documents to write: HTML, Markdown, JSON.
    #[command(flatten)]
    documents: super::trend::Documents,
    /// Family-wise error rate of each before/after comparison across its metrics.
    #[arg(long, default_value_t = 0.05, value_parser = super::parse_probability)]
    alpha: f64,
    /// Include results of differently named scenarios.
    #[arg(long)]
    allow_different: bool,
}

fn parse_day(text: &str) -> Result<Date, String> {
    Date::parse(text.trim()).ok_or_else(|| format!("`{text}` is not a day: write YYYY-MM-DD"))
}

/// Carries out `ttx plan`.
pub fn exec(args: Args) -> Result<(), CliError> {
    match args.command {
        PlanCommand::Status(args) => status(args),
    }
}

fn status(args: StatusArgs) -> Result<(), CliError> {
    let outputs = args.documents.check()?;
    let plan = ttx::plan::load(&args.plan)?;
    let items = super::trend::read_results(&args.results)?;
    let options = StatusOptions {
        today: args.today.unwrap_or_else(|| Date::of(SystemTime::now())),
        compare: CompareOptions {
            alpha: args.alpha,
            allow_different: args.allow_different,
            ..Default::default()
        },
    };
    let status = ttx::plan::status::status(&plan, items, &options).map_err(CliError::invalid)?;
    args.documents.write(
        &outputs,
        || status.json(),
        || ttx::plan::document::page(&status),
        || ttx::plan::document::markdown(&status),
        &ttx::plan::document::table(&status),
    )
}
