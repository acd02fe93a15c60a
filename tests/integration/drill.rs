//! `ttx drill`: a whole drill driven over the real HTTP interface and the console, a drill
//! killed with SIGKILL and resumed, the API's refusals, and drills without people matching the
//! batch run for run.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common;

/// A `ttx drill` process with its console and join links.
pub(crate) struct DrillProcess {
    pub(crate) child: Child,
    pub(crate) stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    /// Everything printed so far.
    pub(crate) printed: Vec<String>,
    pub(crate) address: String,
    pub(crate) tokens: HashMap<String, String>,
}

/// A test that fails half-way must not leave its drill running: an orphaned drill holds the
/// test harness's output pipe open, so `cargo test | ...` never ends.
impl Drop for DrillProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub(crate) fn ttx_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ttx"))
}

impl DrillProcess {
    pub(crate) fn start(args: &[&str]) -> Self {
        let mut command = Command::new(ttx_binary());
        command.arg("drill").args(args);
        Self::spawn(command)
    }

    /// Starts `command` (a `ttx drill` with its arguments, or a shell that runs one).
    pub(crate) fn spawn(mut command: Command) -> Self {
        let mut child = command
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("ttx drill starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut drill = DrillProcess {
            stdin: child.stdin.take(),
            child,
            lines,
            printed: Vec::new(),
            address: String::new(),
            tokens: HashMap::new(),
        };
        drill.wait_for_line(|l| l.contains("type `help`"));
        for line in &drill.printed {
            if let Some(rest) = line.split(" on http://").nth(1) {
                drill.address = rest.split(';').next().unwrap().to_string();
            }
            if let Some((role, link)) = line.trim().split_once(": http://")
                && let Some(token) = link.split("/join/").nth(1)
            {
                drill.tokens.insert(role.to_string(), token.to_string());
            }
        }
        assert!(
            !drill.address.is_empty(),
            "address printed: {:?}",
            drill.printed
        );
        drill
    }

