//! The live drill loop: one tokio task owns the [`Drill`] and is the only one to change it.
//! It moves the run along the wall clock, takes participants' requests and the facilitator's
//! console lines as they come, and sends what happened to the console and the pages.
//!
//! The console, the web server and the clock never wait on one another: the loop wakes every
//! [`TICK`] to move the clock and otherwise answers whatever arrives first.
//!
//! The loop itself only waits and carries out: what a tick, a participant's request, a console
//! line or the console closing does is decided by a plain synchronous handler of [`Live`]
//! (`on_tick`, `on_decide`, `on_state`, `on_console_line`, `on_console_closed`, the
//! facilitator's page's `on_facilitate` and `on_overview`, and `on_wake` before each wait),
//! which returns the [`Effect`]s to carry out. The handlers print
//! nothing and know no runtime, so the rules of a live drill are tested without tokio.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncBufReadExt;
use tokio::sync::{broadcast, mpsc};

use super::clock::{Clock, format_minutes};
use super::console::{self, Command, HELP};
use super::facilitator::{Overview, Phase};
use super::server::{
    self, App, Commanded, DecisionAnswer, FEED_PAGE, FacilitateAnswer, PageState, Request,
};
use super::{Drill, DrillError, Ended, FeedItem};
use crate::engine::Time;
use crate::model::{Decision, Refusal, RefusalKind};

/// How the facilitator's notice that every incident recovered begins (found again on resume).
pub const RECOVERED_NOTICE: &str = "recovered";

/// How often the loop moves the clock.
pub const TICK: Duration = Duration::from_millis(50);

/// How the live drill is served.
pub struct LiveOptions {
    /// The participant pages' socket, bound before the drill starts (see [`bind`]), so a
    /// failed bind leaves no journal behind.
    pub listener: std::net::TcpListener,
    /// Join token of each human role, by role id.
    pub tokens: BTreeMap<String, String>,
    /// The facilitator's page token.
    pub facilitator_token: String,
    /// Whether to read console commands from standard input.
    pub console: bool,
    /// Where the console's lines go (the command line passes standard output): the library
    /// itself never prints.
    pub out: Box<dyn Write + Send>,
}

/// Why the live drill stopped early.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The pages' address could not be bound.
    #[error(
        "cannot serve participant pages on {address}: {source}; choose another with --listen 127.0.0.1:PORT"
    )]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The journal failed.
    #[error(transparent)]
    Drill(#[from] DrillError),
}

/// What the loop does after a handler, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Print it on the console and send it to the pages (each page shows what its role sees).
    Publish(FeedItem),
    /// Print a line on the console only.
    Say(String),
    /// Stop the play and score the drill: where it stands when the facilitator ended it, at
    /// the horizon otherwise.
    Finish {
        /// Whether the facilitator ended it.
        by_facilitator: bool,
    },
}

/// The live drill between two messages: the drill, its clock, and where the play stands.
pub struct Live<'s> {
    drill: Drill<'s>,
    clock: Clock,
    /// The console lines listing the join links.
    links: Vec<String>,
    /// Whether someone can still type at the console.
    console_open: bool,
    /// The hot wash comes after the play (the clock stopped) and before scoring, when the
    /// scenario has prompts and someone is at the console to record the answers. `Some(ended
    /// by the facilitator)` once it began.
    hot_wash: Option<bool>,
    /// Whether the facilitator has been told that every incident recovered.
    recovery_told: bool,
    /// The facilitator's page link, printed with the join links.
    facilitator_link: Option<String>,
    /// The refusal of the last decision the facilitator took, for the page's answer.
    refused: Option<Refusal>,
    /// Whether idle time is jumped over by itself (see [`Live::fast_forward_idle`]).
    fast_forward: bool,
    /// Scenario minutes idle fast-forward has jumped over since this live loop began.
    idle_skipped: Time,
}

/// Wall seconds the clock runs at its speed after something reached a person before idle
/// fast-forward may jump again: time to read an inject or a module's questions.
pub const IDLE_GRACE_SECONDS: f64 = 60.0;

