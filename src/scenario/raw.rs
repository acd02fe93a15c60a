//! The scenario file as written: serde types that mirror the TOML one to one.
//!
//! These types only check shape (known keys, value types). Meaning (durations, references,
//! ranges) is checked when [`super::compile`] turns them into a validated
//! [`Scenario`](super::Scenario). Every value that a later check may point at is kept
//! [`Located`] so its error can name the exact line and column.
//!
//! Field docs become the descriptions of `ttx schema`, so editors show them on hover.

use std::borrow::Cow;
use std::ops::Range;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

/// A value and where it was written in the file (byte range). Wraps [`toml::Spanned`] so the
/// JSON Schema of a located value is the schema of the value itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T>(toml::Spanned<T>);

impl<T> Located<T> {
    /// A value at a span.
    pub fn new(span: Range<usize>, value: T) -> Self {
        Located(toml::Spanned::new(span, value))
    }
    /// The value.
    pub fn get_ref(&self) -> &T {
        self.0.get_ref()
    }
    /// Where it was written.
    pub fn span(&self) -> Range<usize> {
        self.0.span()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        toml::Spanned::<T>::deserialize(deserializer).map(Located)
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// The pattern every duration text matches (`"90s"`, `"15m"`, `"1h30m"`, `"1.5d"`).
pub const DURATION_PATTERN: &str =
    r"^\s*([0-9]+(\.[0-9]+)?\s*(d|days?|h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)\s*)+$";

/// Text that is meant to be a duration (`"15m"`); parsed into minutes during compilation.
#[derive(Debug, Clone, PartialEq)]
pub struct DurationText(pub String);

impl JsonSchema for DurationText {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": DURATION_PATTERN,
            "description": "A duration with a unit: \"90s\", \"15m\", \"2h\", \"1h30m\", \"1d\"",
            "examples": ["90s", "15m", "2h", "1h30m"]
        })
    }
}

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DurationText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a duration string such as \"15m\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DurationText, E> {
                Ok(DurationText(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DurationText, E> {
                Err(E::custom(format!(
                    "a duration needs a unit: write \"{v}m\" for minutes (or s, h, d)"
                )))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DurationText, E> {
                self.visit_i64(v as i64)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<DurationText, E> {
                Err(E::custom(format!(
                    "a duration needs a unit: write \"{v}m\" for minutes (or s, h, d)"
                )))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A random (or fixed) duration: either a plain duration text (`"15m"`, fixed) or a table
/// `{ dist = "lognormal", median = "3m", p90 = "15m" }`. Fields hold it as `Located<RawDist>`,
/// so the whole value's position is known.
#[derive(Debug, Clone)]
pub enum RawDist {
    /// `"15m"`: always this long.
    Fixed(DurationText),
    /// `{ dist = ..., ... }`.
    Table(Box<RawDistTable>),
}

/// The table form of a distribution; which keys apply depends on `dist`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDistTable {
    /// Distribution kind.
    #[schemars(extend("enum" = ["fixed", "uniform", "exponential", "normal", "lognormal", "gamma", "weibull", "triangular", "empirical"]))]
    pub dist: Located<String>,
    /// fixed: the value.
    pub value: Option<Located<DurationText>>,
    /// uniform, triangular: smallest value.
    pub min: Option<Located<DurationText>>,
    /// uniform, triangular: largest value.
    pub max: Option<Located<DurationText>>,
    /// triangular: most likely value.
    pub mode: Option<Located<DurationText>>,
    /// exponential, normal: mean; gamma: mean (with shape).
    pub mean: Option<Located<DurationText>>,
    /// normal: standard deviation (the normal is truncated at 0).
    pub sd: Option<Located<DurationText>>,
    /// lognormal: median.
    pub median: Option<Located<DurationText>>,
    /// lognormal: 90th percentile (9 in 10 values stay under it).
    pub p90: Option<Located<DurationText>>,
    /// lognormal: sigma of the log of the duration (instead of p90).
    pub sigma: Option<Located<f64>>,
    /// gamma, weibull: shape.
    pub shape: Option<Located<f64>>,
    /// gamma, weibull: scale.
    pub scale: Option<Located<DurationText>>,
    /// empirical: observed durations, resampled uniformly.
    pub values: Option<Located<Vec<Located<DurationText>>>>,
}

impl JsonSchema for RawDist {
    fn schema_name() -> Cow<'static, str> {
        "Distribution".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A fixed duration (\"15m\") or a distribution table ({ dist = \"lognormal\", median = \"5m\", p90 = \"20m\" })",
            "anyOf": [generator.subschema_for::<DurationText>(), generator.subschema_for::<RawDistTable>()]
        })
    }
}

impl<'de> Deserialize<'de> for RawDist {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A hand-written visitor rather than `#[serde(untagged)]`: untagged enums buffer their
        // input and so lose the positions that error messages need.
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawDist;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a duration string such as \"15m\" or a table such as { dist = \"exponential\", mean = \"10m\" }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawDist, E> {
                Ok(RawDist::Fixed(DurationText(v.to_string())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawDist, E> {
                DurationText::deserialize(serde::de::value::I64Deserializer::<E>::new(v))
                    .map(RawDist::Fixed)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawDist, E> {
                self.visit_i64(v as i64)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RawDist, E> {
                DurationText::deserialize(serde::de::value::F64Deserializer::<E>::new(v))
                    .map(RawDist::Fixed)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawDist, A::Error> {
                RawDistTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|table| RawDist::Table(Box::new(table)))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// `[scenario]`: what the drill is and how long it may run.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    /// Short machine name (file-name safe), used in report names.
    pub name: Located<String>,
    /// Human title.
    pub title: Option<String>,
    /// The title players see in the Situation Manual, when `title` gives the incident away
    /// (default: `title`).
    pub player_title: Option<String>,
    /// What the drill is about.
    pub description: Option<String>,
    /// The scenario's own version.
    pub version: Option<String>,
    /// How long a run lasts; milestones not reached by then are censored.
    pub horizon: Located<DurationText>,
    /// Weekday and time at scenario minute 0, e.g. "Tue 08:00" (default "Mon 09:00"), for working hours.
    pub start: Option<Located<String>>,
    #[serde(default)]
    /// Free-form tags.
    pub tags: Vec<String>,
}

/// Schema of an objective's target: a duration for time metrics, a count otherwise.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ObjectiveTarget {
    /// For time metrics, e.g. "30m".
    Duration(DurationText),
    /// For count metrics, e.g. 0.
    Count(u64),
}

/// One `[[objectives]]` entry.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawObjective {
    /// Identifier.
    pub id: Located<String>,
    /// What the objective says in words.
    pub text: Option<String>,
    /// What is measured.
    #[schemars(extend("enum" = ["time_to_detect", "time_to_acknowledge", "time_to_contain", "time_to_recover", "records_lost", "records_failed", "records_delayed", "targets_breached"]))]
    pub metric: Located<String>,
    #[schemars(with = "ObjectiveTarget")]
    /// Met when the metric is at most this: a duration for time metrics, a count otherwise.
    pub target: Located<toml::Value>,
    /// Window after onset in which it is judged (default: the horizon); later counts as missed.
    pub time_box: Option<Located<DurationText>>,
    /// Met-rate thresholds of the P / S / M ratings (default 0.9 / 0.7 / 0.4).
    pub ratings: Option<Located<RawRatings>>,
}

/// `ratings = { performed = 0.9, some_challenges = 0.7, major_challenges = 0.4 }`: the least
/// share of runs meeting the target for each rating; below the last it is U.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRatings {
    /// Least met rate rated P (performed without challenges).
    pub performed: Option<f64>,
    /// Least met rate rated S (performed with some challenges).
    pub some_challenges: Option<f64>,
    /// Least met rate rated M (performed with major challenges).
    pub major_challenges: Option<f64>,
}

/// `retry_queue = { retention = "6h" }` on a flow.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawQueue {
    /// How long errored records can be replayed before they are gone.
    pub retention: Located<DurationText>,
}

/// One `[[systems]]` entry.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSystem {
    /// Identifier.
    pub id: Located<String>,
    /// Part in the landscape.
    #[schemars(extend("enum" = ["source", "flow", "sink"]))]
    pub kind: Located<String>,
    /// The product, e.g. "Zapier".
    pub tool: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Flows: the system it reads from.
    pub from: Option<Located<String>>,
    /// Flows: the system it writes to.
    pub to: Option<Located<String>>,
    /// Flows: records moved per minute.
    pub records_per_minute: Option<Located<f64>>,
    /// Flows: errored records wait here for a replay.
    pub retry_queue: Option<RawQueue>,
    /// Flows: how long held (paused or delayed) records are kept (default: forever).
    pub hold_retention: Option<Located<DurationText>>,
    /// Flows: the no-code platform that runs it; its documented behaviour (retries,
    /// history, auto-off, notifications) applies. See docs/platforms.md.
    #[schemars(extend("enum" = ["zapier", "make", "n8n", "power_automate"]))]
    pub platform: Option<Located<String>>,
    /// Zapier flows: autoreplay of errored runs (default false).
    pub autoreplay: Option<Located<bool>>,
    /// Make flows: "allow storing incomplete executions" (default false).
    pub incomplete_executions: Option<Located<bool>>,
    /// Platform flows: minutes between automatic retries of an errored record, replacing the
    /// platform's schedule, e.g. ["5m", "30m", "1h"]; [] for none.
    pub retry: Option<Located<Vec<Located<DurationText>>>>,
    /// Platform flows: how long a failed run stays in history for a manual replay, after its
    /// last retry ("29d"), or "none" when failed runs cannot be replayed.
    pub history: Option<Located<String>>,
    /// Platform flows: false keeps the platform from turning the flow off by itself.
    pub auto_off: Option<Located<bool>>,
    /// Zapier flows: the Zap is new, so only runs since minute 0 count toward its error ratio
    /// (default false: it ran at its rate all week before).
    pub new_flow: Option<Located<bool>>,
    /// Platform flows: the trigger polls every this long ("2m", or "plan" for the Zapier
    /// plan's interval); without it, an instant trigger (a webhook).
    pub polling: Option<Located<DurationText>>,
    /// Platform flows: most new items one poll picks up (Zapier: 100).
    pub poll_limit: Option<Located<i64>>,
    /// Zapier flows: false turns flood protection off (a poll of 100 or more items is held
    /// and released 1 a second).
    pub flood_protection: Option<Located<bool>>,
    /// Platform flows: most records an instant trigger accepts a minute; more are answered
    /// 429 and re-sent (Zapier: 2000, i.e. 10,000 every 5 minutes).
    pub webhook_limit: Option<Located<f64>>,
    /// Platform flows: a one-off batch of records arriving at the source at once.
    pub burst: Option<RawBurst>,
    /// Zapier flows: the plan (polling interval with polling = "plan", autoreplay, the grace
    /// period before auto-off).
    #[schemars(extend("enum" = ["free", "professional", "team", "enterprise"]))]
    pub plan: Option<Located<String>>,
    /// Make flows: a Break error handler with automatic run completion (3 attempts 15 minutes
    /// apart, for any error; `retry` overrides them).
    pub break_handler: Option<Located<bool>>,
}

/// `burst = { at = "3h", records = 5000 }` on a platform flow.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBurst {
    /// When the records arrive (from scenario minute 0).
    pub at: Located<DurationText>,
    /// How many arrive at once.
    pub records: Located<i64>,
}

/// `effect = { mode = "loud", share = 1.0 }` of a fault.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEffect {
    /// How records are affected.
    #[schemars(extend("enum" = ["loud", "silent", "delay"]))]
    pub mode: Located<String>,
    /// Share of records affected, 0 to 1 (default 1).
    pub share: Option<Located<f64>>,
}

