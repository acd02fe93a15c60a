//! `ttx drill` losing nothing and forging nothing: a resume keeps the clock as it was, a
//! failed start leaves no journal, idle sockets cannot lock players out, the outputs of an
//! ended drill can be rebuilt from its journal, and participant text stays text.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::drill::{DrillProcess, default_scenario, journal, seed_3_drill};
use crate::common;

#[test]
fn resume_after_a_crash_while_paused_at_speed_50_is_paused_at_speed_50() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("drill.jsonl");
    let mut drill = seed_3_drill(&journal_path, "5", "on-call");
    drill.console("speed 50");
    drill.console("pause");
    drill.wait_for_line(|l| l.ends_with("  pause"));
    drill.child.kill().unwrap(); // SIGKILL
    drill.child.wait().unwrap();

    let mut resumed = DrillProcess::start(&["--resume", journal_path.to_str().unwrap()]);
    let paused_at = resumed.state("on-call")["t"].as_f64().unwrap();
    resumed.console("status");
    let status = resumed.wait_for_line(|l| l.contains(" at speed "));
    assert!(status.contains("paused at speed 50;"), "{status}");
    std::thread::sleep(Duration::from_millis(500));
    let state = resumed.state("on-call");
    assert_eq!(state["paused"], true);
    assert_eq!(
        state["t"].as_f64().unwrap(),
        paused_at,
        "the clock stands still"
    );
    resumed.console("end");
    resumed.finish();
}

