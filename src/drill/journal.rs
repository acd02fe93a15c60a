//! The decision log: a JSON Lines journal of everything a drill delivered and decided, each
//! line flushed to disk (`fsync`) before anyone is told it happened.
//!
//! The first line ([`Body::Start`]) carries the scenario text, the seed, the people's roles
//! and their join tokens, so a journal alone can resume a drill or re-score it. Then come, in
//! order: what the run delivered ([`Body::Event`]: signals, pages, injects, actions, milestones),
//! people's decisions ([`Body::Decision`]), the facilitator's clock controls
//! ([`Body::Control`]) and the end ([`Body::End`]). Only decisions change the run; events are
//! what the run produced from them and are checked, not trusted, when a journal is replayed.
//!
//! Each event carries an [`EventKey`]: what caused it, by kinds and ids. Replaying compares
//! keys, never the words, so a message reworded in a later version of ttx still matches. Events
//! of `ttx-journal/1` journals (written before keys) have none and are matched by their words,
//! which a reworded message breaks: such a journal is then refused by entry, naming the version
//! that wrote it.
//!
//! A line cut short by a crash was never acknowledged: reading ignores it, and appending
//! truncates it first, so a resumed journal stays valid JSON Lines.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::engine::rng::Generator;
use crate::model::{Decision, Involved, Step, StreamKeys};
use crate::scenario::Scenario;

/// Identifies the journal layout new journals are written in, bumped on incompatible change.
pub const JOURNAL_FORMAT: &str = "ttx-journal/2";

/// The format of journals written before events carried an [`EventKey`]; still read (and
/// resumed: the lines appended to one carry keys).
pub const JOURNAL_FORMAT_UNKEYED: &str = "ttx-journal/1";

/// The formats this ttx reads.
const READABLE_FORMATS: [&str; 2] = [JOURNAL_FORMAT, JOURNAL_FORMAT_UNKEYED];

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the journal, from 0.
    pub seq: u64,
    /// Wall-clock time it was written, RFC 3339 in UTC.
    pub wall: String,
    /// Scenario minutes.
    pub t: f64,
    /// What it records.
    #[serde(flatten)]
    pub body: Body,
}

/// What a journal line records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    /// The drill began.
    Start(Box<StartInfo>),
    /// The run delivered something (to `roles`, or only to the facilitator when empty).
    Event {
        /// What caused it; `None` in journals written before keys ([`JOURNAL_FORMAT_UNKEYED`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<EventKey>,
        /// Role ids it was delivered to.
        roles: Vec<String>,
        /// What happened.
        what: String,
    },
    /// A person decided something.
    Decision {
        /// The role it was taken for; `null` for the facilitator's own (notes, injects).
        role: Option<String>,
        /// `participant` (from their page) or `facilitator` (from the console).
        by: String,
        /// The decision.
        decision: Decision,
        /// Why, in the decider's words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rationale: Option<String>,
        /// What it did.
        outcome: String,
    },
    /// The facilitator paused, resumed or changed the speed, or the drill resumed after a
    /// stop.
    Control {
        /// `pause`, `resume`, `speed 20`, `resumed from journal`.
        what: String,
    },
    /// The drill ended.
    End {
        /// Why, in words ([`crate::drill::EndReason::words`]); older journals say `ended by the
        /// facilitator` for what is now `the facilitator ended it`.
        reason: String,
    },
}

/// What caused a journaled event, by kinds and ids and never by its words: the same run gives
/// the same keys whatever a version of ttx calls the events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum EventKey {
    /// An event the simulation processed (one step of `ttx replay`'s trace).
    Event {
        /// Its kind: `fault_onset`, `signal`, `inject_arrives`, ... (docs/replay.md).
        event: String,
        /// The ids it involves, named as in the trace (`fault`, `detector`, `inject`, ...).
        #[serde(flatten)]
        involved: Involved,
    },
    /// A decision, which delivers its own events at once.
    Decision {
        /// Its kind: `acknowledge`, `run`, ... ([`Decision::kind`]).
        decision: String,
        /// The role it was taken for; absent for the facilitator's own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<String>,
    },
}

