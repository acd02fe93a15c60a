//! Overrides of scenario values by key path (`ttx sweep --set KEY=V1,V2,...`).
//!
//! A key path names a value the way the file nests it: `scenario.horizon`,
//! `detectors.zap-error-email.latency.mean`, `escalation.severities.SEV2.acknowledge_within`.
//! An entry of an array (`[[detectors]]`, `severities = [...]`) is addressed by its `id` (or a
//! severity's `level`), or by position: `detectors[0].miss`. A value is read as a TOML literal
//! when it is one (`0.25`, `3`, `true`, `"5m"`, `{ dist = "fixed", value = "5m" }`) and as a
//! string otherwise (`5m` is the string `"5m"`).
//!
//! The scenario *text* is edited in place (every other line, comment and layout kept), so the
//! result is compiled and validated exactly like a file, and its diagnostics point at the
//! user's own lines. This module only edits text; it never validates meaning.

use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::diagnostic::suggest;

/// One `--set KEY=V1,V2,...`: a key path and the values to try, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The key path.
    pub key: String,
    /// The values, as written (each a TOML literal or a bare string).
    pub values: Vec<String>,
}

/// Why a `--set` could not be read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    /// No `=`.
    #[error("expected KEY=V1,V2,... (e.g. detectors.zap-error-email.latency.mean=5m,10m,20m)")]
    Form,
    /// A value is empty (`a=1,,2`).
    #[error("an empty value in `{0}`: separate values with single commas")]
    EmptyValue(String),
    /// Unbalanced brackets or quotes.
    #[error("unbalanced brackets or quotes in `{0}`")]
    Unbalanced(String),
    /// The key path does not parse.
    #[error(
        "`{0}` is not a key path (keys separated by dots, entries by id or [index], e.g. detectors[0].miss)"
    )]
    Path(String),
    /// The scenario text is not TOML (it would not compile either).
    #[error("the scenario is not valid TOML, so no value can be set in it")]
    Toml,
    /// A key on the way does not exist.
    #[error("{at} has no key `{name}`{}", hint(.suggestion, .known))]
    NoKey {
        /// Where.
        at: String,
        /// The missing key.
        name: String,
        /// The closest existing key.
        suggestion: Option<String>,
        /// Existing keys.
        known: Vec<String>,
    },
    /// No array entry with that id.
    #[error("{at} has no entry with id `{name}`{}", hint(.suggestion, .known))]
    NoEntry {
        /// Where.
        at: String,
        /// The id asked for.
        name: String,
        /// The closest existing id.
        suggestion: Option<String>,
        /// Existing ids.
        known: Vec<String>,
    },
    /// An index past the end.
    #[error("{at} has {len} entries; [{index}] is past the end (entries count from 0)")]
    Index {
        /// Where.
        at: String,
        /// The index asked for.
        index: usize,
        /// Entries there are.
        len: usize,
    },
    /// Going into something that holds no keys.
    #[error("{at} is a {kind}, which holds no `{name}`")]
    NotContainer {
        /// Where.
        at: String,
        /// What it is.
        kind: &'static str,
        /// What was asked of it.
        name: String,
    },
    /// Replacing a whole `[[section]]` entry.
    #[error("{at} is a whole [[section]] entry; set its keys one by one (e.g. {at}.id)")]
    WholeEntry {
        /// Where.
        at: String,
    },
}

fn hint(suggestion: &Option<String>, known: &[String]) -> String {
    match suggestion {
        Some(s) => format!("; did you mean `{s}`?"),
        None if known.is_empty() => String::new(),
        None => format!(" (it has: {})", known.join(", ")),
    }
}

impl std::str::FromStr for Setting {
    type Err = SetError;

    /// Reads `KEY=V1,V2,...`; commas inside brackets, braces or quotes do not split.
    fn from_str(text: &str) -> Result<Self, SetError> {
        let (key, values) = text.split_once('=').ok_or(SetError::Form)?;
        let key = key.trim();
        parse_path(key)?;
        let values = split_values(values)?;
        Ok(Setting {
            key: key.to_string(),
            values,
        })
    }
}

