//! The command line: exit codes (0 success, 1 invalid scenario, 2 usage or I/O error), the
//! summary of `ttx run`, and the JSON and CSV exports (never clobbering a file without
//! `--force`).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common;

/// Runs kept small: these tests are about the interface, not the statistics.
const RUNS: u64 = 50;

/// The scenario files shipped in `scenarios/`, as paths relative to the project root.
fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::root().join("scenarios"))
        .expect("scenarios/ exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            p.strip_prefix(common::root())
                .expect("under the root")
                .to_path_buf()
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios shipped");
    files
}

fn stderr_of(output: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "ttx panicked:\n{stderr}");
    stderr
}

/// `ttx run` on the bundled scenario with the given extra arguments, in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    common::ttx()
        .current_dir(dir)
        .args(["run", "--quiet", "--runs", &RUNS.to_string(), "--seed", "7"])
        .args(args)
        .output()
        .expect("ttx runs")
}

// ---- ttx check -------------------------------------------------------------------------------

#[test]
fn check_accepts_every_shipped_scenario() {
    for file in shipped_scenarios() {
        let output = common::ttx()
            .current_dir(common::root())
            .arg("check")
            .arg(&file)
            .output()
            .expect("ttx runs");
        let stderr = stderr_of(&output);
        assert_eq!(
            output.status.code(),
            Some(0),
            "`ttx check {}` failed:\n{stderr}",
            file.display()
        );
        assert!(
            stderr.contains(&format!("ok: {}", file.display())),
            "no `ok:` line for {}:\n{stderr}",
            file.display()
        );
        assert!(
            !stderr.contains("error:"),
            "errors for {}:\n{stderr}",
            file.display()
        );
    }
}

