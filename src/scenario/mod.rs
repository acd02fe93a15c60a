//! Scenarios: TOML text in, a validated [`Scenario`] out, or every problem with its position.
//!
//! The pipeline is parse ([`raw`], serde shapes) then compile ([`compile`], meaning and
//! references) then lint ([`lint`], warnings about scenarios that run but cannot work as
//! intended). A [`Scenario`] holds indices instead of names, minutes instead of duration text
//! and ready-to-sample distributions, so the simulation never looks anything up by string and
//! cannot meet an invalid value. The format is documented in `docs/scenario-format.md`.

pub mod comms;
pub mod compile;
pub mod diagnostic;
pub mod dist;
pub mod duration;
pub mod leak;
pub mod links;
pub mod lint;
pub mod platform;
pub mod raw;
pub mod schema;
pub mod set;
pub mod template;
pub mod trigger;

use std::path::Path;

use sha2::{Digest, Sha256};

pub use comms::{Cadence, Comms, CommsField, Module, Raci, Template, TemplateKind};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use dist::Dist;
pub use links::Links;
pub use platform::{Platform, PlatformKind};
pub use trigger::{DecisionKind, DecisionMatch, InjectTime, InjectTrigger};

/// The bundled default scenario, also shipped as `scenarios/lead-sync-schema-drift.toml`.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/lead-sync-schema-drift.toml");
/// The file name shown in messages about the bundled default scenario.
pub const DEFAULT_SCENARIO_PATH: &str = "scenarios/lead-sync-schema-drift.toml";

/// A validated scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name, title, horizon and clock.
    pub meta: Meta,
    /// What the exercise measures success by.
    pub objectives: Vec<Objective>,
    /// Sources, flows and sinks.
    pub systems: Vec<System>,
    /// What breaks.
    pub faults: Vec<Fault>,
    /// How anyone finds out.
    pub detectors: Vec<Detector>,
    /// Who responds.
    pub roles: Vec<Role>,
    /// Severity levels and automatic escalation.
    pub escalation: Escalation,
    /// The runbook.
    pub actions: Vec<Action>,
    /// Scripted injects.
    pub injects: Vec<Inject>,
    /// The randomized inject deck, if any.
    pub deck: Option<Deck>,
    /// Communication templates and their cadence (empty without `[comms]`).
    pub comms: Comms,
    /// Phases of the exercise with discussion questions.
    pub modules: Vec<Module>,
    /// Closing hot-wash prompts.
    pub hot_wash: Vec<String>,
    /// Causes a diagnosis may name, in `[[causes]]` order: the real ones (named by faults,
    /// which refer to them by index) and decoys. Without `[[causes]]`, the causes the faults
    /// name, without texts.
    pub causes: Vec<Cause>,
    /// Incidents: faults that are handled together (one page, one severity, one set of
    /// milestones). Faults name theirs with `incident = "..."`; the default is `main`.
    pub incidents: Vec<String>,
    /// Who refers to whom (faults per flow, detectors per fault, ...), built at compile time
    /// so a run never scans the whole scenario per event.
    pub links: Links,
    /// Hashes of the file content, to tell whether two results ran the same scenario.
    pub fingerprint: Fingerprint,
    /// The file's text, kept so results can carry it and any run can be replayed from them.
    pub source: String,
}

/// `[scenario]`.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Short machine name (used in report names).
    pub name: String,
    /// Human title.
    pub title: String,
    /// The title players see (the Situation Manual's), when it differs from `title`.
    pub player_title: Option<String>,
    /// What the drill exercises.
    pub description: String,
    /// The scenario's own version.
    pub version: String,
    /// Minutes after which a run stops; milestones not reached by then are censored.
    pub horizon: f64,
    /// Minute of the week (Monday 00:00 = 0) at which scenario time 0 falls.
    pub start_minute_of_week: f64,
    /// Free-form tags.
    pub tags: Vec<String>,
}

/// A milestone of the incident, in the order they are normally reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Milestone {
    /// The first fault began.
    Onset,
    /// A signal reached a responder.
    Detected,
    /// A paged responder acknowledged.
    Acknowledged,
    /// Every fault that has begun is contained or recovered.
    Contained,
    /// Every fault that has begun is recovered.
    Recovered,
}

