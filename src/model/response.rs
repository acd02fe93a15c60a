//! The response to an incident: paging, acknowledgement, severity levels with their
//! acknowledge and restore targets, breaches of those targets and the escalation they trigger.
//! It hands out no work itself: after each change, `runbook`'s `plan` decides who does what.

use super::detection::symptom as symptom_of;
use super::runbook::ActionState;
use super::trace::SpanKey;
use super::{Event, Phase, World, bit, slot};
use crate::engine::{Scheduler, Time};
use crate::scenario::{DecisionKind, Milestone, RoleKind};

impl World<'_> {
    /// A paged role acknowledges an incident: it starts its status updates and pending work.
    pub(super) fn on_acknowledge(
        &mut self,
        role: usize,
        incident: usize,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
        let scenario = self.scenario;
        // A person (or the facilitator for them) may have acknowledged first.
        if self.roles[role].acknowledged & bit(incident) != 0 {
            return;
        }
        let first_engagement = !self.roles[role].engaged();
        self.roles[role].acknowledged |= bit(incident);
        self.repage(role);
        self.span_close(SpanKey::Page(role, incident), now, || None);
        self.note_to(now, &[role], || {
            format!(
                "acknowledged: {} ({})",
                scenario.roles[role].id, scenario.incidents[incident]
            )
        });
        self.reach(incident, Milestone::Acknowledged, now, s);
        self.decided(DecisionKind::Acknowledged, Some(role), None, None, now, s);
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

    /// The acknowledge target of an incident's severity level falls due.
    pub(super) fn on_acknowledge_deadline(
        &mut self,
        incident: usize,
        level: usize,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
        let scenario = self.scenario;
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

    /// The restore target of an incident's severity level falls due.
    pub(super) fn on_restore_deadline(
        &mut self,
        incident: usize,
        level: usize,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
        let scenario = self.scenario;
        let state = &self.incidents[incident];
        if state.severity == level && state.milestones[slot(Milestone::Recovered)].is_none() {
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

    pub(super) fn page(
        &mut self,
        role: usize,
        incident: usize,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
        if self.roles[role].paged & bit(incident) != 0
            || self.scenario.roles[role].kind == RoleKind::Stakeholder
        {
            return;
        }
        self.roles[role].paged |= bit(incident);
        self.repage(role);
        let latency = self.acknowledge_latency(role, now);
        let (roles, incidents) = (&self.scenario.roles, &self.scenario.incidents);
        self.span_open(
            SpanKey::Page(role, incident),
            || roles[role].id.clone(),
            || format!("paged for {}", incidents[incident]),
            Phase::Acknowledgement,
            now,
        );
        let (symptom, scenario) = (self.incidents[incident].symptom, self.scenario);
        self.note_to(now, &[role], || {
            let page = format!(
                "page: {} for {}",
                scenario.roles[role].id, scenario.incidents[incident]
            );
            // The page carries what the latest signal shows, as a real page would.
            match symptom.and_then(|d| symptom_of(&scenario.detectors[d])) {
                Some(shown) => format!("{page} — {shown}"),
                None => page,
            }
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

    pub(super) fn open_at_severity(
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

    pub(super) fn breach(
        &mut self,
        incident: usize,
        level: usize,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
        self.targets_breached += 1;
        let escalation = &self.scenario.escalation;
        if escalation.auto_escalate && level + 1 < escalation.severities.len() {
            self.escalate_to(incident, level + 1, now, s);
        }
    }

    /// Raises `incident` to severity `level`: automatically on a breach, or by a person. It
    /// counts, and sets off the injects that follow an escalation.
    pub(super) fn escalate_to(
        &mut self,
        incident: usize,
        level: usize,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
        self.escalations += 1;
        self.open_at_severity(incident, level, now, s);
        self.decided(DecisionKind::Escalated, None, None, None, now, s);
    }
}
