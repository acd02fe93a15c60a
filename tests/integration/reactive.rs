//! Injects that react to the team: "if not contained 1h after detection" and "after an
//! escalation", in batch runs and in drills played through the same model, and the random
//! draws they leave alone.

use ttx::drill::session::Session;
use ttx::engine::Time;
use ttx::model::{DEFAULT_MAX_EVENTS, Decision, RunSetup, StreamKeys, role_index, start_run};
use ttx::scenario::Scenario;

use crate::common;

const FACILITATED: &str = "shopify-netsuite-facilitated.toml";

fn load(source: &str) -> Scenario {
    ttx::scenario::from_str("test.toml", source)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

fn inject(scenario: &Scenario, id: &str) -> usize {
    (scenario.injects.iter().position(|j| j.id == id)).unwrap_or_else(|| panic!("no inject {id}"))
}

/// When each scripted inject of run `run` was delivered, played alone as a batch plays it.
fn delivered(scenario: &Scenario, keys: &StreamKeys, run: u64) -> Vec<Option<Time>> {
    let setup = RunSetup {
        max_events: DEFAULT_MAX_EVENTS,
        traced: false,
        humans: &[],
    };
    let mut engine = start_run(scenario, keys, run, &setup);
    engine.run();
    engine.model().injects_delivered().to_vec()
}

#[test]
fn the_ceo_calls_in_exactly_the_runs_not_contained_an_hour_after_detection() {
    let source = common::scenario_text(FACILITATED);
    let scenario = load(&source);
    let ceo = inject(&scenario, "ceo-calls");
    let seed = 17;
    let results = common::batch_results(&source, 1000, seed);
    let keys = StreamKeys::new(&scenario, seed);
    let (mut called, mut quiet) = (0, 0);
    for row in &results.per_run {
        let at = delivered(&scenario, &keys, row.run)[ceo];
        // One incident: detection and containment are measured from the run's one onset.
        let (onset, detect, contain) = (row.onset, row.time_to_detect, row.time_to_contain);
        let slow = match (onset, detect) {
            (Some(_), Some(d)) => contain.is_none_or(|c| c > d + 60.0),
            _ => false,
        };
        if let (Some(d), Some(c)) = (detect, contain) {
            assert!((c - (d + 60.0)).abs() > 1e-6, "run {}: a tie", row.run);
        }
        assert_eq!(at.is_some(), slow, "run {}: {row:?}", row.run);
        if let Some(at) = at {
            let due = onset.unwrap() + detect.unwrap() + 60.0;
            assert!(
                (at - due).abs() < 1e-6,
                "run {}: at {at}, due {due}",
                row.run
            );
            called += 1;
        } else {
            quiet += 1;
        }
    }
    assert!(
        called > 100 && quiet > 100,
        "called {called}, quiet {quiet}"
    );
}

#[test]
fn an_inject_after_an_escalation_arrives_in_exactly_the_runs_that_escalate() {
    let base = common::scenario_text(FACILITATED);
    let source = format!(
        "{base}\n[[injects]]\nid = \"on-escalation\"\nat = {{ after = \"escalated\" }}\n\
         to = \"coo\"\ntext = \"The severity went up.\"\n"
    );
    let scenario = load(&source);
    let (shipped, added) = (
        inject(&scenario, "coo-sees-escalation"),
        inject(&scenario, "on-escalation"),
    );
    let seed = 3;
    let results = common::batch_results(&source, 400, seed);
    let keys = StreamKeys::new(&scenario, seed);
    let mut escalated = 0;
    for row in &results.per_run {
        let injects = delivered(&scenario, &keys, row.run);
        // At the escalation itself, so before the horizon whenever it happens.
        assert_eq!(
            injects[added].is_some(),
            row.escalations > 0,
            "run {}",
            row.run
        );
        if let (Some(first), Some(shipped)) = (injects[added], injects[shipped]) {
            assert!((shipped - first - 10.0).abs() < 1e-6, "run {}", row.run);
        }
        assert!(injects[added].is_some() || injects[shipped].is_none());
        escalated += usize::from(row.escalations > 0);
    }
    assert!((5..395).contains(&escalated), "{escalated} of 400 escalate");
}

#[test]
fn reactive_injects_move_no_other_draw() {
    // On-call's latencies do not grow with open items here, so an inject that adds one to its
    // plate changes nothing but the inject count, unless it drew from a stream another
    // decision draws from.
    let base = common::scenario_text("lead-sync-schema-drift.toml").replacen(
        "overload = { per_open_item = 0.15 }",
        "overload = { per_open_item = 0 }",
        1,
    );
    let with = format!(
        "{base}\n[[injects]]\nid = \"cto-asks\"\n\
         at = {{ after = \"detected\", delay = \"20m\", unless = \"contained\" }}\n\
         to = \"on-call\"\ntext = \"Is it fixed yet?\"\nload = 1\n\n\
         [[injects]]\nid = \"ic-joins\"\n\
         at = {{ after = \"acknowledged\", by = \"incident-commander\", delay = \"5m\" }}\n\
         to = \"on-call\"\ntext = \"What do you need?\"\nload = 1\n"
    );
    let (a, b) = (
        common::batch_results(&base, 300, 5),
        common::batch_results(&with, 300, 5),
    );
    let mut more = 0;
    for (x, y) in a.per_run.iter().zip(&b.per_run) {
        assert_eq!(x.times(), y.times(), "run {}", x.run);
        assert_eq!(x.records, y.records, "run {}", x.run);
        assert_eq!(x.escalations, y.escalations, "run {}", x.run);
        assert_eq!(x.wrong_diagnoses, y.wrong_diagnoses, "run {}", x.run);
        assert_eq!(x.updates, y.updates, "run {}", x.run);
        more += usize::from(y.injects > x.injects);
    }
    assert!(more > 100, "the injects arrive in {more} of 300 runs");
}

/// A drill of the facilitated scenario under `keys`, with the integration engineer and the
/// operations manager played by a scripted team that starts work `wait` minutes after its
/// first page (and escalates by hand first if `escalate`); returns the session at the end.
fn drill<'s>(
    scenario: &'s Scenario,
    keys: &'s StreamKeys,
    wait: Time,
    escalate: bool,
) -> Session<'s> {
    let engineer = role_index(scenario, "integration-engineer").unwrap();
    let manager = role_index(scenario, "ecom-ops-manager").unwrap();
    let mut session = Session::new(scenario, keys, &[engineer, manager]);
    let mut paged: Option<Time> = None;
    let mut t = 0.0;
    while t < 12.0 * 60.0 {
        t += 1.0;
        let notes = session.advance_to(t);
        if paged.is_none()
            && let Some(page) = notes
                .iter()
                .find(|n| n.text.starts_with("page: integration-engineer"))
        {
            paged = Some(page.time);
        }
        let Some(p) = paged else { continue };
        if t < p + wait {
            continue;
        }
        let mut tries = vec![
            (engineer, Decision::Acknowledge { incident: None }),
            (manager, Decision::Acknowledge { incident: None }),
            (
                engineer,
                Decision::Diagnose {
                    cause: "n8n-saturated".into(),
                },
            ),
            (
                engineer,
                Decision::Run {
                    action: "respond-immediately".into(),
                },
            ),
            (
                engineer,
                Decision::Run {
                    action: "repull-dropped-orders".into(),
                },
            ),
        ];
        for action in [
            "respond-immediately",
            "stop-competing-job",
            "repull-dropped-orders",
        ] {
            tries.push((
                manager,
                Decision::Approve {
                    action: action.into(),
                },
            ));
        }
        if escalate {
            tries.insert(1, (engineer, Decision::Escalate { incident: None }));
        }
        for (role, decision) in tries {
            // A decision that is not possible now is refused and changes nothing.
            let _ = session.decide(Some(role), &decision);
        }
        if escalate
            && session
                .trace()
                .notes
                .iter()
                .any(|n| n.text.contains(" escalates "))
        {
            return session;
        }
    }
    session
}

