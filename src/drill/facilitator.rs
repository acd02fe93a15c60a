//! What the facilitator's page shows: the drill as its controller sees it, everything players
//! cannot (faults, signals, simulated roles' work), the injects still to come, where each role
//! stands, the discussion of the current module and the hot wash.
//!
//! Only reads the drill. The page changes it with the console's own commands (one
//! [`super::console::Command`] vocabulary), carried out by the live loop like a line typed at
//! the console and journaled the same way.

use serde::Serialize;

use super::{Drill, FeedItem, FeedKind};
use crate::engine::Time;
use crate::model::{Decision, HOT_WASH, OpenStep};
use crate::scenario::{InjectTime, InjectTrigger};

/// Where the play stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The scenario clock runs (or is paused).
    Play,
    /// The play is over; the hot wash is under way; `end` scores. (Once the drill has
    /// ended its server is gone: the pages learn it from the feed's end item.)
    HotWash,
}

/// The facilitator's page state (`GET /api/facilitator/state`).
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// Scenario name.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// When the drill started (RFC 3339, UTC).
    pub started: String,
    /// Scenario minutes now.
    pub t: f64,
    /// The clock as `T+H:MM:SS`.
    pub clock: String,
    /// The horizon, scenario minutes.
    pub horizon: f64,
    /// Scenario minutes per wall minute.
    pub speed: f64,
    /// Whether the clock is paused.
    pub paused: bool,
    /// Where the play stands.
    pub phase: Phase,
    /// Whether every incident has recovered.
    pub resolved: bool,
    /// Runbook steps still open.
    pub open_steps: Vec<OpenStep>,
    /// Scripted injects not delivered yet, those with a known time first, in time order.
    pub injects: Vec<NextInject>,
    /// Every role: who plays it and what waits for it.
    pub roles: Vec<RoleStatus>,
    /// The module that started last, with its questions and the answers recorded.
    pub module: Option<ModuleStatus>,
    /// The hot-wash prompts with the answers recorded.
    pub hot_wash: Vec<Question>,
    /// A page of the whole feed (every item, those hidden from players too): the latest, or
    /// those after `since`.
    pub feed: Vec<FeedItem>,
    /// Whether more items follow the page.
    pub more: bool,
}

/// A scripted inject still to come.
#[derive(Debug, Clone, Serialize)]
pub struct NextInject {
    /// Inject id (what `inject ID` fires now).
    pub id: String,
    /// Recipient role id.
    pub to: String,
    /// Sender.
    pub from: String,
    /// What the recipient will read.
    pub text: String,
    /// When it is due, scenario minutes, once known.
    pub due: Option<f64>,
    /// When it is due, in words (`at T+6:00:00`, `15.0m after detected`).
    pub when: String,
}

/// Who plays a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Player {
    /// A person, through their page.
    Person,
    /// The scenario's role model.
    Simulated,
}

/// Where a role stands.
#[derive(Debug, Clone, Serialize)]
pub struct RoleStatus {
    /// Role id.
    pub id: String,
    /// Role title.
    pub title: String,
    /// Who plays it.
    pub played_by: Player,
    /// The person's name, once given (`--player`, their page, or `player ROLE NAME`).
    pub name: Option<String>,
    /// What waits for it, in words: pages to acknowledge, updates due.
    pub open: Vec<String>,
    /// Actions waiting for its approval.
    pub approvals: Vec<String>,
    /// Whether it is busy with an action.
    pub busy: bool,
    /// Scenario minutes of its last activity (a decision by or for it, or its model's work).
    pub last_activity: Option<f64>,
}

/// The current module.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleStatus {
    /// Module id.
    pub id: String,
    /// Title.
    pub title: String,
    /// When it started, scenario minutes.
    pub started: f64,
    /// Its questions and the answers recorded.
    pub questions: Vec<Question>,
}

/// A discussion question and the room's answer, if recorded (the latest one).
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// From 1 (what `answer N TEXT` names).
    pub number: usize,
    /// The question.
    pub text: String,
    /// The answer recorded.
    pub answer: Option<String>,
}

/// The trace events that are a role's own work (its model's, for a simulated role).
const ACTIVITY: [&str; 7] = [
    "acknowledge",
    "diagnosis_done",
    "action_decided",
    "action_approved",
    "message_answered",
    "update_sent",
    "comms_sent",
];

/// A page of `feed` (in `seq` order) holding what `visible` keeps: at most `limit` items,
/// the latest, or the first ones after `since`; and whether more follow.
pub fn feed_page(
    feed: &[FeedItem],
    since: Option<u64>,
    limit: usize,
    visible: impl Fn(&FeedItem) -> bool,
) -> (Vec<FeedItem>, bool) {
    match since {
        Some(seq) => {
            let from = feed.partition_point(|i| i.seq <= seq);
            let mut after = feed[from..].iter().filter(|i| visible(i));
            let page: Vec<FeedItem> = after.by_ref().take(limit).cloned().collect();
            (page, after.next().is_some())
        }
        None => {
            let mut latest: Vec<FeedItem> = (feed.iter().rev())
                .filter(|i| visible(i))
                .take(limit)
                .cloned()
                .collect();
            latest.reverse();
            (latest, false)
        }
    }
}

