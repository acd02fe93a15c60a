//! The trace of one run, kept only when asked for (replays, report timelines, live feeds):
//! notes in words and spans of activity per lane (a role, or a fault while undetected).

use std::collections::BTreeMap;

use super::Phase;
use crate::engine::Time;

/// A step of a run in words.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Note {
    /// Scenario minutes.
    pub time: Time,
    /// What happened.
    pub text: String,
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

/// Notes and spans of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Steps in words, in time order.
    pub notes: Vec<Note>,
    /// Finished activities, in the order they ended.
    pub spans: Vec<Span>,
    open: BTreeMap<SpanKey, Span>,
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

    /// Ends every open activity at `now` (the horizon), marked unfinished.
    pub fn close_all(&mut self, now: Time) {
        for (_, mut span) in std::mem::take(&mut self.open) {
            span.end = now;
            span.label.push_str(" (unfinished)");
            self.spans.push(span);
        }
    }
}
