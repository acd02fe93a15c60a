//! The scenario file as written: serde types that mirror the TOML one to one.
//!
//! These types only check shape (known keys, value types). Meaning (durations, references,
//! ranges) is checked when [`super::compile`] turns them into a validated
//! [`Scenario`](super::Scenario). Every value that a later check may point at is kept
//! [`Spanned`] so its error can name the exact line and column.
//!
//! Fields carry the TOML key names; docs/scenario-format.md documents each one.
#![allow(missing_docs)]

use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// Text that is meant to be a duration (`"15m"`); parsed into minutes during compilation.
#[derive(Debug, Clone, PartialEq)]
pub struct DurationText(pub String);

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
/// `{ dist = "lognormal", median = "3m", p90 = "15m" }`. Fields hold it as `Spanned<RawDist>`,
/// so the whole value's position is known.
#[derive(Debug, Clone)]
pub enum RawDist {
    /// `"15m"`: always this long.
    Fixed(DurationText),
    /// `{ dist = ..., ... }`.
    Table(Box<RawDistTable>),
}

/// The table form of a distribution; which keys apply depends on `dist`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDistTable {
    pub dist: Spanned<String>,
    pub value: Option<Spanned<DurationText>>,
    pub min: Option<Spanned<DurationText>>,
    pub max: Option<Spanned<DurationText>>,
    pub mode: Option<Spanned<DurationText>>,
    pub mean: Option<Spanned<DurationText>>,
    pub sd: Option<Spanned<DurationText>>,
    pub median: Option<Spanned<DurationText>>,
    pub p90: Option<Spanned<DurationText>>,
    pub sigma: Option<Spanned<f64>>,
    pub shape: Option<Spanned<f64>>,
    pub scale: Option<Spanned<DurationText>>,
    pub values: Option<Spanned<Vec<DurationText>>>,
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: Spanned<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub version: Option<String>,
    pub horizon: Spanned<DurationText>,
    pub start: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// One `[[objectives]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObjective {
    pub id: Spanned<String>,
    pub text: Option<String>,
    pub metric: Spanned<String>,
    pub target: Spanned<toml::Value>,
    pub time_box: Option<Spanned<DurationText>>,
}

/// `retry_queue = { retention = "6h" }` on a flow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQueue {
    pub retention: Spanned<DurationText>,
}

/// One `[[systems]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSystem {
    pub id: Spanned<String>,
    pub kind: Spanned<String>,
    pub tool: Option<String>,
    pub description: Option<String>,
    pub from: Option<Spanned<String>>,
    pub to: Option<Spanned<String>>,
    pub records_per_minute: Option<Spanned<f64>>,
    pub retry_queue: Option<RawQueue>,
    pub hold_retention: Option<Spanned<DurationText>>,
}

/// `effect = { mode = "loud", share = 1.0 }` of a fault.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEffect {
    pub mode: Spanned<String>,
    pub share: Option<Spanned<f64>>,
}

/// One `[[faults]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    pub id: Spanned<String>,
    pub kind: Spanned<String>,
    pub target: Spanned<String>,
    pub onset: Spanned<RawDist>,
    pub effect: Spanned<RawEffect>,
    pub root_cause: Option<Spanned<String>>,
    pub incident: Option<Spanned<String>>,
    pub lasts: Option<Spanned<RawDist>>,
    pub description: Option<String>,
}

/// One `[[detectors]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDetector {
    pub id: Spanned<String>,
    pub kind: Spanned<String>,
    pub watches: Option<Spanned<String>>,
    pub signal: Option<Spanned<String>>,
    pub latency: Option<Spanned<RawDist>>,
    pub miss: Option<Spanned<f64>>,
    pub compares: Option<Spanned<Vec<Spanned<String>>>>,
    pub every: Option<Spanned<DurationText>>,
    pub offset: Option<Spanned<DurationText>>,
    pub delay: Option<Spanned<RawDist>>,
    pub notifies: Option<Spanned<String>>,
}

/// `overload = { per_open_item = 0.15 }` of a role.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOverload {
    pub per_open_item: Spanned<f64>,
}

/// One `[[roles]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    pub id: Spanned<String>,
    pub title: Option<String>,
    pub kind: Option<Spanned<String>>,
    pub acknowledge: Option<Spanned<RawDist>>,
    pub decide: Option<Spanned<RawDist>>,
    pub communicate: Option<Spanned<RawDist>>,
    pub wrong_diagnosis: Option<Spanned<f64>>,
    pub working_hours: Option<Spanned<String>>,
    pub off_hours_factor: Option<Spanned<f64>>,
    pub overload: Option<RawOverload>,
    pub update_every: Option<Spanned<DurationText>>,
}

/// One `[[escalation.severities]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeverity {
    pub level: Spanned<String>,
    pub acknowledge_within: Spanned<DurationText>,
    pub restore_within: Spanned<DurationText>,
    #[serde(default)]
    pub page: Vec<Spanned<String>>,
}

/// `[escalation]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEscalation {
    pub severities: Spanned<Vec<RawSeverity>>,
    pub auto_escalate: Option<bool>,
    pub approver: Option<Spanned<String>>,
}

/// `requires = { diagnosis = "mapping", after = ["pause"], approval = true }` of an action.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequires {
    pub diagnosis: Option<Spanned<String>>,
    #[serde(default)]
    pub after: Vec<Spanned<String>>,
    #[serde(default)]
    pub approval: bool,
}

/// One `[[actions]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    pub id: Spanned<String>,
    pub title: Option<String>,
    pub by: Spanned<String>,
    pub target: Spanned<String>,
    pub effect: Spanned<String>,
    pub duration: Spanned<RawDist>,
    pub success: Option<Spanned<f64>>,
    pub attempts: Option<Spanned<i64>>,
    #[serde(default)]
    pub requires: RawRequires,
    pub approver: Option<Spanned<String>>,
    #[serde(default)]
    pub backfill: bool,
}

/// `at = { after = "detected", delay = "15m" }` of an inject.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAfter {
    pub after: Spanned<String>,
    pub delay: Option<Spanned<DurationText>>,
}

/// When a scripted inject arrives: a time from scenario start, or a delay after a milestone.
#[derive(Debug, Clone)]
pub enum RawInjectTime {
    /// `at = "2h"`.
    At(DurationText),
    /// `at = { after = "detected", delay = "15m" }`.
    After(RawAfter),
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
                    .map(RawInjectTime::After)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// One `[[injects]]` entry: a scripted message to a role.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInject {
    pub id: Option<Spanned<String>>,
    pub at: Spanned<RawInjectTime>,
    pub to: Spanned<String>,
    pub from: Option<String>,
    pub text: String,
    pub load: Option<Spanned<i64>>,
    #[serde(default)]
    pub misleads: bool,
    pub reveals: Option<Spanned<String>>,
}

/// One card of the randomized deck.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCard {
    pub weight: Option<Spanned<f64>>,
    pub to: Spanned<String>,
    pub from: Option<String>,
    pub text: String,
    pub load: Option<Spanned<i64>>,
    #[serde(default)]
    pub misleads: bool,
    pub reveals: Option<Spanned<String>>,
}

/// `[deck]`: randomized injects drawn while the incident is open.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeck {
    pub draw_every: Spanned<RawDist>,
    pub max_draws: Option<Spanned<i64>>,
    pub cards: Spanned<Vec<RawCard>>,
}
