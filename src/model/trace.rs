//! The trace of one run, kept only when asked for (replays, report timelines, live feeds):
//! notes in words, spans of activity per lane (a role, or a fault while undetected), and one
//! [`Step`] per processed event with the state after it.
//!
//! Tracing only records: it never draws a random number and never settles a ledger the run
//! itself uses (record counts are read from a settled copy), so a traced run is the very run
//! a batch computes. When it is off, a run pays one branch per event.

use std::collections::BTreeMap;

use super::ledger::RecordCounts;
use super::{Event, Phase, World};
use crate::engine::Time;
use crate::scenario::Scenario;

/// A step of a run in words.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Note {
    /// Scenario minutes.
    pub time: Time,
    /// What happened.
    pub text: String,
    /// Roles (scenario indices) the note concerns: who sees it on their page in a live drill.
    /// Empty for notes only the facilitator sees (fault onsets, milestones, breaches).
    #[serde(skip)]
    pub audience: Vec<usize>,
}

/// An activity with a start and an end, on a lane of the Gantt chart.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// Who or what: a role id, or `fault:<id>`.
    pub lane: String,
    /// What was going on.
    pub label: String,
    /// Which phase the activity belongs to.
    pub phase: Phase,
    /// Scenario minutes.
    pub start: Time,
    /// Scenario minutes.
    pub end: Time,
}

/// What a span is about, to find it again when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpanKey {
    /// A page to a role for an incident, until acknowledged.
    Page(usize, usize),
    /// A diagnosis of a fault.
    Diagnose(usize),
    /// A decision to run an action.
    Decide(usize),
    /// An approval of an action.
    Approve(usize),
    /// An attempt of an action.
    Run(usize),
    /// A fault nobody has detected yet.
    Undetected(usize),
}

/// Who and what an event involves, by id (absent fields do not apply).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Involved {
    /// A fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// A system (the flow a fault breaks or an action acts on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// A detector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<String>,
    /// A role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A runbook action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// An incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// A severity level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// A scripted inject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inject: Option<String>,
    /// An objective.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
}

/// A milestone an incident reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reached {
    /// The incident.
    pub incident: String,
    /// The milestone (`onset`, `detected`, `acknowledged`, `contained`, `recovered`).
    pub milestone: String,
}

/// One processed event and the state of the run after it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// Position in processing order, from 0.
    pub seq: u64,
    /// Scenario minutes.
    pub time: Time,
    /// The kind of event (`fault_onset`, `signal`, `acknowledge`, ...).
    pub event: String,
    /// Who and what it involves.
    pub involved: Involved,
    /// The event in words.
    pub summary: String,
    /// What it changed, in words (the notes it produced), in order.
    pub what: Vec<String>,
    /// Milestones it reached.
    pub reached: Vec<Reached>,
    /// Records of the faulted flows after it, summed.
    pub records: RecordCounts,
    /// Open items of each role after it, in scenario role order.
    pub open_items: Vec<u32>,
}

/// Notes, spans and steps of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Steps in words, in time order.
    pub notes: Vec<Note>,
    /// Finished activities, in the order they ended.
    pub spans: Vec<Span>,
    /// Every processed event with the state after it, in processing order.
    pub steps: Vec<Step>,
    open: BTreeMap<SpanKey, Span>,
    /// Milestones reached since the last step.
    reached: Vec<Reached>,
    /// Notes already attributed to a step.
    noted: usize,
}

impl Trace {
    /// Starts an activity.
    pub fn open(&mut self, key: SpanKey, lane: String, label: String, phase: Phase, now: Time) {
        self.open.insert(
            key,
            Span {
                lane,
                label,
                phase,
                start: now,
                end: now,
            },
        );
    }

    /// Ends an activity, optionally relabelling it (e.g. with its outcome).
    pub fn close(&mut self, key: SpanKey, now: Time, label: Option<String>) {
        if let Some(mut span) = self.open.remove(&key) {
            span.end = now;
            if let Some(label) = label {
                span.label = label;
            }
            self.spans.push(span);
        }
    }

    /// Remembers a milestone for the step being recorded.
    pub fn reach(&mut self, incident: &str, milestone: &str) {
        self.reached.push(Reached {
            incident: incident.to_string(),
            milestone: milestone.to_string(),
        });
    }

    /// Records the step of the event just handled: the notes and milestones since the last
    /// step, with the state after it.
    pub fn step(
        &mut self,
        time: Time,
        event: &str,
        involved: Involved,
        summary: String,
        records: RecordCounts,
        open_items: Vec<u32>,
    ) {
        let what = self.notes[self.noted..]
            .iter()
            .map(|n| n.text.clone())
            .collect();
        self.noted = self.notes.len();
        self.steps.push(Step {
            seq: self.steps.len() as u64,
            time,
            event: event.to_string(),
            involved,
            summary,
            what,
            reached: std::mem::take(&mut self.reached),
            records,
            open_items,
        });
    }