/// Splits `V1,V2,...` at top-level commas (commas inside brackets, braces or quotes do not
/// split); an empty part is an error.
pub fn split_values(text: &str) -> Result<Vec<String>, SetError> {
    let mut values = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '{' | '[' => depth += 1,
                '}' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    values.push(text[start..i].trim().to_string());
                    start = i + 1;
                }
                _ => {}
            },
        }
        if depth < 0 {
            return Err(SetError::Unbalanced(text.to_string()));
        }
    }
    if depth != 0 || quote.is_some() {
        return Err(SetError::Unbalanced(text.to_string()));
    }
    values.push(text[start..].trim().to_string());
    if values.iter().any(String::is_empty) {
        return Err(SetError::EmptyValue(text.to_string()));
    }
    Ok(values)
}

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A key of a table, or the id of an array entry.
    Key(String),
    /// A position in an array.
    Index(usize),
}

fn parse_path(path: &str) -> Result<Vec<Step>, SetError> {
    let bad = || SetError::Path(path.to_string());
    let mut steps = Vec::new();
    for segment in path.split('.') {
        let (name, mut rest) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if name.is_empty() {
            return Err(bad());
        }
        steps.push(Step::Key(name.to_string()));
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(bad)?;
            let index = rest[1..close].trim().parse().map_err(|_| bad())?;
            steps.push(Step::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(bad());
            }
        }
    }
    Ok(steps)
}

/// Reads a value as a TOML literal if it is one, else as a string.
pub fn literal(text: &str) -> Value {
    text.parse::<Value>()
        .unwrap_or_else(|_| Value::from(text.to_string()))
}

/// `source` with the value at `key` set to `value` (replaced, keeping its trailing comment, or
/// added to the table that should hold it).
pub fn apply(source: &str, key: &str, value: &str) -> Result<String, SetError> {
    let steps = parse_path(key)?;
    let mut document = source.parse::<DocumentMut>().map_err(|_| SetError::Toml)?;
    set_in_table(
        document.as_table_mut(),
        "the scenario",
        &steps,
        literal(value),
    )?;
    Ok(document.to_string())
}

fn set_in_table(
    table: &mut dyn TableLike,
    at: &str,
    steps: &[Step],
    value: Value,
) -> Result<(), SetError> {
    let (step, rest) = steps
        .split_first()
        .ok_or_else(|| SetError::Path(at.into()))?;
    let Step::Key(name) = step else {
        return Err(SetError::NotContainer {
            at: at.to_string(),
            kind: "table",
            name: format!("[{}]", index_of(step)),
        });
    };
    let here = path_join(at, name);
    if rest.is_empty() {
        match table.get_mut(name) {
            Some(Item::Value(old)) => {
                let mut value = value;
                *value.decor_mut() = old.decor().clone();
                *old = value;
            }
            Some(Item::ArrayOfTables(_)) => return Err(SetError::WholeEntry { at: here }),
            Some(item) => *item = Item::Value(value),
            None => {
                table.insert(name, Item::Value(value));
            }
        }
        return Ok(());
    }
    let Some(item) = table.get_mut(name) else {
        let known: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
        return Err(SetError::NoKey {
            at: quoted(at),
            name: name.clone(),
            suggestion: suggest(name, known.iter().map(String::as_str)).map(str::to_string),
            known,
        });
    };
    set_in_item(item, &here, rest, value)
}

fn set_in_item(item: &mut Item, at: &str, steps: &[Step], value: Value) -> Result<(), SetError> {
    match item {
        Item::Value(v) => set_in_value(v, at, steps, value),
        Item::Table(t) => set_in_table(t, at, steps, value),
        Item::ArrayOfTables(array) => {
            let ids: Vec<Option<String>> = array.iter().map(|t| entry_id(t)).collect();
            let i = entry(&ids, at, &steps[0])?;
            let here = entry_path(at, &steps[0]);
            if steps.len() == 1 {
                return Err(SetError::WholeEntry { at: here });
            }
            let table = array.get_mut(i).expect("index checked");
            set_in_table(table, &here, &steps[1..], value)
        }
        Item::None => Err(SetError::Path(at.to_string())),
    }
}