#[test]
fn a_failed_start_leaves_nothing_behind_and_the_same_command_works_once_the_address_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("drill.jsonl");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let args = |address: &str| {
        vec![
            "drill".to_string(),
            default_scenario(),
            "--humans".to_string(),
            "on-call".to_string(),
            "--no-console".to_string(),
            "--listen".to_string(),
            address.to_string(),
            "--journal".to_string(),
            journal_path.display().to_string(),
        ]
    };
    let failed = common::ttx().args(args(&address)).assert().code(2);
    let stderr = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
    assert!(
        stderr.contains(&format!("cannot serve participant pages on {address}")),
        "{stderr}"
    );
    assert!(!journal_path.exists(), "no journal, no tokens left behind");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    drop(taken);
    // The same command, once the address is free, starts (and is ended by closing it).
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ttx"))
        .args(args(&address))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !journal_path.exists() {
        assert!(Instant::now() < deadline, "the retry never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(journal(&journal_path)[0]["type"], "start");
}

#[test]
fn five_hundred_idle_connections_do_not_delay_a_players_request_beyond_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("drill.jsonl");
    // Under a 256-file limit, as on a facilitator's laptop with a low default.
    let mut command = std::process::Command::new("bash");
    command.args([
        "-c",
        "ulimit -n 256 && exec \"$0\" \"$@\"",
        super::drill::ttx_binary().to_str().unwrap(),
        "drill",
        &default_scenario(),
        "--seed",
        "3",
        "--humans",
        "on-call",
        "--journal",
        journal_path.to_str().unwrap(),
    ]);
    let mut drill = DrillProcess::spawn(command);
    // Half-open sockets that never send a byte, and some that stop mid-headers.
    let idle: Vec<TcpStream> = (0..500)
        .map(|i| {
            let mut s = TcpStream::connect(&drill.address).unwrap();
            if i % 2 == 1 {
                let _ = s.write_all(b"GET /api/state HTTP/1.1\r\nHost: x\r\n");
            }
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..5 {
        let asked = Instant::now();
        let state = drill.state("on-call");
        let took = asked.elapsed();
        assert_eq!(state["view"]["role"], "on-call");
        assert!(
            took < Duration::from_secs(1),
            "a player's request took {took:?} beside 500 idle connections"
        );
    }
    drop(idle);
    drill.console("end");
    drill.finish();
}

/// The three outputs beside `journal`, as bytes (`None`: missing).
fn outputs(journal: &std::path::Path) -> Vec<Option<Vec<u8>>> {
    ["results.json", "report.md", "report.html"]
        .map(|suffix| std::fs::read(journal.with_extension(suffix)).ok())
        .to_vec()
}

/// `ttx drill --resume` of an ended journal; returns what it printed.
fn rebuild(journal: &std::path::Path) -> String {
    let done = common::ttx()
        .args([
            "drill",
            "--resume",
            journal.to_str().unwrap(),
            "--no-console",
        ])
        .assert()
        .success();
    String::from_utf8_lossy(&done.get_output().stdout).into_owned()
}

/// A kill in the moment between the `end` entry and the outputs used to lose the report for
/// good: whenever it comes, `--resume` of the ended journal writes the outputs it lacks, the
/// very bytes an uninterrupted drill writes.
#[test]
fn sigkill_at_random_moments_after_the_end_entry_loses_no_output() {
    use rand::RngExt;
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand::rng();
    let mut interrupted = 0;
    for trial in 0..20 {
        let journal_path = dir.path().join(format!("drill-{trial}.jsonl"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ttx"))
            .args([
                "drill",
                &default_scenario(),
                "--seed",
                &(trial % 5 + 1).to_string(),
                "--speed",
                "100000",
                "--no-console",
                "--listen",
                "127.0.0.1:0",
                "--journal",
                journal_path.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ended = std::fs::read_to_string(&journal_path)
                .is_ok_and(|text| text.contains("\"type\":\"end\""));
            if ended || child.try_wait().unwrap().is_some() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "trial {trial}: the drill never ended"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(0..400)));
        let _ = child.kill(); // SIGKILL, or nothing if it already exited
        child.wait().unwrap();
        let left = outputs(&journal_path);
        if left.iter().any(Option::is_none) {
            interrupted += 1;
        }
        let said = rebuild(&journal_path);
        assert!(said.contains("this drill has ended"), "{said}");
        let rebuilt = outputs(&journal_path);
        // The reference: the same journal, rebuilt whole in a folder of its own.
        let fresh = dir.path().join(format!("fresh-{trial}"));
        std::fs::create_dir(&fresh).unwrap();
        let copy = fresh.join(format!("drill-{trial}.jsonl"));
        std::fs::copy(&journal_path, &copy).unwrap();
        rebuild(&copy);
        assert_eq!(rebuilt, outputs(&copy), "trial {trial}");
        assert!(rebuilt.iter().all(Option::is_some), "trial {trial}");
        for (kept, now) in left.iter().zip(&rebuilt) {
            if kept.is_some() {
                assert_eq!(
                    kept, now,
                    "trial {trial}: a written output is left as it was"
                );
            }
        }
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                !name.contains(".partial-") || name.starts_with("fresh"),
                "{name}"
            );
        }
    }
    eprintln!("{interrupted} of 20 trials were killed before every output was written");
}

/// What an uninterrupted drill writes is what its journal rebuilds.
#[test]
fn an_uninterrupted_drills_outputs_are_what_its_journal_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("drill.jsonl");
    let mut drill = seed_3_drill(&journal_path, "600", "on-call");
    drill.play("on-call");
    drill.finish();
    let written = outputs(&journal_path);
    assert!(written.iter().all(Option::is_some));
    assert!(rebuild(&journal_path).contains("nothing to write"));
    let fresh = dir.path().join("fresh");
    std::fs::create_dir(&fresh).unwrap();
    let copy = fresh.join("drill.jsonl");
    std::fs::copy(&journal_path, &copy).unwrap();
    rebuild(&copy);
    assert_eq!(outputs(&copy), written);
}

/// Participant text is shown as text everywhere: a note holding ESC, CR and `<script>`
/// neither drives the facilitator's terminal nor becomes markup in a report.
#[test]
fn a_note_with_escape_codes_and_markup_shows_as_visible_text_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("drill.jsonl");
    let mut drill = seed_3_drill(&journal_path, "60", "on-call");
    let hostile = "\u{1b}[2J\rfake line <script>alert(1)</script> & more";
    let (status, body) = drill.decide(
        "on-call",
        serde_json::json!({ "kind": "note", "text": hostile }),
    );
    assert_eq!(status, 200, "{body}");
    drill.console("end");
    let printed = drill.finish();
    let shown = r"\x1b[2J\x0dfake line <script>alert(1)</script> & more";
    let console = printed.iter().find(|l| l.contains("fake line")).unwrap();
    assert!(console.contains(shown), "{console:?}");
    assert!(printed.iter().all(|l| !l.contains(['\u{1b}', '\r'])));

    let replay = common::ttx()
        .args(["replay", journal_path.to_str().unwrap()])
        .assert()
        .success();
    let replay = String::from_utf8_lossy(&replay.get_output().stdout).into_owned();
    assert!(replay.contains(shown), "{replay}");
    assert!(!replay.contains(['\u{1b}', '\r']));

    let markdown = std::fs::read_to_string(journal_path.with_extension("report.md")).unwrap();
    assert!(
        markdown.contains(r"\x1b[2J\x0dfake line &lt;script>alert(1)&lt;/script> &amp; more"),
        "{markdown}"
    );
    assert!(!markdown.contains("<script>") && !markdown.contains(['\u{1b}', '\r']));
    let html = std::fs::read_to_string(journal_path.with_extension("report.html")).unwrap();
    assert!(
        html.contains(r"\x1b[2J\x0dfake line &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"),
        "the note in the HTML report"
    );
    assert!(!html.contains("<script>") && !html.contains(['\u{1b}', '\r']));
}
