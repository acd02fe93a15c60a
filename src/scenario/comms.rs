//! The facilitator's toolkit in a scenario: communication templates and their cadence, the
//! jargon word list, exercise modules with discussion questions, hot-wash prompts and RACI.
//!
//! These are validated domain types only; the cadence is simulated in [`crate::model`], the
//! documents are written by [`crate::report::packet`]. Nothing here draws random numbers.

use super::InjectTime;

/// The kinds of message a template can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    /// The first word that something is wrong.
    IncidentAlert,
    /// A regular update while the incident is open.
    StatusUpdate,
    /// A short update for leadership.
    ExecutiveBriefing,
    /// What customers read; checked for jargon by default.
    CustomerNotice,
    /// The closing summary once the incident is over.
    PostIncidentSummary,
}

impl TemplateKind {
    /// Names accepted in scenario files.
    pub const NAMES: [&'static str; 5] = [
        "incident_alert",
        "status_update",
        "executive_briefing",
        "customer_notice",
        "post_incident_summary",
    ];
    const ALL: [TemplateKind; 5] = [
        TemplateKind::IncidentAlert,
        TemplateKind::StatusUpdate,
        TemplateKind::ExecutiveBriefing,
        TemplateKind::CustomerNotice,
        TemplateKind::PostIncidentSummary,
    ];

    /// Parses a template kind name.
    pub fn from_name(name: &str) -> Option<TemplateKind> {
        let i = Self::NAMES.iter().position(|n| *n == name)?;
        Some(Self::ALL[i])
    }

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The name in words, for documents.
    pub fn title(self) -> &'static str {
        [
            "Incident alert",
            "Status update",
            "Executive briefing",
            "Customer-facing notice",
            "Post-incident summary",
        ][self as usize]
    }
}

/// A field a message form can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommsField {
    /// Which business process (flow) is affected.
    AffectedProcess,
    /// Where the response stands now.
    CurrentStatus,
    /// What the incident costs the reader.
    Impact,
    /// Estimated time to resolution.
    Eta,
    /// What to do meanwhile.
    Workaround,
    /// What the team has done so far.
    ActionsTaken,
    /// Decisions waiting on someone.
    PendingDecisions,
    /// When the next update comes.
    NextUpdate,
}

impl CommsField {
    /// Names accepted in scenario files, in form order.
    pub const NAMES: [&'static str; 8] = [
        "affected_process",
        "current_status",
        "impact",
        "eta",
        "workaround",
        "actions_taken",
        "pending_decisions",
        "next_update",
    ];
    const ALL: [CommsField; 8] = [
        CommsField::AffectedProcess,
        CommsField::CurrentStatus,
        CommsField::Impact,
        CommsField::Eta,
        CommsField::Workaround,
        CommsField::ActionsTaken,
        CommsField::PendingDecisions,
        CommsField::NextUpdate,
    ];

    /// Parses a field name.
    pub fn from_name(name: &str) -> Option<CommsField> {
        let i = Self::NAMES.iter().position(|n| *n == name)?;
        Some(Self::ALL[i])
    }

    /// The name used in scenario files and forms.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The label on a form.
    pub fn label(self) -> &'static str {
        [
            "Affected process",
            "Current status",
            "Impact",
            "Estimated time to resolution",
            "Workaround",
            "Actions taken",
            "Pending decisions",
            "Next update",
        ][self as usize]
    }
}

/// A named message form.
#[derive(Debug, Clone)]
pub struct Template {
    /// Identifier.
    pub id: String,
    /// What kind of message it is.
    pub kind: TemplateKind,
    /// Who reads it (index into [`Comms::audiences`]).
    pub audience: usize,
    /// How it is sent (free text; empty when not given).
    pub channel: String,
    /// The role that writes and sends it.
    pub by: usize,
    /// Fields the message must fill in, in form order.
    pub required: Vec<CommsField>,
    /// Whether its text is checked for jargon.
    pub jargon_check: bool,
}

/// How often a template is due while an incident is open at a severity.
#[derive(Debug, Clone)]
pub struct Cadence {
    /// Severity level (index into the escalation's severities).
    pub severity: usize,
    /// Template sent (index into [`Comms::templates`]).
    pub template: usize,
    /// Minutes between updates; the first is due when the incident reaches the severity.
    pub every: f64,
    /// An update sent at most this many minutes after falling due is on cadence.
    pub grace: f64,
}

