//! Live facilitated drills (`ttx drill`): the batch's engine and models on a wall clock, with
//! people playing some roles through their own web pages and the facilitator at a console.
//!
//! - [`session`]: the run itself, clock-free: advance to a scenario time, take a decision;
//! - [`journal`]: the crash-safe decision log (JSON Lines, flushed before acknowledged);
//! - [`Drill`] (here): a session bound to its journal — everything that happens is journaled
//!   before anyone hears of it, each event with the [`EventKey`] of what caused it, and a
//!   journal replays into the same drill (resume, re-score), matched by those keys;
//! - [`clock`]: scenario time from wall time, with pause and speed;
//! - [`console`]: the facilitator's commands;
//! - [`terminal`]: the console on a terminal: line editing, history, a clock in the prompt;
//! - [`server`]: participant pages, the facilitator's page, their API and the push feed;
//! - [`facilitator`]: what the facilitator's page shows;
//! - [`http`]: serving them over TCP with limits, so idle sockets cannot lock players out;
//! - [`live`]: the tokio loop that ties them together, and its synchronous handlers;
//! - [`players`]: who played which role, journaled as controls.

pub mod clock;
pub mod console;
pub mod facilitator;
pub mod http;
pub mod journal;
pub mod live;
pub mod players;
pub mod report;
pub mod server;
pub mod session;
pub mod terminal;
pub mod toolkit;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::engine::Time;
use crate::engine::rng::Generator;
use crate::model::outcome::RunOutcome;
use crate::model::{Decision, Note, OpenStep, Refusal, RoleView, StreamKeys, Trace};
use crate::results::{self, DrillInfo, Header, MicroInfo, RecordKind, Results, RunRow};
use crate::scenario::{InjectTime, InjectTrigger, Scenario};
use journal::{Body, Entry, EventKey, JournalError, JournalRead, JournalWriter, StartInfo};
use session::Session;

/// What a line of the live feed is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    /// The run delivered something.
    Event,
    /// A person decided something.
    Decision,
    /// The drill started, or the facilitator worked the clock.
    Control,
    /// The drill ended.
    End,
}

impl FeedKind {
    /// The kind as the pages and the report's timeline spell it.
    pub fn name(self) -> &'static str {
        match self {
            FeedKind::Event => "event",
            FeedKind::Decision => "decision",
            FeedKind::Control => "control",
            FeedKind::End => "end",
        }
    }
}

impl std::fmt::Display for FeedKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One line of the live feed: what the console prints and participant pages receive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedItem {
    /// The journal entry's position.
    pub seq: u64,
    /// Scenario minutes.
    pub t: f64,
    /// What it is.
    pub kind: FeedKind,
    /// Role ids it concerns; empty: facilitator only (decisions and controls go to everyone
    /// they concern, the end to everyone).
    pub roles: Vec<String>,
    /// What happened.
    pub text: String,
    /// The decision, for decision items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// For event items, what delivered it: the simulation event's kind (`inject_arrives`,
    /// `card_drawn`, `signal`, ...) or the decision's (`inject`, `run`, ...), from its
    /// journal key; the pages tell injects from other events by it, never by the words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

impl FeedItem {
    /// The feed line of a journal entry.
    pub fn of(entry: &Entry) -> Self {
        let (kind, roles, text) = match &entry.body {
            Body::Start(info) => (
                FeedKind::Control,
                Vec::new(),
                format!("drill of {} starts", info.scenario),
            ),
            Body::Event { roles, what, .. } => (FeedKind::Event, roles.clone(), what.clone()),
            Body::Decision {
                role,
                by,
                decision,
                outcome,
                rationale,
            } => {
                // A note's words are what it is for (its outcome only says it was recorded).
                let mut text = match decision {
                    Decision::Note { text } => format!("note: {text}"),
                    _ => outcome.clone(),
                };
                // The console acting for a role says so: the room, through the facilitator,
                // not the person playing it, took this decision.
                if role.is_some() && by == "facilitator" {
                    text.push_str(" (entered by the facilitator)");
                }
                if let Some(why) = rationale {
                    text.push_str(&format!(" (rationale: {why})"));
                }
                (FeedKind::Decision, role.iter().cloned().collect(), text)
            }
            Body::Control { what } => (FeedKind::Control, Vec::new(), what.clone()),
            Body::End { reason } => (FeedKind::End, Vec::new(), format!("drill ended: {reason}")),
        };
        let decision = match &entry.body {
            Body::Decision { decision, .. } => Some(decision.clone()),
            _ => None,
        };
        let event = match &entry.body {
            Body::Event { key: Some(key), .. } => Some(match key {
                EventKey::Event { event, .. } => event.clone(),
                EventKey::Decision { decision, .. } => decision.clone(),
            }),
            _ => None,
        };
        FeedItem {
            seq: entry.seq,
            t: entry.t,
            kind,
            roles,
            text,
            decision,
            event,
        }
    }

