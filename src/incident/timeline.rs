//! A real incident's timeline read from CSV (header `time,kind,actor,text`) or JSON Lines
//! (`{"time": .., "kind": .., "actor": .., "text": ..}` per line) and validated: every mistake
//! of the file is reported at once, each at its `file:line:col` with a hint, as scenario
//! diagnostics are ([`crate::scenario::diagnostic`]).
//!
//! A valid [`Timeline`] has entries oldest first, exactly one `onset`, each milestone at most
//! once and none before the onset, and every time resolved to UTC. This module reads text; it
//! neither opens files nor knows the scenario.

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

use super::time::{self, Moment, Offset, TimeError};
use crate::scenario::diagnostic::{Diagnostic, Diagnostics, suggest};

/// What a line of the timeline records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// The failure began (the first evidence of it, if the start is unknown).
    Onset,
    /// A signal reached a responder.
    Detected,
    /// A responder took the incident on.
    Acknowledged,
    /// Someone else was called in (may happen several times).
    Escalated,
    /// The damage stopped growing.
    Contained,
    /// The flow works again.
    Recovered,
    /// The affected records were put right (replayed, backfilled).
    Restored,
    /// A decision taken, ideally with its reason.
    Decision,
    /// Anything else worth keeping.
    Note,
}

impl EntryKind {
    /// Every kind, in the order an incident usually reaches them.
    pub const ALL: [EntryKind; 9] = [
        EntryKind::Onset,
        EntryKind::Detected,
        EntryKind::Acknowledged,
        EntryKind::Escalated,
        EntryKind::Contained,
        EntryKind::Recovered,
        EntryKind::Restored,
        EntryKind::Decision,
        EntryKind::Note,
    ];

    /// The name a timeline uses.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Onset => "onset",
            EntryKind::Detected => "detected",
            EntryKind::Acknowledged => "acknowledged",
            EntryKind::Escalated => "escalated",
            EntryKind::Contained => "contained",
            EntryKind::Recovered => "recovered",
            EntryKind::Restored => "restored",
            EntryKind::Decision => "decision",
            EntryKind::Note => "note",
        }
    }

    /// The kind of a name (any case, surrounding spaces ignored).
    pub fn from_name(name: &str) -> Option<EntryKind> {
        let name = name.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether it happens once in an incident (a milestone), so a second one is a mistake.
    pub fn once(self) -> bool {
        !matches!(
            self,
            EntryKind::Escalated | EntryKind::Decision | EntryKind::Note
        )
    }

    /// Whether it cannot come before the onset (decisions and notes may give context).
    pub fn after_onset(self) -> bool {
        !matches!(self, EntryKind::Decision | EntryKind::Note)
    }
}

/// What a decision or note is tagged as by its text's first word (`action: ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tag {
    /// `action:` an action item for the postmortem.
    Action,
    /// `cause:` the root cause as the team understood it.
    Cause,
    /// `factor:` a contributing factor.
    Factor,
}

impl Tag {
    const ALL: [(Tag, &'static str); 3] = [
        (Tag::Action, "action:"),
        (Tag::Cause, "cause:"),
        (Tag::Factor, "factor:"),
    ];
}

/// The file format of a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SourceFormat {
    /// Comma-separated values with a header line.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl SourceFormat {
    /// By extension (`.csv`; `.jsonl`, `.ndjson`, `.json`), else by content (a first
    /// non-blank character `{` is JSON Lines).
    pub fn detect(path: &str, source: &str) -> SourceFormat {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            SourceFormat::Csv
        } else if [".jsonl", ".ndjson", ".json"]
            .iter()
            .any(|e| lower.ends_with(e))
            || source.trim_start().starts_with('{')
        {
            SourceFormat::JsonLines
        } else {
            SourceFormat::Csv
        }
    }
}

/// Byte ranges of an entry's parts in the file, for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spans {
    line: Range<usize>,
    time: Range<usize>,
    kind: Range<usize>,
}

