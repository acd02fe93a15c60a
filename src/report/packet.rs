//! The exercise packet a facilitator prints before the day (`ttx packet`): the Situation
//! Manual (SitMan) for every participant, and the controller-only Master Scenario Events List
//! (MSEL), each as Markdown and as a self-contained HTML page.
//!
//! Both are drawn from the scenario alone (no runs), as a list of [`Block`]s rendered by one
//! Markdown and one HTML writer, so the two formats always say the same thing. The SitMan must
//! not give the exercise away: it names no fault, root cause or inject; those are in the MSEL.
//! Output depends only on the scenario (no dates), so packets snapshot byte for byte.

use std::fmt::Write as _;

use crate::render::blocks::{self, Block};
use crate::render::html::{STYLE, escape, page_head};
use crate::scenario::duration::format_minutes;
use crate::scenario::{
    ActionEffect, Dist, InjectTime, InjectTrigger, Message, Metric, RoleKind, Scenario, SystemKind,
};

/// One document of the packet.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Which document: "Situation Manual" or "Master Scenario Events List".
    pub kind: &'static str,
    /// A line under the title (who may read it).
    pub audience: &'static str,
    /// The scenario title.
    pub title: String,
    /// The content.
    pub blocks: Vec<Block>,
}

/// The Situation Manual and the MSEL of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet {
    /// For everyone taking part.
    pub sitman: Document,
    /// For controllers and evaluators only.
    pub msel: Document,
}

impl Packet {
    /// The packet of `scenario`.
    pub fn new(scenario: &Scenario) -> Self {
        Packet::with_clock(scenario, None)
    }

    /// The packet of `scenario`, its MSEL with the wall-clock time of each timed inject and
    /// module when the drill starts and runs as `clock` says.
    pub fn with_clock(scenario: &Scenario, clock: Option<WallClock>) -> Self {
        Packet {
            sitman: sitman(scenario),
            msel: msel(scenario, clock),
        }
    }
}

/// When a live drill starts and how fast it runs (`ttx drill --speed`), for the MSEL's
/// wall-clock times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WallClock {
    /// The start, in minutes after midnight.
    pub start: f64,
    /// Scenario minutes per wall-clock minute.
    pub speed: f64,
}

impl WallClock {
    /// The wall-clock time (`09:42`, `09:31:24`, `00:10 +1d`) at which scenario minute
    /// `minutes` comes; `None` for a time given from a milestone, which varies by run.
    pub fn at(&self, at: InjectTime) -> Option<String> {
        let InjectTime::At(minutes) = at else {
            return None;
        };
        let seconds = ((self.start + minutes / self.speed) * 60.0).round() as u64;
        let (days, of_day) = (seconds / 86_400, seconds % 86_400);
        let (h, m, s) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
        let mut text = format!("{h:02}:{m:02}");
        if s > 0 {
            text.push_str(&format!(":{s:02}"));
        }
        if days > 0 {
            text.push_str(&format!(" +{days}d"));
        }
        Some(text)
    }

    /// The `Wall clock` cell of a row timed `at`, when there is a clock: "-" for a time from
    /// a milestone or a decision, which varies by run.
    fn cell(clock: Option<WallClock>, at: &InjectTrigger) -> Option<String> {
        let time = match at {
            InjectTrigger::Time(time) => Some(*time),
            InjectTrigger::Decision(..) => None,
        };
        clock.map(|c| time.and_then(|t| c.at(t)).unwrap_or_else(|| "-".into()))
    }
}

/// When a module happens, in words.
pub fn when(at: InjectTime) -> String {
    at.words()
}

/// A distribution in words: the value if fixed, else "about" its mean.
fn roughly(dist: &Dist) -> String {
    match dist {
        Dist::Fixed(t) => format_minutes(*t),
        other => format!("about {}", format_minutes(other.mean())),
    }
}

