//! The after-action report's facilitator-toolkit sections: communications per audience on the
//! `[comms]` cadence, the RACI table and the approval waits.
//!
//! Like the rest of the report they are computed from the per-run rows (and the scenario text
//! the results carry); each is absent when the scenario has nothing of the kind, so reports of
//! other scenarios do not change. Rendering is left to the formats.

use serde::{Deserialize, Serialize};

use super::aar::MetricRow;
use crate::results::{CountSummary, Results};
use crate::scenario::Scenario;
use crate::scenario::duration::format_minutes;
use crate::stats::survival::Observation;

/// How the batch kept each audience informed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Communications {
    /// Per audience, in the order of `[[comms.templates]]`.
    pub audiences: Vec<AudienceRow>,
    /// One sentence on the audience with the lowest on-cadence share.
    pub worst: String,
}

/// One audience across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceRow {
    /// The audience.
    pub audience: String,
    /// Updates that fell due, over all runs.
    pub due: u64,
    /// Updates sent on cadence, over all runs.
    pub on_cadence: u64,
    /// Mean updates falling due per run (over every run).
    pub due_per_run: f64,
    /// Mean updates sent per run.
    pub sent_per_run: f64,
    /// `on_cadence / due`; `null` when none fell due.
    pub on_cadence_share: Option<f64>,
    /// Updates due but late or never sent, per run.
    pub misses_per_run: CountSummary,
    /// Minutes from onset to the first update to the audience, as a time metric (censored
    /// where none was sent).
    pub time_to_first_update: MetricRow,
    /// Required fields filled / required, over every update sent; `null` when none required any.
    pub completeness: Option<f64>,
    /// Jargon words flagged in updates to the audience, over all runs.
    pub jargon_flags: u64,
}

impl Communications {
    /// The section, or `None` when the scenario has no cadence.
    pub fn of(results: &Results) -> Option<Self> {
        if results.comms.is_empty() {
            return None;
        }
        let runs = results.per_run.len().max(1) as f64;
        let audiences: Vec<AudienceRow> = results
            .comms
            .iter()
            .enumerate()
            .map(|(a, c)| {
                let observations: Vec<Observation> = results
                    .per_run
                    .iter()
                    .filter_map(|r| {
                        let first = r.comms.get(a)?.first_update;
                        Observation::of(first, r.onset.map(|_| r.censored_at))
                    })
                    .collect();
                AudienceRow {
                    audience: c.audience.clone(),
                    due: c.due,
                    on_cadence: c.on_cadence,
                    due_per_run: c.due as f64 / runs,
                    sent_per_run: c.sent as f64 / runs,
                    on_cadence_share: c.on_cadence_share,
                    misses_per_run: c.misses_per_run.clone(),
                    time_to_first_update: MetricRow::of(
                        "time_to_first_update",
                        &c.time_to_first_update,
                        &observations,
                    ),
                    completeness: c.completeness,
                    jargon_flags: c.jargon_flags,
                }
            })
            .collect();
        let worst = worst_audience(&audiences, results.per_run.len());
        Some(Communications { audiences, worst })
    }
}

/// The sentence on the audience least often updated on cadence (the first of equals).
fn worst_audience(audiences: &[AudienceRow], runs: usize) -> String {
    let worst = audiences
        .iter()
        .filter_map(|a| a.on_cadence_share.map(|share| (a, share)))
        .fold(
            None,
            |worst: Option<(&AudienceRow, f64)>, (a, share)| match worst {
                Some((_, least)) if least <= share => worst,
                _ => Some((a, share)),
            },
        );
    let Some((a, share)) = worst else {
        return "No update fell due in any run.".to_string();
    };
    let first = match a.time_to_first_update.median {
        Some(median) => format!(
            "their first update came {} after onset in the median run",
            format_minutes(median)
        ),
        None => "in most runs no update reached them at all".to_string(),
    };
    format!(
        "{} got {:.0}% of their updates on cadence ({} of the {} that fell due in {runs} runs); {first}.",
        a.audience,
        100.0 * share,
        a.on_cadence,
        a.due
    )
}

/// One action's RACI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaciRow {
    /// The action.
    pub action: String,
    /// Does the work (its `by`).
    pub responsible: String,
    /// Answers for it; `null` when the scenario names nobody.
    pub accountable: Option<String>,
    /// Asked before it is done.
    pub consulted: Vec<String>,
    /// Told once it is done.
    pub informed: Vec<String>,
    /// The role that must approve it first, when that is not its performer.
    pub approver: Option<String>,
}

impl RaciRow {
    /// Every action's row, in scenario order; empty unless some action declares `raci`
    /// (actions without one show their performer as responsible and nobody else).
    pub fn of(scenario: &Scenario) -> Vec<Self> {
        if scenario.actions.iter().all(|a| a.raci.is_none()) {
            return Vec::new();
        }
        let id = |role: usize| scenario.roles[role].id.clone();
        let ids = |roles: &[usize]| roles.iter().map(|&r| id(r)).collect();
        scenario
            .actions
            .iter()
            .map(|action| {
                let raci = action.raci.as_ref();
                RaciRow {
                    action: action.id.clone(),
                    responsible: id(raci.map_or(action.by, |r| r.responsible)),
                    accountable: raci.and_then(|r| r.accountable).map(id),
                    consulted: raci.map_or_else(Vec::new, |r| ids(&r.consulted)),
                    informed: raci.map_or_else(Vec::new, |r| ids(&r.informed)),
                    approver: action.approver_other_than_performer().map(id),
                }
            })
            .collect()
    }
}

/// How long runs waited for one action's approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalRow {
    /// The action.
    pub action: String,
    /// The role that approves it; `null` if the scenario text no longer compiles.
    pub approver: Option<String>,
    /// Runs in which its approval was asked.
    pub asked: u64,
    /// Runs that ended with the request still waiting.
    pub never_granted: u64,
    /// Minutes from the request to the approval, over the runs that asked, as a time metric
    /// (a request never approved is censored at the end of its run).
    pub wait: MetricRow,
}

impl ApprovalRow {
    /// Per action approved by another role, in scenario order; empty without one.
    pub fn of(results: &Results, scenario: Option<&Scenario>) -> Vec<Self> {
        results
            .approvals
            .iter()
            .enumerate()
            .map(|(a, summary)| {
                let observations: Vec<Observation> = results
                    .per_run
                    .iter()
                    .filter_map(|r| {
                        let approval = r.approvals.get(a)?;
                        let waited = approval.waited?;
                        Some(Observation {
                            time: waited,
                            event: approval.granted,
                        })
                    })
                    .collect();
                let approver = scenario.and_then(|s| {
                    let action = s.actions.iter().find(|x| x.id == summary.action)?;
                    let role = action.approver_other_than_performer()?;
                    Some(s.roles[role].id.clone())
                });
                ApprovalRow {
                    action: summary.action.clone(),
                    approver,
                    asked: summary.asked,
                    never_granted: summary.never_granted,
                    wait: MetricRow::of("approval_wait", &summary.wait, &observations),
                }
            })
            .collect()
    }
}
