//! Raw scenario → validated [`Scenario`]: durations, distributions, ranges and references,
//! collecting every error of the file rather than stopping at the first.
//!
//! Each section entry is deserialized on its own, so a mistake in `[[roles]]` number 2 does not
//! hide one in `[[actions]]` number 5. Within one entry serde stops at the first shape error;
//! everything after shape (meaning, references) is checked for every value.

use std::collections::HashMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::raw::Located;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::diagnostic::{Diagnostic, Diagnostics, suggest};
use super::dist::Dist;
use super::duration::{parse_minutes, parse_week_time, parse_working_hours};
use super::raw::*;
use super::*;

/// Top-level sections, in the order the format doc presents them.
pub const SECTIONS: [&str; 13] = [
    "hot_wash",
    "scenario",
    "objectives",
    "systems",
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

/// Keys of `[comms]`.
const COMMS_KEYS: [&str; 3] = ["templates", "cadence", "jargon"];

const REQUIRED_SECTIONS: [&str; 6] = [
    "scenario",
    "systems",
    "faults",
    "roles",
    "escalation",
    "actions",
];

/// Compiles scenario text. Returns `None` when any error was pushed to `diagnostics`.
pub fn compile(source: &str, diagnostics: &mut Diagnostics) -> Option<Scenario> {
    if source.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error(None, "", "the scenario file is empty").with_hint(
                "a scenario needs at least [scenario], [[systems]], [[faults]], [[roles]], \
                 [escalation] and [[actions]]; see docs/scenario-format.md or copy a file from scenarios/",
            ),
        );
        return None;
    }
    let (document, syntax_errors) = DeTable::parse_recoverable(source);
    if !syntax_errors.is_empty() {
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
        return None;
    }
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
    seen: Vec<&'static str>,
}

struct Compiler<'a> {
    diagnostics: &'a mut Diagnostics,
    raw: RawScenario,
}

/// Id → index, plus the ids for suggestions.
struct Index {
    by_id: HashMap<String, usize>,
    ids: Vec<String>,
}

impl Index {
    fn new<'s>(ids: impl IntoIterator<Item = &'s str>) -> Self {
        let ids: Vec<String> = ids.into_iter().map(str::to_string).collect();
        let by_id = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .rev()
            .collect();
        Index { by_id, ids }
    }
}

impl<'a> Compiler<'a> {
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

    // ---- shape: sections and entries -------------------------------------------------------

    fn split_sections(&mut self, document: DeTable<'_>) {
        for (key, value) in document {
            let name = key.get_ref().as_ref();
            let key_span = key.span();
            let Some(section) = SECTIONS.iter().copied().find(|s| *s == name) else {
                let message = format!("unknown section `{name}`");
                let d = Diagnostic::error(Some(key_span), "", message)
                    .with_suggestion(name, SECTIONS)
                    .with_hint_if_none(format!("known sections: {}", SECTIONS.join(", ")));
                self.diagnostics.push(d);
                continue;
            };
            self.raw.seen.push(section);
            match section {
                "scenario" => self.raw.meta = self.entry::<RawMeta>(value, "scenario"),
                "escalation" => {
                    self.raw.escalation = self.entry::<RawEscalation>(value, "escalation")
                }
                "deck" => self.raw.deck = self.entry::<RawDeck>(value, "deck"),
                "hot_wash" => self.raw.hot_wash = self.list::<String>(value, "hot_wash"),
                "comms" => self.split_comms(value),
                "modules" => self.raw.modules = self.entries(value, section),
                "objectives" => self.raw.objectives = self.entries(value, section),
                "systems" => self.raw.systems = self.entries(value, section),
                "faults" => self.raw.faults = self.entries(value, section),
                "detectors" => self.raw.detectors = self.entries(value, section),
                "roles" => self.raw.roles = self.entries(value, section),
                "actions" => self.raw.actions = self.entries(value, section),
                "injects" => self.raw.injects = self.entries(value, section),
                _ => unreachable!("every known section is matched"),
            }
        }
        for section in REQUIRED_SECTIONS {
            if !self.raw.seen.contains(&section) {
                let example = if section == "scenario" || section == "escalation" {
                    format!("[{section}]")
                } else {
                    format!("[[{section}]]")
                };
                self.error(None, "", format!("missing section `{section}`"))
                    .hint = Some(format!(
                    "add an {example} section; see docs/scenario-format.md"
                ));
            }
        }
    }