impl Milestone {
    /// All milestones, in order.
    pub const ALL: [Milestone; 5] = [
        Milestone::Onset,
        Milestone::Detected,
        Milestone::Acknowledged,
        Milestone::Contained,
        Milestone::Recovered,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Milestone::Onset => "onset",
            Milestone::Detected => "detected",
            Milestone::Acknowledged => "acknowledged",
            Milestone::Contained => "contained",
            Milestone::Recovered => "recovered",
        }
    }
}

/// What an objective measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Minutes from onset to a milestone.
    TimeTo(Milestone),
    /// Records lost for good.
    RecordsLost,
    /// Records that errored and stayed failed.
    RecordsFailed,
    /// Records delivered late or still queued.
    RecordsDelayed,
    /// Escalation-policy targets breached.
    TargetsBreached,
}

impl Metric {
    /// Names accepted in scenario files.
    pub const NAMES: [&'static str; 8] = [
        "time_to_detect",
        "time_to_acknowledge",
        "time_to_contain",
        "time_to_recover",
        "records_lost",
        "records_failed",
        "records_delayed",
        "targets_breached",
    ];

    /// Parses a metric name.
    pub fn from_name(name: &str) -> Option<Metric> {
        Some(match name {
            "time_to_detect" => Metric::TimeTo(Milestone::Detected),
            "time_to_acknowledge" => Metric::TimeTo(Milestone::Acknowledged),
            "time_to_contain" => Metric::TimeTo(Milestone::Contained),
            "time_to_recover" => Metric::TimeTo(Milestone::Recovered),
            "records_lost" => Metric::RecordsLost,
            "records_failed" => Metric::RecordsFailed,
            "records_delayed" => Metric::RecordsDelayed,
            "targets_breached" => Metric::TargetsBreached,
            _ => return None,
        })
    }

    /// The metric's name in scenario files and exports.
    pub fn name(self) -> &'static str {
        match self {
            Metric::TimeTo(Milestone::Detected) => "time_to_detect",
            Metric::TimeTo(Milestone::Acknowledged) => "time_to_acknowledge",
            Metric::TimeTo(Milestone::Contained) => "time_to_contain",
            Metric::TimeTo(Milestone::Recovered) => "time_to_recover",
            Metric::TimeTo(Milestone::Onset) => "time_to_onset",
            Metric::RecordsLost => "records_lost",
            Metric::RecordsFailed => "records_failed",
            Metric::RecordsDelayed => "records_delayed",
            Metric::TargetsBreached => "targets_breached",
        }
    }
}

/// One objective: a metric, a target and a time box.
#[derive(Debug, Clone)]
pub struct Objective {
    /// Identifier.
    pub id: String,
    /// What the objective says in words.
    pub text: String,
    /// What is measured.
    pub metric: Metric,
    /// Met when the metric is at most this (minutes for times, a count otherwise).
    pub target: f64,
    /// Minutes after onset within which the objective is judged: a milestone reached later
    /// counts as missed; counts are taken at the end of the time box.
    pub time_box: f64,
    /// Least met rates rated P, S and M (below the last: U).
    pub ratings: RatingThresholds,
}

/// The four-level exercise rating scale, from the met rate of an objective across runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatingThresholds {
    /// Least met rate for P (performed without challenges).
    pub performed: f64,
    /// Least met rate for S (performed with some challenges).
    pub some_challenges: f64,
    /// Least met rate for M (performed with major challenges).
    pub major_challenges: f64,
}

impl Default for RatingThresholds {
    fn default() -> Self {
        RatingThresholds {
            performed: 0.9,
            some_challenges: 0.7,
            major_challenges: 0.4,
        }
    }
}

impl RatingThresholds {
    /// The rating of a met rate.
    pub fn rate(&self, met_rate: f64) -> Rating {
        if met_rate >= self.performed {
            Rating::Performed
        } else if met_rate >= self.some_challenges {
            Rating::SomeChallenges
        } else if met_rate >= self.major_challenges {
            Rating::MajorChallenges
        } else {
            Rating::Unable
        }
    }
}

