//! Where the time goes: the [`Phase`] an incident is waiting on at each moment, and the
//! minutes a run spends in each ([`PhaseMinutes`]) and on whom. Accounting only reads the
//! world's state; it draws nothing and changes nothing the run depends on.

use super::{World, bit, slot};
use crate::engine::Time;
use crate::scenario::{ActionEffect, Milestone};

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

impl World<'_> {
    /// Forgets the phase worked out last: every change to what [`World::current_phase`] reads
    /// (an action's or a fault's state, a diagnosis, a page or acknowledgement, a milestone,
    /// the run's resolution) calls this, so [`World::account`] works the phase out again only
    /// after such a change, not after every event (deadlines, injects, updates and messages
    /// change none of it).
    #[inline]
    pub(super) fn phase_changes(&mut self) {
        self.phase_now = None;
    }

    /// What the incident waits on now, and on whom: the most advanced activity under way
    /// wins (recovery over containment over diagnosis ...).
    /// `None` while no incident is active (between two incidents): that time is nobody's.
    // Inlined into `account`, its one caller: returned through memory, its answer was
    // written in pieces and read back whole, which stalled on store forwarding.
    #[inline(always)]
    pub(super) fn current_phase(&self) -> Option<(Phase, Option<usize>)> {
        // Every "first" below is the lowest index, as a scan in scenario order finds it; the
        // sets answer without the scan (see `sets`).
        let actions = &self.scenario.actions;
        let sets = &self.sets;
        if self.resolved {
            return Some((
                Phase::Verification,
                sets.first_running(ActionEffect::RestoreData)
                    .map(|a| actions[a].by),
            ));
        }
        let working = sets.any_working();
        if !sets.any_active() && !working {
            return None;
        }
        // Running, deciding and awaiting actions are all under way: with none under way
        // (most events) their sets need no look.
        if working {
            for (effect, phase) in [
                (ActionEffect::Recover, Phase::Recovery),
                (ActionEffect::Contain, Phase::Containment),
                (ActionEffect::RestoreData, Phase::Verification),
            ] {
                if let Some(a) = sets.first_running(effect) {
                    return Some((phase, Some(actions[a].by)));
                }
            }
        }
        if let Some(f) = sets.first_diagnosing() {
            return Some((Phase::Diagnosis, self.faults[f].diagnosing));
        }
        if working {
            if let Some(a) = sets.first_deciding() {
                return Some((Phase::Diagnosis, Some(actions[a].by)));
            }
            if let Some(a) = sets.first_awaiting() {
                return Some((Phase::EscalationWait, actions[a].approver));
            }
        }
        let unacknowledged = |r: usize| self.roles[r].paged & !self.roles[r].acknowledged;
        for (i, incident) in self.incidents.iter().enumerate() {
            let reached = |m: Milestone| incident.milestones[slot(m)].is_some();
            if reached(Milestone::Detected) && !reached(Milestone::Acknowledged) {
                let paged = sets
                    .unacknowledged()
                    .find(|&r| unacknowledged(r) & bit(i) != 0);
                return Some((Phase::Acknowledgement, paged));
            }
        }
        if sets.any_undetected() {
            return Some((Phase::Detection, None));
        }
        if let Some(role) = sets.unacknowledged().next() {
            return Some((Phase::EscalationWait, Some(role)));
        }
        Some((Phase::Stalled, None))
    }

    /// Adds the time since the last event to the phase (and role) the incident waited on.
    #[inline(always)]
    pub(super) fn account(&mut self, now: Time) {
        let Some(from) = self.accounted_to else {
            return;
        };
        let waited = now - from;
        // No time passed (events at the same minute): nothing to add, so the phase (a pure
        // read of the state) need not be worked out.
        if waited <= 0.0 {
            self.accounted_to = Some(now);
            return;
        }
        let now_waiting = match self.phase_now {
            Some(known) => {
                debug_assert_eq!(known, self.current_phase(), "a change missed phase_changes");
                known
            }
            None => {
                // Kept and used from the register, not read back from `phase_now`: a read
                // of the just-stored value stalled on store forwarding.
                let worked_out = self.current_phase();
                self.phase_now = Some(worked_out);
                worked_out
            }
        };
        let Some((phase, role)) = now_waiting else {
            self.accounted_to = Some(now);
            return;
        };
        if waited > 0.0 && (!self.resolved || role.is_some()) {
            self.phase_minutes[phase as usize] += waited;
            if let Some(role) = role {
                self.role_minutes[role] += waited;
            }
        }
        self.accounted_to = Some(now);
    }
}