    /// Ends every open activity at `now` (the horizon), marked unfinished.
    pub fn close_all(&mut self, now: Time) {
        for (_, mut span) in std::mem::take(&mut self.open) {
            span.end = now;
            span.label.push_str(" (unfinished)");
            self.spans.push(span);
        }
    }
}

/// Recording the trace of a run: every method is a no-op unless [`World::record_trace`] was
/// called, and none of them draws or settles anything the run uses.
impl World<'_> {
    /// Keeps a trace of the run: notes in words and spans of activity (for replays, report
    /// timelines and live feeds). Off by default: batches do not pay for it.
    pub fn record_trace(&mut self) {
        self.trace = Some(Box::default());
    }

    /// The trace so far (`None` unless [`World::record_trace`] was called).
    pub fn trace(&self) -> Option<&Trace> {
        self.trace.as_deref()
    }

    pub(super) fn note(&mut self, time: Time, text: impl FnOnce() -> String) {
        self.note_to(time, &[], text);
    }

    /// A note that concerns `roles` (shown to them in a live drill).
    pub(super) fn note_to(&mut self, time: Time, roles: &[usize], text: impl FnOnce() -> String) {
        if let Some(trace) = &mut self.trace {
            trace.notes.push(Note {
                time,
                text: text(),
                audience: roles.to_vec(),
            });
        }
    }

    /// Records the step of the event just handled, with the state after it. Record counts
    /// come from settled copies of the ledgers: the run's own ledgers are left as they are.
    pub(super) fn trace_step(&mut self, now: Time, event: Event) {
        let Some(trace) = &mut self.trace else {
            return;
        };
        let (kind, involved, summary) = describe(self.scenario, event);
        let mut records = RecordCounts::default();
        for ledger in self.ledgers.iter().flatten() {
            let mut copy = ledger.clone();
            copy.settle(now);
            records += copy.counts();
        }
        let open_items = self.roles.iter().map(|r| r.open_items).collect();
        trace.step(now, kind, involved, summary, records, open_items);
    }

    pub(super) fn span_open(
        &mut self,
        key: SpanKey,
        lane: impl FnOnce() -> String,
        label: impl FnOnce() -> String,
        phase: Phase,
        now: Time,
    ) {
        if let Some(trace) = &mut self.trace {
            trace.open(key, lane(), label(), phase, now);
        }
    }

    pub(super) fn span_close(
        &mut self,
        key: SpanKey,
        now: Time,
        label: impl FnOnce() -> Option<String>,
    ) {
        if let Some(trace) = &mut self.trace {
            trace.close(key, now, label());
        }
    }
}