    /// `[comms]` holds two arrays of tables and a word list: each entry is read on its own,
    /// like a top-level section's.
    fn split_comms(&mut self, value: Spanned<DeValue<'_>>) {
        let span = value.span();
        let DeValue::Table(table) = value.into_inner() else {
            self.error(Some(span), "comms", "`comms` is a table").hint =
                Some("write [[comms.templates]] and [[comms.cadence]] entries".into());
            return;
        };
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "templates" => self.raw.templates = self.entries(value, "comms.templates"),
                "cadence" => self.raw.cadence = self.entries(value, "comms.cadence"),
                "jargon" => self.raw.jargon = self.list::<String>(value, "comms.jargon"),
                other => {
                    let d = Diagnostic::error(
                        Some(key.span()),
                        "comms",
                        format!("unknown key `{other}`"),
                    )
                    .with_suggestion(other, COMMS_KEYS)
                    .with_hint_if_none(format!("known keys here: {}", COMMS_KEYS.join(", ")));
                    self.diagnostics.push(d);
                }
            }
        }
    }

    /// Deserializes a list of plain values (`hot_wash = ["..."]`).
    fn list<T: for<'de> Deserialize<'de>>(
        &mut self,
        value: Spanned<DeValue<'_>>,
        path: &str,
    ) -> Option<Vec<T>> {
        let span = value.span();
        match Vec::<T>::deserialize(ValueDeserializer::from(value)) {
            Ok(parsed) => Some(parsed),
            Err(error) => {
                let span = error.span().unwrap_or(span);
                let diagnostic = self.shape_diagnostic(error.message(), span, path);
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    /// Deserializes one table (`[scenario]`, one `[[roles]]` entry, ...).
    fn entry<T: for<'de> Deserialize<'de>>(
        &mut self,
        value: Spanned<DeValue<'_>>,
        path: &str,
    ) -> Option<T> {
        let section_span = value.span();
        let is_array = value.get_ref().is_array();
        // Kept to name the nested key of an error (`latency.shape`), which serde does not tell.
        let copy = value.clone();
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(parsed) => Some(parsed),
            Err(_) if is_array && !path.contains('[') => {
                self.error(
                    Some(section_span),
                    path,
                    format!("`{path}` is one table, not a list"),
                )
                .hint = Some(format!("write [{path}], not [[{path}]]"));
                None
            }
            Err(error) => {
                let span = error.span().unwrap_or(section_span);
                let mut full_path = path.to_string();
                locate(&copy, span.start, &mut full_path);
                let diagnostic = self.shape_diagnostic(error.message(), span, &full_path);
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    /// Deserializes each entry of an array of tables (`[[roles]]`) on its own, keeping every
    /// entry's position and id even when its shape is wrong.
    fn entries<T: for<'de> Deserialize<'de>>(
        &mut self,
        value: Spanned<DeValue<'_>>,
        section: &'static str,
    ) -> Vec<Option<T>> {
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    let text = |key: &str| {
                        let table = item.get_ref().as_table()?;
                        let (k, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == key)?;
                        let _ = k;
                        v.get_ref()
                            .as_str()
                            .map(|s| Located::new(v.span(), s.to_string()))
                    };
                    let id = text("id");
                    if section == "faults" {
                        let cause = text("root_cause").or_else(|| text("kind"));
                        self.raw
                            .fault_causes
                            .push(cause.map(|c| c.get_ref().clone()).unwrap_or_default());
                    }
                    self.raw.ids.entry(section).or_default().push(id);
                    self.entry(item, &format!("{section}[{i}]"))
                })
                .collect(),
            other => {
                self.error(
                    Some(span),
                    section,
                    format!("expected a list of tables, found a {}", other.type_str()),
                )
                .hint = Some(format!(
                    "write each entry under its own [[{section}]] header"
                ));
                Vec::new()
            }
        }
    }

    /// Turns a serde message into a diagnostic with a key path and a hint.
    fn shape_diagnostic(&self, message: &str, span: Range<usize>, path: &str) -> Diagnostic {
        let message = message.trim();
        if let Some(rest) = message.strip_prefix("unknown field `") {
            let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
            let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let d = Diagnostic::error(Some(span), path, format!("unknown key `{key}`"));
            return match suggest(key, known.iter().copied()) {
                Some(best) => d.with_hint(format!("did you mean `{best}`?")),
                None if !known.is_empty() => {
                    d.with_hint(format!("known keys here: {}", known.join(", ")))
                }
                None => d,
            };
        }
        if let Some(rest) = message.strip_prefix("missing field `") {
            let key = rest.split('`').next().unwrap_or(rest);
            return Diagnostic::error(Some(span), path, format!("missing key `{key}`")).with_hint(
                format!("add `{key} = ...`; see docs/scenario-format.md for this section"),
            );
        }
        let full_path = path.to_string();
        let message = message.replace("invalid type: ", "wrong type: ");
        let hint = if message.contains("a duration") || message.contains("duration string") {
            "durations are strings with a unit, e.g. \"90s\", \"15m\", \"2h\""
        } else {
            "see docs/scenario-format.md for the expected value"
        };
        Diagnostic::error(Some(span), full_path, message).with_hint(hint)
    }

    // ---- meaning: values -------------------------------------------------------------------

    fn duration(&mut self, value: &Located<DurationText>, path: &str) -> Option<f64> {
        match parse_minutes(&value.get_ref().0) {
            Ok(minutes) => Some(minutes),
            Err(e) => {
                let hint = e.hint();
                self.error(Some(value.span()), path, format!("invalid duration: {e}"))
                    .hint = Some(hint.into());
                None
            }
        }
    }

    fn positive_duration(&mut self, value: &Located<DurationText>, path: &str) -> Option<f64> {
        let minutes = self.duration(value, path)?;
        if minutes <= 0.0 {
            self.error(Some(value.span()), path, "must be longer than 0")
                .hint = Some("write a positive duration such as \"1m\"".into());
            return None;
        }
        Some(minutes)
    }

    fn probability(&mut self, value: &Located<f64>, path: &str) -> Option<f64> {
        let p = *value.get_ref();
        if !(0.0..=1.0).contains(&p) {
            self.error(
                Some(value.span()),
                path,
                format!("must be a probability between 0 and 1, got {p}"),
            )
            .hint = Some("write a share such as 0.2 for 20%".into());
            return None;
        }
        Some(p)
    }

    fn non_negative(&mut self, value: &Located<f64>, path: &str) -> Option<f64> {
        let x = *value.get_ref();
        if !(x >= 0.0 && x.is_finite()) {
            self.error(
                Some(value.span()),
                path,
                format!("must be 0 or more, got {x}"),
            );
            return None;
        }
        Some(x)
    }

    fn count(&mut self, value: &Located<i64>, path: &str, min: i64) -> Option<u32> {
        let n = *value.get_ref();
        if n < min || n > u32::MAX as i64 {
            self.error(
                Some(value.span()),
                path,
                format!("must be a whole number of at least {min}, got {n}"),
            );
            return None;
        }
        Some(n as u32)
    }

    fn dist(&mut self, value: &Located<RawDist>, path: &str) -> Option<Dist> {
        let span = value.span();
        let table = match value.get_ref() {
            RawDist::Fixed(text) => {
                let minutes = self.duration(&Located::new(span.clone(), text.clone()), path)?;
                return Some(Dist::Fixed(minutes));
            }
            RawDist::Table(table) => table,
        };
        let kind = table.dist.get_ref().as_str();
        const KINDS: [&str; 9] = [
            "fixed",
            "uniform",
            "exponential",
            "normal",
            "lognormal",
            "gamma",
            "weibull",
            "triangular",
            "empirical",
        ];
        let params: [(&str, bool); 12] = [
            ("value", table.value.is_some()),
            ("min", table.min.is_some()),
            ("max", table.max.is_some()),
            ("mode", table.mode.is_some()),
            ("mean", table.mean.is_some()),
            ("sd", table.sd.is_some()),
            ("median", table.median.is_some()),
            ("p90", table.p90.is_some()),
            ("sigma", table.sigma.is_some()),
            ("shape", table.shape.is_some()),
            ("scale", table.scale.is_some()),
            ("values", table.values.is_some()),
        ];
        let allowed: &[&str] = match kind {
            "fixed" => &["value"],
            "uniform" => &["min", "max"],
            "exponential" => &["mean"],
            "normal" => &["mean", "sd"],
            "lognormal" => &["median", "p90", "sigma"],
            "gamma" => &["shape", "scale", "mean"],
            "weibull" => &["shape", "scale"],
            "triangular" => &["min", "mode", "max"],
            "empirical" => &["values"],
            _ => {
                let d = Diagnostic::error(
                    Some(table.dist.span()),
                    format!("{path}.dist"),
                    format!("unknown distribution `{kind}`"),
                )
                .with_suggestion(kind, KINDS)
                .with_hint_if_none(format!("known distributions: {}", KINDS.join(", ")));
                self.diagnostics.push(d);
                return None;
            }
        };
        let mut ok = true;
        for (name, present) in params {
            if present && !allowed.contains(&name) {
                self.error(
                    Some(span.clone()),
                    format!("{path}.{name}"),
                    format!("`{name}` does not apply to a {kind} distribution"),
                )
                .hint = Some(format!(
                    "a {kind} distribution takes: {}",
                    allowed.join(", ")
                ));
                ok = false;
            }
        }
        let get =
            |this: &mut Self, field: &Option<Located<DurationText>>, name: &str| -> Option<f64> {
                match field {
                    Some(v) => this.duration(v, &format!("{path}.{name}")),
                    None => {
                        this.error(
                            Some(span.clone()),
                            path,
                            format!("a {kind} distribution needs `{name}`"),
                        )
                        .hint = Some(format!(
                            "a {kind} distribution takes: {}",
                            allowed.join(", ")
                        ));
                        None
                    }
                }
            };
        let number = |this: &mut Self, field: &Option<Located<f64>>, name: &str| -> Option<f64> {
            match field {
                Some(v) => Some(*v.get_ref()),
                None => {
                    this.error(
                        Some(span.clone()),
                        path,
                        format!("a {kind} distribution needs `{name}`"),
                    );
                    None
                }
            }
        };
        let built = match kind {
            "fixed" => get(self, &table.value, "value").map(Dist::fixed),
            "uniform" => match (get(self, &table.min, "min"), get(self, &table.max, "max")) {
                (Some(a), Some(b)) => Some(Dist::uniform(a, b)),
                _ => None,
            },
            "exponential" => get(self, &table.mean, "mean").map(Dist::exponential),
            "normal" => match (get(self, &table.mean, "mean"), get(self, &table.sd, "sd")) {
                (Some(m), Some(s)) => Some(Dist::normal(m, s)),
                _ => None,
            },
            "lognormal" => {
                let median = get(self, &table.median, "median");
                match (&table.p90, &table.sigma) {
                    (Some(_), Some(_)) => {
                        self.error(
                            Some(span.clone()),
                            path,
                            "give either `p90` or `sigma`, not both",
                        )
                        .hint = Some(
                            "p90 is easier to estimate: the time 9 in 10 cases stay under".into(),
                        );
                        None
                    }
                    (Some(p90), None) => {
                        let p90 = self.duration(p90, &format!("{path}.p90"));
                        median
                            .zip(p90)
                            .map(|(m, p)| Dist::lognormal_median_p90(m, p))
                    }
                    (None, Some(sigma)) => {
                        median.map(|m| Dist::lognormal_median_sigma(m, *sigma.get_ref()))
                    }
                    (None, None) => {
                        self.error(
                            Some(span.clone()),
                            path,
                            "a lognormal distribution needs `p90` (or `sigma`) next to `median`",
                        )
                        .hint = Some(
                            "e.g. { dist = \"lognormal\", median = \"5m\", p90 = \"20m\" }".into(),
                        );
                        None
                    }
                }
            }
            "gamma" => {
                let shape = number(self, &table.shape, "shape");
                let scale = match (&table.scale, &table.mean) {
                    (Some(scale), None) => self.duration(scale, &format!("{path}.scale")),
                    (None, Some(mean)) => self
                        .duration(mean, &format!("{path}.mean"))
                        .zip(shape)
                        // A shape of 0 is refused by Dist::gamma; keep the scale finite
                        // so that is the message the author sees.
                        .map(|(m, k)| if k > 0.0 { m / k } else { m }),
                    _ => {
                        self.error(
                            Some(span.clone()),
                            path,
                            "a gamma distribution needs `shape` and one of `scale` or `mean`",
                        );
                        None
                    }
                };
                shape.zip(scale).map(|(k, s)| Dist::gamma(k, s))
            }
            "weibull" => {
                let shape = number(self, &table.shape, "shape");
                let scale = get(self, &table.scale, "scale");
                shape.zip(scale).map(|(k, s)| Dist::weibull(k, s))
            }
            "triangular" => match (
                get(self, &table.min, "min"),
                get(self, &table.mode, "mode"),
                get(self, &table.max, "max"),
            ) {
                (Some(a), Some(c), Some(b)) => Some(Dist::triangular(a, c, b)),
                _ => None,
            },
            "empirical" => match &table.values {
                Some(values) => {
                    // Every value is checked (not only up to the first bad one).
                    let parsed: Vec<Option<f64>> = values
                        .get_ref()
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.duration(v, &format!("{path}.values[{i}]")))
                        .collect();
                    let parsed: Option<Vec<f64>> = parsed.into_iter().collect();
                    parsed.map(Dist::empirical)
                }
                None => {
                    get(self, &None, "values");
                    None
                }
            },
            _ => unreachable!("kinds are matched above"),
        };
        match built {
            Some(Ok(dist)) if ok => Some(dist),
            Some(Err(e)) => {
                self.error(Some(span), path, format!("impossible distribution: {e}"))
                    .hint = Some(
                    "check the parameters against docs/scenario-format.md#distributions".into(),
                );
                None
            }
            _ => None,
        }
    }

    fn reference(
        &mut self,
        index: &Index,
        value: &Located<String>,
        path: &str,
        what: &str,
    ) -> Option<usize> {
        let name = value.get_ref();
        if let Some(&i) = index.by_id.get(name) {
            return Some(i);
        }
        let mut d = Diagnostic::error(
            Some(value.span()),
            path,
            format!("no {what} named `{name}`"),
        )
        .with_suggestion(name, index.ids.iter().map(String::as_str));
        if d.hint.is_none() {
            d.hint = Some(if index.ids.is_empty() {
                format!("this scenario defines no {what}s")
            } else {
                format!("known {what}s: {}", index.ids.join(", "))
            });
        }
        self.diagnostics.push(d);
        None
    }

    fn one_of<T: Copy>(
        &mut self,
        value: &Located<String>,
        path: &str,
        what: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        let name = value.get_ref().as_str();
        if let Some((_, v)) = options.iter().find(|(n, _)| *n == name) {
            return Some(*v);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let d = Diagnostic::error(Some(value.span()), path, format!("unknown {what} `{name}`"))
            .with_suggestion(name, names.iter().copied())
            .with_hint_if_none(format!("use one of: {}", names.join(", ")));
        self.diagnostics.push(d);
        None
    }

    /// Indexes the ids of a section's entries by position (entries with a shape error too),
    /// reporting empty and duplicate ids.
    fn unique_ids(&mut self, section: &str, ids: &[Option<Located<String>>]) -> Index {
        let mut seen: HashMap<&str, ()> = HashMap::new();
        let mut list = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let Some(id) = id else {
                // No id (or not a string): its entry's shape error says so.
                list.push("");
                continue;
            };
            let name = id.get_ref().as_str();
            if name.trim().is_empty() {
                self.error(
                    Some(id.span()),
                    format!("{section}[{i}].id"),
                    "an id cannot be empty",
                );
            } else if seen.insert(name, ()).is_some() {
                self.error(
                    Some(id.span()),
                    format!("{section}[{i}].id"),
                    format!("duplicate id `{name}`"),
                )
                .hint = Some(format!("every entry of [[{section}]] needs its own id"));
            }
            list.push(name);
        }
        Index::new(list)
    }

    // ---- the whole scenario ----------------------------------------------------------------

    fn build(&mut self, raw: RawScenario, source: &str) -> Option<Scenario> {
        let no_ids = Vec::new();
        let ids = |section: &str| raw.ids.get(section).unwrap_or(&no_ids);
        let systems_index = self.unique_ids("systems", ids("systems"));
        let _ = self.unique_ids("faults", ids("faults"));
        let _ = self.unique_ids("detectors", ids("detectors"));
        let roles_index = self.unique_ids("roles", ids("roles"));
        let actions_index = self.unique_ids("actions", ids("actions"));
        let _ = self.unique_ids("objectives", ids("objectives"));
        let _ = self.unique_ids("injects", ids("injects"));

        let meta = raw.meta.as_ref().and_then(|m| self.meta(m));
        let horizon = meta.as_ref().map_or(f64::INFINITY, |m| m.horizon);
        let systems = self.systems(&raw.systems, &systems_index);
        let roles: Vec<Option<Role>> = raw
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| r.as_ref().and_then(|r| self.role(r, i)))
            .collect();

        // Causes come from every fault entry's text, so an action naming the cause of a fault
        // with a shape error is not reported again.
        let mut causes: Vec<String> = Vec::new();
        for cause in &raw.fault_causes {
            if !causes.contains(cause) {
                causes.push(cause.clone());
            }
        }
        let mut incidents: Vec<String> = Vec::new();
        let mut cause_of = |name: &str| -> usize {
            match causes.iter().position(|c| c == name) {
                Some(i) => i,
                None => {
                    causes.push(name.to_string());
                    causes.len() - 1
                }
            }
        };
        let faults: Vec<Option<Fault>> = raw
            .faults
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let f = f.as_ref()?;
                let path = format!("faults[{i}]");
                let kind = self.one_of(&f.kind, &format!("{path}.kind"), "fault kind", &FaultKind::NAMES.map(|n| (n, n)));
                let kind = kind.and_then(FaultKind::from_name);
                let flow = self.reference(&systems_index, &f.target, &format!("{path}.target"), "system");
                let flow = flow.filter(|&s| {
                    let is_flow = systems.get(s).and_then(|s| s.as_ref()).is_some_and(|s| s.kind == SystemKind::Flow);
                    if !is_flow && systems.get(s).is_some_and(|s| s.is_some()) {
                        self.error(Some(f.target.span()), format!("{path}.target"), format!("`{}` is not a flow", f.target.get_ref()))
                            .hint = Some("faults break flows (kind = \"flow\"); point the fault at the flow that moves the records".into());
                    }
                    is_flow
                });
                let onset = self.dist(&f.onset, &format!("{path}.onset"));
                let effect = f.effect.get_ref();
                let mode = self.one_of(
                    &effect.mode,
                    &format!("{path}.effect.mode"),
                    "effect mode",
                    &[("loud", EffectMode::Loud), ("silent", EffectMode::Silent), ("delay", EffectMode::Delay)],
                );
                let share = match &effect.share {
                    Some(share) => self.probability(share, &format!("{path}.effect.share")),
                    None => Some(1.0),
                };
                let lasts = f.lasts.as_ref().map(|l| self.dist(l, &format!("{path}.lasts")));
                let cause_name = f.root_cause.as_ref().map_or_else(|| f.kind.get_ref().clone(), |c| c.get_ref().clone());
                let cause = cause_of(&cause_name);
                let incident_name = f.incident.as_ref().map_or("main", |i| i.get_ref().as_str());
                let incident = match incidents.iter().position(|i| i == incident_name) {
                    Some(i) => i,
                    None => {
                        incidents.push(incident_name.to_string());
                        incidents.len() - 1
                    }
                };
                Some(Fault {
                    id: f.id.get_ref().clone(),
                    kind: kind?,
                    flow: flow?,
                    onset: onset?,
                    mode: mode?,
                    share: share?,
                    cause,
                    incident,
                    lasts: match lasts {
                        Some(l) => Some(l?),
                        None => None,
                    },
                    downstream: Vec::new(),
                })
            })
            .collect();

        let detectors: Vec<Option<Detector>> = raw
            .detectors
            .iter()
            .enumerate()
            .map(|(i, d)| {
                d.as_ref()
                    .and_then(|d| self.detector(d, i, &systems_index, &roles_index))
            })
            .collect();

        let escalation = raw
            .escalation
            .as_ref()
            .and_then(|e| self.escalation(e, &roles_index));
        if let (
            Some(Escalation {
                approver: Some(approver),
                ..
            }),
            Some(raw_escalation),
        ) = (&escalation, &raw.escalation)
            && let Some(name) = &raw_escalation.approver
        {
            self.responder(&roles, *approver, name, "escalation.approver");
        }

        let uses_raci = raw.actions.iter().flatten().any(|a| a.raci.is_some());
        let actions: Vec<Option<Action>> = raw
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let a = a.as_ref()?;
                let path = format!("actions[{i}]");
                let by = self
                    .reference(&roles_index, &a.by, &format!("{path}.by"), "role")
                    .filter(|&r| self.responder(&roles, r, &a.by, &format!("{path}.by")));
                let target = self
                    .reference(&systems_index, &a.target, &format!("{path}.target"), "system")
                    .filter(|&t| {
                        let kind = systems.get(t).and_then(|s| s.as_ref()).map(|s| s.kind);
                        if kind.is_some_and(|k| k != SystemKind::Flow) {
                            self.error(Some(a.target.span()), format!("{path}.target"), format!("`{}` is not a flow", a.target.get_ref()))
                                .hint = Some("actions act on flows (kind = \"flow\"): point it at the flow to pause, fix or replay".into());
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
                let requires_diagnosis = a.requires.diagnosis.as_ref().map(|d| {
                    match causes.iter().position(|c| c == d.get_ref()) {
                        Some(i) => Some(i),
                        None => {
                            let d = Diagnostic::error(
                                Some(d.span()),
                                format!("{path}.requires.diagnosis"),
                                format!("no fault has root cause `{}`", d.get_ref()),
                            )
                            .with_suggestion(d.get_ref(), causes.iter().map(String::as_str))
                            .with_hint_if_none(format!(
                                "root causes in this scenario: {}",
                                causes.join(", ")
                            ));
                            self.diagnostics.push(d);
                            None
                        }
                    }
                });
                let after: Vec<Option<usize>> = a
                    .requires
                    .after
                    .iter()
                    .enumerate()
                    .map(|(j, name)| {
                        self.reference(
                            &actions_index,
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
                    .map(|raci| self.raci(raci, a, by, &path, &roles_index));
                if a.raci.is_none() && uses_raci {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            Some(a.id.span()),
                            format!("{path}.raci"),
                            format!("action `{}` has no RACI: nobody is named accountable", a.id.get_ref()),
                        )
                        .with_hint("other actions declare RACI; add raci = { accountable = \"role-id\" } here too"),
                    );
                }
                let accountable = raci.as_ref().and_then(|r| r.as_ref()).and_then(|r| {
                    let name = a.raci.as_ref()?.get_ref().accountable.as_ref()?;
                    Some((r.accountable?, name))
                });
                let approver = match (&a.approver, accountable) {
                    (Some(name), _) => self
                        .reference(&roles_index, name, &format!("{path}.approver"), "role")
                        .filter(|&r| self.responder(&roles, r, name, &format!("{path}.approver")))
                        .map(Some),
                    // The accountable role approves what needs approval.
                    (None, Some((role, name))) if a.requires.approval => self
                        .responder(&roles, role, name, &format!("{path}.raci.accountable"))
                        .then_some(Some(role)),
                    (None, _) if a.requires.approval => {
                        let policy = escalation.as_ref().and_then(|e: &Escalation| e.approver);
                        if policy.is_none() && raw.escalation.is_some() {
                            self.error(
                                Some(a.id.span()),
                                format!("{path}.requires.approval"),
                                "the action needs approval but nobody approves",
                            )
                            .hint = Some(
                                "set `approver = \"role-id\"` on the action or in [escalation]"
                                    .into(),
                            );
                        }
                        Some(policy)
                    }
                    (None, _) => Some(None),
                };
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
            })
            .collect();

        let message = |this: &mut Self,
                       path: &str,
                       to: &Located<String>,
                       from: &Option<String>,
                       text: &str,
                       load: &Option<Located<i64>>,
                       misleads: bool,
                       reveals: &Option<Located<String>>|
         -> Option<Message> {
            let to = this.reference(&roles_index, to, &format!("{path}.to"), "role");
            let load = match load {
                Some(l) => this.count(l, &format!("{path}.load"), 0),
                None => Some(0),
            };
            let reveals = match reveals {
                Some(r) => match causes.iter().position(|c| c == r.get_ref()) {
                    Some(i) => Some(Some(i)),
                    None => {
                        let d = Diagnostic::error(
                            Some(r.span()),
                            format!("{path}.reveals"),
                            format!("no fault has root cause `{}`", r.get_ref()),
                        )
                        .with_suggestion(r.get_ref(), causes.iter().map(String::as_str))
                        .with_hint_if_none(format!(
                            "root causes in this scenario: {}",
                            causes.join(", ")
                        ));
                        this.diagnostics.push(d);
                        None
                    }
                },
                None => Some(None),
            };
            Some(Message {
                to: to?,
                from: from.clone().unwrap_or_default(),
                text: text.to_string(),
                load: load?,
                misleads,
                reveals: reveals?,
            })
        };

        let injects: Vec<Option<Inject>> = raw
            .injects
            .iter()
            .enumerate()
            .map(|(i, inj)| {
                let inj = inj.as_ref()?;
                let path = format!("injects[{i}]");
                let at = self.time(&inj.at, &format!("{path}.at"));
                let msg = message(
                    self,
                    &path,
                    &inj.to,
                    &inj.from,
                    &inj.text,
                    &inj.load,
                    inj.misleads,
                    &inj.reveals,
                );
                Some(Inject {
                    id: inj
                        .id
                        .as_ref()
                        .map_or_else(|| format!("inject-{}", i + 1), |id| id.get_ref().clone()),
                    at: at?,
                    message: msg?,
                    expect: inj.expect.clone(),
                })
            })
            .collect();

        let deck = raw.deck.as_ref().map(|deck| {
            let draw_every = self.dist(&deck.draw_every, "deck.draw_every");
            if let Some(d) = &draw_every
                && d.upper_bound() == Some(0.0)
            {
                self.error(Some(deck.draw_every.span()), "deck.draw_every", "draws must be more than 0 apart");
            }
            let max_draws = match &deck.max_draws {
                Some(n) => self.count(n, "deck.max_draws", 0),
                None => Some(1000),
            };
            if deck.cards.get_ref().is_empty() {
                self.error(Some(deck.cards.span()), "deck.cards", "the deck has no cards").hint =
                    Some("add cards such as { weight = 1, to = \"on-call\", text = \"...\" } or remove [deck]".into());
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
                    message(self, &path, &card.to, &card.from, &card.text, &card.load, card.misleads, &card.reveals)
                })
                .collect();
            if total <= 0.0 && !deck.cards.get_ref().is_empty() {
                self.error(Some(deck.cards.span()), "deck.cards", "all card weights are 0");
            }
            Some(Deck {
                draw_every: draw_every?,
                max_draws: max_draws?,
                cards: cards.into_iter().collect::<Option<Vec<_>>>()?,
                cumulative_weights: cumulative,
            })
        });

        let objectives: Vec<Option<Objective>> = raw
            .objectives
            .iter()
            .enumerate()
            .map(|(i, o)| o.as_ref().and_then(|o| self.objective(o, i, horizon)))
            .collect();

        let comms = self.comms(&raw, &roles, &roles_index);
        let _ = self.unique_ids("modules", ids("modules"));
        let modules: Vec<Option<Module>> = raw
            .modules
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let m = m.as_ref()?;
                let starts = self.time(&m.starts, &format!("modules[{i}].starts"));
                Some(Module {
                    id: m.id.get_ref().clone(),
                    title: m.title.clone().unwrap_or_else(|| m.id.get_ref().clone()),
                    starts: starts?,
                    questions: m.questions.clone(),
                })
            })
            .collect();

        if self.diagnostics.has_errors() {
            return None;
        }
        let systems: Vec<System> = systems.into_iter().collect::<Option<_>>()?;
        let mut faults: Vec<Fault> = faults.into_iter().collect::<Option<_>>()?;
        for fault in &mut faults {
            fault.downstream = downstream_of(&systems, fault.flow);
        }
        let mut detectors: Vec<Detector> = detectors.into_iter().collect::<Option<_>>()?;
        for (detector, raw_detector) in detectors.iter_mut().zip(raw.detectors.iter().flatten()) {
            detector.sees = faults
                .iter()
                .map(|f| sees(detector, raw_detector, f, &systems, &systems_index))
                .collect();
        }
        let objectives: Vec<Objective> = objectives.into_iter().collect::<Option<_>>()?;
        if scenario_incidents_too_many(&faults) {
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
        Some(Scenario {
            meta: meta?,
            objectives,
            systems,
            faults,
            detectors,
            roles: roles.into_iter().collect::<Option<_>>()?,
            escalation: escalation?,
            actions: actions.into_iter().collect::<Option<_>>()?,
            injects: injects.into_iter().collect::<Option<_>>()?,
            deck: match deck {
                Some(d) => Some(d?),
                None => None,
            },
            comms: comms?,
            modules: modules.into_iter().collect::<Option<_>>()?,
            hot_wash: raw.hot_wash.clone().unwrap_or_default(),
            causes,
            incidents,
            fingerprint: Fingerprint::of(source),
            source: source.to_string(),
        })
    }

    /// Whether `role` acts (is not a stakeholder); reports an error at `name` if not.
    fn responder(
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

    fn meta(&mut self, m: &RawMeta) -> Option<Meta> {
        let name = m.name.get_ref();
        if name.trim().is_empty() || name.contains(['/', '\\']) {
            self.error(
                Some(m.name.span()),
                "scenario.name",
                "a name must be non-empty and contain no slashes",
            )
            .hint = Some(
                "use a short slug such as \"lead-sync-schema-drift\"; it names report files".into(),
            );
        }
        let horizon = self.positive_duration(&m.horizon, "scenario.horizon");
        let start = match &m.start {
            Some(start) => {
                match parse_week_time(start.get_ref()) {
                    Some(minute) => Some(minute),
                    None => {
                        self.error(Some(start.span()), "scenario.start", format!("cannot read `{}` as a weekday and time", start.get_ref()))
                        .hint = Some("write a weekday and a 24-hour time, e.g. \"Mon 09:00\" or \"Sat 02:30\"".into());
                        None
                    }
                }
            }
            None => Some(9.0 * 60.0),
        };
        Some(Meta {
            name: name.clone(),
            title: m.title.clone().unwrap_or_else(|| name.clone()),
            description: m.description.clone().unwrap_or_default(),
            version: m.version.clone().unwrap_or_else(|| "1".to_string()),
            horizon: horizon?,
            start_minute_of_week: start?,
            tags: m.tags.clone(),
        })
    }

    fn systems(&mut self, raw: &[Option<RawSystem>], index: &Index) -> Vec<Option<System>> {
        raw.iter()
            .enumerate()
            .map(|(i, s)| {
                let s = s.as_ref()?;
                let path = format!("systems[{i}]");
                let kind = self.one_of(
                    &s.kind,
                    &format!("{path}.kind"),
                    "system kind",
                    &[("source", SystemKind::Source), ("flow", SystemKind::Flow), ("sink", SystemKind::Sink)],
                );
                let from = s.from.as_ref().map(|f| self.reference(index, f, &format!("{path}.from"), "system"));
                let to = s.to.as_ref().map(|t| self.reference(index, t, &format!("{path}.to"), "system"));
                let rate = s.records_per_minute.as_ref().map(|r| self.non_negative(r, &format!("{path}.records_per_minute")));
                let retry = s.retry_queue.as_ref().map(|q| self.positive_duration(&q.retention, &format!("{path}.retry_queue.retention")));
                let hold = s.hold_retention.as_ref().map(|h| self.positive_duration(h, &format!("{path}.hold_retention")));
                if kind == Some(SystemKind::Flow) {
                    if s.from.is_none() || s.to.is_none() {
                        self.error(Some(s.id.span()), &path, "a flow needs `from` and `to`").hint =
                            Some("name the system it reads from and the one it writes to".into());
                    }
                    if s.records_per_minute.is_none() {
                        self.error(Some(s.id.span()), &path, "a flow needs `records_per_minute`").hint =
                            Some("estimate the records it moves per minute, e.g. records_per_minute = 20".into());
                    }
                } else if kind.is_some() {
                    for (present, key) in [
                        (s.from.is_some(), "from"),
                        (s.to.is_some(), "to"),
                        (s.records_per_minute.is_some(), "records_per_minute"),
                        (s.retry_queue.is_some(), "retry_queue"),
                        (s.hold_retention.is_some(), "hold_retention"),
                    ] {
                        if present {
                            self.error(Some(s.kind.span()), format!("{path}.{key}"), format!("`{key}` applies only to flows"))
                                .hint = Some(format!("set kind = \"flow\" or remove `{key}`"));
                        }
                    }
                }
                for (end, key) in [(&s.from, "from"), (&s.to, "to")] {
                    if let Some(end) = end
                        && end.get_ref() == s.id.get_ref()
                    {
                        self.error(Some(end.span()), format!("{path}.{key}"), "a flow cannot feed itself")
                            .hint = Some("name the system it reads from and the one it writes to".into());
                    }
                }
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
                })
            })
            .collect()
    }

    fn role(&mut self, r: &RawRole, i: usize) -> Option<Role> {
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

    fn detector(
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
            "monitor" => &["watches", "signal", "latency", "miss", "notifies"],
            "reconciliation" => &["compares", "every", "offset", "miss", "notifies"],
            _ => &["watches", "delay", "miss", "notifies"],
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
                        self.error(Some(compares.span()), format!("{path}.compares"), "a reconciliation compares exactly two systems")
                            .hint = Some("name the upstream and the downstream system, e.g. [\"webform\", \"crm\"]".into());
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
        Some(Detector {
            id: d.id.get_ref().clone(),
            kind,
            miss: miss?,
            notifies: notifies?,
            sees: Vec::new(),
        })
    }

    fn escalation(&mut self, e: &RawEscalation, roles: &Index) -> Option<Escalation> {
        if e.severities.get_ref().is_empty() {
            self.error(Some(e.severities.span()), "escalation.severities", "at least one severity level is needed").hint =
                Some("e.g. severities = [{ level = \"SEV2\", acknowledge_within = \"15m\", restore_within = \"4h\", page = [\"on-call\"] }]".into());
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
                    .map(|(j, r)| self.reference(roles, r, &format!("{path}.page[{j}]"), "role"))
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
                .reference(roles, a, "escalation.approver", "role")
                .map(Some),
            None => Some(None),
        };
        Some(Escalation {
            severities: severities.into_iter().collect::<Option<_>>()?,
            auto_escalate: e.auto_escalate.unwrap_or(true),
            approver: approver?,
        })
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
                        "name the one role that answers for it (and approves it), e.g. accountable = \"incident-commander\"",
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

    /// `[comms]`: templates (their roles and fields), cadence rules (their severities and
    /// templates) and the jargon list.
    fn comms(
        &mut self,
        raw: &RawScenario,
        roles: &[Option<Role>],
        roles_index: &Index,
    ) -> Option<Comms> {
        let no_ids = Vec::new();
        let templates_index = self.unique_ids(
            "comms.templates",
            raw.ids.get("comms.templates").unwrap_or(&no_ids),
        );
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
                    Some(match audiences.iter().position(|a| a == audience_name) {
                        Some(a) => a,
                        None => {
                            audiences.push(audience_name.to_string());
                            audiences.len() - 1
                        }
                    })
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
            None => comms::DEFAULT_JARGON
                .iter()
                .map(|w| w.to_string())
                .collect(),
        };
        Some(Comms {
            templates: templates.into_iter().collect::<Option<_>>()?,
            cadence: cadence.into_iter().collect::<Option<_>>()?,
            audiences,
            jargon,
        })
    }

    /// A time from scenario start (`"2h"`) or a delay after a milestone.
    fn time(&mut self, at: &Located<RawInjectTime>, path: &str) -> Option<InjectTime> {
        match at.get_ref() {
            RawInjectTime::At(text) => self
                .duration(&Located::new(at.span(), text.clone()), path)
                .map(InjectTime::At),
            RawInjectTime::After(after) => {
                let milestone = self.one_of(
                    &after.after,
                    &format!("{path}.after"),
                    "milestone",
                    &Milestone::ALL.map(|m| (m.name(), m)),
                );
                let delay = match &after.delay {
                    Some(d) => self.duration(d, &format!("{path}.delay")),
                    None => Some(0.0),
                };
                milestone.zip(delay).map(|(m, d)| InjectTime::After(m, d))
            }
        }
    }

    fn objective(&mut self, o: &RawObjective, i: usize, horizon: f64) -> Option<Objective> {
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
                "rating thresholds must satisfy 0 <= major_challenges <= some_challenges <= performed <= 1",
            )
            .hint = Some("they are the least share of runs meeting the target, e.g. { performed = 0.9, some_challenges = 0.7, major_challenges = 0.4 }".into());
            return None;
        }
        Some(thresholds)
    }
}

