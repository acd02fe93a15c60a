//! `ttx replay`: the trace of one run is the run the batch computed. For pseudo-random
//! (seed, run) pairs of two shipped scenarios, the metrics recomputed from the replayed
//! JSON-lines trace (milestone times, final record counts, counters) equal that run's row in
//! the batch CSV.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::common;

/// Two scenarios with what the milestone rules must get right: two concurrent incidents
/// (slowest incident, each from its own onset) and a fault that can clear before anyone sees
/// it (it then does not count toward detection).
const SCENARIOS: [&str; 2] = [
    "concurrent-incidents.toml",
    "hubspot-slack-upstream-outage.toml",
];
const SEEDS_PER_SCENARIO: usize = 5;
const RUNS_PER_SEED: usize = 5;
const BATCH_RUNS: u64 = 300;

/// SplitMix64: a fixed, dependency-free source of "random" pairs, so a failure reproduces.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The batch CSV as one map (column -> cell) per run.
fn batch_rows(dir: &Path, scenario: &Path, seed: u64) -> Vec<HashMap<String, String>> {
    let csv = dir.join(format!("batch-{seed}.csv"));
    common::ttx()
        .args(["run", "--quiet", "--runs", &BATCH_RUNS.to_string()])
        .args(["--seed", &seed.to_string()])
        .arg(scenario)
        .arg("--export-csv")
        .arg(&csv)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv).expect("CSV written");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|line| {
            header
                .iter()
                .zip(line.split(','))
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect()
        })
        .collect()
}

fn replay_lines(scenario: &Path, seed: u64, run: u64) -> Vec<Value> {
    let output = common::ttx()
        .arg("replay")
        .arg(scenario)
        .args(["--seed", &seed.to_string(), "--run", &run.to_string()])
        .args(["--format", "jsonl"])
        .output()
        .expect("ttx runs");
    assert!(
        output.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect()
}

/// What the CSV row holds, recomputed from the trace alone.
#[derive(Debug, PartialEq)]
struct Recomputed {
    cells: Vec<(String, Option<f64>)>,
}

fn recompute(lines: &[Value]) -> Recomputed {
    let run = &lines[0];
    let end = lines.last().expect("end line");
    assert_eq!(run["type"], "run");
    assert_eq!(end["type"], "end");
    let horizon = run["horizon_minutes"].as_f64().expect("horizon");
    let events: Vec<&Value> = lines[1..lines.len() - 1].iter().collect();
    assert!(events.iter().all(|e| e["type"] == "event"));

    // Milestone times per incident, from the `reached` lists of the events.
    let mut milestones: HashMap<String, HashMap<String, f64>> = HashMap::new();
    for event in &events {
        for reached in event["reached"].as_array().expect("reached") {
            let incident = reached["incident"].as_str().expect("incident").to_string();
            let milestone = reached["milestone"]
                .as_str()
                .expect("milestone")
                .to_string();
            let time = event["time"].as_f64().expect("time");
            let previous = milestones
                .entry(incident)
                .or_default()
                .insert(milestone, time);
            assert!(previous.is_none(), "a milestone reached twice");
        }
    }
    // Incidents that began: the run's times are the slowest incident's, each from its own
    // onset; an incident that cleared before anyone detected it asks nothing of detection or
    // acknowledgement (docs/model.md, "Per-run metrics").
    let began: Vec<&HashMap<String, f64>> = milestones
        .values()
        .filter(|m| m.contains_key("onset"))
        .collect();
    let time_to = |milestone: &str| -> Option<f64> {
        let mut slowest: Option<f64> = None;
        for m in &began {
            let cleared_unseen = !m.contains_key("detected") && m.contains_key("recovered");
            if cleared_unseen && (milestone == "detected" || milestone == "acknowledged") {
                continue;
            }
            let took = m.get(milestone)? - m["onset"];
            slowest = Some(slowest.map_or(took, |s| s.max(took)));
        }
        slowest
    };
    let onsets = began.iter().map(|m| m["onset"]);
    let first_onset = onsets.clone().reduce(f64::min);
    let last_onset = onsets.reduce(f64::max);

    let count = |f: &dyn Fn(&Value) -> bool| Some(events.iter().filter(|e| f(e)).count() as f64);
    let said = |e: &Value, prefix: &str| {
        e["what"]
            .as_array()
            .expect("what")
            .iter()
            .filter(|w| w.as_str().expect("text").starts_with(prefix))
            .count()
    };
    let records = |key: &str| end["records"][key].as_f64();
    let mut cells = vec![
        ("onset", first_onset),
        ("time_to_detect", time_to("detected")),
        ("time_to_acknowledge", time_to("acknowledged")),
        ("time_to_contain", time_to("contained")),
        ("time_to_recover", time_to("recovered")),
        ("censored_at", Some(last_onset.map_or(0.0, |o| horizon - o))),
        ("records_offered", records("offered")),
        ("records_delivered", records("delivered")),
        ("records_failed", records("failed")),
        ("records_lost", records("lost")),
        ("records_queued", records("queued")),
        ("records_recovered", records("recovered")),
        ("updates", count(&|e| e["event"] == "update_sent")),
        ("failed_attempts", count(&|e| said(e, "action failed") > 0)),
        (
            "wrong_diagnoses",
            count(&|e| said(e, "wrong diagnosis") > 0),
        ),
    ];
    let breaches: usize = events.iter().map(|e| said(e, "breach:")).sum();
    cells.push(("targets_breached", Some(breaches as f64)));
    let injects: usize = events.iter().map(|e| said(e, "inject to ")).sum();
    cells.push(("injects", Some(injects as f64)));
    Recomputed {
        cells: cells.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    }
}

fn from_row(row: &HashMap<String, String>, like: &Recomputed) -> Recomputed {
    Recomputed {
        cells: like
            .cells
            .iter()
            .map(|(k, _)| {
                let cell = &row[k];
                let value = (!cell.is_empty()).then(|| cell.parse::<f64>().expect("a number"));
                (k.clone(), value)
            })
            .collect(),
    }
}

#[test]
fn metrics_recomputed_from_replayed_traces_equal_the_batch_csv_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut state = 0x7474_785f_7265_706c; // "ttx_repl"
    let mut pairs = 0;
    let mut censored = 0;
    for name in SCENARIOS {
        let scenario = common::scenario(name);
        for _ in 0..SEEDS_PER_SCENARIO {
            let seed = splitmix(&mut state) % 1_000_000;
            let rows = batch_rows(dir.path(), &scenario, seed);
            assert_eq!(rows.len() as u64, BATCH_RUNS);
            for _ in 0..RUNS_PER_SEED {
                let run = splitmix(&mut state) % BATCH_RUNS;
                let row = &rows[run as usize];
                assert_eq!(row["run"], run.to_string());
                let lines = replay_lines(&scenario, seed, run);
                let traced = recompute(&lines);
                let batch = from_row(row, &traced);
                assert_eq!(
                    traced, batch,
                    "{name} seed {seed} run {run}: the replayed trace (left) disagrees with the batch CSV row (right)"
                );
                censored += traced.cells[1..5].iter().any(|(_, v)| v.is_none()) as usize;
                pairs += 1;
            }
        }
    }
    assert_eq!(pairs, 50);
    eprintln!("{pairs} (seed, run) pairs agree; {censored} with a censored time");
}

