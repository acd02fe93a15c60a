//! People in the loop: the decisions a participant of a live drill (or the facilitator on
//! their behalf) can take, checked against the state of the run. What each role can see and
//! do right now is in [`super::view`].
//!
//! A role marked human ([`World::set_human`]) is never acted for by the model: its pages wait
//! for an acknowledgement, its diagnoses and runbook decisions wait for the person, and its
//! approvals and status updates are asked of it. Every decision is applied at the current
//! scenario time through the same event handlers the simulation uses, and draws nothing from
//! a role's random stream, so a drill replayed from its decision log is the same run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ActionState, Event, World, bit, slot};
use crate::engine::{Model, Scheduler, Time};
use crate::scenario::comms::CommsField;
use crate::scenario::duration::format_minutes;
use crate::scenario::{DecisionKind, Milestone, Scenario};
use std::fmt::Write as _;

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
    /// Post a status update: free text to an audience, or a `[comms]` template's form.
    Update {
        /// Who it is for (e.g. `executives`, `sales`, `customers`); with a template, its
        /// audience (may be left empty).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        audience: String,
        /// The update (free text; with a template, anything beyond its fields).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        text: String,
        /// The `[[comms.templates]]` id whose form this is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        template: Option<String>,
        /// The form's fields by name (`impact`, `eta`, ...).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: BTreeMap<String, String>,
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
    /// Facilitator only: record what the room said to a discussion question.
    Answer {
        /// Module id, or [`HOT_WASH`] for the closing hot-wash prompts.
        module: String,
        /// Question number within the module, from 1.
        question: usize,
        /// What was said or decided.
        text: String,
    },
}

/// The module id under which hot-wash answers are recorded.
pub const HOT_WASH: &str = "hot-wash";

/// How the outcome of a person's wrong diagnosis begins in the decision log, so that the
/// drill's report can list wrong diagnoses as such.
pub const WRONG_DIAGNOSIS: &str = "wrong diagnosis:";

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
            Decision::Answer { .. } => "answer",
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

/// A person's update on a `[comms]` template's form, as their decision carries it.
struct Form<'d> {
    template: &'d str,
    audience: &'d str,
    text: &'d str,
    fields: &'d BTreeMap<String, String>,
}

/// Longest free text a decision may carry, in characters.
pub const MAX_TEXT: usize = 2000;

/// The position of `id` among a scenario's `ids` of one `kind` (`action`, `cause`, ...), or a
/// refusal that lists the ids there are.
fn find_id<'a>(
    kind: &str,
    id: &str,
    ids: impl Iterator<Item = &'a str> + Clone,
) -> Result<usize, Refusal> {
    ids.clone().position(|known| known == id).ok_or_else(|| {
        let known: Vec<&str> = ids.collect();
        Refusal::invalid(format!(
            "no {kind} `{id}` in this scenario ({kind}s: {})",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ))
    })
}

