//! A plan to start from: the improvement points of an after-action report (a batch's, or a
//! live drill's) or the action items of an imported incident's postmortem, written as a plan
//! file, every item open, owned by `TBD` until the review
//! agrees who, and due after the time its objective's rating allows.
//!
//! An item on an objective expects the objective's met rate to reach the rate rated P
//! (`met_rate:<id> >= 90%`); a drill's point about a slow time expects that time lower;
//! points without a metric (a missing rationale, a wrong diagnosis) are items without one.
//! An incident's `action:` lines become items suggested to their actor; each milestone the
//! incident reached slower than three simulated runs in four expects that time lower.
//! The file is TOML with comments saying what to fill in; it reads back as a valid plan.

use std::fmt::Write as _;

use super::date::Date;
use crate::compare::placement::RECORDS_LOST;
use crate::drill::report::DrillReport;
use crate::incident::Imported;
use crate::incident::timeline::Tag;
use crate::report::aar::AfterActionReport;
use crate::results::{Results, TIME_METRICS};
use crate::scenario::Rating;

/// One item to write.
struct Seed {
    id: String,
    text: String,
    suggested_owner: Option<String>,
    due: Date,
    due_words: &'static str,
    metric: Option<String>,
    expected: Option<String>,
}

/// Days until an item on an objective rated `rating` falls due (the report's "within 30
/// days", "within 60 days", and a quarter for "before the next exercise").
fn due_in(rating: Rating) -> i64 {
    match rating {
        Rating::Unable => 30,
        Rating::MajorChallenges => 60,
        Rating::SomeChallenges | Rating::Performed => 90,
    }
}

/// `met_rate:<id> >= <P threshold>` for an objective of `results`.
fn met_rate_target(results: &Results, objective: &str) -> Option<(String, String)> {
    let o = results.objectives.iter().find(|o| o.id == objective)?;
    Some((
        format!("met_rate:{objective}"),
        format!(">= {:.0}%", 100.0 * o.rating_thresholds[0]),
    ))
}

/// The plan file of a batch's after-action report, dated from `today`.
pub fn from_report(report: &AfterActionReport, results: &Results, today: Date) -> String {
    let seeds = report
        .improvement_plan
        .iter()
        .map(|p| {
            let rating = report
                .objectives
                .iter()
                .find(|o| o.id == p.objective)
                .map_or(Rating::SomeChallenges, |o| o.rating);
            let target = met_rate_target(results, &p.objective);
            Seed {
                id: p.objective.clone(),
                text: p.action.clone(),
                suggested_owner: Some(p.owner.clone()),
                due: today.add_days(due_in(rating)),
                due_words: rating.due(),
                metric: target.as_ref().map(|t| t.0.clone()),
                expected: target.map(|t| t.1),
            }
        })
        .collect::<Vec<_>>();
    write(
        &format!(
            "{} ({}): after-action review{}",
            report.overview.title,
            report.overview.scenario,
            report
                .overview
                .label
                .as_ref()
                .map_or_else(String::new, |l| format!(" {l}"))
        ),
        &seeds,
        today,
    )
}

/// The plan file of a live drill's report (its `results`), dated from `today`.
pub fn from_drill(report: &DrillReport, results: &Results, today: Date) -> String {
    let mut taken: Vec<String> = Vec::new();
    let seeds = report
        .plan
        .iter()
        .enumerate()
        .map(|(i, point)| {
            // The drill report writes "Objective <id> was missed ..." and "<metric in
            // words>: slower than ..." (src/drill/report.rs); those points carry a metric.
            let objective = report
                .objectives
                .iter()
                .find(|(id, _, _)| point.starts_with(&format!("Objective {id} ")))
                .map(|(id, _, _)| id.clone());
            let slow = TIME_METRICS
                .iter()
                .chain([&RECORDS_LOST])
                .find(|m| point.starts_with(&format!("{}:", m.replace('_', " "))));
            let (id, metric, expected) = match (&objective, slow) {
                (Some(id), _) => {
                    let target = met_rate_target(results, id);
                    (
                        id.clone(),
                        target.as_ref().map(|t| t.0.clone()),
                        target.map(|t| t.1),
                    )
                }
                (None, Some(metric)) => (
                    metric.replace("time_to_", "faster-").replace('_', "-"),
                    Some(metric.to_string()),
                    Some("lower".to_string()),
                ),
                (None, None) => (format!("point-{}", i + 1), None, None),
            };
            let id = if taken.contains(&id) {
                format!("{id}-{}", i + 1)
            } else {
                id
            };
            taken.push(id.clone());
            Seed {
                id,
                text: point.clone(),
                suggested_owner: None,
                due: today.add_days(30),
                due_words: "within 30 days",
                metric,
                expected,
            }
        })
        .collect::<Vec<_>>();
    let when = report.label.clone().unwrap_or_else(|| {
        report
            .started
            .get(..10)
            .unwrap_or(&report.started)
            .to_string()
    });
    write(
        &format!("{} ({}): drill {when}", report.title, report.scenario),
        &seeds,
        today,
    )
}