/// One line of a valid timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Line number in the file (1-based).
    pub line: usize,
    /// When, as written (with its offset) and in UTC.
    #[serde(skip)]
    pub at: Moment,
    /// What happened.
    pub kind: EntryKind,
    /// Who (a person or a role); may be empty.
    pub actor: String,
    /// What, in words; may be empty.
    pub text: String,
    #[serde(skip)]
    spans: Spans,
}

impl Entry {
    /// The tag of a decision or note (`action:`, `cause:`, `factor:` at the start of its text)
    /// and the text after it.
    pub fn tag(&self) -> Option<(Tag, &str)> {
        if self.kind.after_onset() {
            return None;
        }
        let text = self.text.trim_start();
        Tag::ALL.iter().find_map(|(tag, prefix)| {
            text.get(..prefix.len())
                .filter(|head| head.eq_ignore_ascii_case(prefix))
                .map(|_| (*tag, text[prefix.len()..].trim()))
        })
    }
}

/// A validated timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// The entries, oldest first.
    pub entries: Vec<Entry>,
    /// The format it was read from.
    pub format: SourceFormat,
}

impl Timeline {
    /// The onset entry (a valid timeline has one).
    pub fn onset(&self) -> &Entry {
        self.first(EntryKind::Onset)
            .expect("a validated timeline has an onset")
    }

    /// The entry of a kind, the first if several.
    pub fn first(&self, kind: EntryKind) -> Option<&Entry> {
        self.entries.iter().find(|e| e.kind == kind)
    }

    /// Minutes from the onset to an entry (negative for context before it).
    pub fn minutes(&self, entry: &Entry) -> f64 {
        (entry.at.utc_seconds - self.onset().at.utc_seconds) as f64 / 60.0
    }

    /// Minutes from the onset to a milestone, if the timeline records it.
    pub fn minutes_to(&self, kind: EntryKind) -> Option<f64> {
        self.first(kind).map(|e| self.minutes(e))
    }

    /// Minutes from the onset to the last entry: how long the timeline follows the incident.
    pub fn follow_up(&self) -> f64 {
        self.entries
            .last()
            .map_or(0.0, |e| self.minutes(e))
            .max(0.0)
    }

    /// Entries carrying a tag, with the text after it.
    pub fn tagged(&self, tag: Tag) -> impl Iterator<Item = (&Entry, &str)> {
        self.entries.iter().filter_map(move |e| {
            e.tag()
                .filter(|(t, _)| *t == tag)
                .map(|(_, rest)| (e, rest))
        })
    }
}

/// Why a timeline could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    /// The file could not be read.
    #[error("could not read timeline '{path}'")]
    Io {
        /// The path given.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid timeline.
    #[error("{}", .diagnostics.render(.path, .source_text))]
    Invalid {
        /// The path given.
        path: String,
        /// The file's text.
        source_text: String,
        /// Every mistake found.
        diagnostics: Diagnostics,
    },
}

/// The columns (CSV) or keys (JSON Lines) of a timeline, in the order the header names them.
const FIELDS: [&str; 4] = ["time", "kind", "actor", "text"];

/// How every columns mistake ends: what the header must be.
const HEADER_HINT: &str = "the first line names the columns: `time,kind,actor,text` (in any order)";

/// One field as read, with where it stands in the file.
#[derive(Debug, Clone)]
struct Field {
    value: String,
    span: Range<usize>,
}

/// A row as read: its line, the line's byte range and its four fields in [`FIELDS`] order.
struct RawEntry {
    line: usize,
    span: Range<usize>,
    fields: [Field; 4],
}