impl<'s> Live<'s> {
    /// A live drill on `clock`; `links` are the console lines listing the join links;
    /// `console`: whether someone types at the console.
    pub fn new(drill: Drill<'s>, clock: Clock, links: Vec<String>, console: bool) -> Self {
        Live {
            clock,
            links,
            console_open: console,
            hot_wash: None,
            // A resumed drill told the facilitator before the stop, if it got that far.
            recovery_told: drill.feed().iter().any(|i| {
                i.kind == super::FeedKind::Control && i.text.starts_with(RECOVERED_NOTICE)
            }),
            // A resumed drill fast-forwards if it did before the stop.
            fast_forward: drill.fast_forward_state(),
            idle_skipped: 0.0,
            drill,
            facilitator_link: None,
            refused: None,
        }
    }

    /// The same, with the facilitator's page at `link` (listed with the join links).
    pub fn with_facilitator_link(mut self, link: String) -> Self {
        self.facilitator_link = Some(link);
        self
    }

    /// The drill.
    pub fn drill(&self) -> &Drill<'s> {
        &self.drill
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Scenario minutes on the clock now: what the loop hands the handlers as `now`.
    pub fn clock_now(&self) -> Time {
        self.clock.now()
    }

    /// Scenario minutes idle fast-forward has jumped over so far (since this loop began).
    pub fn idle_skipped(&self) -> Time {
        self.idle_skipped
    }

    /// Whether the console is still read.
    pub fn console_open(&self) -> bool {
        self.console_open
    }