impl EventKey {
    /// The key of the events a processed event delivered.
    pub fn of_step(step: &Step) -> Self {
        EventKey::Event {
            event: step.event.to_string(),
            involved: step.involved.clone(),
        }
    }

    /// The key of the events `decision`, taken for `role`, delivered.
    pub fn of_decision(decision: &Decision, role: Option<&str>) -> Self {
        EventKey::Decision {
            decision: decision.kind().to_string(),
            role: role.map(str::to_string),
        }
    }
}

/// `signal (detector zap-error-email, fault email-field-renamed, ...)`, `decision acknowledge
/// (role on-call)`: the key in a refusal's words.
impl std::fmt::Display for EventKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventKey::Event { event, .. } => write!(f, "{event}")?,
            EventKey::Decision { decision, .. } => write!(f, "decision {decision}")?,
        }
        // The ids as the journal spells them, whatever fields the key has.
        let ids: Vec<String> = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(fields)) => fields
                .iter()
                .filter(|(name, _)| !matches!(name.as_str(), "cause" | "event" | "decision"))
                .map(|(name, id)| format!("{name} {}", id.as_str().unwrap_or_default()))
                .collect(),
            _ => Vec::new(),
        };
        if !ids.is_empty() {
            write!(f, " ({})", ids.join(", "))?;
        }
        Ok(())
    }
}

/// What the first line of a journal records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartInfo {
    /// [`JOURNAL_FORMAT`], or [`JOURNAL_FORMAT_UNKEYED`] for a journal written before keys.
    pub format: String,
    /// Version of ttx that started the drill.
    pub ttx_version: String,
    /// Scenario name.
    pub scenario: String,
    /// `sha256:<hex>` of the scenario text.
    pub content_hash: String,
    /// The seed: the drill plays run 0 of it.
    pub seed: u64,
    /// The generator the drill's simulated parts draw from; absent in journals written
    /// before issue 19, which drew from ChaCha8 (so they resume and rescore to their run).
    #[serde(default = "generator_before_philox")]
    pub generator: Generator,
    /// Scenario minutes per wall minute at the start.
    pub speed: f64,
    /// Roles played by people.
    pub humans: Vec<String>,
    /// Each human role's join token. The journal is written readable by its owner only.
    pub tokens: BTreeMap<String, String>,
    /// The facilitator's page token (absent in journals written before the page existed:
    /// a resume of one draws a fresh token for that session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facilitator_token: Option<String>,
    /// The scenario file's text.
    pub source: String,
    /// The name the facilitator gave the drill (`ttx drill --label 2026-Q3`); its results
    /// carry it, and trends order drills by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A micro-exercise's time box (`ttx drill --module ID` or `--preset micro`); absent for
    /// a full drill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub micro: Option<crate::results::MicroInfo>,
}

/// What a journal without a `generator` drew from: ChaCha8, the only generator before issue 19.
fn generator_before_philox() -> Generator {
    Generator::ChaCha8
}

impl StartInfo {
    /// The random streams of the drill this journal started, under its seed and generator.
    pub fn stream_keys(&self, scenario: &Scenario) -> StreamKeys {
        StreamKeys::with_generator(scenario, self.seed, self.generator)
    }
}

/// A journal open for appending.
pub struct JournalWriter {
    file: File,
    path: PathBuf,
    next_seq: u64,
}