/// Reads a timeline; `path` names it in diagnostics and chooses the format with the content
/// ([`SourceFormat::detect`]); `timezone` reads times written without an offset.
pub fn parse(
    path: &str,
    source: &str,
    timezone: Option<Offset>,
) -> Result<Timeline, TimelineError> {
    let format = SourceFormat::detect(path, source);
    let mut diagnostics = Diagnostics::default();
    let raw = match format {
        SourceFormat::Csv => read_csv(source, &mut diagnostics),
        SourceFormat::JsonLines => read_json_lines(source, &mut diagnostics),
    };
    let entries: Vec<Entry> = raw
        .into_iter()
        .filter_map(|r| entry(r, timezone, &mut diagnostics))
        .collect();
    if diagnostics.has_errors() {
        // Entries were left out: the checks across them would mislead.
    } else if entries.is_empty() {
        diagnostics.push(empty());
    } else {
        check_order(&entries, &mut diagnostics);
    }
    if diagnostics.has_errors() {
        diagnostics.sort();
        return Err(TimelineError::Invalid {
            path: path.to_string(),
            source_text: source.to_string(),
            diagnostics,
        });
    }
    Ok(Timeline { entries, format })
}

/// 1-based line of a byte offset.
fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

/// The byte range of the line holding `offset`, without its line break.
fn line_span(source: &str, offset: usize) -> Range<usize> {
    let start = source[..offset.min(source.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = source[start..]
        .find(['\n', '\r'])
        .map_or(source.len(), |i| start + i);
    start..end
}

fn read_csv(source: &str, diagnostics: &mut Diagnostics) -> Vec<RawEntry> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(source.as_bytes());
    let mut columns: Option<[usize; 4]> = None;
    let mut raw = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let at = error.position().map_or(0, |p| p.byte() as usize);
                diagnostics.push(
                    Diagnostic::error(Some(at..at + 1), "", format!("not readable as CSV: {error}"))
                        .with_hint("save the timeline as UTF-8 CSV, with texts that hold commas or quotes in double quotes"),
                );
                return Vec::new();
            }
        };
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let line = line_span(source, start);
        let spans = field_spans(source, start, &record);
        let Some(order) = columns else {
            match header(&record, &spans, diagnostics) {
                Some(order) => columns = Some(order),
                None => return Vec::new(),
            }
            continue;
        };
        if record.len() != FIELDS.len() {
            diagnostics.push(
                Diagnostic::error(
                    Some(line.clone()),
                    "",
                    format!(
                        "this row has {} field(s) but the header names {}",
                        record.len(),
                        FIELDS.len()
                    ),
                )
                .with_hint("put a text that holds commas in double quotes: \"checked, then paused the zap\""),
            );
            continue;
        }
        raw.push(RawEntry {
            line: line_of(source, start),
            span: line.clone(),
            fields: order.map(|i| Field {
                value: record[i].to_string(),
                span: spans[i].clone(),
            }),
        });
    }
    raw
}

/// Where each field of a CSV record stands: its text found in order along the line (a quoted
/// field that does not appear as written points where it begins).
fn field_spans(source: &str, start: usize, record: &csv::StringRecord) -> Vec<Range<usize>> {
    let end = line_span(source, start).end;
    let mut cursor = start;
    record
        .iter()
        .map(|value| {
            let found = (!value.is_empty())
                .then(|| source.get(cursor..end)?.find(value))
                .flatten();
            let span = match found {
                Some(i) => cursor + i..cursor + i + value.len(),
                None => cursor..(cursor + 1).min(end.max(cursor + 1)),
            };
            cursor = span.end.min(end);
            span
        })
        .collect()
}

/// The column order of a header line (`order[k]` is the column of `FIELDS[k]`), or `None`
/// with diagnostics when it is not `time,kind,actor,text`.
fn header(
    record: &csv::StringRecord,
    spans: &[Range<usize>],
    diagnostics: &mut Diagnostics,
) -> Option<[usize; 4]> {
    let names: Vec<String> = record
        .iter()
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let mut ok = true;
    for (i, name) in names.iter().enumerate() {
        if !FIELDS.contains(&name.as_str()) || names[..i].contains(name) {
            ok = false;
            let message = if FIELDS.contains(&name.as_str()) {
                format!("column `{name}` is named twice")
            } else {
                format!("unknown column `{name}`")
            };
            diagnostics.push(
                Diagnostic::error(Some(spans[i].clone()), "header", message).with_hint(
                    match suggest(name, FIELDS).filter(|s| !names.iter().any(|n| n == s)) {
                        Some(best) => format!("did you mean `{best}`? {HEADER_HINT}"),
                        None => HEADER_HINT.to_string(),
                    },
                ),
            );
        }
    }
    let missing: Vec<&str> = FIELDS
        .into_iter()
        .filter(|f| !names.iter().any(|n| n == f))
        .collect();
    if !missing.is_empty() {
        ok = false;
        let at = spans.first().map_or(0, |s| s.start);
        diagnostics.push(
            Diagnostic::error(
                Some(at..at + 1),
                "header",
                format!("missing column(s) {}", ticks(&missing)),
            )
            .with_hint(HEADER_HINT),
        );
    }
    ok.then(|| FIELDS.map(|f| names.iter().position(|n| n == f).unwrap_or(0)))
}