fn scenario_incidents_too_many(faults: &[Fault]) -> bool {
    faults.iter().any(|f| f.incident >= 64)
}

/// Extends `path` with the keys (and list indices) leading from `value` to the innermost value
/// whose span holds `offset`. A key's own span (an unknown key) leaves the path at its table.
fn locate(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut String) {
    match value.get_ref() {
        DeValue::Table(table) => {
            for (key, child) in table.iter() {
                if child.span().contains(&offset) || child.span().start == offset {
                    path.push('.');
                    path.push_str(key.get_ref());
                    locate(child, offset, path);
                    return;
                }
            }
        }
        DeValue::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                if child.span().contains(&offset) {
                    path.push_str(&format!("[{i}]"));
                    locate(child, offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// Systems reachable downstream of a flow (following `to`, and flows whose `from` is reached).
fn downstream_of(systems: &[System], flow: usize) -> Vec<usize> {
    let mut reached = vec![false; systems.len()];
    let mut stack = vec![flow];
    while let Some(s) = stack.pop() {
        if let Some(to) = systems[s].to
            && !reached[to]
        {
            reached[to] = true;
            stack.push(to);
        }
        for (i, other) in systems.iter().enumerate() {
            if other.kind == SystemKind::Flow && other.from == Some(s) && !reached[i] && i != flow {
                reached[i] = true;
                stack.push(i);
            }
        }
    }
    reached
        .iter()
        .enumerate()
        .filter(|(_, r)| **r)
        .map(|(i, _)| i)
        .collect()
}

/// Whether a detector can see a fault: error monitors see loud faults of the flow they watch;
/// volume monitors and user reports see any fault at or upstream of what they watch;
/// reconciliations see faults on a flow between the two systems they compare.
fn sees(
    detector: &Detector,
    raw: &RawDetector,
    fault: &Fault,
    systems: &[System],
    index: &Index,
) -> bool {
    let lookup = |name: &Located<String>| index.by_id.get(name.get_ref()).copied();
    let at_or_downstream =
        |watched: usize| watched == fault.flow || fault.downstream.contains(&watched);
    match &detector.kind {
        DetectorKind::Monitor {
            signal: MonitorSignal::Errors,
            ..
        } => {
            fault.mode == EffectMode::Loud
                && raw.watches.as_ref().and_then(lookup) == Some(fault.flow)
        }
        DetectorKind::Monitor {
            signal: MonitorSignal::Volume,
            ..
        }
        | DetectorKind::UserReport { .. } => raw
            .watches
            .as_ref()
            .and_then(lookup)
            .is_some_and(at_or_downstream),
        DetectorKind::Reconciliation { .. } => {
            let Some(compares) = &raw.compares else {
                return false;
            };
            let ends: Vec<usize> = compares.get_ref().iter().filter_map(lookup).collect();
            let [upstream, downstream] = ends[..] else {
                return false;
            };
            let fed_by_upstream = systems[fault.flow].from == Some(upstream)
                || downstream_of(systems, upstream).contains(&fault.flow);
            fed_by_upstream && at_or_downstream(downstream)
        }
    }
}

trait HintIfNone {
    fn with_hint_if_none(self, hint: String) -> Self;
}

impl HintIfNone for Diagnostic {
    fn with_hint_if_none(self, hint: String) -> Self {
        if self.hint.is_some() {
            self
        } else {
            self.with_hint(hint)
        }
    }
}
