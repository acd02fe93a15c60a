//! The exercise programme: drills that name their players, `ttx roster` over a folder of
//! them (who played what, the proposed rotation), and micro-exercises in the trend.

use std::path::Path;

use serde_json::Value;

use crate::common;

/// Runs an unattended drill of the default scenario (nobody at the console, no people: it
/// runs to its horizon at once) into `dir/LABEL.jsonl`, with `extra` arguments.
fn drill(dir: &Path, label: &str, seed: &str, extra: &[&str]) {
    let journal = dir.join(format!("{label}.jsonl"));
    common::ttx()
        .args(["drill", "--seed", seed, "--speed", "100000", "--no-console"])
        .args(["--listen", "127.0.0.1:0", "--label", label, "--journal"])
        .arg(&journal)
        .args(extra)
        .assert()
        .success();
}

fn results(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The acceptance case: four named drills give the who-played-what table and a proposal that
/// gives the one person who never played on-call that role, and the other role to whoever
/// played it longest ago.
#[test]
fn four_named_drills_give_the_rotation_table_and_a_proposal() {
    let dir = tempfile::tempdir().unwrap();
    let drills = dir.path().join("drills");
    let cast = [
        ("2026-Q1", "Alice", "Bo"),
        ("2026-Q2", "Bo", "Alice"),
        ("2026-Q3", "Alice", "Cy"),
        ("2026-Q4", "Bo", "alice"),
    ];
    for (i, (label, on_call, commander)) in cast.iter().enumerate() {
        let on_call = format!("on-call={on_call}");
        let commander = format!("incident-commander={commander}");
        let seed = (11 + i).to_string();
        drill(
            &drills,
            label,
            &seed,
            &["--player", &on_call, "--player", &commander],
        );
    }
    // A drill that names nobody and a simulated batch are counted and left out.
    drill(&drills, "2026-Q4b", "15", &[]);
    common::ttx()
        .args(["run", "--runs", "50", "--quiet", "--export-json"])
        .arg(drills.join("batch.json"))
        .assert()
        .success();
    let q1 = results(&drills.join("2026-Q1.results.json"));
    assert_eq!(q1["drill"]["players"]["on-call"], "Alice");
    assert_eq!(q1["drill"]["players"]["incident-commander"], "Bo");
    let report = std::fs::read_to_string(drills.join("2026-Q1.report.md")).unwrap();
    assert!(
        report.contains(
            "played by people: incident-commander (Bo, through the facilitator), on-call (Alice, through the facilitator);"
        ),
        "the report names the players"
    );

    let json = common::ttx()
        .args(["roster", "--format", "json"])
        .arg(&drills)
        .output()
        .unwrap();
    assert!(json.status.success());
    let roster: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(roster["drills"].as_array().unwrap().len(), 4);
    assert_eq!(roster["unnamed"].as_array().unwrap().len(), 1);
    assert_eq!(roster["batches"].as_array().unwrap().len(), 1);
    // Names match whatever their case; the last spelling shows.
    assert_eq!(roster["people"], serde_json::json!(["alice", "Bo", "Cy"]));
    let times = |person: &str, role: &str| {
        (roster["played"].as_array().unwrap().iter())
            .find(|p| p["person"] == person && p["role"] == role)
            .map_or(0, |p| p["times"].as_u64().unwrap())
    };
    assert_eq!(times("alice", "on-call"), 2);
    assert_eq!(times("alice", "incident-commander"), 2);
    assert_eq!(times("Bo", "on-call"), 2);
    assert_eq!(times("Bo", "incident-commander"), 1);
    assert_eq!(times("Cy", "incident-commander"), 1);
    assert_eq!(times("Cy", "on-call"), 0);
    let proposal = roster["proposal"].as_array().unwrap();
    let next = |role: &str| {
        let p = proposal.iter().find(|p| p["role"] == role).unwrap();
        (
            p["person"].as_str().unwrap().to_string(),
            p["new_to_them"].as_bool().unwrap(),
        )
    };
    // Cy has never been on call; of the others, Bo led the incident longest ago (Q1).
    assert_eq!(next("on-call"), ("Cy".to_string(), true));
    assert_eq!(next("incident-commander"), ("Bo".to_string(), false));
    assert_eq!(roster["sitting_out"], serde_json::json!(["alice"]));
    assert_eq!(roster["not_yet"]["Cy"], serde_json::json!(["on-call"]));

    let text = common::ttx().arg("roster").arg(&drills).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    assert!(
        text.starts_with("roster: 4 drills with named players, "),
        "{text}"
    );
    assert!(
        text.contains("person  incident-commander  on-call\n"),
        "{text}"
    );
    assert!(
        text.contains("\non-call             Cy    has never played it\n"),
        "{text}"
    );
    assert!(
        text.contains("\nincident-commander  Bo    played it 1×, last "),
        "{text}"
    );
    assert!(text.contains("(3 drills ago)\n"), "{text}");
    assert!(text.contains("sitting out (observing): alice\n"), "{text}");
    assert!(text.ends_with("not played yet\n  Cy: on-call\n"), "{text}");

    let markdown = common::ttx()
        .args(["roster", "--format", "markdown"])
        .arg(&drills)
        .output()
        .unwrap();
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(
        markdown.contains("| on-call | Cy | has never played it |"),
        "{markdown}"
    );
    assert!(markdown.contains("| Cy | 1× "), "{markdown}");
}

/// A name for a role the scenario does not have is refused before anything is written.
#[test]
fn a_player_for_an_unknown_role_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("d.jsonl");
    let out = common::ttx()
        .args([
            "drill",
            "--no-console",
            "--listen",
            "127.0.0.1:0",
            "--player",
        ])
        .arg("on-cal=Alice")
        .arg("--journal")
        .arg(&journal)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("--player on-cal=Alice"), "{stderr}");
    assert!(!journal.exists());
}