fn read_json_lines(source: &str, diagnostics: &mut Diagnostics) -> Vec<RawEntry> {
    let mut raw = Vec::new();
    let mut offset = 0;
    for (number, text) in source.split('\n').enumerate() {
        let start = offset;
        offset += text.len() + 1;
        let text = text.strip_suffix('\r').unwrap_or(text);
        if text.trim().is_empty() {
            continue;
        }
        let span = start..start + text.len();
        let object: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(text) {
            Ok(object) => object,
            Err(error) => {
                let at = start + error.column().saturating_sub(1).min(text.len());
                diagnostics.push(
                    Diagnostic::error(Some(at..at + 1), "", format!("not a JSON object: {error}"))
                        .with_hint("each line is one object: {\"time\": \"2026-03-14T09:05:00+01:00\", \"kind\": \"detected\", \"actor\": \"on-call\", \"text\": \"...\"}"),
                );
                continue;
            }
        };
        let key_span = |key: &str| {
            text.find(&format!("\"{key}\""))
                .map_or(span.clone(), |i| start + i..start + i + key.len() + 2)
        };
        let mut complete = true;
        let mut suggested = Vec::new();
        for key in object.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
            complete = false;
            let best = suggest(key, FIELDS).filter(|s| !object.contains_key(*s));
            suggested.extend(best);
            let hint = match best {
                Some(best) => format!(
                    "did you mean `{best}`? each line has the keys `time`, `kind`, `actor` and `text`"
                ),
                None => "each line has the keys `time`, `kind`, `actor` and `text`".to_string(),
            };
            diagnostics.push(
                Diagnostic::error(Some(key_span(key)), "", format!("unknown key `{key}`"))
                    .with_hint(hint),
            );
        }
        // A key the hint of a misspelt one names is not reported missing as well.
        let missing: Vec<&str> = FIELDS
            .into_iter()
            .filter(|f| !object.contains_key(*f) && !suggested.contains(f))
            .collect();
        if !missing.is_empty() {
            complete = false;
            diagnostics.push(
                Diagnostic::error(
                    Some(span.start..span.start + 1),
                    "",
                    format!("missing key(s) {}", ticks(&missing)),
                )
                .with_hint("each line has the keys `time`, `kind`, `actor` and `text` (an empty actor or text is \"\")"),
            );
        }
        let mut fields = Vec::new();
        for key in FIELDS {
            match object.get(key) {
                Some(serde_json::Value::String(value)) => {
                    let after = key_span(key).end;
                    let quoted = serde_json::to_string(value).unwrap_or_default();
                    let value_span = source[after..span.end]
                        .find(&quoted)
                        .map_or(key_span(key), |i| {
                            after + i + 1..after + i + quoted.len() - 1
                        });
                    fields.push(Field {
                        value: value.clone(),
                        span: value_span,
                    });
                }
                Some(other) => {
                    complete = false;
                    diagnostics.push(
                        Diagnostic::error(
                            Some(key_span(key)),
                            "",
                            format!("`{key}` must be a string, not {other}"),
                        )
                        .with_hint(format!("write it in double quotes: \"{key}\": \"...\"")),
                    );
                }
                None => {}
            }
        }
        if let (true, Ok(fields)) = (complete, <[Field; 4]>::try_from(fields)) {
            raw.push(RawEntry {
                line: number + 1,
                span,
                fields,
            });
        }
    }
    raw
}