/// A rating on the four-level exercise scale, written as its letter (`P`, `S`, `M`, `U`).
/// Ordered from worst to best, so the lowest of several is their `min`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Rating {
    /// U: unable to be performed.
    #[serde(rename = "U")]
    Unable,
    /// M: performed with major challenges.
    #[serde(rename = "M")]
    MajorChallenges,
    /// S: performed with some challenges.
    #[serde(rename = "S")]
    SomeChallenges,
    /// P: performed without challenges.
    #[serde(rename = "P")]
    Performed,
}

impl Rating {
    /// The rating's letter.
    pub fn letter(self) -> &'static str {
        match self {
            Rating::Performed => "P",
            Rating::SomeChallenges => "S",
            Rating::MajorChallenges => "M",
            Rating::Unable => "U",
        }
    }

    /// The rating in words.
    pub fn words(self) -> &'static str {
        match self {
            Rating::Performed => "performed without challenges",
            Rating::SomeChallenges => "performed with some challenges",
            Rating::MajorChallenges => "performed with major challenges",
            Rating::Unable => "unable to be performed",
        }
    }

    /// When an improvement action for an objective with this rating falls due.
    pub fn due(self) -> &'static str {
        match self {
            Rating::Unable => "within 30 days",
            Rating::MajorChallenges => "within 60 days",
            Rating::SomeChallenges | Rating::Performed => "before the next exercise",
        }
    }
}

impl std::fmt::Display for Rating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.letter())
    }
}

/// What part a system plays in the landscape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemKind {
    /// Where records come from (a form tool, a CRM).
    Source,
    /// What moves records (a Zap, a Make scenario, a webhook, a connector).
    Flow,
    /// Where records land (a warehouse, a billing system).
    Sink,
}

/// A system of the no-code landscape.
#[derive(Debug, Clone)]
pub struct System {
    /// Identifier.
    pub id: String,
    /// Source, flow or sink.
    pub kind: SystemKind,
    /// The product (Zapier, HubSpot, ...).
    pub tool: String,
    /// Upstream system (flows only).
    pub from: Option<usize>,
    /// Downstream system (flows only).
    pub to: Option<usize>,
    /// Records the flow moves per minute (0 for sources and sinks).
    pub records_per_minute: f64,
    /// How long errored records wait in the retry queue before they are gone (flows only).
    pub retry_retention: Option<f64>,
    /// How long held records (paused flow, delayed delivery) are kept before they are gone.
    pub hold_retention: f64,
    /// The platform that runs it, with its behaviour (flows that name one only).
    pub platform: Option<Platform>,
}

/// How a fault changes the records of its flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectMode {
    /// Records error visibly; they wait in the retry queue if the flow has one, else fail.
    Loud,
    /// Records are dropped or garbled without an error.
    Silent,
    /// Records are held back and delivered late (lost if held past the retention).
    Delay,
}

/// The catalogue of failure modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// A field renamed, added or retyped upstream.
    SchemaDrift,
    /// An API version sunset by the vendor.
    ApiDeprecation,
    /// An expired token, key or password.
    CredentialExpiry,
    /// Wrong scopes, account or authentication method.
    AuthMismatch,
    /// Throttled by the vendor's rate limits.
    RateLimiting,
    /// Webhooks arriving late or timing out.
    WebhookDelay,
    /// Some records dropped on the way.
    PartialDataLoss,
    /// Formats or time zones that disagree.
    FormatMismatch,
    /// A connector version change that behaves differently.
    ConnectorUpgrade,
    /// Settings changed by hand away from the known-good state.
    ConfigDrift,
    /// A vendor outage upstream of the flow.
    UpstreamOutage,
}

impl FaultKind {
    /// Names accepted in scenario files.
    pub const NAMES: [&'static str; 11] = [
        "schema_drift",
        "api_deprecation",
        "credential_expiry",
        "auth_mismatch",
        "rate_limiting",
        "webhook_delay",
        "partial_data_loss",
        "format_mismatch",
        "connector_upgrade",
        "config_drift",
        "upstream_outage",
    ];

