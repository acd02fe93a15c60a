//! People in the loop: the decisions a participant of a live drill (or the facilitator on
//! their behalf) can take, checked against the state of the run, and what each role can see
//! and do right now.
//!
//! A role marked human ([`World::set_human`]) is never acted for by the model: its pages wait
//! for an acknowledgement, its diagnoses and runbook decisions wait for the person, and its
//! approvals and status updates are asked of it. Every decision is applied at the current
//! scenario time through the same event handlers the simulation uses, and draws nothing from
//! a role's random stream, so a drill replayed from its decision log is the same run.

use serde::{Deserialize, Serialize};

use super::{ActionState, Event, World, bit, slot};
use crate::engine::{Model, Scheduler, Time};
use crate::scenario::{ActionEffect, Milestone, RoleKind};

/// One decision of a person, as participants post it and the decision log records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Decision {
    /// Acknowledge a page: one incident, or every incident the role is paged for.
    Acknowledge {
        /// Incident id; all pending pages when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        incident: Option<String>,
    },
    /// Name the suspected root cause of what the team is looking at.
    Diagnose {
        /// A cause id of the scenario.
        cause: String,
    },
    /// Raise an incident's severity one level (pages the next level's roles).
    Escalate {
        /// Incident id; the first open incident when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        incident: Option<String>,
    },
    /// Run a runbook action the role owns.
    Run {
        /// Action id.
        action: String,
    },
    /// Approve an action that waits for this role's approval.
    Approve {
        /// Action id.
        action: String,
    },
    /// Post a status update.
    Update {
        /// Who it is for (e.g. `executives`, `sales`, `customers`).
        audience: String,
        /// The update.
        text: String,
    },
    /// Write a note into the decision log (no effect on the run).
    Note {
        /// The note.
        text: String,
    },
    /// Facilitator only: deliver a scripted inject now instead of on its schedule.
    Inject {
        /// Inject id.
        inject: String,
    },
}

impl Decision {
    /// The kind as written in the log (`acknowledge`, `diagnose`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Decision::Acknowledge { .. } => "acknowledge",
            Decision::Diagnose { .. } => "diagnose",
            Decision::Escalate { .. } => "escalate",
            Decision::Run { .. } => "run",
            Decision::Approve { .. } => "approve",
            Decision::Update { .. } => "update",
            Decision::Note { .. } => "note",
            Decision::Inject { .. } => "inject",
        }
    }
}

/// Why a decision was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// The role may not take it (another role's action, a facilitator-only decision).
    Forbidden,
    /// An id that the scenario does not have, or an empty text.
    Invalid,
    /// Not possible now (nothing paged, preconditions unmet, already done).
    NotNow,
}

/// A decision that was not taken, and why, in words a participant understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What kind of refusal.
    pub kind: RefusalKind,
    /// Why.
    pub reason: String,
}

impl Refusal {
    fn forbidden(reason: impl Into<String>) -> Self {
        Refusal {
            kind: RefusalKind::Forbidden,
            reason: reason.into(),
        }
    }
    fn invalid(reason: impl Into<String>) -> Self {
        Refusal {
            kind: RefusalKind::Invalid,
            reason: reason.into(),
        }
    }
    fn not_now(reason: impl Into<String>) -> Self {
        Refusal {
            kind: RefusalKind::NotNow,
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Longest free text a decision may carry, in characters.
pub const MAX_TEXT: usize = 2000;

/// A runbook action as a role sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionOption {
    /// Action id.
    pub id: String,
    /// `contain`, `recover` or `restore_data`.
    pub effect: &'static str,
    /// `idle`, `awaiting_approval`, `running`, `done`, ...
    pub state: &'static str,
    /// Why it cannot run now, if it cannot.
    pub blocked: Option<String>,
}

/// An incident as a role sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentView {
    /// Incident id.
    pub id: String,
    /// Current severity level name.
    pub severity: String,
    /// Whether this role was paged for it and has not acknowledged yet.
    pub awaiting_acknowledgement: bool,
    /// Milestones reached so far.
    pub reached: Vec<&'static str>,
}

/// What a role can see and do now: the participant page's state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleView {
    /// Role id.
    pub role: String,
    /// Role title.
    pub title: String,
    /// Incidents this role has been paged for.
    pub incidents: Vec<IncidentView>,
    /// Actions this role owns.
    pub actions: Vec<ActionOption>,
    /// Actions waiting for this role's approval.
    pub approvals: Vec<String>,
    /// Causes a diagnosis can name.
    pub causes: Vec<String>,
    /// Audiences a status update can address (the scenario's stakeholder roles, and
    /// `customers`).
    pub audiences: Vec<String>,
    /// The action this role is busy with, if any.
    pub busy: bool,
}

