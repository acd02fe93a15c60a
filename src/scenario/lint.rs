//! Warnings about valid scenarios that cannot work as their author intended: a fault nothing
//! recovers or detects, an onset or inject after the horizon, a role nothing pages, an action
//! no run can reach, an objective on a milestone no run can reach.
//!
//! The analysis is static and conservative: it warns only where *no* run can do the thing,
//! whatever the random draws - except for the share of runs whose onset falls after the
//! horizon, which is exact from the onset distribution (not simulated).

use std::collections::HashMap;
use std::ops::Range;

use super::diagnostic::{Diagnostic, Diagnostics};
use super::duration::format_minutes;
use super::{
    ActionEffect, DetectorKind, EffectMode, InjectTrigger, Metric, Milestone, MonitorSignal,
    RoleKind, Scenario,
};

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
            .map(|i| possible[i] && !scenario.links.detectors_of[i].is_empty())
            .collect();
        // An action is reachable when its effect can be needed for a detectable fault and every
        // action it waits for is reachable: a fixed point, so cycles stay unreachable.
        let base: Vec<bool> = scenario
            .actions
            .iter()
            .map(|a| {
                // The faults on the action's target, the only ones it can act on.
                let mut on_target = scenario.links.faults_on[a.target]
                    .iter()
                    .copied()
                    .filter(|&f| detectable[f]);
                let cause_ok = |f: usize| a.requires_diagnosis.is_none_or(|c| c == faults[f].cause);
                match a.effect {
                    ActionEffect::Contain | ActionEffect::Recover => on_target.any(cause_ok),
                    ActionEffect::RestoreData => {
                        let queue = scenario.systems[a.target].retry_retention.is_some();
                        on_target
                            .any(|f| a.backfill || (queue && faults[f].mode == EffectMode::Loud))
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
            scenario.links.actions_on[faults[f].flow].iter().any(|&i| {
                let a = &scenario.actions[i];
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

/// The least share of runs whose onset falls after the horizon worth a warning: below it, a
/// distribution's far tail (an exponential's never ends) would warn about almost nothing.
const LATE_ONSET_WARNING: f64 = 0.001;

/// Appends warnings for `scenario` (compiled from `source`) to `diagnostics`.
pub fn lint(scenario: &Scenario, source: &str, diagnostics: &mut Diagnostics) {
    let reach = Reach::of(scenario);
    let ids = IdSpans::new(source);
    let horizon = scenario.meta.horizon;
    let mut warn = |span: Option<Range<usize>>, path: String, message: String, hint: String| {
        diagnostics.push(Diagnostic::warning(span, path, message).with_hint(hint));
    };

    for (i, fault) in scenario.faults.iter().enumerate() {
        // Found only for a warning: searching the source for every fault would cost the
        // file's size per fault.
        let (path, span) = (format!("faults[{i}]"), || ids.span(&fault.id));
        if !reach.possible[i] {
            warn(
                span(),
                path,
                format!(
                    "fault `{}` begins at or after the horizon, so it never happens",
                    fault.id
                ),
                "move the onset earlier or the horizon later".into(),
            );
            continue;
        }
        // Exact from the onset distribution, so the author hears it before running: runs whose
        // onset falls after the horizon have no incident and score nothing.
        let late = fault.onset.share_at_or_after(horizon);
        if late >= LATE_ONSET_WARNING {
            warn(
                span(),
                path.clone(),
                format!(
                    "fault `{}` begins after the horizon in {:.1}% of runs (from its onset \
                     distribution), so those runs have no incident from it",
                    fault.id,
                    100.0 * late
                ),
                "move the onset earlier, narrow its distribution, or make the horizon later".into(),
            );
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
                span(),
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
                span(),
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
        let why = if scenario.links.faults_on[action.target].is_empty() {
            format!("no fault targets `{target}`")
        } else if action.after.iter().any(|&b| !reach.action[b]) {
            "it waits for an action that never runs".to_string()
        } else if action.effect == ActionEffect::RestoreData
            && let Some(platform) = &scenario.systems[action.target].platform
            && platform.history.is_none()
        {
            format!(
                "`{target}` runs on {} with history = \"none\": failed runs are not kept to replay, and the action does not backfill",
                platform.kind.title()
            )
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
            ids.span(&action.id),
            format!("actions[{i}]"),
            format!("action `{}` can never run: {why}", action.id),
            "point it at a faulted flow, fix its preconditions, or remove it".into(),
        );
    }

    platform_warnings(scenario, source, &mut warn);

    // Who can be paged, in one pass over what pages (not one per role).
    let mut paged = vec![false; scenario.roles.len()];
    for severity in &scenario.escalation.severities {
        for &r in &severity.page {
            paged[r] = true;
        }
    }
    for r in scenario.detectors.iter().filter_map(|d| d.notifies) {
        paged[r] = true;
    }
    for (a, action) in scenario.actions.iter().enumerate() {
        if reach.action[a] {
            paged[action.by] = true;
            if let Some(approver) = action.approver {
                paged[approver] = true;
            }
        }
    }
    // A writer on a [comms] cadence is paged when its first update falls due.
    for c in &scenario.comms.cadence {
        paged[scenario.comms.templates[c.template].by] = true;
    }
    for (i, role) in scenario.roles.iter().enumerate() {
        if role.kind == RoleKind::Stakeholder {
            continue;
        }
        if !paged[i] {
            warn(
                ids.span(&role.id),
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
                ids.span(&objective.id),
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
        let at = inject.at.delay();
        if at >= horizon {
            warn(
                ids.span(&inject.id),
                format!("injects[{i}].at"),
                format!(
                    "inject `{}` is due after the horizon and never arrives",
                    inject.id
                ),
                "schedule it before the horizon or lengthen scenario.horizon".into(),
            );
        }
        if let InjectTrigger::Decision(m, _) = &inject.at
            && let Some(audience) = &m.audience
            && !(scenario.comms.audiences.iter()).any(|a| a.eq_ignore_ascii_case(audience))
        {
            let known = &scenario.comms.audiences;
            warn(
                span_of_id(source, &inject.id),
                format!("injects[{i}].at.audience"),
                format!(
                    "inject `{}` follows an update to `{audience}`, which no [comms] template \
                     sends: in simulated runs it never arrives",
                    inject.id
                ),
                if known.is_empty() {
                    "add a [[comms.templates]] entry for that audience, or leave it for people \
                     in a drill to type"
                        .into()
                } else {
                    format!(
                        "name a template's audience ({}), or leave it for people in a drill to type",
                        known.join(", ")
                    )
                },
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

    super::leak::lint(scenario, source, diagnostics);
}

/// Where each `id = "<id>"` is written, found in one pass over the source: searching the whole
/// source once per warning cost its size times the number of warnings (10,000 unpaged roles
/// took seconds). The same span as [`span_of_id`], which ids with a quote or a line break
/// still use.
struct IdSpans<'s> {
    source: &'s str,
    first: HashMap<&'s str, Range<usize>>,
}

impl<'s> IdSpans<'s> {
    fn new(source: &'s str) -> Self {
        let mut first = HashMap::new();
        let mut line_start = 0;
        for line in source.split_inclusive('\n') {
            if is_id_prefix(line) {
                let quotes: Vec<usize> = line.match_indices('"').map(|(i, _)| i).collect();
                for pair in quotes.windows(2) {
                    let (open, close) = (pair[0], pair[1]);
                    if is_id_prefix(&line[..open]) {
                        first
                            .entry(&line[open + 1..close])
                            .or_insert(line_start + open..line_start + close + 1);
                    }
                }
            }
            line_start += line.len();
        }
        IdSpans { source, first }
    }

    fn span(&self, id: &str) -> Option<Range<usize>> {
        if id.contains(['"', '\n']) {
            return span_of_id(self.source, id);
        }
        self.first.get(id).cloned()
    }
}

/// Whether text before a quote makes it the value of an `id` key: `id =` after white space.
fn is_id_prefix(before: &str) -> bool {
    let before = before.trim_start();
    before.starts_with("id") && before[2..].trim_start().starts_with('=')
}

/// Where `id = "<id>"` is written, to point warnings at the entry.
fn span_of_id(source: &str, id: &str) -> Option<Range<usize>> {
    let quoted = format!("\"{id}\"");
    let mut from = 0;
    while let Some(found) = source[from..].find(&quoted) {
        let start = from + found;
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        if is_id_prefix(&source[line_start..start]) {
            return Some(start..start + quoted.len());
        }
        from = start + quoted.len();
    }
    None
}

/// Warnings where a flow's platform makes a detector, an action or a fault behave other than
/// it reads: an error monitor the platform holds back until its retries end, a replay that
/// ends after the first failed runs left the history, and a loud trigger expiry on a platform
/// where it records no failed run.
fn platform_warnings(
    scenario: &Scenario,
    source: &str,
    warn: &mut impl FnMut(Option<Range<usize>>, String, String, String),
) {
    for (i, detector) in scenario.detectors.iter().enumerate() {
        let errors = matches!(
            detector.kind,
            DetectorKind::Monitor {
                signal: MonitorSignal::Errors,
                ..
            }
        );
        let held_back = detector.sees.iter().find_map(|&f| {
            let fault = &scenario.faults[f];
            let platform = scenario.systems[fault.flow].platform.as_ref()?;
            let delay = platform.notice_delay(fault.kind);
            (errors && delay > 0.0).then_some((fault, platform, delay))
        });
        if let Some((fault, platform, delay)) = held_back {
            warn(
                span_of_id(source, &detector.id),
                format!("detectors[{i}]"),
                format!(
                    "{} sends no error notification for `{}` until its last retry, {} after the first error: detector `{}` fires no sooner, and never for a fault that clears before",
                    platform.kind.title(),
                    scenario.systems[fault.flow].id,
                    format_minutes(delay),
                    detector.id
                ),
                "to hear of errors sooner add a volume monitor or a reconciliation, or set autoreplay = false".into(),
            );
        }
    }
    // A replay that cannot come before the first failed runs leave the platform's history.
    for (i, action) in scenario.actions.iter().enumerate() {
        let flow = &scenario.systems[action.target];
        let (Some(platform), Some(keep)) = (&flow.platform, flow.retry_retention) else {
            continue;
        };
        if action.effect != ActionEffect::RestoreData || action.backfill || keep.is_infinite() {
            continue;
        }
        // The replay waits for the fault to end: it clears by itself or is recovered.
        let recovered = scenario
            .actions
            .iter()
            .filter(|a| a.target == action.target && a.effect == ActionEffect::Recover)
            .map(|a| a.duration.lower_bound());
        let ends = scenario
            .faults
            .iter()
            .filter(|f| f.flow == action.target)
            .map(|f| {
                let heals = f.lasts.as_ref().map_or(f64::INFINITY, |d| d.lower_bound());
                recovered.clone().fold(heals, f64::min)
            })
            .fold(f64::INFINITY, f64::min);
        let earliest = ends + action.duration.lower_bound();
        if earliest.is_finite() && keep < earliest {
            warn(
                span_of_id(source, &action.id),
                format!("actions[{i}]"),
                format!(
                    "action `{}` replays from {}'s history of `{}`, which keeps a failed run {} after its error, but the replay ends at least {} after a fault begins: the first failed runs are gone by then",
                    action.id,
                    platform.kind.title(),
                    flow.id,
                    format_minutes(keep),
                    format_minutes(earliest)
                ),
                "keep history longer (the platform's default), or add backfill = true to re-send from the source".into(),
            );
        }
    }
    for (i, fault) in scenario.faults.iter().enumerate() {
        let Some(platform) = &scenario.systems[fault.flow].platform else {
            continue;
        };
        if fault.mode == EffectMode::Loud && !platform.signals_errors(fault.kind) {
            warn(
                span_of_id(source, &fault.id),
                format!("faults[{i}]"),
                format!(
                    "fault `{}` is an expired trigger connection on {} flow `{}`: the flow stops without failed runs, so no error monitor sees it",
                    fault.id,
                    platform.kind.title(),
                    scenario.systems[fault.flow].id
                ),
                "use effect mode \"silent\" (items lost) or \"delay\" (picked up after re-authentication) and detect it with a reconciliation, a volume monitor or a user report".into(),
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {

    fn warnings(text: &str) -> Vec<String> {
        let loaded = crate::scenario::from_str("t.toml", text).unwrap_or_else(|e| panic!("{e}"));
        loaded
            .warnings
            .warnings()
            .map(|d| d.message.clone())
            .collect()
    }

    /// A sound scenario without warnings, for tests to vary.
    pub(crate) const BASE: &str = r#"
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
    fn warns_with_the_exact_share_of_onsets_after_the_horizon() {
        // Uniform over 0..10h with an 8h horizon: exactly 20% of runs have no incident.
        let text = BASE.replacen(
            "onset = \"10m\"",
            "onset = { dist = \"uniform\", min = \"0m\", max = \"10h\" }",
            1,
        );
        assert_ne!(text, BASE);
        let found = warnings(&text);
        assert_eq!(
            found,
            vec![
                "fault `f` begins after the horizon in 20.0% of runs (from its onset distribution), so those runs have no incident from it"
            ],
        );
        assert!(warnings(BASE).is_empty());
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

    #[test]
    fn warns_about_an_inject_after_an_update_to_an_audience_no_template_writes_to() {
        let text = format!(
            "{BASE}\n[[injects]]\nid = \"told\"\nat = {{ after = \"update_sent\", audience = \"board\" }}\n\
             to = \"oncall\"\ntext = \"the board read it\"\n"
        );
        assert_eq!(
            warnings(&text),
            vec![
                "inject `told` follows an update to `board`, which no [comms] template sends: \
                 in simulated runs it never arrives"
            ]
        );
    }
}
