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
//!
//! This file holds the world's state, what several concerns share (latencies, milestones)
//! and `World::apply`, which only dispatches each event to its handler. The handlers live
//! with their concern: `detection` (faults, flows, signals), `response` (paging,
//! acknowledgement, severity, breaches), `runbook` (diagnoses and actions), `comms` (status
//! updates and the `[comms]` cadence), `exercise` (injects, cards, time boxes, modules) and
//! [`human`] (people's decisions; [`view`] is what they see). `run` sets runs up and scores
//! them ([`start_run`], [`simulate`]); `phase`, [`outcome`] and [`trace`] account for, score
//! and record them; `streams` and `event` are the plumbing. Nothing here prints or reads
//! files.

mod comms;
mod detection;
mod event;
mod exercise;
pub mod human;
pub mod intake;
pub mod ledger;
pub mod outcome;
mod phase;
mod response;
mod run;
mod runbook;
mod sets;
mod streams;
pub mod trace;
pub mod view;

pub use event::Event;
pub use human::{Decision, HOT_WASH, Refusal, RefusalKind, WRONG_DIAGNOSIS, role_index};
pub use ledger::{FlowCondition, Ledger, RecordCounts};
pub use phase::{Phase, PhaseMinutes};
pub use run::{DEFAULT_MAX_EVENTS, RunSetup, Worker, finish_run, simulate, start_run, trace_run};
pub use streams::StreamKeys;
pub use trace::{Involved, Note, Reached, Span, SpanKey, Step, Trace};
pub use view::{
    ActionOption, CauseOption, FormField, IncidentView, OpenStep, RoleView, UpdateForm,
};

use crate::engine::{self, Scheduler, Time};
use crate::scenario::{InjectTime, InjectTrigger, Milestone, Scenario};
use comms::CommsState;
use outcome::CountSnapshot;
use runbook::{ActionState, ApprovalClock};
use sets::Sets;
use streams::Streams;

/// A fault's progress in a run.
#[derive(Debug, Clone, Default)]
struct FaultState {
    onset: Option<Time>,
    detected: bool,
    contained: bool,
    recovered: bool,
    /// The role diagnosing it, while a diagnosis is under way.
    diagnosing: Option<usize>,
}

/// A role's load and engagement in a run.
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

/// An incident's severity and milestones in a run.
#[derive(Debug, Clone, Default)]
struct IncidentState {
    /// Whether any fault of the incident begins before the horizon.
    planned: bool,
    severity: usize,
    /// Scenario time each milestone was reached ([`Milestone`] order).
    milestones: [Option<Time>; 5],
    /// The detector whose signal about it came last: what a page for it shows.
    symptom: Option<usize>,
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
    /// Per system: turned off by its platform (auto-off) until a recovery turns it on.
    flow_off: Vec<bool>,
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
    /// What the incident waits on now, as [`World::current_phase`] last worked it out;
    /// `None` once anything that answer reads has changed (see [`World::phase_changes`]).
    phase_now: Option<Option<(Phase, Option<usize>)>>,
    trace: Option<Box<Trace>>,
    /// Roles played by people in a live drill: the model neither acknowledges, diagnoses,
    /// decides, approves nor writes for them; their decisions come in through
    /// [`World::decide`]. All `false` in simulated runs.
    human: Vec<bool>,
    /// Scripted injects the facilitator fired early: their scheduled arrival is skipped.
    fired: Vec<bool>,
    /// When each scripted inject reached its recipient (`None`: not delivered); tracking
    /// only, so it moves nothing in a run.
    inject_delivered: Vec<Option<Time>>,
    /// Injects that follow a decision and have been set off: each is set off once per run.
    inject_set_off: Vec<bool>,
    /// Attempts a person has made of each action (they retry by hand).
    human_attempts: Vec<u32>,
    /// The `[comms]` templates and cadence; `None` when the scenario has no templates.
    comms: Option<Box<CommsState>>,
    /// States by set, so the planner and the phase accounting need not scan.
    sets: Sets,
    /// When each exercise module started (`None`: not yet).
    modules_started: Vec<Option<Time>>,
    /// Whether each module's start time or milestone has come (it may wait for the one
    /// before it).
    modules_due: Vec<bool>,
    /// A list of faults a handler fills and empties within one event, kept to reuse its
    /// allocation.
    scratch: Vec<usize>,
}

fn slot(m: Milestone) -> usize {
    m as usize
}

fn bit(incident: usize) -> u64 {
    1 << incident
}

