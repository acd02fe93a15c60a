//! The after-action report as one document: its sections, tables, lists and charts built once
//! as [`Block`]s, which the Markdown and HTML formats render.
//!
//! Where the two formats say different things, the document says so with
//! [`Inline::Either`] / [`Block::Either`]: the charts and coloured bars exist only in HTML, the
//! notes under a table describe what each format shows (HTML intervals sit under their value,
//! the bars need a legend), and a few sentences name the format's own command. Everything else
//! (section order, headings, table columns and rows, lists) is written here once. This module
//! computes nothing: every number comes from [`AfterActionReport`].

use super::aar::{AfterActionReport, MetricRow, OVERALL_RULE};
use super::charts::{self, offset, phase_colour, spaced};
use super::facilitation::Communications;
use super::gantt::gantt;
use super::markdown::{interval, minutes, percent, phase_share, target};
use crate::render::blocks::{Block, Column, Format, Grid, Inline, Text, only, text, words};
use crate::scenario::Rating;
use crate::scenario::duration::format_minutes;
use crate::stats::MeanKind;

/// The whole report, in order.
pub fn document(r: &AfterActionReport) -> Vec<Block> {
    let mut blocks = overview(r);
    blocks.extend(objectives(r));
    blocks.extend(metrics(r));
    if let Some(comms) = &r.communications {
        blocks.extend(communications(comms));
    }
    blocks.extend(raci(r));
    blocks.extend(approvals(r));
    blocks.extend(phases(r));
    blocks.extend(representative(r));
    blocks.extend(list("strengths", "Strengths", &r.strengths));
    blocks.extend(list(
        "areas",
        "Areas for improvement",
        &r.areas_for_improvement,
    ));
    blocks.extend(plan(r));
    blocks
}

/// Words of the report itself (not data).
fn t(content: &str) -> Inline {
    Inline::Words(content.to_string())
}

/// Markdown says `markdown`, HTML says `html`.
fn either(markdown: Vec<Inline>, html: Vec<Inline>) -> Inline {
    Inline::Either { markdown, html }
}

fn badge(rating: Rating) -> Inline {
    Inline::Badge {
        letter: rating.letter().to_string(),
        meaning: rating.words(),
    }
}

/// A value with an optional `[low, high]` interval.
pub(super) fn estimate(value: Option<f64>, ci: Option<[f64; 2]>, qualifier: &'static str) -> Text {
    vec![Inline::Estimate {
        value: minutes(value),
        qualifier,
        interval: ci.map_or(String::new(), |[a, b]| interval(Some(a), Some(b))),
    }]
}

/// A percentile with its interval: `[a – b]`, an open end as `…`, or `[none at n = 3]` where
/// no 95% interval exists (the part of the reason before its colon).
pub(super) fn percentile(
    value: Option<f64>,
    ci: Option<[Option<f64>; 2]>,
    none: &Option<String>,
) -> Text {
    let interval = match (ci, none) {
        (Some([low, high]), _) => interval(low, high),
        (None, Some(reason)) => format!(" [{}]", reason.split(':').next().unwrap_or(reason)),
        (None, None) => String::new(),
    };
    vec![Inline::Estimate {
        value: minutes(value),
        qualifier: "",
        interval,
    }]
}

/// A time's median and p90 cells, each with its interval.
fn median_and_p90(m: &MetricRow) -> [Text; 2] {
    [
        percentile(m.median, m.median_ci95, &m.median_ci95_none),
        percentile(m.p90, m.p90_ci95, &m.p90_ci95_none),
    ]
}

/// A count with no decimals, `-` when unknown.
fn count(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.0}"))
}

fn overview(r: &AfterActionReport) -> Vec<Block> {
    let o = &r.overview;
    vec![
        Block::Title {
            kicker: "After-action report".to_string(),
            title: o.title.clone(),
        },
        Block::Facts(facts(o)),
        Block::Prose(
            Some("note"),
            vec![
                t(
                    "Times are minutes from the fault's onset. Every number here is computed from \
                   the results file by ",
                ),
                either(
                    vec![Inline::Code("ttx report RESULTS.json --format md".into())],
                    vec![Inline::Code("ttx report RESULTS.json --format html".into())],
                ),
                t("; intervals are 95%."),
            ],
        ),
    ]
}

