//! The incident world: faults change flows, flows count records, detectors raise signals,
//! simulated roles acknowledge, diagnose, escalate, act, communicate and answer injects.
//!
//! [`World`] is an [`engine::Model`]: it reacts to one [`Event`] at a time and schedules what
//! follows. The behaviour rules are documented in `docs/model.md`; in short:
//!
//! - a role does one task at a time (a diagnosis or a runbook action); status updates and
//!   answers to injects run beside its tasks, and an unanswered inject adds to its open items;
//! - every latency of a role is multiplied by `1 + per_open_item * open_items`, and a page
//!   outside working hours by `off_hours_factor`;
//! - a role that must act but was never paged is paged by the team (a hand-off);
//! - faults belong to incidents (one page, severity and set of milestones each); a role
//!   acknowledges each incident's page separately, so concurrent incidents compete for people;
//! - an incident is contained / recovered when every fault of it that begins before the
//!   horizon is; a run's time to a milestone is the slowest incident's, each measured from
//!   its own onset.

pub mod human;
pub mod ledger;
pub mod outcome;
pub mod trace;

use rand::RngExt;

pub use human::{Decision, FormField, HOT_WASH, Refusal, RefusalKind, RoleView, UpdateForm};
pub use ledger::{FlowCondition, Ledger, RecordCounts};
pub use trace::{Involved, Note, Reached, Span, SpanKey, Step, Trace};

use crate::engine::rng::{FamilyKey, Stream};
use crate::engine::{self, Scheduler, Time};
use crate::scenario::{
    ActionEffect, DetectorKind, InjectTime, Message, Metric, Milestone, RoleKind, Scenario,
};
use outcome::{CountSnapshot, ObjectiveResult, RunOutcome, TIMED};

/// Something that happens in a run. Plain indices keep events small and the queue fast.
/// Fields are indices into the scenario's lists (faults, detectors, roles, actions, injects,
/// incidents) or severity levels.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// A fault begins.
    FaultOnset(u16),
    /// A fault clears by itself (`lasts`).
    FaultHeals(u16),
    /// A detector's signal about a fault reaches a responder.
    Signal { detector: u16, fault: u16 },
    /// A paged role acknowledges the page of an incident.
    Acknowledge { role: u16, incident: u8 },
    /// The acknowledge target of an incident's severity level falls due.
    AcknowledgeDeadline { incident: u8, level: u8 },
    /// The restore target of an incident's severity level falls due.
    RestoreDeadline { incident: u8, level: u8 },
    /// A role finishes a diagnosis of a fault.
    DiagnosisDone { fault: u16, role: u16 },
    /// A role has decided to run an action.
    ActionDecided(u16),
    /// The approver approved an action.
    ActionApproved(u16),
    /// One attempt of an action ends.
    ActionDone(u16),
    /// A scripted inject arrives.
    InjectArrives(u16),
    /// A card is drawn from the deck.
    CardDrawn,
    /// A role has answered a message, closing its open items.
    MessageAnswered {
        role: u16,
        load: u16,
        misleads: bool,
    },
    /// A role's status update falls due.
    UpdateDue(u16),
    /// A role sends a status update.
    UpdateSent(u16),
    /// An objective's time box ends: take the counts it is judged on.
    TimeBoxEnds(u16),
    /// An update on a `[comms]` cadence falls due for an incident.
    CommsDue { cadence: u16, incident: u8 },
    /// A role finishes writing the templated update at the head of its queue.
    CommsSent(u16),
    /// An exercise module (`[[modules]]`) starts: its discussion questions are due.
    ModuleStarts(u16),
}

/// Progress of one runbook action in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActionState {
    Idle,
    Deciding,
    AwaitingApproval,
    Ready,
    Running { attempt: u32 },
    Done,
    GaveUp,
}

/// When an action's first approval request was asked and approved: what approval waits are
/// measured from (no draws, so tracking it moves nothing else in a run).
#[derive(Debug, Clone, Copy, Default)]
struct ApprovalClock {
    asked: Option<Time>,
    granted: Option<Time>,
}

impl ApprovalClock {
    /// The wait of the first request, censored at `end` if it was never approved.
    fn outcome(self, action: &str, end: Time) -> outcome::ApprovalRun {
        outcome::ApprovalRun {
            action: action.to_string(),
            waited: self.asked.map(|asked| self.granted.unwrap_or(end) - asked),
            granted: self.granted.is_some(),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct FaultState {
    onset: Option<Time>,
    detected: bool,
    contained: bool,
    recovered: bool,
    /// The role diagnosing it, while a diagnosis is under way.
    diagnosing: Option<usize>,
}

#[derive(Debug, Clone, Default)]
struct RoleState {
    /// Incidents (bits) this role has been paged for.
    paged: u64,
    /// Incidents (bits) this role has acknowledged.
    acknowledged: u64,
    busy: bool,
    open_items: u32,
    misleading_open: u32,
    updating: bool,
}

impl RoleState {
    fn engaged(&self) -> bool {
        self.acknowledged != 0
    }
}

#[derive(Debug, Clone, Default)]
struct IncidentState {
    /// Whether any fault of the incident begins before the horizon.
    planned: bool,
    severity: usize,
    /// Scenario time each milestone was reached ([`Milestone`] order).
    milestones: [Option<Time>; 5],
}

/// A templated update that fell due and waits to be written.
#[derive(Debug, Clone, Copy)]
struct PendingUpdate {
    cadence: usize,
    incident: usize,
    due: Time,
}

/// The `[comms]` cadence in a run: which cadence chains run, what each role still has to
/// write, and the counts per audience. Boxed and absent without a cadence.
#[derive(Debug, Clone)]
struct CommsState {
    /// Per cadence rule: incidents (bits) whose chain of due updates is running.
    running: Vec<u64>,
    /// Per role: updates due and not yet sent, oldest first (a role writes one at a time).
    queue: Vec<std::collections::VecDeque<PendingUpdate>>,
    /// Per role: whether it is writing the head of its queue now.
    writing: Vec<bool>,
    /// Per audience.
    audiences: Vec<outcome::AudienceRun>,
    /// First time an update reached each audience.
    first: Vec<Option<Time>>,
}

/// Random streams of one run, one per family of draws, each created on its first draw: a
/// family that draws nothing in a run (an action never taken) costs nothing.
struct Streams<'k> {
    keys: &'k StreamKeys,
    run: u64,
    faults: Vec<Option<Stream>>,
    detectors: Vec<Option<Stream>>,
    roles: Vec<Option<Stream>>,
    actions: Vec<Option<Stream>>,
    deck: Option<Stream>,
    comms: Vec<Option<Stream>>,
}

impl Streams<'_> {
    /// Writing time of templated updates, per sending role: a family of its own, so a
    /// scenario's other draws do not move when `[comms]` is added.
    fn comms(&mut self, role: usize) -> &mut Stream {
        let (key, run) = (&self.keys.comms[role], self.run);
        self.comms[role].get_or_insert_with(|| key.stream(run))
    }
    fn fault(&mut self, i: usize) -> &mut Stream {
        let (key, run) = (&self.keys.faults[i], self.run);
        self.faults[i].get_or_insert_with(|| key.stream(run))
    }
    fn detector(&mut self, i: usize) -> &mut Stream {
        let (key, run) = (&self.keys.detectors[i], self.run);
        self.detectors[i].get_or_insert_with(|| key.stream(run))
    }
    fn role(&mut self, i: usize) -> &mut Stream {
        let (key, run) = (&self.keys.roles[i], self.run);
        self.roles[i].get_or_insert_with(|| key.stream(run))
    }
    fn action(&mut self, i: usize) -> &mut Stream {
        let (key, run) = (&self.keys.actions[i], self.run);
        self.actions[i].get_or_insert_with(|| key.stream(run))
    }
    fn deck(&mut self) -> &mut Stream {
        let (key, run) = (&self.keys.deck, self.run);
        self.deck.get_or_insert_with(|| key.stream(run))
    }
}

/// Family keys of a batch: derived once per (scenario, master seed), used by every run.
#[derive(Debug, Clone)]
pub struct StreamKeys {
    faults: Vec<FamilyKey>,
    detectors: Vec<FamilyKey>,
    roles: Vec<FamilyKey>,
    actions: Vec<FamilyKey>,
    deck: FamilyKey,
    comms: Vec<FamilyKey>,
}

impl StreamKeys {
    /// Derives the keys of every family of `scenario` under `seed`. Keys come from names, so
    /// adding a role does not change when a fault fires (common random numbers).
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        let keys = |prefix: &str, ids: &mut dyn Iterator<Item = &str>| -> Vec<FamilyKey> {
            ids.map(|id| FamilyKey::derive(seed, &format!("{prefix}:{id}")))
                .collect()
        };
        StreamKeys {
            faults: keys("fault", &mut scenario.faults.iter().map(|f| f.id.as_str())),
            detectors: keys(
                "detector",
                &mut scenario.detectors.iter().map(|d| d.id.as_str()),
            ),
            roles: keys("role", &mut scenario.roles.iter().map(|r| r.id.as_str())),
            actions: keys(
                "action",
                &mut scenario.actions.iter().map(|a| a.id.as_str()),
            ),
            deck: FamilyKey::derive(seed, "deck"),
            comms: keys("comms", &mut scenario.roles.iter().map(|r| r.id.as_str())),
        }
    }