/// One `[[causes]]` entry: a cause a responder may name in a diagnosis. Causes that faults
/// name are the real ones; the others are decoys a wrong diagnosis can pick.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCause {
    /// Identifier, named by faults' `root_cause`, actions' `requires.diagnosis` and injects'
    /// `reveals`.
    pub id: Located<String>,
    /// What a responder would recognise, as the diagnosis list shows it, e.g. "The HubSpot
    /// connection's OAuth token expired".
    pub text: Located<String>,
}

/// One `[[faults]]` entry.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    /// Identifier.
    pub id: Located<String>,
    /// Failure mode.
    #[schemars(extend("enum" = ["schema_drift", "api_deprecation", "credential_expiry", "auth_mismatch", "rate_limiting", "webhook_delay", "partial_data_loss", "format_mismatch", "connector_upgrade", "config_drift", "upstream_outage"]))]
    pub kind: Located<String>,
    /// The flow it breaks.
    pub target: Located<String>,
    /// When it begins, from scenario start.
    pub onset: Located<RawDist>,
    /// What it does to the flow's records.
    pub effect: Located<RawEffect>,
    /// The `[[causes]]` id a correct diagnosis names (default: the kind).
    pub root_cause: Option<Located<String>>,
    /// Incident it belongs to (default "main"); separate incidents are paged and tracked separately.
    pub incident: Option<Located<String>>,
    /// If set, the fault clears by itself after this long.
    pub lasts: Option<Located<RawDist>>,
    /// Free text.
    pub description: Option<String>,
}

