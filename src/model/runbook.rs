//! The runbook in a run: diagnoses, and each action's way from idle through its
//! preconditions, the decision to run it, approval, attempts and the effect of success on
//! faults and flows. `plan` hands the next task to every free role after each change. Only
//! the acting role's and the action's own streams are drawn from, so one action's attempts
//! never move another's.

use rand::RngExt;

use super::outcome::ApprovalRun;
use super::sets::Visit;
use super::trace::SpanKey;
use super::{Event, Phase, World, bit, slot};
use crate::engine::{Scheduler, Time};
use crate::scenario::{ActionEffect, DecisionKind, Milestone};

/// Progress of one runbook action in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ActionState {
    Idle,
    Deciding,
    AwaitingApproval,
    Ready,
    Running { attempt: u32 },
    Done,
    GaveUp,
}

impl ActionState {
    /// The state's name as a role's page shows it: `idle`, `awaiting_approval`, ...
    pub(super) fn name(self) -> &'static str {
        match self {
            ActionState::Idle => "idle",
            ActionState::Deciding => "deciding",
            ActionState::AwaitingApproval => "awaiting_approval",
            ActionState::Ready => "ready",
            ActionState::Running { .. } => "running",
            ActionState::Done => "done",
            ActionState::GaveUp => "gave_up",
        }
    }
}

/// When an action's first approval request was asked and approved: what approval waits are
/// measured from (no draws, so tracking it moves nothing else in a run).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ApprovalClock {
    pub(super) asked: Option<Time>,
    pub(super) granted: Option<Time>,
}

impl ApprovalClock {
    /// Writes the wait of the first request of `action` into `out`, censored at `end` if it
    /// was never approved; the name is copied into `out`'s own storage.
    pub(super) fn outcome_into(self, action: &str, end: Time, out: &mut ApprovalRun) {
        out.action.clear();
        out.action.push_str(action);
        out.waited = self.asked.map(|asked| self.granted.unwrap_or(end) - asked);
        out.granted = self.granted.is_some();
    }
}

