//! What a role sees and can do right now: the participant page's state in a live drill
//! ([`RoleView`]) and the `[comms]` forms pre-filled with what the run knows ([`UpdateForm`]).
//! Only reads the world; the decisions a person takes are in [`super::human`].

use serde::Serialize;

use super::runbook::ActionState;
use super::{World, bit, slot};
use crate::engine::Time;
use crate::scenario::comms::CommsField;
use crate::scenario::duration::format_clock;
use crate::scenario::{ActionEffect, Milestone, RoleKind, Scenario};

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

/// A runbook step still open when a run ends: under way, or with something left for it to
/// do (a fault it helps with, data it can restore). What a drill's report lists so that it
/// says which steps the play stopped before, rather than blaming the team for their effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenStep {
    /// Action id.
    pub action: String,
    /// The role that owns it.
    pub role: String,
    /// `contain`, `recover` or `restore_data`.
    pub effect: &'static str,
    /// Its state (`idle`, `awaiting_approval`, `running`, ...).
    pub state: &'static str,
    /// Why it had not run, if something blocked it (a diagnosis, an earlier step, ...).
    pub blocked: Option<String>,
}

/// A cause a diagnosis can name, as the diagnosis list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CauseOption {
    /// Cause id (what a diagnosis decision names).
    pub id: String,
    /// What a responder would recognise (the id when the scenario gives no text).
    pub text: String,
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
    /// Causes a diagnosis can name: every one, real and decoy, sorted by id so the order
    /// does not tell which is real.
    pub causes: Vec<CauseOption>,
    /// Audiences a status update can address (the scenario's stakeholder roles, and
    /// `customers`).
    pub audiences: Vec<String>,
    /// The action this role is busy with, if any.
    pub busy: bool,
    /// The `[comms]` forms this role sends, pre-filled with what the run knows.
    pub forms: Vec<UpdateForm>,
    /// Words flagged as jargon in forms checked for it.
    pub jargon: Vec<String>,
}

/// A `[comms]` template's form as its writer sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdateForm {
    /// Template id.
    pub template: String,
    /// What kind of message, in words.
    pub title: &'static str,
    /// Who reads it.
    pub audience: String,
    /// How it is sent.
    pub channel: String,
    /// Every field of the form, required ones marked.
    pub fields: Vec<FormField>,
    /// Updates of this form due and not yet sent, and since when (scenario minutes).
    pub due_since: Vec<f64>,
    /// Whether its text is checked for jargon.
    pub jargon_check: bool,
}

/// One field of an [`UpdateForm`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormField {
    /// Field name (`impact`, ...).
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// Whether the template requires it.
    pub required: bool,
    /// What ttx already knows for it (empty: the writer must say).
    pub prefill: String,
}

/// Every cause of `scenario`, sorted by id: declaration order is the author's and could put
/// the real one first.
fn cause_options(scenario: &Scenario) -> Vec<CauseOption> {
    let mut options: Vec<CauseOption> = scenario
        .causes
        .iter()
        .map(|c| CauseOption {
            id: c.id.clone(),
            text: c.label().to_string(),
        })
        .collect();
    options.sort_by(|a, b| a.id.cmp(&b.id));
    options
}

fn effect_name(effect: ActionEffect) -> &'static str {
    match effect {
        ActionEffect::Contain => "contain",
        ActionEffect::Recover => "recover",
        ActionEffect::RestoreData => "restore_data",
    }
}