fn objectives(r: &AfterActionReport) -> Vec<Block> {
    let overall = r.overall_rating;
    let mut blocks = vec![
        Block::Section {
            level: 2,
            id: "objectives",
            text: "Objective ratings".to_string(),
        },
        Block::Callout(
            badge(overall),
            vec![
                Inline::Strong(text(format!("Overall: {overall} — {}.", overall.words()))),
                t(&format!(" {OVERALL_RULE}")),
            ],
        ),
    ];
    if r.objectives.is_empty() {
        blocks.push(Block::Prose(
            None,
            words("The scenario declares no objectives."),
        ));
        return blocks;
    }
    let rows = r
        .objectives
        .iter()
        .map(|ob| {
            let [p, s, m] = ob.rating_thresholds;
            let pct = |share: f64| format!("{:.0}%", 100.0 * share);
            vec![
                vec![
                    Inline::Strong(text(ob.id.clone())),
                    t(" "),
                    Inline::Styled("objective-text", text(ob.text.clone())),
                    Inline::ShareBar {
                        label: format!(
                            "met {}, late {}, missed {}",
                            percent(ob.met_rate),
                            percent(ob.late_rate),
                            percent(ob.missed_rate)
                        ),
                        parts: vec![
                            ("met", ob.met_rate),
                            ("late", ob.late_rate),
                            ("missed", ob.missed_rate),
                        ],
                    },
                ],
                vec![either(text(ob.metric.clone()), text(spaced(&ob.metric)))],
                text(format!("≤ {}", target(&ob.metric, ob.target))),
                text(format_minutes(ob.time_box_minutes)),
                text(percent(ob.met_rate)),
                text(percent(ob.late_rate)),
                text(percent(ob.missed_rate)),
                vec![
                    badge(ob.rating),
                    either(
                        text(format!(" ({} / {} / {})", pct(p), pct(s), pct(m))),
                        vec![Inline::Under(
                            "thresholds",
                            vec![
                                Inline::NoBreak(format!("P ≥ {}", pct(p))),
                                t(", "),
                                Inline::NoBreak(format!("S ≥ {}", pct(s))),
                                t(", "),
                                Inline::NoBreak(format!("M ≥ {}", pct(m))),
                            ],
                        )],
                    ),
                ],
            ]
        })
        .collect();
    blocks.push(Block::Grid(Grid {
        class: None,
        columns: vec![
            Column::plain("objective"),
            Column::plain("metric"),
            Column::num("target"),
            Column::num("time box"),
            Column::num("met"),
            Column::num("late"),
            Column::num("missed"),
            Column::new(
                vec![
                    t("rating"),
                    only(Format::Markdown, text(" (P / S / M from)")),
                ],
                None,
            ),
        ],
        rows,
    }));
    blocks.push(Block::Prose(
        Some("note"),
        vec![
            t(
                "Ratings by the share of runs meeting the target (met): P (performed without \
               challenges), S (some challenges), M (major challenges), U (unable to be \
               performed)",
            ),
            either(
                words(
                    ", from the least met share in brackets; rates are over the runs in which a \
                     fault began.",
                ),
                words(
                    "; each objective's least met share for P, S and M is under its rating. The \
                     bar under each objective shows met (green), late (orange) and missed (red) \
                     runs.",
                ),
            ),
            t(
                " Late runs reached the milestone after the target but within the time box; they \
               are shown, never averaged in.",
            ),
        ],
    ));
    blocks
}

