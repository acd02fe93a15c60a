//! Warnings about Situation Manual text that gives the exercise away: a title, role, action,
//! objective, module, hot-wash prompt or comms entry that names a fault, its root cause or what
//! an inject reveals, which players are meant to find out in play.
//!
//! The rule, documented in docs/scenario-format.md ("What players must not read first"):
//!
//! - *Secret words* of a fault are the words of its id and of its root cause's id, the
//!   give-away phrases of its kind (`timeout` for a webhook delay, `expired` for a credential
//!   expiry, ...), and the words the story repeats: those in at least two of its root cause's
//!   text and the texts of injects and deck cards that reveal that cause (`backfill` in "a
//!   long backfill job saturates n8n" and "is the backfill I started slowing anything down?").
//! - Words players know anyway are never secret: `COMMON` words, the words of the landscape
//!   (system ids and tools, which the Situation Manual lists) and the words of every decoy
//!   cause (a word the decoys share does not single out the real cause).
//! - Text is compared as whole words, ignoring case, after a light stemming (`renamed` and
//!   `rename`, `timeouts` and `timeout` meet); `fill` never matches `backfill`.
//!
//! Only text the Situation Manual shows is checked (`report/packet.rs` decides that: action ids
//! only when it prints the RACI table or the approvals list). Each leaking text gets one
//! warning at the first secret word in it. This module reads the file again for the positions
//! of those texts (the compiled [`Scenario`] keeps none); it must not judge anything else.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::diagnostic::{Diagnostic, Diagnostics};
use super::{FaultKind, Message, Scenario};

/// Words too common to give anything away alone: function words, everyday verbs and times, and
/// the words every integration incident uses. Compared after stemming.
const COMMON: &[&str] = &[
    "about",
    "acknowledge",
    "after",
    "again",
    "all",
    "also",
    "and",
    "any",
    "anyone",
    "anything",
    "are",
    "ask",
    "back",
    "because",
    "been",
    "before",
    "being",
    "big",
    "but",
    "can",
    "change",
    "check",
    "come",
    "contain",
    "could",
    "customer",
    "data",
    "day",
    "delay",
    "detect",
    "did",
    "does",
    "doing",
    "done",
    "down",
    "during",
    "each",
    "end",
    "every",
    "fail",
    "few",
    "first",
    "fix",
    "flow",
    "for",
    "from",
    "get",
    "give",
    "going",
    "got",
    "had",
    "has",
    "have",
    "her",
    "his",
    "hour",
    "how",
    "incident",
    "into",
    "its",
    "job",
    "just",
    "keep",
    "know",
    "last",
    "late",
    "like",
    "long",
    "look",
    "lose",
    "loss",
    "lost",
    "made",
    "main",
    "make",
    "many",
    "may",
    "minute",
    "missing",
    "month",
    "more",
    "morning",
    "most",
    "much",
    "must",
    "need",
    "new",
    "next",
    "night",
    "not",
    "now",
    "off",
    "old",
    "one",
    "only",
    "order",
    "other",
    "our",
    "out",
    "over",
    "own",
    "process",
    "quarter",
    "record",
    "recover",
    "right",
    "run",
    "said",
    "same",
    "see",
    "should",
    "since",
    "slow",
    "some",
    "someone",
    "something",
    "start",
    "started",
    "still",
    "stop",
    "sync",
    "take",
    "team",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "this",
    "those",
    "through",
    "time",
    "today",
    "tomorrow",
    "tonight",
    "too",
    "two",
    "under",
    "until",
    "up",
    "update",
    "use",
    "vendor",
    "was",
    "way",
    "week",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "work",
    "would",
    "wrong",
    "year",
    "yesterday",
    "yet",
    "you",
    "your",
];

/// Phrases that name a kind of fault outright, beyond the words of its id and cause.
fn giveaways(kind: FaultKind) -> &'static [&'static str] {
    match kind {
        FaultKind::SchemaDrift => &["schema drift", "renamed", "retyped"],
        FaultKind::ApiDeprecation => &["deprecation", "deprecated", "sunset", "retired"],
        FaultKind::CredentialExpiry => &["credential expiry", "expired", "expiry"],
        FaultKind::AuthMismatch => &["auth mismatch", "scopes"],
        FaultKind::RateLimiting => &["rate limit", "rate limiting", "throttled", "throttling"],
        FaultKind::WebhookDelay => &["webhook delay", "timeout", "time out", "timing out"],
        FaultKind::PartialDataLoss => &["data loss", "partial loss"],
        FaultKind::FormatMismatch => &["format mismatch"],
        FaultKind::ConnectorUpgrade => &["connector upgrade", "upgraded"],
        FaultKind::ConfigDrift => &["config drift", "misconfigured"],
        FaultKind::UpstreamOutage => &["outage"],
    }
}