    /// The line the console and `ttx replay` print: clock, roles, text, with participants'
    /// control characters and line breaks shown as escapes (their text is shown, never acted
    /// on by the terminal).
    pub fn line(&self) -> String {
        let who = if self.roles.is_empty() {
            String::new()
        } else {
            format!("[{}] ", self.roles.join(", "))
        };
        format!(
            "{}  {who}{}",
            clock::format_minutes(self.t),
            crate::render::text::one_line(&self.text)
        )
    }

    /// Whether a participant playing `role` sees it.
    pub fn visible_to(&self, role: &str) -> bool {
        self.kind == FeedKind::End || self.roles.iter().any(|r| r == role)
    }
}

/// Why a drill could not go on.
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    /// The journal could not be written or read.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A journal that does not replay into the run it records.
    #[error("{path}: {message}")]
    Inconsistent {
        /// The journal.
        path: String,
        /// What does not match.
        message: String,
    },
}

/// A drill: its run, its journal and its feed. Every change goes through here and is
/// journaled before it is returned to be shown.
pub struct Drill<'s> {
    session: Session<'s>,
    journal: JournalWriter,
    humans: Vec<usize>,
    seed: u64,
    started: String,
    /// The drill's label, for its results.
    label: Option<String>,
    /// Scenario minutes per wall minute the live loop starts at.
    pub speed: f64,
    feed: Vec<FeedItem>,
    /// Modules whose questions the console has shown.
    shown_modules: Vec<bool>,
    /// The time box of a micro-exercise (`None`: a full drill).
    micro: Option<MicroInfo>,
}

/// An event the run delivered, with the key of what caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivered {
    /// What caused it, by ids.
    pub key: EventKey,
    /// When, to whom and what, in words.
    pub note: Note,
}

/// Keys the notes a session just handed out from the events it processed, each by the step
/// (processed event) that wrote it.
fn delivered_by_steps(trace: &Trace, notes: Vec<Note>) -> Vec<Delivered> {
    // Fresh notes are the last of the trace, and each step lists the notes written since the
    // step before it (a decision's notes go to the step after it, but those were handed out
    // with the decision and are not among these): walking the steps back from the end finds
    // each fresh note's step.
    let first = trace.notes.len() - notes.len();
    let mut keys: Vec<EventKey> = Vec::with_capacity(notes.len());
    let mut end = trace.notes.len();
    for step in trace.steps.iter().rev() {
        if end <= first {
            break;
        }
        let start = end.saturating_sub(step.what.len()).max(first);
        keys.extend(std::iter::repeat_n(EventKey::of_step(step), end - start));
        end = start;
    }
    assert_eq!(
        keys.len(),
        notes.len(),
        "every note a session hands out from advancing was written by a step of its trace"
    );
    keys.reverse();
    keys.into_iter()
        .zip(notes)
        .map(|(key, note)| Delivered { key, note })
        .collect()
}

/// Keys the notes a decision delivered.
fn delivered_by_decision(key: &EventKey, notes: Vec<Note>) -> Vec<Delivered> {
    notes
        .into_iter()
        .map(|note| Delivered {
            key: key.clone(),
            note,
        })
        .collect()
}

/// A role id → index lookup, its refusal in words.
fn role_index(scenario: &Scenario, id: &str) -> Result<usize, String> {
    crate::model::role_index(scenario, id).map_err(|refusal| refusal.to_string())
}

/// Resolves `--humans` role ids to indices.
pub fn human_roles(scenario: &Scenario, ids: &[String]) -> Result<Vec<usize>, String> {
    let mut roles = Vec::new();
    for id in ids {
        let i = role_index(scenario, id)?;
        if !roles.contains(&i) {
            roles.push(i);
        }
    }
    Ok(roles)
}

/// How far past the event it stops at a skip moves the clock (one scenario second): the
/// event is then behind the clock, as when the clock ran there.
pub const SKIP_PAST: Time = 1.0 / 60.0;

