//! The Markdown after-action report.

use std::fmt::Write as _;

use super::aar::{AfterActionReport, MetricRow, OVERALL_RULE, rating_words};
use super::format::ReportFormat;
use crate::render::markdown::cell;
use crate::scenario::duration::format_minutes;

/// The Markdown format.
pub struct Markdown;

/// Minutes as text, `-` when unknown.
pub fn minutes(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), format_minutes)
}

/// An interval as text: `[a – b]`, an open end as `…`.
pub fn interval(low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (None, None) => String::new(),
        (low, high) => format!(
            " [{} – {}]",
            low.map_or_else(|| "…".to_string(), format_minutes),
            high.map_or_else(|| "…".to_string(), format_minutes)
        ),
    }
}

/// A share as a percentage.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", 100.0 * share)
}

/// A phase's share of the time to recover; verification comes after recovery.
pub fn phase_share(p: &super::aar::PhaseRow) -> String {
    if p.phase == "verification" {
        "after recovery".to_string()
    } else {
        percent(p.mean_share)
    }
}

/// A target in its unit: minutes for time metrics, a count otherwise.
pub fn target(metric: &str, value: f64) -> String {
    if metric.starts_with("time_to") {
        format_minutes(value)
    } else {
        format!("{value}")
    }
}

impl ReportFormat for Markdown {
    fn extension(&self) -> &'static str {
        "md"
    }

    fn render(&self, r: &AfterActionReport) -> String {
        let mut out = String::new();
        let o = &r.overview;
        let _ = writeln!(out, "# After-action report: {}\n", cell(&o.title));
        let _ = writeln!(out, "| | |\n| --- | --- |");
        let _ = writeln!(
            out,
            "| scenario | `{}` (version {}) |",
            o.scenario,
            cell(&o.version)
        );
        let _ = writeln!(out, "| scenario content | `{}` |", o.content_hash);
        let _ = writeln!(out, "| simulated runs | {} (seed {}) |", o.runs, o.seed);
        let _ = writeln!(out, "| horizon | {} |", format_minutes(o.horizon_minutes));
        let _ = writeln!(out, "| ttx | {} |\n", o.ttx_version);
        let _ = writeln!(
            out,
            "Times are minutes from the fault's onset. Every number here is computed from the results file \
             by `ttx report RESULTS.json --format md`; intervals are 95%.\n"
        );

        let _ = writeln!(out, "## Objective ratings\n");
        let _ = writeln!(
            out,
            "**Overall: {} — {}.** {OVERALL_RULE}\n",
            r.overall_rating,
            rating_words(&r.overall_rating)
        );
        if r.objectives.is_empty() {
            let _ = writeln!(out, "The scenario declares no objectives.\n");
        } else {
            let _ = writeln!(
                out,
                "| objective | metric | target | time box | met | late | missed | rating (P / S / M from) |"
            );
            let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- | --- |");
            for ob in &r.objectives {
                let _ = writeln!(
                    out,
                    "| **{}** {} | {} | ≤ {} | {} | {} | {} | {} | **{}** ({}) |",
                    ob.id,
                    cell(&ob.text),
                    ob.metric,
                    target(&ob.metric, ob.target),
                    format_minutes(ob.time_box_minutes),
                    percent(ob.met_rate),
                    percent(ob.late_rate),
                    percent(ob.missed_rate),
                    ob.rating,
                    ob.rating_thresholds
                        .map(|t| format!("{:.0}%", 100.0 * t))
                        .join(" / ")
                );
            }
            let _ = writeln!(
                out,
                "\nRatings by the share of runs meeting the target (met): P (performed without challenges), \
                 S (some challenges), M (major challenges), U (unable to be performed), from the least \
                 met share in brackets; rates are over the runs in which a fault began. Late runs \
                 reached the milestone after the target but within the time box; they are shown, never \
                 averaged in.\n"
            );
        }

        let _ = writeln!(out, "## Metrics\n");
        let _ = writeln!(out, "| metric | median | p90 | p95 | mean | censored |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
        for m in &r.metrics {
            let mean_label = if m.mean_kind == "restricted_mean" {
                " (restricted)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| {} | {}{} | {}{} | {}{} | {}{}{} | {} of {} |",
                m.metric.replace('_', " "),
                minutes(m.median),
                interval(m.median_ci95[0], m.median_ci95[1]),
                minutes(m.p90),
                m.p90_ci95
                    .map_or(String::new(), |[a, b]| interval(Some(a), Some(b))),
                minutes(m.p95),
                m.p95_ci95
                    .map_or(String::new(), |[a, b]| interval(Some(a), Some(b))),
                minutes(m.mean),
                m.mean_ci95
                    .map_or(String::new(), |[a, b]| interval(Some(a), Some(b))),
                mean_label,
                m.censored,
                m.reached + m.censored
            );
        }
        let _ = writeln!(
            out,
            "\nPercentiles are Kaplan-Meier estimates, so runs that never reach a milestone (censored at the \
             horizon) count as \"longer than observed\" instead of being dropped; `-` means too many runs are \
             censored to tell. Median intervals come from the Greenwood band, p90/p95 intervals from a seeded \
             bootstrap ({} resamples). With censoring the mean is restricted to the longest follow-up.\n",
            super::aar::BOOTSTRAP_RESAMPLES
        );
        let _ = writeln!(out, "| records per run | median | p90 | mean | max |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
        for (name, c) in &r.records {
            let num = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.0}"));
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {} | {} |",
                num(c.median),
                num(c.p90),
                c.mean
                    .map_or_else(|| "-".to_string(), |v| format!("{v:.1}")),
                num(c.max)
            );
        }

        communications(&mut out, r);
        raci(&mut out, r);
        approvals(&mut out, r);

        let _ = writeln!(out, "\n## Where the time goes\n");
        let _ = writeln!(
            out,
            "Each minute from onset to recovery is attributed to what the incident was waiting on \
             (the most advanced activity under way). Verification (restoring data) after recovery is \
             counted apart. Minutes are averaged over every run in which a fault began; the share of \
             the time to recover only over the runs that recovered, so time spent in runs that never \
             recover (often `stalled`) shows in the minutes but not in the share.\n"
        );
        let _ = writeln!(
            out,
            "| phase | mean | median | p90 | share of time to recover | longest phase in |"
        );
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
        for p in &r.phases {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} of runs |",
                p.phase.replace('_', " "),
                format_minutes(p.mean_minutes),
                format_minutes(p.median_minutes),
                format_minutes(p.p90_minutes),
                phase_share(p),
                percent(p.dominant_in)
            );
        }
        let _ = writeln!(out, "\n| role | mean minutes waited on per run | share |");
        let _ = writeln!(out, "| --- | --- | --- |");
        for role in &r.roles {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                role.role,
                format_minutes(role.mean_minutes),
                percent(role.share)
            );
        }

        if let Some(rep) = &r.representative {
            let _ = writeln!(
                out,
                "\n## Timeline of a representative run\n\nRun {} has the median time to recover ({}). \
                 Replay it event by event with `ttx replay RESULTS.json --run {}` (or \
                 `ttx replay SCENARIO --seed {} --run {}`).\n",
                rep.run,
                format_minutes(rep.time_to_recover),
                rep.run,
                o.seed,
                rep.run
            );
            let _ = writeln!(out, "| from onset | what happened |");
            let _ = writeln!(out, "| --- | --- |");
            for note in &rep.timeline {
                let offset = note.time - rep.onset;
                let when = if offset < 0.0 {
                    format!("-{}", format_minutes(-offset))
                } else {
                    format_minutes(offset)
                };
                let _ = writeln!(out, "| {when} | {} |", cell(&note.text));
            }
        }

        let list = |out: &mut String, title: &str, items: &[String]| {
            let _ = writeln!(out, "\n## {title}\n");
            if items.is_empty() {
                let _ = writeln!(out, "None stood out in the data.");
            }
            for item in items {
                let _ = writeln!(out, "- {item}");
            }
        };
        list(&mut out, "Strengths", &r.strengths);
        list(&mut out, "Areas for improvement", &r.areas_for_improvement);

        let _ = writeln!(out, "\n## Improvement plan\n");
        if r.improvement_plan.is_empty() {
            let _ = writeln!(
                out,
                "Every objective was rated P: keep the current practice and raise the targets."
            );
        } else {
            let _ = writeln!(out, "| objective | action | owner | due |");
            let _ = writeln!(out, "| --- | --- | --- | --- |");
            for item in &r.improvement_plan {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    item.objective,
                    cell(&item.action),
                    item.owner,
                    item.due
                );
            }
        }
        out
    }
}