/// The index of the role `id` in `scenario`, or a refusal that lists the roles there are: the
/// one role lookup by id (`--humans`, `as ROLE ...`, join tokens).
pub fn role_index(scenario: &Scenario, id: &str) -> Result<usize, Refusal> {
    find_id("role", id, scenario.roles.iter().map(|r| r.id.as_str()))
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
                Decision::Answer {
                    module,
                    question,
                    text,
                } => self.record_answer(module, *question, text, now),
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
            Decision::Update {
                audience,
                text,
                template: Some(template),
                fields,
            } => {
                let form = Form {
                    template,
                    audience,
                    text,
                    fields,
                };
                self.send_form(role, form, now, s)
            }
            Decision::Update {
                audience,
                text,
                template: None,
                fields,
            } => {
                if !fields.is_empty() {
                    return Err(Refusal::invalid(
                        "form fields need the template they belong to",
                    ));
                }
                check_text(audience, "audience")?;
                check_text(text, "update")?;
                self.updates += 1;
                self.first_update.get_or_insert(now);
                self.note_to(now, &[role], || {
                    format!("status update from {who} to {audience}: {text}")
                });
                self.decided(
                    DecisionKind::UpdateSent,
                    Some(role),
                    None,
                    Some(audience),
                    now,
                    s,
                );
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
            Decision::Answer { .. } => Err(Refusal::forbidden(
                "only the facilitator records discussion answers",
            )),
        }
    }

    /// A person sends an update on a `[comms]` template's form. It answers the oldest update
    /// of that template the role owes (on cadence if within the grace); its blank required
    /// fields and jargon are counted, and said back to the writer.
    fn send_form(
        &mut self,
        role: usize,
        form: Form<'_>,
        now: Time,
        s: &mut Scheduler<Event>,
    ) -> Result<String, Refusal> {
        let Form {
            template: id,
            audience,
            text,
            fields,
        } = form;
        let scenario = self.scenario;
        let comms = &scenario.comms;
        let t = find_id(
            "template",
            id,
            comms.templates.iter().map(|t| t.id.as_str()),
        )?;
        let template = &comms.templates[t];
        let who = &scenario.roles[role].id;
        if template.by != role {
            return Err(Refusal::forbidden(format!(
                "the {id} form is sent by {}, not {who}",
                scenario.roles[template.by].id
            )));
        }
        let to = &comms.audiences[template.audience];
        if !audience.trim().is_empty() && audience != to {
            return Err(Refusal::invalid(format!(
                "the {id} form goes to {to}, not {audience}"
            )));
        }
        for (name, value) in fields {
            if CommsField::from_name(name).is_none() {
                return Err(Refusal::invalid(format!(
                    "no form field `{name}` (fields: {})",
                    CommsField::NAMES.join(", ")
                )));
            }
            if value.chars().count() > MAX_TEXT {
                return Err(Refusal::invalid(format!(
                    "the field {name} is longer than {MAX_TEXT} characters"
                )));
            }
        }
        if text.chars().count() > MAX_TEXT {
            return Err(Refusal::invalid(format!(
                "the update is longer than {MAX_TEXT} characters"
            )));
        }
        if text.trim().is_empty() && fields.values().all(|v| v.trim().is_empty()) {
            return Err(Refusal::invalid("the update is empty"));
        }
        let review = template.review(fields, text, &comms.jargon);
        let answered = self.comms.as_mut().and_then(|state| {
            let queue = &mut state.queue[role];
            let i = queue
                .iter()
                .position(|u| comms.cadence[u.cadence].template == t)?;
            queue.remove(i)
        });
        if answered.is_some() {
            self.roles[role].open_items = self.roles[role].open_items.saturating_sub(1);
        }
        let filled = (template.required.len() - review.missing.len()) as u32;
        self.count_sent(t, answered, filled, review.jargon.len() as u32, now, s);
        let timing = match answered {
            Some(u) if now - u.due <= comms.cadence[u.cadence].grace => "on cadence".to_string(),
            Some(u) => format!("{} after it fell due: late", format_minutes(now - u.due)),
            None => "none was due".to_string(),
        };
        let mut body: Vec<String> = CommsField::NAMES
            .iter()
            .filter_map(|name| {
                let value = fields.get(*name)?.trim();
                (!value.is_empty()).then(|| format!("{name}: {value}"))
            })
            .collect();
        if !text.trim().is_empty() {
            body.push(text.trim().to_string());
        }
        self.note_to(now, &[role], || {
            format!(
                "{} from {who} to {to}: {}",
                template.kind.title().to_lowercase(),
                body.join("; ")
            )
        });
        let mut outcome = format!(
            "{who} sent the {} to {to} ({timing})",
            template.kind.title().to_lowercase()
        );
        if !review.missing.is_empty() {
            let missing: Vec<&str> = review.missing.iter().map(|f| f.label()).collect();
            let _ = write!(outcome, "; missing required fields: {}", missing.join(", "));
        }
        if !review.jargon.is_empty() {
            let _ = write!(
                outcome,
                "; jargon a customer may not understand: {}",
                review.jargon.join(", ")
            );
        }
        Ok(outcome)
    }

    /// The facilitator records an answer to question `question` (from 1) of a module that
    /// has started, or to a hot-wash prompt.
    fn record_answer(
        &mut self,
        module: &str,
        question: usize,
        text: &str,
        now: Time,
    ) -> Result<String, Refusal> {
        let scenario = self.scenario;
        check_text(text, "answer")?;
        let (title, questions) = if module == HOT_WASH {
            ("Hot wash", &scenario.hot_wash)
        } else {
            let ids = scenario.modules.iter().map(|m| m.id.as_str());
            let m = find_id("module", module, ids.chain([HOT_WASH]))?;
            if self.modules_started[m].is_none() {
                return Err(Refusal::not_now(format!(
                    "module {module} has not started yet"
                )));
            }
            (
                scenario.modules[m].title.as_str(),
                &scenario.modules[m].questions,
            )
        };
        if question == 0 || question > questions.len() {
            return Err(Refusal::invalid(format!(
                "{title} has {} question{}; answer one of 1 to {}",
                questions.len(),
                if questions.len() == 1 { "" } else { "s" },
                questions.len()
            )));
        }
        self.note(now, || {
            format!(
                "discussion, {title}, question {question} ({}): {text}",
                questions[question - 1]
            )
        });
        Ok(format!("answer to {title} question {question} recorded"))
    }

    fn action_index(&self, id: &str) -> Result<usize, Refusal> {
        let ids = self.scenario.actions.iter().map(|a| a.id.as_str());
        find_id("action", id, ids)
    }

    fn incident_index(&self, id: &str) -> Result<usize, Refusal> {
        find_id(
            "incident",
            id,
            self.scenario.incidents.iter().map(String::as_str),
        )
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
        let c = find_id(
            "cause",
            cause,
            scenario.causes.iter().map(|c| c.id.as_str()),
        )?;
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
            // A decoy, or the cause of no fault the team is working: the fix that needs the
            // real cause stays blocked, and the time spent on it is gone.
            self.wrong_diagnoses += 1;
            self.note_to(now, &[role], || {
                format!("wrong diagnosis by {who}: {cause} does not explain what the team sees")
            });
            return Ok(format!(
                "{WRONG_DIAGNOSIS} {who} named {cause}; the evidence does not support it"
            ));
        };
        self.mark_cause_diagnosed(c);
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
        let who = &self.scenario.roles[role].id;
        self.note_to(now, &[role], || {
            format!(
                "{who} escalates {} to {}",
                self.scenario.incidents[i], severities[level].level
            )
        });
        self.escalate_to(i, level, now, s);
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
        self.set_action(a, ActionState::Deciding);
        self.handle(now, Event::ActionDecided(a as u16), s);
        Ok(match self.actions[a] {
            ActionState::AwaitingApproval => format!("{who} asked for approval of {action}"),
            _ => format!("{who} started {action}"),
        })
    }

    /// Why action `a` cannot be started by hand now, if it cannot.
    pub(super) fn blocked(&self, a: usize) -> Option<String> {
        let scenario = self.scenario;
        let spec = &scenario.actions[a];
        match self.actions[a] {
            ActionState::Idle | ActionState::Done | ActionState::GaveUp => {}
            other => {
                return Some(format!("{} is {}", spec.id, other.name().replace('_', " ")));
            }
        }
        if self.roles[spec.by].busy {
            return Some(format!(
                "{} is busy with another action",
                scenario.roles[spec.by].id
            ));
        }
        if spec
            .requires_diagnosis
            .is_some_and(|c| !self.cause_diagnosed[c])
        {
            // Never name the cause: what is blocked must not give the answer away.
            return Some("needs a confirmed diagnosis first".to_string());
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
        let i = find_id("inject", id, injects.iter().map(|j| j.id.as_str()))?;
        if self.fired[i] {
            return Err(Refusal::not_now(format!("{id} was already fired")));
        }
        self.fired[i] = true;
        self.deliver_inject(i, now, s);
        Ok(format!(
            "inject {id} delivered to {}",
            self.scenario.roles[injects[i].message.to].id
        ))
    }
}