fn note_time(session: &Session, starts: &str) -> Option<Time> {
    (session.trace().notes.iter())
        .find(|n| n.text.starts_with(starts))
        .map(|n| n.time)
}

#[test]
fn in_a_drill_the_ceo_calls_a_slow_team_and_not_a_fast_one() {
    let scenario = load(&common::scenario_text(FACILITATED));
    // Seed 18: the comms lead, paged by the SEV3 cadence at detection, acknowledges after the
    // 20-minute target, so a team that waits breaches it (in about 85% of seeds the comms
    // lead's acknowledgement meets the target and nothing escalates).
    let keys = StreamKeys::new(&scenario, 18);
    let ceo = inject(&scenario, "ceo-calls");
    let escalation = inject(&scenario, "coo-sees-escalation");

    let fast = drill(&scenario, &keys, 0.0, false);
    let detected = note_time(&fast, "milestone: detected").expect("detected");
    let contained = note_time(&fast, "milestone: contained").expect("a fast team contains");
    assert!(contained < detected + 60.0, "{detected} -> {contained}");
    assert_eq!(fast.injects_delivered()[ceo], None);
    assert!(
        fast.trace()
            .notes
            .iter()
            .any(|n| n.text == "inject ceo-calls called off: contained by now")
    );
    // Nobody escalated and no target was breached: the COO never saw the severity go up.
    assert!(note_time(&fast, "severity: SEV2").is_none());
    assert_eq!(fast.injects_delivered()[escalation], None);

    let slow = drill(&scenario, &keys, 90.0, false);
    let detected = note_time(&slow, "milestone: detected").expect("detected");
    let contained = note_time(&slow, "milestone: contained").expect("a slow team contains");
    assert!(contained > detected + 60.0, "{detected} -> {contained}");
    let called = slow.injects_delivered()[ceo].expect("the CEO calls");
    assert!(
        (called - (detected + 60.0)).abs() < 1e-6,
        "{called} vs {detected}"
    );
    // The slow team breached the acknowledge target: the automatic escalation sets off the
    // COO's inject 10 minutes later, as in simulated runs.
    let raised = note_time(&slow, "severity: SEV2").expect("auto-escalated");
    let seen = slow.injects_delivered()[escalation].expect("the COO sees it");
    assert!((seen - (raised + 10.0)).abs() < 1e-6, "{seen} vs {raised}");
}

