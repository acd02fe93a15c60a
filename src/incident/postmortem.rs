//! The postmortem of an imported incident, built once as blocks and rendered as Markdown and
//! as a self-contained HTML page: summary, timeline, impact, contributing factors, root cause,
//! placement among simulated runs, and action items, in blameless wording.
//!
//! It states what the timeline and the scenario say, and says where either is silent (a
//! section to fill, an estimate marked as one); it never judges people.

use super::Imported;
use super::timeline::{Entry, EntryKind, Tag};
use crate::compare::placement::{PLACEMENT_RUNS, PLACEMENT_SEED, RECORDS_LOST, ordinal, thousands};
use crate::render::blocks::{self, Block, Column, Grid, Inline, Text, text, words};
use crate::report::markdown::minutes;
use crate::scenario::Scenario;

/// Percentile from which a milestone counts as slow against the scenario's model.
const SLOW: f64 = 0.75;

/// The blameless stance, said once at the top.
const BLAMELESS: &str = "This postmortem is blameless: it describes what people knew and did \
    at the time, and what in the systems and the process made that the reasonable thing to do. \
    It names roles and actions to learn from them, never to find fault.";

/// A postmortem, ready to render.
pub struct Postmortem<'a> {
    incident: &'a Imported,
    scenario: &'a Scenario,
    scenario_path: String,
}

impl<'a> Postmortem<'a> {
    /// The postmortem of `incident` against `scenario`, which the commands it shows name as
    /// `scenario_path`.
    pub fn new(incident: &'a Imported, scenario: &'a Scenario, scenario_path: &str) -> Self {
        Postmortem {
            incident,
            scenario,
            scenario_path: scenario_path.to_string(),
        }
    }

    /// As Markdown.
    pub fn markdown(&self) -> String {
        let text = blocks::markdown(&self.document());
        text.strip_prefix('\n').unwrap_or(&text).to_string()
    }

    /// As a self-contained HTML page.
    pub fn html(&self) -> String {
        crate::render::html::page(
            &format!("Postmortem: {}", self.scenario.meta.title),
            &blocks::html(&self.document()),
        )
    }

    /// The document, built once for both formats.
    pub fn document(&self) -> Vec<Block> {
        let mut doc = vec![
            Block::Title {
                kicker: "Postmortem".to_string(),
                title: self.scenario.meta.title.clone(),
            },
            Block::Prose(Some("note"), words(BLAMELESS)),
            Block::Facts(self.facts()),
        ];
        doc.extend(self.section("summary", "Summary", vec![self.summary()]));
        doc.extend(self.section("timeline", "Timeline", vec![self.timeline()]));
        doc.extend(self.section("impact", "Impact", self.impact()));
        doc.extend(self.section(
            "factors",
            "Contributing factors",
            self.contributing_factors(),
        ));
        doc.extend(self.section("root-cause", "Root cause", self.root_cause()));
        doc.extend(self.section(
            "placement",
            "Against the scenario's simulated runs",
            self.placement(),
        ));
        doc.extend(self.section("actions", "Action items", self.action_items()));
        doc
    }

    fn section(&self, id: &'static str, title: &str, body: Vec<Block>) -> Vec<Block> {
        let mut blocks = vec![Block::Section {
            level: 2,
            id,
            text: title.to_string(),
        }];
        blocks.extend(body);
        blocks
    }

    fn facts(&self) -> Vec<(String, Text)> {
        let t = &self.incident.timeline;
        let r = &self.incident.record;
        let mut facts = vec![
            (
                "Scenario".to_string(),
                vec![
                    Inline::Code(r.scenario.name.clone()),
                    Inline::Text(format!(
                        " version {} ({})",
                        r.scenario.version, r.scenario.content_hash
                    )),
                ],
            ),
            ("Onset".to_string(), text(show(t.onset()))),
            (
                "Timeline".to_string(),
                text(format!(
                    "{} ({} entries, followed for {} after the onset)",
                    self.incident.name,
                    t.entries.len(),
                    minutes(Some(t.follow_up()))
                )),
            ),
        ];
        if let Some(label) = &r.label {
            facts.push(("Label".to_string(), text(label.clone())));
        }
        facts
    }

