//! Who responds and how: roles (latencies, working hours, overload), the escalation policy,
//! the runbook's actions and their RACI tables.
//!
//! Roles and escalation are compiled before the actions, which are checked against them
//! (a stakeholder never acts or approves). What happens during a run is the model's business;
//! this module only checks that the runbook can be followed.

use super::Compiler;
use super::values::Index;
use crate::scenario::diagnostic::Diagnostic;
use crate::scenario::dist::Dist;
use crate::scenario::duration::parse_working_hours;
use crate::scenario::raw::{Located, RawAction, RawDist, RawEscalation, RawRaci, RawRole};
use crate::scenario::{
    Action, ActionEffect, Escalation, Raci, Role, RoleKind, SeverityLevel, System, SystemKind,
};

/// What actions are checked against, compiled before them.
pub(super) struct ActionScope<'s> {
    pub(super) roles: &'s [Option<Role>],
    pub(super) roles_index: &'s Index,
    pub(super) systems: &'s [Option<System>],
    pub(super) systems_index: &'s Index,
    pub(super) actions_index: &'s Index,
    /// Root causes a diagnosis may name.
    pub(super) causes: &'s [String],
    /// The approver of `[escalation]`, who approves actions that name none.
    pub(super) policy_approver: Option<usize>,
    /// Whether there is an `[escalation]` at all: without one, its absence is the error
    /// reported, not each action left without an approver.
    pub(super) has_escalation: bool,
    /// Whether any action declares RACI; then one without is worth a warning.
    pub(super) uses_raci: bool,
}