    pub(crate) fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            match self.lines.recv_timeout(Duration::from_millis(100)) {
                Ok(line) => {
                    self.printed.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!(
            "the drill never printed the line wanted; it printed {:?}",
            self.printed
        );
    }

    pub(crate) fn console(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("console open");
        writeln!(stdin, "{line}").expect("console line sent");
        stdin.flush().unwrap();
    }

    pub(crate) fn token(&self, role: &str) -> &str {
        &self.tokens[role]
    }

    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> (u16, String) {
        http(&self.address, method, path, token, body)
    }

    pub(crate) fn state(&self, role: &str) -> Value {
        let (status, body) = self.request("GET", "/api/state", Some(self.token(role)), None);
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    pub(crate) fn decide(&self, role: &str, decision: Value) -> (u16, String) {
        let body = serde_json::json!({ "role": role, "decision": decision, "rationale": "scripted participant" });
        self.request(
            "POST",
            "/api/decide",
            Some(self.token(role)),
            Some(body.to_string().as_bytes()),
        )
    }

    /// Plays `role` like a participant until the drill ends: acknowledges pages, diagnoses
    /// the mapping, runs whatever action is possible; once the console says every incident
    /// recovered and the role has nothing left to run, the facilitator ends the drill.
    pub(crate) fn play(&mut self, role: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut recovered = false;
        while Instant::now() < deadline {
            while let Ok(line) = self.lines.try_recv() {
                recovered |= line.contains("recovered: every incident recovered");
                self.printed.push(line);
            }
            let (status, body) = self.request("GET", "/api/state", Some(self.token(role)), None);
            if status != 200 {
                break; // the drill ended and its server went away
            }
            let state: Value = serde_json::from_str(&body).unwrap();
            for incident in state["view"]["incidents"].as_array().unwrap() {
                if incident["awaiting_acknowledgement"] == true {
                    self.decide(
                        role,
                        serde_json::json!({ "kind": "acknowledge", "incident": incident["id"] }),
                    );
                }
            }
            for action in state["view"]["actions"].as_array().unwrap() {
                let blocked = action["blocked"].as_str().unwrap_or("");
                if blocked.contains("diagnosis") {
                    self.decide(
                        role,
                        serde_json::json!({ "kind": "diagnose", "cause": "renamed-form-field" }),
                    );
                }
                if action["blocked"].is_null() {
                    self.decide(
                        role,
                        serde_json::json!({ "kind": "run", "action": action["id"] }),
                    );
                }
            }
            if self.child.try_wait().unwrap().is_some() {
                break;
            }
            let actions = state["view"]["actions"].as_array().unwrap();
            if recovered
                && self.stdin.is_some()
                && actions
                    .iter()
                    .all(|a| !a["blocked"].is_null() && a["state"] != "running")
            {
                self.console("end");
                recovered = false;
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    pub(crate) fn finish(mut self) -> Vec<String> {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.printed.push(line);
        }
        assert!(
            status.success(),
            "drill exited with {status}: {:?}",
            self.printed
        );
        std::mem::take(&mut self.printed)
    }
}

/// A plain HTTP/1.1 request; returns the status and the body.
pub(crate) fn http(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&[u8]>,
) -> (u16, String) {
    // Status 0: nothing listens (the drill has ended).
    let Ok(mut stream) = TcpStream::connect(address) else {
        return (0, String::new());
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let body = body.unwrap_or(b"");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    head.push_str("\r\n");
    // The server may answer (413) before reading a large body: a failed write is fine.
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body));
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

pub(crate) fn journal(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub(crate) fn decisions<'a>(entries: &'a [Value], kind: &str) -> Vec<&'a Value> {
    entries
        .iter()
        .filter(|e| e["type"] == "decision" && e["decision"]["kind"] == kind)
        .collect()
}

/// A drill of the default scenario, seed 3, at `speed` with `humans` (comma-separated).
pub(crate) fn seed_3_drill(journal: &Path, speed: &str, humans: &str) -> DrillProcess {
    DrillProcess::start(&[
        &default_scenario(),
        "--seed",
        "3",
        "--speed",
        speed,
        "--humans",
        humans,
        "--journal",
        journal.to_str().unwrap(),
    ])
}

/// A drill of the facilitated scenario, seed 5, at `speed`, the communications lead played by
/// a person.
fn facilitated_drill(journal: &Path, speed: &str) -> DrillProcess {
    let scenario = common::scenario("shopify-netsuite-facilitated.toml");
    DrillProcess::start(&[
        scenario.to_str().unwrap(),
        "--seed",
        "5",
        "--speed",
        speed,
        "--humans",
        "comms-lead",
        "--journal",
        journal.to_str().unwrap(),
    ])
}

pub(crate) fn default_scenario() -> String {
    common::scenario("lead-sync-schema-drift.toml")
        .display()
        .to_string()
}

#[test]
fn a_scripted_team_plays_a_whole_drill_over_http_and_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("drill.jsonl");
    let mut drill = seed_3_drill(&journal_path, "600", "on-call");
    drill.console("note the drill begins -- scripted facilitator");
    drill.console("as incident-commander note watching the sales channel");
    drill.console("status");
    drill.wait_for_line(|l| l.contains("running at speed 600"));
    drill.play("on-call");
    let printed = drill.finish();
    assert!(
        printed
            .iter()
            .any(|l| l.contains("recovered: every incident recovered; restore and verify")),
        "the facilitator is told, and the play goes on: {printed:?}"
    );
    assert!(
        printed
            .iter()
            .any(|l| l.contains("drill ended: the facilitator ended it")),
        "{printed:?}"
    );
    assert!(
        printed
            .iter()
            .any(|l| l.contains("percentile of 10,000 simulated runs"))
    );

    let entries = journal(&journal_path);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e["seq"], i as u64, "journal entries numbered in order");
    }
    let by = |kind: &str, who: &str| {
        decisions(&entries, kind)
            .into_iter()
            .filter(|d| d["by"] == who)
            .count()
    };
    assert_eq!(by("acknowledge", "participant"), 1);
    assert_eq!(by("diagnose", "participant"), 1);
    assert!(
        by("run", "participant") >= 3,
        "pause, fix and replay at least"
    );
    assert!(
        decisions(&entries, "run")
            .iter()
            .any(|d| d["decision"]["action"] == "replay-failed-tasks"),
        "the replay step is played after recovery"
    );
    assert_eq!(by("note", "facilitator"), 2);
    let ack = decisions(&entries, "acknowledge")[0];
    assert_eq!(ack["rationale"], "scripted participant");
    assert!(
        entries
            .iter()
            .any(|e| e["type"] == "event"
                && e["what"].as_str().unwrap().starts_with("page: on-call"))
    );

    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("drill.results.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(results["runs"], 1);
    assert_eq!(results["drill"]["humans"], serde_json::json!(["on-call"]));
    let run = &results["per_run"][0];
    assert!(
        run["time_to_recover"].as_f64().unwrap() > 0.0,
        "the team recovered"
    );
    // The acknowledgement is the person's: the time to acknowledge is when they clicked.
    let ack_at = ack["t"].as_f64().unwrap() - run["onset"].as_f64().unwrap();
    assert!((run["time_to_acknowledge"].as_f64().unwrap() - ack_at).abs() < 1e-9);

    let report = std::fs::read_to_string(dir.path().join("drill.report.md")).unwrap();
    assert!(report.contains("## Decision log") && report.contains("on-call acknowledged main"));
    // The team replayed the failed tasks after recovery: the report shows them restored and
    // puts no loss of records to the team.
    assert!(report.contains("## Where the play stood at the end"));
    let restored = (report.lines())
        .find(|l| l.contains("restored (replayed, released or backfilled): "))
        .unwrap();
    assert!(!restored.ends_with(": 0"), "{restored}");
    assert!(!report.contains("records lost: slower"), "{report}");
    assert!(report.contains("percentile"));
    assert!(
        std::fs::read_to_string(dir.path().join("drill.report.html"))
            .unwrap()
            .contains("placement-chart")
    );

    // Re-scoring the journal gives the very results the drill wrote.
    let rescored = common::ttx()
        .args([
            "replay",
            journal_path.to_str().unwrap(),
            "--format",
            "jsonl",
        ])
        .assert()
        .success();
    let rescored: Value = serde_json::from_slice(&rescored.get_output().stdout).unwrap();
    assert_eq!(rescored, results);
}

#[test]
fn a_drill_killed_mid_run_resumes_from_its_journal_with_nothing_lost_or_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("drill.jsonl");
    let mut drill = seed_3_drill(&journal_path, "300", "on-call");
    // Wait for the page, acknowledge it, then kill the process without warning.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the page never came");
        let state = drill.state("on-call");
        if state["view"]["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["awaiting_acknowledgement"] == true)
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, body) = drill.decide("on-call", serde_json::json!({ "kind": "acknowledge" }));
    assert_eq!(status, 200, "{body}");
    std::thread::sleep(Duration::from_millis(300));
    drill.child.kill().unwrap(); // SIGKILL
    drill.child.wait().unwrap();
    let before = std::fs::read(&journal_path).unwrap();
    let complete = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let before_entries = journal(&journal_path);
    assert_eq!(
        decisions(&before_entries, "acknowledge").len(),
        1,
        "acknowledged before the kill"
    );
    let last_t = before_entries.last().unwrap()["t"].as_f64().unwrap();

