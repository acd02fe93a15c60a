//! Raw scenario → validated [`Scenario`]: durations, distributions, ranges and references,
//! collecting every error of the file rather than stopping at the first.
//!
//! Each section entry is deserialized on its own, so a mistake in `[[roles]]` number 2 does not
//! hide one in `[[actions]]` number 5. Within one entry serde stops at the first shape error;
//! everything after shape (meaning, references) is checked for every value.
//!
//! This module holds the entry point and the order in which sections are compiled, which is the
//! order diagnostics come out in: later sections look up what earlier ones compiled. How each
//! section is compiled lives in the submodules (`document`: TOML into sections, `values`: single
//! values and references, `landscape`: systems, faults and detectors, `response`: roles,
//! escalation and actions, `exercise`: injects, deck, comms, modules and objectives).

mod document;
mod exercise;
mod landscape;
mod response;
mod values;

use std::collections::HashMap;
use std::ops::Range;

use toml::de::DeTable;

use super::diagnostic::{Diagnostic, Diagnostics};
use super::raw::*;
use super::{Fingerprint, Links, Scenario};
use landscape::FaultGroups;
use response::ActionScope;

/// Top-level sections, in the order the format doc presents them.
pub const SECTIONS: [&str; 14] = [
    "hot_wash",
    "scenario",
    "objectives",
    "systems",
    "causes",
    "faults",
    "detectors",
    "roles",
    "escalation",
    "actions",
    "injects",
    "deck",
    "comms",
    "modules",
];

/// Compiles scenario text. Returns `None` when any error was pushed to `diagnostics`.
pub fn compile(source: &str, diagnostics: &mut Diagnostics) -> Option<Scenario> {
    if source.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error(None, "", "the scenario file is empty").with_hint(
                "a scenario needs at least [scenario], [[systems]], [[faults]], [[roles]], \
                 [escalation] and [[actions]]; see docs/scenario-format.md or copy a file \
                 from scenarios/",
            ),
        );
        return None;
    }
    let document = parse_toml(source, diagnostics)?;
    if document.get_ref().is_empty() {
        diagnostics.push(
            Diagnostic::error(None, "", "the scenario file has no sections, only comments")
                .with_hint(
                    "a scenario needs at least [scenario], [[systems]], [[faults]], [[roles]], \
                 [escalation] and [[actions]]; see docs/scenario-format.md or start with `ttx new`",
                ),
        );
        return None;
    }
    let mut compiler = Compiler {
        diagnostics,
        raw: RawScenario::default(),
        causes_declared: false,
    };
    compiler.split_sections(document.into_inner());
    let raw = std::mem::take(&mut compiler.raw);
    compiler.build(raw, source)
}

/// The sections as deserialized. Entries keep their position; one that failed its shape check
/// is `None` (its error is already reported), but its id (and a fault's root cause) is still
/// known from the text, so references to it do not cause knock-on errors.
#[derive(Default)]
struct RawScenario {
    meta: Option<RawMeta>,
    objectives: Vec<Option<RawObjective>>,
    systems: Vec<Option<RawSystem>>,
    causes: Vec<Option<RawCause>>,
    faults: Vec<Option<RawFault>>,
    detectors: Vec<Option<RawDetector>>,
    roles: Vec<Option<RawRole>>,
    escalation: Option<RawEscalation>,
    actions: Vec<Option<RawAction>>,
    injects: Vec<Option<RawInject>>,
    deck: Option<RawDeck>,
    templates: Vec<Option<RawTemplate>>,
    cadence: Vec<Option<RawCadence>>,
    jargon: Option<Vec<String>>,
    modules: Vec<Option<RawModule>>,
    hot_wash: Option<Vec<String>>,
    /// The `id` written in each entry of each array section, by position.
    ids: HashMap<&'static str, Vec<Option<Located<String>>>>,
    /// The root cause each fault entry names (its `root_cause`, else its `kind`).
    fault_causes: Vec<String>,
    /// Sections present, to report the required ones that are not.
    seen: Vec<&'static str>,
}

impl RawScenario {
    /// The ids written in `section`'s entries (none when the section is absent).
    fn ids_of(&self, section: &str) -> &[Option<Located<String>>] {
        self.ids.get(section).map_or(&[], Vec::as_slice)
    }
}

/// One file's compilation: where diagnostics go, and the sections as split from the document
/// (taken out whole by [`Compiler::build`]).
struct Compiler<'a> {
    diagnostics: &'a mut Diagnostics,
    raw: RawScenario,
    /// Whether the file declares `[[causes]]`: then every cause named anywhere must be one of
    /// them; without it, the causes are those the faults name (the format before decoys).
    causes_declared: bool,
}