    fn streams(&self, run: u64) -> Streams<'_> {
        Streams {
            keys: self,
            run,
            faults: vec![None; self.faults.len()],
            detectors: vec![None; self.detectors.len()],
            roles: vec![None; self.roles.len()],
            actions: vec![None; self.actions.len()],
            deck: None,
            comms: vec![None; self.comms.len()],
        }
    }
}

/// Minutes per phase of one run, named (the JSON keys are the phase names).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[allow(missing_docs)]
pub struct PhaseMinutes {
    pub detection: f64,
    pub acknowledgement: f64,
    pub diagnosis: f64,
    pub escalation_wait: f64,
    pub containment: f64,
    pub recovery: f64,
    pub verification: f64,
    pub stalled: f64,
}

impl PhaseMinutes {
    /// Minutes of one phase.
    pub fn get(&self, phase: Phase) -> f64 {
        self.as_array()[phase as usize]
    }

    /// In [`Phase::ALL`] order.
    pub fn as_array(&self) -> [f64; 8] {
        [
            self.detection,
            self.acknowledgement,
            self.diagnosis,
            self.escalation_wait,
            self.containment,
            self.recovery,
            self.verification,
            self.stalled,
        ]
    }
}

impl From<[f64; 8]> for PhaseMinutes {
    fn from(m: [f64; 8]) -> Self {
        PhaseMinutes {
            detection: m[0],
            acknowledgement: m[1],
            diagnosis: m[2],
            escalation_wait: m[3],
            containment: m[4],
            recovery: m[5],
            verification: m[6],
            stalled: m[7],
        }
    }
}

/// What the incident is waiting on at a moment: the phases the time to recover splits into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// A fault has begun and nobody knows.
    Detection,
    /// A signal arrived; nobody has acknowledged the page yet.
    Acknowledgement,
    /// Working out the cause, or deciding what to do.
    Diagnosis,
    /// Waiting for an approval or for a handed-off role to answer its page.
    EscalationWait,
    /// A containment action is under way.
    Containment,
    /// A recovery action is under way.
    Recovery,
    /// Restoring data (replay, backfill); after recovery it is reported apart.
    Verification,
    /// Nothing under way: e.g. every action given up, or a role busy elsewhere.
    Stalled,
}

impl Phase {
    /// All phases, in the order reports show them.
    pub const ALL: [Phase; 8] = [
        Phase::Detection,
        Phase::Acknowledgement,
        Phase::Diagnosis,
        Phase::EscalationWait,
        Phase::Containment,
        Phase::Recovery,
        Phase::Verification,
        Phase::Stalled,
    ];

    /// The name used in exports.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Detection => "detection",
            Phase::Acknowledgement => "acknowledgement",
            Phase::Diagnosis => "diagnosis",
            Phase::EscalationWait => "escalation_wait",
            Phase::Containment => "containment",
            Phase::Recovery => "recovery",
            Phase::Verification => "verification",
            Phase::Stalled => "stalled",
        }
    }
}

/// The state of one simulated run.
pub struct World<'s> {
    scenario: &'s Scenario,
    run: u64,
    streams: Streams<'s>,
    faults: Vec<FaultState>,
    /// Whether each fault begins before the horizon (onsets are drawn at the start).
    planned: Vec<bool>,
    incidents: Vec<IncidentState>,
    /// Ledger per system; only flows that a fault targets have one.
    ledgers: Vec<Option<Ledger>>,
    roles: Vec<RoleState>,
    actions: Vec<ActionState>,
    /// Whether each action has succeeded at least once (what `requires.after` waits for).
    succeeded: Vec<bool>,
    /// Each action's first approval request (scenario order).
    approvals: Vec<ApprovalClock>,
    cause_diagnosed: Vec<bool>,
    cause_revealed: Vec<bool>,
    /// First time any incident reached each milestone (drives milestone-timed injects).
    first_reached: [Option<Time>; 5],
    resolved: bool,
    deck_draws: u32,
    targets_breached: u32,
    escalations: u32,
    wrong_diagnoses: u32,
    failed_attempts: u32,
    injects: u32,
    updates: u32,
    first_update: Option<Time>,
    objective_counts: Vec<Option<CountSnapshot>>,
    /// Minutes spent in each phase ([`Phase::ALL`] order), from the first onset.
    phase_minutes: [f64; 8],
    /// Minutes each role was the one the incident waited on.
    role_minutes: Vec<f64>,
    /// Time up to which phases are accounted; `None` before the first onset.
    accounted_to: Option<Time>,
    trace: Option<Box<Trace>>,
    /// Roles played by people in a live drill: the model neither acknowledges, diagnoses,
    /// decides, approves nor writes for them; their decisions come in through
    /// [`World::decide`]. All `false` in simulated runs.
    human: Vec<bool>,
    /// Scripted injects the facilitator fired early: their scheduled arrival is skipped.
    fired: Vec<bool>,
    /// Attempts a person has made of each action (they retry by hand).
    human_attempts: Vec<u32>,
    /// The `[comms]` templates and cadence; `None` when the scenario has no templates.
    comms: Option<Box<CommsState>>,
    /// When each exercise module started (`None`: not yet).
    modules_started: Vec<Option<Time>>,
}

fn slot(m: Milestone) -> usize {
    m as usize
}

fn bit(incident: usize) -> u64 {
    1 << incident
}

