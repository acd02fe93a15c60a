//! The landscape that breaks: `[scenario]` (name, horizon, clock), the systems records flow
//! through, the faults that break flows and the detectors that can notice.
//!
//! Besides checking each entry, this is where the compiled pieces are connected: which systems
//! lie downstream of a fault and which faults each detector can see. It says nothing about who
//! responds; that is `response`.

use super::Compiler;
use super::values::{Index, intern};
use crate::scenario::duration::parse_week_time;
use crate::scenario::platform::Options as PlatformOptions;
use crate::scenario::platform::{Burst, ZapierPlan};
use crate::scenario::raw::{
    DurationText, Located, RawCause, RawDetector, RawFault, RawMeta, RawSystem,
};
use crate::scenario::{
    Cause, Detector, DetectorKind, EffectMode, Fault, FaultKind, Meta, MonitorSignal, Platform,
    PlatformKind, System, SystemKind,
};

/// The longest scenario name: it is part of report file names, which may have 255 bytes.
const MAX_NAME_BYTES: usize = 100;

/// The most records one flow may move over a run's horizon (see `Compiler::volumes`).
const MAX_RECORDS: f64 = 1e15;

/// Cause ids and incidents: faults refer to both by index, and diagnoses and reveals may name
/// only the causes listed here. Incidents are numbered in order of first mention; causes in
/// `[[causes]]` order when the file declares them, else in order of first mention by faults.
pub(super) struct FaultGroups {
    pub(super) causes: Vec<String>,
    pub(super) incidents: Vec<String>,
}

impl FaultGroups {
    /// Without `[[causes]]`: starts from the cause every fault entry names in its text, so a
    /// diagnosis that names the cause of a fault with a shape error is not reported as unknown.
    pub(super) fn new(fault_causes: &[String]) -> Self {
        let mut causes = Vec::new();
        for cause in fault_causes {
            intern(&mut causes, cause);
        }
        FaultGroups {
            causes,
            incidents: Vec::new(),
        }
    }

    /// With `[[causes]]`: the declared ids, by position (an entry without a usable id holds
    /// an empty name nothing can match).
    pub(super) fn declared(causes: &Index) -> Self {
        FaultGroups {
            causes: causes.ids().to_vec(),
            incidents: Vec::new(),
        }
    }
}

/// The scenario's causes: the declared ones with their texts, or (without `[[causes]]`) the
/// ids the faults name, with no text; real = named by a fault. `None` if a declared entry did
/// not compile (its error is already reported).
pub(super) fn causes(
    ids: Vec<String>,
    declared: Vec<Option<String>>,
    faults: &[Fault],
) -> Option<Vec<Cause>> {
    let texts: Vec<String> = if declared.is_empty() {
        vec![String::new(); ids.len()]
    } else {
        declared.into_iter().collect::<Option<_>>()?
    };
    Some(
        ids.into_iter()
            .zip(texts)
            .enumerate()
            .map(|(c, (id, text))| Cause {
                id,
                text,
                real: faults.iter().any(|f| f.cause == c),
            })
            .collect(),
    )
}

