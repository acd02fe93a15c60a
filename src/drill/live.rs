//! The live drill loop: one tokio task owns the [`Drill`] and is the only one to change it.
//! It moves the run along the wall clock, takes participants' requests and the facilitator's
//! console lines as they come, and sends what happened to the console and the pages.
//!
//! The console, the web server and the clock never wait on one another: the loop wakes every
//! [`TICK`] to move the clock and otherwise answers whatever arrives first.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncBufReadExt;
use tokio::sync::{broadcast, mpsc};

use super::clock::{Clock, format_minutes};
use super::console::{self, Command, HELP};
use super::server::{self, App, PageState, Request};
use super::{Drill, DrillError, Ended, FeedItem};
use crate::model::Decision;

/// How often the loop moves the clock.
pub const TICK: Duration = Duration::from_millis(50);

/// How the live drill is served.
pub struct LiveOptions {
    /// Address of the participant pages.
    pub listen: SocketAddr,
    /// Join token of each human role, by role id.
    pub tokens: BTreeMap<String, String>,
    /// Whether to read console commands from standard input.
    pub console: bool,
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

fn print_item(item: &FeedItem) {
    let who = if item.roles.is_empty() {
        String::new()
    } else {
        format!("[{}] ", item.roles.join(", "))
    };
    // A closed stdout (the facilitator's pipe went away) must not stop the drill.
    let _ = writeln!(
        std::io::stdout(),
        "{}  {who}{}",
        format_minutes(item.t),
        item.text
    );
}

fn say(line: &str) {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// Prints a list of discussion questions, numbered from 1.
fn say_questions(heading: &str, questions: &[String]) {
    say(heading);
    for (i, q) in questions.iter().enumerate() {
        say(&format!("    {}. {q}", i + 1));
    }
}

/// Prints the questions of the modules that have just started.
fn show_new_modules(drill: &mut Drill<'_>) {
    let scenario = drill.scenario();
    for m in drill.modules_to_show() {
        let module = &scenario.modules[m];
        say_questions(
            &format!(
                "== {} (module `{}`): discuss, then record with `answer N TEXT`",
                module.title, module.id
            ),
            &module.questions,
        );
    }
}

/// Stops the clock for the hot wash, journals why, shows the prompts; returns whether the
/// facilitator ended the play (it is then scored where it stood).
fn begin_hot_wash(
    drill: &mut Drill<'_>,
    clock: &mut Clock,
    why: &str,
    ended_by_facilitator: bool,
) -> Result<bool, DrillError> {
    clock.pause();
    print_item(&drill.control(&format!("{why}; hot wash"))?);
    show_hot_wash(drill);
    Ok(ended_by_facilitator)
}

/// Prints the hot-wash prompts.
fn show_hot_wash(drill: &Drill<'_>) {
    say_questions(
        "== Hot wash: discuss, record with `hotwash N TEXT`, then `end` to finish and score",
        &drill.scenario().hot_wash,
    );
}

/// Runs the drill until it ends; returns the scored drill.
pub async fn run(mut drill: Drill<'_>, options: LiveOptions) -> Result<Ended, LiveError> {
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| LiveError::Bind {
            address: options.listen,
            source,
        })?;
    let address = listener.local_addr().map_err(|source| LiveError::Bind {
        address: options.listen,
        source,
    })?;
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
        roles: Arc::new(role_ids),
        feed: feed.clone(),
    };
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, server::router(app)).await;
    });
    let links: Vec<String> = options
        .tokens
        .iter()
        .map(|(role, token)| format!("  {role}: http://{address}/join/{token}"))
        .collect();
    let print_links = || {
        if links.is_empty() {
            say("no human roles: every role is played by its simulated model");
        } else {
            say("join links (send each person only their own):");
            for link in &links {
                say(link);
            }
        }
    };
    say(&format!(
        "drill of {} ({}) on http://{address}; horizon {}; speed {} scenario minutes per wall minute",
        scenario.meta.name,
        scenario.meta.title,
        format_minutes(drill.horizon()),
        drill.initial_speed()
    ));
    print_links();
    say("type `help` for the console commands");
    for item in drill.feed() {
        print_item(item);
    }

    let (lines_tx, mut lines) = mpsc::channel::<String>(16);
    if options.console {
        tokio::spawn(async move {
            let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
            while let Ok(Some(line)) = stdin.next_line().await {
                if lines_tx.send(line).await.is_err() {
                    break;
                }
            }
        });
    }

    let publish = |items: Vec<FeedItem>| {
        for item in items {
            print_item(&item);
            let _ = feed.send(item);
        }
        let _ = std::io::stdout().flush();
    };
    let mut clock = Clock::new(drill.now(), drill.initial_speed());
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // The hot wash comes after the play (the clock stopped) and before scoring, when the
    // scenario has prompts and someone is at the console to record the answers.
    let mut console_open = options.console;
    let mut hot_wash: Option<bool> = None; // Some(ended by the facilitator) once it began
    let ended_by_facilitator = loop {
        if drill.over() && hot_wash.is_none() {
            if console_open && !scenario.hot_wash.is_empty() {
                hot_wash = Some(begin_hot_wash(&mut drill, &mut clock, "play over", false)?);
            } else {
                break false;
            }
        }
        tokio::select! {
            _ = ticker.tick() => {
                if hot_wash.is_none() {
                    publish(drill.advance_to(clock.now().min(drill.horizon()))?);
                    show_new_modules(&mut drill);
                }
            }
            Some(request) = incoming.recv() => {
                publish(drill.advance_to(clock.now().min(drill.horizon()))?);
                match request {
                    Request::Decide { role, decision, rationale, reply } => {
                        let answer = drill.decide(Some(role), "participant", decision, rationale)?;
                        if let Ok(items) = &answer {
                            publish(items.clone());
                        }
                        let _ = reply.send(answer);
                    }
                    Request::State { role, reply } => {
                        let id = &drill.scenario().roles[role].id;
                        let _ = reply.send(PageState {
                            view: drill.role_view(role),
                            t: drill.now(),
                            clock: format_minutes(drill.now()),
                            paused: clock.paused(),
                            ended: false,
                            feed: drill.feed().iter().filter(|i| i.visible_to(id)).cloned().collect(),
                        });
                    }
                }
            }
            line = lines.recv(), if console_open => {
                let Some(line) = line else {
                    console_open = false;
                    match hot_wash {
                        Some(by_facilitator) => break by_facilitator,
                        None => continue,
                    }
                };
                publish(drill.advance_to(clock.now().min(drill.horizon()))?);
                show_new_modules(&mut drill);
                let command = match console::parse(&line) {
                    Ok(Some(command)) => command,
                    Ok(None) => continue,
                    Err(message) => {
                        say(&format!("? {message}"));
                        continue;
                    }
                };
                match command {
                    Command::Help => say(HELP),
                    Command::Links => print_links(),
                    Command::Status => say(&format!(
                        "{} {} at speed {}; {} entries in the journal; {}",
                        format_minutes(drill.now()),
                        if clock.paused() { "paused" } else { "running" },
                        clock.speed(),
                        drill.feed().len(),
                        if drill.resolved() { "every incident recovered" } else { "incidents open or not begun" },
                    )),
                    Command::Pause => {
                        clock.pause();
                        publish(vec![drill.control("pause")?]);
                    }
                    Command::Resume => {
                        clock.resume();
                        publish(vec![drill.control("resume")?]);
                    }
                    Command::Speed(speed) => {
                        clock.set_speed(speed);
                        publish(vec![drill.control(&format!("speed {speed}"))?]);
                    }
                    Command::End => match hot_wash {
                        Some(by_facilitator) => break by_facilitator,
                        None if !scenario.hot_wash.is_empty() => {
                            hot_wash = Some(begin_hot_wash(&mut drill, &mut clock, "play ended by the facilitator", true)?);
                        }
                        None => break true,
                    },
                    Command::Questions => {
                        match drill.current_module() {
                            Some(m) => {
                                let module = &scenario.modules[m];
                                say_questions(&format!("== {} (module `{}`)", module.title, module.id), &module.questions);
                            }
                            None if scenario.modules.is_empty() => say("this scenario has no modules"),
                            None => say("no module has started yet"),
                        }
                        if !scenario.hot_wash.is_empty() {
                            show_hot_wash(&drill);
                        }
                    }
                    Command::Answer { module, question, text } => {
                        let module = match module {
                            Some(id) => id,
                            None => match drill.current_module() {
                                Some(m) => scenario.modules[m].id.clone(),
                                None => {
                                    say("? no module has started yet: name it, `answer MODULE N TEXT`");
                                    continue;
                                }
                            },
                        };
                        let decision = Decision::Answer { module, question, text };
                        match drill.decide(None, "facilitator", decision, None)? {
                            Ok(items) => publish(items),
                            Err(refusal) => say(&format!("? refused: {refusal}")),
                        }
                    }
                    Command::Decide { role, decision, rationale } => {
                        let role = match role {
                            Some(id) => match drill.scenario().roles.iter().position(|r| r.id == id) {
                                Some(i) => Some(i),
                                None => {
                                    say(&format!("? no role `{id}` in this scenario"));
                                    continue;
                                }
                            },
                            None => None,
                        };
                        match drill.decide(role, "facilitator", decision, rationale)? {
                            Ok(items) => publish(items),
                            Err(refusal) => say(&format!("? refused: {refusal}")),
                        }
                    }
                }
            }
        }
    };
    let ended = drill.end(ended_by_facilitator)?;
    publish(ended.items.clone());
    // Let the pages receive the end before the server goes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.abort();
    Ok(ended)
}