fn set_in_value(v: &mut Value, at: &str, steps: &[Step], value: Value) -> Result<(), SetError> {
    match v {
        Value::InlineTable(t) => set_in_table(t, at, steps, value),
        Value::Array(array) => {
            let ids: Vec<Option<String>> = array
                .iter()
                .map(|e| e.as_inline_table().and_then(|t| entry_id(t)))
                .collect();
            let i = entry(&ids, at, &steps[0])?;
            let here = entry_path(at, &steps[0]);
            let element = array.get_mut(i).expect("index checked");
            if steps.len() == 1 {
                let mut value = value;
                *value.decor_mut() = element.decor().clone();
                *element = value;
                return Ok(());
            }
            set_in_value(element, &here, &steps[1..], value)
        }
        other => Err(SetError::NotContainer {
            at: quoted(at),
            kind: other.type_name(),
            name: match &steps[0] {
                Step::Key(k) => k.clone(),
                step => format!("[{}]", index_of(step)),
            },
        }),
    }
}

/// The id of an array entry: its `id`, or a severity level's `level`.
fn entry_id(table: &dyn TableLike) -> Option<String> {
    ["id", "level"]
        .iter()
        .find_map(|k| table.get(k).and_then(Item::as_str).map(str::to_string))
}

/// The position of the entry a step names among entries with these ids.
fn entry(ids: &[Option<String>], at: &str, step: &Step) -> Result<usize, SetError> {
    match step {
        Step::Index(i) if *i < ids.len() => Ok(*i),
        Step::Index(i) => Err(SetError::Index {
            at: quoted(at),
            index: *i,
            len: ids.len(),
        }),
        Step::Key(name) => ids
            .iter()
            .position(|id| id.as_deref() == Some(name))
            .ok_or_else(|| {
                let known: Vec<String> = ids.iter().flatten().cloned().collect();
                SetError::NoEntry {
                    at: quoted(at),
                    name: name.clone(),
                    suggestion: suggest(name, known.iter().map(String::as_str)).map(str::to_string),
                    known,
                }
            }),
    }
}

fn index_of(step: &Step) -> String {
    match step {
        Step::Index(i) => i.to_string(),
        Step::Key(k) => k.clone(),
    }
}

fn path_join(at: &str, name: &str) -> String {
    if at == "the scenario" {
        name.to_string()
    } else {
        format!("{at}.{name}")
    }
}

fn entry_path(at: &str, step: &Step) -> String {
    match step {
        Step::Index(i) => format!("{at}[{i}]"),
        Step::Key(k) => format!("{at}.{k}"),
    }
}

fn quoted(at: &str) -> String {
    if at == "the scenario" {
        at.to_string()
    } else {
        format!("`{at}`")
    }
}

/// A numeric value of a scenario, as [`numeric_values`] finds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Numeric {
    /// A whole number (`records_per_minute = 2`).
    Integer(i64),
    /// A number with a fraction (`miss = 0.4`).
    Float(f64),
    /// A duration string, in minutes (`mean = "8m"`).
    Duration(f64),
}

impl Numeric {
    /// The value times `factor`, as a `--set` value (`None` when it does not change: zero, or
    /// an integer that rounds back to itself). Durations are written in minutes to 0.01, bare
    /// (`9.6m`: a `--set` value that is no TOML literal is read as a string).
    pub fn scaled(self, factor: f64) -> Option<String> {
        match self {
            Numeric::Integer(n) => {
                let m = (n as f64 * factor).round() as i64;
                (m != n).then(|| m.to_string())
            }
            Numeric::Float(x) => {
                let y = (x * factor * 1e6).round() / 1e6;
                (y != x).then(|| format!("{y:?}"))
            }
            Numeric::Duration(minutes) => {
                let y = (minutes * factor * 100.0).round() / 100.0;
                (y != minutes && y > 0.0).then(|| format!("{y}m"))
            }
        }
    }

