//! Per-run scores: the milestone times, record counts and counters of one simulated run, and
//! the objectives it met.

use super::{RecordCounts, World, slot};
use crate::engine::Time;
use crate::scenario::{Metric, Milestone, Objective, Scenario};

/// The milestones that time metrics measure, in the order they appear in tables and exports.
pub const TIMED: [Milestone; 4] = [
    Milestone::Detected,
    Milestone::Acknowledged,
    Milestone::Contained,
    Milestone::Recovered,
];

/// How one run did on one objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectiveResult {
    /// At or under the target.
    Met,
    /// Over the target but within the time box (time metrics only).
    Late,
    /// Over the time box, never reached, or over the target.
    Missed,
    /// No fault began in the run, so the objective had nothing to measure.
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl ObjectiveResult {
    /// The name in exports: `met`, `late`, `missed` or `n/a`.
    pub fn name(self) -> &'static str {
        match self {
            ObjectiveResult::Met => "met",
            ObjectiveResult::Late => "late",
            ObjectiveResult::Missed => "missed",
            ObjectiveResult::NotApplicable => "n/a",
        }
    }
}

/// How one run communicated with one audience on the `[comms]` cadence.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct AudienceRun {
    /// The audience (`[[comms.templates]].audience`).
    pub audience: String,
    /// Updates that fell due (on the cadence of the incident's severity).
    pub due: u32,
    /// Updates sent (by the horizon).
    pub sent: u32,
    /// Updates sent within the cadence's grace after falling due.
    pub on_cadence: u32,
    /// Minutes from onset to the first update sent to this audience, if any.
    pub first_update: Option<f64>,
    /// Required fields filled across the updates sent, and required in them: simulated
    /// updates fill every field; a drill counts what people wrote.
    pub fields_filled: u32,
    /// Required fields of the updates sent.
    pub fields_required: u32,
    /// Jargon words found in the updates sent that are checked for jargon.
    pub jargon_flags: u32,
}

impl AudienceRun {
    /// Share of due updates sent on cadence; `None` when none fell due.
    pub fn on_cadence_share(&self) -> Option<f64> {
        (self.due > 0).then(|| self.on_cadence as f64 / self.due as f64)
    }

    /// Updates that fell due and were sent late or never: `due - on_cadence`.
    pub fn cadence_misses(&self) -> u32 {
        self.due.saturating_sub(self.on_cadence)
    }

    /// Share of required fields filled; `None` when no sent update required any.
    pub fn completeness(&self) -> Option<f64> {
        (self.fields_required > 0).then(|| self.fields_filled as f64 / self.fields_required as f64)
    }
}

/// How long one run waited for the approval of one action whose approver is not its performer.
/// Only the first request of the action in the run is measured: a later request (the action
/// needed anew by a later incident) waits for the same approver again and would count twice.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ApprovalRun {
    /// The action's id.
    pub action: String,
    /// Minutes from the first request to its approval, or to the end of the run if it was
    /// never approved (then a censored wait); `None` if approval was never asked.
    pub waited: Option<f64>,
    /// Whether the request was approved before the end of the run.
    pub granted: bool,
}