/// The control journaled when idle fast-forward is turned on (at start by
/// `ttx drill --fast-forward-idle`, or `fast-forward on` at the console).
pub const FAST_FORWARD_ON: &str = "fast-forward on";

/// The control journaled when idle fast-forward is turned off.
pub const FAST_FORWARD_OFF: &str = "fast-forward off";

/// A fresh unguessable join token (128 bits from the operating system's generator).
pub fn new_token() -> String {
    use rand::RngExt;
    format!("{:032x}", rand::rng().random::<u128>())
}

/// What a new drill starts from.
pub struct StartOptions<'a> {
    /// The seed (the drill plays its run 0).
    pub seed: u64,
    /// Scenario minutes per wall minute.
    pub speed: f64,
    /// Roles played by people (indices).
    pub humans: Vec<usize>,
    /// Join token of each human role, by role id.
    pub tokens: BTreeMap<String, String>,
    /// The facilitator's page token, journaled so a resumed drill keeps its link.
    pub facilitator_token: Option<String>,
    /// Where the journal goes (must not exist).
    pub journal: &'a Path,
    /// The drill's label (`--label 2026-Q3`), journaled and carried into its results.
    pub label: Option<String>,
    /// A micro-exercise's time box (`ttx drill --module ID` or `--preset micro`), journaled.
    pub micro: Option<MicroInfo>,
}

impl<'s> Drill<'s> {
    /// Starts a new drill and journals its start.
    pub fn start(
        scenario: &'s Scenario,
        keys: &'s StreamKeys,
        options: StartOptions<'_>,
    ) -> Result<Self, DrillError> {
        let mut journal = JournalWriter::create(options.journal)?;
        let start = journal.write(
            0.0,
            Body::Start(Box::new(StartInfo {
                format: journal::JOURNAL_FORMAT.to_string(),
                ttx_version: env!("CARGO_PKG_VERSION").to_string(),
                scenario: scenario.meta.name.clone(),
                content_hash: format!("sha256:{}", scenario.fingerprint.content),
                seed: options.seed,
                generator: keys.generator(),
                speed: options.speed,
                humans: options
                    .humans
                    .iter()
                    .map(|&r| scenario.roles[r].id.clone())
                    .collect(),
                tokens: options.tokens,
                facilitator_token: options.facilitator_token,
                source: scenario.source.clone(),
                label: options.label.clone(),
                micro: options.micro.clone(),
            })),
        )?;
        Ok(Drill {
            session: Session::new(scenario, keys, &options.humans),
            journal,
            humans: options.humans,
            seed: options.seed,
            started: start.wall.clone(),
            label: options.label,
            speed: options.speed,
            feed: vec![FeedItem::of(&start)],
            shown_modules: vec![false; scenario.modules.len()],
            micro: options.micro,
        })
    }

    /// Rebuilds a drill from its journal (see [`replay`]) and reopens the journal for
    /// appending: events of the rebuilt run that the journal lacks (the stop came before they
    /// were written) are journaled now, then a note that the drill resumed.
    pub fn resume(
        scenario: &'s Scenario,
        keys: &'s StreamKeys,
        read: &JournalRead,
        path: &Path,
    ) -> Result<Self, DrillError> {
        let replayed = replay(scenario, keys, read, path)?;
        let start = read.start();
        let mut drill = Drill {
            session: replayed.session,
            journal: JournalWriter::append(path, read)?,
            humans: human_roles(scenario, &start.humans).map_err(|message| {
                DrillError::Inconsistent {
                    path: path.display().to_string(),
                    message,
                }
            })?,
            seed: start.seed,
            started: read.entries[0].wall.clone(),
            label: start.label.clone(),
            speed: start.speed,
            feed: read.entries.iter().map(FeedItem::of).collect(),
            // Shown again after a resume: the facilitator may have lost the screen.
            shown_modules: vec![false; scenario.modules.len()],
            micro: start.micro.clone(),
        };
        drill.journal_events(replayed.unjournaled)?;
        let what = format!(
            "resumed from the journal at {} ({} entries kept{})",
            clock::format_minutes(drill.now()),
            read.entries.len(),
            if read.torn_tail {
                ", one unfinished line dropped"
            } else {
                ""
            }
        );
        drill.control(&what)?;
        Ok(drill)
    }

    /// Scenario minutes reached.
    pub fn now(&self) -> Time {
        self.session.now()
    }

