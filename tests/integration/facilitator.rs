//! The facilitator's page of `ttx drill`: its own token and link (journaled), its API's
//! refusals, its commands carried out and journaled as the console's, `end` there ending a
//! drill without a console, and a whole drill steered from it in headless Chromium with two
//! players' pages.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::common;
use crate::drill::{DrillProcess, browser_ready, decisions, default_scenario, journal};

/// The facilitator's token, from the link printed at the start.
fn facilitator_token(drill: &DrillProcess) -> String {
    drill
        .printed
        .iter()
        .find_map(|l| l.split("/facilitate/").nth(1))
        .map(|t| t.trim().to_string())
        .unwrap_or_else(|| panic!("no facilitator link in {:?}", drill.printed))
}

/// Waits for the drill to exit and checks that the facilitator ended it.
fn ended_by_the_facilitator(drill: DrillProcess) {
    let printed = drill.finish();
    assert!(
        printed
            .iter()
            .any(|l| l.contains("drill ended: the facilitator ended it")),
        "{printed:?}"
    );
}

/// `POST /api/facilitate` of a console line.
fn command(drill: &DrillProcess, token: Option<&str>, line: &str) -> (u16, String) {
    let body = json!({ "command": line }).to_string();
    drill.request("POST", "/api/facilitate", token, Some(body.as_bytes()))
}

/// A drill of the default scenario, seed 145, two people, no console: only the page steers it.
fn drill_without_console(journal: &Path, speed: &str) -> DrillProcess {
    DrillProcess::start(&[
        &default_scenario(),
        "--seed",
        "145",
        "--speed",
        speed,
        "--humans",
        "on-call,incident-commander",
        "--journal",
        journal.to_str().unwrap(),
        "--no-console",
    ])
}

