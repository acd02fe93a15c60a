//! The exercise around the incident: scripted injects and the random deck, communication
//! templates and their cadence, discussion modules, objectives and their rating thresholds.
//!
//! These refer to roles, root causes, severity levels and milestones compiled or fixed
//! elsewhere; here each reference is checked, nothing about the landscape or the runbook is.

use super::values::{Index, intern};
use super::{Compiler, RawScenario};
use crate::scenario::comms::DEFAULT_JARGON;
use crate::scenario::diagnostic::Diagnostic;
use crate::scenario::raw::{
    DurationText, Located, RawAfter, RawCard, RawDeck, RawInject, RawInjectTime, RawModule,
    RawObjective, RawRatings,
};
use crate::scenario::{
    Action, Cadence, Comms, CommsField, DecisionKind, DecisionMatch, Deck, Inject, InjectTime,
    InjectTrigger, Message, Metric, Milestone, Module, Objective, RatingThresholds, Role, Template,
    TemplateKind,
};

/// What an inject refers to besides its message: roles, actions and root causes.
pub(super) struct InjectScope<'a> {
    pub(super) roles: &'a [Option<Role>],
    pub(super) roles_index: &'a Index,
    pub(super) actions: &'a [Option<Action>],
    pub(super) actions_index: &'a Index,
    pub(super) causes: &'a [String],
}

/// What an inject's `after` names: a milestone, or a kind of decision.
#[derive(Debug, Clone, Copy)]
enum Anchor {
    Milestone(Milestone),
    Decision(DecisionKind),
}

/// What an inject and a deck card have in common: the message a role receives.
struct RawMessage<'r> {
    to: &'r Located<String>,
    from: &'r Option<String>,
    text: &'r str,
    load: &'r Option<Located<i64>>,
    misleads: bool,
    reveals: &'r Option<Located<String>>,
}

impl<'r> From<&'r RawInject> for RawMessage<'r> {
    fn from(inject: &'r RawInject) -> Self {
        RawMessage {
            to: &inject.to,
            from: &inject.from,
            text: &inject.text,
            load: &inject.load,
            misleads: inject.misleads,
            reveals: &inject.reveals,
        }
    }
}

impl<'r> From<&'r RawCard> for RawMessage<'r> {
    fn from(card: &'r RawCard) -> Self {
        RawMessage {
            to: &card.to,
            from: &card.from,
            text: &card.text,
            load: &card.load,
            misleads: card.misleads,
            reveals: &card.reveals,
        }
    }
}