    /// The scenario.
    pub fn scenario(&self) -> &'s Scenario {
        self.session.scenario()
    }

    /// Roles played by people.
    pub fn humans(&self) -> &[usize] {
        &self.humans
    }

    /// Scenario minutes per wall minute at the start.
    pub fn initial_speed(&self) -> f64 {
        self.speed
    }

    /// The clock as the journal leaves it: the speed last set and whether it is paused
    /// (a pause, or a hot wash under way, not followed by a resume). What a resumed drill
    /// continues with.
    pub fn clock_state(&self) -> (f64, bool) {
        let mut state = (self.speed, false);
        for item in self.feed.iter().filter(|i| i.kind == FeedKind::Control) {
            match item.text.as_str() {
                "pause" => state.1 = true,
                "resume" => state.1 = false,
                text if text.ends_with("; hot wash") => state.1 = true,
                text => {
                    if let Some(speed) =
                        (text.strip_prefix("speed ")).and_then(|s| clock::parse_speed(s).ok())
                    {
                        state.0 = speed;
                    }
                }
            }
        }
        state
    }

    /// Whether idle fast-forward is on, as the journal leaves it (`fast-forward on` and
    /// `fast-forward off` controls, the last one wins): what a resumed drill continues with.
    pub fn fast_forward_state(&self) -> bool {
        (self.feed.iter().filter(|i| i.kind == FeedKind::Control)).fold(
            false,
            |on, item| match item.text.as_str() {
                FAST_FORWARD_ON => true,
                FAST_FORWARD_OFF => false,
                _ => on,
            },
        )
    }

    /// When each scripted inject was delivered (`None`: not yet).
    pub fn injects_delivered(&self) -> &[Option<Time>] {
        self.session.injects_delivered()
    }

    /// Whether a person has something in hand: a role played by a person paged for an
    /// incident not yet recovered, an approval waiting for them, an action of theirs running,
    /// or, once paged, a runbook step of theirs open and not blocked (restoring data after
    /// recovery). Idle fast-forward never jumps over such time.
    pub fn people_engaged(&self) -> bool {
        let open = self.open_steps();
        self.humans.iter().any(|&r| {
            let view = self.role_view(r);
            let paged = !view.incidents.is_empty();
            (view.incidents.iter()).any(|i| !i.reached.contains(&"recovered"))
                || !view.approvals.is_empty()
                || view.busy
                || (paged
                    && (open.iter()).any(|step| step.role == view.role && step.blocked.is_none()))
        })
    }

    /// Scenario time of the last thing that reached a person or came from one: an item to a
    /// role played by a person, a decision, a module's start (`None`: nothing yet).
    pub fn last_touch(&self) -> Option<Time> {
        let scenario = self.scenario();
        let humans: Vec<&str> = (self.humans.iter())
            .map(|&r| scenario.roles[r].id.as_str())
            .collect();
        (self.feed.iter().rev())
            .find(|i| {
                i.kind == FeedKind::Decision
                    || i.roles.iter().any(|r| humans.contains(&r.as_str()))
                    || i.text.starts_with("module starts")
            })
            .map(|i| i.t)
    }

    /// Everything fed so far, in order.
    pub fn feed(&self) -> &[FeedItem] {
        &self.feed
    }

    /// Whether the play is over (the horizon, a micro-exercise's time box, or a runaway
    /// run); recovery does not end it.
    pub fn over(&self) -> bool {
        self.session.over() || self.box_end().is_some_and(|end| self.now() >= end)
    }

    /// Whether every incident has recovered.
    pub fn resolved(&self) -> bool {
        self.session.resolved()
    }

    /// Where the play stops: the scenario's horizon, or a micro-exercise's time box once
    /// its play has begun, whichever comes first.
    pub fn horizon(&self) -> Time {
        let horizon = self.session.horizon();
        self.box_end().map_or(horizon, |end| end.min(horizon))
    }

    /// The micro-exercise's time box, if this drill is one.
    pub fn micro(&self) -> Option<&MicroInfo> {
        self.micro.as_ref()
    }

    /// Scenario time a micro-exercise's play began (`None`: a full drill, or not yet): its
    /// module's start (`--module`), else the first moment something reached a person, or
    /// the scenario's start when nobody plays.
    pub fn box_start(&self) -> Option<Time> {
        let micro = self.micro.as_ref()?;
        match &micro.module {
            Some(id) => {
                let m = self.scenario().modules.iter().position(|m| m.id == *id)?;
                self.session.modules_started()[m]
            }
            None if self.humans.is_empty() => Some(0.0),
            None => self.first_touch(),
        }
    }

    /// Scenario time a micro-exercise's box closes: [`Drill::box_start`] plus its window.
    fn box_end(&self) -> Option<Time> {
        Some(self.box_start()? + self.micro.as_ref()?.window)
    }

    /// Scenario time of the first thing that reached a person or came from one (see
    /// [`Drill::last_touch`]).
    fn first_touch(&self) -> Option<Time> {
        let scenario = self.scenario();
        (self.feed.iter())
            .find(|i| {
                i.kind == FeedKind::Decision
                    || (i.roles.iter())
                        .any(|r| (self.humans.iter()).any(|&h| scenario.roles[h].id == *r))
                    || i.text.starts_with("module starts")
            })
            .map(|i| i.t)
    }

    /// Moves a micro-exercise to where its play begins (its module's start, or the first
    /// moment a person sees something), as `skip` at the console would, journaled the same
    /// way. Nothing for a full drill, or once the play has begun.
    pub fn skip_to_box(&mut self) -> Result<Vec<FeedItem>, DrillError> {
        if self.micro.is_none() || self.box_start().is_some() {
            return Ok(Vec::new());
        }
        let mut items = vec![self.control("skip")?];
        while self.box_start().is_none() && !self.over() {
            items.extend(self.skip()?);
        }
        Ok(items)
    }

    /// Names the person playing role `role` (index): journals `player ROLE: NAME` (see
    /// [`players`]) unless that person is already named for it. `name` must have passed
    /// [`players::check_name`].
    pub fn set_player(&mut self, role: usize, name: &str) -> Result<Option<FeedItem>, DrillError> {
        let id = self.scenario().roles[role].id.clone();
        if self.players().get(&id).map(String::as_str) == Some(name) {
            return Ok(None);
        }
        self.control(&players::control(&id, name)).map(Some)
    }

    /// Who plays which role so far, by role id.
    pub fn players(&self) -> BTreeMap<String, String> {
        players::players_of(&self.feed)
    }

    /// Runbook steps still open now.
    pub fn open_steps(&self) -> Vec<OpenStep> {
        self.session.open_steps()
    }

    /// Started modules in the order they started: `(start time, module)`.
    fn started_modules(&self) -> Vec<(Time, usize)> {
        let mut started: Vec<(Time, usize)> = (self.session.modules_started().iter())
            .enumerate()
            .filter_map(|(m, t)| Some(((*t)?, m)))
            .collect();
        started.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        started
    }

    /// Modules that have started and whose questions are not shown yet (marked shown).
    pub fn modules_to_show(&mut self) -> Vec<usize> {
        let fresh: Vec<usize> = (self.started_modules().into_iter())
            .map(|(_, m)| m)
            .filter(|&m| !self.shown_modules[m])
            .collect();
        for &m in &fresh {
            self.shown_modules[m] = true;
        }
        fresh
    }

    /// The module that started last, if any has.
    pub fn current_module(&self) -> Option<usize> {
        self.started_modules().last().map(|&(_, m)| m)
    }

    /// What `role` sees and can do now.
    pub fn role_view(&self, role: usize) -> RoleView {
        self.session.role_view(role)
    }

    fn push(&mut self, t: Time, body: Body) -> Result<FeedItem, DrillError> {
        let entry = self.journal.write(t, body)?;
        let item = FeedItem::of(&entry);
        self.feed.push(item.clone());
        Ok(item)
    }

    fn journal_events(&mut self, events: Vec<Delivered>) -> Result<Vec<FeedItem>, DrillError> {
        let scenario = self.scenario();
        events
            .into_iter()
            .map(|Delivered { key, note }| {
                let roles = note
                    .audience
                    .iter()
                    .map(|&r| scenario.roles[r].id.clone())
                    .collect();
                self.push(
                    note.time,
                    Body::Event {
                        key: Some(key),
                        roles,
                        what: note.text,
                    },
                )
            })
            .collect()
    }

    /// Moves the run to scenario time `t`, journaling what it delivers.
    pub fn advance_to(&mut self, t: Time) -> Result<Vec<FeedItem>, DrillError> {
        let notes = self.session.advance_to(t);
        let events = delivered_by_steps(self.session.trace(), notes);
        self.journal_events(events)
    }

    /// Moves the run forward to the next moment a player sees something (a note to a role
    /// played by a person) or a module starts, or to the horizon; journals what it delivers.
    /// The run is moved only as the wall clock would move it (event by event, through
    /// [`Drill::advance_to`]), stopping [`SKIP_PAST`] after that event, so a skipped drill
    /// replays like one that waited.
    pub fn skip(&mut self) -> Result<Vec<FeedItem>, DrillError> {
        let scenario = self.scenario();
        let humans: Vec<&str> = (self.humans.iter())
            .map(|&r| scenario.roles[r].id.as_str())
            .collect();
        let mut items = Vec::new();
        while !self.over() {
            let next = self.session.next_event().unwrap_or(self.horizon());
            let fresh = self.advance_to((next.max(self.now()) + SKIP_PAST).min(self.horizon()))?;
            let seen = fresh.iter().any(|i| {
                i.roles.iter().any(|r| humans.contains(&r.as_str()))
                    || i.text.starts_with("module starts")
            });
            items.extend(fresh);
            if seen {
                break;
            }
        }
        Ok(items)
    }

    /// Takes a decision now: journals it and what it caused, or refuses it and journals
    /// nothing. `role` is `None` for the facilitator's own decisions.
    pub fn decide(
        &mut self,
        role: Option<usize>,
        by: &str,
        decision: Decision,
        rationale: Option<String>,
    ) -> Result<Result<Vec<FeedItem>, Refusal>, DrillError> {
        let (outcome, notes) = match self.session.decide(role, &decision) {
            Ok(done) => done,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let scenario = self.scenario();
        let role = role.map(|r| scenario.roles[r].id.clone());
        let events =
            delivered_by_decision(&EventKey::of_decision(&decision, role.as_deref()), notes);
        let mut items = vec![self.push(
            self.now(),
            Body::Decision {
                role,
                by: by.to_string(),
                decision,
                rationale: rationale.filter(|r| !r.trim().is_empty()),
                outcome,
            },
        )?];
        items.extend(self.journal_events(events)?);
        Ok(Ok(items))
    }

    /// Journals a clock control (pause, resume, speed).
    pub fn control(&mut self, what: &str) -> Result<FeedItem, DrillError> {
        self.push(
            self.now(),
            Body::Control {
                what: what.to_string(),
            },
        )
    }

    /// Ends the drill and scores it. A drill the facilitator ends is scored at the current
    /// time (unreached milestones censored there); one stopped by the event cap where the
    /// cap stopped it; one whose play is over at the horizon. Called before the horizon and
    /// not by the facilitator (every incident recovered and nobody left who can act), the rest
    /// is the systems' own behaviour and is played out to the horizon at once, scoring like
    /// the batch. Returns the feed of the ending and the scored run.
    pub fn end(mut self, ended_by_facilitator: bool) -> Result<Ended, DrillError> {
        let mut items = Vec::new();
        let reason = if self.session.hit_event_cap() {
            EndReason::EventCap
        } else if self.box_end().is_some_and(|end| self.now() >= end) {
            EndReason::TimeBox
        } else if self.now() >= self.horizon() {
            EndReason::Horizon
        } else if ended_by_facilitator {
            EndReason::Facilitator
        } else {
            let horizon = self.horizon();
            items.extend(self.advance_to(horizon)?);
            if self.session.hit_event_cap() {
                EndReason::EventCap
            } else if self.box_end().is_some_and(|end| self.now() >= end) {
                EndReason::TimeBox
            } else {
                EndReason::PlayedOut
            }
        };
        let end_time = self.now();
        items.push(self.push(
            end_time,
            Body::End {
                reason: reason.words().to_string(),
            },
        )?);
        let drill_info = DrillInfo {
            started: self.started.clone(),
            humans: self
                .humans
                .iter()
                .map(|&r| self.scenario().roles[r].id.clone())
                .collect(),
            speed: self.speed,
            kind: RecordKind::Drill,
            players: self.players(),
            micro: self.micro.clone(),
        };
        let feed = std::mem::take(&mut self.feed);
        let mut ended = finished(self.session, self.seed, end_time, drill_info, feed);
        ended.items = items;
        ended.results.label = self.label;
        Ok(ended)
    }
}

