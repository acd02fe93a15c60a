//! Tests of the live loop's handlers, without tokio.

use std::collections::BTreeMap;

use super::*;
use crate::drill::tests::DEFAULT_PAGE;
use crate::drill::{FeedKind, StartOptions};
use crate::model::{RefusalKind, StreamKeys};
use crate::scenario::{self, Loaded};

/// The facilitated scenario: modules, hot-wash prompts and a communications lead.
fn facilitated() -> Loaded {
    scenario::from_str(
        "scenarios/shopify-netsuite-facilitated.toml",
        include_str!("../../scenarios/shopify-netsuite-facilitated.toml"),
    )
    .expect("the shipped scenario compiles")
}

/// Runs `test` on a fresh live drill of `loaded`, seed 145 (onset at 34.6 min, the page at
/// 36.7), `humans` played by people, a console open or not; the clock runs at speed 1
/// (tests pass `now` themselves).
fn with_live(loaded: &Loaded, humans: &[&str], console: bool, test: impl FnOnce(&mut Live<'_>)) {
    let scenario = &loaded.scenario;
    let keys = StreamKeys::new(scenario, 145);
    let dir = tempfile::tempdir().unwrap();
    let humans: Vec<String> = humans.iter().map(|h| h.to_string()).collect();
    let drill = Drill::start(
        scenario,
        &keys,
        StartOptions {
            seed: 145,
            speed: 1.0,
            humans: crate::drill::human_roles(scenario, &humans).unwrap(),
            tokens: BTreeMap::new(),
            facilitator_token: None,
            journal: &dir.path().join("drill.jsonl"),
            label: None,
            micro: None,
        },
    )
    .unwrap();
    let links = vec!["  on-call: http://127.0.0.1:1/join/token".to_string()];
    let mut live = Live::new(drill, Clock::new(0.0, 1.0), links, console);
    test(&mut live);
}

fn role(live: &Live<'_>, id: &str) -> usize {
    crate::drill::human_roles(live.drill().scenario(), &[id.to_string()]).unwrap()[0]
}

fn published(effects: &[Effect]) -> Vec<&str> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Publish(item) => Some(item.text.as_str()),
            _ => None,
        })
        .collect()
}

fn said(effects: &[Effect]) -> Vec<&str> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Say(line) => Some(line.as_str()),
            _ => None,
        })
        .collect()
}

fn finish(effects: &[Effect]) -> Option<bool> {
    effects.iter().find_map(|e| match e {
        Effect::Finish { by_facilitator } => Some(*by_facilitator),
        _ => None,
    })
}

/// Seed 3 of the default scenario: the fault begins at 37 minutes, on-call is paged at
/// about 39.
const PAGED: Time = 40.0;

#[test]
fn a_tick_publishes_what_the_run_delivered_up_to_now_and_journals_it() {
    with_live(&scenario::default_scenario(), &["on-call"], true, |live| {
        assert!(
            live.on_tick(10.0).unwrap().is_empty(),
            "nothing before the fault"
        );
        let effects = live.on_tick(PAGED).unwrap();
        let texts = published(&effects);
        assert!(texts.contains(&DEFAULT_PAGE), "{texts:?}");
        assert_eq!(live.drill().now(), PAGED);
        assert_eq!(
            live.drill().feed().len(),
            1 + texts.len(),
            "journaled first"
        );
        assert!(live.on_wake().unwrap().is_empty(), "the play goes on");
    });
}

#[test]
fn a_participant_decision_is_published_and_answered_and_a_refusal_only_answered() {
    with_live(&scenario::default_scenario(), &["on-call"], true, |live| {
        let on_call = role(live, "on-call");
        let acknowledge = Decision::Acknowledge { incident: None };
        let (effects, answer) = live
            .on_decide(10.0, on_call, acknowledge.clone(), None)
            .unwrap();
        assert!(effects.is_empty());
        assert_eq!(
            answer.unwrap_err().kind,
            RefusalKind::NotNow,
            "nothing paged"
        );

        let (effects, answer) = live
            .on_decide(PAGED, on_call, acknowledge, Some("saw it".into()))
            .unwrap();
        let items = answer.unwrap();
        assert_eq!(items[0].kind, FeedKind::Decision);
        assert_eq!(
            items[0].text,
            "on-call acknowledged main (rationale: saw it)"
        );
        let texts = published(&effects);
        assert!(texts.contains(&DEFAULT_PAGE), "moved on first");
        assert!(texts.ends_with(&items.iter().map(|i| i.text.as_str()).collect::<Vec<_>>()));
    });
}