#[test]
fn check_accepts_all_shipped_scenarios_in_one_call() {
    let output = common::ttx()
        .current_dir(common::root())
        .arg("check")
        .args(shipped_scenarios())
        .output()
        .expect("ttx runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

#[test]
fn check_on_a_missing_file_is_an_io_error() {
    let output = common::ttx()
        .current_dir(common::root())
        .args(["check", "scenarios/does-not-exist.toml"])
        .output()
        .expect("ttx runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("could not read scenario 'scenarios/does-not-exist.toml'"),
        "{stderr}"
    );
    assert!(stderr.contains("caused by:"), "{stderr}");
}

#[test]
fn check_on_a_directory_is_an_io_error() {
    let output = common::ttx()
        .current_dir(common::root())
        .args(["check", "scenarios"])
        .output()
        .expect("ttx runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("could not read scenario"), "{stderr}");
}

#[test]
fn check_with_no_file_is_a_usage_error() {
    let output = common::ttx().arg("check").output().expect("ttx runs");
    stderr_of(&output);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn check_exits_with_the_worst_code_of_its_files() {
    let valid = shipped_scenarios().remove(0);
    let check = |extra: &str| {
        let output = common::ttx()
            .current_dir(common::root())
            .arg("check")
            .arg(&valid)
            .arg(extra)
            .output()
            .expect("ttx runs");
        let stderr = stderr_of(&output);
        assert!(
            stderr.contains(&format!("ok: {}", valid.display())),
            "the valid file is still checked and reported:\n{stderr}"
        );
        output.status.code()
    };
    assert_eq!(check("tests/malformed/dangling-role.toml"), Some(1));
    assert_eq!(check("no/such/file.toml"), Some(2));
}

// ---- ttx run ---------------------------------------------------------------------------------

#[test]
fn run_without_a_scenario_prints_the_four_time_metrics() {
    let output = common::ttx()
        .args(["run", "--runs", "200"])
        .output()
        .expect("ttx runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    for label in [
        "time to detect",
        "time to acknowledge",
        "time to contain",
        "time to recover",
    ] {
        assert!(stdout.contains(label), "summary lacks `{label}`:\n{stdout}");
    }
    assert!(stdout.contains("200 runs"), "{stdout}");
}

/// One loud fault at minute 2 of `horizon`, seen by an error monitor of mean `latency`, on
/// one role (with `role_extra` lines) who runs one action of `effect`.
fn short_horizon_scenario(horizon: &str, latency: &str, role_extra: &str, effect: &str) -> String {
    format!(
        r#"[scenario]
name = "saturated"
title = "Saturated"
horizon = "{horizon}"
{landscape}
[[faults]]
id = "f"
kind = "schema_drift"
target = "flow"
onset = "2m"
effect = {{ mode = "loud", share = 1.0 }}
[[detectors]]
id = "m"
kind = "monitor"
watches = "flow"
signal = "errors"
latency = {{ dist = "exponential", mean = "{latency}" }}
[[roles]]
id = "eng"
acknowledge = "5m"
decide = "5m"
{role_extra}
[escalation]
severities = [{{ level = "SEV2", acknowledge_within = "15m", restore_within = "4h", page = ["eng"] }}]
[[actions]]
id = "fix"
by = "eng"
target = "flow"
effect = "{effect}"
duration = "10m"
"#,
        landscape = common::LANDSCAPE
    )
}

/// Regression: when the horizon swallowed every run, the summary printed a table of dashes and
/// a restricted mean of the horizon; when the event cap cut every run short, it printed the
/// figures of the cut-short runs. It says so in words instead.
#[test]
fn run_says_so_when_the_horizon_or_the_event_cap_saturates_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let summary = |name: &str, text: String, runs: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = common::ttx()
            .args(["run", "--runs", runs])
            .arg(&path)
            .output()
            .expect("ttx runs");
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        String::from_utf8(output.stdout).expect("stdout is UTF-8")
    };

    // Detection takes about 100 hours; the horizon is 10 minutes.
    let never = summary(
        "never.toml",
        short_horizon_scenario("10m", "100h", "", "recover"),
        "50",
    );
    assert!(
        never.contains("no fault was detected in any run before the horizon (10.0m)"),
        "{never}"
    );
    assert!(!never.contains("minutes from onset"), "{never}");
    assert!(!never.contains("restricted mean"), "{never}");
    assert!(never.contains("records per run"), "{never}");

    // Runs detect and acknowledge, none contains: the fix takes 10 minutes, 8 are left at most.
    let partly = summary(
        "partly.toml",
        short_horizon_scenario("10m", "1m", "", "recover"),
        "50",
    );
    assert!(partly.contains("time to detect"), "{partly}");
    assert!(
        partly.contains(
            "no run reached time to contain, time to recover before the horizon (10.0m), so those rows have no figures"
        ),
        "{partly}"
    );

    // A status update every second for 30 days, and nothing ever recovers: 2.6 million
    // events a run, cut at the cap.
    let capped = summary(
        "capped.toml",
        short_horizon_scenario("30d", "1m", "update_every = \"1s\"", "contain"),
        "2",
    );
    assert!(
        capped.contains("every run hit the event cap (1000000 events) before the horizon"),
        "{capped}"
    );
    assert!(!capped.contains("minutes from onset"), "{capped}");
    assert!(!capped.contains("records per run"), "{capped}");
}

#[test]
fn run_with_zero_runs_is_a_usage_error() {
    for args in [["run", "-n", "0"], ["run", "--runs", "0"]] {
        let output = common::ttx().args(args).output().expect("ttx runs");
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} printed a summary");
    }
}

#[test]
fn run_on_a_missing_file_is_an_io_error() {
    let output = common::ttx()
        .args(["run", "no/such/scenario.toml", "--runs", "1"])
        .output()
        .expect("ttx runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("could not read scenario"), "{stderr}");
}

// ---- exports ---------------------------------------------------------------------------------

#[test]
fn export_to_an_existing_path_is_refused_and_leaves_it_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    for flag in ["--export-json", "--export-csv"] {
        let name = format!("existing{flag}.out");
        let path = dir.path().join(&name);
        std::fs::write(&path, "precious data\n").expect("write");
        let output = run_in(dir.path(), &[flag, &name]);
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{flag}: {stderr}");
        assert!(stderr.contains("already exists"), "{flag}: {stderr}");
        assert!(stderr.contains("--force"), "{flag}: {stderr}");
        assert_eq!(
            std::fs::read_to_string(&path).expect("still there"),
            "precious data\n",
            "{flag} changed an existing file without --force"
        );
    }
}

#[test]
fn export_refusal_writes_neither_file() {
    // The JSON path is new, the CSV path exists: nothing may be written.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("old.csv"), "keep").expect("write");
    let output = run_in(
        dir.path(),
        &["--export-json", "new.json", "--export-csv", "old.csv"],
    );
    stderr_of(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(!dir.path().join("new.json").exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("old.csv")).expect("read"),
        "keep"
    );
}

#[test]
fn force_replaces_an_existing_export() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (json, csv) = (dir.path().join("r.json"), dir.path().join("r.csv"));
    std::fs::write(&json, "old").expect("write");
    std::fs::write(&csv, "old").expect("write");
    let output = run_in(
        dir.path(),
        &[
            "--export-json",
            "r.json",
            "--export-csv",
            "r.csv",
            "--force",
        ],
    );
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let text = std::fs::read_to_string(&json).expect("read");
    let parsed: Value = serde_json::from_str(&text).expect("valid JSON after --force");
    assert_eq!(parsed["runs"], RUNS);
    let csv_text = std::fs::read_to_string(&csv).expect("read");
    assert!(csv_text.starts_with("run,"), "{csv_text}");
    // No temporary file is left next to the exports.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["r.csv", "r.json"]);
}