    let mut resumed =
        DrillProcess::start(&["--resume", journal_path.to_str().unwrap(), "--speed", "600"]);
    assert_eq!(
        resumed.tokens.len(),
        1,
        "the same join link works after the resume"
    );
    resumed.play("on-call");
    resumed.finish();

    let after = std::fs::read(&journal_path).unwrap();
    assert_eq!(
        &after[..complete],
        &before[..complete],
        "every entry from before the kill kept as written"
    );
    let entries = journal(&journal_path);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e["seq"], i as u64, "no entry lost or repeated");
    }
    let resume = entries
        .iter()
        .find(|e| e["type"] == "control" && e["what"].as_str().unwrap().starts_with("resumed"))
        .expect("the resume is journaled");
    assert_eq!(
        resume["t"].as_f64().unwrap(),
        last_t,
        "the clock continues from the last entry"
    );
    assert_eq!(
        decisions(&entries, "acknowledge").len(),
        1,
        "the acknowledgement is not repeated"
    );
    assert_eq!(
        decisions(&entries, "diagnose").len(),
        1,
        "decided after the resume"
    );
    let texts: Vec<&str> = entries.iter().filter_map(|e| e["what"].as_str()).collect();
    let mut unique = texts.clone();
    unique.dedup();
    assert_eq!(
        unique.len(),
        texts.len(),
        "no event journaled twice in a row"
    );

    let report = std::fs::read_to_string(dir.path().join("drill.report.md")).unwrap();
    assert!(
        report.contains("on-call acknowledged main"),
        "decision from before the crash"
    );
    assert!(
        report.contains("on-call diagnosed renamed-form-field"),
        "decision from after the crash"
    );
}

#[test]
fn requests_without_the_right_token_or_with_bad_bodies_are_refused_and_leave_the_journal_alone() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("drill.jsonl");
    let mut drill = seed_3_drill(&journal_path, "1", "on-call,incident-commander");
    drill.console("pause");
    drill.wait_for_line(|l| l.ends_with("pause"));
    let before = std::fs::read(&journal_path).unwrap();
    let on_call = drill.token("on-call").to_string();
    let decision = |json: Value| json.to_string().into_bytes();
    let ack = decision(serde_json::json!({ "decision": { "kind": "acknowledge" } }));
    // (why, token, body, status) of refused decisions
    let refused: Vec<(&str, Option<&str>, Vec<u8>, u16)> = vec![
        ("no token", None, ack.clone(), 401),
        ("wrong token", Some("0123456789abcdef"), ack.clone(), 401),
        (
            "one role's token for another role",
            Some(&on_call),
            decision(
                serde_json::json!({ "role": "incident-commander", "decision": { "kind": "acknowledge" } }),
            ),
            403,
        ),
        (
            "an approval that belongs to the incident commander",
            Some(&on_call),
            decision(
                serde_json::json!({ "decision": { "kind": "approve", "action": "pause-lead-sync" } }),
            ),
            403,
        ),
        (
            "participants do not fire injects",
            Some(&on_call),
            decision(
                serde_json::json!({ "decision": { "kind": "inject", "inject": "marketing-confesses" } }),
            ),
            403,
        ),
        ("malformed JSON", Some(&on_call), b"{not json".to_vec(), 400),
        (
            "an unknown kind",
            Some(&on_call),
            br#"{"decision": {"kind": "dance"}}"#.to_vec(),
            400,
        ),
        (
            "an oversized body",
            Some(&on_call),
            vec![b'x'; 64 * 1024],
            413,
        ),
        (
            "an unknown action",
            Some(&on_call),
            decision(
                serde_json::json!({ "decision": { "kind": "run", "action": "reboot-the-internet" } }),
            ),
            422,
        ),
        ("nothing paged yet", Some(&on_call), ack.clone(), 409),
    ];
    for (why, token, body, status) in &refused {
        assert_eq!(
            drill.request("POST", "/api/decide", *token, Some(body)).0,
            *status,
            "{why}"
        );
    }
    for path in ["/api/state", "/join/not-a-token", "/api/events?token=nope"] {
        assert_eq!(
            drill.request("GET", path, None, None).0,
            401,
            "{path} without a valid token"
        );
    }

    assert_eq!(
        std::fs::read(&journal_path).unwrap(),
        before,
        "refused requests journal nothing"
    );
    // The right token still works, and the page is served.
    let (status, page) = drill.request("GET", &format!("/join/{on_call}"), None, None);
    assert_eq!(status, 200);
    assert!(page.contains("/assets/drill.js"), "{page}");
    let (status, script) = drill.request("GET", "/assets/drill.js", None, None);
    assert_eq!(status, 200);
    assert!(script.contains("EventSource"));
    let note =
        serde_json::json!({ "decision": { "kind": "note", "text": "checked the Zap history" } })
            .to_string();
    assert_eq!(
        drill
            .request("POST", "/api/decide", Some(&on_call), Some(note.as_bytes()))
            .0,
        200
    );
    assert!(std::fs::read(&journal_path).unwrap().len() > before.len());
    drill.console("end");
    let printed = drill.finish();
    assert!(
        printed
            .iter()
            .any(|l| l.contains("drill ended: the facilitator ended it"))
    );
}