impl<'s> World<'s> {
    /// Sets up run `run` and hands its opening events (fault onsets, timed injects) to
    /// `schedule`.
    pub fn start(
        scenario: &'s Scenario,
        keys: &'s StreamKeys,
        run: u64,
        schedule: &mut impl FnMut(Time, Event),
    ) -> Self {
        let mut streams = keys.streams(run);
        let horizon = scenario.meta.horizon;
        let mut incidents = vec![IncidentState::default(); scenario.incidents.len()];
        let mut ledgers: Vec<Option<Ledger>> = vec![None; scenario.systems.len()];
        let mut planned = vec![false; scenario.faults.len()];
        for (i, fault) in scenario.faults.iter().enumerate() {
            let onset = fault.onset.sample(streams.fault(i));
            if onset < horizon {
                planned[i] = true;
                incidents[fault.incident].planned = true;
                schedule(onset, Event::FaultOnset(i as u16));
            }
            let flow = &scenario.systems[fault.flow];
            ledgers[fault.flow] = Some(Ledger::new(
                flow.records_per_minute,
                flow.retry_retention,
                flow.hold_retention,
            ));
        }
        for (i, inject) in scenario.injects.iter().enumerate() {
            if let InjectTime::At(t) = inject.at {
                schedule(t, Event::InjectArrives(i as u16));
            }
        }
        for (i, module) in scenario.modules.iter().enumerate() {
            if let InjectTime::At(t) = module.starts {
                schedule(t, Event::ModuleStarts(i as u16));
            }
        }
        World {
            scenario,
            run,
            streams,
            faults: vec![FaultState::default(); scenario.faults.len()],
            planned,
            incidents,
            ledgers,
            roles: vec![RoleState::default(); scenario.roles.len()],
            actions: vec![ActionState::Idle; scenario.actions.len()],
            succeeded: vec![false; scenario.actions.len()],
            approvals: vec![ApprovalClock::default(); scenario.actions.len()],
            cause_diagnosed: vec![false; scenario.causes.len()],
            cause_revealed: vec![false; scenario.causes.len()],
            first_reached: [None; 5],
            resolved: false,
            deck_draws: 0,
            targets_breached: 0,
            escalations: 0,
            wrong_diagnoses: 0,
            failed_attempts: 0,
            injects: 0,
            updates: 0,
            first_update: None,
            objective_counts: vec![None; scenario.objectives.len()],
            phase_minutes: [0.0; 8],
            role_minutes: vec![0.0; scenario.roles.len()],
            accounted_to: None,
            trace: None,
            human: vec![false; scenario.roles.len()],
            fired: vec![false; scenario.injects.len()],
            human_attempts: vec![0; scenario.actions.len()],
            modules_started: vec![None; scenario.modules.len()],
            comms: (!scenario.comms.templates.is_empty()).then(|| {
                Box::new(CommsState {
                    running: vec![0; scenario.comms.cadence.len()],
                    queue: vec![Default::default(); scenario.roles.len()],
                    writing: vec![false; scenario.roles.len()],
                    audiences: scenario
                        .comms
                        .audiences
                        .iter()
                        .map(|a| outcome::AudienceRun {
                            audience: a.clone(),
                            ..Default::default()
                        })
                        .collect(),
                    first: vec![None; scenario.comms.audiences.len()],
                })
            }),
        }
    }

    /// Keeps a trace of the run: notes in words and spans of activity (for replays, report
    /// timelines and live feeds). Off by default: batches do not pay for it.
    pub fn record_trace(&mut self) {
        self.trace = Some(Box::default());
    }

    /// The trace so far (`None` unless [`World::record_trace`] was called).
    pub fn trace(&self) -> Option<&Trace> {
        self.trace.as_deref()
    }

    fn note(&mut self, time: Time, text: impl FnOnce() -> String) {
        self.note_to(time, &[], text);
    }