    /// The drill, to end it.
    pub fn into_drill(self) -> Drill<'s> {
        self.drill
    }

    /// The console lines of the join links.
    fn link_lines(&self) -> Vec<Effect> {
        let mut lines: Vec<Effect> = (self.facilitator_link.iter())
            .map(|link| say(format!("facilitator's page (keep it to yourself): {link}")))
            .collect();
        if self.links.is_empty() {
            lines.push(say(
                "no human roles: every role is played by its simulated model",
            ));
            return lines;
        }
        lines.push(say("join links (send each person only their own):"));
        lines.extend(self.links.iter().map(say));
        lines
    }

    /// Moves the run to `now` (at most the horizon), publishing what it delivers.
    fn advance(&mut self, now: Time) -> Result<Vec<Effect>, DrillError> {
        let items = self.drill.advance_to(now.min(self.drill.horizon()))?;
        let mut effects: Vec<Effect> = items.into_iter().map(Effect::Publish).collect();
        effects.extend(self.tell_recovery()?);
        Ok(effects)
    }

    /// Once every incident has recovered, tells the facilitator (once, journaled): the play
    /// goes on, for restoring data, verification and the rest of the script.
    fn tell_recovery(&mut self) -> Result<Vec<Effect>, DrillError> {
        if self.recovery_told || !self.drill.resolved() {
            return Ok(Vec::new());
        }
        self.recovery_told = true;
        let open: Vec<String> = (self.drill.open_steps().into_iter())
            .map(|step| format!("{} ({})", step.action, step.role))
            .collect();
        let what = if open.is_empty() {
            format!(
                "{RECOVERED_NOTICE}: every incident recovered; verify, then `end` when the team is done"
            )
        } else {
            format!(
                "{RECOVERED_NOTICE}: every incident recovered; restore and verify ({} still open), or `end`",
                open.join(", ")
            )
        };
        Ok(vec![Effect::Publish(self.drill.control(&what)?)])
    }

    /// Whether anyone can still act: a person plays a role, or the facilitator is at the
    /// console.
    fn someone_can_act(&self) -> bool {
        self.console_open || !self.drill.humans().is_empty()
    }

    /// Before the loop waits: once the play is over, the hot wash begins, or the drill
    /// finishes when nobody is at the console or the scenario has no prompts. Recovery does
    /// not end the play while someone can still act; with nobody left, the rest is the
    /// systems' own behaviour and the drill finishes (played out to the horizon at once).
    pub fn on_wake(&mut self) -> Result<Vec<Effect>, DrillError> {
        let nobody_left = self.drill.resolved() && !self.someone_can_act();
        if !(self.drill.over() || nobody_left) || self.hot_wash.is_some() {
            return Ok(Vec::new());
        }
        if self.console_open && !self.drill.scenario().hot_wash.is_empty() {
            self.begin_hot_wash("play over", false)
        } else {
            Ok(vec![Effect::Finish {
                by_facilitator: false,
            }])
        }
    }

    /// The clock ticked: moves the run to `now` and shows modules that have started (the
    /// run stands still during the hot wash).
    pub fn on_tick(&mut self, now: Time) -> Result<Vec<Effect>, DrillError> {
        if self.hot_wash.is_some() {
            return Ok(Vec::new());
        }
        let mut effects = self.advance(now)?;
        effects.extend(self.fast_forward_idle()?);
        effects.extend(self.new_modules());
        Ok(effects)
    }

    /// With idle fast-forward on and the clock running: when no person has anything in hand
    /// ([`Drill::people_engaged`]) and [`IDLE_GRACE_SECONDS`] of wall time have passed since
    /// something last reached one ([`Drill::last_touch`]), jumps the run to the next moment a
    /// person sees something (as `skip` does, event by event, so the run is the one the clock
    /// would have played) and journals the jump, so resume and replay show it.
    fn fast_forward_idle(&mut self) -> Result<Vec<Effect>, DrillError> {
        if !self.fast_forward || self.clock.paused() || self.drill.over() {
            return Ok(Vec::new());
        }
        let from = self.drill.now();
        let grace = IDLE_GRACE_SECONDS / 60.0 * self.clock.speed();
        if self.drill.people_engaged() || self.drill.last_touch().is_some_and(|t| from < t + grace)
        {
            return Ok(Vec::new());
        }
        let mut effects: Vec<Effect> = (self.drill.skip()?.into_iter())
            .map(Effect::Publish)
            .collect();
        let skipped = self.drill.now() - from;
        self.idle_skipped += skipped;
        self.clock.jump_to(self.drill.now());
        let what = format!(
            "fast-forward: skipped {} of idle time, {} to {}",
            crate::scenario::duration::format_minutes(skipped),
            format_minutes(from),
            format_minutes(self.drill.now())
        );
        effects.push(Effect::Publish(self.drill.control(&what)?));
        effects.extend(self.tell_recovery()?);
        Ok(effects)
    }

    /// A participant playing `role` decided, at `now`: the effects, and the answer to their
    /// page (what it caused, or why it was refused).
    pub fn on_decide(
        &mut self,
        now: Time,
        role: usize,
        decision: Decision,
        rationale: Option<String>,
    ) -> Result<(Vec<Effect>, DecisionAnswer), DrillError> {
        let mut effects = self.advance(now)?;
        let answer = self
            .drill
            .decide(Some(role), "participant", decision, rationale)?;
        if let Ok(items) = &answer {
            effects.extend(items.iter().cloned().map(Effect::Publish));
            effects.extend(self.tell_recovery()?);
        }
        Ok((effects, answer))
    }

    /// The person playing `role` gave their name on their page, at `now`: journaled as the
    /// console's `player ROLE NAME` would be. The answer is the name kept, or why not.
    pub fn on_name(
        &mut self,
        now: Time,
        role: usize,
        name: &str,
    ) -> Result<(Vec<Effect>, Result<String, Refusal>), DrillError> {
        let mut effects = self.advance(now)?;
        let name = match super::players::check_name(name) {
            Ok(name) => name,
            Err(reason) => {
                let refusal = Refusal {
                    kind: RefusalKind::Invalid,
                    reason,
                };
                return Ok((effects, Err(refusal)));
            }
        };
        if let Some(item) = self.drill.set_player(role, &name)? {
            effects.push(Effect::Publish(item));
        }
        Ok((effects, Ok(name)))
    }

    /// A participant's page asked, at `now`, what `role` sees, with the page of its feed
    /// after `since` (the latest page when `None`).
    pub fn on_state(
        &mut self,
        now: Time,
        role: usize,
        since: Option<u64>,
    ) -> Result<(Vec<Effect>, PageState), DrillError> {
        let effects = self.advance(now)?;
        let drill = &self.drill;
        let id = &drill.scenario().roles[role].id;
        let (page, more) =
            super::facilitator::feed_page(drill.feed(), since, FEED_PAGE, |i| i.visible_to(id));
        let state = PageState {
            player: drill.players().remove(id),
            view: drill.role_view(role),
            t: drill.now(),
            clock: format_minutes(drill.now()),
            paused: self.clock.paused(),
            speed: self.clock.speed(),
            ended: false,
            feed: page,
            more,
        };
        Ok((effects, state))
    }

    /// The facilitator typed `line` at `now`.
    pub fn on_console_line(&mut self, now: Time, line: &str) -> Result<Vec<Effect>, DrillError> {
        let mut effects = self.advance(now)?;
        effects.extend(self.new_modules());
        match console::parse(line) {
            Ok(Some(command)) => {
                effects.extend(self.on_command(command)?);
                effects.extend(self.tell_recovery()?);
            }
            Ok(None) => {}
            Err(message) => effects.push(say(format!("? {message}"))),
        }
        Ok(effects)
    }

    /// The facilitator's page sent `line` at `now`: carried out exactly as if typed at the
    /// console (the same commands, journaled the same way, its lines printed there too).
    /// The page's answer is what the console said and published, or why it was refused.
    pub fn on_facilitate(
        &mut self,
        now: Time,
        line: &str,
    ) -> Result<(Vec<Effect>, FacilitateAnswer), DrillError> {
        let mut effects = self.advance(now)?;
        effects.extend(self.new_modules());
        let invalid = |reason: String| Refusal {
            kind: RefusalKind::Invalid,
            reason,
        };
        let command = match console::parse(line) {
            Ok(Some(command)) => command,
            Ok(None) => {
                let empty = "an empty command: send a console line, e.g. `skip`".to_string();
                return Ok((effects, Err(invalid(empty))));
            }
            Err(message) => return Ok((effects, Err(invalid(message)))),
        };
        let named = match &command {
            Command::Decide { role: Some(id), .. } | Command::Player { role: id, .. } => Some(id),
            _ => None,
        };
        if let Some(id) = named
            && !self.drill.scenario().roles.iter().any(|r| r.id == *id)
        {
            let unknown = format!("no role `{id}` in this scenario");
            return Ok((effects, Err(invalid(unknown))));
        }
        self.refused = None;
        let done = self.on_command(command)?;
        let recovery = self.tell_recovery()?;
        let answer = match self.refused.take() {
            Some(refusal) => Err(refusal),
            None => {
                let said: Vec<&str> = (done.iter())
                    .filter_map(|e| match e {
                        Effect::Say(line) => Some(line.as_str()),
                        _ => None,
                    })
                    .collect();
                // The console's own refusals (nothing to skip to, no module yet) start
                // with `? `: the command was understood but is not possible now.
                match said.iter().find_map(|l| l.strip_prefix("? ")) {
                    Some(reason) => Err(Refusal {
                        kind: RefusalKind::NotNow,
                        reason: reason.to_string(),
                    }),
                    None => Ok(Commanded {
                        said: said.iter().map(|l| l.to_string()).collect(),
                        feed: (done.iter())
                            .filter_map(|e| match e {
                                Effect::Publish(item) => Some(item.clone()),
                                _ => None,
                            })
                            .collect(),
                    }),
                }
            }
        };
        effects.extend(done);
        effects.extend(recovery);
        Ok((effects, answer))
    }

    /// The facilitator's page asked, at `now`, how the drill stands, with the page of the
    /// whole feed after `since` (the latest page when `None`).
    pub fn on_overview(
        &mut self,
        now: Time,
        since: Option<u64>,
    ) -> Result<(Vec<Effect>, Overview), DrillError> {
        let effects = self.advance(now)?;
        let phase = if self.hot_wash.is_some() {
            Phase::HotWash
        } else {
            Phase::Play
        };
        let overview = super::facilitator::overview(
            &self.drill,
            self.clock.speed(),
            self.clock.paused(),
            phase,
            since,
            FEED_PAGE,
        );
        Ok((effects, overview))
    }

    /// The console closed (end of input): a hot wash under way ends, the play goes on.
    pub fn on_console_closed(&mut self) -> Vec<Effect> {
        self.console_open = false;
        match self.hot_wash {
            Some(by_facilitator) => vec![Effect::Finish { by_facilitator }],
            None => Vec::new(),
        }
    }

    /// Carries out a console command.
    pub fn on_command(&mut self, command: Command) -> Result<Vec<Effect>, DrillError> {
        let scenario = self.drill.scenario();
        let publish = |item: FeedItem| Ok(vec![Effect::Publish(item)]);
        match command {
            Command::Help => Ok(vec![say(HELP)]),
            Command::Links => Ok(self.link_lines()),
            Command::Status => Ok(vec![say(format!(
                "{} {} at speed {}; {} entries in the journal; {}",
                format_minutes(self.drill.now()),
                if self.clock.paused() {
                    "paused"
                } else {
                    "running"
                },
                self.clock.speed(),
                self.drill.feed().len(),
                if self.drill.resolved() {
                    "every incident recovered"
                } else {
                    "incidents open or not begun"
                },
            ))]),
            Command::Pause => {
                self.clock.pause();
                publish(self.drill.control("pause")?)
            }
            Command::Resume => {
                self.clock.resume();
                publish(self.drill.control("resume")?)
            }
            Command::FastForward(on) => {
                self.fast_forward = on;
                let control = if on {
                    super::FAST_FORWARD_ON
                } else {
                    super::FAST_FORWARD_OFF
                };
                publish(self.drill.control(control)?)
            }
            Command::Player { role, name } => {
                let Some(r) = scenario.roles.iter().position(|x| x.id == role) else {
                    return Ok(vec![say(format!("? no role `{role}` in this scenario"))]);
                };
                match self.drill.set_player(r, &name)? {
                    Some(item) => publish(item),
                    None => Ok(vec![say(format!("{name} already plays {role}"))]),
                }
            }
            Command::Roles => Ok(self.role_lines()),
            Command::Injects => Ok(self.inject_lines()),
            Command::Skip if self.hot_wash.is_some() => {
                Ok(vec![say("? the play is over: nothing to skip to")])
            }
            Command::Skip => {
                let from = self.drill.now();
                let mut effects = vec![Effect::Publish(self.drill.control("skip")?)];
                effects.extend(self.drill.skip()?.into_iter().map(Effect::Publish));
                self.clock.jump_to(self.drill.now());
                effects.push(say(format!(
                    "skipped {} of scenario time, to {}",
                    crate::scenario::duration::format_minutes(self.drill.now() - from),
                    format_minutes(self.drill.now())
                )));
                effects.extend(self.new_modules());
                Ok(effects)
            }
            Command::Speed(speed) => {
                self.clock.set_speed(speed);
                let mut effects = vec![Effect::Publish(
                    self.drill.control(&format!("speed {speed}"))?,
                )];
                effects.extend(
                    super::clock::speed_warnings(scenario, speed)
                        .into_iter()
                        .map(say),
                );
                Ok(effects)
            }
            Command::End => match self.hot_wash {
                Some(by_facilitator) => Ok(vec![Effect::Finish { by_facilitator }]),
                None if !scenario.hot_wash.is_empty() => {
                    self.begin_hot_wash("play ended by the facilitator", true)
                }
                None => Ok(vec![Effect::Finish {
                    by_facilitator: true,
                }]),
            },
            Command::Questions => {
                let mut lines = match self.drill.current_module() {
                    Some(m) => {
                        let module = &scenario.modules[m];
                        questions(
                            format!("== {} (module `{}`)", module.title, module.id),
                            &module.questions,
                        )
                    }
                    None if scenario.modules.is_empty() => {
                        vec![say("this scenario has no modules")]
                    }
                    None => vec![say("no module has started yet")],
                };
                if !scenario.hot_wash.is_empty() {
                    lines.extend(self.hot_wash_prompts());
                }
                Ok(lines)
            }
            Command::Answer {
                module,
                question,
                text,
            } => {
                let module = match module {
                    Some(id) => id,
                    None => match self.drill.current_module() {
                        Some(m) => scenario.modules[m].id.clone(),
                        None => {
                            return Ok(vec![say(
                                "? no module has started yet: name it, `answer MODULE N TEXT`",
                            )]);
                        }
                    },
                };
                let decision = Decision::Answer {
                    module,
                    question,
                    text,
                };
                self.facilitator_decides(None, decision, None)
            }
            Command::Decide {
                role,
                decision,
                rationale,
            } => {
                let role = match role {
                    Some(id) => match scenario.roles.iter().position(|r| r.id == id) {
                        Some(i) => Some(i),
                        None => return Ok(vec![say(format!("? no role `{id}` in this scenario"))]),
                    },
                    None => None,
                };
                self.facilitator_decides(role, decision, rationale)
            }
        }
    }

    /// `roles`: each role, who plays it, what it has open, approvals waiting for it and its
    /// last activity in the feed.
    fn role_lines(&self) -> Vec<Effect> {
        let drill = &self.drill;
        let scenario = drill.scenario();
        let open = drill.open_steps();
        let mut lines = vec![say("roles:")];
        for (r, role) in scenario.roles.iter().enumerate() {
            let view = drill.role_view(r);
            let played = if drill.humans().contains(&r) {
                "person"
            } else {
                "simulated"
            };
            let mut items: Vec<String> = (view.incidents.iter())
                .filter(|i| !i.reached.contains(&"recovered"))
                .map(|i| {
                    let waiting = if i.awaiting_acknowledgement {
                        ", not acknowledged"
                    } else {
                        ""
                    };
                    format!("incident {} ({}{waiting})", i.id, i.severity)
                })
                .collect();
            items.extend(
                (open.iter())
                    .filter(|step| step.role == role.id)
                    .map(|step| format!("step {} ({})", step.action, step.state)),
            );
            let last = (drill.feed().iter().rev())
                .find(|i| i.roles.contains(&role.id))
                .map_or("none".to_string(), |i| {
                    format!("{} {}", format_minutes(i.t), i.text)
                });
            lines.push(say(format!(
                "  {} ({played}): open: {}; approvals: {}; last: {last}",
                role.id,
                list_or_none(&items),
                list_or_none(&view.approvals),
            )));
        }
        lines
    }

    /// `injects`: each scripted inject with its recipient, when it is due and whether it has
    /// been delivered.
    fn inject_lines(&self) -> Vec<Effect> {
        let scenario = self.drill.scenario();
        if scenario.injects.is_empty() {
            return vec![say("this scenario has no scripted injects")];
        }
        let mut lines = vec![say("injects (fire one now with `inject ID`):")];
        let delivered = self.drill.injects_delivered();
        for (i, inject) in scenario.injects.iter().enumerate() {
            let state = match delivered.get(i).copied().flatten() {
                Some(t) => format!("delivered {}", format_minutes(t)),
                None => "not delivered".to_string(),
            };
            lines.push(say(format!(
                "  {} to {} from {}: due {}; {state}",
                inject.id,
                scenario.roles[inject.message.to].id,
                inject.message.from,
                super::inject_due(scenario, i),
            )));
        }
        lines
    }

    /// A decision from the console: published, or its refusal said.
    fn facilitator_decides(
        &mut self,
        role: Option<usize>,
        decision: Decision,
        rationale: Option<String>,
    ) -> Result<Vec<Effect>, DrillError> {
        Ok(
            match self
                .drill
                .decide(role, "facilitator", decision, rationale)?
            {
                Ok(items) => items.into_iter().map(Effect::Publish).collect(),
                Err(refusal) => {
                    let line = say(format!("? refused: {refusal}"));
                    self.refused = Some(refusal);
                    vec![line]
                }
            },
        )
    }

    /// The questions of the modules that have just started.
    fn new_modules(&mut self) -> Vec<Effect> {
        let scenario = self.drill.scenario();
        let mut lines = Vec::new();
        for m in self.drill.modules_to_show() {
            let module = &scenario.modules[m];
            lines.extend(questions(
                format!(
                    "== {} (module `{}`): discuss, then record with `answer N TEXT`",
                    module.title, module.id
                ),
                &module.questions,
            ));
        }
        lines
    }

    /// Stops the clock for the hot wash, journals why and shows the prompts;
    /// `by_facilitator`: the facilitator ended the play (it is then scored where it stood).
    fn begin_hot_wash(
        &mut self,
        why: &str,
        by_facilitator: bool,
    ) -> Result<Vec<Effect>, DrillError> {
        self.clock.pause();
        self.hot_wash = Some(by_facilitator);
        let mut effects = vec![Effect::Publish(
            self.drill.control(&format!("{why}; hot wash"))?,
        )];
        effects.extend(self.hot_wash_prompts());
        Ok(effects)
    }

    /// The hot-wash prompts.
    fn hot_wash_prompts(&self) -> Vec<Effect> {
        questions(
            "== Hot wash: discuss, record with `hotwash N TEXT`, then `end` to finish and score",
            &self.drill.scenario().hot_wash,
        )
    }
}