fn metrics(r: &AfterActionReport) -> Vec<Block> {
    let rows = r
        .metrics
        .iter()
        .map(|m| {
            let restricted = if m.mean_kind == MeanKind::Restricted {
                " (restricted)"
            } else {
                ""
            };
            let [median, p90] = median_and_p90(m);
            vec![
                text(spaced(&m.metric)),
                median,
                p90,
                percentile(m.p95, m.p95_ci95, &m.p95_ci95_none),
                estimate(m.mean, m.mean_ci95, restricted),
                text(format!("{} of {}", m.censored, m.reached + m.censored)),
            ]
        })
        .collect();
    let records = r
        .records
        .iter()
        .map(|(name, c)| {
            vec![
                text(name.clone()),
                text(count(c.median)),
                text(count(c.p90)),
                text(
                    c.mean
                        .map_or_else(|| "-".to_string(), |v| format!("{v:.1}")),
                ),
                text(count(c.max)),
            ]
        })
        .collect();
    let mut blocks = vec![
        Block::Section {
            level: 2,
            id: "metrics",
            text: "Metrics".to_string(),
        },
        Block::Grid(Grid {
            class: None,
            columns: vec![
                Column::plain("metric"),
                Column::num("median"),
                Column::num("p90"),
                Column::num("p95"),
                Column::num("mean"),
                Column::num("censored"),
            ],
            rows,
        }),
        Block::Prose(
            Some("note"),
            vec![
                t(
                    "Percentiles are Kaplan-Meier estimates, so runs that never reach a milestone \
                   (censored at the horizon) count as \"longer than observed\" instead of being \
                   dropped; ",
                ),
                either(vec![Inline::Code("-".into())], words("-")),
                t(" means too many runs are censored to tell. Median intervals"),
                only(Format::Html, words(" (under each value)")),
                t(
                    " and p90/p95 intervals are distribution-free 95% intervals from order \
                   statistics, which hold their level at any number of runs; where no such \
                   interval exists (fewer than 6 runs for a median, 36 for a p90, 72 for a p95) \
                   the report says \"none at n = …\", and an open end \"…\" means too few runs \
                   reached the milestone. With censoring the mean is restricted to the longest \
                   follow-up.",
                ),
            ],
        ),
        Block::Grid(Grid {
            class: None,
            columns: vec![
                Column::plain("records per run"),
                Column::num("median"),
                Column::num("p90"),
                Column::num("mean"),
                Column::num("max"),
            ],
            rows: records,
        }),
    ];
    let mut charts = Vec::new();
    if !r.survival.is_empty() {
        let mut curves = charts::survival(r).into_iter();
        // The first curve stays on the page of its heading; the second may follow.
        let mut first = vec![
            Block::Heading(
                3,
                "How long until the damage stops and the flow recovers".to_string(),
            ),
            Block::Prose(
                Some("note"),
                words(
                    "Kaplan-Meier curves: the share of runs not yet contained (or not yet \
                     recovered) at each time after onset, with the 95% band shaded. Runs that \
                     never get there count as still waiting, not as missing. The dashed line is \
                     the objective's target.",
                ),
            ),
        ];
        first.extend(curves.next());
        charts.push(Block::Group("keep", first));
        charts.extend(curves);
    }
    if !r.histograms.is_empty() {
        charts.push(Block::Group(
            "keep",
            vec![
                Block::Heading(3, "Distribution of the time metrics".to_string()),
                Block::Prose(
                    Some("note"),
                    words(
                        "Runs per bin of minutes from onset, over the runs that reached each \
                         milestone; the dashed line is the objective's target.",
                    ),
                ),
                Block::Group(
                    "charts",
                    r.histograms
                        .iter()
                        .map(|h| charts::histogram(r, h))
                        .collect(),
                ),
            ],
        ));
    }
    blocks.push(Block::only(Format::Html, charts));
    blocks
}

/// The sentence on the time to the first update, said in both formats' notes.
const FIRST_UPDATE: &str = "The time to the first update runs from onset, censored where no \
                            update reached the audience.";

/// The sentence on what simulated writers cannot measure.
const SIMULATED_WRITERS: &str = "Simulated writers fill every required field and write no \
                                 jargon: completeness and jargon flags measure the people of a \
                                 drill.";