impl World<'_> {
    /// What `role` sees and can do at `now`.
    pub fn role_view(&self, role: usize, now: Time) -> RoleView {
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
                state: self.actions[a].name(),
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
        let forms = (0..scenario.comms.templates.len())
            .filter(|&t| scenario.comms.templates[t].by == role)
            .map(|t| self.form(role, t, now))
            .collect();
        RoleView {
            role: scenario.roles[role].id.clone(),
            title: scenario.roles[role].title.clone(),
            incidents,
            actions,
            approvals,
            causes: cause_options(scenario),
            audiences,
            busy: state.busy,
            forms,
            jargon: scenario.comms.jargon.clone(),
        }
    }

    /// Runbook steps still open now (see [`OpenStep`]), in runbook order.
    pub fn open_steps(&self) -> Vec<OpenStep> {
        let scenario = self.scenario;
        (0..scenario.actions.len())
            .filter(|&a| match self.actions[a] {
                ActionState::Idle | ActionState::Done | ActionState::GaveUp => {
                    self.action_target(a).is_some()
                }
                _ => true,
            })
            .map(|a| OpenStep {
                action: scenario.actions[a].id.clone(),
                role: scenario.roles[scenario.actions[a].by].id.clone(),
                effect: effect_name(scenario.actions[a].effect),
                state: self.actions[a].name(),
                blocked: self.blocked(a),
            })
            .collect()
    }

    /// Template `t`'s form for `role`, pre-filled with what the detected incidents show: the
    /// flows affected, the milestones reached, actions done and waiting, the next due time.
    fn form(&self, role: usize, t: usize, now: Time) -> UpdateForm {
        let scenario = self.scenario;
        let template = &scenario.comms.templates[t];
        // What the team knows: incidents detected so far, whoever was paged.
        let incidents: Vec<usize> = (0..scenario.incidents.len())
            .filter(|&i| self.incidents[i].milestones[slot(Milestone::Detected)].is_some())
            .collect();
        let mut flows: Vec<String> = Vec::new();
        for (f, fault) in scenario.faults.iter().enumerate() {
            let flow = &scenario.systems[fault.flow];
            let name = match (flow.from, flow.to) {
                (Some(from), Some(to)) => format!(
                    "{} ({} → {})",
                    flow.id, scenario.systems[from].id, scenario.systems[to].id
                ),
                _ => flow.id.clone(),
            };
            if self.faults[f].detected && !flows.contains(&name) {
                flows.push(name);
            }
        }
        let status: Vec<String> = incidents
            .iter()
            .map(|&i| {
                let state = &self.incidents[i];
                let reached: Vec<String> = Milestone::ALL
                    .into_iter()
                    .skip(1)
                    .filter_map(|m| {
                        let at = state.milestones[slot(m)]?;
                        Some(format!("{} {}", m.name(), format_clock(at)))
                    })
                    .collect();
                let next = if state.milestones[slot(Milestone::Recovered)].is_some() {
                    ""
                } else if state.milestones[slot(Milestone::Contained)].is_some() {
                    "; not yet recovered"
                } else {
                    "; not yet contained"
                };
                format!(
                    "{} at {}: {}{next}",
                    scenario.incidents[i],
                    scenario.escalation.severities[state.severity].level,
                    reached.join(", ")
                )
            })
            .collect();
        let done: Vec<String> = (0..scenario.actions.len())
            .filter_map(|a| {
                let state = match self.actions[a] {
                    ActionState::Done => "done",
                    ActionState::Running { .. } => "running",
                    ActionState::Ready => "about to run",
                    _ => return None,
                };
                Some(format!("{} ({state})", scenario.actions[a].id))
            })
            .collect();
        let pending: Vec<String> = (0..scenario.actions.len())
            .filter(|&a| self.actions[a] == ActionState::AwaitingApproval)
            .filter_map(|a| {
                let approver = scenario.actions[a].approver?;
                Some(format!(
                    "{} awaits approval by {}",
                    scenario.actions[a].id, scenario.roles[approver].id
                ))
            })
            .collect();
        let next_update = incidents
            .iter()
            .filter_map(|&i| {
                scenario
                    .comms
                    .cadence
                    .iter()
                    .find(|c| c.template == t && c.severity == self.incidents[i].severity)
            })
            .map(|c| c.every)
            .reduce(f64::min)
            .map_or_else(String::new, |every| format_clock(now + every));
        let prefill = |field: CommsField| match field {
            CommsField::AffectedProcess => flows.join("; "),
            CommsField::CurrentStatus => status.join("; "),
            CommsField::ActionsTaken => done.join(", "),
            CommsField::PendingDecisions => pending.join("; "),
            CommsField::NextUpdate => next_update.clone(),
            CommsField::Impact | CommsField::Eta | CommsField::Workaround => String::new(),
        };
        let due_since = self.comms.as_ref().map_or_else(Vec::new, |state| {
            state.queue[role]
                .iter()
                .filter(|u| scenario.comms.cadence[u.cadence].template == t)
                .map(|u| u.due)
                .collect()
        });
        UpdateForm {
            template: template.id.clone(),
            title: template.kind.title(),
            audience: scenario.comms.audiences[template.audience].clone(),
            channel: template.channel.clone(),
            fields: CommsField::NAMES
                .iter()
                .filter_map(|n| CommsField::from_name(n))
                .map(|field| FormField {
                    name: field.name(),
                    label: field.label(),
                    required: template.required.contains(&field),
                    prefill: prefill(field),
                })
                .collect(),
            due_since,
            jargon_check: template.jargon_check,
        }
    }
}