impl Compiler<'_> {
    fn error(
        &mut self,
        span: Option<Range<usize>>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::error(span, path, message));
        self.diagnostics.0.last_mut().expect("just pushed")
    }

    /// Compiles each entry that passed its shape check, keeping every entry's position.
    fn each<R, T>(
        &mut self,
        entries: &[Option<R>],
        mut compile: impl FnMut(&mut Self, &R, usize) -> Option<T>,
    ) -> Vec<Option<T>> {
        entries
            .iter()
            .enumerate()
            .map(|(i, entry)| entry.as_ref().and_then(|entry| compile(self, entry, i)))
            .collect()
    }

    /// Compiles every section, then assembles the scenario if nothing was wrong. Sections are
    /// compiled even after errors, so one run reports everything; the order below is the order
    /// of the diagnostics.
    fn build(&mut self, raw: RawScenario, source: &str) -> Option<Scenario> {
        let systems_index = self.unique_ids("systems", raw.ids_of("systems"));
        let causes_index = self.unique_ids("causes", raw.ids_of("causes"));
        let _ = self.unique_ids("faults", raw.ids_of("faults"));
        let _ = self.unique_ids("detectors", raw.ids_of("detectors"));
        let roles_index = self.unique_ids("roles", raw.ids_of("roles"));
        let actions_index = self.unique_ids("actions", raw.ids_of("actions"));
        let _ = self.unique_ids("objectives", raw.ids_of("objectives"));
        let _ = self.unique_ids("injects", raw.ids_of("injects"));

        let meta = raw.meta.as_ref().and_then(|m| self.meta(m));
        let horizon = meta.as_ref().map_or(f64::INFINITY, |m| m.horizon);
        let systems = self.each(&raw.systems, |this, s, i| this.system(s, i, &systems_index));
        self.volumes(&raw.systems, horizon);
        let roles = self.each(&raw.roles, |this, r, i| this.role(r, i));
        self.causes_declared = raw.seen.contains(&"causes");
        let declared_causes = self.each(&raw.causes, |this, c, i| this.declared_cause(c, i));
        let mut groups = if self.causes_declared {
            FaultGroups::declared(&causes_index)
        } else {
            FaultGroups::new(&raw.fault_causes)
        };
        let faults = self.each(&raw.faults, |this, f, i| {
            this.fault(f, i, &systems, &systems_index, &mut groups)
        });
        let detectors = self.each(&raw.detectors, |this, d, i| {
            this.detector(d, i, &systems_index, &roles_index)
        });
        let escalation = raw
            .escalation
            .as_ref()
            .and_then(|e| self.escalation(e, &roles, &roles_index));

        let scope = ActionScope {
            roles: &roles,
            roles_index: &roles_index,
            systems: &systems,
            systems_index: &systems_index,
            actions_index: &actions_index,
            causes: &groups.causes,
            policy_approver: escalation.as_ref().and_then(|e| e.approver),
            has_escalation: raw.escalation.is_some(),
            uses_raci: raw.actions.iter().flatten().any(|a| a.raci.is_some()),
        };
        let actions = self.each(&raw.actions, |this, a, i| this.action(a, i, &scope));

        let causes = &groups.causes;
        let inject_scope = exercise::InjectScope {
            roles: &roles,
            roles_index: &roles_index,
            actions: &actions,
            actions_index: &actions_index,
            causes,
        };
        let injects = self.each(&raw.injects, |this, inject, i| {
            this.inject(inject, i, &inject_scope)
        });
        let deck = raw
            .deck
            .as_ref()
            .map(|deck| self.deck(deck, &roles_index, causes));
        let objectives = self.each(&raw.objectives, |this, o, i| this.objective(o, i, horizon));
        let comms = self.comms(&raw, &roles, &roles_index);
        let _ = self.unique_ids("modules", raw.ids_of("modules"));
        let modules = self.each(&raw.modules, |this, m, i| this.module(m, i));

        if self.diagnostics.has_errors() {
            return None;
        }
        let systems: Vec<_> = systems.into_iter().collect::<Option<_>>()?;
        let mut faults: Vec<_> = faults.into_iter().collect::<Option<_>>()?;
        let mut detectors: Vec<_> = detectors.into_iter().collect::<Option<_>>()?;
        landscape::connect(
            &systems,
            &mut faults,
            &mut detectors,
            &raw.detectors,
            &systems_index,
        );
        let objectives: Vec<_> = objectives.into_iter().collect::<Option<_>>()?;
        if landscape::too_many_incidents(&faults) {
            self.error(None, "faults", "a scenario may have at most 64 incidents");
            return None;
        }
        if objectives.len() > 64 {
            self.error(
                None,
                "objectives",
                "a scenario may have at most 64 objectives",
            );
            return None;
        }
        let roles: Vec<_> = roles.into_iter().collect::<Option<_>>()?;
        let actions: Vec<_> = actions.into_iter().collect::<Option<_>>()?;
        let links = Links::of(
            systems.len(),
            roles.len(),
            groups.incidents.len(),
            groups.causes.len(),
            &faults,
            &detectors,
            &actions,
        );
        let causes = landscape::causes(groups.causes, declared_causes, &faults)?;
        Some(Scenario {
            meta: meta?,
            objectives,
            systems,
            faults,
            detectors,
            roles,
            escalation: escalation?,
            actions,
            injects: injects.into_iter().collect::<Option<_>>()?,
            deck: match deck {
                Some(d) => Some(d?),
                None => None,
            },
            comms: comms?,
            modules: modules.into_iter().collect::<Option<_>>()?,
            hot_wash: raw.hot_wash.clone().unwrap_or_default(),
            causes,
            incidents: groups.incidents,
            links,
            fingerprint: Fingerprint::of(source),
            source: source.to_string(),
        })
    }
}

/// Parses TOML text into a document with spans, or reports every syntax error (a scenario's,
/// a plan's) and returns `None`: other checks run once the file parses.
pub fn parse_toml<'a>(
    source: &'a str,
    diagnostics: &mut Diagnostics,
) -> Option<toml::Spanned<DeTable<'a>>> {
    let (document, syntax_errors) = DeTable::parse_recoverable(source);
    if syntax_errors.is_empty() {
        return Some(document);
    }
    for error in syntax_errors {
        diagnostics.push(
            Diagnostic::error(
                error.span(),
                "",
                format!("invalid TOML: {}", error.message().trim()),
            )
            .with_hint("fix the TOML syntax first; other checks run once the file parses"),
        );
    }
    None
}