fn effect_name(effect: ActionEffect) -> &'static str {
    match effect {
        ActionEffect::Contain => "contain",
        ActionEffect::Recover => "recover",
        ActionEffect::RestoreData => "restore_data",
    }
}

fn state_name(state: ActionState) -> &'static str {
    match state {
        ActionState::Idle => "idle",
        ActionState::Deciding => "deciding",
        ActionState::AwaitingApproval => "awaiting_approval",
        ActionState::Ready => "ready",
        ActionState::Running { .. } => "running",
        ActionState::Done => "done",
        ActionState::GaveUp => "gave_up",
    }
}

fn check_text(text: &str, what: &str) -> Result<(), Refusal> {
    if text.trim().is_empty() {
        return Err(Refusal::invalid(format!("the {what} is empty")));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(Refusal::invalid(format!(
            "the {what} is longer than {MAX_TEXT} characters"
        )));
    }
    Ok(())
}

impl<'s> World<'s> {
    /// Hands `role` to a person: the model stops acting for it.
    pub fn set_human(&mut self, role: usize) {
        self.human[role] = true;
    }

    /// Whether `role` is played by a person.
    pub fn is_human(&self, role: usize) -> bool {
        self.human[role]
    }

    /// Whether every incident that begins before the horizon has recovered.
    pub fn resolved(&self) -> bool {
        self.resolved
    }

    /// Takes `decision` of `role` (`None`: the facilitator) at `now`. Returns what happened in
    /// words, or why it could not be taken; a refused decision changes nothing.
    pub fn decide(
        &mut self,
        role: Option<usize>,
        decision: &Decision,
        now: Time,
        s: &mut Scheduler<Event>,
    ) -> Result<String, Refusal> {
        let scenario = self.scenario;
        let Some(role) = role else {
            return match decision {
                Decision::Inject { inject } => self.fire_inject(inject, now, s),
                Decision::Note { text } => {
                    check_text(text, "note")?;
                    self.note(now, || format!("facilitator note: {text}"));
                    Ok("note recorded".to_string())
                }
                _ => Err(Refusal::forbidden(
                    "the facilitator acts for a role: name the role (`as ROLE ...`)",
                )),
            };
        };
        let who = &scenario.roles[role].id;
        match decision {
            Decision::Acknowledge { incident } => {
                self.acknowledge(role, incident.as_deref(), now, s)
            }
            Decision::Diagnose { cause } => self.diagnose(role, cause, now, s),
            Decision::Escalate { incident } => self.escalate(role, incident.as_deref(), now, s),
            Decision::Run { action } => self.run_by_hand(role, action, now, s),
            Decision::Approve { action } => {
                let a = self.action_index(action)?;
                if scenario.actions[a].approver != Some(role) {
                    return Err(Refusal::forbidden(format!(
                        "{who} does not approve {action}"
                    )));
                }
                if self.actions[a] != ActionState::AwaitingApproval {
                    return Err(Refusal::not_now(format!(
                        "{action} is not waiting for approval"
                    )));
                }
                self.handle(now, Event::ActionApproved(a as u16), s);
                Ok(format!("{who} approved {action}"))
            }
            Decision::Update { audience, text } => {
                check_text(audience, "audience")?;
                check_text(text, "update")?;
                self.updates += 1;
                self.first_update.get_or_insert(now);
                self.note_to(now, &[role], || {
                    format!("status update from {who} to {audience}: {text}")
                });
                Ok(format!("{who} posted a status update to {audience}"))
            }
            Decision::Note { text } => {
                check_text(text, "note")?;
                self.note_to(now, &[role], || format!("note by {who}: {text}"));
                Ok("note recorded".to_string())
            }
            Decision::Inject { .. } => {
                Err(Refusal::forbidden("only the facilitator fires injects"))
            }
        }
    }

    fn action_index(&self, id: &str) -> Result<usize, Refusal> {
        let actions = &self.scenario.actions;
        actions.iter().position(|a| a.id == id).ok_or_else(|| {
            let known: Vec<&str> = actions.iter().map(|a| a.id.as_str()).collect();
            Refusal::invalid(format!(
                "no action `{id}` in this scenario (actions: {})",
                known.join(", ")
            ))
        })
    }

    fn incident_index(&self, id: &str) -> Result<usize, Refusal> {
        let incidents = &self.scenario.incidents;
        incidents.iter().position(|i| i == id).ok_or_else(|| {
            Refusal::invalid(format!(
                "no incident `{id}` in this scenario (incidents: {})",
                incidents.join(", ")
            ))
        })
    }

