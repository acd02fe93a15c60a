//! The facilitator toolkit's sections of a drill's after-action report: how the team
//! communicated on the `[comms]` forms and cadence, what the room said to each module's
//! discussion questions and to the hot-wash prompts, and who was responsible and accountable
//! for each action. Built as [`Block`]s, so the Markdown and HTML reports say the same thing,
//! with the points they add to the improvement plan.

use crate::drill::FeedItem;
use crate::engine::Time;
use crate::model::{Decision, HOT_WASH};
use crate::render::blocks::Block;
use crate::report::markdown::minutes;
use crate::results::RunRow;
use crate::scenario::Scenario;
use crate::scenario::duration::format_clock;

/// Sections of a drill report and the improvement points they raise.
#[derive(Debug, Clone, Default)]
pub struct ToolkitSections {
    /// The sections, in report order; empty when the scenario uses no toolkit feature.
    pub blocks: Vec<Block>,
    /// Points for the improvement plan.
    pub plan: Vec<String>,
}

/// The toolkit sections of a drill of `scenario`: its scored run, its feed, and when each
/// module started.
pub fn drill_sections(
    scenario: &Scenario,
    run: &RunRow,
    feed: &[FeedItem],
    modules_started: &[Option<Time>],
) -> ToolkitSections {
    let mut sections = ToolkitSections::default();
    if !scenario.comms.templates.is_empty() {
        communications(run, feed, &mut sections);
    }
    if !scenario.modules.is_empty() || !scenario.hot_wash.is_empty() {
        discussion(scenario, feed, modules_started, &mut sections);
    }
    if scenario.actions.iter().any(|a| a.raci.is_some()) {
        sections.blocks.push(Block::Heading(2, "RACI".to_string()));
        sections.blocks.push(Block::Paragraph(
            "Who was responsible (R), accountable (A), consulted (C) and informed (I) for each action; actions that need approval wait for their approver.".to_string(),
        ));
        sections
            .blocks
            .push(crate::report::packet::raci_table(scenario));
    }
    sections
}

fn communications(run: &RunRow, feed: &[FeedItem], sections: &mut ToolkitSections) {
    let blocks = &mut sections.blocks;
    blocks.push(Block::Heading(2, "Communications".to_string()));
    blocks.push(Block::Paragraph(
        "Per audience: updates that fell due on the cadence, updates sent, those sent within the cadence's grace, the time from the first onset to the first update, the required fields filled, and jargon words in texts checked for jargon.".to_string(),
    ));
    let header = [
        "audience",
        "due",
        "sent",
        "on cadence",
        "first update",
        "required fields filled",
        "jargon flags",
    ]
    .map(String::from)
    .to_vec();
    let rows = run
        .comms
        .iter()
        .map(|a| {
            vec![
                a.audience.clone(),
                a.due.to_string(),
                a.sent.to_string(),
                a.on_cadence.to_string(),
                minutes(a.first_update),
                if a.fields_required == 0 {
                    "-".to_string()
                } else {
                    format!("{} of {}", a.fields_filled, a.fields_required)
                },
                a.jargon_flags.to_string(),
            ]
        })
        .collect();
    blocks.push(Block::Table(header, rows));
    let forms: Vec<Vec<String>> = feed
        .iter()
        .filter(|i| {
            matches!(
                &i.decision,
                Some(Decision::Update {
                    template: Some(_),
                    ..
                })
            )
        })
        .map(|i| vec![format_clock(i.t), i.roles.join(", "), i.text.clone()])
        .collect();
    if !forms.is_empty() {
        blocks.push(Block::Heading(
            3,
            "Updates written on the forms".to_string(),
        ));
        blocks.push(Block::Table(
            ["time", "by", "sent, and what it lacked"]
                .map(String::from)
                .to_vec(),
            forms,
        ));
    }
    for a in &run.comms {
        let misses = a.cadence_misses();
        if misses > 0 {
            sections.plan.push(format!(
                "{}: {} of {} due updates went out late or not at all — agree who writes them and when, and keep a timer for the next one.",
                a.audience, misses, a.due
            ));
        }
        if a.fields_filled < a.fields_required {
            sections.plan.push(format!(
                "{}: the updates left {} of {} required fields blank — use the template's form, and say \"not known yet\" rather than leaving a field out.",
                a.audience,
                a.fields_required - a.fields_filled,
                a.fields_required
            ));
        }
        if a.jargon_flags > 0 {
            sections.plan.push(format!(
                "{}: {} jargon word{} in customer-facing text — have a second reader check notices before they go out.",
                a.audience,
                a.jargon_flags,
                if a.jargon_flags == 1 { "" } else { "s" }
            ));
        }
    }
}

fn discussion(
    scenario: &Scenario,
    feed: &[FeedItem],
    modules_started: &[Option<Time>],
    sections: &mut ToolkitSections,
) {
    let answers = |module: &str, question: usize| -> Vec<String> {
        feed.iter()
            .filter_map(|i| match &i.decision {
                Some(Decision::Answer {
                    module: m,
                    question: q,
                    text,
                }) if m == module && *q == question => {
                    Some(format!("{} {text}", format_clock(i.t)))
                }
                _ => None,
            })
            .collect()
    };
    let mut unanswered = 0;
    let mut table = |id: &str, questions: &[String], blocks: &mut Vec<Block>| {
        let rows = questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let said = answers(id, i + 1);
                if said.is_empty() {
                    unanswered += 1;
                }
                vec![
                    (i + 1).to_string(),
                    q.clone(),
                    if said.is_empty() {
                        "not recorded".to_string()
                    } else {
                        said.join(" / ")
                    },
                ]
            })
            .collect();
        blocks.push(Block::Table(
            ["#", "question", "what the room said"]
                .map(String::from)
                .to_vec(),
            rows,
        ));
    };
    let blocks = &mut sections.blocks;
    if !scenario.modules.is_empty() {
        blocks.push(Block::Heading(2, "Discussion".to_string()));
        for (m, module) in scenario.modules.iter().enumerate() {
            let when = modules_started
                .get(m)
                .copied()
                .flatten()
                .map_or("not reached".to_string(), |t| {
                    format!("started {}", format_clock(t))
                });
            blocks.push(Block::Heading(3, format!("{} ({when})", module.title)));
            table(&module.id, &module.questions, blocks);
        }
    }
    if !scenario.hot_wash.is_empty() {
        blocks.push(Block::Heading(2, "Hot wash".to_string()));
        table(HOT_WASH, &scenario.hot_wash, blocks);
    }
    if unanswered > 0 {
        sections.plan.push(format!(
            "{unanswered} discussion question{} had no answer recorded — come back to {} in the debrief.",
            if unanswered == 1 { "" } else { "s" },
            if unanswered == 1 { "it" } else { "them" }
        ));
    }
}