    fn summary(&self) -> Block {
        let t = &self.incident.timeline;
        let row = &self.incident.record.per_run[0];
        let reached: Vec<String> = ["detected", "acknowledged", "contained", "recovered"]
            .iter()
            .zip(row.times())
            .map(|(name, time)| match time {
                Some(m) => format!("{name} after {}", minutes(Some(m))),
                None => format!("{name}: not in the timeline"),
            })
            .collect();
        let factors = self.slow_metrics().len();
        Block::Prose(
            None,
            text(format!(
                "The incident began at {}; from that onset it was {}. {} entries were \
                 recorded; {}{}",
                show(t.onset()),
                reached.join(", "),
                t.entries.len(),
                match factors {
                    0 => "every milestone the timeline records is within the usual range of the scenario's simulated runs".to_string(),
                    n => format!("{n} milestone(s) took longer than {:.0}% of the scenario's simulated runs (see the placement)", SLOW * 100.0),
                },
                "."
            )),
        )
    }

    fn timeline(&self) -> Block {
        let t = &self.incident.timeline;
        Block::Grid(Grid {
            class: Some("long"),
            columns: vec![
                Column::plain("time (as written)"),
                Column::num("after onset"),
                Column::plain("kind"),
                Column::plain("who"),
                Column::plain("what"),
            ],
            rows: t
                .entries
                .iter()
                .map(|e| {
                    let after = t.minutes(e);
                    vec![
                        text(show(e)),
                        text(if after < 0.0 {
                            format!("−{}", minutes(Some(-after)))
                        } else {
                            format!("+{}", minutes(Some(after)))
                        }),
                        text(e.kind.name()),
                        text(e.actor.clone()),
                        text(e.text.clone()),
                    ]
                })
                .collect(),
        })
    }

    fn impact(&self) -> Vec<Block> {
        let t = &self.incident.timeline;
        let row = &self.incident.record.per_run[0];
        let sim = &self.incident.simulated;
        let mut items = vec![match row.time_to_recover {
            Some(m) => format!(
                "The flow was down for {} from the onset to recovery.",
                minutes(Some(m))
            ),
            None => format!(
                "The timeline does not record a recovery: the flow was still affected {} after the onset, when the timeline ends.",
                minutes(Some(t.follow_up()))
            ),
        }];
        for (name, given, key) in [
            ("lost", self.incident.impact.lost, "lost"),
            ("delivered late", self.incident.impact.delayed, "delayed"),
        ] {
            items.push(match given {
                Some(n) => format!("Records {name}: {n} (counted by the team)."),
                None => {
                    let s = sim.records.get(key);
                    format!(
                        "Records {name}: not counted (pass --records-{key} N to record the count). The scenario's model estimates a median of {} and a 90th percentile of {} per incident over {} simulated runs: an estimate, not a count.",
                        count(s.and_then(|s| s.median)),
                        count(s.and_then(|s| s.p90)),
                        thousands(sim.runs)
                    )
                }
            });
        }
        if let Some(e) = t.first(EntryKind::Restored) {
            items.push(format!(
                "The affected records were restored {} after the onset.",
                minutes(Some(t.minutes(e)))
            ));
        }
        let objectives = Block::Grid(Grid {
            class: None,
            columns: vec![
                Column::plain("objective"),
                Column::plain("what it asks"),
                Column::plain("this incident"),
            ],
            rows: self
                .incident
                .record
                .objectives
                .iter()
                .zip(&row.objectives)
                .map(|(o, result)| {
                    vec![
                        vec![Inline::Code(o.id.clone())],
                        text(o.text.clone()),
                        text(match result.name() {
                            "n/a" => "not measured (the timeline or the counts do not say)",
                            name => name,
                        }),
                    ]
                })
                .collect(),
        });
        vec![
            Block::Items(items),
            Block::Heading(3, "The scenario's objectives".to_string()),
            objectives,
        ]
    }

    /// Time metrics placed at or above [`SLOW`], with their percentile.
    fn slow_metrics(&self) -> Vec<(&'static str, f64)> {
        self.incident
            .placements
            .iter()
            .filter(|p| p.metric != RECORDS_LOST)
            .filter_map(|p| p.percentile.filter(|&s| s >= SLOW).map(|s| (p.metric, s)))
            .collect()
    }