    /// A note that concerns `roles` (shown to them in a live drill).
    fn note_to(&mut self, time: Time, roles: &[usize], text: impl FnOnce() -> String) {
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
    fn trace_step(&mut self, now: Time, event: Event) {
        let Some(trace) = &mut self.trace else {
            return;
        };
        let (kind, involved, summary) = trace::describe(self.scenario, event);
        let mut records = RecordCounts::default();
        for ledger in self.ledgers.iter().flatten() {
            let mut copy = ledger.clone();
            copy.settle(now);
            records += copy.counts();
        }
        let open_items = self.roles.iter().map(|r| r.open_items).collect();
        trace.step(now, kind, involved, summary, records, open_items);
    }

    fn span_open(
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

    fn span_close(&mut self, key: SpanKey, now: Time, label: impl FnOnce() -> Option<String>) {
        if let Some(trace) = &mut self.trace {
            trace.close(key, now, label());
        }
    }

    // ---- where the time goes -----------------------------------------------------------------

    /// What the incident waits on now, and on whom: the most advanced activity under way
    /// wins (recovery over containment over diagnosis ...).
    /// `None` while no incident is active (between two incidents): that time is nobody's.
    fn current_phase(&self) -> Option<(Phase, Option<usize>)> {
        let actions = &self.scenario.actions;
        let running = |effect: ActionEffect| {
            (0..actions.len()).find(|&a| {
                actions[a].effect == effect
                    && matches!(self.actions[a], ActionState::Running { .. })
            })
        };
        if self.resolved {
            return Some((
                Phase::Verification,
                running(ActionEffect::RestoreData).map(|a| actions[a].by),
            ));
        }
        let active = self
            .faults
            .iter()
            .any(|f| f.onset.is_some() && !f.recovered);
        let working = self.actions.iter().any(|a| {
            !matches!(
                a,
                ActionState::Idle | ActionState::Done | ActionState::GaveUp
            )
        });
        if !active && !working {
            return None;
        }
        for (effect, phase) in [
            (ActionEffect::Recover, Phase::Recovery),
            (ActionEffect::Contain, Phase::Containment),
            (ActionEffect::RestoreData, Phase::Verification),
        ] {
            if let Some(a) = running(effect) {
                return Some((phase, Some(actions[a].by)));
            }
        }
        if let Some(role) = self.faults.iter().find_map(|f| f.diagnosing) {
            return Some((Phase::Diagnosis, Some(role)));
        }
        if let Some(a) = (0..actions.len()).find(|&a| self.actions[a] == ActionState::Deciding) {
            return Some((Phase::Diagnosis, Some(actions[a].by)));
        }
        if let Some(a) =
            (0..actions.len()).find(|&a| self.actions[a] == ActionState::AwaitingApproval)
        {
            return Some((Phase::EscalationWait, actions[a].approver));
        }
        let unacknowledged = |r: &RoleState| r.paged & !r.acknowledged;
        for (i, incident) in self.incidents.iter().enumerate() {
            let reached = |m: Milestone| incident.milestones[slot(m)].is_some();
            if reached(Milestone::Detected) && !reached(Milestone::Acknowledged) {
                let paged = self
                    .roles
                    .iter()
                    .position(|r| unacknowledged(r) & bit(i) != 0);
                return Some((Phase::Acknowledgement, paged));
            }
        }
        if self
            .faults
            .iter()
            .any(|f| f.onset.is_some() && !f.detected && !f.recovered)
        {
            return Some((Phase::Detection, None));
        }
        if let Some(role) = self.roles.iter().position(|r| unacknowledged(r) != 0) {
            return Some((Phase::EscalationWait, Some(role)));
        }
        Some((Phase::Stalled, None))
    }

    /// Adds the time since the last event to the phase (and role) the incident waited on.
    fn account(&mut self, now: Time) {
        let Some(from) = self.accounted_to else {
            return;
        };
        let Some((phase, role)) = self.current_phase() else {
            self.accounted_to = Some(now);
            return;
        };
        let waited = now - from;
        if waited > 0.0 && (!self.resolved || role.is_some()) {
            self.phase_minutes[phase as usize] += waited;
            if let Some(role) = role {
                self.role_minutes[role] += waited;
            }
        }
        self.accounted_to = Some(now);
    }

    // ---- latencies ---------------------------------------------------------------------------

    fn overload(&self, role: usize) -> f64 {
        1.0 + self.scenario.roles[role].overload_per_item * self.roles[role].open_items as f64
    }

    fn decide_latency(&mut self, role: usize) -> Time {
        let factor = self.overload(role);
        self.scenario.roles[role]
            .decide
            .sample(self.streams.role(role))
            * factor
    }

    fn communicate_latency(&mut self, role: usize) -> Time {
        let factor = self.overload(role);
        self.scenario.roles[role]
            .communicate
            .sample(self.streams.role(role))
            * factor
    }

    fn acknowledge_latency(&mut self, role: usize, now: Time) -> Time {
        let spec = &self.scenario.roles[role];
        let at_work = spec
            .working_hours
            .as_ref()
            .is_none_or(|h| h.contains(self.scenario.meta.start_minute_of_week + now));
        let off_hours = if at_work { 1.0 } else { spec.off_hours_factor };
        let factor = self.overload(role) * off_hours;
        spec.acknowledge.sample(self.streams.role(role)) * factor
    }

    // ---- milestones --------------------------------------------------------------------------

    /// Records that `incident` reached `milestone` (first time only) and starts what hangs on
    /// it: milestone-timed injects (on the first incident to get there), the deck and count
    /// snapshots (on the first onset).
    fn reach(
        &mut self,
        incident: usize,
        milestone: Milestone,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
        let m = slot(milestone);
        if self.incidents[incident].milestones[m].is_some() {
            return;
        }
        self.incidents[incident].milestones[m] = Some(now);
        self.note(now, || {
            format!(
                "milestone: {} ({})",
                milestone.name(),
                self.scenario.incidents[incident]
            )
        });
        if let Some(trace) = &mut self.trace {
            trace.reach(&self.scenario.incidents[incident], milestone.name());
        }
        if self.first_reached[m].is_some() {
            return;
        }
        self.first_reached[m] = Some(now);
        for (i, inject) in self.scenario.injects.iter().enumerate() {
            if let InjectTime::After(after, delay) = inject.at
                && after == milestone
            {
                s.at(now + delay, Event::InjectArrives(i as u16));
            }
        }
        for (i, module) in self.scenario.modules.iter().enumerate() {
            if let InjectTime::After(after, delay) = module.starts
                && after == milestone
            {
                s.at(now + delay, Event::ModuleStarts(i as u16));
            }
        }
        if milestone == Milestone::Onset {
            if let Some(deck) = &self.scenario.deck
                && deck.max_draws > 0
            {
                let wait = deck.draw_every.sample(self.streams.deck());
                s.after(wait, Event::CardDrawn);
            }
            for (i, objective) in self.scenario.objectives.iter().enumerate() {
                if outcome::needs_snapshot(self.scenario, i) {
                    s.at(now + objective.time_box, Event::TimeBoxEnds(i as u16));
                }
            }
        }
    }

    /// An incident is contained / recovered when every fault of it that begins before the
    /// horizon has begun and is contained / recovered.
    fn check_resolution(&mut self, incident: usize, now: Time, s: &mut Scheduler<Event>) {
        let (mut contained, mut recovered) = (true, true);
        for (i, fault) in self.scenario.faults.iter().enumerate() {
            if fault.incident != incident || !self.planned[i] {
                continue;
            }
            let st = &self.faults[i];
            if st.onset.is_none() {
                return;
            }
            contained &= st.contained || st.recovered;
            recovered &= st.recovered;
        }
        if contained {
            self.reach(incident, Milestone::Contained, now, s);
        }
        if recovered {
            self.reach(incident, Milestone::Recovered, now, s);
            self.resolved = self
                .incidents
                .iter()
                .all(|i| !i.planned || i.milestones[slot(Milestone::Recovered)].is_some());
        }
    }

    // ---- flows -------------------------------------------------------------------------------

    /// Recomputes a flow's condition from its active faults; `pause` sets containment.
    fn refresh_flow(&mut self, flow: usize, now: Time, pause: Option<bool>) {
        let active = self
            .scenario
            .faults
            .iter()
            .zip(&self.faults)
            .filter(|(f, st)| f.flow == flow && st.onset.is_some() && !st.recovered)
            .map(|(f, _)| f)
            .reduce(|best, f| if f.share > best.share { f } else { best });
        let Some(ledger) = self.ledgers[flow].as_mut() else {
            return;
        };
        let condition = match active {
            Some(f) => FlowCondition {
                mode: Some(f.mode),
                share: f.share,
                paused: pause.unwrap_or(ledger.condition().paused),
            },
            None => FlowCondition::HEALTHY,
        };
        ledger.set_condition(now, condition);
        if active.is_none() {
            ledger.release_held(now);
        }
    }

    // ---- the incident ------------------------------------------------------------------------

    fn page(&mut self, role: usize, incident: usize, now: Time, s: &mut Scheduler<Event>) {
        if self.roles[role].paged & bit(incident) != 0
            || self.scenario.roles[role].kind == RoleKind::Stakeholder
        {
            return;
        }
        self.roles[role].paged |= bit(incident);
        let latency = self.acknowledge_latency(role, now);
        let (roles, incidents) = (&self.scenario.roles, &self.scenario.incidents);
        self.span_open(
            SpanKey::Page(role, incident),
            || roles[role].id.clone(),
            || format!("paged for {}", incidents[incident]),
            Phase::Acknowledgement,
            now,
        );
        self.note_to(now, &[role], || {
            format!(
                "page: {} for {}",
                self.scenario.roles[role].id, self.scenario.incidents[incident]
            )
        });
        if self.human[role] {
            return;
        }
        s.after(
            latency,
            Event::Acknowledge {
                role: role as u16,
                incident: incident as u8,
            },
        );
    }

    fn open_at_severity(
        &mut self,
        incident: usize,
        level: usize,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
        self.incidents[incident].severity = level;
        let severity = &self.scenario.escalation.severities[level];
        self.note(now, || {
            format!(
                "severity: {} ({})",
                severity.level, self.scenario.incidents[incident]
            )
        });
        for &role in &severity.page {
            self.page(role, incident, now, s);
        }
        if let Some(comms) = &mut self.comms {
            for (c, cadence) in self.scenario.comms.cadence.iter().enumerate() {
                if cadence.severity == level && comms.running[c] & bit(incident) == 0 {
                    comms.running[c] |= bit(incident);
                    s.at(
                        now,
                        Event::CommsDue {
                            cadence: c as u16,
                            incident: incident as u8,
                        },
                    );
                }
            }
        }
        let (i, l) = (incident as u8, level as u8);
        if self.incidents[incident].milestones[slot(Milestone::Acknowledged)].is_none() {
            s.after(
                severity.acknowledge_within,
                Event::AcknowledgeDeadline {
                    incident: i,
                    level: l,
                },
            );
        }
        s.after(
            severity.restore_within,
            Event::RestoreDeadline {
                incident: i,
                level: l,
            },
        );
    }

    fn breach(&mut self, incident: usize, level: usize, now: Time, s: &mut Scheduler<Event>) {
        self.targets_breached += 1;
        let escalation = &self.scenario.escalation;
        if escalation.auto_escalate && level + 1 < escalation.severities.len() {
            self.escalations += 1;
            self.open_at_severity(incident, level + 1, now, s);
        }
    }

    /// A fault the team knows of and works on: detected, its incident acknowledged, and not
    /// recovered.
    fn workable(&self, f: usize) -> bool {
        let st = &self.faults[f];
        let incident = &self.incidents[self.scenario.faults[f].incident];
        st.detected && !st.recovered && incident.milestones[slot(Milestone::Acknowledged)].is_some()
    }

    /// The first fault an action would help with now, if any.
    fn action_target(&self, a: usize) -> Option<usize> {
        let action = &self.scenario.actions[a];
        let faults = &self.scenario.faults;
        let relevant = |f: &usize| {
            faults[*f].flow == action.target
                && action
                    .requires_diagnosis
                    .is_none_or(|c| c == faults[*f].cause)
        };
        match action.effect {
            ActionEffect::Contain => (0..faults.len())
                .filter(relevant)
                .find(|&f| self.workable(f) && !self.faults[f].contained),
            ActionEffect::Recover => (0..faults.len())
                .filter(relevant)
                .find(|&f| self.workable(f)),
            ActionEffect::RestoreData => {
                let on_flow = || (0..faults.len()).filter(|f| faults[*f].flow == action.target);
                let known = on_flow().find(|&f| {
                    let incident = &self.incidents[faults[f].incident];
                    self.faults[f].detected
                        && incident.milestones[slot(Milestone::Acknowledged)].is_some()
                });
                let none_active =
                    on_flow().all(|f| self.faults[f].recovered || self.faults[f].onset.is_none());
                let restorable = self.ledgers[action.target]
                    .as_ref()
                    .is_some_and(|l| l.has_restorable(action.backfill));
                known.filter(|_| none_active && restorable)
            }
        }
    }

    fn preconditions_met(&self, a: usize) -> bool {
        let action = &self.scenario.actions[a];
        action
            .requires_diagnosis
            .is_none_or(|c| self.cause_diagnosed[c])
            && action.after.iter().all(|&b| self.succeeded[b])
    }

    /// Whether `role` can take a task for `incident` now; pages it (a hand-off) if it has not
    /// acknowledged that incident yet.
    fn available(
        &mut self,
        role: usize,
        incident: usize,
        now: Time,
        s: &mut Scheduler<Event>,
    ) -> bool {
        if self.roles[role].acknowledged & bit(incident) == 0 {
            self.page(role, incident, now, s);
            return false;
        }
        !self.roles[role].busy
    }

    /// Assigns work to free roles: runbook actions first (in runbook order), then diagnoses.
    fn plan(&mut self, now: Time, s: &mut Scheduler<Event>) {
        // Every task needs a fault the team works on, and that needs an acknowledged incident.
        if self.first_reached[slot(Milestone::Acknowledged)].is_none() {
            return;
        }
        for a in 0..self.actions.len() {
            let role = self.scenario.actions[a].by;
            match self.actions[a] {
                ActionState::Ready if !self.roles[role].busy => {
                    if self.action_target(a).is_some() {
                        // People retry by hand, so their attempts are counted across runs.
                        let attempt = if self.human[role] {
                            self.human_attempts[a].max(1)
                        } else {
                            1
                        };
                        self.run_action(a, attempt, now, s);
                    } else {
                        self.actions[a] = ActionState::Idle;
                    }
                }
                // A succeeded action runs again when a fault needs it anew (another
                // incident's fault on the same flow, detected later).
                ActionState::Idle | ActionState::Done
                    if !self.human[role] && self.preconditions_met(a) =>
                {
                    let Some(f) = self.action_target(a) else {
                        continue;
                    };
                    if self.available(role, self.scenario.faults[f].incident, now, s) {
                        self.roles[role].busy = true;
                        self.actions[a] = ActionState::Deciding;
                        let (roles, actions) = (&self.scenario.roles, &self.scenario.actions);
                        self.span_open(
                            SpanKey::Decide(a),
                            || roles[role].id.clone(),
                            || format!("decides on {}", actions[a].id),
                            Phase::Diagnosis,
                            now,
                        );
                        let latency = self.decide_latency(role);
                        s.after(latency, Event::ActionDecided(a as u16));
                    }
                }
                _ => {}
            }
        }
        for f in 0..self.faults.len() {
            let fault = &self.scenario.faults[f];
            if !self.workable(f)
                || self.faults[f].diagnosing.is_some()
                || self.cause_diagnosed[fault.cause]
            {
                continue;
            }
            // The diagnosis is made by whoever owns the first action that needs it.
            let Some(role) = self
                .scenario
                .actions
                .iter()
                .find(|a| a.requires_diagnosis == Some(fault.cause) && a.target == fault.flow)
                .map(|a| a.by)
            else {
                continue;
            };
            if self.human[role] {
                continue;
            }
            if self.available(role, fault.incident, now, s) {
                self.roles[role].busy = true;
                self.roles[role].open_items += 1;
                self.faults[f].diagnosing = Some(role);
                let (roles, faults) = (&self.scenario.roles, &self.scenario.faults);
                self.span_open(
                    SpanKey::Diagnose(f),
                    || roles[role].id.clone(),
                    || format!("diagnoses {}", faults[f].id),
                    Phase::Diagnosis,
                    now,
                );
                let latency = self.decide_latency(role);
                s.after(
                    latency,
                    Event::DiagnosisDone {
                        fault: f as u16,
                        role: role as u16,
                    },
                );
            }
        }
    }

    fn run_action(&mut self, a: usize, attempt: u32, now: Time, s: &mut Scheduler<Event>) {
        let action = &self.scenario.actions[a];
        self.roles[action.by].busy = true;
        self.actions[a] = ActionState::Running { attempt };
        let phase = match action.effect {
            ActionEffect::Contain => Phase::Containment,
            ActionEffect::Recover => Phase::Recovery,
            ActionEffect::RestoreData => Phase::Verification,
        };
        let roles = &self.scenario.roles;
        self.span_open(
            SpanKey::Run(a),
            || roles[action.by].id.clone(),
            || format!("{} (attempt {attempt})", action.id),
            phase,
            now,
        );
        let duration = action.duration.sample(self.streams.action(a));
        self.note_to(now, &[action.by], || {
            format!("action started: {} (attempt {attempt})", action.id)
        });
        s.after(duration, Event::ActionDone(a as u16));
    }

    fn apply_action(&mut self, a: usize, now: Time, s: &mut Scheduler<Event>) {
        let action = &self.scenario.actions[a];
        let target = action.target;
        let faults = &self.scenario.faults;
        let affected: Vec<usize> = (0..faults.len())
            .filter(|&f| {
                // Only faults the team knows of: fixing a flow does not resolve an incident
                // nobody has detected yet (its fault stays active and shows up later).
                faults[f].flow == target
                    && self.faults[f].detected
                    && !self.faults[f].recovered
                    && action
                        .requires_diagnosis
                        .is_none_or(|c| c == faults[f].cause)
            })
            .collect();
        match action.effect {
            ActionEffect::Contain => {
                for &f in &affected {
                    self.faults[f].contained = true;
                }
                self.refresh_flow(target, now, Some(true));
            }
            ActionEffect::Recover => {
                for &f in &affected {
                    self.faults[f].recovered = true;
                }
                // Once every known fault of the flow is fixed, the team resumes it; a fault
                // nobody detected yet goes on hurting it.
                let known_left = (0..faults.len()).any(|f| {
                    faults[f].flow == target && self.faults[f].detected && !self.faults[f].recovered
                });
                self.refresh_flow(target, now, (!known_left).then_some(false));
            }
            ActionEffect::RestoreData => {
                if let Some(ledger) = self.ledgers[target].as_mut() {
                    ledger.restore(now, action.backfill);
                }
            }
        }
        for f in affected {
            self.check_resolution(faults[f].incident, now, s);
        }
    }

    // ---- communications cadence ------------------------------------------------------------

    /// Starts writing the oldest update `role` owes, if it is free to: a role writes one
    /// update at a time, after acknowledging the incident it is about (it is paged, as a
    /// hand-off, if it has not). A person is reminded instead and writes through the drill.
    fn write_next_update(&mut self, role: usize, now: Time, s: &mut Scheduler<Event>) {
        let Some(comms) = &self.comms else { return };
        let Some(&next) = comms.queue[role].front() else {
            return;
        };
        if comms.writing[role] || self.human[role] {
            return;
        }
        if self.roles[role].acknowledged & bit(next.incident) == 0 {
            // A hand-off: the writer is paged, and writes once it acknowledges.
            self.page(role, next.incident, now, s);
            return;
        }
        let factor = self.overload(role);
        let latency = self.scenario.roles[role]
            .communicate
            .sample(self.streams.comms(role))
            * factor;
        if let Some(comms) = &mut self.comms {
            comms.writing[role] = true;
        }
        s.after(latency, Event::CommsSent(role as u16));
    }

    /// A cadence's update falls due: it joins the sender's queue (one more open item) and
    /// the next one is scheduled, while the incident stays open at the cadence's severity.
    fn comms_due(&mut self, c: usize, incident: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        let cadence = &scenario.comms.cadence[c];
        let state = &self.incidents[incident];
        let open = state.milestones[slot(Milestone::Recovered)].is_none()
            && state.severity == cadence.severity;
        let Some(comms) = &mut self.comms else { return };
        if !open {
            comms.running[c] &= !bit(incident);
            return;
        }
        let template = &scenario.comms.templates[cadence.template];
        comms.audiences[template.audience].due += 1;
        comms.queue[template.by].push_back(PendingUpdate {
            cadence: c,
            incident,
            due: now,
        });
        self.roles[template.by].open_items += 1;
        self.note_to(now, &[template.by], || {
            format!(
                "{} due: {} to {}",
                template.kind.title().to_lowercase(),
                scenario.roles[template.by].id,
                scenario.comms.audiences[template.audience]
            )
        });
        s.after(
            cadence.every,
            Event::CommsDue {
                cadence: c as u16,
                incident: incident as u8,
            },
        );
        self.write_next_update(template.by, now, s);
    }

    /// `role` sends the update at the head of its queue: on cadence if within the grace.
    fn comms_sent(&mut self, role: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        let Some(comms) = &mut self.comms else { return };
        comms.writing[role] = false;
        let Some(update) = comms.queue[role].pop_front() else {
            return;
        };
        let t = scenario.comms.cadence[update.cadence].template;
        let template = &scenario.comms.templates[t];
        // Simulated writers fill every required field and write no jargon.
        self.count_sent(t, Some(update), template.required.len() as u32, 0, now);
        self.roles[role].open_items = self.roles[role].open_items.saturating_sub(1);
        self.note_to(now, &[role], || {
            format!(
                "{} sent: {} to {} ({} after due)",
                template.kind.title().to_lowercase(),
                scenario.roles[role].id,
                scenario.comms.audiences[template.audience],
                crate::scenario::duration::format_minutes(now - update.due)
            )
        });
        self.write_next_update(role, now, s);
    }

    /// Counts an update on template `t` sent at `now` to the template's audience, with
    /// `filled` of its required fields and `jargon` jargon words. It is on cadence if it
    /// answers the due update `answered` within the cadence's grace.
    fn count_sent(
        &mut self,
        t: usize,
        answered: Option<PendingUpdate>,
        filled: u32,
        jargon: u32,
        now: Time,
    ) {
        let scenario = self.scenario;
        let Some(comms) = &mut self.comms else { return };
        let template = &scenario.comms.templates[t];
        let audience = &mut comms.audiences[template.audience];
        audience.sent += 1;
        if let Some(update) = answered {
            let grace = scenario.comms.cadence[update.cadence].grace;
            audience.on_cadence += u32::from(now - update.due <= grace);
        }
        audience.fields_required += template.required.len() as u32;
        audience.fields_filled += filled;
        audience.jargon_flags += jargon;
        comms.first[template.audience].get_or_insert(now);
    }

    fn deliver(&mut self, message: &'s Message, now: Time, s: &mut Scheduler<Event>) {
        self.injects += 1;
        let role = message.to;
        self.note_to(now, &[role], || {
            format!(
                "inject to {}: {}",
                self.scenario.roles[role].id, message.text
            )
        });
        if let Some(cause) = message.reveals {
            self.cause_revealed[cause] = true;
        }
        if self.scenario.roles[role].kind == RoleKind::Stakeholder
            || self.human[role]
            || (message.load == 0 && !message.misleads)
        {
            return;
        }
        self.roles[role].open_items += message.load;
        self.roles[role].misleading_open += message.misleads as u32;
        let latency = self.communicate_latency(role);
        s.after(
            latency,
            Event::MessageAnswered {
                role: role as u16,
                load: message.load as u16,
                misleads: message.misleads,
            },
        );
    }

    /// Settles every ledger at `now` and sums them.
    fn settle_records(&mut self, now: Time) -> RecordCounts {
        let mut counts = RecordCounts::default();
        for ledger in self.ledgers.iter_mut().flatten() {
            ledger.settle(now);
            counts += ledger.counts();
        }
        counts
    }

    fn snapshot(&self, counts: RecordCounts) -> CountSnapshot {
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
    fn run_time_to(&self, milestone: Milestone) -> Option<Time> {
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

    /// Closes the run at the horizon and scores it.
    pub fn finish(self, events: u64, hit_event_cap: bool) -> RunOutcome {
        let horizon = self.scenario.meta.horizon;
        self.finish_at(horizon, events, hit_event_cap)
    }

    /// Closes the run at `horizon` (the scenario's, or the time a live drill was ended) and
    /// scores it: milestones not reached by then are censored there.
    pub fn finish_at(mut self, horizon: Time, events: u64, hit_event_cap: bool) -> RunOutcome {
        self.account(horizon);
        let records = self.settle_records(horizon);
        let onset = self.first_reached[slot(Milestone::Onset)];
        let times = TIMED.map(|m| self.run_time_to(m));
        let final_counts = self.snapshot(records);
        let objectives = self
            .scenario
            .objectives
            .iter()
            .enumerate()
            .map(|(i, objective)| match objective.metric {
                // No fault began: there was nothing to detect, contain or lose.
                _ if onset.is_none() => ObjectiveResult::NotApplicable,
                Metric::TimeTo(m) => outcome::judge(objective, self.run_time_to(m), final_counts),
                _ => outcome::judge(
                    objective,
                    None,
                    self.objective_counts[i].unwrap_or(final_counts),
                ),
            })
            .collect();
        RunOutcome {
            run: self.run,
            onset,
            times,
            // Each incident's time runs from its own onset, so the latest one was observed the
            // least: censoring there never claims more follow-up than there was.
            censored_at: self
                .incidents
                .iter()
                .filter_map(|i| i.milestones[slot(Milestone::Onset)])
                .fold(None, |last: Option<Time>, o| {
                    Some(last.map_or(o, |l| l.max(o)))
                })
                .map_or(0.0, |o| horizon - o),
            records,
            targets_breached: self.targets_breached,
            escalations: self.escalations,
            wrong_diagnoses: self.wrong_diagnoses,
            failed_attempts: self.failed_attempts,
            injects: self.injects,
            updates: self.updates,
            first_update: onset.and_then(|o| self.first_update.map(|t| t - o)),
            comms: self.comms.as_ref().map_or_else(Vec::new, |c| {
                c.audiences
                    .iter()
                    .zip(&c.first)
                    .map(|(a, first)| outcome::AudienceRun {
                        first_update: onset.and_then(|o| first.map(|t| t - o)),
                        ..a.clone()
                    })
                    .collect()
            }),
            approvals: self
                .scenario
                .actions
                .iter()
                .zip(&self.approvals)
                .filter(|(action, _)| action.approver_other_than_performer().is_some())
                .map(|(action, clock)| clock.outcome(&action.id, horizon))
                .collect(),
            objectives,
            phase_minutes: self.phase_minutes,
            role_minutes: self.role_minutes,
            events,
            hit_event_cap,
        }
    }
}

impl<'s> engine::Model for World<'s> {
    type Event = Event;

    fn handle(&mut self, now: Time, event: Event, s: &mut Scheduler<Event>) {
        self.apply(now, event, s);
        if self.trace.is_some() {
            self.trace_step(now, event);
        }
    }
}

impl<'s> World<'s> {
    /// Carries out one event: the behaviour rules of `docs/model.md`.
    fn apply(&mut self, now: Time, event: Event, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        self.account(now);
        match event {
            Event::FaultOnset(f) => {
                let f = f as usize;
                let fault = &scenario.faults[f];
                self.faults[f].onset = Some(now);
                self.span_open(
                    SpanKey::Undetected(f),
                    || format!("fault:{}", fault.id),
                    || "undetected".to_string(),
                    Phase::Detection,
                    now,
                );
                self.accounted_to.get_or_insert(now);
                self.note(now, || {
                    format!(
                        "fault begins: {} on {}",
                        fault.id, scenario.systems[fault.flow].id
                    )
                });
                self.reach(fault.incident, Milestone::Onset, now, s);
                self.refresh_flow(fault.flow, now, None);
                if let Some(lasts) = &fault.lasts {
                    let duration = lasts.sample(self.streams.fault(f));
                    s.after(duration, Event::FaultHeals(f as u16));
                }
                for (d, detector) in scenario.detectors.iter().enumerate() {
                    if detector.sees[f]
                        && let Some(delay) = signal_delay(
                            &detector.kind,
                            detector.miss,
                            now,
                            self.streams.detector(d),
                        )
                    {
                        s.after(
                            delay,
                            Event::Signal {
                                detector: d as u16,
                                fault: f as u16,
                            },
                        );
                    }
                }
                self.check_resolution(fault.incident, now, s);
            }
            Event::FaultHeals(f) => {
                let f = f as usize;
                if !self.faults[f].recovered {
                    self.faults[f].recovered = true;
                    self.span_close(SpanKey::Undetected(f), now, || {
                        Some("undetected, cleared by itself".to_string())
                    });
                    self.note(now, || {
                        format!("fault clears by itself: {}", scenario.faults[f].id)
                    });
                    self.refresh_flow(scenario.faults[f].flow, now, None);
                    self.check_resolution(scenario.faults[f].incident, now, s);
                    self.plan(now, s);
                }
            }
            Event::Signal { detector, fault } => {
                let (d, f) = (detector as usize, fault as usize);
                if self.faults[f].recovered || self.faults[f].detected {
                    return;
                }
                self.faults[f].detected = true;
                self.span_close(SpanKey::Undetected(f), now, || None);
                let incident = scenario.faults[f].incident;
                // A fault found on a flow that is already paused is contained from now.
                let flow = scenario.faults[f].flow;
                if self.ledgers[flow]
                    .as_ref()
                    .is_some_and(|l| l.condition().paused)
                {
                    self.faults[f].contained = true;
                }
                let notified: &[usize] = match &scenario.detectors[d].notifies {
                    Some(role) => std::slice::from_ref(role),
                    None => &[],
                };
                self.note_to(now, notified, || {
                    format!(
                        "signal: {} sees {}",
                        scenario.detectors[d].id, scenario.faults[f].id
                    )
                });
                // The incident opens (at the first severity) with its first detected fault.
                let opens =
                    self.incidents[incident].milestones[slot(Milestone::Detected)].is_none();
                self.reach(incident, Milestone::Detected, now, s);
                self.check_resolution(incident, now, s);
                if opens {
                    self.open_at_severity(incident, 0, now, s);
                }
                if let Some(role) = scenario.detectors[d].notifies {
                    self.page(role, incident, now, s);
                }
                self.plan(now, s);
            }
            Event::Acknowledge { role, incident } => {
                let (role, incident) = (role as usize, incident as usize);
                // A person (or the facilitator for them) may have acknowledged first.
                if self.roles[role].acknowledged & bit(incident) != 0 {
                    return;
                }
                let first_engagement = !self.roles[role].engaged();
                self.roles[role].acknowledged |= bit(incident);
                self.span_close(SpanKey::Page(role, incident), now, || None);
                self.note_to(now, &[role], || {
                    format!(
                        "acknowledged: {} ({})",
                        scenario.roles[role].id, scenario.incidents[incident]
                    )
                });
                self.reach(incident, Milestone::Acknowledged, now, s);
                if scenario.roles[role].update_every.is_some()
                    && !self.roles[role].updating
                    && !self.resolved
                {
                    self.roles[role].updating = true;
                    s.at(now, Event::UpdateDue(role as u16));
                }
                self.write_next_update(role, now, s);
                if first_engagement {
                    // Approvals that waited for this role to engage.
                    for a in 0..self.actions.len() {
                        if self.actions[a] == ActionState::AwaitingApproval
                            && scenario.actions[a].approver == Some(role)
                            && !self.human[role]
                        {
                            self.roles[role].open_items += 1;
                            let latency = self.decide_latency(role);
                            s.after(latency, Event::ActionApproved(a as u16));
                        }
                    }
                }
                self.plan(now, s);
            }
            Event::AcknowledgeDeadline { incident, level } => {
                let (incident, level) = (incident as usize, level as usize);
                let state = &self.incidents[incident];
                if state.severity == level
                    && state.milestones[slot(Milestone::Acknowledged)].is_none()
                    && state.milestones[slot(Milestone::Recovered)].is_none()
                {
                    self.note(now, || {
                        format!(
                            "breach: acknowledge target of {}",
                            scenario.escalation.severities[level].level
                        )
                    });
                    self.breach(incident, level, now, s);
                }
            }
            Event::RestoreDeadline { incident, level } => {
                let (incident, level) = (incident as usize, level as usize);
                let state = &self.incidents[incident];
                if state.severity == level && state.milestones[slot(Milestone::Recovered)].is_none()
                {
                    self.note(now, || {
                        format!(
                            "breach: restore target of {}",
                            scenario.escalation.severities[level].level
                        )
                    });
                    self.breach(incident, level, now, s);
                    self.plan(now, s);
                }
            }
            Event::DiagnosisDone { fault, role } => {
                let (f, role) = (fault as usize, role as usize);
                let cause = scenario.faults[f].cause;
                let wrong_chance = if self.cause_revealed[cause] {
                    0.0
                } else {
                    (scenario.roles[role].wrong_diagnosis
                        + 0.1 * self.roles[role].misleading_open as f64)
                        .min(0.95)
                };
                if self.streams.role(role).random::<f64>() < wrong_chance {
                    // Chasing the wrong cause costs another decision's time before a retry.
                    self.wrong_diagnoses += 1;
                    let (roles, faults) = (&scenario.roles, &scenario.faults);
                    self.span_close(SpanKey::Diagnose(f), now, || {
                        Some(format!("diagnoses {} (wrong)", faults[f].id))
                    });
                    self.span_open(
                        SpanKey::Diagnose(f),
                        || roles[role].id.clone(),
                        || format!("rediagnoses {}", faults[f].id),
                        Phase::Diagnosis,
                        now,
                    );
                    self.note_to(now, &[role], || {
                        format!("wrong diagnosis by {}", scenario.roles[role].id)
                    });
                    let latency = self.decide_latency(role);
                    s.after(
                        latency,
                        Event::DiagnosisDone {
                            fault,
                            role: role as u16,
                        },
                    );
                    return;
                }
                self.cause_diagnosed[cause] = true;
                self.span_close(SpanKey::Diagnose(f), now, || None);
                self.faults[f].diagnosing = None;
                self.roles[role].busy = false;
                self.roles[role].open_items = self.roles[role].open_items.saturating_sub(1);
                self.note_to(now, &[role], || {
                    format!(
                        "diagnosed: {} ({})",
                        scenario.faults[f].id, scenario.causes[cause]
                    )
                });
                self.plan(now, s);
            }
            Event::ActionDecided(a) => {
                let a = a as usize;
                let action = &scenario.actions[a];
                self.roles[action.by].busy = false;
                self.span_close(SpanKey::Decide(a), now, || None);
                let audience: &[usize] = match action.approver {
                    Some(approver) if approver != action.by => &[action.by, approver],
                    _ => std::slice::from_ref(&action.by),
                };
                self.note_to(now, audience, || match action.approver {
                    Some(approver) if approver != action.by => format!(
                        "{} decides to run {} and asks {} to approve",
                        scenario.roles[action.by].id, action.id, scenario.roles[approver].id
                    ),
                    _ => format!(
                        "{} decides to run {}",
                        scenario.roles[action.by].id, action.id
                    ),
                });
                match action.approver {
                    Some(approver) if approver != action.by => {
                        self.actions[a] = ActionState::AwaitingApproval;
                        self.approvals[a].asked.get_or_insert(now);
                        self.span_open(
                            SpanKey::Approve(a),
                            || scenario.roles[approver].id.clone(),
                            || format!("approval of {}", action.id),
                            Phase::EscalationWait,
                            now,
                        );
                        if self.human[approver] {
                            // A person approves through the drill; only page them if they
                            // have not engaged yet.
                            if !self.roles[approver].engaged()
                                && let Some(f) = self.action_target(a)
                            {
                                self.page(approver, scenario.faults[f].incident, now, s);
                            }
                        } else if self.roles[approver].engaged() {
                            self.roles[approver].open_items += 1;
                            let latency = self.decide_latency(approver);
                            s.after(latency, Event::ActionApproved(a as u16));
                        } else {
                            // Page the approver for the incident the action serves (any
                            // detected fault on its flow, if the need has passed meanwhile).
                            let incident = self.action_target(a).or_else(|| {
                                (0..scenario.faults.len()).find(|&f| {
                                    scenario.faults[f].flow == action.target
                                        && self.faults[f].detected
                                })
                            });
                            if let Some(f) = incident {
                                self.page(approver, scenario.faults[f].incident, now, s);
                            }
                        }
                    }
                    _ => self.actions[a] = ActionState::Ready,
                }
                self.plan(now, s);
            }
            Event::ActionApproved(a) => {
                let a = a as usize;
                // Approved already, by a person acting for the approver.
                if self.actions[a] != ActionState::AwaitingApproval {
                    return;
                }
                if let Some(approver) = scenario.actions[a].approver {
                    self.roles[approver].open_items =
                        self.roles[approver].open_items.saturating_sub(1);
                }
                let audience: Vec<usize> =
                    [Some(scenario.actions[a].by), scenario.actions[a].approver]
                        .into_iter()
                        .flatten()
                        .collect();
                self.note_to(now, &audience, || {
                    format!("approved: {}", scenario.actions[a].id)
                });
                self.span_close(SpanKey::Approve(a), now, || None);
                self.actions[a] = ActionState::Ready;
                self.approvals[a].granted.get_or_insert(now);
                self.plan(now, s);
            }
            Event::ActionDone(a) => {
                let a = a as usize;
                let action = &scenario.actions[a];
                let ActionState::Running { attempt } = self.actions[a] else {
                    return;
                };
                let succeeded = self.streams.action(a).random::<f64>() < action.success;
                let outcome = if succeeded { "succeeded" } else { "failed" };
                self.span_close(SpanKey::Run(a), now, || {
                    Some(format!("{} (attempt {attempt}, {outcome})", action.id))
                });
                self.roles[action.by].busy = false;
                if succeeded {
                    self.actions[a] = ActionState::Done;
                    self.succeeded[a] = true;
                    self.note_to(now, &[action.by], || {
                        format!("action succeeded: {}", action.id)
                    });
                    self.apply_action(a, now, s);
                } else {
                    self.failed_attempts += 1;
                    self.note_to(now, &[action.by], || {
                        format!("action failed: {} (attempt {attempt})", action.id)
                    });
                    if self.human[action.by] {
                        // A person decides whether to try again.
                        self.actions[a] = ActionState::Idle;
                    } else if attempt < action.attempts {
                        self.run_action(a, attempt + 1, now, s);
                    } else {
                        self.actions[a] = ActionState::GaveUp;
                    }
                }
                self.plan(now, s);
            }
            Event::InjectArrives(i) => {
                if !self.fired[i as usize] {
                    self.deliver(&scenario.injects[i as usize].message, now, s);
                }
            }
            Event::CardDrawn => {
                let Some(deck) = &scenario.deck else { return };
                if self.resolved {
                    return;
                }
                let total = deck.cumulative_weights.last().copied().unwrap_or(0.0);
                let pick = self.streams.deck().random::<f64>() * total;
                let card = deck
                    .cumulative_weights
                    .iter()
                    .position(|w| pick < *w)
                    .unwrap_or(deck.cards.len() - 1);
                self.deck_draws += 1;
                self.deliver(&deck.cards[card], now, s);
                if self.deck_draws < deck.max_draws {
                    let wait = deck.draw_every.sample(self.streams.deck());
                    s.after(wait, Event::CardDrawn);
                }
            }
            Event::MessageAnswered {
                role,
                load,
                misleads,
            } => {
                let state = &mut self.roles[role as usize];
                state.open_items = state.open_items.saturating_sub(load as u32);
                state.misleading_open = state.misleading_open.saturating_sub(misleads as u32);
            }
            Event::UpdateDue(role) => {
                if self.resolved {
                    self.roles[role as usize].updating = false;
                    return;
                }
                // Updates are due on a fixed cadence from the role's first acknowledgement;
                // each takes the role's writing time after it falls due. A person is reminded
                // and writes it through the drill.
                if self.human[role as usize] {
                    self.note_to(now, &[role as usize], || {
                        format!(
                            "status update due from {}",
                            scenario.roles[role as usize].id
                        )
                    });
                } else {
                    let latency = self.communicate_latency(role as usize);
                    s.after(latency, Event::UpdateSent(role));
                }
                if let Some(every) = scenario.roles[role as usize].update_every {
                    s.after(every, Event::UpdateDue(role));
                }
            }
            Event::UpdateSent(role) => {
                self.updates += 1;
                self.first_update.get_or_insert(now);
                self.note_to(now, &[role as usize], || {
                    format!("status update from {}", scenario.roles[role as usize].id)
                });
            }
            Event::TimeBoxEnds(i) => {
                let counts = self.settle_records(now);
                self.objective_counts[i as usize] = Some(self.snapshot(counts));
            }
            Event::CommsDue { cadence, incident } => {
                self.comms_due(cadence as usize, incident as usize, now, s);
            }
            Event::CommsSent(role) => self.comms_sent(role as usize, now, s),
            Event::ModuleStarts(m) => {
                let m = m as usize;
                if self.modules_started[m].is_none() {
                    self.modules_started[m] = Some(now);
                    self.note(now, || {
                        format!("module starts: {}", scenario.modules[m].title)
                    });
                }
            }
        }
    }
}

/// Minutes from a fault's onset (at `now`) until a detector's signal about it, or `None` if the
/// detector misses it. Reconciliations check on their cadence; each check misses with the
/// detector's miss chance.
fn signal_delay(kind: &DetectorKind, miss: f64, now: Time, rng: &mut Stream) -> Option<Time> {
    match kind {
        DetectorKind::Monitor { latency, .. } => {
            (rng.random::<f64>() >= miss).then(|| latency.sample(rng))
        }
        DetectorKind::UserReport { delay } => {
            (rng.random::<f64>() >= miss).then(|| delay.sample(rng))
        }
        DetectorKind::Reconciliation { every, offset } => {
            let checks_before = ((now - offset) / every).floor().max(-1.0);
            let mut check = offset + (checks_before + 1.0) * every;
            while check <= now {
                check += every;
            }
            // Compile rejects miss = 1, so this ends; the cap guards against a miss of
            // 0.99999 turning into a very long loop.
            let mut tries = 0;
            while rng.random::<f64>() < miss && tries < 100_000 {
                check += every;
                tries += 1;
            }
            Some(check - now)
        }
    }
}

/// Runs one replication of `scenario` and scores it.
pub fn simulate(scenario: &Scenario, keys: &StreamKeys, run: u64, max_events: u64) -> RunOutcome {
    simulate_with(scenario, keys, run, max_events, false).0
}

/// Runs one replication and returns its trace too: the same run as in a batch (tracing draws
/// nothing), with notes and spans for replays and timelines.
pub fn trace_run(scenario: &Scenario, seed: u64, run: u64) -> (RunOutcome, Trace) {
    let keys = StreamKeys::new(scenario, seed);
    let (outcome, trace) = simulate_with(scenario, &keys, run, DEFAULT_MAX_EVENTS, true);
    (outcome, trace.unwrap_or_default())
}

fn simulate_with(
    scenario: &Scenario,
    keys: &StreamKeys,
    run: u64,
    max_events: u64,
    traced: bool,
) -> (RunOutcome, Option<Trace>) {
    let mut initial = Vec::with_capacity(scenario.faults.len() + scenario.injects.len());
    let mut world = World::start(scenario, keys, run, &mut |t, e| initial.push((t, e)));
    if traced {
        world.record_trace();
    }
    let mut engine = engine::Engine::new(
        world,
        engine::Limits {
            horizon: scenario.meta.horizon,
            max_events,
        },
    );
    for (t, e) in initial {
        engine.schedule(t, e);
    }
    let stop = engine.run();
    let events = engine.processed();
    let mut world = engine.into_model();
    let mut trace = world.trace.take();
    if let Some(trace) = &mut trace {
        trace.close_all(scenario.meta.horizon);
    }
    let outcome = world.finish(events, stop == engine::Stop::EventCap);
    (outcome, trace.map(|t| *t))
}

/// Default cap on events per run: far above any sane scenario, low enough to stop a runaway.
pub const DEFAULT_MAX_EVENTS: u64 = 1_000_000;