impl Compiler<'_> {
    /// One `[[causes]]` entry: its text (the id is checked with the other ids).
    pub(super) fn declared_cause(&mut self, c: &RawCause, i: usize) -> Option<String> {
        self.line_of_text(&c.text, &format!("causes[{i}].text"))
    }

    /// A short text a person reads (a cause's description, a detector's message): not empty,
    /// one line.
    pub(super) fn line_of_text(&mut self, text: &Located<String>, path: &str) -> Option<String> {
        let value = text.get_ref().trim();
        if value.is_empty() || value.contains(['\n', '\r']) {
            self.error(
                Some(text.span()),
                path,
                "this text must be one non-empty line",
            )
            .hint = Some("write what a responder would read, e.g. an alert's subject".into());
            return None;
        }
        Some(value.to_string())
    }

    pub(super) fn meta(&mut self, m: &RawMeta) -> Option<Meta> {
        let name = m.name.get_ref();
        // The name becomes part of file names (reports/<name>-<date>-2.report.html): refused
        // here, not after a whole batch at the report path.
        let unfit = name.trim().is_empty()
            || name.contains(['/', '\\'])
            || name.chars().any(char::is_control)
            || name.len() > MAX_NAME_BYTES;
        if unfit {
            self.error(
                Some(m.name.span()),
                "scenario.name",
                format!(
                    "a name must be non-empty, at most {MAX_NAME_BYTES} bytes, and contain no \
                     slashes or control characters"
                ),
            )
            .hint = Some(
                "use a short slug such as \"lead-sync-schema-drift\"; it names report files".into(),
            );
        }
        let horizon = self.positive_duration(&m.horizon, "scenario.horizon");
        let start = match &m.start {
            Some(start) => match parse_week_time(start.get_ref()) {
                Some(minute) => Some(minute),
                None => {
                    self.error(
                        Some(start.span()),
                        "scenario.start",
                        format!("cannot read `{}` as a weekday and time", start.get_ref()),
                    )
                    .hint = Some(
                        "write a weekday and a 24-hour time, e.g. \"Mon 09:00\" or \"Sat 02:30\""
                            .into(),
                    );
                    None
                }
            },
            None => Some(9.0 * 60.0),
        };
        Some(Meta {
            name: name.clone(),
            title: m.title.clone().unwrap_or_else(|| name.clone()),
            player_title: m.player_title.clone(),
            description: m.description.clone().unwrap_or_default(),
            version: m.version.clone().unwrap_or_else(|| "1".to_string()),
            horizon: horizon?,
            start_minute_of_week: start?,
            tags: m.tags.clone(),
        })
    }

    /// Refuses flow rates whose records over the horizon would pass what the record counters
    /// hold exactly (they count whole records in 64 bits; past about 10^15 a run's sums lose
    /// records silently, as a rate of 10^20 a minute once reported 0 lost).
    pub(super) fn volumes(&mut self, raw: &[Option<RawSystem>], horizon: f64) {
        for (i, s) in raw.iter().enumerate() {
            let Some(rate) = s.as_ref().and_then(|s| s.records_per_minute.as_ref()) else {
                continue;
            };
            let records = rate.get_ref() * horizon;
            if horizon.is_finite() && records > MAX_RECORDS {
                self.error(
                    Some(rate.span()),
                    format!("systems[{i}].records_per_minute"),
                    format!(
                        "{} records a minute over the horizon of {horizon} minutes is about \
                         {records:.1e} records, more than the {MAX_RECORDS:.0e} a run counts \
                         exactly",
                        rate.get_ref(),
                    ),
                )
                .hint = Some("lower the rate, or the horizon".to_string());
            }
        }
    }

    pub(super) fn system(&mut self, s: &RawSystem, i: usize, index: &Index) -> Option<System> {
        let path = format!("systems[{i}]");
        let kind = self.one_of(
            &s.kind,
            &format!("{path}.kind"),
            "system kind",
            &[
                ("source", SystemKind::Source),
                ("flow", SystemKind::Flow),
                ("sink", SystemKind::Sink),
            ],
        );
        let from = s
            .from
            .as_ref()
            .map(|f| self.reference(index, f, &format!("{path}.from"), "system"));
        let to =
            s.to.as_ref()
                .map(|t| self.reference(index, t, &format!("{path}.to"), "system"));
        let rate = s
            .records_per_minute
            .as_ref()
            .map(|r| self.non_negative(r, &format!("{path}.records_per_minute")));
        let retry = s.retry_queue.as_ref().map(|q| {
            self.positive_duration(&q.retention, &format!("{path}.retry_queue.retention"))
        });
        let hold = s
            .hold_retention
            .as_ref()
            .map(|h| self.positive_duration(h, &format!("{path}.hold_retention")));
        if kind == Some(SystemKind::Flow) {
            if s.from.is_none() || s.to.is_none() {
                self.error(Some(s.id.span()), &path, "a flow needs `from` and `to`")
                    .hint = Some("name the system it reads from and the one it writes to".into());
            }
            if s.records_per_minute.is_none() {
                self.error(
                    Some(s.id.span()),
                    &path,
                    "a flow needs `records_per_minute`",
                )
                .hint = Some(
                    "estimate the records it moves per minute, e.g. records_per_minute = 20".into(),
                );
            }
        } else if kind.is_some() {
            for (present, key) in [
                (s.from.is_some(), "from"),
                (s.to.is_some(), "to"),
                (s.records_per_minute.is_some(), "records_per_minute"),
                (s.retry_queue.is_some(), "retry_queue"),
                (s.hold_retention.is_some(), "hold_retention"),
                (s.platform.is_some(), "platform"),
            ] {
                if present {
                    self.error(
                        Some(s.kind.span()),
                        format!("{path}.{key}"),
                        format!("`{key}` applies only to flows"),
                    )
                    .hint = Some(format!("set kind = \"flow\" or remove `{key}`"));
                }
            }
        }
        for (end, key) in [(&s.from, "from"), (&s.to, "to")] {
            if let Some(end) = end
                && end.get_ref() == s.id.get_ref()
            {
                self.error(
                    Some(end.span()),
                    format!("{path}.{key}"),
                    "a flow cannot feed itself",
                )
                .hint = Some("name the system it reads from and the one it writes to".into());
            }
        }
        let platform = self.platform(s, &path)?;
        // A platform keeps failed runs as its history says, counted after the last retry.
        let retry = match &platform {
            Some(p) => p.history.map(|h| Some(h + p.last_retry())),
            None => retry,
        };
        Some(System {
            id: s.id.get_ref().clone(),
            kind: kind?,
            tool: s.tool.clone().unwrap_or_default(),
            from: from.flatten(),
            to: to.flatten(),
            records_per_minute: rate.flatten().unwrap_or(0.0),
            retry_retention: match retry {
                Some(r) => Some(r?),
                None => None,
            },
            hold_retention: match hold {
                Some(h) => h?,
                None => f64::INFINITY,
            },
            platform,
        })
    }

    /// The platform profile of a system: `Some(None)` when it names none, `None` when its
    /// platform keys are in error (each reported).
    fn platform(&mut self, s: &RawSystem, path: &str) -> Option<Option<Platform>> {
        let option_keys = [
            (
                s.autoreplay.as_ref().map(|v| v.span()),
                "autoreplay",
                Some(PlatformKind::Zapier),
            ),
            (
                s.incomplete_executions.as_ref().map(|v| v.span()),
                "incomplete_executions",
                Some(PlatformKind::Make),
            ),
            (
                s.new_flow.as_ref().map(|v| v.span()),
                "new_flow",
                Some(PlatformKind::Zapier),
            ),
            (s.retry.as_ref().map(|v| v.span()), "retry", None),
            (s.history.as_ref().map(|v| v.span()), "history", None),
            (s.auto_off.as_ref().map(|v| v.span()), "auto_off", None),
            (s.polling.as_ref().map(|v| v.span()), "polling", None),
            (s.poll_limit.as_ref().map(|v| v.span()), "poll_limit", None),
            (
                s.flood_protection.as_ref().map(|v| v.span()),
                "flood_protection",
                Some(PlatformKind::Zapier),
            ),
            (
                s.webhook_limit.as_ref().map(|v| v.span()),
                "webhook_limit",
                None,
            ),
            (s.burst.as_ref().map(|v| v.at.span()), "burst", None),
            (
                s.plan.as_ref().map(|v| v.span()),
                "plan",
                Some(PlatformKind::Zapier),
            ),
            (
                s.break_handler.as_ref().map(|v| v.span()),
                "break_handler",
                Some(PlatformKind::Make),
            ),
        ];
        let Some(name) = &s.platform else {
            let mut ok = true;
            for (span, key, _) in option_keys {
                if let Some(span) = span {
                    ok = false;
                    self.error(
                        Some(span),
                        format!("{path}.{key}"),
                        format!("`{key}` applies only to a flow that names its `platform`"),
                    )
                    .hint = Some(format!(
                        "add platform = \"zapier\" (or {}) to the flow, or remove `{key}`",
                        PlatformKind::NAMES[1..].join(", ")
                    ));
                }
            }
            return ok.then_some(None);
        };
        let kind = self.one_of(
            name,
            &format!("{path}.platform"),
            "platform",
            &PlatformKind::ALL.map(|k| (k.name(), k)),
        );
        let mut ok = kind.is_some();
        if let Some(kind) = kind {
            for (span, key, only) in option_keys {
                if let (Some(span), Some(only)) = (span, only)
                    && only != kind
                {
                    ok = false;
                    self.error(
                        Some(span),
                        format!("{path}.{key}"),
                        format!(
                            "`{key}` is a {} setting, not a {} one",
                            only.title(),
                            kind.title()
                        ),
                    )
                    .hint = Some(format!(
                        "remove `{key}`, or set platform = \"{}\"",
                        only.name()
                    ));
                }
            }
        }
        if let Some(queue) = &s.retry_queue {
            ok = false;
            self.error(
                Some(queue.retention.span()),
                format!("{path}.retry_queue"),
                "a platform flow keeps failed runs in its history, not a `retry_queue`",
            )
            .hint = Some(
                "write history = \"14d\" (how long failed runs can be replayed) instead".into(),
            );
        }
        let retry = match &s.retry {
            Some(list) => {
                let mut minutes = Vec::new();
                for (j, d) in list.get_ref().iter().enumerate() {
                    match self.positive_duration(d, &format!("{path}.retry[{j}]")) {
                        Some(m) => minutes.push(m),
                        None => ok = false,
                    }
                }
                Some(minutes)
            }
            None => None,
        };
        let history = match &s.history {
            Some(h) if h.get_ref().trim() == "none" => Some(None),
            Some(h) => {
                let text = Located::new(h.span(), DurationText(h.get_ref().clone()));
                match self.positive_duration(&text, &format!("{path}.history")) {
                    Some(m) => Some(Some(m)),
                    None => {
                        ok = false;
                        None
                    }
                }
            }
            None => None,
        };
        let plan = s.plan.as_ref().and_then(|p| {
            let plan = self.one_of(
                p,
                &format!("{path}.plan"),
                "Zapier plan",
                &ZapierPlan::ALL.map(|k| (k.name(), k)),
            );
            ok &= plan.is_some();
            plan
        });
        if let (Some(plan), Some(on)) = (plan, &s.autoreplay)
            && *on.get_ref()
            && !plan.has_autoreplay()
        {
            ok = false;
            self.error(
                Some(on.span()),
                format!("{path}.autoreplay"),
                "Zapier's free plan has no autoreplay",
            )
            .hint = Some("remove `autoreplay`, or set plan = \"professional\" or above".into());
        }
        let polling = s.polling.as_ref().map(|p| {
            if p.get_ref().0.trim() == "plan" {
                if plan.is_none() {
                    self.error(
                        Some(p.span()),
                        format!("{path}.polling"),
                        "polling = \"plan\" needs the flow's Zapier `plan`",
                    )
                    .hint = Some(
                        "add plan = \"professional\" (or free, team, enterprise), or write the interval, e.g. polling = \"2m\""
                            .into(),
                    );
                }
                ok &= plan.is_some();
                return plan.map(ZapierPlan::polling);
            }
            let minutes = self.positive_duration(p, &format!("{path}.polling"));
            ok &= minutes.is_some();
            minutes
        });
        let poll_limit = s.poll_limit.as_ref().map(|n| {
            let n = self.count(n, &format!("{path}.poll_limit"), 1);
            ok &= n.is_some();
            n.map(u64::from)
        });
        let webhook_limit = s.webhook_limit.as_ref().map(|l| {
            let limit = self
                .non_negative(l, &format!("{path}.webhook_limit"))
                .filter(|&l| l > 0.0);
            if limit.is_none() {
                self.error(
                    Some(l.span()),
                    format!("{path}.webhook_limit"),
                    "must be more than 0 records a minute",
                );
            }
            ok &= limit.is_some();
            limit
        });
        let burst = s.burst.as_ref().map(|b| {
            let at = self.duration(&b.at, &format!("{path}.burst.at"));
            let records = self.count(&b.records, &format!("{path}.burst.records"), 1);
            let burst = at.zip(records).map(|(at, records)| Burst {
                at: at.max(0.0),
                records: u64::from(records),
            });
            ok &= burst.is_some();
            burst
        });
        let options = PlatformOptions {
            polling: polling.flatten(),
            poll_limit: poll_limit.flatten(),
            flood_protection: s.flood_protection.as_ref().map(|v| *v.get_ref()),
            webhook_limit: webhook_limit.flatten(),
            burst: burst.flatten(),
            plan,
            break_handler: s.break_handler.as_ref().map(|v| *v.get_ref()),
            autoreplay: s.autoreplay.as_ref().map(|v| *v.get_ref()),
            incomplete_executions: s.incomplete_executions.as_ref().map(|v| *v.get_ref()),
            retry,
            history,
            auto_off: s.auto_off.as_ref().map(|v| *v.get_ref()),
            new_flow: s.new_flow.as_ref().map(|v| *v.get_ref()),
        };
        let platform = ok.then(|| kind.map(|k| Platform::new(k, &options)))??;
        let rate = s.records_per_minute.as_ref().map_or(0.0, |r| *r.get_ref());
        if let Some(why) = platform.intake.overload(rate) {
            self.error(
                Some(s.platform.as_ref()?.span()),
                format!("{path}.platform"),
                format!(
                    "{} cannot keep up with {rate} records a minute: {why}",
                    platform.kind.title()
                ),
            )
            .hint = Some(
                "lower records_per_minute, poll more often, or raise poll_limit / webhook_limit"
                    .into(),
            );
            return None;
        }
        Some(Some(platform))
    }

    /// Fault `i`, which must target a flow. Its root cause and incident get their numbers from
    /// `groups`.
    pub(super) fn fault(
        &mut self,
        f: &RawFault,
        i: usize,
        systems: &[Option<System>],
        systems_index: &Index,
        groups: &mut FaultGroups,
    ) -> Option<Fault> {
        let path = format!("faults[{i}]");
        let kind = self
            .one_of(
                &f.kind,
                &format!("{path}.kind"),
                "fault kind",
                &FaultKind::NAMES.map(|n| (n, n)),
            )
            .and_then(FaultKind::from_name);
        let flow = self
            .reference(
                systems_index,
                &f.target,
                &format!("{path}.target"),
                "system",
            )
            .filter(|&s| {
                let system = systems.get(s).and_then(Option::as_ref);
                let is_flow = system.is_some_and(|s| s.kind == SystemKind::Flow);
                // A system that did not compile has its own error; the target is only dropped.
                if system.is_some() && !is_flow {
                    self.error(
                        Some(f.target.span()),
                        format!("{path}.target"),
                        format!("`{}` is not a flow", f.target.get_ref()),
                    )
                    .hint = Some(
                        "faults break flows (kind = \"flow\"); point the fault at the flow that \
                         moves the records"
                            .into(),
                    );
                }
                is_flow
            });
        let onset = self.dist(&f.onset, &format!("{path}.onset"));
        let effect = f.effect.get_ref();
        let mode = self.one_of(
            &effect.mode,
            &format!("{path}.effect.mode"),
            "effect mode",
            &[
                ("loud", EffectMode::Loud),
                ("silent", EffectMode::Silent),
                ("delay", EffectMode::Delay),
            ],
        );
        let share = match &effect.share {
            Some(share) => self.probability(share, &format!("{path}.effect.share")),
            None => Some(1.0),
        };
        let lasts = f
            .lasts
            .as_ref()
            .map(|l| self.dist(l, &format!("{path}.lasts")));
        let cause = if self.causes_declared {
            match &f.root_cause {
                Some(name) => self.cause(&groups.causes, name, &format!("{path}.root_cause")),
                // Without `root_cause` the kind is the cause, so it must be declared too.
                None => self.cause(&groups.causes, &f.kind, &format!("{path}.kind")),
            }
        } else {
            Some(intern(
                &mut groups.causes,
                f.root_cause.as_ref().unwrap_or(&f.kind).get_ref(),
            ))
        };
        let incident_name = f.incident.as_ref().map_or("main", |i| i.get_ref().as_str());
        let incident = intern(&mut groups.incidents, incident_name);
        Some(Fault {
            id: f.id.get_ref().clone(),
            kind: kind?,
            flow: flow?,
            onset: onset?,
            mode: mode?,
            share: share?,
            cause: cause?,
            incident,
            lasts: match lasts {
                Some(l) => Some(l?),
                None => None,
            },
            downstream: Vec::new(),
        })
    }

    pub(super) fn detector(
        &mut self,
        d: &RawDetector,
        i: usize,
        systems: &Index,
        roles: &Index,
    ) -> Option<Detector> {
        let path = format!("detectors[{i}]");
        let kind_name = self.one_of(
            &d.kind,
            &format!("{path}.kind"),
            "detector kind",
            &[
                ("monitor", "monitor"),
                ("reconciliation", "reconciliation"),
                ("user_report", "user_report"),
            ],
        )?;
        let allowed: &[&str] = match kind_name {
            "monitor" => &[
                "watches", "signal", "latency", "miss", "notifies", "message",
            ],
            "reconciliation" => &["compares", "every", "offset", "miss", "notifies", "message"],
            _ => &["watches", "delay", "miss", "notifies", "message"],
        };
        for (present, key) in [
            (d.watches.is_some(), "watches"),
            (d.signal.is_some(), "signal"),
            (d.latency.is_some(), "latency"),
            (d.compares.is_some(), "compares"),
            (d.every.is_some(), "every"),
            (d.offset.is_some(), "offset"),
            (d.delay.is_some(), "delay"),
        ] {
            if present && !allowed.contains(&key) {
                self.error(
                    Some(d.kind.span()),
                    format!("{path}.{key}"),
                    format!("`{key}` does not apply to a {kind_name}"),
                )
                .hint = Some(format!("a {kind_name} takes: {}", allowed.join(", ")));
            }
        }
        let require = |this: &mut Self, present: bool, key: &str| {
            if !present {
                this.error(
                    Some(d.id.span()),
                    &path,
                    format!("a {kind_name} needs `{key}`"),
                )
                .hint = Some(format!("a {kind_name} takes: {}", allowed.join(", ")));
            }
        };
        let miss = match &d.miss {
            Some(m) => self.probability(m, &format!("{path}.miss")),
            None => Some(0.0),
        };
        if miss == Some(1.0) {
            self.error(
                d.miss.as_ref().map(|m| m.span()),
                format!("{path}.miss"),
                "a detector that always misses detects nothing",
            )
            .hint = Some("use a chance below 1, or remove the detector".into());
        }
        let notifies = match &d.notifies {
            Some(n) => self
                .reference(roles, n, &format!("{path}.notifies"), "role")
                .map(Some),
            None => Some(None),
        };
        let watches = d
            .watches
            .as_ref()
            .map(|w| self.reference(systems, w, &format!("{path}.watches"), "system"));
        let kind = match kind_name {
            "monitor" => {
                require(self, d.watches.is_some(), "watches");
                require(self, d.latency.is_some(), "latency");
                let signal = match &d.signal {
                    Some(s) => self.one_of(
                        s,
                        &format!("{path}.signal"),
                        "monitor signal",
                        &[
                            ("errors", MonitorSignal::Errors),
                            ("volume", MonitorSignal::Volume),
                        ],
                    ),
                    None => Some(MonitorSignal::Errors),
                };
                let latency = d
                    .latency
                    .as_ref()
                    .and_then(|l| self.dist(l, &format!("{path}.latency")));
                DetectorKind::Monitor {
                    signal: signal?,
                    latency: latency?,
                }
            }
            "reconciliation" => {
                require(self, d.compares.is_some(), "compares");
                require(self, d.every.is_some(), "every");
                if let Some(compares) = &d.compares {
                    if compares.get_ref().len() != 2 {
                        self.error(
                            Some(compares.span()),
                            format!("{path}.compares"),
                            "a reconciliation compares exactly two systems",
                        )
                        .hint = Some(
                            "name the upstream and the downstream system, \
                             e.g. [\"webform\", \"crm\"]"
                                .into(),
                        );
                    }
                    for (j, name) in compares.get_ref().iter().enumerate() {
                        self.reference(systems, name, &format!("{path}.compares[{j}]"), "system");
                    }
                }
                let every = d
                    .every
                    .as_ref()
                    .and_then(|e| self.positive_duration(e, &format!("{path}.every")));
                let offset = match &d.offset {
                    Some(o) => self.duration(o, &format!("{path}.offset")),
                    None => Some(0.0),
                };
                DetectorKind::Reconciliation {
                    every: every?,
                    offset: offset?,
                }
            }
            _ => {
                require(self, d.watches.is_some(), "watches");
                require(self, d.delay.is_some(), "delay");
                let delay = d
                    .delay
                    .as_ref()
                    .and_then(|l| self.dist(l, &format!("{path}.delay")));
                DetectorKind::UserReport { delay: delay? }
            }
        };
        if let Some(None) = watches {
            return None;
        }
        let message = d
            .message
            .as_ref()
            .map(|m| self.line_of_text(m, &format!("{path}.message")));
        Some(Detector {
            id: d.id.get_ref().clone(),
            kind,
            miss: miss?,
            notifies: notifies?,
            message: match message {
                Some(m) => Some(m?),
                None => None,
            },
            sees: Vec::new(),
        })
    }
}