/// Why a drill ended: what its ending line says, beside the time it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// The scenario's horizon came.
    Horizon,
    /// The facilitator ended it.
    Facilitator,
    /// The run reached the cap on events (a runaway scenario): scored where it stopped.
    EventCap,
    /// Every incident recovered and nobody could act any more (no people, no console): the
    /// rest was played out to the horizon at once.
    PlayedOut,
    /// A micro-exercise's time box closed.
    TimeBox,
}

impl EndReason {
    /// The reason in words, as journaled and shown after "drill ended: ".
    pub fn words(self) -> &'static str {
        match self {
            EndReason::Horizon => "the horizon was reached",
            EndReason::Facilitator => "the facilitator ended it",
            EndReason::EventCap => {
                "the run reached the cap on events (a runaway scenario); scored where it stopped"
            }
            EndReason::PlayedOut => {
                "every incident recovered and nobody was left to act; the rest played out to the horizon"
            }
            EndReason::TimeBox => "the micro-exercise's time box closed",
        }
    }
}

/// A scripted inject the drill ended before delivering.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Undelivered {
    /// Inject id.
    pub id: String,
    /// Recipient role id.
    pub to: String,
    /// Sender.
    pub from: String,
    /// When it was due, in words (`at T+6:00:00`, `15.0m after detected`).
    pub due: String,
}