    /// The value as written for people (`2`, `0.4`, `8m`).
    pub fn show(self) -> String {
        match self {
            Numeric::Integer(n) => n.to_string(),
            Numeric::Float(x) => format!("{x:?}"),
            Numeric::Duration(m) => super::duration::format_minutes(m),
        }
    }
}

/// Every numeric value of `source` (numbers, and strings that read as durations) with the key
/// path [`apply`] takes to change it, in file order: array entries by id (or level) where they
/// have one that a path can hold, else by position. `None` if the text is not TOML.
pub fn numeric_values(source: &str) -> Option<Vec<(String, Numeric)>> {
    let document = source.parse::<DocumentMut>().ok()?;
    let mut out = Vec::new();
    walk_table(document.as_table(), "", &mut out);
    Some(out)
}

fn walk_table(table: &dyn TableLike, at: &str, out: &mut Vec<(String, Numeric)>) {
    for (key, item) in table.iter() {
        let here = if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        };
        match item {
            Item::Value(v) => walk_value(v, &here, out),
            Item::Table(t) => walk_table(t, &here, out),
            Item::ArrayOfTables(array) => {
                for (i, t) in array.iter().enumerate() {
                    walk_table(t, &entry_key(&here, entry_id(t), i), out);
                }
            }
            Item::None => {}
        }
    }
}

fn walk_value(value: &Value, at: &str, out: &mut Vec<(String, Numeric)>) {
    let numeric = match value {
        Value::Integer(n) => Some(Numeric::Integer(*n.value())),
        Value::Float(x) => Some(Numeric::Float(*x.value())),
        Value::String(s) => super::duration::parse_minutes(s.value())
            .ok()
            .map(Numeric::Duration),
        Value::InlineTable(t) => {
            walk_table(t, at, out);
            None
        }
        Value::Array(array) => {
            for (i, element) in array.iter().enumerate() {
                let id = element.as_inline_table().and_then(|t| entry_id(t));
                walk_value(element, &entry_key(at, id, i), out);
            }
            None
        }
        _ => None,
    };
    if let Some(numeric) = numeric {
        out.push((at.to_string(), numeric));
    }
}