/// Fills in what needs the whole landscape compiled: the systems downstream of each fault and
/// the faults each detector can see. Only called once nothing failed, so every raw detector
/// compiled and `raw` lines up with `detectors`. Linear in the landscape: the graph is walked
/// once per faulted flow, and each detector looks only at the faults that reach what it watches.
pub(super) fn connect(
    systems: &[System],
    faults: &mut [Fault],
    detectors: &mut [Detector],
    raw: &[Option<RawDetector>],
    index: &Index,
) {
    let mut graph = Graph::of(systems);
    let mut downstream: Vec<Option<Vec<usize>>> = vec![None; systems.len()];
    // The faults each system sees the effect of: on it, or on a flow upstream of it.
    let mut reaching: Vec<Vec<usize>> = vec![Vec::new(); systems.len()];
    for (f, fault) in faults.iter_mut().enumerate() {
        let below = downstream[fault.flow].get_or_insert_with(|| graph.downstream_of(fault.flow));
        fault.downstream = below.clone();
        reaching[fault.flow].push(f);
        for &s in below.iter().filter(|&&s| s != fault.flow) {
            reaching[s].push(f);
        }
    }
    for (detector, raw_detector) in detectors.iter_mut().zip(raw.iter().flatten()) {
        detector.sees = sees(detector, raw_detector, faults, &reaching, &mut graph, index);
    }
}