#[test]
fn a_page_sees_only_its_roles_feed_and_whether_the_clock_is_paused() {
    with_live(&scenario::default_scenario(), &["on-call"], true, |live| {
        live.on_console_line(0.0, "pause").unwrap();
        let on_call = role(live, "on-call");
        let (_, state) = live.on_state(PAGED, on_call, None).unwrap();
        assert!(state.paused && !state.ended);
        assert_eq!(state.t, PAGED);
        assert_eq!(state.clock, "T+0:40:00");
        let texts: Vec<&str> = state.feed.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts, [DEFAULT_PAGE]);
    });
}

#[test]
fn a_pages_feed_comes_in_bounded_pages_after_since() {
    with_live(&scenario::default_scenario(), &["on-call"], true, |live| {
        let on_call = role(live, "on-call");
        live.on_tick(PAGED).unwrap();
        for i in 0..(FEED_PAGE + 50) {
            let note = Decision::Note {
                text: format!("note {i}"),
            };
            live.on_decide(PAGED, on_call, note, None)
                .unwrap()
                .1
                .unwrap();
        }
        let (_, latest) = live.on_state(PAGED, on_call, None).unwrap();
        assert_eq!(latest.feed.len(), FEED_PAGE);
        assert!(!latest.more);
        assert_eq!(
            latest.feed.last().unwrap().text,
            format!("note by on-call: note {}", FEED_PAGE + 49)
        );
        // Paging from the start reaches every visible item once, in order.
        let (mut since, mut pages, mut seen) = (0, 0, Vec::new());
        loop {
            let (_, page) = live.on_state(PAGED, on_call, Some(since)).unwrap();
            assert!(page.feed.len() <= FEED_PAGE);
            assert!(!page.more || page.feed.len() == FEED_PAGE);
            seen.extend(page.feed.iter().map(|i| i.seq));
            pages += 1;
            if !page.more {
                break;
            }
            since = page.feed.last().unwrap().seq;
        }
        let visible: Vec<u64> = (live.drill().feed().iter())
            .filter(|i| i.seq > 0 && i.visible_to("on-call"))
            .map(|i| i.seq)
            .collect();
        assert_eq!(seen, visible);
        assert!(pages >= 2, "{pages}");
    });
}

#[test]
fn skip_jumps_to_the_next_moment_a_player_sees_something() {
    with_live(&scenario::default_scenario(), &["on-call"], true, |live| {
        let effects = live.on_console_line(0.5, "skip").unwrap();
        let texts = published(&effects);
        assert_eq!(texts[0], "skip");
        assert_eq!(texts.last(), Some(&DEFAULT_PAGE), "{texts:?}");
        let paged = live.drill().feed().last().unwrap().t;
        assert!((live.drill().now() - (paged + crate::drill::SKIP_PAST)).abs() < 1e-9);
        assert!(live.clock().now() >= live.drill().now());
        assert!(
            said(&effects).last().unwrap().starts_with("skipped "),
            "{effects:?}"
        );
    });
}

#[test]
fn console_commands_work_the_clock_and_act_for_roles() {
    with_live(&scenario::default_scenario(), &["on-call"], true, |live| {
        let effects = live.on_console_line(1.0, "pause").unwrap();
        assert_eq!(published(&effects), ["pause"]);
        assert!(live.clock().paused());
        let effects = live.on_console_line(1.0, "speed 20").unwrap();
        assert_eq!(published(&effects), ["speed 20"]);
        assert_eq!(live.clock().speed(), 20.0);
        let effects = live.on_console_line(1.0, "status").unwrap();
        assert_eq!(
            said(&effects),
            ["T+0:01:00 paused at speed 20; 3 entries in the journal; incidents open or not begun"]
        );
        assert_eq!(live.on_console_line(1.0, "  ").unwrap(), []);
        assert_eq!(
            said(&live.on_console_line(1.0, "as nobody ack").unwrap()),
            ["? no role `nobody` in this scenario"]
        );
        let refused = live.on_console_line(1.0, "as on-call ack").unwrap();
        assert!(said(&refused)[0].starts_with("? refused: "), "{refused:?}");
        assert!(said(&live.on_console_line(1.0, "fly").unwrap())[0].starts_with("? "));
        let links = live.on_console_line(1.0, "links").unwrap();
        assert_eq!(said(&links)[1], "  on-call: http://127.0.0.1:1/join/token");
        let acted = live
            .on_console_line(PAGED, "as on-call ack -- on the phone")
            .unwrap();
        assert!(published(&acted).contains(
            &"on-call acknowledged main (entered by the facilitator) (rationale: on the phone)"
        ));
        assert_eq!(
            said(&live.on_console_line(PAGED, "answer 1 nothing yet").unwrap()),
            ["? no module has started yet: name it, `answer MODULE N TEXT`"]
        );
    });
}