/// Lowercases `word` and strips one common inflection, so `expired`, `expires` and `expire`
/// (or `timeouts` and `timeout`) compare equal. Deliberately crude: both sides go through it.
fn stem(word: &str) -> String {
    let word = word.to_lowercase();
    for suffix in ["ing", "ed", "es", "s", "e"] {
        if let Some(base) = word.strip_suffix(suffix)
            && base.len() >= 3
            && !(suffix == "s" && base.ends_with('s'))
        {
            return base.to_string();
        }
    }
    word
}

/// The words of `text` (runs of letters and digits) with their byte ranges.
fn words(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let mut start = None;
    text.char_indices()
        .chain(std::iter::once((text.len(), ' ')))
        .filter_map(move |(i, c)| match (c.is_alphanumeric(), start) {
            (true, None) => {
                start = Some(i);
                None
            }
            (false, Some(s)) => {
                start = None;
                Some((s..i, &text[s..i]))
            }
            _ => None,
        })
}

/// Where a secret word comes from, for the warning.
#[derive(Debug, Clone, Copy)]
enum Origin {
    /// A word of the fault's id.
    FaultId,
    /// A phrase that names the fault's kind.
    Kind,
    /// A word of the fault's root cause (its id or text).
    Cause,
    /// A word of an inject (index) that reveals the fault's cause.
    Inject(usize),
    /// A word of a deck card (index) that reveals the fault's cause.
    Card(usize),
}

/// A secret word or phrase (stems, in order) and the fault it gives away.
struct Secret {
    stems: Vec<String>,
    fault: usize,
    origin: Origin,
}

/// The secrets of a scenario, found by the first stem of each.
struct Secrets {
    by_first: HashMap<String, Vec<Secret>>,
}

impl Secrets {
    fn of(scenario: &Scenario) -> Self {
        let mut known: HashSet<String> = COMMON.iter().map(|w| stem(w)).collect();
        for system in &scenario.systems {
            for text in [&system.id, &system.tool] {
                known.extend(words(text).map(|(_, w)| stem(w)));
            }
        }
        for cause in scenario.causes.iter().filter(|c| !c.real) {
            for text in [&cause.id, &cause.text] {
                known.extend(words(text).map(|(_, w)| stem(w)));
            }
        }
        let mut by_first: HashMap<String, Vec<Secret>> = HashMap::new();
        let mut add = |stems: Vec<String>, fault: usize, origin: Origin| {
            if let Some(first) = stems.first() {
                let entry = by_first.entry(first.clone()).or_default();
                if !entry.iter().any(|s| s.stems == stems) {
                    entry.push(Secret {
                        stems,
                        fault,
                        origin,
                    });
                }
            }
        };
        let revealers = |cause: usize| {
            let injects = scenario.injects.iter().enumerate();
            let injects = injects.map(|(i, inject)| (Origin::Inject(i), &inject.message));
            let cards = scenario
                .deck
                .iter()
                .flat_map(|d| d.cards.iter().enumerate());
            let cards = cards.map(|(i, card)| (Origin::Card(i), card));
            injects
                .chain(cards)
                .filter(move |(_, m): &(Origin, &Message)| m.reveals == Some(cause))
        };
        for (f, fault) in scenario.faults.iter().enumerate() {
            for phrase in giveaways(fault.kind) {
                add(
                    words(phrase).map(|(_, w)| stem(w)).collect(),
                    f,
                    Origin::Kind,
                );
            }
            // Ids are chosen to name the thing, so each of their words counts alone.
            let cause = &scenario.causes[fault.cause];
            for (origin, id) in [(Origin::FaultId, &fault.id), (Origin::Cause, &cause.id)] {
                for (_, word) in words(id) {
                    let stem = stem(word);
                    if stem.len() >= 3 && !known.contains(&stem) {
                        add(vec![stem], f, origin);
                    }
                }
            }
            // Prose carries every word of a sentence, so one of its words counts only when
            // the story repeats it: in two of the cause's text and the revealing messages.
            let mut texts = vec![(Origin::Cause, cause.text.as_str())];
            texts.extend(revealers(fault.cause).map(|(o, m)| (o, m.text.as_str())));
            let mut seen: HashMap<String, (Origin, usize)> = HashMap::new();
            for (origin, text) in texts {
                let stems: HashSet<String> = words(text).map(|(_, w)| stem(w)).collect();
                for stem in stems {
                    if stem.len() >= 3 && !known.contains(&stem) {
                        seen.entry(stem).or_insert((origin, 0)).1 += 1;
                    }
                }
            }
            let mut repeated: Vec<(String, Origin)> = seen
                .into_iter()
                .filter(|(_, (_, count))| *count >= 2)
                .map(|(stem, (origin, _))| (stem, origin))
                .collect();
            // Sorted, so which secret a text is blamed on never depends on hashing.
            repeated.sort_by(|a, b| a.0.cmp(&b.0));
            for (stem, origin) in repeated {
                add(vec![stem], f, origin);
            }
        }
        Secrets { by_first }
    }