fn communications(comms: &Communications) -> Vec<Block> {
    let share = |v: Option<f64>| v.map_or_else(|| "-".to_string(), percent);
    let rows = comms
        .audiences
        .iter()
        .map(|a| {
            let m = &a.misses_per_run;
            let [median, p90] = median_and_p90(&a.time_to_first_update);
            let mut on_cadence = text(share(a.on_cadence_share));
            if let Some(on) = a.on_cadence_share {
                on_cadence.push(Inline::ShareBar {
                    label: format!("on cadence {}", percent(on)),
                    parts: vec![("met", on), ("missed", 1.0 - on)],
                });
            }
            vec![
                text(a.audience.clone()),
                text(format!("{:.2}", a.due_per_run)),
                text(format!("{:.2}", a.sent_per_run)),
                on_cadence,
                text(format!(
                    "{} / {} / {}",
                    m.mean
                        .map_or_else(|| "-".to_string(), |v| format!("{v:.2}")),
                    count(m.median),
                    count(m.p90)
                )),
                median,
                p90,
                text(share(a.completeness)),
                text(a.jargon_flags.to_string()),
            ]
        })
        .collect();
    vec![
        Block::Section {
            level: 2,
            id: "communications",
            text: "Communications".to_string(),
        },
        Block::Prose(
            None,
            vec![
                t("Updates on the "),
                Inline::Code("[comms]".into()),
                t(
                    " cadence, per audience. An update is on cadence when it is sent within the \
                   cadence's grace after falling due; a miss is one sent late or never.",
                ),
                only(
                    Format::Markdown,
                    words(
                        " Counts per run are over every run; the time to the first update runs \
                         from onset, censored where no update reached the audience.",
                    ),
                ),
            ],
        ),
        Block::Grid(Grid {
            class: None,
            columns: vec![
                Column::plain("audience"),
                Column::num("due per run"),
                Column::num("sent per run"),
                Column::num("on cadence"),
                Column::num("misses per run (mean / median / p90)"),
                Column::num("first update: median"),
                Column::num("first update: p90"),
                Column::num("fields complete"),
                Column::num("jargon flags"),
            ],
            rows,
        }),
        Block::Either {
            markdown: vec![Block::Prose(
                None,
                vec![
                    Inline::Strong(vec![Inline::Field(comms.worst.clone())]),
                    t(&format!(" {SIMULATED_WRITERS}")),
                ],
            )],
            html: vec![
                Block::Prose(None, vec![Inline::Strong(text(comms.worst.clone()))]),
                Block::Prose(
                    Some("note"),
                    words(format!(
                        "The bar under each share shows updates on cadence (green) and late or \
                         never sent (red). {FIRST_UPDATE} {SIMULATED_WRITERS}"
                    )),
                ),
            ],
        },
    ]
}

fn raci(r: &AfterActionReport) -> Vec<Block> {
    if r.raci.is_empty() {
        return Vec::new();
    }
    let list = |roles: &[String]| {
        if roles.is_empty() {
            "-".to_string()
        } else {
            roles.join(", ")
        }
    };
    let rows = r
        .raci
        .iter()
        .map(|row| {
            vec![
                text(row.action.clone()),
                text(row.responsible.clone()),
                text(row.accountable.as_deref().unwrap_or("-")),
                text(list(&row.consulted)),
                text(list(&row.informed)),
                words(
                    row.approver
                        .as_ref()
                        .map_or_else(|| "-".to_string(), |a| format!("needs {a}")),
                ),
            ]
        })
        .collect();
    vec![
        Block::Section {
            level: 2,
            id: "raci",
            text: "RACI".to_string(),
        },
        Block::Prose(
            None,
            words(
                "Responsible (does it), accountable (answers for it), consulted, informed, per \
                 action; the last column names who must approve an action before it runs.",
            ),
        ),
        Block::Grid(Grid {
            class: None,
            columns: vec![
                Column::plain("action").cells("id"),
                Column::plain("R"),
                Column::plain("A"),
                Column::plain("C"),
                Column::plain("I"),
                Column::plain("approval"),
            ],
            rows,
        }),
    ]
}