/// Runs `decision` for `role` at `t` until the run takes it (a failed fix is retried by
/// hand), ticking 5 minutes between tries; returns the time reached.
fn until_taken(live: &mut Live<'_>, mut t: Time, role: usize, decision: &Decision) -> Time {
    while live.drill().now() < live.drill().horizon() {
        let (_, answer) = live.on_decide(t, role, decision.clone(), None).unwrap();
        if answer.is_ok() {
            return t;
        }
        t += 5.0;
        live.on_tick(t).unwrap();
    }
    panic!("{decision:?} never taken");
}

#[test]
fn recovery_does_not_end_the_play_the_facilitator_is_told_and_the_team_restores_the_data() {
    with_live(&scenario::default_scenario(), &["on-call"], true, |live| {
        let on_call = role(live, "on-call");
        live.on_tick(PAGED).unwrap();
        let mut t = PAGED;
        for decision in [
            Decision::Acknowledge { incident: None },
            Decision::Diagnose {
                cause: "renamed-form-field".to_string(),
            },
        ] {
            t = until_taken(live, t, on_call, &decision);
        }
        let fix = Decision::Run {
            action: "fix-field-mapping".to_string(),
        };
        let mut told = Vec::new();
        while !live.drill().resolved() {
            t = until_taken(live, t, on_call, &fix);
            while live.drill().role_view(on_call).busy {
                t += 1.0;
                told.extend(
                    published(&live.on_tick(t).unwrap())
                        .into_iter()
                        .map(str::to_string),
                );
            }
        }
        assert!(
            told.contains(&"recovered: every incident recovered; restore and verify (replay-failed-tasks (on-call) still open), or `end`".to_string()),
            "{told:?}"
        );
        assert!(
            live.on_wake().unwrap().is_empty(),
            "recovery does not end the play"
        );
        assert!(
            !live
                .on_tick(t + 1.0)
                .unwrap()
                .iter()
                .any(|e| published(std::slice::from_ref(e))
                    .iter()
                    .any(|p| p.starts_with("recovered"))),
            "told once"
        );
        t = until_taken(
            live,
            t + 1.0,
            on_call,
            &Decision::Run {
                action: "replay-failed-tasks".to_string(),
            },
        );
        live.on_tick(t + 30.0).unwrap();
        assert_eq!(
            finish(&live.on_console_line(t + 30.0, "end").unwrap()),
            Some(true)
        );
    });
}

#[test]
fn a_drill_without_people_or_console_finishes_once_recovered_and_plays_out_the_rest() {
    with_live(&scenario::default_scenario(), &[], false, |live| {
        let mut t = 0.0;
        while !live.drill().resolved() {
            t += 10.0;
            live.on_tick(t).unwrap();
            assert!(t < live.drill().horizon());
        }
        assert_eq!(finish(&live.on_wake().unwrap()), Some(false));
    });
}

#[test]
fn without_hot_wash_prompts_end_finishes_at_once_and_so_does_a_play_that_is_over() {
    with_live(&scenario::default_scenario(), &[], true, |live| {
        let effects = live.on_console_line(5.0, "end").unwrap();
        assert_eq!(finish(&effects), Some(true));
    });
    with_live(&scenario::default_scenario(), &[], true, |live| {
        live.on_tick(live.drill().horizon()).unwrap();
        assert_eq!(finish(&live.on_wake().unwrap()), Some(false));
    });
}