fn sitman(s: &Scenario) -> Document {
    let role = |r: usize| s.roles[r].id.clone();
    let mut blocks = Vec::new();

    blocks.push(Block::Heading(2, "Overview".into()));
    let day = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ][(s.meta.start_minute_of_week / 1440.0) as usize % 7];
    let clock = s.meta.start_minute_of_week % 1440.0;
    blocks.push(Block::Paragraph(format!(
        "The exercise begins on a {day} at {:02}:{:02} (exercise time) and lasts at most {}. \
         Something will go wrong in the integrations below; finding out what is part of the \
         exercise.",
        (clock / 60.0) as u32,
        (clock % 60.0) as u32,
        format_minutes(s.meta.horizon)
    )));
    let flows: Vec<Vec<String>> = s
        .systems
        .iter()
        .filter(|sys| sys.kind == SystemKind::Flow)
        .map(|f| {
            let end = |i: Option<usize>| i.map_or_else(String::new, |i| s.systems[i].id.clone());
            vec![
                f.id.clone(),
                f.tool.clone(),
                end(f.from),
                end(f.to),
                format!("{}", f.records_per_minute),
            ]
        })
        .collect();
    blocks.push(Block::Table(
        ["Flow", "Tool", "From", "To", "Records per minute"]
            .map(String::from)
            .to_vec(),
        flows,
    ));

    if !s.objectives.is_empty() {
        blocks.push(Block::Heading(2, "Objectives".into()));
        let rows = s
            .objectives
            .iter()
            .map(|o| {
                let target = match o.metric {
                    Metric::TimeTo(_) => format_minutes(o.target),
                    _ => format!("{}", o.target),
                };
                vec![
                    o.id.clone(),
                    o.text.clone(),
                    o.metric.name().replace('_', " "),
                    target,
                ]
            })
            .collect();
        blocks.push(Block::Table(
            ["Objective", "What it means", "Measured by", "Target"]
                .map(String::from)
                .to_vec(),
            rows,
        ));
    }

    blocks.push(Block::Heading(2, "Roles".into()));
    let rows = s
        .roles
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let paged: Vec<&str> = s
                .escalation
                .severities
                .iter()
                .filter(|l| l.page.contains(&i))
                .map(|l| l.level.as_str())
                .collect();
            let sends: Vec<&str> = s
                .comms
                .templates
                .iter()
                .filter(|t| t.by == i)
                .map(|t| t.id.as_str())
                .collect();
            vec![
                r.id.clone(),
                r.title.clone(),
                match r.kind {
                    RoleKind::Responder => "responder".into(),
                    RoleKind::Stakeholder => "stakeholder (receives news, never acts)".into(),
                },
                paged.join(", "),
                sends.join(", "),
            ]
        })
        .collect();
    blocks.push(Block::Table(
        ["Role", "Title", "Part", "Paged at", "Sends"]
            .map(String::from)
            .to_vec(),
        rows,
    ));
    blocks.push(Block::Paragraph(
        "Severity levels, from least to most severe (an incident opens at the first and is \
         escalated when a target is breached):"
            .into(),
    ));
    blocks.push(Block::Table(
        ["Level", "Acknowledge within", "Restore within"]
            .map(String::from)
            .to_vec(),
        s.escalation
            .severities
            .iter()
            .map(|l| {
                vec![
                    l.level.clone(),
                    format_minutes(l.acknowledge_within),
                    format_minutes(l.restore_within),
                ]
            })
            .collect(),
    ));

    if s.actions.iter().any(|a| a.raci.is_some()) {
        blocks.push(Block::Heading(
            2,
            "Responsibilities (RACI) and approvals".into(),
        ));
        blocks.push(Block::Paragraph(
            "R does the work, A answers for it (and approves it where approval is needed), \
             C is asked first, I is told afterwards."
                .into(),
        ));
        blocks.push(raci_table(s));
    }
    let approvals: Vec<String> = s
        .actions
        .iter()
        .filter_map(|a| {
            let approver = a.approver.filter(|&r| r != a.by)?;
            Some(format!(
                "{} (by {}) waits for approval by {}",
                action_name(a.id.as_str()),
                role(a.by),
                role(approver)
            ))
        })
        .collect();
    if !approvals.is_empty() {
        blocks.push(Block::Paragraph("Actions that need approval:".into()));
        blocks.push(Block::List(approvals));
    }

    blocks.push(Block::Heading(2, "Schedule".into()));
    let mut schedule = vec![vec![
        "start".to_string(),
        "Briefing, then the exercise clock starts".to_string(),
    ]];
    schedule.extend(
        s.modules
            .iter()
            .map(|m| vec![when(m.starts), m.title.clone()]),
    );
    schedule.push(vec![
        format!(
            "{} after start at the latest",
            format_minutes(s.meta.horizon)
        ),
        "End of play, then the hot wash".into(),
    ]);
    blocks.push(Block::Table(
        ["When (exercise time)", "What"].map(String::from).to_vec(),
        schedule,
    ));

    blocks.push(Block::Heading(2, "Rules of play".into()));
    let mut rules: Vec<String> = [
        "This is a no-fault exercise: it tests the plan, the runbook and the tools, not people.",
        "Respond as you would on the day, with the authority and information your role has.",
        "Only the facilitator speaks for people and systems outside the room; what they say \
         arrives as injects.",
        "Decisions are made by the roles that own them; say aloud who decides, approves and is told.",
        "Exercise time may run faster than real time; the facilitator announces each module.",
        "Write down what you would change: the hot wash collects it at the end.",
    ]
    .map(String::from)
    .to_vec();
    if !s.comms.templates.is_empty() {
        rules.push(
            "Send updates through the templates below, on their cadence; fill in every \
             required field."
                .into(),
        );
    }
    blocks.push(Block::Numbered(rules));

    if !s.comms.templates.is_empty() {
        blocks.push(Block::Heading(2, "Communications".into()));
        blocks.push(Block::Table(
            [
                "Template",
                "Kind",
                "Audience",
                "Channel",
                "Sent by",
                "Required fields",
            ]
            .map(String::from)
            .to_vec(),
            s.comms
                .templates
                .iter()
                .map(|t| {
                    vec![
                        t.id.clone(),
                        t.kind.title().into(),
                        s.comms.audiences[t.audience].clone(),
                        t.channel.clone(),
                        role(t.by),
                        t.required
                            .iter()
                            .map(|f| f.label())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect(),
        ));
        if !s.comms.cadence.is_empty() {
            blocks.push(Block::Paragraph(
                "Cadence while an incident is open:".into(),
            ));
            blocks.push(Block::Table(
                [
                    "Severity",
                    "Template",
                    "Audience",
                    "Every",
                    "On time if sent within",
                ]
                .map(String::from)
                .to_vec(),
                s.comms
                    .cadence
                    .iter()
                    .map(|c| {
                        let t = &s.comms.templates[c.template];
                        vec![
                            s.escalation.severities[c.severity].level.clone(),
                            t.id.clone(),
                            s.comms.audiences[t.audience].clone(),
                            format_minutes(c.every),
                            format_minutes(c.grace),
                        ]
                    })
                    .collect(),
            ));
        }
        if s.comms.templates.iter().any(|t| t.jargon_check) {
            blocks.push(Block::Paragraph(format!(
                "Texts of {} are checked for jargon. Avoid: {}.",
                s.comms
                    .templates
                    .iter()
                    .filter(|t| t.jargon_check)
                    .map(|t| t.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                s.comms.jargon.join(", ")
            )));
        }
    }

    if s.modules.iter().any(|m| !m.questions.is_empty()) {
        blocks.push(Block::Heading(2, "Discussion questions".into()));
        for m in &s.modules {
            blocks.push(Block::Heading(
                3,
                format!("{} ({})", m.title, when(m.starts)),
            ));
            if m.questions.is_empty() {
                blocks.push(Block::Paragraph("No questions for this module.".into()));
            } else {
                blocks.push(Block::Numbered(m.questions.clone()));
            }
        }
    }
    if !s.hot_wash.is_empty() {
        blocks.push(Block::Heading(2, "Hot wash".into()));
        blocks.push(Block::Numbered(s.hot_wash.clone()));
    }
    Document {
        kind: "Situation Manual",
        audience: "For every participant.",
        title: s
            .meta
            .player_title
            .clone()
            .unwrap_or_else(|| s.meta.title.clone()),
        blocks,
    }
}

fn action_name(id: &str) -> String {
    format!("`{id}`")
}

/// Actions × roles, each cell the role's letters for the action.
pub fn raci_table(s: &Scenario) -> Block {
    let mut header = vec!["Action".to_string()];
    header.extend(s.roles.iter().map(|r| r.id.clone()));
    let rows = s
        .actions
        .iter()
        .map(|a| {
            let mut row = vec![a.id.clone()];
            row.extend((0..s.roles.len()).map(|r| {
                let Some(raci) = &a.raci else {
                    return if r == a.by { "R".into() } else { String::new() };
                };
                let mut letters = String::new();
                for (letter, has) in [
                    ('R', raci.responsible == r),
                    ('A', raci.accountable == Some(r)),
                    ('C', raci.consulted.contains(&r)),
                    ('I', raci.informed.contains(&r)),
                ] {
                    if has {
                        letters.push(letter);
                    }
                }
                letters
            }));
            row
        })
        .collect();
    Block::Table(header, rows)
}

/// What a message does to its recipient, in words.
fn effects(s: &Scenario, m: &Message) -> String {
    let mut parts = Vec::new();
    if m.load > 0 {
        parts.push(format!(
            "+{} open item{}",
            m.load,
            if m.load == 1 { "" } else { "s" }
        ));
    }
    if m.misleads {
        parts.push("misleads".to_string());
    }
    if let Some(c) = m.reveals {
        parts.push(format!("reveals {}", s.causes[c].id));
    }
    parts.join(", ")
}

/// The expected action of an inject: the scenario's `expect`, else what the inject asks for.
fn expected(s: &Scenario, expect: Option<&str>, m: &Message) -> String {
    if let Some(e) = expect {
        return e.to_string();
    }
    if let Some(c) = m.reveals {
        return format!("Use it to diagnose {}", s.causes[c].id);
    }
    if m.misleads {
        return "Weigh it against the evidence; do not chase it".into();
    }
    if m.load > 0 {
        return "Answer it".into();
    }
    "Note it".into()
}

fn msel(s: &Scenario, clock: Option<WallClock>) -> Document {
    let mut blocks = Vec::new();
    if let Some(c) = clock {
        blocks.push(Block::Paragraph(format!(
            "Wall-clock times are for a drill started at {} at speed {} (`ttx drill --speed {}`: \
             {} scenario minutes a minute); a time after a milestone varies and shows \"-\".",
            c.at(InjectTime::At(0.0)).unwrap_or_default(),
            c.speed,
            c.speed,
            c.speed
        )));
    }
    blocks.push(Block::Heading(2, "What really happens".into()));
    if !s.meta.description.is_empty() {
        blocks.push(Block::Paragraph(s.meta.description.clone()));
    }
    blocks.push(Block::Table(
        ["Fault", "Kind", "Flow", "Begins", "Root cause", "Incident"]
            .map(String::from)
            .to_vec(),
        s.faults
            .iter()
            .map(|f| {
                vec![
                    f.id.clone(),
                    f.kind.name().replace('_', " "),
                    s.systems[f.flow].id.clone(),
                    format!("{} after start", roughly(&f.onset)),
                    s.causes[f.cause].id.clone(),
                    s.incidents[f.incident].clone(),
                ]
            })
            .collect(),
    ));
    blocks.push(Block::Paragraph("The runbook the players may use:".into()));
    blocks.push(Block::Table(
        ["Action", "By", "Effect", "Needs", "Approved by"]
            .map(String::from)
            .to_vec(),
        s.actions
            .iter()
            .map(|a| {
                let mut needs: Vec<String> = Vec::new();
                if let Some(c) = a.requires_diagnosis {
                    needs.push(format!("diagnosis {}", s.causes[c].id));
                }
                needs.extend(
                    a.after
                        .iter()
                        .map(|&b| format!("after {}", s.actions[b].id)),
                );
                vec![
                    a.id.clone(),
                    s.roles[a.by].id.clone(),
                    match a.effect {
                        ActionEffect::Contain => "contain",
                        ActionEffect::Recover => "recover",
                        ActionEffect::RestoreData => "restore data",
                    }
                    .into(),
                    needs.join(", "),
                    a.approver
                        .filter(|&r| r != a.by)
                        .map_or_else(String::new, |r| s.roles[r].id.clone()),
                ]
            })
            .collect(),
    ));

    blocks.push(Block::Heading(2, "Scripted injects".into()));
    if s.injects.is_empty() {
        blocks.push(Block::Paragraph(
            "This scenario has no scripted injects.".into(),
        ));
    } else {
        blocks.push(Block::Table(
            [
                "#",
                "Inject",
                "When",
                "Wall clock",
                "From",
                "To",
                "Message",
                "Expected action",
                "Effect",
            ]
            .into_iter()
            .filter(|h| clock.is_some() || *h != "Wall clock")
            .map(String::from)
            .collect(),
            s.injects
                .iter()
                .enumerate()
                .map(|(i, inj)| {
                    let m = &inj.message;
                    [format!("{}", i + 1), inj.id.clone(), s.inject_when(i)]
                        .into_iter()
                        .chain(WallClock::cell(clock, &inj.at))
                        .chain([
                            m.from.clone(),
                            s.roles[m.to].id.clone(),
                            m.text.clone(),
                            expected(s, inj.expect.as_deref(), m),
                            effects(s, m),
                        ])
                        .collect()
                })
                .collect(),
        ));
    }

    if let Some(deck) = &s.deck {
        blocks.push(Block::Heading(2, "Randomized deck".into()));
        blocks.push(Block::Paragraph(format!(
            "From the first onset until recovery, draw a card every {} (at most {} cards), \
             each with the chance shown, with replacement.",
            roughly(&deck.draw_every),
            deck.max_draws
        )));
        let total = deck.cumulative_weights.last().copied().unwrap_or(0.0);
        let mut previous = 0.0;
        let rows = deck
            .cards
            .iter()
            .zip(&deck.cumulative_weights)
            .enumerate()
            .map(|(i, (card, &cumulative))| {
                let weight = cumulative - previous;
                previous = cumulative;
                vec![
                    format!("{}", i + 1),
                    format!("{:.0}%", 100.0 * weight / total),
                    card.from.clone(),
                    s.roles[card.to].id.clone(),
                    card.text.clone(),
                    expected(s, None, card),
                    effects(s, card),
                ]
            })
            .collect();
        blocks.push(Block::Table(
            [
                "Card",
                "Chance",
                "From",
                "To",
                "Message",
                "Expected action",
                "Effect",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        ));
    }

    if !s.modules.is_empty() {
        blocks.push(Block::Heading(2, "Modules".into()));
        blocks.push(Block::Table(
            ["Module", "Starts", "Wall clock", "Questions"]
                .into_iter()
                .filter(|h| clock.is_some() || *h != "Wall clock")
                .map(String::from)
                .collect(),
            s.modules
                .iter()
                .map(|m| {
                    [m.title.clone(), when(m.starts)]
                        .into_iter()
                        .chain(WallClock::cell(clock, &InjectTrigger::Time(m.starts)))
                        .chain([m.questions.len().to_string()])
                        .collect()
                })
                .collect(),
        ));
    }
    Document {
        kind: "Master Scenario Events List",
        audience: "Controllers and evaluators only: do not share with players.",
        title: s.meta.title.clone(),
        blocks,
    }
}

impl Document {
    /// The document as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!("# {}: {}\n\n_{}_\n", self.kind, self.title, self.audience);
        out.push_str(&blocks::markdown(&self.blocks));
        out
    }

    /// The document as one self-contained HTML page (inline CSS, no scripts).
    pub fn html(&self) -> String {
        let mut out = page_head(&format!("{}: {}", self.kind, self.title), STYLE);
        let _ = write!(
            out,
            "<main>\n<header>\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n<p><em>{}</em></p>\n</header>\n",
            escape(self.kind),
            escape(&self.title),
            escape(self.audience)
        );
        out.push_str(&blocks::html(&self.blocks));
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_clock_times_divide_scenario_minutes_by_the_speed() {
        let clock = WallClock {
            start: 9.0 * 60.0 + 30.0,
            speed: 5.0,
        };
        assert_eq!(clock.at(InjectTime::At(0.0)).unwrap(), "09:30");
        assert_eq!(clock.at(InjectTime::At(60.0)).unwrap(), "09:42");
        assert_eq!(clock.at(InjectTime::At(7.0)).unwrap(), "09:31:24");
        let late = WallClock {
            start: 23.0 * 60.0 + 50.0,
            speed: 1.0,
        };
        assert_eq!(late.at(InjectTime::At(20.0)).unwrap(), "00:10 +1d");
        assert_eq!(
            clock.at(InjectTime::After(crate::scenario::Milestone::Detected, 5.0)),
            None
        );
    }

    #[test]
    fn the_sitman_gives_nothing_away_and_the_msel_lists_each_inject_once() {
        let scenario = crate::scenario::default_scenario().scenario;
        let packet = Packet::new(&scenario);
        let sitman = packet.sitman.markdown();
        for fault in &scenario.faults {
            assert!(!sitman.contains(&fault.id), "the SitMan names {}", fault.id);
        }
        for inject in &scenario.injects {
            assert!(!sitman.contains(&inject.message.text));
        }
        let msel = packet.msel.markdown();
        for inject in &scenario.injects {
            assert_eq!(msel.matches(&format!("| {} |", inject.id)).count(), 1);
        }
    }

    #[test]
    fn html_escapes_text_and_marks_ids_as_code() {
        let doc = Document {
            kind: "Situation Manual",
            audience: "For every participant.",
            title: "A <b> & c".into(),
            blocks: vec![Block::Paragraph("run `pause` <now>".into())],
        };
        let html = doc.html();
        assert!(html.contains("<h1>A &lt;b&gt; &amp; c</h1>"));
        assert!(html.contains("<p>run <code>pause</code> &lt;now&gt;</p>"));
        assert!(!html.contains("<script"));
    }
}