/// The share of simulated runs an incident's milestone must be slower than for the plan to
/// start with an item on it: slower than three runs in four is worth a look.
const SLOW_PLACEMENT: f64 = 0.75;

/// The plan file of an imported incident (`ttx incident import --plan-out`), dated from
/// `today`: its `action:` items, then an item per milestone it reached at or above the
/// 75th percentile (`SLOW_PLACEMENT`) of its scenario's simulated runs.
pub fn from_incident(imported: &Imported, today: Date) -> String {
    let actions = imported
        .timeline
        .tagged(Tag::Action)
        .enumerate()
        .map(|(i, (entry, text))| Seed {
            id: format!("action-{}", i + 1),
            text: text.to_string(),
            suggested_owner: (!entry.actor.is_empty()).then(|| entry.actor.clone()),
            due: today.add_days(30),
            due_words: "within 30 days",
            metric: None,
            expected: None,
        });
    let slow = imported
        .placements
        .iter()
        .filter(|p| TIME_METRICS.contains(&p.metric) && p.value.is_some())
        .filter(|p| p.percentile.is_some_and(|share| share >= SLOW_PLACEMENT))
        .map(|p| Seed {
            id: p.metric.replace("time_to_", "faster-").replace('_', "-"),
            text: format!(
                "Bring {} down: {}",
                p.metric.replace('_', " "),
                p.describe().replacen("your ", "the incident's ", 1)
            ),
            suggested_owner: None,
            due: today.add_days(90),
            due_words: "before the next exercise",
            metric: Some(p.metric.to_string()),
            expected: Some("lower".to_string()),
        });
    let seeds: Vec<Seed> = actions.chain(slow).collect();
    write(
        &format!(
            "{} ({}): postmortem of {}",
            imported.record.scenario.title, imported.record.scenario.name, imported.name
        ),
        &seeds,
        today,
    )
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn write(title: &str, seeds: &[Seed], today: Date) -> String {
    let mut out = format!(
        "# Improvement plan written by ttx on {today} from the report's improvement points.\n\
         # Agree an owner and a due date for each item, set `status` as work goes on\n\
         # (open, in-progress, done, dropped; a done item needs `done = \"YYYY-MM-DD\"`), then\n\
         # `ttx plan status THIS-FILE results/` shows what is overdue and whether later drills\n\
         # and batches show each done item's expected effect. Format: docs/improvement-plans.md\n\n\
         title = {}\n",
        quoted(title)
    );
    if seeds.is_empty() {
        out.push_str(
            "\n# The report had no improvement points. Add items like this one:\n\
             # [[item]]\n# id = \"faster-detect\"\n# text = \"Route flow errors to the on-call channel\"\n\
             # owner = \"TBD\"\n# due = \"2026-03-31\"\n# metric = \"time_to_detect\"\n\
             # expected = \"<= 30m\"\n# status = \"open\"\n",
        );
        // A plan needs at least one item to read back; this one says so.
        out.push_str(
            "\n[[item]]\nid = \"review\"\ntext = \"Review the exercise: the report raised no improvement point\"\nowner = \"TBD\"\nstatus = \"open\"\n",
        );
        return out;
    }
    for seed in seeds {
        let _ = write!(
            out,
            "\n[[item]]\nid = {}\ntext = {}\n",
            quoted(&seed.id),
            quoted(&seed.text)
        );
        match &seed.suggested_owner {
            Some(role) => {
                let _ = writeln!(out, "owner = \"TBD\"  # the report suggests: {role}");
            }
            None => out.push_str("owner = \"TBD\"\n"),
        }
        let _ = writeln!(out, "due = \"{}\"  # {}", seed.due, seed.due_words);
        if let (Some(metric), Some(expected)) = (&seed.metric, &seed.expected) {
            let _ = writeln!(
                out,
                "metric = {}\nexpected = {}",
                quoted(metric),
                quoted(expected)
            );
        }
        out.push_str("# whatif = \"NAME: KEY=VALUE\"  # the `ttx whatif` change that models it\n");
        out.push_str("status = \"open\"\n");
    }
    out
}