    /// The first secret `text` names: its byte range in `text` and the secret.
    fn find(&self, text: &str) -> Option<(Range<usize>, &Secret)> {
        let tokens: Vec<(Range<usize>, String)> = words(text).map(|(r, w)| (r, stem(w))).collect();
        tokens.iter().enumerate().find_map(|(i, (range, first))| {
            self.by_first.get(first)?.iter().find_map(|secret| {
                let rest = tokens.get(i..i + secret.stems.len())?;
                let same = rest.iter().zip(&secret.stems).all(|((_, t), s)| t == s);
                same.then(|| (range.start..rest[rest.len() - 1].0.end, secret))
            })
        })
    }
}

/// The texts the Situation Manual can show, as written in the file, with their positions.
/// Unknown keys are ignored: the compiler has checked the file already.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Shown {
    scenario: ShownMeta,
    objectives: Vec<ShownObjective>,
    roles: Vec<ShownRole>,
    actions: Vec<ShownId>,
    modules: Vec<ShownModule>,
    hot_wash: Vec<Spanned<String>>,
    comms: ShownComms,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShownMeta {
    title: Option<Spanned<String>>,
    player_title: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct ShownObjective {
    id: Spanned<String>,
    text: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct ShownRole {
    id: Spanned<String>,
    title: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct ShownId {
    id: Spanned<String>,
}

#[derive(Deserialize)]
struct ShownModule {
    id: Spanned<String>,
    title: Option<Spanned<String>>,
    #[serde(default)]
    questions: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShownComms {
    templates: Vec<ShownTemplate>,
    jargon: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
struct ShownTemplate {
    id: Spanned<String>,
    channel: Option<Spanned<String>>,
    audience: Option<Spanned<String>>,
}

impl Shown {
    /// Every text the Situation Manual of `scenario` shows, with its key path, in file order
    /// of the sections as `report/packet.rs` prints them.
    fn texts<'a>(&'a self, scenario: &Scenario) -> Vec<(String, &'a Spanned<String>)> {
        let mut texts = Vec::new();
        match (&self.scenario.player_title, &self.scenario.title) {
            (Some(title), _) => texts.push(("scenario.player_title".into(), title)),
            (None, Some(title)) => texts.push(("scenario.title".into(), title)),
            (None, None) => {}
        }
        for (i, o) in self.objectives.iter().enumerate() {
            texts.push((format!("objectives[{i}].id"), &o.id));
            texts.extend(o.text.iter().map(|t| (format!("objectives[{i}].text"), t)));
        }
        for (i, r) in self.roles.iter().enumerate() {
            texts.push((format!("roles[{i}].id"), &r.id));
            texts.extend(r.title.iter().map(|t| (format!("roles[{i}].title"), t)));
        }
        // The packet names every action in its RACI table when any action has a RACI, else
        // only those that wait for someone else's approval.
        let raci = scenario.actions.iter().any(|a| a.raci.is_some());
        for (i, (a, action)) in self.actions.iter().zip(&scenario.actions).enumerate() {
            if raci || action.approver_other_than_performer().is_some() {
                texts.push((format!("actions[{i}].id"), &a.id));
            }
        }
        for (i, m) in self.modules.iter().enumerate() {
            match &m.title {
                Some(title) => texts.push((format!("modules[{i}].title"), title)),
                None => texts.push((format!("modules[{i}].id"), &m.id)),
            }
            for (j, q) in m.questions.iter().enumerate() {
                texts.push((format!("modules[{i}].questions[{j}]"), q));
            }
        }
        for (j, prompt) in self.hot_wash.iter().enumerate() {
            texts.push((format!("hot_wash[{j}]"), prompt));
        }
        for (i, t) in self.comms.templates.iter().enumerate() {
            texts.push((format!("comms.templates[{i}].id"), &t.id));
            for (key, value) in [("channel", &t.channel), ("audience", &t.audience)] {
                texts.extend(
                    value
                        .iter()
                        .map(|v| (format!("comms.templates[{i}].{key}"), v)),
                );
            }
        }
        if scenario.comms.templates.iter().any(|t| t.jargon_check) {
            for (j, word) in self.comms.jargon.iter().enumerate() {
                texts.push((format!("comms.jargon[{j}]"), word));
            }
        }
        texts
    }
}

/// Where `word` is written inside the literal at `literal` in `source`: the literal itself
/// when escapes make the word's text differ from the value's.
fn span_in(source: &str, literal: Range<usize>, word: &str) -> Range<usize> {
    let written = &source[literal.clone()];
    let lower = written.to_lowercase();
    // Lowercasing can change byte lengths outside ASCII; then point at the literal.
    if lower.len() != written.len() {
        return literal;
    }
    let word = word.to_lowercase();
    words(&lower)
        .find(|(range, _)| lower[range.start..].starts_with(&word))
        .map_or(literal.clone(), |(range, _)| {
            literal.start + range.start..literal.start + range.start + word.len()
        })
}

/// Appends a warning for each Situation Manual text of `scenario` (compiled from `source`)
/// that names a secret word of one of its faults.
pub fn lint(scenario: &Scenario, source: &str, diagnostics: &mut Diagnostics) {
    let secrets = Secrets::of(scenario);
    if secrets.by_first.is_empty() {
        return;
    }
    // The file compiled, so it parses; a shape this reader does not expect skips the check.
    let Ok(shown) = toml::from_str::<Shown>(source) else {
        return;
    };
    for (path, text) in shown.texts(scenario) {
        let value = text.get_ref();
        let Some((range, secret)) = secrets.find(value) else {
            continue;
        };
        let word = &value[range];
        let fault = &scenario.faults[secret.fault];
        let cause = &scenario.causes[fault.cause].id;
        let how = match secret.origin {
            Origin::FaultId => "a word of its id".to_string(),
            Origin::Kind => format!("it names its kind, {}", fault.kind.name()),
            Origin::Cause => format!("a word of its root cause `{cause}`"),
            Origin::Inject(i) => format!(
                "a word of inject `{}`, which reveals its root cause",
                scenario.injects[i].id
            ),
            Origin::Card(i) => format!(
                "a word of deck card {}, which reveals its root cause",
                i + 1
            ),
        };
        let hint = if path.starts_with("scenario.") {
            "players find this out in play: set [scenario] player_title to a title that names \
             the landscape, not the failure"
        } else {
            "players find this out in play: reword it in neutral terms (what the role does, not \
             what breaks)"
        };
        diagnostics.push(
            Diagnostic::warning(
                Some(span_in(source, text.span(), word)),
                path,
                format!(
                    "the Situation Manual shows `{word}`, which gives away fault `{}` ({how})",
                    fault.id
                ),
            )
            .with_hint(hint),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::lint::tests::BASE;

    /// The leak warnings of `text`: key path, the text the span covers, and the message.
    fn leaks(text: &str) -> Vec<(String, String, String)> {
        let loaded = crate::scenario::from_str("t.toml", text).unwrap_or_else(|e| panic!("{e}"));
        loaded
            .warnings
            .warnings()
            .filter(|d| d.message.starts_with("the Situation Manual shows"))
            .map(|d| {
                let span = d.span.clone().expect("a leak points into the file");
                (
                    d.key_path.clone(),
                    text[span].to_string(),
                    d.message.clone(),
                )
            })
            .collect()
    }

    /// BASE with a fault id of several words, a second role that approves the fix, an inject
    /// and a deck card that reveal the root cause, and `extra` appended.
    fn story(extra: &str) -> String {
        let text = BASE
            .replace("id = \"f\"", "id = \"mapping-broken\"")
            .replace(
                "effect = \"recover\"\n",
                "effect = \"recover\"\nrequires = { approval = true }\n",
            )
            .replace("page = [\"oncall\"]", "page = [\"oncall\", \"lead\"]")
            .replace("[escalation]\n", "[escalation]\napprover = \"lead\"\n");
        assert_ne!(text, BASE);
        format!(
            "hot_wash = []\n{text}\n[[roles]]\nid = \"lead\"\n\
             [[injects]]\nid = \"tip\"\nat = \"1h\"\nto = \"oncall\"\n\
             text = \"Marketing tidied the signup page this morning\"\nreveals = \"renamed-field\"\n\
             [deck]\ndraw_every = \"30m\"\ncards = [{{ to = \"oncall\", \
             text = \"Someone tidied the signup page\", reveals = \"renamed-field\" }}]\n{extra}"
        )
    }

    #[test]
    fn a_neutral_situation_manual_has_no_leak_warnings() {
        // Landscape words (src, flow, dst) and the decoys' words (token, expired, vendor) are
        // known to players; the fix's id is not in the Situation Manual without an approval.
        let neutral = story(
            "[[modules]]\nid = \"m\"\ntitle = \"Module 1: src to dst\"\nstarts = \"0m\"\n\
             questions = [\"Could the token have expired, or is the vendor down?\"]\n",
        )
        .replacen(
            "[scenario]\n",
            "[scenario]\ntitle = \"Leads from src to dst\"\n",
            1,
        )
        .replace("requires = { approval = true }\n", "");
        assert_eq!(leaks(&neutral), vec![]);
        // With an approval the fix's id `fix` is shown, and names nothing.
        assert_eq!(leaks(&story("")), vec![]);
    }

    #[test]
    fn warns_where_situation_manual_text_names_a_fault_its_cause_or_what_an_inject_reveals() {
        let text = story(
            "[[modules]]\nid = \"m\"\ntitle = \"Module 1: the signup page\"\nstarts = \"0m\"\n\
             questions = [\"Was anything renamed?\"]\n",
        )
        .replacen(
            "[scenario]\n",
            "[scenario]\ntitle = \"The CRM field\"\nplayer_title = \"Leads after the Schema Drift\"\n",
            1,
        )
        .replace("[[roles]]\nid = \"lead\"\n", "[[roles]]\nid = \"lead\"\ntitle = \"Lead (owns the mapping)\"\n")
        .replace("id = \"fix\"", "id = \"fix-renamed-field\"")
        .replace("hot_wash = []", "hot_wash = [\"Who saw the field first?\"]");
        let found = leaks(&text);
        // In file order: the hot wash comes first, the second role after the actions.
        let expect = [
            (
                "hot_wash[0]",
                "field",
                "(a word of its root cause `renamed-field`)",
            ),
            (
                "scenario.player_title",
                "Schema Drift",
                "(it names its kind, schema_drift)",
            ),
            (
                "actions[0].id",
                "renamed",
                "(it names its kind, schema_drift)",
            ),
            ("roles[1].title", "mapping", "(a word of its id)"),
            (
                "modules[0].title",
                "signup",
                "(a word of inject `tip`, which reveals its root cause)",
            ),
            (
                "modules[0].questions[0]",
                "renamed",
                "(it names its kind, schema_drift)",
            ),
        ];
        assert_eq!(found.len(), expect.len(), "{found:#?}");
        for ((path, word, message), (want_path, want_word, how)) in found.iter().zip(expect) {
            assert_eq!(
                (path.as_str(), word.as_str()),
                (want_path, want_word),
                "{found:#?}"
            );
            assert_eq!(
                message,
                &format!(
                    "the Situation Manual shows `{want_word}`, which gives away fault \
                     `mapping-broken` {how}"
                )
            );
        }
    }

    #[test]
    fn stems_meet_across_inflections_and_keep_short_words() {
        assert_eq!(stem("Renamed"), stem("rename"));
        assert_eq!(stem("timeouts"), stem("timeout"));
        assert_eq!(stem("expired"), stem("expires"));
        assert_eq!(stem("process"), "process");
        assert_eq!(stem("api"), "api");
    }

    #[test]
    fn words_are_runs_of_letters_and_digits_with_their_ranges() {
        let found: Vec<_> = words("n8n's back-fill, 429!").collect();
        assert_eq!(
            found,
            vec![
                (0..3, "n8n"),
                (4..5, "s"),
                (6..10, "back"),
                (11..15, "fill"),
                (17..20, "429")
            ]
        );
    }
}