/// Whether more incidents are named than the simulation can tell apart: it keeps sets of
/// incidents (which ones a role was paged for, ...) as bits of a `u64`.
pub(super) fn too_many_incidents(faults: &[Fault]) -> bool {
    faults.iter().any(|f| f.incident >= 64)
}

/// The systems as a graph: for each system, the flows that start from it (`from`).
struct Graph<'a> {
    systems: &'a [System],
    flows_from: Vec<Vec<usize>>,
    /// Scratch marks for walks, all `false` between walks.
    reached: Vec<bool>,
}

impl<'a> Graph<'a> {
    fn of(systems: &'a [System]) -> Self {
        let mut flows_from = vec![Vec::new(); systems.len()];
        for (i, system) in systems.iter().enumerate() {
            if system.kind == SystemKind::Flow
                && let Some(from) = system.from
            {
                flows_from[from].push(i);
            }
        }
        Graph {
            systems,
            flows_from,
            reached: vec![false; systems.len()],
        }
    }

    /// Systems reachable downstream of a flow (following `to`, and flows whose `from` is
    /// reached), ascending. Costs what it reaches, not the size of the landscape.
    fn downstream_of(&mut self, flow: usize) -> Vec<usize> {
        let mut found = Vec::new();
        let mut stack = vec![flow];
        while let Some(s) = stack.pop() {
            if let Some(to) = self.systems[s].to
                && !self.reached[to]
            {
                self.reached[to] = true;
                found.push(to);
                stack.push(to);
            }
            for &i in &self.flows_from[s] {
                if !self.reached[i] && i != flow {
                    self.reached[i] = true;
                    found.push(i);
                    stack.push(i);
                }
            }
        }
        for &s in &found {
            self.reached[s] = false;
        }
        found.sort_unstable();
        found
    }
}