#[test]
fn the_hot_wash_stops_the_clock_shows_its_prompts_and_a_second_end_finishes() {
    let loaded = facilitated();
    with_live(&loaded, &["comms-lead"], true, |live| {
        let effects = live.on_console_line(5.0, "end").unwrap();
        assert_eq!(finish(&effects), None);
        assert_eq!(
            published(&effects),
            ["play ended by the facilitator; hot wash"]
        );
        let lines = said(&effects);
        assert!(lines[0].starts_with("== Hot wash: discuss"));
        assert_eq!(lines.len(), 1 + loaded.scenario.hot_wash.len());
        assert!(live.clock().paused());
        assert!(
            live.on_tick(500.0).unwrap().is_empty(),
            "the run stands still"
        );
        let answered = live
            .on_console_line(5.0, "hotwash 1 the lag alert")
            .unwrap();
        assert_eq!(
            published(&answered),
            [
                "answer to Hot wash question 1 recorded",
                "discussion, Hot wash, question 1 (What told us first that orders were late, and what should have?): the lag alert"
            ]
        );
        assert_eq!(
            finish(&live.on_console_line(5.0, "end").unwrap()),
            Some(true)
        );
    });
}

#[test]
fn a_play_that_is_over_goes_to_the_hot_wash_only_with_someone_at_the_console() {
    let loaded = facilitated();
    with_live(&loaded, &[], true, |live| {
        live.on_tick(live.drill().horizon()).unwrap();
        let effects = live.on_wake().unwrap();
        assert_eq!(published(&effects), ["play over; hot wash"]);
        assert!(live.on_wake().unwrap().is_empty(), "begins once");
        assert_eq!(
            finish(&live.on_console_closed()),
            Some(false),
            "console gone: scored"
        );
    });
    with_live(&loaded, &[], true, |live| {
        assert!(live.on_console_closed().is_empty(), "the play goes on");
        live.on_tick(live.drill().horizon()).unwrap();
        assert_eq!(finish(&live.on_wake().unwrap()), Some(false));
    });
}

#[test]
fn modules_show_their_questions_once_when_they_start() {
    let loaded = facilitated();
    with_live(&loaded, &["comms-lead"], true, |live| {
        let first = &loaded.scenario.modules[0];
        let mut shown = Vec::new();
        let mut t = 0.0;
        while shown.is_empty() && t < live.drill().horizon() {
            t += 5.0;
            shown = said(&live.on_tick(t).unwrap())
                .into_iter()
                .map(str::to_string)
                .collect();
        }
        assert_eq!(
            shown[0],
            format!(
                "== {} (module `{}`): discuss, then record with `answer N TEXT`",
                first.title, first.id
            )
        );
        assert_eq!(shown[1], format!("    1. {}", first.questions[0]));
        assert!(
            said(&live.on_tick(t + 1.0).unwrap()).is_empty(),
            "shown once"
        );
        let questions = live.on_console_line(t + 1.0, "questions").unwrap();
        assert!(said(&questions)[0].starts_with(&format!("== {}", first.title)));
    });
}

/// The journal's lines without their wall-clock times.
fn journaled(live: &Live<'_>) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(live.drill().journal.path()).unwrap();
    (text.lines())
        .map(|l| {
            let mut entry: serde_json::Value = serde_json::from_str(l).unwrap();
            entry.as_object_mut().unwrap().remove("wall");
            entry
        })
        .collect()
}

/// One command vocabulary: what the facilitator's page sends is the console's line, carried
/// out and journaled the same way; the page hears what the console said.
#[test]
fn a_command_from_the_facilitators_page_is_journaled_exactly_as_the_console_line() {
    let lines = [
        "note the room is quiet -- nobody reads the inbox",
        "speed 20",
        "skip",
        "as on-call ack",
        "inject marketing-confesses",
    ];
    let mut by_console = Vec::new();
    with_live(&scenario::default_scenario(), &["on-call"], true, |live| {
        for line in lines {
            live.on_console_line(PAGED, line).unwrap();
        }
        by_console = journaled(live);
    });
    with_live(&scenario::default_scenario(), &["on-call"], false, |live| {
        for line in lines {
            let (_, answer) = live.on_facilitate(PAGED, line).unwrap();
            let done = answer.unwrap_or_else(|r| panic!("`{line}` refused: {r}"));
            if line == "skip" {
                assert!(done.said[0].starts_with("skipped "), "{:?}", done.said);
            } else {
                assert!(!done.feed.is_empty(), "`{line}` published what it did");
            }
        }
        assert_eq!(journaled(live), by_console);
    });
}