/// Communication templates, cadence and jargon words of a scenario (all empty when the file
/// has no `[comms]`).
#[derive(Debug, Clone, Default)]
pub struct Comms {
    /// Message forms.
    pub templates: Vec<Template>,
    /// Cadence rules.
    pub cadence: Vec<Cadence>,
    /// Audience names, in order of first appearance in the templates.
    pub audiences: Vec<String>,
    /// Words flagged in texts checked for jargon, lowercase.
    pub jargon: Vec<String>,
}

/// Words flagged in customer-facing text unless the scenario gives its own list
/// (`[comms] jargon = [...]`). Documented in docs/scenario-format.md.
pub const DEFAULT_JARGON: [&str; 16] = [
    "webhook",
    "500",
    "502",
    "503",
    "oauth",
    "payload",
    "api",
    "endpoint",
    "token",
    "schema",
    "json",
    "timeout",
    "rate limit",
    "connector",
    "zap",
    "stack trace",
];

/// The jargon words (from `words`, lowercase) that occur in `text` as whole words, in list
/// order, each once. Matching ignores case; a multi-word entry matches its words in sequence.
pub fn jargon_in(text: &str, words: &[String]) -> Vec<String> {
    let tokens: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    words
        .iter()
        .filter(|word| {
            let parts: Vec<&str> = word.split_whitespace().collect();
            !parts.is_empty() && tokens.windows(parts.len()).any(|w| w == parts.as_slice())
        })
        .cloned()
        .collect()
}

/// What a written update lacks: required fields left blank, and jargon words found in a
/// text that is checked for jargon. The drill shows it to the writer; the score counts it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    /// Required fields left blank, in form order.
    pub missing: Vec<CommsField>,
    /// Jargon words found (each once, in list order).
    pub jargon: Vec<String>,
}

impl Template {
    /// Reviews an update written on this form: `fields` by field name, `text` free text.
    pub fn review(
        &self,
        fields: &std::collections::BTreeMap<String, String>,
        text: &str,
        jargon: &[String],
    ) -> Review {
        let missing = self
            .required
            .iter()
            .copied()
            .filter(|f| fields.get(f.name()).is_none_or(|v| v.trim().is_empty()))
            .collect();
        let jargon = if self.jargon_check {
            let mut all = text.to_string();
            for value in fields.values() {
                all.push('\n');
                all.push_str(value);
            }
            jargon_in(&all, jargon)
        } else {
            Vec::new()
        };
        Review { missing, jargon }
    }
}

/// A phase of the exercise with questions for discussion.
#[derive(Debug, Clone)]
pub struct Module {
    /// Identifier.
    pub id: String,
    /// Title shown to players (the id when not given).
    pub title: String,
    /// When it starts.
    pub starts: InjectTime,
    /// Questions the facilitator asks when it starts.
    pub questions: Vec<String>,
}

/// Who is responsible, accountable, consulted and informed for an action (role indices).
#[derive(Debug, Clone, PartialEq)]
pub struct Raci {
    /// Does the work: the action's `by`.
    pub responsible: usize,
    /// Answers for it, and approves it when it needs approval; `None` is flagged by the lint.
    pub accountable: Option<usize>,
    /// Asked before it is done.
    pub consulted: Vec<usize>,
    /// Told once it is done.
    pub informed: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn jargon_matches_whole_words_ignoring_case() {
        let list = words(&["webhook", "500", "api", "rate limit"]);
        assert_eq!(
            jargon_in("Our Webhook returned a 500 error", &list),
            words(&["webhook", "500"])
        );
        // "rapid" contains "api" but is not the word.
        assert!(jargon_in("A rapid fix is under way", &list).is_empty());
        assert_eq!(
            jargon_in("we hit the vendor's rate  limit", &list),
            words(&["rate limit"])
        );
        assert!(jargon_in("", &list).is_empty());
    }

    #[test]
    fn names_round_trip() {
        for name in TemplateKind::NAMES {
            assert_eq!(TemplateKind::from_name(name).unwrap().name(), name);
        }
        for name in CommsField::NAMES {
            assert_eq!(CommsField::from_name(name).unwrap().name(), name);
        }
        assert_eq!(CommsField::from_name("eta"), Some(CommsField::Eta));
        assert_eq!(TemplateKind::from_name("memo"), None);
    }
}