#[test]
fn a_drill_without_people_at_speed_1000_is_the_batch_run_of_its_seed() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("auto.jsonl");
    let scenario = default_scenario();
    let drill = DrillProcess::start(&[
        &scenario,
        "--seed",
        "11",
        "--speed",
        "1000",
        "--no-console",
        "--journal",
        journal_path.to_str().unwrap(),
    ]);
    drill.finish();
    let drilled: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("auto.results.json")).unwrap(),
    )
    .unwrap();
    let batch = dir.path().join("batch.json");
    common::ttx()
        .args([
            "run",
            &scenario,
            "--runs",
            "1",
            "--seed",
            "11",
            "--quiet",
            "--export-json",
            batch.to_str().unwrap(),
        ])
        .assert()
        .success();
    let batch: Value = serde_json::from_str(&std::fs::read_to_string(batch).unwrap()).unwrap();
    assert_eq!(drilled["per_run"], batch["per_run"]);
}

/// The same engine and models: a drill session without people, moved along in uneven clock
/// steps, scores exactly like the batch's run, so drills follow the batch's distribution.
#[test]
fn drill_sessions_without_people_follow_the_batch_distribution_run_for_run() {
    use ttx::drill::session::Session;
    use ttx::model::{DEFAULT_MAX_EVENTS, StreamKeys, simulate};
    for name in ["lead-sync-schema-drift.toml", "shopify-3pl-api-sunset.toml"] {
        let loaded = ttx::scenario::load(&common::scenario(name)).unwrap();
        let scenario = &loaded.scenario;
        for seed in 1..=100 {
            let keys = StreamKeys::new(scenario, seed);
            let mut session = Session::new(scenario, &keys, &[]);
            let mut t = 0.0;
            while !session.over() {
                t += 0.37 + (seed % 7) as f64;
                session.advance_to(t.min(session.horizon()));
            }
            session.advance_to(session.horizon());
            let (drilled, _) = session.finish(scenario.meta.horizon);
            let batch = simulate(scenario, &keys, 0, DEFAULT_MAX_EVENTS);
            assert_eq!(drilled.times, batch.times, "{name} seed {seed}");
            assert_eq!(drilled.records, batch.records, "{name} seed {seed}");
            assert_eq!(drilled.objectives, batch.objectives, "{name} seed {seed}");
        }
    }
}

/// Installs Chromium and playwright-core if they are missing (scripts/setup-browser-tests.sh).
pub(crate) fn browser_ready() {
    let root = common::root();
    let chromium =
        Path::new("/usr/bin/chromium").exists() || std::env::var_os("CHROMIUM").is_some();
    let playwright = root
        .join("tests/browser/node_modules/playwright-core")
        .exists();
    if !(chromium && playwright) {
        let status = Command::new("bash")
            .arg(root.join("scripts/setup-browser-tests.sh"))
            .status()
            .expect("bash runs the browser set-up");
        assert!(status.success(), "scripts/setup-browser-tests.sh failed");
    }
}