/// Why a journal could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The journal.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file exists and a new drill would overwrite it.
    #[error(
        "{path}: a journal is already there; resume it with `ttx drill --resume {path}` or choose another --journal path"
    )]
    Exists {
        /// The journal.
        path: PathBuf,
    },
    /// A line is not a journal entry.
    #[error("{path}:{line}: {message}")]
    Malformed {
        /// The journal.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The wall-clock time now, RFC 3339 UTC with milliseconds.
pub fn wall_now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

impl JournalWriter {
    /// Creates a new journal at `path`; refuses to replace an existing file.
    pub fn create(path: &Path) -> Result<Self, JournalError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| JournalError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        restrict_to_owner(&mut options);
        let file = options.open(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                JournalError::Exists {
                    path: path.to_path_buf(),
                }
            } else {
                JournalError::Io {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        Ok(JournalWriter {
            file,
            path: path.to_path_buf(),
            next_seq: 0,
        })
    }

    /// Opens `path` to append after its `complete_bytes` (what [`read`] accepted), dropping a
    /// line a crash cut short.
    pub fn append(path: &Path, read: &JournalRead) -> Result<Self, JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = OpenOptions::new().write(true).open(path).map_err(io)?;
        file.set_len(read.complete_bytes).map_err(io)?;
        file.seek(SeekFrom::End(0)).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(JournalWriter {
            file,
            path: path.to_path_buf(),
            next_seq: read.entries.len() as u64,
        })
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry at scenario time `t` and flushes it to disk before returning it.
    pub fn write(&mut self, t: f64, body: Body) -> Result<Entry, JournalError> {
        let entry = Entry {
            seq: self.next_seq,
            wall: wall_now(),
            t,
            body,
        };
        let mut line = serde_json::to_string(&entry).map_err(|e| JournalError::Io {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        line.push('\n');
        let io = |source| JournalError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(line.as_bytes()).map_err(io)?;
        self.file.sync_data().map_err(io)?;
        self.next_seq += 1;
        Ok(entry)
    }
}

#[cfg(unix)]
fn restrict_to_owner(options: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.mode(0o600);
}

#[cfg(not(unix))]
fn restrict_to_owner(_options: &mut OpenOptions) {}

/// A journal as read back.
#[derive(Debug, Clone)]
pub struct JournalRead {
    /// Its complete entries, in order.
    pub entries: Vec<Entry>,
    /// Bytes up to the end of the last complete line.
    pub complete_bytes: u64,
    /// Whether a final line was cut short (and ignored).
    pub torn_tail: bool,
}

impl JournalRead {
    /// The start entry's information.
    pub fn start(&self) -> &StartInfo {
        match &self.entries[0].body {
            Body::Start(info) => info,
            _ => unreachable!("read() checks that the first entry is the start"),
        }
    }

    /// Whether the drill ended (the last entry is its end).
    pub fn ended(&self) -> Option<&Entry> {
        self.entries
            .last()
            .filter(|e| matches!(e.body, Body::End { .. }))
    }
}

/// Reads a journal: every complete line must be an entry, in sequence, starting with the
/// start entry; an incomplete last line (a crash mid-write) is ignored.
pub fn read(path: &Path) -> Result<JournalRead, JournalError> {
    let bytes = crate::input::read(path, crate::input::InputKind::Journal).map_err(|source| {
        JournalError::Io {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let malformed = |line: usize, message: String| JournalError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let complete_bytes = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let text = std::str::from_utf8(&bytes[..complete_bytes])
        .map_err(|e| malformed(1, format!("not UTF-8 text ({e})")))?;
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let entry: Entry = serde_json::from_str(line).map_err(|e| {
            malformed(
                i + 1,
                format!(
                    "not a journal entry ({e}); a ttx drill journal has one JSON object per line"
                ),
            )
        })?;
        if entry.seq != i as u64 {
            return Err(malformed(
                i + 1,
                format!(
                    "entry numbered {} where {} was expected: lines are missing or repeated",
                    entry.seq, i
                ),
            ));
        }
        let is_start = matches!(entry.body, Body::Start(_));
        if (i == 0) != is_start {
            return Err(malformed(
                i + 1,
                if i == 0 {
                    "the first line must be the drill's start entry".to_string()
                } else {
                    "a second start entry".to_string()
                },
            ));
        }
        if let Body::Start(info) = &entry.body
            && !READABLE_FORMATS.contains(&info.format.as_str())
        {
            return Err(malformed(
                1,
                format!(
                    "journal format `{}`, this ttx reads `{}`",
                    info.format,
                    READABLE_FORMATS.join("` and `")
                ),
            ));
        }
        entries.push(entry);
    }
    if entries.is_empty() {
        return Err(malformed(
            1,
            "the journal is empty: it has no start entry".to_string(),
        ));
    }
    Ok(JournalRead {
        entries,
        complete_bytes: complete_bytes as u64,
        torn_tail: complete_bytes < bytes.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> EventKey {
        EventKey::Event {
            event: "inject_arrives".to_string(),
            involved: Involved {
                inject: Some("vendor-email".to_string()),
                role: Some("on-call".to_string()),
                ..Involved::default()
            },
        }
    }

    #[test]
    fn an_event_key_is_written_by_ids_and_read_back() {
        let entry = Entry {
            seq: 3,
            wall: "2026-01-01T00:00:00.000Z".to_string(),
            t: 12.5,
            body: Body::Event {
                key: Some(key()),
                roles: vec!["on-call".to_string()],
                what: "inject: a vendor writes".to_string(),
            },
        };
        let line = serde_json::to_string(&entry).unwrap();
        assert_eq!(
            line,
            r#"{"seq":3,"wall":"2026-01-01T00:00:00.000Z","t":12.5,"type":"event","key":{"cause":"event","event":"inject_arrives","role":"on-call","inject":"vendor-email"},"roles":["on-call"],"what":"inject: a vendor writes"}"#
        );
        assert_eq!(serde_json::from_str::<Entry>(&line).unwrap(), entry);
        assert_eq!(
            key().to_string(),
            "inject_arrives (inject vendor-email, role on-call)"
        );
        let decision = EventKey::of_decision(&Decision::Note { text: "x".into() }, None);
        assert_eq!(
            serde_json::to_string(&decision).unwrap(),
            r#"{"cause":"decision","decision":"note"}"#
        );
        assert_eq!(decision.to_string(), "decision note");
    }

    #[test]
    fn an_event_written_before_keys_reads_without_one() {
        let line = r#"{"seq":2,"wall":"2026-01-01T00:00:00.000Z","t":37.0,"type":"event","roles":[],"what":"milestone: onset (main)"}"#;
        let entry: Entry = serde_json::from_str(line).unwrap();
        assert!(matches!(entry.body, Body::Event { key: None, .. }));
    }

    /// A journal whose start line names `format`, and nothing else.
    fn journal_of_format(dir: &Path, format: &str) -> PathBuf {
        let path = dir.join(format.replace('/', "-"));
        let start = Entry {
            seq: 0,
            wall: wall_now(),
            t: 0.0,
            body: Body::Start(Box::new(StartInfo {
                format: format.to_string(),
                ttx_version: "0.1.0".to_string(),
                scenario: "s".to_string(),
                content_hash: "sha256:0".to_string(),
                seed: 1,
                generator: Generator::Philox,
                speed: 1.0,
                humans: Vec::new(),
                tokens: BTreeMap::new(),
                facilitator_token: None,
                source: String::new(),
                label: None,
                micro: None,
            })),
        };
        std::fs::write(&path, serde_json::to_string(&start).unwrap() + "\n").unwrap();
        path
    }

    #[test]
    fn journals_of_both_formats_are_read_and_a_later_one_is_refused_naming_them() {
        let dir = tempfile::tempdir().unwrap();
        for format in [JOURNAL_FORMAT, JOURNAL_FORMAT_UNKEYED] {
            let read = read(&journal_of_format(dir.path(), format)).unwrap();
            assert_eq!(read.start().format, format);
        }
        let refused = read(&journal_of_format(dir.path(), "ttx-journal/3"))
            .unwrap_err()
            .to_string();
        assert!(
            refused.ends_with(
                ":1: journal format `ttx-journal/3`, this ttx reads `ttx-journal/2` and `ttx-journal/1`"
            ),
            "{refused}"
        );
    }
}