/// The room used to watch up to an hour of wall time before the first page: with idle
/// fast-forward on, a tick jumps to the first thing a person sees, journaled, and a resumed
/// drill keeps fast-forwarding.
#[test]
fn idle_fast_forward_jumps_to_the_first_page_and_is_journaled() {
    with_live(&scenario::default_scenario(), &["on-call"], true, |live| {
        assert!(live.on_tick(0.5).unwrap().is_empty(), "off by default");
        let on = live.on_console_line(0.5, "fast-forward on").unwrap();
        assert_eq!(published(&on), ["fast-forward on"]);
        assert!(live.drill().fast_forward_state());
        let effects = live.on_tick(0.6).unwrap();
        let texts = published(&effects);
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("page: on-call for main")),
            "jumped to the page: {texts:?}"
        );
        let jump = texts.last().unwrap();
        assert!(
            jump.starts_with("fast-forward: skipped ") && jump.contains("of idle time"),
            "{jump}"
        );
        assert!(live.idle_skipped() > 30.0, "{}", live.idle_skipped());
        assert!(live.clock().now() >= live.drill().now());
        // On-call has an incident in hand: no more jumps.
        let at = live.drill().now();
        assert!(published(&live.on_tick(at + 0.5).unwrap()).is_empty());
        assert!(live.drill().people_engaged());
        let off = live.on_console_line(at + 0.5, "ff off").unwrap();
        assert_eq!(published(&off), ["fast-forward off"]);
        assert!(!live.drill().fast_forward_state());
    });
}

#[test]
fn the_facilitators_page_hears_why_a_command_was_refused() {
    with_live(&scenario::default_scenario(), &["on-call"], false, |live| {
        let kind = |live: &mut Live<'_>, line: &str| {
            let (_, answer) = live.on_facilitate(1.0, line).unwrap();
            answer.map(|_| ()).map_err(|r| r.kind)
        };
        assert_eq!(kind(live, "dance"), Err(RefusalKind::Invalid));
        assert_eq!(kind(live, ""), Err(RefusalKind::Invalid));
        assert_eq!(kind(live, "as nobody ack"), Err(RefusalKind::Invalid));
        assert_eq!(kind(live, "inject nope"), Err(RefusalKind::Invalid));
        assert_eq!(
            kind(live, "as on-call run fix-field-mapping"),
            Err(RefusalKind::NotNow)
        );
        assert_eq!(kind(live, "answer 1 too early"), Err(RefusalKind::NotNow));
        assert_eq!(kind(live, "pause"), Ok(()));
        let (effects, answer) = live.on_facilitate(1.0, "end").unwrap();
        assert!(answer.is_ok());
        assert_eq!(
            finish(&effects),
            Some(true),
            "`end` on the page ends a drill"
        );
    });
}

#[test]
fn roles_and_injects_are_listed_with_their_state() {
    with_live(&scenario::default_scenario(), &["on-call"], true, |live| {
        live.on_tick(PAGED).unwrap();
        let roles = live.on_console_line(PAGED, "roles").unwrap();
        let lines = said(&roles);
        assert_eq!(lines[0], "roles:");
        let on_call = lines.iter().find(|l| l.starts_with("  on-call ")).unwrap();
        assert!(
            on_call.starts_with("  on-call (person): open: incident main (SEV3, not acknowledged)"),
            "{on_call}"
        );
        assert!(on_call.contains("; last: T+"), "{on_call}");
        assert!(lines.iter().any(|l| l.contains("(simulated)")), "{lines:?}");
        let injects = live.on_console_line(PAGED, "injects").unwrap();
        let lines = said(&injects);
        assert_eq!(lines[0], "injects (fire one now with `inject ID`):");
        assert_eq!(lines.len(), 1 + live.drill().scenario().injects.len());
        assert!(lines[1..].iter().all(|l| l.contains(": due ")), "{lines:?}");
    });
}