/// Everything measured in one run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunOutcome {
    /// Run index within the batch.
    pub run: u64,
    /// Minutes from scenario start to the first fault's onset; `None` if no fault began
    /// before the horizon.
    pub onset: Option<f64>,
    /// Minutes from onset to detect, acknowledge, contain, recover ([`TIMED`] order);
    /// `None` = censored (not reached before the horizon).
    pub times: [Option<f64>; 4],
    /// Minutes from the latest incident onset to the horizon: where unreached milestones are
    /// censored (the least follow-up of any incident, so censoring never overstates it).
    pub censored_at: f64,
    /// Records of the faulted flows, at the horizon.
    pub records: RecordCounts,
    /// Escalation-policy targets (acknowledge / restore) breached.
    pub targets_breached: u32,
    /// Automatic escalations to a higher severity.
    pub escalations: u32,
    /// Diagnoses that named the wrong cause.
    pub wrong_diagnoses: u32,
    /// Failed attempts of runbook actions.
    pub failed_attempts: u32,
    /// Injects delivered (scripted and drawn).
    pub injects: u32,
    /// Status updates sent.
    pub updates: u32,
    /// Minutes from onset to the first status update, if any was sent.
    pub first_update: Option<f64>,
    /// Communications per audience (scenario audience order); empty without a cadence.
    pub comms: Vec<AudienceRun>,
    /// Approval waits per action approved by a role other than its performer (scenario order);
    /// empty when no action is.
    pub approvals: Vec<ApprovalRun>,
    /// Result of each objective, in scenario order.
    pub objectives: Vec<ObjectiveResult>,
    /// Minutes from the first onset spent in each phase ([`crate::model::Phase::ALL`] order):
    /// up to recovery (or the horizon), plus verification after it.
    pub phase_minutes: [f64; 8],
    /// Minutes each role (scenario order) was the one the incident waited on.
    pub role_minutes: Vec<f64>,
    /// Events the engine processed.
    pub events: u64,
    /// Whether the event cap cut the run short (a runaway scenario).
    pub hit_event_cap: bool,
}

impl RunOutcome {
    /// The time to a milestone, `None` when censored.
    pub fn time_to(&self, milestone: Milestone) -> Option<f64> {
        TIMED
            .iter()
            .position(|m| *m == milestone)
            .and_then(|i| self.times[i])
    }
}

/// Values of count metrics, needed at an objective's time box.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountSnapshot {
    /// Records lost so far.
    pub lost: u64,
    /// Records failed so far.
    pub failed: u64,
    /// Records delayed so far (recovered late or waiting).
    pub delayed: u64,
    /// Targets breached so far.
    pub breached: u32,
}

/// Judges one objective: `time` is the metric's time if it is a time metric, `counts` the
/// snapshot taken at the end of its time box.
pub fn judge(objective: &Objective, time: Option<f64>, counts: CountSnapshot) -> ObjectiveResult {
    let count = |value: f64| {
        if value <= objective.target {
            ObjectiveResult::Met
        } else {
            ObjectiveResult::Missed
        }
    };
    match objective.metric {
        Metric::TimeTo(_) => match time {
            Some(t) if t <= objective.target => ObjectiveResult::Met,
            Some(t) if t <= objective.time_box => ObjectiveResult::Late,
            _ => ObjectiveResult::Missed,
        },
        Metric::RecordsLost => count(counts.lost as f64),
        Metric::RecordsFailed => count(counts.failed as f64),
        Metric::RecordsDelayed => count(counts.delayed as f64),
        Metric::TargetsBreached => count(counts.breached as f64),
    }
}

/// Whether any objective of the scenario is measured on counts (needs a snapshot event).
pub fn needs_snapshot(scenario: &Scenario, objective: usize) -> bool {
    !matches!(scenario.objectives[objective].metric, Metric::TimeTo(_))
}