/// A time's median and p90 with their intervals, as two cells' text.
fn median_and_p90(m: &MetricRow) -> (String, String) {
    (
        format!(
            "{}{}",
            minutes(m.median),
            interval(m.median_ci95[0], m.median_ci95[1])
        ),
        format!(
            "{}{}",
            minutes(m.p90),
            m.p90_ci95
                .map_or(String::new(), |[a, b]| interval(Some(a), Some(b)))
        ),
    )
}

/// A share as a percentage, `-` when there is none.
fn share(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), percent)
}

fn communications(out: &mut String, r: &AfterActionReport) {
    let Some(comms) = &r.communications else {
        return;
    };
    let _ = writeln!(out, "\n## Communications\n");
    let _ = writeln!(
        out,
        "Updates on the `[comms]` cadence, per audience. An update is on cadence when it is sent \
         within the cadence's grace after falling due; a miss is one sent late or never. Counts \
         per run are over every run; the time to the first update runs from onset, censored \
         where no update reached the audience.\n"
    );
    let _ = writeln!(
        out,
        "| audience | due per run | sent per run | on cadence | misses per run (mean / median / p90) | first update: median | first update: p90 | fields complete | jargon flags |"
    );
    let _ = writeln!(
        out,
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for a in &comms.audiences {
        let m = &a.misses_per_run;
        let num = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.0}"));
        let (median, p90) = median_and_p90(&a.time_to_first_update);
        let _ = writeln!(
            out,
            "| {} | {:.2} | {:.2} | {} | {} / {} / {} | {median} | {p90} | {} | {} |",
            cell(&a.audience),
            a.due_per_run,
            a.sent_per_run,
            share(a.on_cadence_share),
            m.mean
                .map_or_else(|| "-".to_string(), |v| format!("{v:.2}")),
            num(m.median),
            num(m.p90),
            share(a.completeness),
            a.jargon_flags
        );
    }
    let _ = writeln!(
        out,
        "\n**{}** Simulated writers fill every required field and write no jargon: completeness \
         and jargon flags measure the people of a drill.",
        cell(&comms.worst)
    );
}