#[test]
fn a_participant_page_in_chromium_receives_an_inject_and_its_click_is_journaled() {
    browser_ready();
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("browser.jsonl");
    let mut drill = seed_3_drill(&journal_path, "300", "on-call");
    let link = format!("http://{}/join/{}", drill.address, drill.token("on-call"));
    let mut browser = Command::new("node")
        .arg(common::root().join("tests/browser/drill.mjs"))
        .args([&link, "cleaned up"])
        .arg(
            std::env::var("TTX_BROWSER_SCREENSHOT")
                .map_or_else(|_| dir.path().join("page.png"), PathBuf::from),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node runs the browser script");
    let mut said = BufReader::new(browser.stdout.take().unwrap()).lines();
    assert_eq!(said.next().unwrap().unwrap(), "ready");
    // The inject is fired now, after the page is up: it can only arrive by push.
    drill.console("inject marketing-confesses");
    let rest: Vec<String> = said.map_while(Result::ok).collect();
    let status = browser.wait().unwrap();
    assert!(status.success(), "browser script failed after {rest:?}");
    assert_eq!(rest, ["inject arrived", "acknowledged"]);

    let entries = journal(&journal_path);
    let acks = decisions(&entries, "acknowledge");
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0]["by"], "participant");
    assert_eq!(acks[0]["role"], "on-call");
    assert_eq!(decisions(&entries, "inject")[0]["by"], "facilitator");
    drill.console("end");
    drill.finish();
}

/// The facilitator approving for a simulated approver who has engaged (so the model has its
/// own approval under way) does not make the action run twice when that approval comes in.
#[test]
fn acting_for_a_simulated_role_does_not_double_its_work() {
    use ttx::drill::session::Session;
    use ttx::model::{Decision, StreamKeys};
    let loaded = ttx::scenario::load(&common::scenario("lead-sync-schema-drift.toml")).unwrap();
    let scenario = &loaded.scenario;
    let keys = StreamKeys::new(scenario, 3);
    let role = |id: &str| scenario.roles.iter().position(|r| r.id == id).unwrap();
    let (on_call, commander) = (role("on-call"), role("incident-commander"));
    let mut session = Session::new(scenario, &keys, &[on_call]);
    let mut t = 0.0;
    let mut approved_by_hand = false;
    while !session.over() {
        t += 0.5;
        session.advance_to(t);
        let view = session.role_view(on_call);
        if view.incidents.iter().any(|i| i.awaiting_acknowledgement) {
            session
                .decide(Some(on_call), &Decision::Acknowledge { incident: None })
                .unwrap();
        }
        for action in view.actions.iter().filter(|a| a.blocked.is_none()) {
            let _ = session.decide(
                Some(on_call),
                &Decision::Run {
                    action: action.id.clone(),
                },
            );
        }
        // Diagnose only once the pause has been approved, so the pause runs first.
        if approved_by_hand {
            let _ = session.decide(
                Some(on_call),
                &Decision::Diagnose {
                    cause: "renamed-form-field".into(),
                },
            );
        }
        let approver = session.role_view(commander);
        let engaged = !approver.incidents.is_empty()
            && approver
                .incidents
                .iter()
                .all(|i| !i.awaiting_acknowledgement);
        if !approved_by_hand && engaged && !approver.approvals.is_empty() {
            let approve = Decision::Approve {
                action: "pause-lead-sync".into(),
            };
            session.decide(Some(commander), &approve).unwrap();
            approved_by_hand = true;
        }
    }
    assert!(
        approved_by_hand,
        "the approval was asked of an engaged approver and given by hand"
    );
    let count = |prefix: &str| {
        session
            .trace()
            .notes
            .iter()
            .filter(|n| n.text.starts_with(prefix))
            .count()
    };
    assert_eq!(
        count("approved: pause-lead-sync"),
        1,
        "the model's own approval changed nothing"
    );
    assert_eq!(count("action started: pause-lead-sync"), 1);
    assert!(session.resolved());
}