/// One `[[detectors]]` entry.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDetector {
    /// Identifier.
    pub id: Located<String>,
    /// Detection source.
    #[schemars(extend("enum" = ["monitor", "reconciliation", "user_report"]))]
    pub kind: Located<String>,
    /// monitor, user_report: the system watched.
    pub watches: Option<Located<String>>,
    /// monitor: what it alerts on (default "errors").
    #[schemars(extend("enum" = ["errors", "volume"]))]
    pub signal: Option<Located<String>>,
    /// monitor: time from onset to the alert.
    pub latency: Option<Located<RawDist>>,
    /// Chance it does not fire (per check for reconciliations).
    pub miss: Option<Located<f64>>,
    /// reconciliation: the upstream and downstream system compared.
    pub compares: Option<Located<Vec<Located<String>>>>,
    /// reconciliation: time between checks.
    pub every: Option<Located<DurationText>>,
    /// reconciliation: time of the first check after scenario start.
    pub offset: Option<Located<DurationText>>,
    /// user_report: time from onset to the report.
    pub delay: Option<Located<RawDist>>,
    /// Role its signal reaches (paged in addition to the severity's list).
    pub notifies: Option<Located<String>>,
    /// What a person sees when it fires (the alert's subject, the report's words), shown with
    /// the page and in the feed, e.g. "Zap 'Lead sync' errored on step 2: field 'email' is
    /// required".
    pub message: Option<Located<String>>,
}