fn raci(out: &mut String, r: &AfterActionReport) {
    if r.raci.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## RACI\n");
    let _ = writeln!(
        out,
        "Responsible (does it), accountable (answers for it), consulted, informed, per action; the \
         last column names who must approve an action before it runs.\n"
    );
    let _ = writeln!(out, "| action | R | A | C | I | approval |");
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
    let list = |roles: &[String]| {
        if roles.is_empty() {
            "-".to_string()
        } else {
            roles.join(", ")
        }
    };
    for row in &r.raci {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            row.action,
            row.responsible,
            row.accountable.as_deref().unwrap_or("-"),
            list(&row.consulted),
            list(&row.informed),
            row.approver
                .as_ref()
                .map_or_else(|| "-".to_string(), |a| format!("needs {a}"))
        );
    }
}

fn approvals(out: &mut String, r: &AfterActionReport) {
    if r.approvals.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Approval waits\n");
    let _ = writeln!(
        out,
        "Minutes from the request for approval to the approval, over the runs that asked (the \
         first request of each run). A request still waiting at the end of a run is censored \
         there, and the percentiles are Kaplan-Meier estimates as in the metrics.\n"
    );
    let _ = writeln!(
        out,
        "| action | approved by | runs that asked | median wait | p90 wait | never granted |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
    for a in &r.approvals {
        let (median, p90) = median_and_p90(&a.wait);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {median} | {p90} | {} |",
            a.action,
            a.approver.as_deref().unwrap_or("-"),
            a.asked,
            a.never_granted
        );
    }
}