    /// Parses a fault kind name.
    pub fn from_name(name: &str) -> Option<FaultKind> {
        let index = Self::NAMES.iter().position(|n| *n == name)?;
        Some(
            [
                FaultKind::SchemaDrift,
                FaultKind::ApiDeprecation,
                FaultKind::CredentialExpiry,
                FaultKind::AuthMismatch,
                FaultKind::RateLimiting,
                FaultKind::WebhookDelay,
                FaultKind::PartialDataLoss,
                FaultKind::FormatMismatch,
                FaultKind::ConnectorUpgrade,
                FaultKind::ConfigDrift,
                FaultKind::UpstreamOutage,
            ][index],
        )
    }

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// A cause a responder may name in a diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// Identifier.
    pub id: String,
    /// What a responder would recognise (empty for a scenario without `[[causes]]`).
    pub text: String,
    /// Whether a fault has it as its root cause; `false`: a decoy.
    pub real: bool,
}

impl Cause {
    /// What the diagnosis list shows: the text, or the id when there is none.
    pub fn label(&self) -> &str {
        if self.text.is_empty() {
            &self.id
        } else {
            &self.text
        }
    }
}

/// A fault injected into a flow.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Identifier.
    pub id: String,
    /// Failure mode.
    pub kind: FaultKind,
    /// The flow it breaks (index into systems).
    pub flow: usize,
    /// Minutes from scenario start to onset.
    pub onset: Dist,
    /// How the flow's records are affected.
    pub mode: EffectMode,
    /// Share of the flow's records affected (0..=1).
    pub share: f64,
    /// The cause a correct diagnosis names (index into causes).
    pub cause: usize,
    /// The incident it belongs to (index into incidents).
    pub incident: usize,
    /// If set, the fault clears by itself after this long (a vendor outage ends).
    pub lasts: Option<Dist>,
    /// Systems downstream of the flow, which see the missing volume (index into systems).
    pub downstream: Vec<usize>,
}

/// What a monitor alerts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorSignal {
    /// Error alerts: only loud failures of the watched flow.
    Errors,
    /// Volume or freshness alerts: any shortfall of records at the watched system.
    Volume,
}

/// How a detector turns a fault into a signal.
#[derive(Debug, Clone)]
pub enum DetectorKind {
    /// An alert rule: fires after a latency.
    Monitor {
        /// What it alerts on.
        signal: MonitorSignal,
        /// Time from onset to the alert reaching someone.
        latency: Dist,
    },
    /// A job that compares counts on a cadence.
    Reconciliation {
        /// Minutes between checks.
        every: f64,
        /// Minute of the first check after scenario start.
        offset: f64,
    },
    /// A person notices and reports after a delay.
    UserReport {
        /// Time from onset to the report.
        delay: Dist,
    },
}

/// A detection source.
#[derive(Debug, Clone)]
pub struct Detector {
    /// Identifier.
    pub id: String,
    /// Monitor, reconciliation or user report.
    pub kind: DetectorKind,
    /// Chance that it does not fire for a fault it could see (per check for reconciliations).
    pub miss: f64,
    /// The role its signal reaches first, if not the severity's page list.
    pub notifies: Option<usize>,
    /// What a person sees when it fires (an alert's subject, a report's words), if the
    /// scenario says.
    pub message: Option<String>,
    /// The faults (indices, ascending) this detector can see.
    pub sees: Vec<usize>,
}

/// Whether a role works the incident or only receives news and sends pressure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleKind {
    /// Acknowledges, diagnoses, acts, communicates.
    Responder,
    /// Receives updates and injects; never acts.
    Stakeholder,
}

/// Weekly working hours of a role.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkingHours {
    /// Minute of the day work starts.
    pub start: f64,
    /// Minute of the day work ends.
    pub end: f64,
    /// Working days, Monday = 0.
    pub days: [bool; 7],
}