/// The facilitator toolkit in a live drill: a communications lead posts a complete and an
/// incomplete customer notice through the form (pre-filled from the run), the facilitator
/// records answers to a module's question and to the hot wash at the console, and the results
/// and report score and show all of it.
#[test]
fn a_facilitated_drill_scores_complete_and_incomplete_updates_and_records_the_discussion() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("facilitated.jsonl");
    let mut drill = facilitated_drill(&journal_path, "600");
    // The first module starts at the onset: its questions are shown at the console.
    drill.wait_for_line(|l| l.starts_with("== Module 1: orders are lagging"));
    drill.wait_for_line(|l| l.contains("1. n8n's health check says 200."));
    drill.console("answer 1 the hourly order count against NetSuite");
    drill.wait_for_line(|l| l.contains("milestone: detected"));

    // The form knows what the run knows.
    let state = drill.state("comms-lead");
    let forms = state["view"]["forms"].as_array().unwrap();
    let notice = forms
        .iter()
        .find(|f| f["template"] == "customer-notice")
        .expect("the comms lead sends the customer notice");
    let prefill = |name: &str| {
        notice["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()["prefill"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        prefill("affected_process"),
        "order-ingest (shopify → netsuite)"
    );
    assert!(
        prefill("current_status").contains("detected T+"),
        "{notice}"
    );
    assert_eq!(prefill("impact"), "", "impact is the writer's to say");

    let complete = serde_json::json!({
        "kind": "update",
        "template": "customer-notice",
        "fields": {
            "affected_process": "Online orders",
            "impact": "Order confirmations arrive late",
            "workaround": "Your order is safe: please do not order again",
            "eta": "by 14:00",
            "next_update": "13:00",
        },
    });
    let (status, body) = drill.decide("comms-lead", complete);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("sent the customer-facing notice to customers") && !body.contains("missing"),
        "{body}"
    );
    let incomplete = serde_json::json!({
        "kind": "update",
        "template": "customer-notice",
        "fields": { "affected_process": "order-ingest", "impact": "the n8n webhook times out" },
    });
    let (status, body) = drill.decide("comms-lead", incomplete);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(
            "missing required fields: Estimated time to resolution, Workaround, Next update"
        ),
        "{body}"
    );
    assert!(
        body.contains("jargon a customer may not understand: webhook, n8n"),
        "{body}"
    );
    // Another role's form, and fields the form does not have, are refused.
    let (status, _) = drill.decide(
        "comms-lead",
        serde_json::json!({ "kind": "update", "template": "exec-briefing", "fields": { "impact": "x" } }),
    );
    assert_eq!(status, 403);
    let (status, _) = drill.decide(
        "comms-lead",
        serde_json::json!({ "kind": "update", "template": "customer-notice", "fields": { "mood": "calm" } }),
    );
    assert_eq!(status, 422);

    // Ending the play opens the hot wash; a second `end` scores.
    drill.console("end");
    drill.wait_for_line(|l| l.starts_with("== Hot wash"));
    drill.console("hotwash 3 the IC approved within minutes; nobody waited");
    drill.wait_for_line(|l| l.contains("answer to Hot wash question 3 recorded"));
    drill.console("end");
    drill.finish();

    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("facilitated.results.json")).unwrap(),
    )
    .unwrap();
    let customers = results["per_run"][0]["comms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["audience"] == "customers")
        .unwrap()
        .clone();
    assert_eq!(customers["sent"], 2, "{customers}");
    assert_eq!(customers["fields_required"], 10, "{customers}");
    assert_eq!(customers["fields_filled"], 7, "{customers}");
    assert_eq!(customers["jargon_flags"], 2, "{customers}");

    let report = std::fs::read_to_string(dir.path().join("facilitated.report.md")).unwrap();
    assert!(report.contains("## Communications"), "{report}");
    assert!(report.contains("| 7 of 10 | 2 |"), "{report}");
    assert!(report.contains("missing required fields: Estimated time to resolution"));
    assert!(report.contains("### Module 1: orders are lagging (started T+"));
    assert!(report.contains("the hourly order count against NetSuite"));
    assert!(report.contains("## Hot wash"));
    assert!(report.contains("the IC approved within minutes; nobody waited"));
    assert!(report.contains("| respond-immediately | R | C | A | I | I |"));
    assert!(report.contains("customers: the updates left 3 of 10 required fields blank"));
    let html = std::fs::read_to_string(dir.path().join("facilitated.report.html")).unwrap();
    assert!(html.contains("<section id=\"toolkit\">") && html.contains("<h2>Hot wash</h2>"));

    // The journal replays into the same scored drill, answers and forms included.
    let replayed = common::ttx()
        .args([
            "replay",
            journal_path.to_str().unwrap(),
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert!(replayed.status.success());
    assert_eq!(
        String::from_utf8(replayed.stdout).unwrap(),
        std::fs::read_to_string(dir.path().join("facilitated.results.json")).unwrap()
    );
}

#[test]
fn a_communications_form_in_chromium_is_prefilled_checked_and_journaled() {
    browser_ready();
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("form.jsonl");
    let mut drill = facilitated_drill(&journal_path, "1500");
    let link = format!(
        "http://{}/join/{}",
        drill.address,
        drill.token("comms-lead")
    );
    let browser = Command::new("node")
        .arg(common::root().join("tests/browser/form.mjs"))
        .arg(&link)
        .arg(
            std::env::var("TTX_FORM_SCREENSHOT")
                .map_or_else(|_| dir.path().join("form.png"), PathBuf::from),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .expect("node runs the browser script");
    let said: Vec<String> = String::from_utf8_lossy(&browser.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert!(
        browser.status.success(),
        "browser script failed after {said:?}"
    );
    assert_eq!(
        said,
        [
            "prefilled order-ingest (shopify → netsuite)",
            "flagged",
            "sent"
        ]
    );
    let entries = journal(&journal_path);
    let sent = decisions(&entries, "update");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["decision"]["template"], "customer-notice");
    assert_eq!(
        sent[0]["decision"]["fields"]["affected_process"],
        "order-ingest (shopify → netsuite)"
    );
    let outcome = sent[0]["outcome"].as_str().unwrap();
    assert!(
        outcome.contains("missing required fields: Estimated time to resolution, Workaround"),
        "{outcome}"
    );
    assert!(
        outcome.contains("jargon a customer may not understand: webhook"),
        "{outcome}"
    );
    // One `end` opens the hot wash (or ends it, if the play is already over); closing the
    // console ends the hot wash.
    drill.console("end");
    drill.finish();
}

/// A fixture journal of `tests/fixtures/`, copied into `dir` so a resume can append to it.
fn fixture_journal(dir: &Path, name: &str) -> PathBuf {
    let copy = dir.join(name);
    std::fs::copy(common::root().join("tests/fixtures").join(name), &copy).unwrap();
    copy
}

/// Rewrites every line of a journal through `edit` (entries as JSON values).
fn edit_journal(path: &Path, edit: impl Fn(&mut Value)) {
    let mut text = String::new();
    for mut entry in journal(path) {
        edit(&mut entry);
        text.push_str(&entry.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// A whole drill of the default scenario, seed 3, nobody at the console and no people, so
/// it runs to its horizon at once; returns its results.
fn unattended_drill(journal_path: &Path) -> Value {
    DrillProcess::start(&[
        &default_scenario(),
        "--seed",
        "3",
        "--speed",
        "100000",
        "--no-console",
        "--journal",
        journal_path.to_str().unwrap(),
    ])
    .finish();
    let results = journal_path.with_extension("results.json");
    serde_json::from_str(&std::fs::read_to_string(results).unwrap()).unwrap()
}

/// Journals name what caused each event by ids, so resuming must not depend on the words:
/// a journal whose every message was reworded resumes into the very same drill.
#[test]
fn a_journal_whose_event_texts_were_reworded_resumes_by_its_keys() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.jsonl");
    let uninterrupted = unattended_drill(&whole);
    let entries = journal(&whole);
    assert_eq!(entries[0]["format"], "ttx-journal/2");
    let events: Vec<&Value> = entries.iter().filter(|e| e["type"] == "event").collect();
    assert!(events.len() > 4);
    for event in &events {
        assert!(
            event["key"]["cause"] == "event",
            "keyed by its step: {event}"
        );
    }
    assert_eq!(
        events[0]["key"],
        serde_json::json!({"cause": "event", "event": "fault_onset", "fault": "email-field-renamed", "system": "lead-sync", "incident": "main"})
    );

    // Stopped halfway (as a kill leaves it), every message reworded, then resumed.
    let stopped = dir.path().join("stopped.jsonl");
    let half = entries.len() / 2;
    let lines: Vec<String> = entries[..half].iter().map(|e| format!("{e}\n")).collect();
    std::fs::write(&stopped, lines.concat()).unwrap();
    edit_journal(&stopped, |entry| {
        if entry["type"] == "event" {
            entry["what"] = format!("reworded: {}", entry["what"].as_str().unwrap()).into();
        }
    });
    DrillProcess::start(&[
        "--resume",
        stopped.to_str().unwrap(),
        "--speed",
        "100000",
        "--no-console",
    ])
    .finish();
    let resumed: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("stopped.results.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        resumed, uninterrupted,
        "the same drill, however it was worded"
    );
}

/// A journal whose event does not follow from the scenario, the seed and the decisions is
/// refused, naming the entry and both keys.
#[test]
fn a_journal_whose_event_key_the_run_does_not_deliver_is_refused_with_the_key_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drill.jsonl");
    unattended_drill(&path);
    edit_journal(&path, |entry| {
        if entry["key"]["event"] == "signal" {
            entry["key"]["detector"] = "hourly-reconciliation".into();
        }
    });
    let first_signal = journal(&path)
        .into_iter()
        .find(|e| e["key"]["event"] == "signal")
        .unwrap()["seq"]
        .clone();
    let refused = common::ttx()
        .args(["replay", path.to_str().unwrap()])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        stderr.contains(&format!(
            "entry {first_signal}: the journal's event key is `signal (detector hourly-reconciliation, "
        )) && stderr.contains("but the run delivers `signal (detector zap-error-email, "),
        "{stderr}"
    );
}

/// Journals written before event keys (`ttx-journal/1`, fixtures made by that version) are
/// matched by their words: an ended one re-scores to the results its drill wrote.
#[test]
fn a_journal_written_before_event_keys_rescores_to_its_own_results() {
    let rescored = common::ttx()
        .args([
            "replay",
            common::root()
                .join("tests/fixtures/drill-journal-v1-ended.jsonl")
                .to_str()
                .unwrap(),
            "--format",
            "jsonl",
        ])
        .assert()
        .success();
    let mut rescored: Value = serde_json::from_slice(&rescored.get_output().stdout).unwrap();
    // The fixture was written before results carried their rows' checksum.
    let checksum = rescored.as_object_mut().unwrap().remove("rows_sha256");
    assert!(checksum.is_some_and(|c| c.as_str().unwrap().starts_with("sha256:")));
    let written: Value = serde_json::from_str(
        &std::fs::read_to_string(
            common::root().join("tests/fixtures/drill-journal-v1-ended.results.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(rescored, written);
}

/// An interrupted `ttx-journal/1` journal resumes: its lines kept as written, the new ones
/// keyed, the decisions from before the stop still in the run.
#[test]
fn a_journal_written_before_event_keys_resumes_and_appends_keyed_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture_journal(dir.path(), "drill-journal-v1-interrupted.jsonl");
    let before = std::fs::read(&path).unwrap();
    let kept = journal(&path).len();
    DrillProcess::start(&[
        "--resume",
        path.to_str().unwrap(),
        "--speed",
        "100000",
        "--no-console",
    ])
    .finish();
    let after = std::fs::read(&path).unwrap();
    assert_eq!(
        &after[..before.len()],
        &before[..],
        "old lines kept as written"
    );
    let entries = journal(&path);
    assert_eq!(entries[0]["format"], "ttx-journal/1");
    assert!(
        entries[kept]["what"]
            .as_str()
            .unwrap()
            .starts_with("resumed")
    );
    let appended: Vec<&Value> = entries[kept..]
        .iter()
        .filter(|e| e["type"] == "event")
        .collect();
    assert!(!appended.is_empty());
    assert!(appended.iter().all(|e| e["key"]["cause"] == "event"));
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("drill-journal-v1-interrupted.results.json"))
            .unwrap(),
    )
    .unwrap();
    let acknowledged = 39.066694325 - 37.00481621724256;
    let run = &results["per_run"][0];
    assert!((run["time_to_acknowledge"].as_f64().unwrap() - acknowledged).abs() < 1e-9);
}

/// Without keys, a message this version words differently cannot be told from an edited
/// journal: the `ttx-journal/1` journal is refused by entry, naming the version to use.
#[test]
fn a_journal_written_before_event_keys_whose_words_changed_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture_journal(dir.path(), "drill-journal-v1-interrupted.jsonl");
    edit_journal(&path, |entry| {
        if entry["what"] == "milestone: onset (main)" {
            entry["what"] = "milestone reached: onset (main)".into();
        }
    });
    for args in [
        vec!["replay", path.to_str().unwrap()],
        vec!["drill", "--resume", path.to_str().unwrap(), "--no-console"],
    ] {
        let refused = common::ttx().args(&args).assert().code(1);
        let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
        assert!(
            stderr.contains("entry 4 has no event key (format `ttx-journal/1`, written by ttx 0.1.0) and says `milestone reached: onset (main)` where this ttx delivers `milestone: onset (main)`")
                && stderr.contains("resume or re-score it with ttx 0.1.0"),
            "{args:?}: {stderr}"
        );
    }
}

/// Regression: the console reads stdin on a blocking thread, and the runtime used to wait for
/// it on the way out, so `end` typed at a terminal left the drill hanging until another line.
#[test]
fn end_at_an_open_console_exits_without_more_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut drill = seed_3_drill(&dir.path().join("drill.jsonl"), "60", "on-call");
    drill.console("end");
    // stdin stays open: the process must exit on its own.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = drill.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the drill did not exit after `end` with its console still open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(drill.stdin.is_some(), "the console was still open");
}

/// A drill's outputs must be rebuildable from its journal alone (a kill after `end`, a lost
/// file): `ttx report X.jsonl` writes the very bytes the drill wrote, never over its files.
#[test]
fn report_of_a_journal_rebuilds_the_drills_own_outputs_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drill.jsonl");
    let mut drill = seed_3_drill(&path, "60", "on-call");
    drill.console("note the room is ready -- warm-up");
    drill.console("skip");
    drill.console("as on-call ack -- on the phone");
    drill.console("end");
    drill.finish();
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    let report = String::from_utf8(read("drill.report.md")).unwrap();
    assert!(
        report.contains("note: the room is ready (rationale: warm-up)"),
        "a note's text is in the decision log"
    );
    assert!(
        report.contains("on-call acknowledged main (entered by the facilitator)"),
        "the console's decision for a role says who entered it"
    );

    common::ttx()
        .args(["report", path.to_str().unwrap()])
        .assert()
        .success();
    for suffix in ["results.json", "report.md", "report.html"] {
        assert!(
            read(&format!("drill.{suffix}")) == read(&format!("drill-2.{suffix}")),
            "drill-2.{suffix} differs from what the drill wrote"
        );
    }

    let html = dir.path().join("again.html");
    let again = || {
        common::ttx()
            .args([
                "report",
                path.to_str().unwrap(),
                "--format",
                "html",
                "--out",
            ])
            .arg(&html)
            .assert()
    };
    again().success();
    assert!(std::fs::read(&html).unwrap() == read("drill.report.html"));
    // Never replaced without --force.
    again().failure().code(2);
    common::ttx()
        .args(["report", path.to_str().unwrap(), "--out"])
        .arg(&html)
        .assert()
        .failure()
        .code(2)
        .stderr(predicates::str::contains("choose its --format"));
}