/// `overload = { per_open_item = 0.15 }` of a role.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOverload {
    /// Share added to every latency per open item, e.g. 0.15.
    pub per_open_item: Located<f64>,
}

/// One `[[roles]]` entry.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    /// Identifier.
    pub id: Located<String>,
    /// Human title.
    pub title: Option<String>,
    /// Responder (default) or stakeholder (never acts).
    #[schemars(extend("enum" = ["responder", "stakeholder"]))]
    pub kind: Option<Located<String>>,
    /// Time to acknowledge a page.
    pub acknowledge: Option<Located<RawDist>>,
    /// Time to reach a decision (diagnose, choose an action, approve).
    pub decide: Option<Located<RawDist>>,
    /// Time to write a message.
    pub communicate: Option<Located<RawDist>>,
    /// Chance a diagnosis names the wrong cause.
    pub wrong_diagnosis: Option<Located<f64>>,
    /// e.g. "09:00-18:00 Mon-Fri"; pages outside are slower.
    pub working_hours: Option<Located<String>>,
    /// Factor on acknowledge time outside working hours (>= 1).
    pub off_hours_factor: Option<Located<f64>>,
    /// Latencies grow with open items.
    pub overload: Option<RawOverload>,
    /// Status update cadence while the incident is open.
    pub update_every: Option<Located<DurationText>>,
}

/// One `[[escalation.severities]]` entry.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSeverity {
    /// Name, e.g. "SEV2".
    pub level: Located<String>,
    /// Target time to acknowledgement at this level.
    pub acknowledge_within: Located<DurationText>,
    /// Target time to recovery at this level.
    pub restore_within: Located<DurationText>,
    #[serde(default)]
    /// Roles paged at this level.
    pub page: Vec<Located<String>>,
}

/// `[escalation]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEscalation {
    /// From least to most severe; incidents open at the first.
    pub severities: Located<Vec<RawSeverity>>,
    /// Escalate on a breached target (default true).
    pub auto_escalate: Option<bool>,
    /// Role that approves actions needing approval.
    pub approver: Option<Located<String>>,
}