impl WorkingHours {
    /// Whether a minute of the week falls inside working hours.
    pub fn contains(&self, minute_of_week: f64) -> bool {
        let minute = minute_of_week.rem_euclid(7.0 * 1440.0);
        let day = (minute / 1440.0) as usize % 7;
        let time = minute - day as f64 * 1440.0;
        self.days[day] && time >= self.start && time < self.end
    }
}

/// A role and how it behaves.
#[derive(Debug, Clone)]
pub struct Role {
    /// Identifier.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Responder or stakeholder.
    pub kind: RoleKind,
    /// Time to acknowledge a page.
    pub acknowledge: Dist,
    /// Time to reach a decision (diagnose, choose an action, approve).
    pub decide: Dist,
    /// Time to write a message (status update, answer to an inject).
    pub communicate: Dist,
    /// Chance that a diagnosis names the wrong cause.
    pub wrong_diagnosis: f64,
    /// Working hours, if the role has any (else always at work).
    pub working_hours: Option<WorkingHours>,
    /// Factor on acknowledge time for pages outside working hours.
    pub off_hours_factor: f64,
    /// Each open item adds this share to every latency of the role.
    pub overload_per_item: f64,
    /// Status update cadence while the incident is open, if the role sends updates.
    pub update_every: Option<f64>,
}

/// One severity level.
#[derive(Debug, Clone)]
pub struct SeverityLevel {
    /// Name, e.g. `SEV2`.
    pub level: String,
    /// Target time from opening (at this level) to acknowledgement.
    pub acknowledge_within: f64,
    /// Target time from opening (at this level) to recovery.
    pub restore_within: f64,
    /// Roles paged at this level.
    pub page: Vec<usize>,
}

/// The escalation policy.
#[derive(Debug, Clone)]
pub struct Escalation {
    /// From least to most severe; an incident opens at the first.
    pub severities: Vec<SeverityLevel>,
    /// Whether a breached target escalates to the next level automatically.
    pub auto_escalate: bool,
    /// Who approves actions that need approval, unless the action names its own approver.
    pub approver: Option<usize>,
}

/// What a runbook action achieves when it succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionEffect {
    /// Stops further damage: the flow is paused and new records are held.
    Contain,
    /// Clears the faults on the flow (those with the diagnosed cause, if the action needs one).
    Recover,
    /// Replays the retry queue (and with backfill, re-sends silently lost records).
    RestoreData,
}

/// A runbook action.
#[derive(Debug, Clone)]
pub struct Action {
    /// Identifier.
    pub id: String,
    /// Who performs it.
    pub by: usize,
    /// The flow it acts on.
    pub target: usize,
    /// What it achieves.
    pub effect: ActionEffect,
    /// How long one attempt takes.
    pub duration: Dist,
    /// Chance one attempt succeeds.
    pub success: f64,
    /// Attempts before the role gives up on it.
    pub attempts: u32,
    /// The cause that must have been correctly diagnosed first.
    pub requires_diagnosis: Option<usize>,
    /// Actions that must have succeeded first.
    pub after: Vec<usize>,
    /// Who must approve it first, if anyone.
    pub approver: Option<usize>,
    /// Restore-data actions only: also re-send records that were silently lost.
    pub backfill: bool,
    /// Who is responsible, accountable, consulted and informed, if the scenario says.
    pub raci: Option<Raci>,
}

impl Action {
    /// The role that must approve it when that is not its performer: the approvals a run
    /// waits on (a performer approving their own action asks nobody).
    pub fn approver_other_than_performer(&self) -> Option<usize> {
        self.approver.filter(|&approver| approver != self.by)
    }
}

/// A message to a role: the content of a scripted inject or of a deck card.
#[derive(Debug, Clone)]
pub struct Message {
    /// Recipient.
    pub to: usize,
    /// Sender as shown to the recipient.
    pub from: String,
    /// What the recipient reads.
    pub text: String,
    /// Open items it adds to the recipient's plate until answered.
    pub load: u32,
    /// Whether it points toward a wrong cause.
    pub misleads: bool,
    /// A cause it reveals: diagnoses of that cause are right from then on.
    pub reveals: Option<usize>,
}