#[test]
fn in_a_drill_a_person_escalating_sets_off_the_inject_that_follows_an_escalation() {
    let scenario = load(&common::scenario_text(FACILITATED));
    let keys = StreamKeys::new(&scenario, 5);
    let escalation = inject(&scenario, "coo-sees-escalation");
    let mut session = drill(&scenario, &keys, 0.0, true);
    let escalated = note_time(&session, "integration-engineer escalates").expect("escalated");
    session.advance_to(escalated + 30.0);
    let seen = session.injects_delivered()[escalation].expect("the COO sees it");
    assert!(
        (seen - (escalated + 10.0)).abs() < 1e-6,
        "{seen} vs {escalated}"
    );
}

#[test]
fn the_msel_states_each_reactive_trigger_in_words() {
    let dir = tempfile::tempdir().unwrap();
    common::ttx()
        .args([
            "packet",
            "scenarios/shopify-netsuite-facilitated.toml",
            "--out",
        ])
        .arg(dir.path())
        .current_dir(common::root())
        .assert()
        .success();
    let msel = (std::fs::read_dir(dir.path()).unwrap())
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("-msel-") && p.extension().unwrap() == "md")
        .expect("an MSEL in Markdown");
    let msel = std::fs::read_to_string(msel).unwrap();
    assert!(
        msel.contains("| ceo-calls | if not contained 1h00m after detected | CEO |"),
        "{msel}"
    );
    assert!(
        msel.contains("| coo-sees-escalation | 10.0m after the first escalation | COO |"),
        "{msel}"
    );
}

#[test]
fn ttx_schema_offers_unless_and_the_decisions_an_inject_can_follow() {
    let out = common::ttx().arg("schema").output().unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let after = &schema["definitions"]["RawAfter"]["properties"];
    let names: Vec<&str> = (after["after"]["enum"].as_array().unwrap().iter())
        .map(|v| v.as_str().unwrap())
        .collect();
    for decision in ["escalated", "approved", "update_sent", "contained"] {
        assert!(names.contains(&decision), "{names:?}");
    }
    for key in ["unless", "by", "action", "audience"] {
        assert!(after[key].is_object(), "no `{key}` in {after}");
    }
}