    fn contributing_factors(&self) -> Vec<Block> {
        let t = &self.incident.timeline;
        let mut items: Vec<String> = t
            .tagged(Tag::Factor)
            .map(|(e, rest)| format!("{rest} ({}{})", by(e), at(t, e)))
            .collect();
        let slow: Vec<String> = self
            .slow_metrics()
            .iter()
            .map(|(metric, share)| format!("{} ({:.0}%)", metric.replace('_', " "), share * 100.0))
            .collect();
        if !slow.is_empty() {
            items.push(format!(
                "Slower than most of the scenario's simulated runs (the share that was faster): {}. Look at what the people involved were waiting for in those stretches of the timeline: signals, access, hand-offs.",
                slow.join(", ")
            ));
        }
        let escalations = self.incident.record.per_run[0].escalations;
        if escalations > 1 {
            items.push(format!(
                "The incident was escalated {escalations} times: were the first people paged the ones who could act?"
            ));
        }
        if items.is_empty() {
            return vec![Block::Prose(
                None,
                ticked(
                    "None recorded. Add them as timeline notes starting with `factor:`, or write them here: what made the failure possible, what slowed its detection, what slowed the fix.",
                ),
            )];
        }
        vec![Block::Items(items)]
    }

    fn root_cause(&self) -> Vec<Block> {
        let t = &self.incident.timeline;
        let stated: Vec<String> = t
            .tagged(Tag::Cause)
            .map(|(e, rest)| format!("{rest} ({}{})", by(e), at(t, e)))
            .collect();
        let modelled: Vec<String> = self
            .scenario
            .faults
            .iter()
            .map(|f| {
                let cause = &self.scenario.causes[f.cause];
                format!(
                    "`{}`: a {} on `{}` ({}), cause: {}.",
                    f.id,
                    f.kind.name().replace('_', " "),
                    self.scenario.systems[f.flow].id,
                    self.scenario.systems[f.flow].tool,
                    cause.label()
                )
            })
            .collect();
        let mut blocks = Vec::new();
        if stated.is_empty() {
            blocks.push(Block::Prose(
                None,
                ticked("The timeline states no cause (a note starting with `cause:`). The scenario this incident was imported against models it as below: confirm or correct it in the review."),
            ));
        } else {
            blocks.push(Block::Paragraph("As the team recorded it:".to_string()));
            blocks.push(Block::Items(stated));
            blocks.push(Block::Paragraph(
                "The scenario models the failure as:".to_string(),
            ));
        }
        blocks.push(Block::List(modelled));
        blocks.push(Block::Prose(
            None,
            vec![
                Inline::Words(
                    "To test the hypothesis, replay a simulated run of it step by step: "
                        .to_string(),
                ),
                Inline::Code(format!(
                    "ttx replay {} --seed {PLACEMENT_SEED} --run 0",
                    self.scenario_path
                )),
                Inline::Words(
                    ", and check that its signals and timing match the timeline.".to_string(),
                ),
            ],
        ));
        blocks
    }

