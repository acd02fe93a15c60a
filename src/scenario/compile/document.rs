//! The TOML document into sections: each known top-level section (and each key of `[comms]`)
//! is deserialized into its raw serde type, one entry of an array of tables at a time, so one
//! malformed entry neither hides nor breaks its neighbours.
//!
//! Only shape is checked here (unknown and missing sections and keys, wrong types), and every
//! error names the key path it sits at. Meaning (durations, ranges, references) is for the
//! other submodules; nothing here looks at what a value says.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::{Compiler, SECTIONS};
use crate::scenario::diagnostic::{Diagnostic, suggest};
use crate::scenario::raw::{Located, RawDeck, RawEscalation, RawMeta};

/// Keys of `[comms]`.
const COMMS_KEYS: [&str; 3] = ["templates", "cadence", "jargon"];

/// Sections no scenario can run without; each one missing is reported on its own.
const REQUIRED_SECTIONS: [&str; 6] = [
    "scenario",
    "systems",
    "faults",
    "roles",
    "escalation",
    "actions",
];

impl Compiler<'_> {
    /// Fills `self.raw` from the document, reporting unknown sections, missing required ones
    /// and every entry whose shape is wrong.
    pub(super) fn split_sections(&mut self, document: DeTable<'_>) {
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
                "causes" => self.raw.causes = self.entries(value, section),
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
        let message = in_words(&message.replace("invalid type: ", "wrong type: "));
        let hint = if message.contains("a duration") || message.contains("duration string") {
            "durations are strings with a unit, e.g. \"90s\", \"15m\", \"2h\""
        } else {
            "see docs/scenario-format.md for the expected value"
        };
        Diagnostic::error(Some(span), full_path, message).with_hint(hint)
    }
}

/// A serde message with Rust's type names said in words ("expected f64" -> "expected a
/// number"), for people who write TOML, not Rust.
fn in_words(message: &str) -> String {
    const WORDS: [(&str, &str); 9] = [
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("expected i64", "expected a whole number"),
        ("expected i32", "expected a whole number"),
        ("expected u64", "expected a whole number of at least 0"),
        ("expected u32", "expected a whole number of at least 0"),
        ("expected u16", "expected a whole number of at least 0"),
        ("expected usize", "expected a whole number of at least 0"),
        ("expected a boolean", "expected true or false"),
    ];
    let mut out = message.to_string();
    for (rust, words) in WORDS {
        if let Some(at) = out.find(rust) {
            let end = at + rust.len();
            // Whole words only: "expected u64" must not match inside "expected u640".
            if !out[end..].starts_with(|c: char| c.is_alphanumeric()) {
                out.replace_range(at..end, words);
            }
        }
    }
    out
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