/// The facilitator's view of `drill`, on a clock at `speed`, `paused` or not, in `phase`,
/// with the page of the feed after `since` (the latest when `None`).
pub fn overview(
    drill: &Drill<'_>,
    speed: f64,
    paused: bool,
    phase: Phase,
    since: Option<u64>,
    limit: usize,
) -> Overview {
    let scenario = drill.scenario();
    let trace = drill.session.trace();
    let first_reached = |milestone: &str| {
        (trace.steps.iter())
            .find(|s| s.reached.iter().any(|r| r.milestone == milestone))
            .map(|s| s.time)
    };
    let mut injects: Vec<NextInject> = (scenario.injects.iter().enumerate())
        .zip(drill.session.injects_delivered())
        .filter(|(_, delivered)| delivered.is_none())
        .map(|((i, inject), _)| {
            // Only a time from start or from a reached milestone has a due time before it fires.
            let due = match &inject.at {
                InjectTrigger::Time(InjectTime::At(t)) => Some(*t),
                InjectTrigger::Time(InjectTime::After(milestone, delay)) => {
                    first_reached(milestone.name()).map(|t| t + delay)
                }
                InjectTrigger::Decision(..) => None,
            };
            let when = super::inject_due(scenario, i);
            NextInject {
                id: inject.id.clone(),
                to: scenario.roles[inject.message.to].id.clone(),
                from: inject.message.from.clone(),
                text: inject.message.text.clone(),
                due,
                when,
            }
        })
        .collect();
    injects.sort_by(|a, b| match (a.due, b.due) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });

    let players = drill.players();
    let roles = (scenario.roles.iter().enumerate())
        .map(|(r, role)| {
            let view = drill.role_view(r);
            let mut open: Vec<String> = (view.incidents.iter())
                .filter(|i| i.awaiting_acknowledgement)
                .map(|i| format!("page for {} to acknowledge", i.id))
                .collect();
            open.extend(view.forms.iter().filter_map(|f| {
                (f.due_since.first()).map(|t| {
                    format!(
                        "{} due since {}",
                        f.template,
                        super::clock::format_minutes(*t)
                    )
                })
            }));
            let decided = (drill.feed().iter().rev())
                .find(|i| i.kind == FeedKind::Decision && i.roles.contains(&role.id))
                .map(|i| i.t);
            let worked = (trace.steps.iter().rev())
                .find(|s| {
                    ACTIVITY.contains(&s.event.as_str())
                        && s.involved.role.as_deref() == Some(role.id.as_str())
                })
                .map(|s| s.time);
            RoleStatus {
                id: role.id.clone(),
                title: role.title.clone(),
                played_by: if drill.humans().contains(&r) {
                    Player::Person
                } else {
                    Player::Simulated
                },
                name: players.get(&role.id).cloned(),
                open,
                approvals: view.approvals,
                busy: view.busy,
                last_activity: match (decided, worked) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                },
            }
        })
        .collect();

    let answers = |module: &str, count: usize| -> Vec<Option<String>> {
        let mut answers = vec![None; count];
        for item in drill.feed() {
            if let Some(Decision::Answer {
                module: m,
                question,
                text,
            }) = &item.decision
                && m == module
                && (1..=count).contains(question)
            {
                answers[question - 1] = Some(text.clone());
            }
        }
        answers
    };
    let questions = |module: &str, texts: &[String]| -> Vec<Question> {
        (texts.iter().zip(answers(module, texts.len())).enumerate())
            .map(|(i, (text, answer))| Question {
                number: i + 1,
                text: text.clone(),
                answer,
            })
            .collect()
    };
    let module = drill.current_module().map(|m| {
        let module = &scenario.modules[m];
        ModuleStatus {
            id: module.id.clone(),
            title: module.title.clone(),
            started: drill.session.modules_started()[m].unwrap_or_default(),
            questions: questions(&module.id, &module.questions),
        }
    });

    let (feed, more) = feed_page(drill.feed(), since, limit, |_| true);
    let now: Time = drill.now();
    Overview {
        scenario: scenario.meta.name.clone(),
        title: scenario.meta.title.clone(),
        started: drill.started.clone(),
        t: now,
        clock: super::clock::format_minutes(now),
        horizon: drill.horizon(),
        speed,
        paused,
        phase,
        resolved: drill.resolved(),
        open_steps: drill.open_steps(),
        injects,
        roles,
        module,
        hot_wash: questions(HOT_WASH, &scenario.hot_wash),
        feed,
        more,
    }
}