/// The kind, the ids involved and a one-line summary of an event (for [`Step`]s).
pub(super) fn describe(scenario: &Scenario, event: Event) -> (&'static str, Involved, String) {
    let id = |s: &String| Some(s.clone());
    let fault = |f: u16| {
        let fault = &scenario.faults[f as usize];
        Involved {
            fault: id(&fault.id),
            system: id(&scenario.systems[fault.flow].id),
            incident: id(&scenario.incidents[fault.incident]),
            ..Involved::default()
        }
    };
    let role = |r: u16| Involved {
        role: id(&scenario.roles[r as usize].id),
        ..Involved::default()
    };
    let action = |a: u16, by: Option<usize>| {
        let action = &scenario.actions[a as usize];
        Involved {
            action: id(&action.id),
            role: id(&scenario.roles[by.unwrap_or(action.by)].id),
            system: id(&scenario.systems[action.target].id),
            ..Involved::default()
        }
    };
    let deadline = |incident: u8, level: u8| Involved {
        incident: id(&scenario.incidents[incident as usize]),
        severity: id(&scenario.escalation.severities[level as usize].level),
        ..Involved::default()
    };
    match event {
        Event::FaultOnset(f) => {
            let involved = fault(f);
            let summary = format!("fault {} begins", scenario.faults[f as usize].id);
            ("fault_onset", involved, summary)
        }
        Event::FaultHeals(f) => {
            let involved = fault(f);
            let summary = format!(
                "fault {} would clear by itself",
                scenario.faults[f as usize].id
            );
            ("fault_heals", involved, summary)
        }
        Event::AutoOff(f) => {
            let involved = fault(f);
            let summary = format!(
                "the platform would turn {} off for {}",
                scenario.systems[scenario.faults[f as usize].flow].id,
                scenario.faults[f as usize].id
            );
            ("auto_off", involved, summary)
        }
        Event::Signal { detector, fault: f } => {
            let detector = &scenario.detectors[detector as usize];
            let involved = Involved {
                detector: id(&detector.id),
                role: detector.notifies.and_then(|r| id(&scenario.roles[r].id)),
                ..fault(f)
            };
            let summary = format!(
                "signal from {} about {}",
                detector.id, scenario.faults[f as usize].id
            );
            ("signal", involved, summary)
        }
        Event::Acknowledge { role: r, incident } => {
            let incident = &scenario.incidents[incident as usize];
            let summary = format!(
                "{} acknowledges the page for {incident}",
                scenario.roles[r as usize].id
            );
            let involved = Involved {
                incident: id(incident),
                ..role(r)
            };
            ("acknowledge", involved, summary)
        }
        Event::AcknowledgeDeadline { incident, level } => {
            let involved = deadline(incident, level);
            let summary = format!(
                "acknowledge target of {} falls due ({})",
                scenario.escalation.severities[level as usize].level,
                scenario.incidents[incident as usize]
            );
            ("acknowledge_deadline", involved, summary)
        }
        Event::RestoreDeadline { incident, level } => {
            let involved = deadline(incident, level);
            let summary = format!(
                "restore target of {} falls due ({})",
                scenario.escalation.severities[level as usize].level,
                scenario.incidents[incident as usize]
            );
            ("restore_deadline", involved, summary)
        }
        Event::DiagnosisDone { fault: f, role: r } => {
            let summary = format!(
                "{} finishes a diagnosis of {}",
                scenario.roles[r as usize].id, scenario.faults[f as usize].id
            );
            let involved = Involved {
                role: id(&scenario.roles[r as usize].id),
                ..fault(f)
            };
            ("diagnosis_done", involved, summary)
        }
        Event::ActionDecided(a) => {
            let summary = format!("decision on {} made", scenario.actions[a as usize].id);
            ("action_decided", action(a, None), summary)
        }
        Event::ActionApproved(a) => {
            let approver = scenario.actions[a as usize].approver;
            let summary = format!("approval of {} given", scenario.actions[a as usize].id);
            ("action_approved", action(a, approver), summary)
        }
        Event::ActionDone(a) => {
            let summary = format!("attempt of {} ends", scenario.actions[a as usize].id);
            ("action_done", action(a, None), summary)
        }
        Event::InjectArrives(i) => {
            let inject = &scenario.injects[i as usize];
            // One with `unless` may be called off when due (a note then says so).
            let summary = match inject.unless {
                Some(m) => format!("inject {} is due unless {}", inject.id, m.name()),
                None => format!("inject {} arrives", inject.id),
            };
            let involved = Involved {
                inject: id(&inject.id),
                ..role(inject.message.to as u16)
            };
            ("inject_arrives", involved, summary)
        }
        Event::CardDrawn => (
            "card_drawn",
            Involved::default(),
            "a card is drawn from the deck".to_string(),
        ),
        Event::MessageAnswered { role: r, load, .. } => {
            let summary = format!(
                "{} answers a message ({load} open item{} closed)",
                scenario.roles[r as usize].id,
                if load == 1 { "" } else { "s" }
            );
            ("message_answered", role(r), summary)
        }
        Event::UpdateDue(r) => {
            let summary = format!(
                "status update of {} falls due",
                scenario.roles[r as usize].id
            );
            ("update_due", role(r), summary)
        }
        Event::UpdateSent(r) => {
            let summary = format!("{} sends a status update", scenario.roles[r as usize].id);
            ("update_sent", role(r), summary)
        }
        Event::CommsDue { cadence, incident } => {
            let cadence = &scenario.comms.cadence[cadence as usize];
            let template = &scenario.comms.templates[cadence.template];
            let summary = format!(
                "{} to {} falls due ({})",
                template.id,
                scenario.comms.audiences[template.audience],
                scenario.incidents[incident as usize]
            );
            let involved = Involved {
                incident: id(&scenario.incidents[incident as usize]),
                ..role(template.by as u16)
            };
            ("comms_due", involved, summary)
        }
        Event::CommsSent(r) => {
            let summary = format!("{} sends a templated update", scenario.roles[r as usize].id);
            ("comms_sent", role(r), summary)
        }
        Event::ModuleStarts(m) => (
            "module_starts",
            Involved::default(),
            format!("module {} starts", scenario.modules[m as usize].id),
        ),
        Event::TimeBoxEnds(o) => {
            let objective = &scenario.objectives[o as usize];
            let involved = Involved {
                objective: id(&objective.id),
                ..Involved::default()
            };
            let summary = format!("time box of objective {} ends: counts taken", objective.id);
            ("time_box_ends", involved, summary)
        }
    }
}
