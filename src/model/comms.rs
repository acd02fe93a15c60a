//! Communications in a run: each role's own status updates (`update_every`) and the
//! `[comms]` cadence of templated updates, which fall due per incident and severity, queue at
//! their writer and are counted per audience (on cadence, fields filled, jargon). Templated
//! updates take their writing time from the writer's own `comms` stream, so adding `[comms]`
//! to a scenario moves none of its other draws.

use std::collections::VecDeque;

use super::outcome::AudienceRun;
use super::{Event, World, bit, slot};
use crate::engine::{Scheduler, Time};
use crate::scenario::{DecisionKind, Milestone, Scenario};

/// A templated update that fell due and waits to be written.
#[derive(Debug, Clone, Copy)]
pub(super) struct PendingUpdate {
    pub(super) cadence: usize,
    pub(super) incident: usize,
    pub(super) due: Time,
}

/// The `[comms]` cadence in a run: which cadence chains run, what each role still has to
/// write, and the counts per audience. Boxed and absent without a cadence.
#[derive(Debug, Clone)]
pub(super) struct CommsState {
    /// Per cadence rule: incidents (bits) whose chain of due updates is running.
    pub(super) running: Vec<u64>,
    /// Per role: updates due and not yet sent, oldest first (a role writes one at a time).
    pub(super) queue: Vec<VecDeque<PendingUpdate>>,
    /// Per role: whether it is writing the head of its queue now.
    writing: Vec<bool>,
    /// Per audience.
    audiences: Vec<AudienceRun>,
    /// First time an update reached each audience.
    first: Vec<Option<Time>>,
}

impl CommsState {
    /// The cadence state at the start of a run; `None` when the scenario has no templates.
    pub(super) fn new(scenario: &Scenario) -> Option<Box<Self>> {
        (!scenario.comms.templates.is_empty()).then(|| {
            Box::new(CommsState {
                running: vec![0; scenario.comms.cadence.len()],
                queue: vec![Default::default(); scenario.roles.len()],
                writing: vec![false; scenario.roles.len()],
                audiences: scenario
                    .comms
                    .audiences
                    .iter()
                    .map(|a| AudienceRun {
                        audience: a.clone(),
                        ..Default::default()
                    })
                    .collect(),
                first: vec![None; scenario.comms.audiences.len()],
            })
        })
    }

    /// Sets the cadence back to the start of a run, keeping the storage.
    pub(super) fn reset(&mut self) {
        self.running.fill(0);
        self.queue.iter_mut().for_each(VecDeque::clear);
        self.writing.fill(false);
        for a in &mut self.audiences {
            *a = AudienceRun {
                audience: std::mem::take(&mut a.audience),
                ..Default::default()
            };
        }
        self.first.fill(None);
    }

    /// Writes what each audience got in the run into `out`, first updates measured from
    /// `onset`, reusing `out`'s storage (its audience names are the same run after run).
    pub(super) fn audience_runs_into(&self, onset: Option<Time>, out: &mut Vec<AudienceRun>) {
        out.truncate(self.audiences.len());
        for (i, (a, first)) in self.audiences.iter().zip(&self.first).enumerate() {
            let run = AudienceRun {
                first_update: onset.and_then(|o| first.map(|t| t - o)),
                audience: String::new(),
                ..*a
            };
            match out.get_mut(i) {
                Some(slot) => {
                    let mut name = std::mem::take(&mut slot.audience);
                    name.clone_from(&a.audience);
                    *slot = AudienceRun {
                        audience: name,
                        ..run
                    };
                }
                None => out.push(AudienceRun {
                    audience: a.audience.clone(),
                    ..run
                }),
            }
        }
    }
}

impl World<'_> {
    /// A role's status update falls due: on a fixed cadence from the role's first
    /// acknowledgement, each taking the role's writing time after it falls due. A person is
    /// reminded and writes it through the drill.
    pub(super) fn on_update_due(&mut self, role: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        if self.resolved {
            self.roles[role].updating = false;
            return;
        }
        if self.human[role] {
            self.note_to(now, &[role], || {
                format!("status update due from {}", scenario.roles[role].id)
            });
        } else {
            let latency = self.communicate_latency(role);
            s.after(latency, Event::UpdateSent(role as u16));
        }
        if let Some(every) = scenario.roles[role].update_every {
            s.after(every, Event::UpdateDue(role as u16));
        }
    }

    /// A role sends a status update.
    pub(super) fn on_update_sent(&mut self, role: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        self.updates += 1;
        self.first_update.get_or_insert(now);
        self.note_to(now, &[role], || {
            format!("status update from {}", scenario.roles[role].id)
        });
        self.decided(DecisionKind::UpdateSent, Some(role), None, None, now, s);
    }

    /// Starts writing the oldest update `role` owes, if it is free to: a role writes one
    /// update at a time, after acknowledging the incident it is about (it is paged, as a
    /// hand-off, if it has not). A person is reminded instead and writes through the drill.
    pub(super) fn write_next_update(&mut self, role: usize, now: Time, s: &mut Scheduler<Event>) {
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
    pub(super) fn comms_due(
        &mut self,
        c: usize,
        incident: usize,
        now: Time,
        s: &mut Scheduler<Event>,
    ) {
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
    pub(super) fn comms_sent(&mut self, role: usize, now: Time, s: &mut Scheduler<Event>) {
        let scenario = self.scenario;
        let Some(comms) = &mut self.comms else { return };
        comms.writing[role] = false;
        let Some(update) = comms.queue[role].pop_front() else {
            return;
        };
        let t = scenario.comms.cadence[update.cadence].template;
        let template = &scenario.comms.templates[t];
        // Simulated writers fill every required field and write no jargon.
        self.count_sent(t, Some(update), template.required.len() as u32, 0, now, s);
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
    /// answers the due update `answered` within the cadence's grace. It sets off the injects
    /// that follow an update to that audience.
    pub(super) fn count_sent(
        &mut self,
        t: usize,
        answered: Option<PendingUpdate>,
        filled: u32,
        jargon: u32,
        now: Time,
        s: &mut Scheduler<Event>,
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
        let to = &scenario.comms.audiences[template.audience];
        self.decided(
            DecisionKind::UpdateSent,
            Some(template.by),
            None,
            Some(to),
            now,
            s,
        );
    }
}