#[test]
fn a_text_replay_shows_events_state_and_milestones() {
    let output = common::ttx()
        .args(["replay", "--seed", "7", "--run", "3"])
        .output()
        .expect("ttx runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(text.starts_with("lead-sync-schema-drift (v1.0) · seed 7 · run 3 · horizon 1d00h\n"));
    for expected in [
        "fault_onset",
        "milestone: onset (main)",
        "records: ",
        "open items: ",
        "milestones of main: onset ",
        "time to detect ",
    ] {
        assert!(text.contains(expected), "no `{expected}` in:\n{text}");
    }
}

#[test]
fn a_results_file_replays_with_its_own_scenario_and_seed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("batch.json");
    common::ttx()
        .args([
            "run",
            "--quiet",
            "--runs",
            "20",
            "--seed",
            "9",
            "--export-json",
        ])
        .arg(&json)
        .assert()
        .success();
    let from_results = common::ttx()
        .arg("replay")
        .arg(&json)
        .args(["--run", "12", "--format", "jsonl"])
        .output()
        .expect("ttx runs");
    let from_scenario = common::ttx()
        .args(["replay", "--seed", "9", "--run", "12", "--format", "jsonl"])
        .output()
        .expect("ttx runs");
    assert!(from_results.status.success());
    assert_eq!(from_results.stdout, from_scenario.stdout);

    let wrong_seed = common::ttx()
        .arg("replay")
        .arg(&json)
        .args(["--seed", "10", "--run", "12"])
        .output()
        .expect("ttx runs");
    assert_eq!(wrong_seed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong_seed.stderr).contains("holds seed 9, not 10"));

    let missing_run = common::ttx()
        .arg("replay")
        .arg(&json)
        .args(["--run", "20"])
        .output()
        .expect("ttx runs");
    assert_eq!(missing_run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing_run.stderr).contains("has no run 20; its runs are 0..=19")
    );
}

#[test]
fn a_missing_drill_journal_is_an_io_error_and_a_bad_one_is_invalid() {
    let output = common::ttx()
        .args(["replay", "no-such-journal.jsonl"])
        .output()
        .expect("ttx runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-journal.jsonl"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"seq\": 0}\n").unwrap();
    let output = common::ttx()
        .args(["replay", bad.to_str().unwrap()])
        .output()
        .expect("ttx runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.jsonl:1: not a journal entry"),
        "{stderr}"
    );
}

#[test]
fn replaying_a_scenario_needs_a_run_index() {
    let output = common::ttx()
        .args(["replay", "--seed", "1"])
        .output()
        .expect("ttx runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--run"));
}