/// The diagnostic of a timeline without entries.
fn empty() -> Diagnostic {
    Diagnostic::error(None, "", "the timeline has no entries").with_hint(
        "add one line per event, oldest first, from the onset on: CSV under the header \
         `time,kind,actor,text`, or one JSON object per line (see docs/incidents.md)",
    )
}

fn ticks(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row's time and kind checked; `None` (with diagnostics) when either is wrong.
fn entry(raw: RawEntry, timezone: Option<Offset>, diagnostics: &mut Diagnostics) -> Option<Entry> {
    let [time_field, kind_field, actor, text] = raw.fields;
    let at = match time::parse(&time_field.value, timezone) {
        Ok(at) => Some(at),
        Err(TimeError::Malformed) => {
            diagnostics.push(
                Diagnostic::error(
                    Some(time_field.span.clone()),
                    "time",
                    format!("`{}` is not a date and time", time_field.value),
                )
                .with_hint("write times in RFC 3339 with their UTC offset: 2026-03-14T09:05:00+01:00 (Z for UTC)"),
            );
            None
        }
        Err(TimeError::NoOffset) => {
            diagnostics.push(
                Diagnostic::error(
                    Some(time_field.span.clone()),
                    "time",
                    format!(
                        "`{}` has no UTC offset, and no --timezone was given to read it in",
                        time_field.value
                    ),
                )
                .with_hint("add the offset to the time (2026-03-14T09:05:00+01:00, or Z for UTC), or pass --timezone +01:00 to read every time without one in that offset"),
            );
            None
        }
    };
    let kind = EntryKind::from_name(&kind_field.value);
    if kind.is_none() {
        let names = EntryKind::ALL.map(EntryKind::name);
        let value = kind_field.value.trim().to_ascii_lowercase();
        let hint = match suggest(&value, names) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("the kinds are {}", ticks(&names)),
        };
        diagnostics.push(
            Diagnostic::error(
                Some(kind_field.span.clone()),
                "kind",
                format!("unknown kind `{}`", kind_field.value),
            )
            .with_hint(hint),
        );
    }
    Some(Entry {
        line: raw.line,
        at: at?,
        kind: kind?,
        actor: actor.value.trim().to_string(),
        text: text.value.trim().to_string(),
        spans: Spans {
            line: raw.span,
            time: time_field.span,
            kind: kind_field.span,
        },
    })
}