impl<'s> World<'s> {
    /// Sets up run `run` and hands its opening events (fault onsets, timed injects and
    /// modules) to `schedule`. Only [`start_run`] and [`Worker`] call it: a run is set up in
    /// one place.
    fn start(
        scenario: &'s Scenario,
        keys: &'s StreamKeys,
        run: u64,
        schedule: &mut impl FnMut(Time, Event),
    ) -> Self {
        let mut world = World::blank(scenario, keys);
        world.reset(run, schedule);
        world
    }

    /// A world sized for `scenario` whose state [`World::reset`] sets: every allocation a
    /// run needs up front, made once per worker.
    fn blank(scenario: &'s Scenario, keys: &'s StreamKeys) -> Self {
        World {
            scenario,
            run: 0,
            streams: keys.streams(0),
            faults: vec![FaultState::default(); scenario.faults.len()],
            planned: vec![false; scenario.faults.len()],
            incidents: vec![IncidentState::default(); scenario.incidents.len()],
            ledgers: vec![None; scenario.systems.len()],
            flow_off: vec![false; scenario.systems.len()],
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
            phase_now: None,
            trace: None,
            human: vec![false; scenario.roles.len()],
            fired: vec![false; scenario.injects.len()],
            inject_delivered: vec![None; scenario.injects.len()],
            inject_set_off: vec![false; scenario.injects.len()],
            human_attempts: vec![0; scenario.actions.len()],
            sets: Sets::new(scenario),
            modules_started: vec![None; scenario.modules.len()],
            modules_due: vec![false; scenario.modules.len()],
            comms: CommsState::new(scenario),
            scratch: Vec::with_capacity(scenario.faults.len()),
        }
    }

    /// Sets every state back to the start of run `run`, in place (keeping every
    /// allocation), draws the fault onsets and hands the opening events to `schedule`. Every
    /// field a run changes is set here, so a reused world runs exactly as a new one.
    fn reset(&mut self, run: u64, schedule: &mut impl FnMut(Time, Event)) {
        let scenario = self.scenario;
        let horizon = scenario.meta.horizon;
        self.run = run;
        self.streams.reset(run);
        self.faults.fill(FaultState::default());
        self.planned.fill(false);
        self.incidents.fill(IncidentState::default());
        self.flow_off.fill(false);
        self.roles.fill(RoleState::default());
        self.actions.fill(ActionState::Idle);
        self.succeeded.fill(false);
        self.approvals.fill(ApprovalClock::default());
        self.cause_diagnosed.fill(false);
        self.cause_revealed.fill(false);
        self.first_reached = [None; 5];
        self.resolved = false;
        self.deck_draws = 0;
        self.targets_breached = 0;
        self.escalations = 0;
        self.wrong_diagnoses = 0;
        self.failed_attempts = 0;
        self.injects = 0;
        self.updates = 0;
        self.first_update = None;
        self.objective_counts.fill(None);
        self.phase_minutes = [0.0; 8];
        self.role_minutes.fill(0.0);
        self.accounted_to = None;
        self.phase_now = None;
        self.trace = None;
        self.human.fill(false);
        self.fired.fill(false);
        self.inject_delivered.fill(None);
        self.inject_set_off.fill(false);
        self.human_attempts.fill(0);
        self.sets.reset();
        self.modules_started.fill(None);
        self.modules_due.fill(false);
        if let Some(comms) = &mut self.comms {
            comms.reset();
        }
        for (i, fault) in scenario.faults.iter().enumerate() {
            let onset = fault.onset.sample(self.streams.fault(i));
            if onset < horizon {
                self.planned[i] = true;
                self.incidents[fault.incident].planned = true;
                schedule(onset, Event::FaultOnset(i as u16));
            }
            let flow = &scenario.systems[fault.flow];
            let fresh = match &flow.platform {
                Some(platform) => Ledger::for_platform(
                    flow.records_per_minute,
                    platform.last_retry(),
                    flow.retry_retention,
                    flow.hold_retention,
                ),
                None => Ledger::new(
                    flow.records_per_minute,
                    flow.retry_retention,
                    flow.hold_retention,
                ),
            };
            match &mut self.ledgers[fault.flow] {
                Some(ledger) => ledger.reset_to(fresh),
                slot @ None => {
                    // The pick-up schedule depends on the flow alone: built once per
                    // worker, kept by `reset_to` across runs.
                    *slot = Some(match &flow.platform {
                        Some(platform) if platform.intake.shapes_arrivals() => {
                            fresh.with_intake(intake::Schedule::new(
                                &platform.intake,
                                flow.records_per_minute,
                                horizon,
                            ))
                        }
                        _ => fresh,
                    })
                }
            }
        }
        for (i, inject) in scenario.injects.iter().enumerate() {
            if let InjectTrigger::Time(InjectTime::At(t)) = inject.at {
                schedule(t, Event::InjectArrives(i as u16));
            }
        }
        for (i, module) in scenario.modules.iter().enumerate() {
            if let InjectTime::At(t) = module.starts {
                schedule(t, Event::ModuleStarts(i as u16));
            }
        }
    }

