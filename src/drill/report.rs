//! The after-action report of a live drill: the team's one run placed against the simulated
//! distribution of the same scenario, its objectives, where its time went, and the decision
//! log as a timeline. Markdown and self-contained HTML, both from one [`DrillReport`].
//!
//! One drill is one sample, so the report never rates a team from it alone: it says where the
//! team's times fall among many simulated runs of the same scenario (see
//! [`crate::compare::placement`]) and what the log shows.

use std::fmt::Write as _;

use serde::Serialize;

use super::toolkit;
use crate::compare::placement::Placement;
use crate::drill::clock::format_minutes as clock;
use crate::drill::{FeedItem, Undelivered};
use crate::model::OpenStep;
use crate::render::blocks::{self, Block, Column, Grid, Inline, Text, text, words};
use crate::render::svg;
use crate::render::text::capitalise;
use crate::report::markdown::minutes;
use crate::results::{Results, RunRow, TIME_METRICS};
use crate::scenario::Scenario;

/// A drill's after-action report.
#[derive(Debug, Clone, Serialize)]
pub struct DrillReport {
    /// Scenario title.
    pub title: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario content hash.
    pub content_hash: String,
    /// The drill's seed (it played run 0).
    pub seed: u64,
    /// Wall-clock start.
    pub started: String,
    /// The drill's label (`ttx drill --label 2026-Q3`), if it has one.
    pub label: Option<String>,
    /// Roles people played.
    pub humans: Vec<String>,
    /// Who played which role, by role id, where named.
    pub players: std::collections::BTreeMap<String, String>,
    /// The time box, for a micro-exercise.
    pub micro: Option<crate::results::MicroInfo>,
    /// Speed at the start.
    pub speed: f64,
    /// How the drill ended, and when (scenario minutes).
    pub ended: Option<(String, f64)>,
    /// The team's time metrics and records lost, placed.
    pub placements: Vec<PlacedMetric>,
    /// Objectives: id, text, result.
    pub objectives: Vec<(String, String, String)>,
    /// Records lost, delayed, failed and restored in the drill.
    pub records: [(String, u64); 4],
    /// Minutes per phase (name, minutes), from the first onset.
    pub phases: Vec<(String, f64)>,
    /// Decisions taken (time, role, by, decision with outcome and rationale).
    pub decisions: Vec<FeedItem>,
    /// Everything delivered and decided, in order.
    pub timeline: Vec<FeedItem>,
    /// Points for the improvement plan.
    pub plan: Vec<String>,
    /// Runbook steps still open when the drill ended.
    pub open_steps: Vec<OpenStep>,
    /// Scripted injects the drill ended before delivering.
    pub undelivered: Vec<Undelivered>,
    /// Communications, discussion, hot wash and RACI, when the scenario has them.
    #[serde(skip)]
    pub toolkit: Vec<Block>,
}

/// One metric of the drill against the simulation.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedMetric {
    /// The placement.
    pub placement: Placement,
    /// Simulated median, if known.
    pub simulated_median: Option<f64>,
    /// Simulated 90th percentile, if known.
    pub simulated_p90: Option<f64>,
    /// The sentence for people.
    pub sentence: String,
}