/// When a scripted inject is due, in words (`at T+6:00:00`, `15.0m after detected`, `if not
/// contained 1h00m after detected`): the console's `injects` listing, the facilitator's page
/// and the report's undelivered injects say it alike.
pub fn inject_due(scenario: &Scenario, i: usize) -> String {
    match scenario.injects[i].at {
        InjectTrigger::Time(InjectTime::At(t)) => format!("at {}", clock::format_minutes(t)),
        _ => scenario.inject_when(i),
    }
}

/// Scores a session ended at `end` with the drill's facts and feed: what [`Drill::end`] and
/// [`rescore`] both return, so a report rebuilt from a journal is the one the drill wrote.
fn finished(
    session: Session<'_>,
    seed: u64,
    end: Time,
    drill: DrillInfo,
    feed: Vec<FeedItem>,
) -> Ended {
    let scenario = session.scenario();
    let generator = session.generator();
    let modules_started = session.modules_started().to_vec();
    let open_steps = session.open_steps();
    let undelivered = (scenario.injects.iter().enumerate())
        .zip(session.injects_delivered())
        .filter(|(_, delivered)| delivered.is_none())
        .map(|((i, inject), _)| Undelivered {
            id: inject.id.clone(),
            to: scenario.roles[inject.message.to].id.clone(),
            from: inject.message.from.clone(),
            due: inject_due(scenario, i),
        })
        .collect();
    let (outcome, trace) = session.finish(end);
    Ended {
        modules_started,
        results: drill_results(scenario, seed, generator, &outcome, drill),
        outcome,
        trace,
        feed,
        items: Vec::new(),
        open_steps,
        undelivered,
    }
}