impl Compiler<'_> {
    /// The message of an inject or card at `path`; it may reveal only a known root cause.
    fn message(
        &mut self,
        m: RawMessage<'_>,
        path: &str,
        roles: &Index,
        causes: &[String],
    ) -> Option<Message> {
        let to = self.reference(roles, m.to, &format!("{path}.to"), "role");
        let load = match m.load {
            Some(l) => self.count(l, &format!("{path}.load"), 0),
            None => Some(0),
        };
        let reveals = match m.reveals {
            Some(r) => self.cause(causes, r, &format!("{path}.reveals")).map(Some),
            None => Some(None),
        };
        Some(Message {
            to: to?,
            from: m.from.clone().unwrap_or_default(),
            text: m.text.to_string(),
            load: load?,
            misleads: m.misleads,
            reveals: reveals?,
        })
    }

    pub(super) fn inject(
        &mut self,
        inject: &RawInject,
        i: usize,
        scope: &InjectScope<'_>,
    ) -> Option<Inject> {
        let path = format!("injects[{i}]");
        let at = self.trigger(&inject.at, &format!("{path}.at"), scope);
        let message = self.message(inject.into(), &path, scope.roles_index, scope.causes);
        let (at, unless) = at?;
        Some(Inject {
            id: inject
                .id
                .as_ref()
                .map_or_else(|| format!("inject-{}", i + 1), |id| id.get_ref().clone()),
            at,
            unless,
            message: message?,
            expect: inject.expect.clone(),
        })
    }

    /// `[deck]`: cards drawn at random, each with a weight; the running totals of the weights
    /// are kept for sampling.
    pub(super) fn deck(
        &mut self,
        deck: &RawDeck,
        roles: &Index,
        causes: &[String],
    ) -> Option<Deck> {
        let draw_every = self.dist(&deck.draw_every, "deck.draw_every");
        if let Some(d) = &draw_every
            && d.upper_bound() == Some(0.0)
        {
            self.error(
                Some(deck.draw_every.span()),
                "deck.draw_every",
                "draws must be more than 0 apart",
            );
        }
        let max_draws = match &deck.max_draws {
            Some(n) => self.count(n, "deck.max_draws", 0),
            None => Some(1000),
        };
        if deck.cards.get_ref().is_empty() {
            self.error(
                Some(deck.cards.span()),
                "deck.cards",
                "the deck has no cards",
            )
            .hint = Some(
                "add cards such as { weight = 1, to = \"on-call\", text = \"...\" } \
                 or remove [deck]"
                    .into(),
            );
        }
        let mut total = 0.0;
        let mut cumulative = Vec::new();
        let cards: Vec<Option<Message>> = deck
            .cards
            .get_ref()
            .iter()
            .enumerate()
            .map(|(i, card)| {
                let path = format!("deck.cards[{i}]");
                let weight = match &card.weight {
                    Some(w) => self.non_negative(w, &format!("{path}.weight")),
                    None => Some(1.0),
                };
                total += weight.unwrap_or(0.0);
                cumulative.push(total);
                self.message(card.into(), &path, roles, causes)
            })
            .collect();
        if total <= 0.0 && !deck.cards.get_ref().is_empty() {
            self.error(
                Some(deck.cards.span()),
                "deck.cards",
                "all card weights are 0",
            );
        }
        Some(Deck {
            draw_every: draw_every?,
            max_draws: max_draws?,
            cards: cards.into_iter().collect::<Option<Vec<_>>>()?,
            cumulative_weights: cumulative,
        })
    }

    pub(super) fn module(&mut self, m: &RawModule, i: usize) -> Option<Module> {
        let starts = self.time(&m.starts, &format!("modules[{i}].starts"));
        Some(Module {
            id: m.id.get_ref().clone(),
            title: m.title.clone().unwrap_or_else(|| m.id.get_ref().clone()),
            starts: starts?,
            questions: m.questions.clone(),
        })
    }

    /// `[comms]`: templates (their roles and fields), cadence rules (their severities and
    /// templates) and the jargon list.
    pub(super) fn comms(
        &mut self,
        raw: &RawScenario,
        roles: &[Option<Role>],
        roles_index: &Index,
    ) -> Option<Comms> {
        let templates_index = self.unique_ids("comms.templates", raw.ids_of("comms.templates"));
        let mut audiences: Vec<String> = Vec::new();
        let templates: Vec<Option<Template>> = raw
            .templates
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let t = t.as_ref()?;
                let path = format!("comms.templates[{i}]");
                let kind = self
                    .one_of(
                        &t.kind,
                        &format!("{path}.kind"),
                        "template kind",
                        &TemplateKind::NAMES.map(|n| (n, n)),
                    )
                    .and_then(TemplateKind::from_name);
                let audience_name = t.audience.get_ref().trim();
                let audience = if audience_name.is_empty() {
                    self.error(
                        Some(t.audience.span()),
                        format!("{path}.audience"),
                        "an audience cannot be empty",
                    )
                    .hint = Some("name who reads it, e.g. \"executives\" or \"customers\"".into());
                    None
                } else {
                    Some(intern(&mut audiences, audience_name))
                };
                let by = self
                    .reference(roles_index, &t.by, &format!("{path}.by"), "role")
                    .filter(|&r| self.responder(roles, r, &t.by, &format!("{path}.by")));
                let mut required: Vec<CommsField> = Vec::new();
                let mut ok = true;
                for (j, field) in t.required.iter().enumerate() {
                    let field_path = format!("{path}.required[{j}]");
                    match self.one_of(
                        field,
                        &field_path,
                        "field",
                        &CommsField::NAMES.map(|n| (n, n)),
                    ) {
                        Some(name) => {
                            let f = CommsField::from_name(name).expect("a listed name");
                            if required.contains(&f) {
                                self.error(
                                    Some(field.span()),
                                    field_path,
                                    format!("`{name}` is listed twice"),
                                );
                                ok = false;
                            }
                            required.push(f);
                        }
                        None => ok = false,
                    }
                }
                required.sort_by_key(|f| *f as usize);
                required.dedup();
                let kind = kind?;
                ok.then_some(())?;
                Some(Template {
                    id: t.id.get_ref().clone(),
                    kind,
                    audience: audience?,
                    channel: t.channel.clone().unwrap_or_default(),
                    by: by?,
                    required,
                    jargon_check: t
                        .jargon_check
                        .unwrap_or(kind == TemplateKind::CustomerNotice),
                })
            })
            .collect();
        let levels: Vec<&str> = raw
            .escalation
            .iter()
            .flat_map(|e| {
                e.severities
                    .get_ref()
                    .iter()
                    .map(|s| s.level.get_ref().as_str())
            })
            .collect();
        let levels_index = Index::new(levels.iter().copied());
        let mut seen: Vec<(usize, usize)> = Vec::new();
        let cadence: Vec<Option<Cadence>> = raw
            .cadence
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c = c.as_ref()?;
                let path = format!("comms.cadence[{i}]");
                let severity = self.reference(
                    &levels_index,
                    &c.severity,
                    &format!("{path}.severity"),
                    "severity level",
                );
                let template = self.reference(
                    &templates_index,
                    &c.template,
                    &format!("{path}.template"),
                    "template",
                );
                let every = self.positive_duration(&c.every, &format!("{path}.every"));
                let grace = match &c.grace {
                    Some(g) => self.duration(g, &format!("{path}.grace")),
                    None => every,
                };
                if let (Some(s), Some(t)) = (severity, template) {
                    if seen.contains(&(s, t)) {
                        self.error(
                            Some(c.template.span()),
                            format!("{path}.template"),
                            format!(
                                "`{}` already has a cadence at {}",
                                c.template.get_ref(),
                                c.severity.get_ref()
                            ),
                        )
                        .hint = Some("give each template one cadence per severity".into());
                    }
                    seen.push((s, t));
                }
                Some(Cadence {
                    severity: severity?,
                    template: template?,
                    every: every?,
                    grace: grace?,
                })
            })
            .collect();
        let jargon = match &raw.jargon {
            Some(words) => words
                .iter()
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect(),
            None => DEFAULT_JARGON.iter().map(|w| w.to_string()).collect(),
        };
        Some(Comms {
            templates: templates.into_iter().collect::<Option<_>>()?,
            cadence: cadence.into_iter().collect::<Option<_>>()?,
            audiences,
            jargon,
        })
    }

    /// A module's start: a time from scenario start (`"2h"`) or a delay after a milestone;
    /// what only an inject's `at` may hold (`unless`, a decision and its filters) is an error.
    fn time(&mut self, at: &Located<RawInjectTime>, path: &str) -> Option<InjectTime> {
        let after = match at.get_ref() {
            RawInjectTime::At(text) => {
                return self
                    .duration(&Located::new(at.span(), text.clone()), path)
                    .map(InjectTime::At);
            }
            RawInjectTime::After(after) => after,
        };
        let extras = [
            ("unless", &after.unless),
            ("by", &after.by),
            ("action", &after.action),
            ("audience", &after.audience),
        ];
        for (key, value) in extras {
            if let Some(value) = value {
                self.error(
                    Some(value.span()),
                    format!("{path}.{key}"),
                    format!(
                        "`{key}` is for injects: a module starts at a time or after a milestone"
                    ),
                )
                .hint = Some(format!("remove `{key}`"));
            }
        }
        let milestone = self.one_of(
            &after.after,
            &format!("{path}.after"),
            "milestone",
            &Milestone::ALL.map(|m| (m.name(), m)),
        );
        let delay = self.delay(after, path);
        let ok = extras.iter().all(|(_, v)| v.is_none());
        ok.then_some(())?;
        milestone.zip(delay).map(|(m, d)| InjectTime::After(m, d))
    }

    fn delay(&mut self, after: &RawAfter, path: &str) -> Option<f64> {
        match &after.delay {
            Some(d) => self.duration(d, &format!("{path}.delay")),
            None => Some(0.0),
        }
    }

    /// An inject's `at`: a time or a milestone as for a module, or a kind of decision
    /// (`after = "escalated"`; `"acknowledged"` with a filter is the decision, not the
    /// milestone) with its filters, and the milestone in `unless` that calls it off.
    fn trigger(
        &mut self,
        at: &Located<RawInjectTime>,
        path: &str,
        scope: &InjectScope<'_>,
    ) -> Option<(InjectTrigger, Option<Milestone>)> {
        let RawInjectTime::After(after) = at.get_ref() else {
            return self.time(at, path).map(|t| (InjectTrigger::Time(t), None));
        };
        let anchors: Vec<(&str, Anchor)> = (Milestone::ALL.iter())
            .map(|&m| (m.name(), Anchor::Milestone(m)))
            .chain(
                (DecisionKind::ALL.iter())
                    .filter(|&&k| k != DecisionKind::Acknowledged)
                    .map(|&k| (k.name(), Anchor::Decision(k))),
            )
            .collect();
        let filtered = after.by.is_some() || after.action.is_some() || after.audience.is_some();
        let anchor = self
            .one_of(
                &after.after,
                &format!("{path}.after"),
                "milestone or decision",
                &anchors,
            )
            .map(|anchor| match anchor {
                Anchor::Milestone(Milestone::Acknowledged) if filtered => {
                    Anchor::Decision(DecisionKind::Acknowledged)
                }
                other => other,
            });
        let delay = self.delay(after, path);
        let unless = match &after.unless {
            Some(u) => self
                .one_of(
                    u,
                    &format!("{path}.unless"),
                    "milestone",
                    &Milestone::ALL.map(|m| (m.name(), m)),
                )
                .map(Some),
            None => Some(None),
        };
        if let (Some(Anchor::Milestone(m)), Some(Some(u)), Some(raw)) =
            (anchor, unless, &after.unless)
            && m == u
        {
            self.error(
                Some(raw.span()),
                format!("{path}.unless"),
                format!(
                    "the inject follows `{}` and is called off by it: it never arrives",
                    m.name()
                ),
            )
            .hint = Some("call it off by a milestone that may come before it is due".into());
        }
        let decision = match anchor? {
            Anchor::Milestone(m) => {
                for (key, value) in [
                    ("by", &after.by),
                    ("action", &after.action),
                    ("audience", &after.audience),
                ] {
                    if let Some(value) = value {
                        self.error(
                            Some(value.span()),
                            format!("{path}.{key}"),
                            format!(
                                "`{key}` filters decisions, and `{}` is a milestone",
                                m.name()
                            ),
                        )
                        .hint = Some(format!(
                            "follow a decision (after = {}), or remove `{key}`",
                            DecisionKind::NAMES.map(|n| format!("\"{n}\"")).join(", ")
                        ));
                        return None;
                    }
                }
                None
            }
            Anchor::Decision(kind) => Some(self.decision_match(after, kind, path, scope)?),
        };
        let (delay, unless) = (delay?, unless?);
        let trigger = match (decision, anchor?) {
            (Some(m), _) => InjectTrigger::Decision(m, delay),
            (None, Anchor::Milestone(m)) => InjectTrigger::Time(InjectTime::After(m, delay)),
            (None, Anchor::Decision(_)) => unreachable!("a decision anchor has its match"),
        };
        Some((trigger, unless))
    }

    /// The filters of an inject after a decision of `kind`: `by` a role (a responder; not for
    /// escalations), `action` (approvals only: an action someone else approves), `audience`
    /// (updates only).
    fn decision_match(
        &mut self,
        after: &RawAfter,
        kind: DecisionKind,
        path: &str,
        scope: &InjectScope<'_>,
    ) -> Option<DecisionMatch> {
        let mut ok = true;
        let name = kind.name();
        let misplaced: [(&str, &Option<Located<String>>, bool, String); 3] = [
            (
                "by",
                &after.by,
                kind == DecisionKind::Escalated,
                "cannot filter escalations: simulated runs escalate only automatically, by no role"
                    .into(),
            ),
            (
                "action",
                &after.action,
                kind != DecisionKind::Approved,
                format!("filters approvals only (after = \"approved\"), not `{name}`"),
            ),
            (
                "audience",
                &after.audience,
                kind != DecisionKind::UpdateSent,
                format!("filters updates only (after = \"update_sent\"), not `{name}`"),
            ),
        ];
        for (key, value, wrong, why) in misplaced {
            if let (Some(value), true) = (value, wrong) {
                self.error(
                    Some(value.span()),
                    format!("{path}.{key}"),
                    format!("`{key}` {why}"),
                )
                .hint = Some(format!("remove `{key}`"));
                ok = false;
            }
        }
        let by = match &after.by {
            Some(name) if kind != DecisionKind::Escalated => {
                let by_path = format!("{path}.by");
                self.reference(scope.roles_index, name, &by_path, "role")
                    .filter(|&r| self.responder(scope.roles, r, name, &by_path))
                    .map(Some)
            }
            _ => Some(None),
        };
        let action = match &after.action {
            Some(name) if kind == DecisionKind::Approved => {
                let action_path = format!("{path}.action");
                let a = self.reference(scope.actions_index, name, &action_path, "action");
                if let Some(Some(spec)) = a.and_then(|a| scope.actions.get(a))
                    && spec.approver_other_than_performer().is_none()
                {
                    self.error(
                        Some(name.span()),
                        action_path,
                        format!("`{}` is never approved: nobody but its performer decides it", spec.id),
                    )
                    .hint = Some(
                        "name an action with `requires.approval` and an approver other than its `by`"
                            .into(),
                    );
                    ok = false;
                }
                a.map(Some)
            }
            _ => Some(None),
        };
        let audience = match &after.audience {
            Some(a) if kind == DecisionKind::UpdateSent => {
                if a.get_ref().trim().is_empty() {
                    self.error(
                        Some(a.span()),
                        format!("{path}.audience"),
                        "an audience cannot be empty",
                    )
                    .hint =
                        Some("name who reads it, e.g. \"executives\", or remove `audience`".into());
                    ok = false;
                }
                Some(a.get_ref().trim().to_string())
            }
            _ => None,
        };
        let (by, action) = (by?, action?);
        ok.then_some(DecisionMatch {
            kind,
            by,
            action,
            audience,
        })
    }

    pub(super) fn objective(
        &mut self,
        o: &RawObjective,
        i: usize,
        horizon: f64,
    ) -> Option<Objective> {
        let path = format!("objectives[{i}]");
        let metric = match Metric::from_name(o.metric.get_ref()) {
            Some(m) => Some(m),
            None => {
                let d = Diagnostic::error(
                    Some(o.metric.span()),
                    format!("{path}.metric"),
                    format!("unknown metric `{}`", o.metric.get_ref()),
                )
                .with_suggestion(o.metric.get_ref(), Metric::NAMES)
                .with_hint_if_none(format!("use one of: {}", Metric::NAMES.join(", ")));
                self.diagnostics.push(d);
                None
            }
        };
        let target = match (metric, o.target.get_ref()) {
            (Some(Metric::TimeTo(_)), toml::Value::String(text)) => self.duration(
                &Located::new(o.target.span(), DurationText(text.clone())),
                &format!("{path}.target"),
            ),
            (Some(Metric::TimeTo(_)), other) => {
                self.error(
                    Some(o.target.span()),
                    format!("{path}.target"),
                    format!(
                        "a time target must be a duration string, found {}",
                        other.type_str()
                    ),
                )
                .hint = Some("write e.g. target = \"30m\"".into());
                None
            }
            (Some(_), toml::Value::Integer(n)) if *n >= 0 => Some(*n as f64),
            (Some(_), other) => {
                self.error(
                    Some(o.target.span()),
                    format!("{path}.target"),
                    format!("a count target must be a whole number of 0 or more, found {other}"),
                )
                .hint = Some("write e.g. target = 0".into());
                None
            }
            (None, _) => None,
        };
        let time_box = match &o.time_box {
            Some(t) => self.positive_duration(t, &format!("{path}.time_box")),
            None => Some(horizon),
        };
        if let (Some(Metric::TimeTo(_)), Some(target), Some(time_box), Some(tb)) =
            (metric, target, time_box, &o.time_box)
            && target > time_box
        {
            self.error(
                Some(tb.span()),
                format!("{path}.time_box"),
                "the time box is shorter than the target",
            )
            .hint =
                Some("a time box is the hard limit: make it at least as long as the target".into());
        }
        let ratings = self.ratings(&o.ratings, &path);
        Some(Objective {
            id: o.id.get_ref().clone(),
            text: o.text.clone().unwrap_or_default(),
            metric: metric?,
            target: target?,
            time_box: time_box?,
            ratings: ratings?,
        })
    }

    fn ratings(
        &mut self,
        raw: &Option<Located<RawRatings>>,
        path: &str,
    ) -> Option<RatingThresholds> {
        let Some(raw) = raw else {
            return Some(RatingThresholds::default());
        };
        let defaults = RatingThresholds::default();
        let r = raw.get_ref();
        let thresholds = RatingThresholds {
            performed: r.performed.unwrap_or(defaults.performed),
            some_challenges: r.some_challenges.unwrap_or(defaults.some_challenges),
            major_challenges: r.major_challenges.unwrap_or(defaults.major_challenges),
        };
        let ordered = 0.0 <= thresholds.major_challenges
            && thresholds.major_challenges <= thresholds.some_challenges
            && thresholds.some_challenges <= thresholds.performed
            && thresholds.performed <= 1.0;
        if !ordered {
            self.error(
                Some(raw.span()),
                format!("{path}.ratings"),
                "rating thresholds must satisfy \
                 0 <= major_challenges <= some_challenges <= performed <= 1",
            )
            .hint = Some(
                "they are the least share of runs meeting the target, e.g. \
                 { performed = 0.9, some_challenges = 0.7, major_challenges = 0.4 }"
                    .into(),
            );
            return None;
        }
        Some(thresholds)
    }
}