/// The checks across entries: oldest first, one onset, each milestone once and not before
/// the onset.
fn check_order(entries: &[Entry], diagnostics: &mut Diagnostics) {
    for pair in entries.windows(2) {
        let (before, entry) = (&pair[0], &pair[1]);
        if entry.at.utc_seconds < before.at.utc_seconds {
            diagnostics.push(
                Diagnostic::error(
                    Some(entry.spans.time.clone()),
                    "time",
                    format!(
                        "out of order: {} is before {} on line {}",
                        entry.at.local(),
                        before.at.local(),
                        before.line
                    ),
                )
                .with_hint("list entries oldest first: move this line up, or correct its time"),
            );
        }
    }
    let mut seen: HashMap<EntryKind, usize> = HashMap::new();
    for entry in entries.iter().filter(|e| e.kind.once()) {
        if let Some(first) = seen.get(&entry.kind) {
            diagnostics.push(
                Diagnostic::error(
                    Some(entry.spans.kind.clone()),
                    "kind",
                    format!(
                        "a second `{}` (the first is on line {first})",
                        entry.kind.name()
                    ),
                )
                .with_hint(
                    "a milestone is reached once: keep the first time, and make this line a `note`",
                ),
            );
        } else {
            seen.insert(entry.kind, entry.line);
        }
    }
    let Some(onset) = entries.iter().find(|e| e.kind == EntryKind::Onset) else {
        if !entries.is_empty() {
            let at = entries[0].spans.line.start;
            diagnostics.push(
                Diagnostic::error(Some(at..at + 1), "", "the timeline has no `onset`")
                    .with_hint("add a line of kind `onset` for when the failure began (if unknown, the first evidence of it): every time is measured from it"),
            );
        }
        return;
    };
    for entry in entries
        .iter()
        .filter(|e| e.kind.after_onset() && e.at.utc_seconds < onset.at.utc_seconds)
    {
        diagnostics.push(
            Diagnostic::error(
                Some(entry.spans.time.clone()),
                "time",
                format!(
                    "`{}` at {} is before the onset at {} (line {})",
                    entry.kind.name(),
                    entry.at.local(),
                    onset.at.local(),
                    onset.line
                ),
            )
            .with_hint("nothing is detected or fixed before it breaks: move the onset earlier (to the first evidence of the failure), or correct this time"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "time,kind,actor,text\n\
        2026-03-14T09:00:00+01:00,onset,,form field renamed\n\
        2026-03-14T11:10:00+01:00,detected,sales,\"no leads since 9, asked ops\"\n\
        2026-03-14T11:20:00+01:00,note,ops,action: add an alert on lead volume\n";

    #[test]
    fn a_csv_timeline_reads_in_utc_with_its_tags() {
        let t = parse("t.csv", CSV, None).unwrap();
        assert_eq!(t.format, SourceFormat::Csv);
        assert_eq!(t.entries.len(), 3);
        assert_eq!(t.onset().at.utc(), "2026-03-14T08:00:00Z");
        assert_eq!(t.minutes_to(EntryKind::Detected), Some(130.0));
        assert_eq!(t.entries[1].text, "no leads since 9, asked ops");
        let actions: Vec<&str> = t.tagged(Tag::Action).map(|(_, a)| a).collect();
        assert_eq!(actions, ["add an alert on lead volume"]);
        assert_eq!(t.follow_up(), 140.0);
    }

    #[test]
    fn json_lines_read_like_csv() {
        let jsonl = "{\"time\":\"2026-03-14T08:00:00Z\",\"kind\":\"onset\",\"actor\":\"\",\"text\":\"form field renamed\"}\n\
            \n{\"kind\":\"detected\",\"time\":\"2026-03-14T10:10:00Z\",\"actor\":\"sales\",\"text\":\"no leads since 9, asked ops\"}\n\
            {\"time\":\"2026-03-14T10:20:00Z\",\"kind\":\"note\",\"actor\":\"ops\",\"text\":\"action: add an alert on lead volume\"}\n";
        let t = parse("t.txt", jsonl, None).unwrap();
        assert_eq!(t.format, SourceFormat::JsonLines);
        let csv = parse("t.csv", CSV, None).unwrap();
        let strip = |t: &Timeline| -> Vec<(i64, EntryKind, String, String)> {
            t.entries
                .iter()
                .map(|e| (e.at.utc_seconds, e.kind, e.actor.clone(), e.text.clone()))
                .collect()
        };
        assert_eq!(strip(&t), strip(&csv));
        assert_eq!(t.entries[1].line, 3);
    }

    fn errors(path: &str, source: &str, timezone: Option<Offset>) -> String {
        match parse(path, source, timezone) {
            Err(e @ TimelineError::Invalid { .. }) => e.to_string(),
            other => panic!("expected diagnostics, got {other:?}"),
        }
    }

    #[test]
    fn a_mistake_points_at_its_line_and_column() {
        let text = errors("t.csv", &CSV.replace("detected", "detcted"), None);
        assert!(
            text.starts_with("error: t.csv:3:27: kind: unknown kind `detcted`"),
            "{text}"
        );
        assert!(text.contains("did you mean `detected`?"), "{text}");
    }

    #[test]
    fn a_quoted_text_keeps_the_columns_after_it_in_place() {
        let text = errors(
            "t.csv",
            "time,kind,actor,text\n2026-03-14T09:00:00Z,onset,\"a, b\",x\n2026-03-14T10:00:00Z,bogus,\"c, d\",y\n",
            None,
        );
        assert!(
            text.starts_with("error: t.csv:3:22: kind: unknown kind `bogus`"),
            "{text}"
        );
    }
}