/// `requires = { diagnosis = "mapping", after = ["pause"], approval = true }` of an action.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRequires {
    /// Cause that must have been diagnosed correctly first.
    pub diagnosis: Option<Located<String>>,
    #[serde(default)]
    /// Actions that must have succeeded first.
    pub after: Vec<Located<String>>,
    #[serde(default)]
    /// Needs approval (by the action's or the policy's approver).
    pub approval: bool,
}

/// One `[[actions]]` entry.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    /// Identifier.
    pub id: Located<String>,
    /// Human title.
    pub title: Option<String>,
    /// Role that performs it.
    pub by: Located<String>,
    /// Flow it acts on.
    pub target: Located<String>,
    /// What it achieves.
    #[schemars(extend("enum" = ["contain", "recover", "restore_data"]))]
    pub effect: Located<String>,
    /// Time one attempt takes.
    pub duration: Located<RawDist>,
    /// Chance one attempt succeeds (default 1).
    pub success: Option<Located<f64>>,
    /// Attempts before giving up (default 3).
    pub attempts: Option<Located<i64>>,
    #[serde(default)]
    /// Preconditions.
    pub requires: RawRequires,
    /// Role that must approve it first.
    pub approver: Option<Located<String>>,
    #[serde(default)]
    /// restore_data: also re-send failed and lost records from the source.
    pub backfill: bool,
    /// Who is responsible, accountable, consulted and informed.
    pub raci: Option<Located<RawRaci>>,
}

/// `at = { after = "detected", delay = "15m" }` of an inject or a module; an inject's may also
/// follow a decision (`after = "escalated"`, `"approved"`, `"update_sent"`, or `"acknowledged"`
/// with `by`) and be called off by a milestone reached by then (`unless = "contained"`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAfter {
    /// Milestone, or (injects only) kind of decision.
    #[schemars(extend("enum" = ["onset", "detected", "acknowledged", "contained", "recovered", "escalated", "approved", "update_sent"]))]
    pub after: Located<String>,
    /// Time after it (default 0).
    pub delay: Option<Located<DurationText>>,
    /// Injects only: a milestone that, reached by then, calls the inject off.
    #[schemars(extend("enum" = ["onset", "detected", "acknowledged", "contained", "recovered"]))]
    pub unless: Option<Located<String>>,
    /// Injects after a decision only: the role that took it (not for `escalated`).
    pub by: Option<Located<String>>,
    /// Injects after `approved` only: the action approved.
    pub action: Option<Located<String>>,
    /// Injects after `update_sent` only: the audience the update went to.
    pub audience: Option<Located<String>>,
}

/// When a scripted inject arrives: a time from scenario start, or a delay after a milestone.
#[derive(Debug, Clone)]
pub enum RawInjectTime {
    /// `at = "2h"`.
    At(DurationText),
    /// `at = { after = "detected", delay = "15m" }` (boxed: the table is much larger).
    After(Box<RawAfter>),
}

impl JsonSchema for RawInjectTime {
    fn schema_name() -> Cow<'static, str> {
        "InjectTime".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A time from scenario start (\"2h\"), a delay after a milestone ({ after = \"detected\", delay = \"15m\" }) or, for injects, after a decision ({ after = \"escalated\" }), optionally called off by a milestone reached by then ({ after = \"detected\", delay = \"1h\", unless = \"contained\" })",
            "anyOf": [generator.subschema_for::<DurationText>(), generator.subschema_for::<RawAfter>()]
        })
    }
}