impl DrillReport {
    /// Builds the report of a drill (`results` with one run and its drill facts) from its
    /// placements against `simulated` and its feed.
    pub fn new(
        results: &Results,
        placements: Vec<Placement>,
        simulated: &Results,
        feed: &[FeedItem],
    ) -> Self {
        let run = &results.per_run[0];
        let drill = results.drill.clone();
        let placed: Vec<PlacedMetric> = placements
            .into_iter()
            .map(|placement| {
                let summary = simulated
                    .metrics
                    .iter()
                    .find(|(name, _)| *name == placement.metric)
                    .map(|(_, s)| s);
                let (simulated_median, simulated_p90) = match summary {
                    Some(s) => (s.median, s.p90),
                    None => simulated
                        .records
                        .get("lost")
                        .map_or((None, None), |c| (c.median, c.p90)),
                };
                PlacedMetric {
                    sentence: placement.describe(),
                    placement,
                    simulated_median,
                    simulated_p90,
                }
            })
            .collect();
        let objectives: Vec<(String, String, String)> = results
            .objectives
            .iter()
            .zip(&run.objectives)
            .map(|(o, r)| (o.id.clone(), o.text.clone(), r.name().to_string()))
            .collect();
        let mut plan: Vec<String> = objectives
            .iter()
            .filter(|(_, _, r)| r == "missed" || r == "late")
            .map(|(id, text, r)| format!("Objective {id} was {r} (\"{text}\"): agree with its owner what would have met it, and drill that step again."))
            .collect();
        for p in &placed {
            if let Some(share) = p.placement.percentile
                && share >= 0.75
            {
                plan.push(format!(
                    "{}: slower than {:.0}% of simulated runs — look at the decision log around it for waits and hand-offs.",
                    p.placement.metric.replace('_', " "),
                    share * 100.0
                ));
            }
        }
        let decisions: Vec<FeedItem> = feed
            .iter()
            .filter(|i| i.kind == crate::drill::FeedKind::Decision)
            .cloned()
            .collect();
        let wrong: Vec<String> = decisions
            .iter()
            .filter(|d| d.text.starts_with(crate::model::WRONG_DIAGNOSIS))
            .map(|d| {
                let named = d.text[crate::model::WRONG_DIAGNOSIS.len()..].trim();
                let named = named.split(';').next().unwrap_or(named);
                format!("{} at {}", named, clock(d.t))
            })
            .collect();
        if !wrong.is_empty() {
            plan.push(format!(
                "{} wrong diagnosis(es) ({}): review which evidence pointed there, and what would have shown the real cause sooner.",
                wrong.len(),
                wrong.join("; ")
            ));
        }
        if decisions.iter().all(|d| !d.text.contains("rationale")) && !decisions.is_empty() {
            plan.push("No decision carried a rationale: ask participants to note why they act, so the review can learn from it.".to_string());
        }
        let phase_names = crate::model::Phase::ALL.map(|p| p.name());
        let phases = phase_names
            .iter()
            .zip(run.phases.as_array())
            .filter(|(_, m)| *m > 0.0)
            .map(|(n, m)| (n.to_string(), m))
            .collect();
        DrillReport {
            title: results.scenario.title.clone(),
            scenario: results.scenario.name.clone(),
            content_hash: results.scenario.content_hash.clone(),
            seed: results.seed,
            started: drill
                .as_ref()
                .map_or_else(String::new, |d| d.started.clone()),
            label: results.label.clone(),
            humans: drill.as_ref().map_or_else(Vec::new, |d| d.humans.clone()),
            players: drill
                .as_ref()
                .map_or_else(Default::default, |d| d.players.clone()),
            micro: drill.as_ref().and_then(|d| d.micro.clone()),
            speed: drill.as_ref().map_or(1.0, |d| d.speed),
            ended: feed
                .iter()
                .rev()
                .find(|i| i.kind == crate::drill::FeedKind::End)
                .map(|i| (i.text.clone(), i.t)),
            placements: placed,
            objectives,
            records: [
                ("lost".to_string(), run.records.lost),
                ("delayed".to_string(), run.records.delayed()),
                ("failed".to_string(), run.records.failed),
                (
                    "restored (replayed, released or backfilled)".to_string(),
                    run.records.recovered,
                ),
            ],
            phases,
            decisions,
            timeline: feed.to_vec(),
            plan,
            open_steps: Vec::new(),
            undelivered: Vec::new(),
            toolkit: Vec::new(),
        }
    }