fn approvals(r: &AfterActionReport) -> Vec<Block> {
    if r.approvals.is_empty() {
        return Vec::new();
    }
    let rows = r
        .approvals
        .iter()
        .map(|a| {
            let [median, p90] = median_and_p90(&a.wait);
            vec![
                text(a.action.clone()),
                text(a.approver.as_deref().unwrap_or("-")),
                text(a.asked.to_string()),
                median,
                p90,
                text(a.never_granted.to_string()),
            ]
        })
        .collect();
    let note = words(
        "Minutes from the request for approval to the approval, over the runs that asked (the \
         first request of each run). A request still waiting at the end of a run is censored \
         there, and the percentiles are Kaplan-Meier estimates as in the metrics.",
    );
    vec![
        Block::Section {
            level: 2,
            id: "approvals",
            text: "Approval waits".to_string(),
        },
        // Markdown explains before the table, HTML under it as a note.
        Block::only(Format::Markdown, vec![Block::Prose(None, note.clone())]),
        Block::Grid(Grid {
            class: None,
            columns: vec![
                Column::plain("action").cells("id"),
                Column::plain("approved by"),
                Column::num("runs that asked"),
                Column::num("median wait"),
                Column::num("p90 wait"),
                Column::num("never granted"),
            ],
            rows,
        }),
        Block::only(Format::Html, vec![Block::Prose(Some("note"), note)]),
    ]
}

fn phases(r: &AfterActionReport) -> Vec<Block> {
    let mut lead = vec![
        Block::Section {
            level: 2,
            id: "time",
            text: "Where the time goes".to_string(),
        },
        Block::Prose(
            None,
            vec![
                t(
                    "Each minute from onset to recovery is attributed to what the incident was \
                   waiting on (the most advanced activity under way). Verification (restoring \
                   data) after recovery is counted apart.",
                ),
                only(
                    Format::Markdown,
                    vec![
                        t(
                            " Minutes are averaged over every run in which a fault began; the \
                           share of the time to recover only over the runs that recovered, so \
                           time spent in runs that never recover (often ",
                        ),
                        Inline::Code("stalled".into()),
                        t(") shows in the minutes but not in the share."),
                    ],
                ),
            ],
        ),
    ];
    if !r.phases.is_empty() {
        lead.push(Block::only(Format::Html, vec![charts::phases(r)]));
    }
    let rows = r
        .phases
        .iter()
        .map(|p| {
            vec![
                vec![
                    Inline::Swatch(phase_colour(&p.phase).0),
                    t(&spaced(&p.phase)),
                ],
                text(format_minutes(p.mean_minutes)),
                text(format_minutes(p.median_minutes)),
                text(format_minutes(p.p90_minutes)),
                text(phase_share(p)),
                text(format!("{} of runs", percent(p.dominant_in))),
            ]
        })
        .collect();
    let roles = r
        .roles
        .iter()
        .map(|role| {
            vec![
                text(role.role.clone()),
                text(format_minutes(role.mean_minutes)),
                text(percent(role.share)),
            ]
        })
        .collect();
    vec![
        Block::Group("keep", lead),
        Block::Grid(Grid {
            class: None,
            columns: vec![
                Column::plain("phase"),
                Column::num("mean"),
                Column::num("median"),
                Column::num("p90"),
                Column::num("share of time to recover"),
                Column::num("longest phase in"),
            ],
            rows,
        }),
        Block::Grid(Grid {
            class: None,
            columns: vec![
                Column::plain("role"),
                Column::num("mean minutes waited on per run"),
                Column::num("share"),
            ],
            rows: roles,
        }),
    ]
}