#[test]
fn the_facilitators_page_refuses_players_and_strangers_and_its_commands_are_journaled_as_the_consoles()
 {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("page.jsonl");
    let drill = drill_without_console(&journal_path, "1");
    let facilitator = facilitator_token(&drill);
    let on_call = drill.token("on-call").to_string();
    assert_eq!(
        journal(&journal_path)[0]["facilitator_token"],
        facilitator.as_str(),
        "the token is journaled, so a resumed drill keeps the link"
    );
    assert_eq!(command(&drill, Some(&facilitator), "pause").0, 200);
    let before = std::fs::read(&journal_path).unwrap();

    let oversized = json!({ "command": format!("note {}", "x".repeat(20 * 1024)) }).to_string();
    // (why, token, body, status) of refused commands
    let refused: Vec<(&str, Option<&str>, Vec<u8>, u16)> = vec![
        ("no token", None, br#"{"command": "skip"}"#.to_vec(), 401),
        (
            "an unknown token",
            Some("0123456789abcdef"),
            br#"{"command": "skip"}"#.to_vec(),
            401,
        ),
        (
            "a player's token",
            Some(&on_call),
            br#"{"command": "skip"}"#.to_vec(),
            403,
        ),
        (
            "malformed JSON",
            Some(&facilitator),
            b"{not json".to_vec(),
            400,
        ),
        (
            "an unknown field",
            Some(&facilitator),
            br#"{"line": "skip"}"#.to_vec(),
            400,
        ),
        (
            "an oversized body",
            Some(&facilitator),
            oversized.into_bytes(),
            413,
        ),
        (
            "an unknown command",
            Some(&facilitator),
            br#"{"command": "jump"}"#.to_vec(),
            422,
        ),
        (
            "an unknown role",
            Some(&facilitator),
            br#"{"command": "as nobody ack"}"#.to_vec(),
            422,
        ),
        (
            "an unknown inject",
            Some(&facilitator),
            br#"{"command": "inject no-such-inject"}"#.to_vec(),
            422,
        ),
        (
            "two commands in one",
            Some(&facilitator),
            br#"{"command": "pause\nend"}"#.to_vec(),
            422,
        ),
        (
            "an action whose diagnosis is missing",
            Some(&facilitator),
            br#"{"command": "as on-call run fix-field-mapping"}"#.to_vec(),
            409,
        ),
        (
            "an answer before any module",
            Some(&facilitator),
            br#"{"command": "answer 1 nothing yet"}"#.to_vec(),
            409,
        ),
    ];
    for (why, token, body, status) in &refused {
        let (got, answer) = drill.request("POST", "/api/facilitate", *token, Some(body));
        assert_eq!(got, *status, "{why}: {answer}");
    }
    let gets: [(&str, Option<&str>, u16); 8] = [
        ("/api/facilitator/state", None, 401),
        ("/api/facilitator/state", Some(&on_call), 403),
        (
            &format!("/api/facilitator/events?token={on_call}"),
            None,
            403,
        ),
        ("/api/facilitator/events?token=nope", None, 401),
        (&format!("/facilitate/{on_call}"), None, 403),
        ("/facilitate/nope", None, 401),
        // The facilitator's token is no player's.
        ("/api/state", Some(&facilitator), 403),
        (&format!("/api/events?token={facilitator}"), None, 403),
    ];
    for (path, token, status) in gets {
        assert_eq!(drill.request("GET", path, token, None).0, status, "{path}");
    }
    let ack = json!({ "decision": { "kind": "acknowledge" } }).to_string();
    assert_eq!(
        (drill.request(
            "POST",
            "/api/decide",
            Some(&facilitator),
            Some(ack.as_bytes())
        ))
        .0,
        403,
        "the facilitator acts for a role only with `as ROLE`"
    );
    assert_eq!(
        std::fs::read(&journal_path).unwrap(),
        before,
        "refused requests journal nothing"
    );

    // The page, and its state.
    let (status, page) = drill.request("GET", &format!("/facilitate/{facilitator}"), None, None);
    assert_eq!(status, 200);
    assert!(page.contains("/api/facilitate") && page.contains("/assets/drill.js"));
    let (status, _) = drill.request("GET", &format!("/join/{facilitator}"), None, None);
    assert_eq!(
        status, 303,
        "the facilitator's token as a join link goes to their page"
    );
    let (status, body) = drill.request("GET", "/api/facilitator/state", Some(&facilitator), None);
    assert_eq!(status, 200, "{body}");
    let state: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(state["paused"], true);
    assert_eq!(state["phase"], "play");
    let roles: Vec<(&str, &str)> = (state["roles"].as_array().unwrap().iter())
        .map(|r| (r["id"].as_str().unwrap(), r["played_by"].as_str().unwrap()))
        .collect();
    assert_eq!(
        roles,
        [
            ("on-call", "person"),
            ("incident-commander", "person"),
            ("comms-lead", "simulated"),
            ("sales-leadership", "simulated")
        ]
    );
    let injects: Vec<(&str, Value)> = (state["injects"].as_array().unwrap().iter())
        .map(|i| (i["id"].as_str().unwrap(), i["due"].clone()))
        .collect();
    assert_eq!(
        injects,
        [
            ("marketing-confesses", json!(360.0)),
            ("vp-sales-asks", Value::Null)
        ],
        "known times first; a milestone's inject has no time before the milestone"
    );

    // Commands act as the console's and are journaled the same way.
    let (status, body) = command(
        &drill,
        Some(&facilitator),
        "note the room <b>argues</b> about the inbox -- seen on the wall",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(command(&drill, Some(&facilitator), "resume").0, 200);
    let (status, body) = command(&drill, Some(&facilitator), "skip");
    assert_eq!(status, 200, "{body}");
    let skipped: Value = serde_json::from_str(&body).unwrap();
    assert!(
        skipped["said"][0].as_str().unwrap().starts_with("skipped "),
        "{body}"
    );
    let (status, body) = command(&drill, Some(&facilitator), "inject marketing-confesses");
    assert_eq!(status, 200, "{body}");
    let seen = drill.state("on-call");
    assert!(
        (seen["feed"].as_array().unwrap().iter())
            .any(|i| i["event"] == "inject" && i["text"].as_str().unwrap().contains("cleaned up")),
        "the player sees the inject, marked as one: {seen}"
    );
    let (status, body) = command(&drill, Some(&facilitator), "as on-call ack");
    assert_eq!(status, 200, "{body}");

    // `end` on the page ends a drill that has no console.
    assert_eq!(command(&drill, Some(&facilitator), "end").0, 200);
    ended_by_the_facilitator(drill);
    let entries = journal(&journal_path);
    let notes = decisions(&entries, "note");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["by"], "facilitator");
    assert_eq!(notes[0]["role"], Value::Null);
    assert_eq!(
        notes[0]["decision"]["text"],
        "the room <b>argues</b> about the inbox"
    );
    assert_eq!(notes[0]["rationale"], "seen on the wall");
    let acks = decisions(&entries, "acknowledge");
    assert_eq!(
        (acks[0]["role"].as_str(), acks[0]["by"].as_str()),
        (Some("on-call"), Some("facilitator"))
    );
    let controls: Vec<&str> = (entries.iter())
        .filter(|e| e["type"] == "control")
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    assert_eq!(controls[..3], ["pause", "resume", "skip"]);
    assert!(dir.path().join("page.report.md").exists());
}

/// The cause a correct diagnosis names in the default scenario: the fault's root cause.
fn real_cause() -> String {
    // The fix's `requires = { diagnosis = "..." }` names it.
    let text = std::fs::read_to_string(common::scenario("lead-sync-schema-drift.toml")).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("requires = { diagnosis = "))
        .expect("the fix requires a diagnosis");
    line.split('"').nth(1).unwrap().to_string()
}