#[test]
fn json_export_holds_scenario_seed_runs_version_and_metrics() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = run_in(dir.path(), &["--export-json", "results.json"]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(output.stdout.is_empty(), "--quiet still printed a summary");
    let text = std::fs::read_to_string(dir.path().join("results.json")).expect("export written");
    let json: Value = serde_json::from_str(&text).expect("the export is valid JSON");

    assert_eq!(json["scenario"]["name"], "lead-sync-schema-drift");
    let hash = json["scenario"]["content_hash"]
        .as_str()
        .expect("content_hash is a string");
    let hex = hash
        .strip_prefix("sha256:")
        .expect("content_hash starts with sha256:");
    assert_eq!(hex.len(), 64, "{hash}");
    assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
    assert_eq!(json["seed"], 7);
    assert_eq!(json["runs"], RUNS);
    assert_eq!(json["ttx_version"], env!("CARGO_PKG_VERSION"));

    for metric in [
        "time_to_detect",
        "time_to_acknowledge",
        "time_to_contain",
        "time_to_recover",
    ] {
        let m = &json["metrics"][metric];
        assert!(m.is_object(), "metrics.{metric} missing:\n{text}");
        for key in ["median", "p90", "p95", "mean", "ci95", "censored"] {
            assert!(m.get(key).is_some(), "metrics.{metric}.{key} missing: {m}");
        }
        let censored = m["censored"].as_u64().expect("censored is a count");
        assert!(censored <= RUNS);
    }
    let detect = &json["metrics"]["time_to_detect"];
    for key in ["median", "p90", "p95", "mean"] {
        assert!(
            detect[key].as_f64().is_some_and(f64::is_finite),
            "metrics.time_to_detect.{key} should be a number: {detect}"
        );
    }
    let ci = detect["ci95"].as_array().expect("ci95 is [low, high]");
    assert_eq!(ci.len(), 2);
    let (low, high) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    assert!(low <= high, "{ci:?}");
    let p = |k: &str| detect[k].as_f64().unwrap();
    assert!(p("median") <= p("p90") && p("p90") <= p("p95"), "{detect}");
}

#[test]
fn the_bundled_default_hashes_like_the_shipped_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = common::scenario("lead-sync-schema-drift.toml");
    let output = run_in(
        dir.path(),
        &[
            path.to_str().expect("UTF-8 path"),
            "--export-json",
            "a.json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let output = run_in(dir.path(), &["--export-json", "b.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(name)).expect("read"))
            .expect("JSON")
    };
    // The bundled default is the shipped file, so both runs hash the same bytes.
    assert_eq!(
        read("a.json")["scenario"]["content_hash"],
        read("b.json")["scenario"]["content_hash"]
    );
}

#[test]
fn csv_export_has_a_header_and_one_row_per_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = run_in(dir.path(), &["--export-csv", "runs.csv"]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let text = std::fs::read_to_string(dir.path().join("runs.csv")).expect("export written");
    assert!(text.ends_with('\n'), "the CSV ends with a newline");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len() as u64, 1 + RUNS, "header + one row per run");

    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header[0], "run");
    for column in [
        "time_to_detect",
        "time_to_acknowledge",
        "time_to_contain",
        "time_to_recover",
        "records_lost",
    ] {
        assert!(header.contains(&column), "no `{column}` column: {header:?}");
    }
    for (i, line) in lines[1..].iter().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(
            cells.len(),
            header.len(),
            "row {i} has {} cells, the header {}",
            cells.len(),
            header.len()
        );
        assert_eq!(cells[0], i.to_string(), "rows are in run order");
    }
}

#[test]
fn json_and_csv_exports_agree_on_the_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = run_in(
        dir.path(),
        &["--export-json", "r.json", "--export-csv", "r.csv"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).expect("read"))
            .expect("JSON");
    let per_run = json["per_run"].as_array().expect("per_run is a list");
    let csv = std::fs::read_to_string(dir.path().join("r.csv")).expect("read");
    assert_eq!(per_run.len(), csv.lines().count() - 1);
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let detect = header
        .iter()
        .position(|c| *c == "time_to_detect")
        .expect("time_to_detect column");
    for (row, line) in per_run.iter().zip(csv.lines().skip(1)) {
        let cell = line.split(',').nth(detect).expect("cell");
        match row["time_to_detect"].as_f64() {
            Some(t) => assert_eq!(cell.parse::<f64>().expect("a number"), t),
            None => assert_eq!(cell, "", "a censored time is an empty cell"),
        }
    }
}