fn representative(r: &AfterActionReport) -> Vec<Block> {
    let Some(rep) = &r.representative else {
        return Vec::new();
    };
    let mut lead = vec![
        Block::Section {
            level: 2,
            id: "timeline",
            text: "Timeline of a representative run".to_string(),
        },
        Block::Prose(
            None,
            vec![
                t(&format!(
                    "Run {} has the median time to recover ({}). Replay it event by event \
                     with ",
                    rep.run,
                    format_minutes(rep.time_to_recover)
                )),
                // One sentence for every format: the command that replays this very run.
                Inline::Code(format!("ttx replay RESULTS.json --run {}", rep.run)),
                t(" (or "),
                Inline::Code(format!(
                    "ttx replay SCENARIO --seed {} --run {}",
                    r.overview.seed, rep.run
                )),
                t(")."),
            ],
        ),
    ];
    if !rep.spans.is_empty() {
        lead.push(Block::only(Format::Html, vec![gantt(rep)]));
    }
    let rows = rep
        .timeline
        .iter()
        .map(|note| vec![text(offset(note.time - rep.onset)), text(note.text.clone())])
        .collect();
    vec![
        Block::Group("keep", lead),
        Block::Grid(Grid {
            class: Some("timeline long"),
            columns: vec![
                Column::new(text("from onset"), Some("when")).cells("when num"),
                Column::plain("what happened"),
            ],
            rows,
        }),
    ]
}

fn list(id: &'static str, title: &str, items: &[String]) -> Vec<Block> {
    vec![
        Block::Section {
            level: 2,
            id,
            text: title.to_string(),
        },
        if items.is_empty() {
            Block::Prose(None, words("None stood out in the data."))
        } else {
            Block::Items(items.to_vec())
        },
    ]
}

fn plan(r: &AfterActionReport) -> Vec<Block> {
    let heading = Block::Section {
        level: 2,
        id: "plan",
        text: "Improvement plan".to_string(),
    };
    if r.improvement_plan.is_empty() {
        return vec![
            heading,
            Block::Prose(
                None,
                words(
                    "Every objective was rated P: keep the current practice and raise the \
                     targets.",
                ),
            ),
        ];
    }
    let rows = r
        .improvement_plan
        .iter()
        .map(|item| {
            vec![
                vec![either(
                    text(item.objective.clone()),
                    vec![Inline::Strong(text(item.objective.clone()))],
                )],
                text(item.action.clone()),
                text(item.owner.clone()),
                text(item.due.clone()),
            ]
        })
        .collect();
    vec![
        heading,
        Block::Grid(Grid {
            class: None,
            columns: vec![
                Column::plain("objective").cells("id"),
                Column::plain("action"),
                Column::plain("owner"),
                Column::plain("due"),
            ],
            rows,
        }),
    ]
}

/// The facts under the report's title: label and date when the results have them, the
/// scenario, the runs, the horizon, the version of ttx.
fn facts(o: &super::aar::Overview) -> Vec<(String, Text)> {
    let mut facts = Vec::new();
    if let Some(label) = &o.label {
        facts.push(("label".to_string(), text(label.clone())));
    }
    if let Some(started) = &o.drill_started {
        facts.push(("drill started".to_string(), text(started.clone())));
    }
    facts.extend([
        (
            "scenario".to_string(),
            vec![
                Inline::Code(o.scenario.clone()),
                t(&format!(" (version {})", o.version)),
            ],
        ),
        (
            "scenario content".to_string(),
            vec![Inline::Code(o.content_hash.clone())],
        ),
        (
            "simulated runs".to_string(),
            text(format!("{} (seed {})", o.runs, o.seed)),
        ),
        (
            "horizon".to_string(),
            text(format_minutes(o.horizon_minutes)),
        ),
        ("ttx".to_string(), text(o.ttx_version.clone())),
    ]);
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_markdown_rating_column_names_its_thresholds() {
        let header = vec![
            t("rating"),
            only(Format::Markdown, text(" (P / S / M from)")),
        ];
        let md = crate::render::blocks::markdown(&[Block::Grid(Grid {
            class: None,
            columns: vec![Column::new(header, None)],
            rows: Vec::new(),
        })]);
        assert_eq!(md, "\n| rating (P / S / M from) |\n| --- |\n");
    }
}