/// The faults a detector can see, ascending: error monitors see loud faults of the flow they
/// watch; volume monitors and user reports see any fault at or upstream of what they watch;
/// reconciliations see faults on a flow between the two systems they compare. `reaching`
/// lists, per system, the faults at or upstream of it.
fn sees(
    detector: &Detector,
    raw: &RawDetector,
    faults: &[Fault],
    reaching: &[Vec<usize>],
    graph: &mut Graph,
    index: &Index,
) -> Vec<usize> {
    let lookup = |name: &Located<String>| index.get(name.get_ref());
    let Some(watched) = (match &detector.kind {
        DetectorKind::Reconciliation { .. } => raw.compares.as_ref().and_then(|compares| {
            match compares
                .get_ref()
                .iter()
                .filter_map(lookup)
                .collect::<Vec<_>>()[..]
            {
                [_, downstream] => Some(downstream),
                _ => None,
            }
        }),
        _ => raw.watches.as_ref().and_then(lookup),
    }) else {
        return Vec::new();
    };
    let at_or_upstream = reaching[watched].iter().copied();
    match &detector.kind {
        DetectorKind::Monitor {
            signal: MonitorSignal::Errors,
            ..
        } => at_or_upstream
            .filter(|&f| {
                // An expired Power Automate trigger records no failed run to alert on.
                faults[f].mode == EffectMode::Loud
                    && faults[f].flow == watched
                    && graph.systems[watched]
                        .platform
                        .as_ref()
                        .is_none_or(|p| p.signals_errors(faults[f].kind))
            })
            .collect(),
        DetectorKind::Monitor {
            signal: MonitorSignal::Volume,
            ..
        }
        | DetectorKind::UserReport { .. } => at_or_upstream.collect(),
        DetectorKind::Reconciliation { .. } => {
            let Some(compares) = &raw.compares else {
                return Vec::new();
            };
            let ends: Vec<usize> = compares.get_ref().iter().filter_map(lookup).collect();
            let [upstream, _] = ends[..] else {
                return Vec::new();
            };
            let below = graph.downstream_of(upstream);
            at_or_upstream
                .filter(|&f| {
                    let flow = faults[f].flow;
                    graph.systems[flow].from == Some(upstream) || below.binary_search(&flow).is_ok()
                })
                .collect()
        }
    }
}