impl Compiler<'_> {
    /// Whether `role` acts (is not a stakeholder); reports an error at `name` if not.
    pub(super) fn responder(
        &mut self,
        roles: &[Option<Role>],
        role: usize,
        name: &Located<String>,
        path: &str,
    ) -> bool {
        let Some(Some(r)) = roles.get(role) else {
            return true;
        };
        if r.kind == RoleKind::Stakeholder {
            self.error(
                Some(name.span()),
                path,
                format!("`{}` is a stakeholder, and stakeholders never act", r.id),
            )
            .hint =
                Some("name a responder, or remove `kind = \"stakeholder\"` from the role".into());
            return false;
        }
        true
    }

    pub(super) fn role(&mut self, r: &RawRole, i: usize) -> Option<Role> {
        let path = format!("roles[{i}]");
        let kind = match &r.kind {
            Some(kind) => self.one_of(
                kind,
                &format!("{path}.kind"),
                "role kind",
                &[
                    ("responder", RoleKind::Responder),
                    ("stakeholder", RoleKind::Stakeholder),
                ],
            ),
            None => Some(RoleKind::Responder),
        };
        let latency = |this: &mut Self,
                       value: &Option<Located<RawDist>>,
                       name: &str,
                       default: f64| match value {
            Some(v) => this.dist(v, &format!("{path}.{name}")),
            None => Some(Dist::Fixed(default)),
        };
        let acknowledge = latency(self, &r.acknowledge, "acknowledge", 5.0);
        let decide = latency(self, &r.decide, "decide", 10.0);
        let communicate = latency(self, &r.communicate, "communicate", 10.0);
        let wrong = match &r.wrong_diagnosis {
            Some(w) => self.probability(w, &format!("{path}.wrong_diagnosis")),
            None => Some(0.0),
        };
        if wrong == Some(1.0) {
            self.error(
                r.wrong_diagnosis.as_ref().map(|w| w.span()),
                format!("{path}.wrong_diagnosis"),
                "a role that is always wrong can never diagnose",
            )
            .hint = Some("use a chance below 1, e.g. 0.3".into());
        }
        let hours = match &r.working_hours {
            Some(h) => match parse_working_hours(h.get_ref()) {
                Some(wh) => Some(Some(wh)),
                None => {
                    self.error(
                        Some(h.span()),
                        format!("{path}.working_hours"),
                        format!("cannot read `{}` as working hours", h.get_ref()),
                    )
                    .hint =
                        Some("write \"HH:MM-HH:MM Day-Day\", e.g. \"09:00-18:00 Mon-Fri\"".into());
                    None
                }
            },
            None => Some(None),
        };
        let factor = match &r.off_hours_factor {
            Some(f) => {
                let value = *f.get_ref();
                if value < 1.0 || !value.is_finite() {
                    self.error(
                        Some(f.span()),
                        format!("{path}.off_hours_factor"),
                        format!("must be 1 or more, got {value}"),
                    )
                    .hint = Some(
                        "it multiplies the time to acknowledge outside working hours, e.g. 2.5"
                            .into(),
                    );
                    None
                } else {
                    Some(value)
                }
            }
            None => Some(1.0),
        };
        let overload = match &r.overload {
            Some(o) => {
                self.non_negative(&o.per_open_item, &format!("{path}.overload.per_open_item"))
            }
            None => Some(0.0),
        };
        let update_every = match &r.update_every {
            Some(u) => self
                .positive_duration(u, &format!("{path}.update_every"))
                .map(Some),
            None => Some(None),
        };
        Some(Role {
            id: r.id.get_ref().clone(),
            title: r.title.clone().unwrap_or_else(|| r.id.get_ref().clone()),
            kind: kind?,
            acknowledge: acknowledge?,
            decide: decide?,
            communicate: communicate?,
            wrong_diagnosis: wrong?,
            working_hours: hours?,
            off_hours_factor: factor?,
            overload_per_item: overload?,
            update_every: update_every?,
        })
    }

    /// `[escalation]`: severity levels (whom each pages) and the policy's approver, who must be
    /// a responder.
    pub(super) fn escalation(
        &mut self,
        e: &RawEscalation,
        roles: &[Option<Role>],
        roles_index: &Index,
    ) -> Option<Escalation> {
        if e.severities.get_ref().is_empty() {
            self.error(
                Some(e.severities.span()),
                "escalation.severities",
                "at least one severity level is needed",
            )
            .hint = Some(
                "e.g. severities = [{ level = \"SEV2\", acknowledge_within = \"15m\", \
                 restore_within = \"4h\", page = [\"on-call\"] }]"
                    .into(),
            );
        }
        let mut levels: Vec<&str> = Vec::new();
        for (i, s) in e.severities.get_ref().iter().enumerate() {
            let level = s.level.get_ref().as_str();
            if levels.contains(&level) {
                self.error(
                    Some(s.level.span()),
                    format!("escalation.severities[{i}].level"),
                    format!("duplicate severity level `{level}`"),
                )
                .hint = Some("every severity level needs its own name".into());
            }
            levels.push(level);
        }
        let severities: Vec<Option<SeverityLevel>> = e
            .severities
            .get_ref()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let path = format!("escalation.severities[{i}]");
                let ack = self.positive_duration(
                    &s.acknowledge_within,
                    &format!("{path}.acknowledge_within"),
                );
                let restore =
                    self.positive_duration(&s.restore_within, &format!("{path}.restore_within"));
                let page: Vec<Option<usize>> = s
                    .page
                    .iter()
                    .enumerate()
                    .map(|(j, r)| {
                        self.reference(roles_index, r, &format!("{path}.page[{j}]"), "role")
                    })
                    .collect();
                if i == 0 && s.page.is_empty() {
                    self.error(
                        Some(s.level.span()),
                        format!("{path}.page"),
                        "the first severity level pages nobody, so no one would respond",
                    )
                    .hint = Some("list the roles to page, e.g. page = [\"on-call\"]".into());
                }
                Some(SeverityLevel {
                    level: s.level.get_ref().clone(),
                    acknowledge_within: ack?,
                    restore_within: restore?,
                    page: page.into_iter().collect::<Option<_>>()?,
                })
            })
            .collect();
        let approver = match &e.approver {
            Some(a) => self
                .reference(roles_index, a, "escalation.approver", "role")
                .map(Some),
            None => Some(None),
        };
        let escalation = Escalation {
            severities: severities.into_iter().collect::<Option<_>>()?,
            auto_escalate: e.auto_escalate.unwrap_or(true),
            approver: approver?,
        };
        if let (Some(approver), Some(name)) = (escalation.approver, &e.approver) {
            self.responder(roles, approver, name, "escalation.approver");
        }
        Some(escalation)
    }

    /// The RACI table of action `a` (done `by` role index `by`, if that resolved). A table
    /// without an accountable role is a warning: the scenario runs, but nobody answers for
    /// the action.
    fn raci(
        &mut self,
        raci: &Located<RawRaci>,
        a: &RawAction,
        by: Option<usize>,
        path: &str,
        roles: &Index,
    ) -> Option<Raci> {
        let r = raci.get_ref();
        let path = format!("{path}.raci");
        let responsible = match &r.responsible {
            Some(name) if name.get_ref() != a.by.get_ref() => {
                self.error(
                    Some(name.span()),
                    format!("{path}.responsible"),
                    format!(
                        "the responsible role is `{}` but the action is done by `{}`",
                        name.get_ref(),
                        a.by.get_ref()
                    ),
                )
                .hint = Some(
                    "the responsible role does the work: make it the same as `by`, or leave it out"
                        .into(),
                );
                None
            }
            _ => by,
        };
        let accountable = match &r.accountable {
            Some(name) => Some(self.reference(roles, name, &format!("{path}.accountable"), "role")),
            None => {
                self.diagnostics.push(
                    Diagnostic::warning(
                        Some(raci.span()),
                        format!("{path}.accountable"),
                        format!("action `{}` has no accountable role", a.id.get_ref()),
                    )
                    .with_hint(
                        "name the one role that answers for it (and approves it), \
                         e.g. accountable = \"incident-commander\"",
                    ),
                );
                None
            }
        };
        let list = |this: &mut Self, names: &[Located<String>], key: &str| {
            names
                .iter()
                .enumerate()
                .map(|(j, n)| this.reference(roles, n, &format!("{path}.{key}[{j}]"), "role"))
                .collect::<Option<Vec<usize>>>()
        };
        let consulted = list(self, &r.consulted, "consulted");
        let informed = list(self, &r.informed, "informed");
        Some(Raci {
            responsible: responsible?,
            accountable: match accountable {
                Some(role) => Some(role?),
                None => None,
            },
            consulted: consulted?,
            informed: informed?,
        })
    }

    /// Action `i`: who does it, to which flow, and what it waits for (a diagnosis, other
    /// actions, an approval).
    pub(super) fn action(
        &mut self,
        a: &RawAction,
        i: usize,
        scope: &ActionScope<'_>,
    ) -> Option<Action> {
        let path = format!("actions[{i}]");
        let by = self
            .reference(scope.roles_index, &a.by, &format!("{path}.by"), "role")
            .filter(|&r| self.responder(scope.roles, r, &a.by, &format!("{path}.by")));
        let target = self
            .reference(
                scope.systems_index,
                &a.target,
                &format!("{path}.target"),
                "system",
            )
            .filter(|&t| {
                let kind = scope
                    .systems
                    .get(t)
                    .and_then(|s| s.as_ref())
                    .map(|s| s.kind);
                if kind.is_some_and(|k| k != SystemKind::Flow) {
                    self.error(
                        Some(a.target.span()),
                        format!("{path}.target"),
                        format!("`{}` is not a flow", a.target.get_ref()),
                    )
                    .hint = Some(
                        "actions act on flows (kind = \"flow\"): point it at the flow to pause, \
                         fix or replay"
                            .into(),
                    );
                    return false;
                }
                true
            });
        let effect = self.one_of(
            &a.effect,
            &format!("{path}.effect"),
            "action effect",
            &[
                ("contain", ActionEffect::Contain),
                ("recover", ActionEffect::Recover),
                ("restore_data", ActionEffect::RestoreData),
            ],
        );
        let duration = self.dist(&a.duration, &format!("{path}.duration"));
        let success = match &a.success {
            Some(s) => self.probability(s, &format!("{path}.success")),
            None => Some(1.0),
        };
        if success == Some(0.0) {
            self.error(
                a.success.as_ref().map(|s| s.span()),
                format!("{path}.success"),
                "an action that never succeeds can never help",
            )
            .hint = Some("give a success chance above 0".into());
        }
        let attempts = match &a.attempts {
            Some(n) => self.count(n, &format!("{path}.attempts"), 1),
            None => Some(3),
        };
        let requires_diagnosis = a
            .requires
            .diagnosis
            .as_ref()
            .map(|d| self.cause(scope.causes, d, &format!("{path}.requires.diagnosis")));
        let after: Vec<Option<usize>> = a
            .requires
            .after
            .iter()
            .enumerate()
            .map(|(j, name)| {
                self.reference(
                    scope.actions_index,
                    name,
                    &format!("{path}.requires.after[{j}]"),
                    "action",
                )
            })
            .collect();
        for (j, name) in a.requires.after.iter().enumerate() {
            if name.get_ref() == a.id.get_ref() {
                self.error(
                    Some(name.span()),
                    format!("{path}.requires.after[{j}]"),
                    "an action cannot wait for itself",
                );
            }
        }
        let raci = a
            .raci
            .as_ref()
            .map(|raci| self.raci(raci, a, by, &path, scope.roles_index));
        if a.raci.is_none() && scope.uses_raci {
            self.diagnostics.push(
                Diagnostic::warning(
                    Some(a.id.span()),
                    format!("{path}.raci"),
                    format!(
                        "action `{}` has no RACI: nobody is named accountable",
                        a.id.get_ref()
                    ),
                )
                .with_hint(
                    "other actions declare RACI; add raci = { accountable = \"role-id\" } \
                     here too",
                ),
            );
        }
        let accountable = raci.as_ref().and_then(|r| r.as_ref()).and_then(|r| {
            let name = a.raci.as_ref()?.get_ref().accountable.as_ref()?;
            Some((r.accountable?, name))
        });
        let approver = self.approver(a, &path, accountable, scope);
        if a.backfill && effect != Some(ActionEffect::RestoreData) {
            self.error(
                Some(a.id.span()),
                format!("{path}.backfill"),
                "`backfill` applies only to effect = \"restore_data\"",
            );
        }
        Some(Action {
            id: a.id.get_ref().clone(),
            by: by?,
            target: target?,
            effect: effect?,
            duration: duration?,
            success: success?,
            attempts: attempts?,
            requires_diagnosis: match requires_diagnosis {
                Some(d) => Some(d?),
                None => None,
            },
            after: after.into_iter().collect::<Option<Vec<_>>>()?,
            approver: approver?,
            backfill: a.backfill,
            raci: match raci {
                Some(r) => Some(r?),
                None => None,
            },
        })
    }

    /// Who approves action `a` (`Some(None)`: nobody needs to): the action's own `approver`,
    /// else, if it needs approval, its accountable role (`(index, name)` as written in its
    /// RACI), else the policy's approver. `None` when an error was reported.
    fn approver(
        &mut self,
        a: &RawAction,
        path: &str,
        accountable: Option<(usize, &Located<String>)>,
        scope: &ActionScope<'_>,
    ) -> Option<Option<usize>> {
        match (&a.approver, accountable) {
            (Some(name), _) => self
                .reference(scope.roles_index, name, &format!("{path}.approver"), "role")
                .filter(|&r| self.responder(scope.roles, r, name, &format!("{path}.approver")))
                .map(Some),
            (None, Some((role, name))) if a.requires.approval => self
                .responder(scope.roles, role, name, &format!("{path}.raci.accountable"))
                .then_some(Some(role)),
            (None, _) if a.requires.approval => {
                let policy = scope.policy_approver;
                if policy.is_none() && scope.has_escalation {
                    self.error(
                        Some(a.id.span()),
                        format!("{path}.requires.approval"),
                        "the action needs approval but nobody approves",
                    )
                    .hint = Some(
                        "set `approver = \"role-id\"` on the action or in [escalation]".into(),
                    );
                }
                Some(policy)
            }
            (None, _) => Some(None),
        }
    }
}