    fn acknowledge(
        &mut self,
        role: usize,
        incident: Option<&str>,
        now: Time,
        s: &mut Scheduler<Event>,
    ) -> Result<String, Refusal> {
        let state = &self.roles[role];
        let pending = state.paged & !state.acknowledged;
        let chosen: Vec<usize> = match incident {
            Some(id) => {
                let i = self.incident_index(id)?;
                if pending & bit(i) == 0 {
                    return Err(Refusal::not_now(format!(
                        "{} has no unacknowledged page for {id}",
                        self.scenario.roles[role].id
                    )));
                }
                vec![i]
            }
            None => (0..self.incidents.len())
                .filter(|&i| pending & bit(i) != 0)
                .collect(),
        };
        if chosen.is_empty() {
            return Err(Refusal::not_now(format!(
                "{} has no page to acknowledge",
                self.scenario.roles[role].id
            )));
        }
        for &i in &chosen {
            let event = Event::Acknowledge {
                role: role as u16,
                incident: i as u8,
            };
            self.handle(now, event, s);
        }
        let names: Vec<&str> = chosen
            .iter()
            .map(|&i| self.scenario.incidents[i].as_str())
            .collect();
        Ok(format!(
            "{} acknowledged {}",
            self.scenario.roles[role].id,
            names.join(", ")
        ))
    }

    fn diagnose(
        &mut self,
        role: usize,
        cause: &str,
        now: Time,
        s: &mut Scheduler<Event>,
    ) -> Result<String, Refusal> {
        let scenario = self.scenario;
        let Some(c) = scenario.causes.iter().position(|k| k == cause) else {
            return Err(Refusal::invalid(format!(
                "no cause `{cause}` in this scenario (causes: {})",
                scenario.causes.join(", ")
            )));
        };
        let who = &scenario.roles[role].id;
        let workable: Vec<usize> = (0..scenario.faults.len())
            .filter(|&f| self.workable(f))
            .collect();
        if workable.is_empty() {
            return Err(Refusal::not_now(
                "nothing to diagnose yet: no acknowledged incident has a detected fault",
            ));
        }
        if self.cause_diagnosed[c] {
            return Err(Refusal::not_now(format!("{cause} is already diagnosed")));
        }
        let Some(&f) = workable.iter().find(|&&f| scenario.faults[f].cause == c) else {
            self.wrong_diagnoses += 1;
            self.note_to(now, &[role], || {
                format!("wrong diagnosis by {who}: {cause} does not explain what the team sees")
            });
            return Ok(format!(
                "{who} suspected {cause}: the evidence does not support it"
            ));
        };
        self.cause_diagnosed[c] = true;
        self.note_to(now, &[role], || {
            format!("diagnosed: {} ({cause}) by {who}", scenario.faults[f].id)
        });
        self.plan(now, s);
        Ok(format!("{who} diagnosed {cause}"))
    }

    fn escalate(
        &mut self,
        role: usize,
        incident: Option<&str>,
        now: Time,
        s: &mut Scheduler<Event>,
    ) -> Result<String, Refusal> {
        let open = |i: usize| {
            let m = &self.incidents[i].milestones;
            m[slot(Milestone::Detected)].is_some() && m[slot(Milestone::Recovered)].is_none()
        };
        let i = match incident {
            Some(id) => self.incident_index(id)?,
            None => (0..self.incidents.len())
                .find(|&i| open(i))
                .ok_or_else(|| Refusal::not_now("no open incident to escalate"))?,
        };
        if !open(i) {
            return Err(Refusal::not_now(format!(
                "{} is not open (not detected yet, or recovered)",
                self.scenario.incidents[i]
            )));
        }
        let level = self.incidents[i].severity + 1;
        let severities = &self.scenario.escalation.severities;
        if level >= severities.len() {
            return Err(Refusal::not_now(format!(
                "{} is already at the highest severity ({})",
                self.scenario.incidents[i],
                severities[level - 1].level
            )));
        }
        self.escalations += 1;
        let who = &self.scenario.roles[role].id;
        self.note_to(now, &[role], || {
            format!(
                "{who} escalates {} to {}",
                self.scenario.incidents[i], severities[level].level
            )
        });
        self.open_at_severity(i, level, now, s);
        Ok(format!(
            "{} escalated {} to {}",
            who, self.scenario.incidents[i], severities[level].level
        ))
    }