/// A micro-exercise of one module skips to the module's start, ends when its time box
/// closes, says so in its results and report, and feeds the trend beside a full drill,
/// marked there.
#[test]
fn a_micro_exercise_is_boxed_marked_and_accepted_by_the_trend() {
    let dir = tempfile::tempdir().unwrap();
    let drills = dir.path().join("drills");
    let scenario = common::scenario("shopify-netsuite-facilitated.toml");
    let scenario = scenario.to_str().unwrap();
    // 0.05 wall minutes at speed 600: a box of 30 scenario minutes, 3 wall seconds.
    common::ttx()
        .args([
            "drill",
            scenario,
            "--module",
            "respond-and-inform",
            "--minutes",
            "0.05",
        ])
        .args([
            "--speed",
            "600",
            "--seed",
            "5",
            "--no-console",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--label", "2026-11-02", "--journal"])
        .arg(drills.join("micro.jsonl"))
        .assert()
        .success();
    let micro = results(&drills.join("micro.results.json"));
    assert_eq!(micro["drill"]["micro"]["module"], "respond-and-inform");
    assert_eq!(micro["drill"]["micro"]["window"], 30.0);
    let journal = std::fs::read_to_string(drills.join("micro.jsonl")).unwrap();
    let entries: Vec<Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let started = entries
        .iter()
        .find(|e| (e["what"].as_str()).is_some_and(|w| w.starts_with("module starts: Module 2")))
        .map(|e| e["t"].as_f64().unwrap());
    let end = entries.last().unwrap();
    assert_eq!(end["type"], "end");
    assert_eq!(end["reason"], "the micro-exercise's time box closed");
    let started = started.expect("the module started");
    assert!(
        (end["t"].as_f64().unwrap() - (started + 30.0)).abs() < 1e-9,
        "{end}"
    );
    // Nothing of the play before the module was waited for: the first thing after the
    // start is the skip to it.
    assert_eq!(entries[1]["what"], "skip");
    let report = std::fs::read_to_string(drills.join("micro.report.md")).unwrap();
    assert!(
        report.contains(
            "A micro-exercise of module `respond-and-inform`: a time box of 0.05 wall minutes"
        ),
        "{report}"
    );

    common::ttx()
        .args([
            "drill",
            scenario,
            "--seed",
            "6",
            "--speed",
            "100000",
            "--no-console",
        ])
        .args([
            "--listen",
            "127.0.0.1:0",
            "--label",
            "2026-10-01",
            "--journal",
        ])
        .arg(drills.join("full.jsonl"))
        .assert()
        .success();
    let trend = common::ttx()
        .arg("trend")
        .arg(drills.join("full.results.json"))
        .arg(drills.join("micro.results.json"))
        .output()
        .unwrap();
    assert!(
        trend.status.success(),
        "{}",
        String::from_utf8_lossy(&trend.stderr)
    );
    let text = String::from_utf8(trend.stdout).unwrap();
    assert!(text.contains("2026-11-02 (micro)"), "{text}");
    assert!(
        text.contains("1 of the drills is a micro-exercise (marked (micro))"),
        "{text}"
    );
}
