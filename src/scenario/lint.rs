//! Warnings about valid scenarios that cannot work as their author intended: a fault nothing
//! recovers, a fault nothing can detect, an onset after the horizon, an inject that never fires.

use std::ops::Range;

use super::diagnostic::{Diagnostic, Diagnostics};
use super::{ActionEffect, EffectMode, InjectTime, Scenario};

/// Appends warnings for `scenario` (compiled from `source`) to `diagnostics`.
pub fn lint(scenario: &Scenario, source: &str, diagnostics: &mut Diagnostics) {
    let horizon = scenario.meta.horizon;
    for (i, fault) in scenario.faults.iter().enumerate() {
        let path = format!("faults[{i}]");
        let span = span_of_id(source, &fault.id);
        let recoverable = scenario.actions.iter().any(|a| {
            a.effect == ActionEffect::Recover
                && a.target == fault.flow
                && a.requires_diagnosis.is_none_or(|c| c == fault.cause)
        });
        if !recoverable && fault.lasts.is_none() {
            diagnostics.push(
                Diagnostic::warning(span.clone(), &path, format!("no action recovers fault `{}`, so no run can recover", fault.id))
                    .with_hint(format!(
                        "add an action with effect = \"recover\" and target = \"{}\" (requires.diagnosis = \"{}\" if it needs one), or give the fault `lasts`",
                        scenario.systems[fault.flow].id, scenario.causes[fault.cause]
                    )),
            );
        }
        if !scenario.detectors.iter().any(|d| d.sees[i]) {
            let how = match fault.mode {
                EffectMode::Loud => "a monitor with signal = \"errors\" watching the flow",
                EffectMode::Silent | EffectMode::Delay => {
                    "a volume monitor, a reconciliation or a user report downstream of the flow"
                }
            };
            let kind = if fault.mode == EffectMode::Loud {
                "fault"
            } else {
                "silent fault"
            };
            diagnostics.push(
                Diagnostic::warning(
                    span.clone(),
                    &path,
                    format!(
                        "no detector can see {kind} `{}`, so it is never detected",
                        fault.id
                    ),
                )
                .with_hint(format!("add {how}")),
            );
        }
        if fault.onset.lower_bound() >= horizon {
            diagnostics.push(
                Diagnostic::warning(
                    span,
                    &path,
                    format!(
                        "fault `{}` begins at or after the horizon, so it never happens",
                        fault.id
                    ),
                )
                .with_hint("move the onset earlier or the horizon later"),
            );
        }
    }
    for (i, inject) in scenario.injects.iter().enumerate() {
        let at = match inject.at {
            InjectTime::At(t) => t,
            InjectTime::After(_, delay) => delay,
        };
        if at >= horizon {
            diagnostics.push(
                Diagnostic::warning(
                    span_of_id(source, &inject.id),
                    format!("injects[{i}].at"),
                    format!(
                        "inject `{}` is due after the horizon and never arrives",
                        inject.id
                    ),
                )
                .with_hint("schedule it before the horizon or lengthen scenario.horizon"),
            );
        }
    }
}

/// Where `id = "<id>"` is written, to point warnings at the entry.
fn span_of_id(source: &str, id: &str) -> Option<Range<usize>> {
    let quoted = format!("\"{id}\"");
    let mut from = 0;
    while let Some(found) = source[from..].find(&quoted) {
        let start = from + found;
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        if source[line_start..start].trim_start().starts_with("id") {
            return Some(start..start + quoted.len());
        }
        from = start + quoted.len();
    }
    None
}