/// The acceptance drill: the facilitator's page and the on-call's and incident commander's
/// pages of the default scenario in Chromium. The on-call gives their name on their page (the
/// facilitator's page shows it, the results keep it). The facilitator skips idle time and fires an
/// inject, which reaches the on-call's page by push; the on-call acknowledges, names a decoy
/// cause first (when the page offers one), then the real one, contains (the commander
/// approves on their page), fixes, and replays the failed tasks after recovery; the
/// facilitator notes and ends. Screenshots of each page at three moments go to
/// `target/browser-shots/`, and every text on them passes WCAG AA contrast.
#[test]
fn a_drill_steered_from_the_facilitators_page_in_chromium_restores_the_records_and_blames_nobody() {
    browser_ready();
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("steered.jsonl");
    let drill = drill_without_console(&journal_path, "5");
    let link = |path: &str| format!("http://{}/{path}", drill.address);
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("browser-shots");
    std::fs::create_dir_all(&shots).unwrap();
    let output = Command::new("node")
        .arg(common::root().join("tests/browser/facilitate.mjs"))
        .arg(link(&format!("facilitate/{}", facilitator_token(&drill))))
        .arg(link(&format!("join/{}", drill.token("on-call"))))
        .arg(link(&format!("join/{}", drill.token("incident-commander"))))
        .arg(real_cause())
        .arg(&shots)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .expect("node runs the browser script");
    let said: Vec<String> = BufReader::new(&output.stdout[..])
        .lines()
        .map_while(Result::ok)
        .collect();
    assert!(
        output.status.success(),
        "browser script failed after {said:?}"
    );
    ended_by_the_facilitator(drill);
    let steps: Vec<&str> = said.iter().map(|l| l.split(':').next().unwrap()).collect();
    let expected = [
        "pages up",
        "named",
        "skipped",
        "inject pushed",
        "acknowledged",
        "decoy diagnosed",
        "diagnosed",
        "contained",
        "recovered",
        "replayed",
        "noted",
        "ended",
    ];
    assert_eq!(steps, expected, "{said:?}");

    let entries = journal(&journal_path);
    let diagnoses = decisions(&entries, "diagnose");
    assert_eq!(diagnoses.len(), 2, "a decoy first, then the real cause");
    let decoy = diagnoses[0]["decision"]["cause"].as_str().unwrap();
    assert_ne!(decoy, real_cause());
    assert!(diagnoses.iter().all(|d| d["by"] == "participant"));
    assert_eq!(
        diagnoses.last().unwrap()["decision"]["cause"],
        real_cause().as_str()
    );
    assert_eq!(decisions(&entries, "inject")[0]["by"], "facilitator");
    assert!(
        (decisions(&entries, "run").iter())
            .any(|d| d["decision"]["action"] == "replay-failed-tasks")
    );
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("steered.results.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        results["drill"]["players"]["on-call"], "Alice Martin",
        "the name typed on the page is in the results"
    );
    let records = &results["per_run"][0]["records"];
    assert!(records["recovered"].as_u64().unwrap() > 0, "{records}");
    assert_eq!(records["lost"], 0, "{records}");
    let report = std::fs::read_to_string(dir.path().join("steered.report.md")).unwrap();
    let restored = format!(
        "restored (replayed, released or backfilled): {}",
        records["recovered"]
    );
    assert!(report.contains(&restored), "{report}");
    assert!(
        !report.contains("records lost:") && !report.contains("Records: the drill ended with"),
        "no loss is put to the team: {report}"
    );
    assert!(
        report.contains("1 wrong diagnosis(es) (") && report.contains(decoy),
        "the decoy is reported as a wrong diagnosis: {report}"
    );
}

/// A drill killed and resumed keeps the facilitator's link: the token comes from the journal.
#[test]
fn a_resumed_drill_keeps_the_facilitators_link() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("resumed.jsonl");
    let mut drill = drill_without_console(&journal_path, "1");
    let token = facilitator_token(&drill);
    assert_eq!(command(&drill, Some(&token), "pause").0, 200);
    drill.child.kill().unwrap(); // SIGKILL
    drill.child.wait().unwrap();
    let resumed =
        DrillProcess::start(&["--resume", journal_path.to_str().unwrap(), "--no-console"]);
    assert_eq!(facilitator_token(&resumed), token);
    let (status, body) = resumed.request("GET", "/api/facilitator/state", Some(&token), None);
    assert_eq!(status, 200, "{body}");
    let state: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(state["paused"], true, "resumed paused, as it was");
    assert_eq!(command(&resumed, Some(&token), "end").0, 200);
    ended_by_the_facilitator(resumed);
}