impl<'de> Deserialize<'de> for RawInjectTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawInjectTime;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a time such as \"2h\" or a table such as { after = \"detected\", delay = \"15m\" }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawInjectTime, E> {
                Ok(RawInjectTime::At(DurationText(v.to_string())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawInjectTime, E> {
                DurationText::deserialize(serde::de::value::I64Deserializer::<E>::new(v))
                    .map(RawInjectTime::At)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawInjectTime, A::Error> {
                RawAfter::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|after| RawInjectTime::After(Box::new(after)))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// One `[[injects]]` entry: a scripted message to a role.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInject {
    /// Identifier (default inject-N).
    pub id: Option<Located<String>>,
    /// When it arrives.
    pub at: Located<RawInjectTime>,
    /// Recipient role.
    pub to: Located<String>,
    /// Sender as shown.
    pub from: Option<String>,
    /// What the recipient reads.
    pub text: String,
    /// Open items it adds until answered.
    pub load: Option<Located<i64>>,
    #[serde(default)]
    /// Points toward a wrong cause.
    pub misleads: bool,
    /// Cause it reveals.
    pub reveals: Option<Located<String>>,
    /// What the recipient is expected to do (listed in the MSEL).
    pub expect: Option<String>,
}

/// One card of the randomized deck.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCard {
    /// Relative chance of being drawn (default 1).
    pub weight: Option<Located<f64>>,
    /// Recipient role.
    pub to: Located<String>,
    /// Sender as shown.
    pub from: Option<String>,
    /// What the recipient reads.
    pub text: String,
    /// Open items it adds until answered.
    pub load: Option<Located<i64>>,
    #[serde(default)]
    /// Points toward a wrong cause.
    pub misleads: bool,
    /// Cause it reveals.
    pub reveals: Option<Located<String>>,
}

/// `[deck]`: randomized injects drawn while the incident is open.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDeck {
    /// Time between draws, from onset until recovery.
    pub draw_every: Located<RawDist>,
    /// Most cards drawn in one run (default 1000).
    pub max_draws: Option<Located<i64>>,
    /// The cards.
    pub cards: Located<Vec<RawCard>>,
}

/// `raci = { responsible = "on-call", accountable = "incident-commander", ... }` of an action:
/// who does it, who answers for it (and approves it), who is asked and who is told.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRaci {
    /// Role that does the work (default: the action's `by`; if given it must be the same).
    pub responsible: Option<Located<String>>,
    /// Role that answers for the action; approves it when it `requires.approval`.
    pub accountable: Option<Located<String>>,
    #[serde(default)]
    /// Roles asked before it is done.
    pub consulted: Vec<Located<String>>,
    #[serde(default)]
    /// Roles told once it is done.
    pub informed: Vec<Located<String>>,
}

/// One `[[comms.templates]]` entry: a named message form.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTemplate {
    /// Identifier.
    pub id: Located<String>,
    /// What kind of message it is.
    #[schemars(extend("enum" = ["incident_alert", "status_update", "executive_briefing", "customer_notice", "post_incident_summary"]))]
    pub kind: Located<String>,
    /// Who reads it, e.g. "executives", "customers", "support".
    pub audience: Located<String>,
    /// How it is sent, e.g. "email", "status page", "#incident".
    pub channel: Option<String>,
    /// Role that writes and sends it.
    pub by: Located<String>,
    #[serde(default)]
    /// Fields the message must fill in.
    #[schemars(extend("items" = { "enum": ["affected_process", "current_status", "impact", "eta", "workaround", "actions_taken", "pending_decisions", "next_update"] }))]
    pub required: Vec<Located<String>>,
    /// Check the text for technical jargon (default: true for customer notices only).
    pub jargon_check: Option<bool>,
}

/// One `[[comms.cadence]]` entry: how often a template is due while an incident is open at a
/// severity.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCadence {
    /// Severity level it applies at, e.g. "SEV1".
    pub severity: Located<String>,
    /// Template sent.
    pub template: Located<String>,
    /// Time between updates; the first is due when the incident reaches the severity.
    pub every: Located<DurationText>,
    /// An update sent within this long after falling due is on cadence (default: `every`).
    pub grace: Option<Located<DurationText>>,
}

/// `[comms]`: communication templates, their cadence and the jargon word list.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawComms {
    #[serde(default)]
    /// Message forms.
    pub templates: Vec<RawTemplate>,
    #[serde(default)]
    /// Update cadence per severity.
    pub cadence: Vec<RawCadence>,
    /// Words flagged in texts checked for jargon (default: the list in docs/scenario-format.md).
    pub jargon: Option<Vec<String>>,
}

/// One `[[modules]]` entry: a phase of the exercise with questions for discussion.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawModule {
    /// Identifier.
    pub id: Located<String>,
    /// Title shown to players.
    pub title: Option<String>,
    /// When it starts: a time from scenario start ("0m") or a delay after a milestone.
    pub starts: Located<RawInjectTime>,
    #[serde(default)]
    /// Questions the facilitator asks when it starts.
    pub questions: Vec<String>,
}
