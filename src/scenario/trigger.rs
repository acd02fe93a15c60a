//! When a scripted inject arrives: at a time, after a milestone, or after a kind of team
//! decision, optionally only if a milestone has *not* been reached by then ("if not contained
//! 60m after detected: the CEO calls"). The closed vocabularies and their words for the MSEL
//! and the drill live here; the run decides when each fires (`model::exercise`).

use super::duration::format_minutes;
use super::{Milestone, Scenario};

/// When a module starts or a time-scheduled inject arrives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InjectTime {
    /// Minutes from scenario start.
    At(f64),
    /// Minutes after a milestone.
    After(Milestone, f64),
}

impl InjectTime {
    /// In words: `2h00m after start`, `at detected`, `15.0m after detected`.
    pub fn words(self) -> String {
        match self {
            InjectTime::At(t) => format!("{} after start", format_minutes(t)),
            InjectTime::After(m, 0.0) => format!("at {}", m.name()),
            InjectTime::After(m, d) => format!("{} after {}", format_minutes(d), m.name()),
        }
    }
}

/// A kind of team decision an inject can follow (`at = { after = "escalated" }`). Decisions
/// of people in a drill and of simulated roles in a batch count alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionKind {
    /// A role acknowledged a page (with `by`: that role; without, it is the milestone).
    Acknowledged,
    /// An incident's severity was raised: by a person, or automatically on a breached target.
    Escalated,
    /// An approver approved an action.
    Approved,
    /// A status update or a `[comms]` templated update was sent.
    UpdateSent,
}

impl DecisionKind {
    /// Every kind, in the order of [`DecisionKind::NAMES`].
    pub const ALL: [DecisionKind; 4] = [
        DecisionKind::Acknowledged,
        DecisionKind::Escalated,
        DecisionKind::Approved,
        DecisionKind::UpdateSent,
    ];
    /// The names used in scenario files.
    pub const NAMES: [&'static str; 4] = ["acknowledged", "escalated", "approved", "update_sent"];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Which decisions set an inject off: a kind, and optionally who took it, the action approved
/// or the audience told.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionMatch {
    /// The kind of decision.
    pub kind: DecisionKind,
    /// Only decisions of this role (not for escalations, which simulated runs take
    /// automatically, by no role).
    pub by: Option<usize>,
    /// Approvals only: of this action.
    pub action: Option<usize>,
    /// Updates only: to this audience (compared trimmed and without regard to case).
    pub audience: Option<String>,
}

impl DecisionMatch {
    /// Whether a decision of `kind` by `by` (on `action`, to `audience`) is one of these.
    pub fn matches(
        &self,
        kind: DecisionKind,
        by: Option<usize>,
        action: Option<usize>,
        audience: Option<&str>,
    ) -> bool {
        kind == self.kind
            && self.by.is_none_or(|r| by == Some(r))
            && self.action.is_none_or(|a| action == Some(a))
            && self.audience.as_deref().is_none_or(|want| {
                audience.is_some_and(|got| got.trim().eq_ignore_ascii_case(want.trim()))
            })
    }
}

/// When a scripted inject arrives.
#[derive(Debug, Clone, PartialEq)]
pub enum InjectTrigger {
    /// At a time from start or after a milestone, as a module starts.
    Time(InjectTime),
    /// Minutes after the first decision that matches, once per run.
    Decision(DecisionMatch, f64),
}

impl InjectTrigger {
    /// The delay after its anchor (scenario start, a milestone or a decision).
    pub fn delay(&self) -> f64 {
        match self {
            InjectTrigger::Time(InjectTime::At(t)) => *t,
            InjectTrigger::Time(InjectTime::After(_, d)) | InjectTrigger::Decision(_, d) => *d,
        }
    }
}

impl Scenario {
    /// When inject `i` arrives, in words for the MSEL and the drill: `15.0m after detected`,
    /// `if not contained 1h00m after detected`, `5.0m after the first escalation`, `after
    /// ecom-ops-manager approves respond-immediately`.
    pub fn inject_when(&self, i: usize) -> String {
        let inject = &self.injects[i];
        let when = match &inject.at {
            InjectTrigger::Time(t) => t.words(),
            InjectTrigger::Decision(m, delay) => {
                let decision = self.decision_words(m);
                match *delay {
                    0.0 => format!("at {decision}"),
                    d => format!("{} after {decision}", format_minutes(d)),
                }
            }
        };
        match inject.unless {
            Some(m) => format!("if not {} {when}", m.name()),
            None => when,
        }
    }

    /// A decision in words: `the first escalation`, `the first approval of X by R`, ...
    fn decision_words(&self, m: &DecisionMatch) -> String {
        let mut words = match m.kind {
            DecisionKind::Acknowledged => "the first acknowledgement".to_string(),
            DecisionKind::Escalated => "the first escalation".to_string(),
            DecisionKind::Approved => "the first approval".to_string(),
            DecisionKind::UpdateSent => "the first update".to_string(),
        };
        if let Some(a) = m.action {
            words.push_str(&format!(" of {}", self.actions[a].id));
        }
        if let Some(audience) = &m.audience {
            words.push_str(&format!(" to {audience}"));
        }
        if let Some(r) = m.by {
            words.push_str(&format!(" by {}", self.roles[r].id));
        }
        words
    }
}
