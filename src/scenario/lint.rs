//! Warnings about valid scenarios that cannot work as their author intended: a fault nothing
//! recovers or detects, an onset or inject after the horizon, a role nothing pages, an action
//! no run can reach, an objective on a milestone no run can reach.
//!
//! The analysis is static and conservative: it warns only where *no* run can do the thing,
//! whatever the random draws.

use std::ops::Range;

use super::diagnostic::{Diagnostic, Diagnostics};
use super::{ActionEffect, EffectMode, InjectTime, Metric, Milestone, RoleKind, Scenario};

/// What can possibly happen in some run of a scenario.
struct Reach {
    /// Fault may begin before the horizon.
    possible: Vec<bool>,
    /// Fault may begin and some detector can see it.
    detectable: Vec<bool>,
    /// Action may run in some run.
    action: Vec<bool>,
    /// Fault may be recovered (by a reachable action or by itself).
    recoverable: Vec<bool>,
    /// Fault may be contained (or recovered).
    containable: Vec<bool>,
}

impl Reach {
    fn of(scenario: &Scenario) -> Self {
        let horizon = scenario.meta.horizon;
        let faults = &scenario.faults;
        let possible: Vec<bool> = faults
            .iter()
            .map(|f| f.onset.lower_bound() < horizon)
            .collect();
        let detectable: Vec<bool> = (0..faults.len())
            .map(|i| possible[i] && scenario.detectors.iter().any(|d| d.sees[i]))
            .collect();
        // An action is reachable when its effect can be needed for a detectable fault and every
        // action it waits for is reachable: a fixed point, so cycles stay unreachable.
        let base: Vec<bool> = scenario
            .actions
            .iter()
            .map(|a| {
                let on_target = |f: usize| detectable[f] && faults[f].flow == a.target;
                let cause_ok = |f: usize| a.requires_diagnosis.is_none_or(|c| c == faults[f].cause);
                match a.effect {
                    ActionEffect::Contain | ActionEffect::Recover => {
                        (0..faults.len()).any(|f| on_target(f) && cause_ok(f))
                    }
                    ActionEffect::RestoreData => {
                        let queue = scenario.systems[a.target].retry_retention.is_some();
                        (0..faults.len()).any(|f| {
                            on_target(f)
                                && (a.backfill || (queue && faults[f].mode == EffectMode::Loud))
                        })
                    }
                }
            })
            .collect();
        let mut action = vec![false; scenario.actions.len()];
        loop {
            let mut changed = false;
            for (i, a) in scenario.actions.iter().enumerate() {
                if !action[i] && base[i] && a.after.iter().all(|&b| action[b]) {
                    action[i] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let fixed_by = |f: usize, effect: ActionEffect| {
            scenario.actions.iter().enumerate().any(|(i, a)| {
                action[i]
                    && a.effect == effect
                    && a.target == faults[f].flow
                    && a.requires_diagnosis.is_none_or(|c| c == faults[f].cause)
            })
        };
        let recoverable: Vec<bool> = (0..faults.len())
            .map(|f| {
                faults[f].lasts.is_some() || (detectable[f] && fixed_by(f, ActionEffect::Recover))
            })
            .collect();
        let containable: Vec<bool> = (0..faults.len())
            .map(|f| recoverable[f] || (detectable[f] && fixed_by(f, ActionEffect::Contain)))
            .collect();
        Reach {
            possible,
            detectable,
            action,
            recoverable,
            containable,
        }
    }

    /// Whether some run can reach `milestone` (for every incident that begins).
    fn milestone(&self, scenario: &Scenario, milestone: Milestone) -> bool {
        let any_possible = self.possible.iter().any(|p| *p);
        let every = |ok: &[bool]| (0..ok.len()).all(|f| !self.possible[f] || ok[f]);
        match milestone {
            Milestone::Onset => any_possible,
            Milestone::Detected => any_possible && every(&self.detectable),
            Milestone::Acknowledged => {
                let first = &scenario.escalation.severities[0];
                let someone = first
                    .page
                    .iter()
                    .chain(
                        scenario
                            .detectors
                            .iter()
                            .filter_map(|d| d.notifies.as_ref()),
                    )
                    .any(|&r| scenario.roles[r].kind == RoleKind::Responder);
                any_possible && every(&self.detectable) && someone
            }
            Milestone::Contained => any_possible && every(&self.containable),
            Milestone::Recovered => any_possible && every(&self.recoverable),
        }
    }
}

/// Appends warnings for `scenario` (compiled from `source`) to `diagnostics`.
pub fn lint(scenario: &Scenario, source: &str, diagnostics: &mut Diagnostics) {
    let reach = Reach::of(scenario);
    let horizon = scenario.meta.horizon;
    let mut warn = |span: Option<Range<usize>>, path: String, message: String, hint: String| {
        diagnostics.push(Diagnostic::warning(span, path, message).with_hint(hint));
    };

    for (i, fault) in scenario.faults.iter().enumerate() {
        let (path, span) = (format!("faults[{i}]"), span_of_id(source, &fault.id));
        if !reach.possible[i] {
            warn(
                span,
                path,
                format!(
                    "fault `{}` begins at or after the horizon, so it never happens",
                    fault.id
                ),
                "move the onset earlier or the horizon later".into(),
            );
            continue;
        }
        if !reach.detectable[i] {
            let (kind, how) = match fault.mode {
                EffectMode::Loud => (
                    "fault",
                    "a monitor with signal = \"errors\" watching the flow",
                ),
                EffectMode::Silent | EffectMode::Delay => (
                    "silent fault",
                    "a volume monitor, a reconciliation or a user report downstream of the flow",
                ),
            };
            warn(
                span.clone(),
                path.clone(),
                format!(
                    "no detector can see {kind} `{}`, so it is never detected",
                    fault.id
                ),
                format!("add {how}"),
            );
        }
        if !reach.recoverable[i] {
            warn(
                span,
                path,
                format!(
                    "no action recovers fault `{}`, so no run can recover",
                    fault.id
                ),
                format!(
                    "add an action with effect = \"recover\" and target = \"{}\" (with requires.diagnosis = \"{}\" if it needs one), or give the fault `lasts`",
                    scenario.systems[fault.flow].id, scenario.causes[fault.cause].id
                ),
            );
        }
    }

    for (i, action) in scenario.actions.iter().enumerate() {
        if reach.action[i] {
            continue;
        }
        let target = &scenario.systems[action.target].id;
        let why = if !scenario.faults.iter().any(|f| f.flow == action.target) {
            format!("no fault targets `{target}`")
        } else if action.after.iter().any(|&b| !reach.action[b]) {
            "it waits for an action that never runs".to_string()
        } else if action.effect == ActionEffect::RestoreData {
            format!(
                "`{target}` has no retry queue with loud failures to replay and the action does not backfill"
            )
        } else if let Some(cause) = action.requires_diagnosis {
            format!(
                "no detectable fault on `{target}` has root cause `{}`",
                scenario.causes[cause].id
            )
        } else {
            format!("no detectable fault targets `{target}`")
        };
        warn(
            span_of_id(source, &action.id),
            format!("actions[{i}]"),
            format!("action `{}` can never run: {why}", action.id),
            "point it at a faulted flow, fix its preconditions, or remove it".into(),
        );
    }

    for (i, role) in scenario.roles.iter().enumerate() {
        if role.kind == RoleKind::Stakeholder {
            continue;
        }
        let paged = scenario
            .escalation
            .severities
            .iter()
            .any(|s| s.page.contains(&i))
            || scenario.detectors.iter().any(|d| d.notifies == Some(i))
            || scenario.actions.iter().enumerate().any(|(a, action)| {
                reach.action[a] && (action.by == i || action.approver == Some(i))
            })
            // A writer on a [comms] cadence is paged when its first update falls due.
            || scenario
                .comms
                .cadence
                .iter()
                .any(|c| scenario.comms.templates[c.template].by == i);
        if !paged {
            warn(
                span_of_id(source, &role.id),
                format!("roles[{i}]"),
                format!("nothing ever pages role `{}`, so it never takes part", role.id),
                "add it to a severity's `page` list, make it the `by` or approver of an action, or a detector's `notifies`".into(),
            );
        }
    }

    for (i, objective) in scenario.objectives.iter().enumerate() {
        if let Metric::TimeTo(milestone) = objective.metric
            && !reach.milestone(scenario, milestone)
        {
            warn(
                span_of_id(source, &objective.id),
                format!("objectives[{i}]"),
                format!(
                    "objective `{}` measures {}, which no run can reach, so it is always missed",
                    objective.id,
                    objective.metric.name()
                ),
                "see the other warnings for what blocks the milestone, or measure another metric"
                    .into(),
            );
        }
    }

    for (i, inject) in scenario.injects.iter().enumerate() {
        let at = match inject.at {
            InjectTime::At(t) => t,
            InjectTime::After(_, delay) => delay,
        };
        if at >= horizon {
            warn(
                span_of_id(source, &inject.id),
                format!("injects[{i}].at"),
                format!(
                    "inject `{}` is due after the horizon and never arrives",
                    inject.id
                ),
                "schedule it before the horizon or lengthen scenario.horizon".into(),
            );
        }
    }

    // Players choose among every cause; without decoys the only choices are right ones.
    let decoys = scenario.causes.iter().filter(|c| !c.real).count();
    if scenario.causes.iter().all(|c| c.text.is_empty()) {
        warn(
            None,
            "causes".into(),
            "no [[causes]]: players can only pick a real cause, so they cannot be wrong \
             without decoys"
                .into(),
            "declare [[causes]] with an id and text for each real cause and at least two \
             plausible decoys, and point each fault's root_cause at its own"
                .into(),
        );
    } else if decoys < 2 {
        let first = scenario
            .causes
            .iter()
            .find(|c| !c.real)
            .unwrap_or(&scenario.causes[0]);
        warn(
            span_of_id(source, &first.id),
            "causes".into(),
            format!("only {decoys} decoy cause(s): a diagnosis is right by elimination too easily"),
            "add [[causes]] entries no fault names, each a cause a responder could \
             believe from the first signals"
                .into(),
        );
    }
}

/// Where `id = "<id>"` is written, to point warnings at the entry.
fn span_of_id(source: &str, id: &str) -> Option<Range<usize>> {
    let quoted = format!("\"{id}\"");
    let mut from = 0;
    while let Some(found) = source[from..].find(&quoted) {
        let start = from + found;
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let before = source[line_start..start].trim_start();
        if before.starts_with("id") && before[2..].trim_start().starts_with('=') {
            return Some(start..start + quoted.len());
        }
        from = start + quoted.len();
    }
    None
}

#[cfg(test)]
mod tests {

    fn warnings(text: &str) -> Vec<String> {
        let loaded = crate::scenario::from_str("t.toml", text).unwrap_or_else(|e| panic!("{e}"));
        loaded
            .warnings
            .warnings()
            .map(|d| d.message.clone())
            .collect()
    }

    const BASE: &str = r#"
[scenario]
name = "t"
horizon = "8h"
[[systems]]
id = "src"
kind = "source"
[[systems]]
id = "flow"
kind = "flow"
from = "src"
to = "dst"
records_per_minute = 1
[[systems]]
id = "dst"
kind = "sink"
[[causes]]
id = "renamed-field"
text = "A field was renamed upstream"
[[causes]]
id = "expired-token"
text = "The connection's token expired"
[[causes]]
id = "vendor-outage"
text = "The vendor's API is down"
[[faults]]
id = "f"
kind = "schema_drift"
target = "flow"
onset = "10m"
effect = { mode = "loud" }
root_cause = "renamed-field"
[[detectors]]
id = "alert"
kind = "monitor"
watches = "flow"
latency = "5m"
[[roles]]
id = "oncall"
[escalation]
severities = [{ level = "SEV2", acknowledge_within = "15m", restore_within = "2h", page = ["oncall"] }]
[[actions]]
id = "fix"
by = "oncall"
target = "flow"
effect = "recover"
duration = "10m"
"#;

    #[test]
    fn a_sound_scenario_has_no_warnings() {
        assert_eq!(warnings(BASE), Vec::<String>::new());
    }

    #[test]
    fn warns_when_players_have_fewer_than_two_wrong_causes_to_pick() {
        // Without decoys a person's diagnosis is right whatever they pick.
        let one_decoy = BASE.replace(
            "[[causes]]\nid = \"vendor-outage\"\ntext = \"The vendor's API is down\"\n",
            "",
        );
        assert_eq!(
            warnings(&one_decoy),
            vec!["only 1 decoy cause(s): a diagnosis is right by elimination too easily"]
        );
        let start = BASE.find("[[causes]]").unwrap();
        let end = BASE.find("[[faults]]").unwrap();
        let undeclared = format!("{}{}", &BASE[..start], &BASE[end..]);
        assert_eq!(
            warnings(&undeclared),
            vec![
                "no [[causes]]: players can only pick a real cause, so they cannot be wrong \
                 without decoys"
            ]
        );
    }

    #[test]
    fn warns_about_roles_nothing_pages() {
        let text = format!("{BASE}\n[[roles]]\nid = \"idle\"\n");
        assert_eq!(
            warnings(&text),
            vec!["nothing ever pages role `idle`, so it never takes part"]
        );
    }

    #[test]
    fn warns_about_unreachable_actions_and_milestones() {
        let text = format!(
            "{BASE}\n[[actions]]\nid = \"replay\"\nby = \"oncall\"\ntarget = \"flow\"\neffect = \"restore_data\"\nduration = \"5m\"\n\n[[objectives]]\nid = \"contained\"\nmetric = \"time_to_contain\"\ntarget = \"1h\"\n"
        );
        let found = warnings(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("action `replay` can never run"),
            "{found:?}"
        );
        let no_fix = BASE.replace("effect = \"recover\"", "effect = \"contain\"");
        let text = format!(
            "{no_fix}\n[[objectives]]\nid = \"recovered\"\nmetric = \"time_to_recover\"\ntarget = \"1h\"\n"
        );
        let found = warnings(&text);
        assert!(
            found
                .iter()
                .any(|w| w.starts_with("no action recovers fault `f`")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|w| w.starts_with("objective `recovered` measures time_to_recover")),
            "{found:?}"
        );
    }

    #[test]
    fn warns_about_injects_after_the_horizon() {
        let text = format!(
            "{BASE}\n[[injects]]\nid = \"late\"\nat = \"9h\"\nto = \"oncall\"\ntext = \"too late\"\n"
        );
        assert_eq!(
            warnings(&text),
            vec!["inject `late` is due after the horizon and never arrives"]
        );
    }
}