    /// Whether every incident that begins before the horizon has recovered.
    pub fn resolved(&self) -> bool {
        self.resolved
    }

    /// When each scripted inject was delivered (`None`: not, or not yet), in scenario order.
    pub fn injects_delivered(&self) -> &[Option<Time>] {
        &self.inject_delivered
    }

    /// When each exercise module started (`None`: not yet), in scenario order.
    pub fn modules_started(&self) -> &[Option<Time>] {
        &self.modules_started
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
        self.phase_changes();
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
            if let InjectTrigger::Time(InjectTime::After(after, delay)) = inject.at
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

    /// Whether every fault of `incident` that begins before the horizon is contained, and
    /// whether every one is recovered; `None` while one of them has not begun.
    fn resolution(&self, incident: usize) -> Option<(bool, bool)> {
        let (mut contained, mut recovered) = (true, true);
        for &i in &self.scenario.links.faults_of_incident[incident] {
            if !self.planned[i] {
                continue;
            }
            let st = &self.faults[i];
            st.onset?;
            contained &= st.contained || st.recovered;
            recovered &= st.recovered;
        }
        Some((contained, recovered))
    }

    /// An incident is contained / recovered when every fault of it that begins before the
    /// horizon has begun and is contained / recovered.
    fn check_resolution(&mut self, incident: usize, now: Time, s: &mut Scheduler<Event>) {
        let Some((contained, recovered)) = self.resolution(incident) else {
            return;
        };
        if contained {
            self.reach(incident, Milestone::Contained, now, s);
        }
        if recovered {
            self.reach(incident, Milestone::Recovered, now, s);
            let resolved = self
                .incidents
                .iter()
                .all(|i| !i.planned || i.milestones[slot(Milestone::Recovered)].is_some());
            if resolved != self.resolved {
                self.resolved = resolved;
                self.phase_changes();
            }
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

impl World<'_> {
    /// Carries out one event: the behaviour rules of `docs/model.md`, one handler per event
    /// in the file of its concern. Inlined into `handle`, its one caller: the call cost a
    /// twentieth of a small event.
    #[inline(always)]
    fn apply(&mut self, now: Time, event: Event, s: &mut Scheduler<Event>) {
        self.account(now);
        match event {
            Event::FaultOnset(f) => self.on_fault_onset(f as usize, now, s),
            Event::FaultHeals(f) => self.on_fault_heals(f as usize, now, s),
            Event::AutoOff(f) => self.on_auto_off(f as usize, now, s),
            Event::Signal { detector, fault } => {
                self.on_signal(detector as usize, fault as usize, now, s)
            }
            Event::Acknowledge { role, incident } => {
                self.on_acknowledge(role as usize, incident as usize, now, s)
            }
            Event::AcknowledgeDeadline { incident, level } => {
                self.on_acknowledge_deadline(incident as usize, level as usize, now, s)
            }
            Event::RestoreDeadline { incident, level } => {
                self.on_restore_deadline(incident as usize, level as usize, now, s)
            }
            Event::DiagnosisDone { fault, role } => {
                self.on_diagnosis_done(fault as usize, role as usize, now, s)
            }
            Event::ActionDecided(a) => self.on_action_decided(a as usize, now, s),
            Event::ActionApproved(a) => self.on_action_approved(a as usize, now, s),
            Event::ActionDone(a) => self.on_action_done(a as usize, now, s),
            Event::InjectArrives(i) => self.on_inject_arrives(i as usize, now, s),
            Event::CardDrawn => self.on_card_drawn(now, s),
            Event::MessageAnswered {
                role,
                load,
                misleads,
            } => self.on_message_answered(role as usize, load, misleads),
            Event::UpdateDue(role) => self.on_update_due(role as usize, now, s),
            Event::UpdateSent(role) => self.on_update_sent(role as usize, now, s),
            Event::TimeBoxEnds(i) => self.on_time_box_ends(i as usize, now),
            Event::CommsDue { cadence, incident } => {
                self.comms_due(cadence as usize, incident as usize, now, s)
            }
            Event::CommsSent(role) => self.comms_sent(role as usize, now, s),
            Event::ModuleStarts(m) => self.on_module_starts(m as usize, now),
        }
    }
}