/// Scoring a run: its record counts, its times to milestones and the [`RunOutcome`] it ends
/// with.
impl World<'_> {
    /// Settles every ledger at `now` and sums them.
    pub(super) fn settle_records(&mut self, now: Time) -> RecordCounts {
        let mut counts = RecordCounts::default();
        for ledger in self.ledgers.iter_mut().flatten() {
            ledger.settle(now);
            counts += ledger.counts();
        }
        counts
    }

    pub(super) fn snapshot(&self, counts: RecordCounts) -> CountSnapshot {
        CountSnapshot {
            lost: counts.lost,
            failed: counts.failed,
            delayed: counts.delayed(),
            breached: self.targets_breached,
        }
    }

    /// Minutes from each incident's own onset to `milestone`, for the slowest incident; `None`
    /// (censored) unless every incident that begins before the horizon reached it.
    ///
    /// An incident that cleared by itself before anyone detected it asked nothing of the
    /// team: it does not count toward time to detect or acknowledge.
    pub(super) fn run_time_to(&self, milestone: Milestone) -> Option<Time> {
        let mut slowest: Option<Time> = None;
        for incident in self.incidents.iter().filter(|i| i.planned) {
            let m = |x: Milestone| incident.milestones[slot(x)];
            let cleared_unseen =
                m(Milestone::Detected).is_none() && m(Milestone::Recovered).is_some();
            if cleared_unseen && matches!(milestone, Milestone::Detected | Milestone::Acknowledged)
            {
                continue;
            }
            let onset = incident.milestones[slot(Milestone::Onset)]?;
            let reached = incident.milestones[slot(milestone)]?;
            slowest = Some(slowest.map_or(reached - onset, |t: Time| t.max(reached - onset)));
        }
        slowest
    }

    /// Closes the run at `horizon` (the scenario's, or the time a live drill was ended) and
    /// scores it: milestones not reached by then are censored there.
    pub fn finish_at(mut self, horizon: Time, events: u64, hit_event_cap: bool) -> RunOutcome {
        let mut outcome = RunOutcome::default();
        self.finish_into(horizon, events, hit_event_cap, &mut outcome);
        outcome
    }

    /// [`World::finish_at`] into `out`, reusing its lists' storage: a worker scores run
    /// after run without allocating.
    pub(super) fn finish_into(
        &mut self,
        horizon: Time,
        events: u64,
        hit_event_cap: bool,
        out: &mut RunOutcome,
    ) {
        self.account(horizon);
        let records = self.settle_records(horizon);
        let onset = self.first_reached[slot(Milestone::Onset)];
        let final_counts = self.snapshot(records);
        out.objectives.clear();
        for (i, objective) in self.scenario.objectives.iter().enumerate() {
            out.objectives.push(match objective.metric {
                // No fault began: there was nothing to detect, contain or lose.
                _ if onset.is_none() => ObjectiveResult::NotApplicable,
                Metric::TimeTo(m) => judge(objective, self.run_time_to(m), final_counts),
                _ => judge(
                    objective,
                    None,
                    self.objective_counts[i].unwrap_or(final_counts),
                ),
            });
        }
        out.run = self.run;
        out.onset = onset;
        out.times = TIMED.map(|m| self.run_time_to(m));
        // Each incident's time runs from its own onset, so the latest one was observed the
        // least: censoring there never claims more follow-up than there was.
        out.censored_at = self
            .incidents
            .iter()
            .filter_map(|i| i.milestones[slot(Milestone::Onset)])
            .fold(None, |last: Option<Time>, o| {
                Some(last.map_or(o, |l| l.max(o)))
            })
            .map_or(0.0, |o| horizon - o);
        out.records = records;
        out.targets_breached = self.targets_breached;
        out.escalations = self.escalations;
        out.wrong_diagnoses = self.wrong_diagnoses;
        out.failed_attempts = self.failed_attempts;
        out.injects = self.injects;
        out.updates = self.updates;
        out.first_update = onset.and_then(|o| self.first_update.map(|t| t - o));
        match &self.comms {
            Some(comms) => comms.audience_runs_into(onset, &mut out.comms),
            None => out.comms.clear(),
        }
        let approved_apart = self
            .scenario
            .actions
            .iter()
            .zip(&self.approvals)
            .filter(|(action, _)| action.approver_other_than_performer().is_some());
        let mut kept = 0;
        for (action, clock) in approved_apart {
            if kept == out.approvals.len() {
                out.approvals.push(ApprovalRun::default());
            }
            clock.outcome_into(&action.id, horizon, &mut out.approvals[kept]);
            kept += 1;
        }
        out.approvals.truncate(kept);
        out.phase_minutes = self.phase_minutes;
        out.role_minutes.clone_from(&self.role_minutes);
        out.events = events;
        out.hit_event_cap = hit_event_cap;
    }
}