/// A finished drill.
pub struct Ended {
    /// The drill's results: one run, with [`DrillInfo`].
    pub results: Results,
    /// The scored run.
    pub outcome: RunOutcome,
    /// Its trace (notes and spans).
    pub trace: Trace,
    /// The whole feed, from the start.
    pub feed: Vec<FeedItem>,
    /// The feed of the ending itself (empty for a drill re-scored from its journal).
    pub items: Vec<FeedItem>,
    /// When each exercise module started (`None`: not reached).
    pub modules_started: Vec<Option<Time>>,
    /// Runbook steps still open when the drill ended.
    pub open_steps: Vec<OpenStep>,
    /// Scripted injects the drill ended before delivering.
    pub undelivered: Vec<Undelivered>,
}

/// The results of a drill: the batch's format with one run and the drill's facts.
pub fn drill_results(
    scenario: &Scenario,
    seed: u64,
    generator: Generator,
    outcome: &RunOutcome,
    drill: DrillInfo,
) -> Results {
    let header = Header {
        drill: Some(drill),
        runs_hit_event_cap: u64::from(outcome.hit_event_cap),
        ..Header::of(scenario, seed)
    };
    Results {
        format: results::format_of(generator).to_string(),
        ..Results::from_rows(header, vec![RunRow::of(outcome)])
    }
}

/// A journal replayed into its run.
pub struct Replayed<'s> {
    /// The rebuilt run, at the time of the journal's last entry.
    pub session: Session<'s>,
    /// Events the rebuilt run delivered that the journal lacks (written after a crash).
    pub unjournaled: Vec<Delivered>,
}