    fn placement(&self) -> Vec<Block> {
        let sim = &self.incident.simulated;
        let rows = self
            .incident
            .placements
            .iter()
            .filter(|p| p.metric != RECORDS_LOST || self.incident.impact.lost.is_some())
            .map(|p| {
                let (median, p90) = match sim.metrics.iter().find(|(n, _)| *n == p.metric) {
                    Some((_, s)) => (minutes(s.median), minutes(s.p90)),
                    None => {
                        let s = sim.records.get("lost");
                        (
                            count(s.and_then(|s| s.median)),
                            count(s.and_then(|s| s.p90)),
                        )
                    }
                };
                let value = match (p.value, p.censored_at) {
                    _ if p.metric == RECORDS_LOST => count(p.value),
                    (Some(v), _) => minutes(Some(v)),
                    (None, Some(c)) => format!("not reached in {}", minutes(Some(c))),
                    _ => "-".to_string(),
                };
                vec![
                    text(p.metric.replace('_', " ")),
                    text(value),
                    text(median),
                    text(p90),
                    text(p.percentile.map_or("-".to_string(), |s| {
                        let bound = if p.value.is_none() { "at least " } else { "" };
                        format!("{bound}{}", ordinal(s))
                    })),
                ]
            })
            .collect();
        let sentences: Vec<String> = self
            .incident
            .placements
            .iter()
            .filter(|p| p.metric != RECORDS_LOST || self.incident.impact.lost.is_some())
            .map(|p| p.describe().replacen("your ", "Your real ", 1))
            .collect();
        vec![
            Block::Grid(Grid {
                class: None,
                columns: vec![
                    Column::plain("metric"),
                    Column::num("this incident"),
                    Column::num("simulated median"),
                    Column::num("simulated p90"),
                    Column::num("percentile"),
                ],
                rows,
            }),
            Block::Items(sentences),
            Block::Prose(
                None,
                vec![
                    Inline::Words(format!(
                        "One incident is one sample. Its percentile is the share of {} simulated runs of the scenario that did better (ties count half): it says how this incident compares with what the scenario's model expects, not whether the team is fast or slow. If the model is right, one incident in ten lands above the 90th percentile by chance alone, so a high percentile is a question for the review (what made this one slow?) and may mean the scenario is too optimistic; it takes several incidents or drills (see ",
                        thousands(PLACEMENT_RUNS)
                    )),
                    Inline::Code("ttx trend".to_string()),
                    Inline::Words(") before a pattern shows. The simulated runs are ".to_string()),
                    Inline::Code(format!(
                        "ttx run {} --runs {PLACEMENT_RUNS} --seed {PLACEMENT_SEED}",
                        self.scenario_path
                    )),
                    Inline::Words(".".to_string()),
                ],
            ),
        ]
    }

    fn action_items(&self) -> Vec<Block> {
        let t = &self.incident.timeline;
        let tagged: Vec<(&Entry, &str)> = t.tagged(Tag::Action).collect();
        let to_fill = "(to fill)".to_string();
        let rows: Vec<Vec<Text>> = if tagged.is_empty() {
            (1..=3)
                .map(|i| {
                    vec![
                        text(i.to_string()),
                        text(to_fill.clone()),
                        text(to_fill.clone()),
                        text(to_fill.clone()),
                        text(to_fill.clone()),
                    ]
                })
                .collect()
        } else {
            tagged
                .iter()
                .enumerate()
                .map(|(i, (e, rest))| {
                    vec![
                        text((i + 1).to_string()),
                        text(rest.to_string()),
                        text(if e.actor.is_empty() {
                            to_fill.clone()
                        } else {
                            e.actor.clone()
                        }),
                        text(to_fill.clone()),
                        text(format!(
                            "line {}, {}",
                            e.line,
                            at(t, e).trim_start_matches(", ")
                        )),
                    ]
                })
                .collect()
        };
        let lead = if tagged.is_empty() {
            "No decision or note in the timeline starts with `action:`. Agree the actions in the review: each with an owner, a due date and the metric that will show it worked (faster detection, no recurrence)."
        } else {
            "From the timeline's decisions and notes tagged `action:`. Give each an owner, a due date and the metric that will show it worked (faster detection, no recurrence)."
        };
        vec![
            Block::Prose(None, ticked(lead)),
            Block::Grid(Grid {
                class: None,
                columns: vec![
                    Column::num("#"),
                    Column::plain("action"),
                    Column::plain("owner"),
                    Column::plain("due"),
                    Column::plain("from"),
                ],
                rows,
            }),
        ]
    }
}

/// A time as written, without the `T`: `2026-03-14 09:05:00+01:00`.
fn show(entry: &Entry) -> String {
    entry.at.local().replacen('T', " ", 1)
}

/// `by on-call` or nothing.
fn by(entry: &Entry) -> String {
    if entry.actor.is_empty() {
        "noted".to_string()
    } else {
        format!("noted by {}", entry.actor)
    }
}

/// `, +2h10m after the onset`.
fn at(timeline: &super::timeline::Timeline, entry: &Entry) -> String {
    let m = timeline.minutes(entry);
    if m < 0.0 {
        format!(", {} before the onset", minutes(Some(-m)))
    } else {
        format!(", {} after the onset", minutes(Some(m)))
    }
}

/// Sentences of the program's own in which backticks mark ids.
fn ticked(sentences: &str) -> Text {
    vec![Inline::Ticked(sentences.to_string())]
}

/// A count of records, `-` when unknown.
fn count(value: Option<f64>) -> String {
    value.map_or("-".to_string(), |v| format!("{v:.0}"))
}