    fn run_by_hand(
        &mut self,
        role: usize,
        action: &str,
        now: Time,
        s: &mut Scheduler<Event>,
    ) -> Result<String, Refusal> {
        let a = self.action_index(action)?;
        let spec = &self.scenario.actions[a];
        let who = &self.scenario.roles[role].id;
        if spec.by != role {
            return Err(Refusal::forbidden(format!(
                "{action} is run by {}, not {who}",
                self.scenario.roles[spec.by].id
            )));
        }
        if let Some(reason) = self.blocked(a) {
            return Err(Refusal::not_now(reason));
        }
        self.human_attempts[a] += 1;
        // The person has decided: from here the action follows the simulation's own path
        // (approval if it needs one, then its duration and chance of success).
        self.actions[a] = ActionState::Deciding;
        self.handle(now, Event::ActionDecided(a as u16), s);
        Ok(match self.actions[a] {
            ActionState::AwaitingApproval => format!("{who} asked for approval of {action}"),
            _ => format!("{who} started {action}"),
        })
    }

    /// Why action `a` cannot be started by hand now, if it cannot.
    fn blocked(&self, a: usize) -> Option<String> {
        let scenario = self.scenario;
        let spec = &scenario.actions[a];
        match self.actions[a] {
            ActionState::Idle | ActionState::Done | ActionState::GaveUp => {}
            other => {
                return Some(format!(
                    "{} is {}",
                    spec.id,
                    state_name(other).replace('_', " ")
                ));
            }
        }
        if self.roles[spec.by].busy {
            return Some(format!(
                "{} is busy with another action",
                scenario.roles[spec.by].id
            ));
        }
        if let Some(c) = spec.requires_diagnosis
            && !self.cause_diagnosed[c]
        {
            return Some(format!(
                "needs a correct diagnosis first ({})",
                scenario.causes[c]
            ));
        }
        if let Some(&b) = spec.after.iter().find(|&&b| !self.succeeded[b]) {
            return Some(format!("needs {} to succeed first", scenario.actions[b].id));
        }
        if self.action_target(a).is_none() {
            return Some(format!(
                "nothing for it to act on now (no acknowledged, detected fault it helps with on {})",
                scenario.systems[spec.target].id
            ));
        }
        None
    }

    /// Delivers scripted inject `id` now; its scheduled arrival is then skipped.
    fn fire_inject(
        &mut self,
        id: &str,
        now: Time,
        s: &mut Scheduler<Event>,
    ) -> Result<String, Refusal> {
        let injects = &self.scenario.injects;
        let Some(i) = injects.iter().position(|j| j.id == id) else {
            let known: Vec<&str> = injects.iter().map(|j| j.id.as_str()).collect();
            return Err(Refusal::invalid(format!(
                "no inject `{id}` in this scenario (injects: {})",
                known.join(", ")
            )));
        };
        if self.fired[i] {
            return Err(Refusal::not_now(format!("{id} was already fired")));
        }
        self.fired[i] = true;
        self.deliver(&self.scenario.injects[i].message, now, s);
        Ok(format!(
            "inject {id} delivered to {}",
            self.scenario.roles[injects[i].message.to].id
        ))
    }

    /// What `role` sees and can do now.
    pub fn role_view(&self, role: usize) -> RoleView {
        let scenario = self.scenario;
        let state = &self.roles[role];
        let incidents = (0..scenario.incidents.len())
            .filter(|&i| state.paged & bit(i) != 0)
            .map(|i| IncidentView {
                id: scenario.incidents[i].clone(),
                severity: scenario.escalation.severities[self.incidents[i].severity]
                    .level
                    .clone(),
                awaiting_acknowledgement: state.acknowledged & bit(i) == 0,
                reached: Milestone::ALL
                    .into_iter()
                    .filter(|&m| self.incidents[i].milestones[slot(m)].is_some())
                    .map(Milestone::name)
                    .collect(),
            })
            .collect();
        let actions = (0..scenario.actions.len())
            .filter(|&a| scenario.actions[a].by == role)
            .map(|a| ActionOption {
                id: scenario.actions[a].id.clone(),
                effect: effect_name(scenario.actions[a].effect),
                state: state_name(self.actions[a]),
                blocked: self.blocked(a),
            })
            .collect();
        let approvals = (0..scenario.actions.len())
            .filter(|&a| {
                scenario.actions[a].approver == Some(role)
                    && self.actions[a] == ActionState::AwaitingApproval
            })
            .map(|a| scenario.actions[a].id.clone())
            .collect();
        let mut audiences: Vec<String> = scenario
            .roles
            .iter()
            .filter(|r| r.kind == RoleKind::Stakeholder)
            .map(|r| r.id.clone())
            .collect();
        audiences.push("customers".to_string());
        RoleView {
            role: scenario.roles[role].id.clone(),
            title: scenario.roles[role].title.clone(),
            incidents,
            actions,
            approvals,
            causes: scenario.causes.clone(),
            audiences,
            busy: state.busy,
        }
    }
}