/// A scripted inject.
#[derive(Debug, Clone)]
pub struct Inject {
    /// Identifier (generated as `inject-N` when the file gives none).
    pub id: String,
    /// When it arrives.
    pub at: InjectTrigger,
    /// A milestone that, reached by then, calls it off (`at = { ..., unless = "contained" }`):
    /// the run reached it when every incident that begins before the horizon has.
    pub unless: Option<Milestone>,
    /// What it says to whom.
    pub message: Message,
    /// What the recipient is expected to do, if the scenario says.
    pub expect: Option<String>,
}

/// The randomized inject deck.
#[derive(Debug, Clone)]
pub struct Deck {
    /// Time between draws, from onset until recovery.
    pub draw_every: Dist,
    /// Most cards drawn in one run.
    pub max_draws: u32,
    /// The cards.
    pub cards: Vec<Message>,
    /// Cumulative weights, for drawing.
    pub cumulative_weights: Vec<f64>,
}

/// Content hashes of a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// SHA-256 of the whole file, hex.
    pub content: String,
    /// SHA-256 of each top-level section's canonical form, hex, sorted by section name.
    pub sections: Vec<(String, String)>,
}

impl Fingerprint {
    /// Hashes a scenario's text (the whole file and each top-level section).
    pub fn of(source: &str) -> Fingerprint {
        let content = hex(&Sha256::digest(source.as_bytes()));
        let sections = match source.parse::<toml::Table>() {
            Ok(table) => table
                .iter()
                .map(|(key, value)| {
                    let canonical = toml::to_string(value).unwrap_or_else(|_| value.to_string());
                    (key.clone(), hex(&Sha256::digest(canonical.as_bytes())))
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        Fingerprint { content, sections }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A scenario loaded from a file, with the text it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Warnings found while checking it.
    pub warnings: Diagnostics,
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("could not read scenario '{path}'")]
    Io {
        /// The path given.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid scenario.
    #[error("{}", .diagnostics.render(.path, .source_text))]
    Invalid {
        /// The path given.
        path: String,
        /// The file's text.
        source_text: String,
        /// Every error and warning found.
        diagnostics: Diagnostics,
    },
}

/// Compiles scenario text, reporting positions against `path`.
pub fn from_str(path: &str, source: &str) -> Result<Loaded, LoadError> {
    let mut diagnostics = Diagnostics::default();
    let scenario = compile::compile(source, &mut diagnostics);
    if let Some(scenario) = scenario.filter(|_| !diagnostics.has_errors()) {
        lint::lint(&scenario, source, &mut diagnostics);
        diagnostics.sort();
        return Ok(Loaded {
            scenario,
            warnings: diagnostics,
        });
    }
    diagnostics.sort();
    Err(LoadError::Invalid {
        path: path.to_string(),
        source_text: source.to_string(),
        diagnostics,
    })
}

/// Reads and compiles a scenario file.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let shown = path.display().to_string();
    let bytes = crate::input::read(path, crate::input::InputKind::Scenario).map_err(|source| {
        LoadError::Io {
            path: shown.clone(),
            source,
        }
    })?;
    match String::from_utf8(bytes) {
        Ok(source) => from_str(&shown, &source),
        Err(e) => {
            // Not text: an invalid scenario (exit 1), pointing at the first bad byte.
            let valid = e.utf8_error().valid_up_to();
            let source_text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let mut diagnostics = Diagnostics::default();
            diagnostics.push(
                Diagnostic::error(Some(valid..valid + 1), "", "the file is not UTF-8 text")
                    .with_hint("save the scenario as UTF-8 (TOML files must be UTF-8)"),
            );
            Err(LoadError::Invalid {
                path: shown,
                source_text,
                diagnostics,
            })
        }
    }
}

/// The bundled default scenario.
pub fn default_scenario() -> Loaded {
    match from_str(DEFAULT_SCENARIO_PATH, DEFAULT_SCENARIO) {
        Ok(loaded) => loaded,
        // A test keeps the bundled file valid; reaching this is a build defect.
        Err(e) => unreachable!("the bundled default scenario is invalid: {e}"),
    }
}