impl World<'_> {
    /// A role finishes a diagnosis: right (the cause is known) or wrong (it tries again).
    pub(super) fn on_diagnosis_done(
        &mut self,
        f: usize,
        role: usize,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
        let scenario = self.scenario;
        let cause = scenario.faults[f].cause;
        let wrong_chance = if self.cause_revealed[cause] {
            0.0
        } else {
            (scenario.roles[role].wrong_diagnosis + 0.1 * self.roles[role].misleading_open as f64)
                .min(0.95)
        };
        if self.streams.role(role).random::<f64>() < wrong_chance {
            // Chasing the wrong cause costs another decision's time before a retry.
            self.wrong_diagnoses += 1;
            // Which wrong cause only shows in the record, so only a traced run names one.
            let named = match self.trace {
                Some(_) => self.wrong_cause(f),
                None => None,
            };
            let (roles, faults, causes) = (&scenario.roles, &scenario.faults, &scenario.causes);
            let suspected = named.map_or(String::new(), |c| format!(": suspects {}", causes[c].id));
            self.span_close(SpanKey::Diagnose(f), now, || {
                Some(format!("diagnoses {} (wrong{suspected})", faults[f].id))
            });
            self.span_open(
                SpanKey::Diagnose(f),
                || roles[role].id.clone(),
                || format!("rediagnoses {}", faults[f].id),
                Phase::Diagnosis,
                now,
            );
            self.note_to(now, &[role], || {
                format!("wrong diagnosis by {}{suspected}", scenario.roles[role].id)
            });
            let latency = self.decide_latency(role);
            s.after(
                latency,
                Event::DiagnosisDone {
                    fault: f as u16,
                    role: role as u16,
                },
            );
            return;
        }
        self.mark_cause_diagnosed(cause);
        self.span_close(SpanKey::Diagnose(f), now, || None);
        self.set_diagnosing(f, None);
        self.roles[role].busy = false;
        self.roles[role].open_items = self.roles[role].open_items.saturating_sub(1);
        self.note_to(now, &[role], || {
            format!(
                "diagnosed: {} ({})",
                scenario.faults[f].id, scenario.causes[cause].id
            )
        });
        self.plan(now, s);
    }

    /// The cause a wrong diagnosis of fault `f` names: one of the scenario's decoys, drawn
    /// from the fault's diagnosis stream; without decoys, another fault's cause; `None` if
    /// there is no other cause to name.
    fn wrong_cause(&mut self, f: usize) -> Option<usize> {
        let causes = &self.scenario.causes;
        let real = self.scenario.faults[f].cause;
        // The options are the decoys, or without any every other cause; counted and then
        // walked rather than collected, so a wrong diagnosis allocates nothing.
        let any_decoy = causes.iter().any(|c| !c.real);
        let option = |c: &usize| {
            if any_decoy {
                !causes[*c].real
            } else {
                *c != real
            }
        };
        let count = (0..causes.len()).filter(option).count();
        if count == 0 {
            return None;
        }
        let draw: f64 = self.streams.diagnosis(f).random();
        (0..causes.len())
            .filter(option)
            .nth(((draw * count as f64) as usize).min(count - 1))
    }

    /// A role has decided to run an action: it asks for approval or gets ready to run it.
    pub(super) fn on_action_decided(&mut self, a: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
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
                self.set_action(a, ActionState::AwaitingApproval);
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
                        scenario.links.faults_on[action.target]
                            .iter()
                            .copied()
                            .find(|&f| self.faults[f].detected)
                    });
                    if let Some(f) = incident {
                        self.page(approver, scenario.faults[f].incident, now, s);
                    }
                }
            }
            _ => self.set_action(a, ActionState::Ready),
        }
        self.plan(now, s);
    }

    /// The approver approved an action.
    pub(super) fn on_action_approved(&mut self, a: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        // Approved already, by a person acting for the approver.
        if self.actions[a] != ActionState::AwaitingApproval {
            return;
        }
        if let Some(approver) = scenario.actions[a].approver {
            self.roles[approver].open_items = self.roles[approver].open_items.saturating_sub(1);
        }
        let (by, approver) = (scenario.actions[a].by, scenario.actions[a].approver);
        let audience = match approver {
            Some(approver) => &[by, approver][..],
            None => &[by][..],
        };
        self.note_to(now, audience, || {
            format!("approved: {}", scenario.actions[a].id)
        });
        self.span_close(SpanKey::Approve(a), now, || None);
        self.set_action(a, ActionState::Ready);
        self.approvals[a].granted.get_or_insert(now);
        let approver = scenario.actions[a].approver;
        self.decided(DecisionKind::Approved, approver, Some(a), None, now, s);
        self.plan(now, s);
    }

    /// One attempt of an action ends: it succeeded, or it failed and may be retried.
    pub(super) fn on_action_done(&mut self, a: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
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
            self.set_action(a, ActionState::Done);
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
                self.set_action(a, ActionState::Idle);
            } else if attempt < action.attempts {
                self.run_action(a, attempt + 1, now, s);
            } else {
                self.set_action(a, ActionState::GaveUp);
            }
        }
        self.plan(now, s);
    }

    /// A fault the team knows of and works on: detected, its incident acknowledged, and not
    /// recovered.
    pub(super) fn workable(&self, f: usize) -> bool {
        let st = &self.faults[f];
        let incident = &self.incidents[self.scenario.faults[f].incident];
        st.detected && !st.recovered && incident.milestones[slot(Milestone::Acknowledged)].is_some()
    }

    /// The first fault an action would help with now, if any.
    pub(super) fn action_target(&self, a: usize) -> Option<usize> {
        let action = &self.scenario.actions[a];
        let faults = &self.scenario.faults;
        let on_flow = || self.scenario.links.faults_on[action.target].iter().copied();
        let relevant = |f: &usize| {
            action
                .requires_diagnosis
                .is_none_or(|c| c == faults[*f].cause)
        };
        match action.effect {
            ActionEffect::Contain => on_flow()
                .filter(relevant)
                .find(|&f| self.workable(f) && !self.faults[f].contained),
            ActionEffect::Recover => on_flow().filter(relevant).find(|&f| self.workable(f)),
            ActionEffect::RestoreData => {
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

    pub(super) fn preconditions_met(&self, a: usize) -> bool {
        let action = &self.scenario.actions[a];
        action
            .requires_diagnosis
            .is_none_or(|c| self.cause_diagnosed[c])
            && action.after.iter().all(|&b| self.succeeded[b])
    }

    /// Whether `role` can take a task for `incident` now; pages it (a hand-off) if it has not
    /// acknowledged that incident yet.
    pub(super) fn available(
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
    pub(super) fn plan(&mut self, now: Time, s: &mut Scheduler<Event>) {
        // Every task needs a fault the team works on, and that needs an acknowledged incident.
        if self.first_reached[slot(Milestone::Acknowledged)].is_none() {
            return;
        }
        // Only the actions that could do something now, in runbook order (see `sets`); a
        // small runbook is walked whole, which costs less than choosing what to visit.
        let walk_whole = !self.sets.pick_actions;
        let visits = if walk_whole {
            self.scenario.actions.len()
        } else {
            self.actions_to_visit();
            self.sets.visit.len()
        };
        // By index: a visit changes no list of visits (planning never plans again inside).
        for i in 0..visits {
            let Visit { action: a, target } = if walk_whole {
                Visit {
                    action: i,
                    target: None,
                }
            } else {
                self.sets.visit[i]
            };
            debug_assert!(target.is_none_or(|t| t == self.action_target(a)));
            let target = || target.unwrap_or_else(|| self.action_target(a));
            let role = self.scenario.actions[a].by;
            match self.actions[a] {
                ActionState::Ready if !self.roles[role].busy => {
                    if target().is_some() {
                        // People retry by hand, so their attempts are counted across runs.
                        let attempt = if self.human[role] {
                            self.human_attempts[a].max(1)
                        } else {
                            1
                        };
                        self.run_action(a, attempt, now, s);
                    } else {
                        self.set_action(a, ActionState::Idle);
                    }
                }
                // A succeeded action runs again when a fault needs it anew (another
                // incident's fault on the same flow, detected later).
                ActionState::Idle | ActionState::Done
                    if !self.human[role] && self.preconditions_met(a) =>
                {
                    let Some(f) = target() else {
                        continue;
                    };
                    if self.available(role, self.scenario.faults[f].incident, now, s) {
                        self.roles[role].busy = true;
                        self.set_action(a, ActionState::Deciding);
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
        // Only detected, unrecovered faults with an undiagnosed cause can need a diagnosis,
        // and only those whose diagnoser could take them or be paged (see `sets`).
        let walk_whole = !self.sets.pick_faults;
        let visits = if walk_whole {
            self.scenario.faults.len()
        } else {
            self.diagnoses_to_visit();
            self.sets.visit_faults.len()
        };
        for i in 0..visits {
            let f = if walk_whole {
                i
            } else {
                self.sets.visit_faults[i]
            };
            let fault = &self.scenario.faults[f];
            if !self.workable(f)
                || self.faults[f].diagnosing.is_some()
                || self.cause_diagnosed[fault.cause]
            {
                continue;
            }
            // The diagnosis is made by whoever owns the first action that needs it.
            let Some(role) = self.scenario.links.diagnoser[f] else {
                continue;
            };
            if self.human[role] {
                continue;
            }
            if self.available(role, fault.incident, now, s) {
                self.roles[role].busy = true;
                self.roles[role].open_items += 1;
                self.set_diagnosing(f, Some(role));
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

    pub(super) fn run_action(
        &mut self,
        a: usize,
        attempt: u32,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
        let action = &self.scenario.actions[a];
        self.roles[action.by].busy = true;
        self.set_action(a, ActionState::Running { attempt });
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

    pub(super) fn apply_action(&mut self, a: usize, now: Time, s: &mut Scheduler<Event>) {
        let action = &self.scenario.actions[a];
        let target = action.target;
        let faults = &self.scenario.faults;
        let on_flow = &self.scenario.links.faults_on[target];
        // The run's scratch list, taken and put back: no allocation per action.
        let mut affected = std::mem::take(&mut self.scratch);
        affected.clear();
        affected.extend(on_flow.iter().copied().filter(|&f| {
            // Only faults the team knows of: fixing a flow does not resolve an incident
            // nobody has detected yet (its fault stays active and shows up later).
            self.faults[f].detected
                && !self.faults[f].recovered
                && action
                    .requires_diagnosis
                    .is_none_or(|c| c == faults[f].cause)
        }));
        match action.effect {
            ActionEffect::Contain => {
                for &f in &affected {
                    self.mark_contained(f);
                }
                self.refresh_flow(target, now, Some(true));
            }
            ActionEffect::Recover => {
                for &f in &affected {
                    self.mark_recovered(f);
                }
                // Once every known fault of the flow is fixed, the team resumes it; a fault
                // nobody detected yet goes on hurting it.
                let known_left = on_flow
                    .iter()
                    .any(|&f| self.faults[f].detected && !self.faults[f].recovered);
                // Recovering a flow the platform turned off includes turning it back on.
                if !known_left {
                    self.flow_off[target] = false;
                }
                self.refresh_flow(target, now, (!known_left).then_some(false));
            }
            ActionEffect::RestoreData => {
                if let Some(ledger) = self.ledgers[target].as_mut() {
                    ledger.restore(now, action.backfill);
                }
            }
        }
        for &f in &affected {
            self.check_resolution(faults[f].incident, now, s);
        }
        self.scratch = affected;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RunSetup, StreamKeys, finish_run, start_run};
    use crate::engine::Stop;

    /// Every bundled and benchmark scenario, each run planned both ways: walking the whole
    /// runbook and every fault, and visiting only what the sets pick. The traces (every note,
    /// span and step) and outcomes must be the same.
    #[test]
    fn walking_everything_and_visiting_the_sets_picks_plan_the_same_runs() {
        let mut paths: Vec<_> = ["scenarios", "benches/fixtures"]
            .iter()
            .flat_map(|dir| std::fs::read_dir(dir).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut compared = 0;
        for path in &paths {
            let loaded = crate::scenario::load(path).unwrap();
            let scenario = &loaded.scenario;
            let keys = StreamKeys::new(scenario, 9);
            let setup = RunSetup {
                max_events: 20_000,
                traced: true,
                humans: &[],
            };
            let runs = if scenario.faults.len() > 20 { 3 } else { 40 };
            for run in 0..runs {
                let outcomes: Vec<_> = [false, true]
                    .into_iter()
                    .map(|flip| {
                        let mut engine = start_run(scenario, &keys, run, &setup);
                        let world = engine.model_mut();
                        world.sets.pick_actions ^= flip;
                        world.sets.pick_faults ^= flip;
                        let stop = engine.run();
                        finish_run(engine, scenario.meta.horizon, stop == Stop::EventCap)
                    })
                    .collect();
                assert_eq!(outcomes[0], outcomes[1], "{} run {run}", path.display());
                compared += 1;
            }
        }
        assert!(compared > 500, "only {compared} runs compared");
    }
}