/// `at.id`, or `at[i]` when the entry has no id a key path can hold.
fn entry_key(at: &str, id: Option<String>, index: usize) -> String {
    match id.filter(|id| !id.is_empty() && !id.contains(['.', '[', ']', '=', ' '])) {
        Some(id) => format!("{at}.{id}"),
        None => format!("{at}[{index}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"[scenario]
name = "x"
horizon = "1d"   # a day

[[detectors]]
id = "email"
latency = { dist = "exponential", mean = "8m" }
miss = 0.4

[[detectors]]
id = "recon"
every = "1h"

[escalation]
severities = [
  { level = "SEV3", acknowledge_within = "15m" },
  { level = "SEV2", acknowledge_within = "10m" },
]
"#;

    fn set(key: &str, value: &str) -> Result<String, SetError> {
        apply(TEXT, key, value)
    }

    #[test]
    fn values_split_at_top_level_commas_only() {
        let setting: Setting = "roles.a.acknowledge={dist=\"fixed\",value=\"5m\"},\"a,b\",3"
            .parse()
            .unwrap();
        assert_eq!(
            setting.values,
            ["{dist=\"fixed\",value=\"5m\"}", "\"a,b\"", "3"]
        );
        assert_eq!(
            "k=1,,2".parse::<Setting>(),
            Err(SetError::EmptyValue("1,,2".into()))
        );
        assert_eq!("k".parse::<Setting>(), Err(SetError::Form));
        assert!(matches!(
            "k={a=1".parse::<Setting>(),
            Err(SetError::Unbalanced(_))
        ));
    }

    #[test]
    fn literals_are_toml_when_they_parse_else_strings() {
        assert_eq!(literal("0.25").as_float(), Some(0.25));
        assert_eq!(literal("3").as_integer(), Some(3));
        assert_eq!(literal("true").as_bool(), Some(true));
        assert_eq!(literal("5m").as_str(), Some("5m"));
        assert_eq!(literal("\"5m\"").as_str(), Some("5m"));
        assert!(literal("{ dist = \"fixed\", value = \"5m\" }").is_inline_table());
    }

    #[test]
    fn replaces_in_place_keeping_every_other_line() {
        let out = set("detectors.email.latency.mean", "20m").unwrap();
        assert_eq!(out, TEXT.replace(r#"mean = "8m" }"#, r#"mean = "20m" }"#));
        let out = set("scenario.horizon", "2d").unwrap();
        assert_eq!(out, TEXT.replace(r#""1d"   # a day"#, r#""2d"   # a day"#));
        let out = set("detectors[1].every", "30m").unwrap();
        assert_eq!(out, TEXT.replace(r#"every = "1h""#, r#"every = "30m""#));
        let out = set("escalation.severities.SEV2.acknowledge_within", "5m").unwrap();
        assert_eq!(out, TEXT.replace(r#""10m""#, r#""5m""#));
        let out = set("detectors.email.miss", "0").unwrap();
        assert_eq!(out, TEXT.replace("miss = 0.4", "miss = 0"));
    }

    #[test]
    fn adds_a_key_the_entry_does_not_have() {
        let out = set("detectors.recon.miss", "0.1").unwrap();
        assert!(out.contains("every = \"1h\"\nmiss = 0.1\n"), "{out}");
    }

    #[test]
    fn names_what_is_missing_with_a_suggestion() {
        assert_eq!(
            set("detectors.emal.miss", "0").unwrap_err().to_string(),
            "`detectors` has no entry with id `emal`; did you mean `email`?"
        );
        assert_eq!(
            set("detectors.monitor.miss", "0").unwrap_err().to_string(),
            "`detectors` has no entry with id `monitor` (it has: email, recon)"
        );
        assert_eq!(
            set("detectors.email.latncy.mean", "1m")
                .unwrap_err()
                .to_string(),
            "`detectors.email` has no key `latncy`; did you mean `latency`?"
        );
        assert_eq!(
            set("detectors[5].miss", "0").unwrap_err().to_string(),
            "`detectors` has 2 entries; [5] is past the end (entries count from 0)"
        );
        assert_eq!(
            set("detectors.email.miss.x", "0").unwrap_err().to_string(),
            "`detectors.email.miss` is a float, which holds no `x`"
        );
        assert_eq!(
            set("detectors.email", "0").unwrap_err().to_string(),
            "detectors.email is a whole [[section]] entry; set its keys one by one (e.g. detectors.email.id)"
        );
        assert!(matches!(set("a..b", "0"), Err(SetError::Path(_))));
    }

    #[test]
    fn numeric_values_are_found_with_paths_apply_takes() {
        let found = numeric_values(TEXT).unwrap();
        let keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "scenario.horizon",
                "detectors.email.latency.mean",
                "detectors.email.miss",
                "detectors.recon.every",
                "escalation.severities.SEV3.acknowledge_within",
                "escalation.severities.SEV2.acknowledge_within",
            ]
        );
        assert_eq!(found[2].1, Numeric::Float(0.4));
        assert_eq!(found[1].1, Numeric::Duration(8.0));
        for (key, value) in &found {
            let moved = value.scaled(1.5).expect("every value here moves");
            let out = apply(TEXT, key, &moved).unwrap();
            let again = numeric_values(&out).unwrap();
            let (_, now) = again.iter().find(|(k, _)| k == key).unwrap();
            assert_ne!(now, value, "{key}");
        }
    }

    #[test]
    fn scaling_keeps_kinds_and_skips_what_cannot_move() {
        assert_eq!(Numeric::Duration(8.0).scaled(1.2).as_deref(), Some("9.6m"));
        assert_eq!(Numeric::Float(0.4).scaled(0.8).as_deref(), Some("0.32"));
        assert_eq!(Numeric::Integer(10).scaled(0.8).as_deref(), Some("8"));
        assert_eq!(Numeric::Integer(1).scaled(1.2), None);
        assert_eq!(Numeric::Float(0.0).scaled(1.2), None);
    }
}