/// `a, b, c`, or `none`.
fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn say(line: impl Into<String>) -> Effect {
    Effect::Say(line.into())
}

/// A heading and questions numbered from 1.
fn questions(heading: impl Into<String>, questions: &[String]) -> Vec<Effect> {
    let mut lines = vec![say(heading)];
    lines.extend((questions.iter().enumerate()).map(|(i, q)| say(format!("    {}. {q}", i + 1))));
    lines
}

fn print_item(out: &mut dyn Write, item: &FeedItem) {
    // A closed stdout (the facilitator's pipe went away) must not stop the drill.
    let _ = writeln!(out, "{}", item.line());
}

fn print_line(out: &mut dyn Write, line: &str) {
    let line = crate::render::text::visible(line);
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// Carries out `effects` on the console and the pages' feed; returns `Some(ended by the
/// facilitator)` when the play is to finish.
fn carry_out(
    effects: Vec<Effect>,
    feed: &broadcast::Sender<FeedItem>,
    out: &mut dyn Write,
) -> Option<bool> {
    let mut finish = None;
    for effect in effects {
        match effect {
            Effect::Publish(item) => {
                print_item(out, &item);
                let _ = feed.send(item);
            }
            Effect::Say(line) => print_line(out, &line),
            Effect::Finish { by_facilitator } => finish = Some(by_facilitator),
        }
    }
    let _ = out.flush();
    finish
}

/// Binds the participant pages' address: done before the drill's journal is created, so an
/// address in use leaves nothing behind and the same command can be retried.
pub fn bind(address: SocketAddr) -> Result<std::net::TcpListener, LiveError> {
    let bind_error = |source| LiveError::Bind { address, source };
    let listener = std::net::TcpListener::bind(address).map_err(bind_error)?;
    listener.set_nonblocking(true).map_err(bind_error)?;
    Ok(listener)
}

/// Runs the drill until it ends; returns the scored drill.
pub async fn run(drill: Drill<'_>, options: LiveOptions) -> Result<Ended, LiveError> {
    let address = options
        .listener
        .local_addr()
        .map_err(|source| LiveError::Bind {
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            source,
        })?;
    let listener = tokio::net::TcpListener::from_std(options.listener)
        .map_err(|source| LiveError::Bind { address, source })?;
    let scenario = drill.scenario();
    let (feed, _) = broadcast::channel::<FeedItem>(1024);
    let (requests, mut incoming) = mpsc::channel::<Request>(64);
    let role_ids: Vec<String> = scenario.roles.iter().map(|r| r.id.clone()).collect();
    let tokens: HashMap<String, usize> = options
        .tokens
        .iter()
        .filter_map(|(role, token)| {
            role_ids
                .iter()
                .position(|r| r == role)
                .map(|i| (token.clone(), i))
        })
        .collect();
    let app = App {
        requests,
        tokens: Arc::new(tokens),
        facilitator: Arc::new(options.facilitator_token.clone()),
        roles: Arc::new(role_ids),
        feed: feed.clone(),
    };
    let server = tokio::spawn(async move {
        super::http::serve(listener, server::router(app)).await;
    });
    let links: Vec<String> = options
        .tokens
        .iter()
        .map(|(role, token)| format!("  {role}: http://{address}/join/{token}"))
        .collect();
    // A resumed drill continues at the speed it had, paused if it was.
    let (speed, paused) = drill.clock_state();
    let mut clock = Clock::new(drill.now(), speed);
    if paused {
        clock.pause();
    }
    let mut console_out = options.out;
    let mut out: &mut dyn Write = &mut *console_out;
    let facilitator_link = format!("http://{address}/facilitate/{}", options.facilitator_token);
    let mut live =
        Live::new(drill, clock, links, options.console).with_facilitator_link(facilitator_link);
    print_line(
        out,
        &format!(
            "drill of {} ({}) on http://{address}; horizon {}; speed {} scenario minutes per wall minute",
            scenario.meta.name,
            scenario.meta.title,
            format_minutes(live.drill().horizon()),
            live.drill().initial_speed()
        ),
    );
    carry_out(live.link_lines(), &feed, out);
    for warning in super::clock::speed_warnings(scenario, live.clock().speed()) {
        print_line(out, &warning);
    }
    print_line(out, "type `help` for the console commands");
    for item in live.drill().feed() {
        print_item(out, item);
    }

    // On a terminal the console edits lines and prints above them (see `terminal`), from
    // here on; otherwise lines are read as they come and printed to `options.out`.
    let prompt = super::terminal::Prompt::default();
    prompt.set(super::terminal::prompt(live.clock()));
    let terminal = if options.console {
        super::terminal::open(prompt.clone())
    } else {
        None
    };
    let (lines_tx, mut lines) = mpsc::channel::<String>(16);
    let mut printer;
    if let Some(terminal) = terminal {
        lines = terminal.lines;
        printer = terminal.out;
        out = &mut *printer;
    } else if options.console {
        tokio::spawn(async move {
            let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
            while let Ok(Some(line)) = stdin.next_line().await {
                if lines_tx.send(line).await.is_err() {
                    break;
                }
            }
        });
    }

    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let ended_by_facilitator = loop {
        if let Some(by_facilitator) = carry_out(live.on_wake()?, &feed, out) {
            break by_facilitator;
        }
        let finish = tokio::select! {
            _ = ticker.tick() => carry_out(live.on_tick(live.clock_now())?, &feed, out),
            Some(request) = incoming.recv() => match request {
                // The page hears back once the console and the other pages have.
                Request::Decide { role, decision, rationale, reply } => {
                    let (effects, answer) =
                        live.on_decide(live.clock_now(), role, decision, rationale)?;
                    let finish = carry_out(effects, &feed, out);
                    let _ = reply.send(answer);
                    finish
                }
                Request::State { role, since, reply } => {
                    let (effects, state) = live.on_state(live.clock_now(), role, since)?;
                    let finish = carry_out(effects, &feed, out);
                    let _ = reply.send(state);
                    finish
                }
                Request::Facilitate { line, reply } => {
                    let (effects, answer) = live.on_facilitate(live.clock_now(), &line)?;
                    let finish = carry_out(effects, &feed, out);
                    let _ = reply.send(answer);
                    finish
                }
                Request::Name { role, name, reply } => {
                    let (effects, answer) = live.on_name(live.clock_now(), role, &name)?;
                    let finish = carry_out(effects, &feed, out);
                    let _ = reply.send(answer);
                    finish
                }
                Request::Overview { since, reply } => {
                    let (effects, overview) = live.on_overview(live.clock_now(), since)?;
                    let finish = carry_out(effects, &feed, out);
                    let _ = reply.send(overview);
                    finish
                }
            },
            line = lines.recv(), if live.console_open() => {
                let effects = match line {
                    Some(line) => live.on_console_line(live.clock_now(), &line)?,
                    None => live.on_console_closed(),
                };
                let finish = carry_out(effects, &feed, out);
                prompt.set(super::terminal::prompt(live.clock()));
                prompt.line_handled();
                finish
            }
        };
        if let Some(by_facilitator) = finish {
            break by_facilitator;
        }
        prompt.set(super::terminal::prompt(live.clock()));
    };
    let ended = live.into_drill().end(ended_by_facilitator)?;
    carry_out(
        ended.items.iter().cloned().map(Effect::Publish).collect(),
        &feed,
        out,
    );
    // Let the pages receive the end before the server goes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.abort();
    Ok(ended)
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