/// Replays a journal: starts the run of its seed with its human roles, takes each journaled
/// decision at its scenario time, and checks that the run delivers exactly the events the
/// journal records, in order, by their keys (by their words for events written before keys).
/// `scenario` must be the journal's own (its `source`).
pub fn replay<'s>(
    scenario: &'s Scenario,
    keys: &'s StreamKeys,
    read: &JournalRead,
    path: &Path,
) -> Result<Replayed<'s>, DrillError> {
    let inconsistent = |message: String| DrillError::Inconsistent {
        path: path.display().to_string(),
        message,
    };
    let start = read.start();
    let humans = human_roles(scenario, &start.humans).map_err(&inconsistent)?;
    let mut session = Session::new(scenario, keys, &humans);
    let mut produced: Vec<Delivered> = Vec::new();
    for entry in &read.entries {
        let Body::Decision { role, decision, .. } = &entry.body else {
            continue;
        };
        let notes = session.advance_to(entry.t);
        produced.extend(delivered_by_steps(session.trace(), notes));
        let role_index = match role {
            Some(id) => Some(role_index(scenario, id).map_err(&inconsistent)?),
            None => None,
        };
        match session.decide(role_index, decision) {
            Ok((_, notes)) => {
                let key = EventKey::of_decision(decision, role.as_deref());
                produced.extend(delivered_by_decision(&key, notes));
            }
            Err(refusal) => {
                return Err(inconsistent(format!(
                    "entry {}: the decision `{}` could not be taken again ({refusal}); the journal does not belong to this scenario and seed",
                    entry.seq,
                    decision.kind()
                )));
            }
        }
    }
    if let Some(last) = read.entries.last() {
        let mut notes = session.advance_to(last.t);
        notes.extend(session.settle_now());
        produced.extend(delivered_by_steps(session.trace(), notes));
    }
    let journaled = read.entries.iter().filter_map(|e| match &e.body {
        Body::Event { key, what, .. } => Some((e.seq, key, what)),
        _ => None,
    });
    let mut matched = 0;
    for (seq, key, what) in journaled {
        let Some(delivered) = produced.get(matched) else {
            return Err(inconsistent(format!(
                "entry {seq}: the journal records `{what}`, which the run never delivers"
            )));
        };
        match key {
            Some(key) if *key == delivered.key => {}
            Some(key) => {
                return Err(inconsistent(format!(
                    "entry {seq}: the journal's event key is `{key}` but the run delivers `{}` there (`{}`); the journal was edited or written by another scenario or version",
                    delivered.key, delivered.note.text
                )));
            }
            // Written before keys: the words are all there is to match.
            None if *what == delivered.note.text => {}
            None => {
                return Err(inconsistent(format!(
                    "entry {seq} has no event key (format `{}`, written by ttx {}) and says `{what}` where this ttx delivers `{}` ({}): either the journal was edited or this version words the event differently; resume or re-score it with ttx {}",
                    start.format,
                    start.ttx_version,
                    delivered.note.text,
                    delivered.key,
                    start.ttx_version
                )));
            }
        }
        matched += 1;
    }
    let unjournaled = produced.split_off(matched);
    Ok(Replayed {
        session,
        unjournaled,
    })
}

/// Re-scores a finished or interrupted drill from its journal: the run replayed, ended where
/// the journal's end says (or where the journal stops, for an unfinished drill). Everything a
/// report needs comes back, as from [`Drill::end`], so the outputs of a drill can always be
/// rebuilt from its journal.
pub fn rescore(
    scenario: &Scenario,
    keys: &StreamKeys,
    read: &JournalRead,
    path: &Path,
) -> Result<Ended, DrillError> {
    let replayed = replay(scenario, keys, read, path)?;
    let start = read.start();
    let end = read.ended().map_or(replayed.session.now(), |e| e.t);
    let mut session = replayed.session;
    if end > session.now() {
        session.advance_to(end);
    }
    let feed: Vec<FeedItem> = read.entries.iter().map(FeedItem::of).collect();
    let info = DrillInfo {
        started: read.entries[0].wall.clone(),
        humans: start.humans.clone(),
        speed: start.speed,
        kind: RecordKind::Drill,
        players: players::players_of(&feed),
        micro: start.micro.clone(),
    };
    let mut ended = finished(session, start.seed, end, info, feed);
    ended.results.label = start.label.clone();
    Ok(ended)
}

#[cfg(test)]
pub(crate) mod tests;