    /// Adds how the play stood when the drill ended: the runbook steps still open and the
    /// injects not delivered. Records a restoring step would still have brought back are
    /// then not put to the team: the plan says the drill ended before that step, instead of
    /// asking why records were lost.
    pub fn with_ending(mut self, open_steps: &[OpenStep], undelivered: &[Undelivered]) -> Self {
        self.open_steps = open_steps.to_vec();
        self.undelivered = undelivered.to_vec();
        let restoring: Vec<&OpenStep> = (open_steps.iter())
            .filter(|s| s.effect == "restore_data")
            .collect();
        if !restoring.is_empty() {
            let lost = crate::compare::placement::RECORDS_LOST.replace('_', " ");
            self.plan
                .retain(|point| !point.starts_with(&format!("{lost}:")));
            self.plan.push(format!(
                "Records: the drill ended with {} still open, so records it would have restored \
                 count as lost or delayed here; that is where the play stopped, not a measure of \
                 the team. Play the restore step next time, or end the drill after it.",
                restoring
                    .iter()
                    .map(|s| format!("{} ({})", s.action, s.role))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        self
    }

    /// Adds the facilitator toolkit's sections (communications, discussion, hot wash, RACI)
    /// of the drill's `run` of `scenario`, whose modules started at `modules_started`.
    pub fn with_toolkit(
        mut self,
        scenario: &Scenario,
        run: &RunRow,
        modules_started: &[Option<f64>],
    ) -> Self {
        let sections = toolkit::drill_sections(scenario, run, &self.timeline, modules_started);
        self.toolkit = sections.blocks;
        self.plan.extend(sections.plan);
        self
    }

    /// The roles people played, each with its player's name where given, then roles named
    /// but simulated (the room played them through the facilitator).
    fn people(&self) -> String {
        let named = |role: &String| match self.players.get(role) {
            Some(name) => format!("{role} ({name})"),
            None => role.clone(),
        };
        let mut people: Vec<String> = self.humans.iter().map(named).collect();
        let through_facilitator: Vec<String> = (self.players.iter())
            .filter(|(role, _)| !self.humans.contains(role))
            .map(|(role, name)| format!("{role} ({name}, through the facilitator)"))
            .collect();
        people.extend(through_facilitator);
        if people.is_empty() {
            "nobody (every role simulated)".to_string()
        } else {
            people.join(", ")
        }
    }

    fn value(p: &PlacedMetric) -> String {
        let pl = &p.placement;
        if pl.metric == crate::compare::placement::RECORDS_LOST {
            return pl.value.map_or("-".to_string(), |v| format!("{v:.0}"));
        }
        match (pl.value, pl.censored_at) {
            (Some(v), _) => minutes(Some(v)),
            (None, Some(at)) => format!("not reached in {}", minutes(Some(at))),
            _ => "-".to_string(),
        }
    }

    fn sim(p: &PlacedMetric, v: Option<f64>) -> String {
        if p.placement.metric == crate::compare::placement::RECORDS_LOST {
            v.map_or("-".to_string(), |v| format!("{v:.0}"))
        } else {
            minutes(v)
        }
    }

    /// The report as blocks, built once for both formats.
    pub fn document(&self) -> Vec<Block> {
        let mut intro = Vec::new();
        if let Some(label) = &self.label {
            intro.push(Inline::Strong(vec![Inline::Text(label.clone())]));
            intro.push(Inline::Text(". ".to_string()));
        }
        intro.extend([
            Inline::Words("Scenario ".to_string()),
            Inline::Code(self.scenario.clone()),
            Inline::Text(format!(
                " ({}), seed {} (run 0), started {}; played by people: {}; speed {} scenario \
                 minutes per wall minute.",
                self.content_hash,
                self.seed,
                self.started,
                self.people(),
                self.speed
            )),
        ]);
        if let Some(micro) = &self.micro {
            let what = match &micro.module {
                Some(id) => format!("module `{id}`"),
                None => "the preset `micro`".to_string(),
            };
            intro.push(Inline::Text(format!(
                " A micro-exercise of {what}: a time box of {} wall minutes ({} of scenario time).",
                micro.minutes,
                crate::scenario::duration::format_minutes(micro.window)
            )));
        }
        if let Some((how, t)) = &self.ended {
            intro.push(Inline::Text(format!(
                " {} at {}.",
                capitalise(how),
                clock(*t)
            )));
        }
        let percent =
            |share: Option<f64>| share.map_or("-".to_string(), |s| format!("{:.0}%", s * 100.0));
        let placements = Grid {
            class: None,
            columns: vec![
                Column::plain("metric"),
                Column::plain("drill"),
                Column::num("percentile"),
                Column::plain("simulated median"),
                Column::plain("simulated p90"),
            ],
            rows: self
                .placements
                .iter()
                .map(|p| {
                    vec![
                        text(p.placement.metric.replace('_', " ")),
                        text(Self::value(p)),
                        // A time the drill did not reach places it at a lower bound.
                        text(
                            p.placement.bound_mark().to_string() + &percent(p.placement.percentile),
                        ),
                        text(Self::sim(p, p.simulated_median)),
                        text(Self::sim(p, p.simulated_p90)),
                    ]
                })
                .collect(),
        };
        let objectives = Grid {
            class: None,
            columns: vec![
                Column::plain("objective"),
                Column::plain("result"),
                Column::plain("what it asks"),
            ],
            rows: self
                .objectives
                .iter()
                .map(|(id, asks, result)| {
                    vec![
                        text(id.as_str()),
                        text(result.as_str()),
                        text(asks.as_str()),
                    ]
                })
                .collect(),
        };
        let phases = Grid {
            class: None,
            columns: vec![Column::plain("phase"), Column::num("minutes")],
            rows: self
                .phases
                .iter()
                .map(|(phase, m)| vec![text(phase.as_str()), text(format!("{m:.1}"))])
                .collect(),
        };
        let who = |roles: &[String], nobody: &str| {
            if roles.is_empty() {
                nobody.to_string()
            } else {
                roles.join(", ")
            }
        };
        let mut decisions: Vec<Vec<Text>> = self
            .decisions
            .iter()
            .map(|d| {
                vec![
                    text(clock(d.t)),
                    text(who(&d.roles, "facilitator")),
                    text(d.text.as_str()),
                ]
            })
            .collect();
        if decisions.is_empty() {
            decisions.push(vec![
                text("-"),
                text("-"),
                text("no decision was taken by a person"),
            ]);
        }
        let timeline: Vec<Vec<Text>> = self
            .timeline
            .iter()
            .map(|i| {
                vec![
                    text(clock(i.t)),
                    text(who(&i.roles, "-")),
                    text(i.text.as_str()),
                ]
            })
            .collect();
        let time_columns = |second: &str, third: &str| {
            vec![
                Column::plain("time").cells("when"),
                Column::plain(second),
                Column::plain(third),
            ]
        };
        let plan = if self.plan.is_empty() {
            vec![
                "Nothing stood out: every objective met and no time slower than three in four \
                  simulated runs."
                    .to_string(),
            ]
        } else {
            self.plan.clone()
        };
        let section = |id: &'static str, title: &str, blocks: Vec<Block>| {
            let mut all = vec![Block::Section {
                level: 2,
                id,
                text: title.to_string(),
            }];
            all.extend(blocks);
            Block::Region(id, all)
        };
        let mut doc = vec![
            Block::Title {
                kicker: "Drill after-action report".to_string(),
                title: self.title.clone(),
            },
            Block::Prose(None, intro),
            Block::Prose(
                None,
                words(
                    "One drill is one sample: it cannot show that the team got better or worse. \
                     Its times are placed among simulated runs of the same scenario instead \
                     (percentile = share of simulated runs that did better; lower is better).",
                ),
            ),
            section(
                "placements",
                "Your times against the simulation",
                vec![
                    self.placement_chart(),
                    Block::Grid(placements),
                    Block::Items(
                        self.placements
                            .iter()
                            .map(|p| capitalise(&p.sentence))
                            .collect(),
                    ),
                ],
            ),
            section("objectives", "Objectives", vec![Block::Grid(objectives)]),
            section(
                "records",
                "Records",
                vec![Block::Items(
                    self.records
                        .iter()
                        .map(|(name, count)| format!("{name}: {count}"))
                        .collect(),
                )],
            ),
            section("phases", "Where the time went", vec![Block::Grid(phases)]),
            section("ending", "Where the play stood at the end", self.ending()),
        ];
        if !self.toolkit.is_empty() {
            doc.push(Block::Region("toolkit", self.toolkit.clone()));
        }
        doc.extend([
            section(
                "decisions",
                "Decision log",
                vec![Block::Grid(Grid {
                    class: None,
                    columns: time_columns("role", "decision"),
                    rows: decisions,
                })],
            ),
            section(
                "timeline",
                "Timeline",
                vec![Block::Grid(Grid {
                    class: Some("long"),
                    columns: time_columns("to", "what"),
                    rows: timeline,
                })],
            ),
            section("plan", "Improvement plan", vec![Block::Items(plan)]),
        ]);
        doc
    }

    /// The steps still open and the injects not delivered when the drill ended.
    fn ending(&self) -> Vec<Block> {
        let mut blocks = Vec::new();
        if self.open_steps.is_empty() {
            blocks.push(Block::Prose(
                None,
                words("No runbook step was open: every step with something to do had been played."),
            ));
        } else {
            blocks.push(Block::Prose(
                None,
                words(
                    "Runbook steps still open when the drill ended (not counted against the team):",
                ),
            ));
            blocks.push(Block::Grid(Grid {
                class: None,
                columns: vec![
                    Column::plain("step"),
                    Column::plain("role"),
                    Column::plain("does"),
                    Column::plain("state"),
                    Column::plain("why it had not run"),
                ],
                rows: (self.open_steps.iter())
                    .map(|s| {
                        vec![
                            text(s.action.as_str()),
                            text(s.role.as_str()),
                            text(s.effect.replace('_', " ")),
                            text(s.state.replace('_', " ")),
                            text(s.blocked.as_deref().unwrap_or("ready to run")),
                        ]
                    })
                    .collect(),
            }));
        }
        if !self.undelivered.is_empty() {
            blocks.push(Block::Prose(
                None,
                words("Scripted injects not delivered (the drill ended before they were due, or their condition never came):"),
            ));
            blocks.push(Block::Grid(Grid {
                class: None,
                columns: vec![
                    Column::plain("inject"),
                    Column::plain("to"),
                    Column::plain("from"),
                    Column::plain("due"),
                ],
                rows: (self.undelivered.iter())
                    .map(|u| {
                        vec![
                            text(u.id.as_str()),
                            text(u.to.as_str()),
                            text(u.from.as_str()),
                            text(u.due.as_str()),
                        ]
                    })
                    .collect(),
            }));
        }
        blocks
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let text = blocks::markdown(&self.document());
        text.strip_prefix('\n').unwrap_or(&text).to_string()
    }

    /// The report as a self-contained HTML page.
    pub fn html(&self) -> String {
        format!(
            "{}<main>\n{}</main>\n</body>\n</html>\n",
            crate::render::html::page_head(
                &format!("Drill report: {}", self.title),
                crate::render::html::STYLE,
            ),
            blocks::html(&self.document())
        )
    }

    /// One row per time metric: the simulated median to p90 as a bar, the drill as a dot.
    fn placement_chart(&self) -> Block {
        let mut out = String::new();
        let out = &mut out;
        let rows: Vec<&PlacedMetric> = self
            .placements
            .iter()
            .filter(|p| TIME_METRICS.contains(&p.placement.metric))
            .collect();
        let highest = rows
            .iter()
            .flat_map(|p| [p.simulated_p90, p.placement.value, p.placement.censored_at])
            .flatten()
            .fold(1.0_f64, f64::max);
        let (left, width, row) = (170.0, 640.0, 34.0);
        let height = 30.0 + row * rows.len() as f64;
        svg::open(
            out,
            "placement-chart",
            left + width + 20.0,
            height,
            "Drill times against the simulation",
            "For each time metric, a bar from the simulated median to the simulated 90th percentile, and a dot at the drill's time.",
        );
        let x = |v: f64| left + width * v / (highest * 1.05);
        for (i, p) in rows.iter().enumerate() {
            let y = 20.0 + row * i as f64;
            svg::text(
                out,
                left - 8.0,
                y + 14.0,
                "end",
                "label",
                &p.placement.metric.replace('_', " "),
            );
            if let (Some(m), Some(p90)) = (p.simulated_median, p.simulated_p90) {
                svg::rect(
                    out,
                    (x(m), y + 4.0, x(p90) - x(m), 14.0),
                    "#c9d7ee",
                    Some("simulated median to p90"),
                );
                svg::line(out, (x(m), y + 2.0), (x(m), y + 20.0), "median");
            }
            if let Some(v) = p.placement.value.or(p.placement.censored_at) {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"#b42318\"><title>drill: {}</title></circle>",
                    svg::num(x(v)),
                    svg::num(y + 11.0),
                    svg::escape(&minutes(Some(v)))
                );
            }
        }
        svg::close(out);
        Block::Figure {
            svg: std::mem::take(out),
            caption: text(format!(
                "Each bar runs from the simulated median to the simulated 90th percentile; the \
                 dot is the drill (a drill that did not get there is drawn where it stopped). \
                 Scale: 0 to {}.",
                minutes(Some(highest * 1.05))
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::placement;
    use crate::drill::tests::on_call_drill;
    use crate::model::{Decision, StreamKeys};
    use crate::scenario::default_scenario;

    /// Seed 3 of the default scenario, on-call played by a person who acknowledges and
    /// diagnoses; the facilitator ends the drill at `end`; the report with its ending.
    fn report_ended_at(end: f64) -> DrillReport {
        let loaded = default_scenario();
        let scenario = &loaded.scenario;
        let keys = StreamKeys::new(scenario, 145);
        let dir = tempfile::tempdir().unwrap();
        let (mut drill, on_call) = on_call_drill(scenario, &keys, &dir.path().join("drill.jsonl"));
        drill.advance_to(45.0).unwrap();
        for decision in [
            Decision::Acknowledge { incident: None },
            Decision::Diagnose {
                cause: "renamed-form-field".to_string(),
            },
            Decision::Run {
                action: "fix-field-mapping".to_string(),
            },
        ] {
            let taken = drill.decide(Some(on_call[0]), "participant", decision, None);
            assert!(taken.unwrap().is_ok());
        }
        drill.advance_to(end).unwrap();
        let ended = drill.end(true).unwrap();
        let simulated = placement::simulate("test", &ended.results, 400, 1).unwrap();
        let placements = placement::place(&ended.results.per_run[0], &simulated);
        DrillReport::new(&ended.results, placements, &simulated, &ended.feed)
            .with_ending(&ended.open_steps, &ended.undelivered)
    }

    #[test]
    fn a_drill_ended_before_the_restore_step_lists_it_and_puts_no_loss_to_the_team() {
        // Ended 7 hours in: the fix is long done, the errored leads past the 6 h retry window
        // are lost and the rest wait; the replay step is still open.
        let report = report_ended_at(7.0 * 60.0);
        let open: Vec<&str> = report
            .open_steps
            .iter()
            .map(|s| s.action.as_str())
            .collect();
        assert!(open.contains(&"replay-failed-tasks"), "{open:?}");
        assert!(
            !report.plan.iter().any(|p| p.starts_with("records lost:")),
            "{:?}",
            report.plan
        );
        assert!(
            report.plan.iter().any(|p| p.starts_with(
                "Records: the drill ended with replay-failed-tasks (on-call) still open"
            )),
            "{:?}",
            report.plan
        );
        let markdown = report.markdown();
        assert!(markdown.contains("## Where the play stood at the end"));
        assert!(
            markdown.contains("| replay-failed-tasks | on-call | restore data |"),
            "{markdown}"
        );
    }
}
