//! `ttx whatif`: candidate changes ranked per metric against the baseline under common random
//! numbers, judged exactly as `ttx run` + `ttx compare` of the variants judge them; a change
//! that cannot reach a metric reads "no detectable effect" on it; sensitivity tornadoes; the
//! same bytes whatever the thread count; errors that name the change.

use std::path::Path;

use serde_json::Value;
use ttx::compare::CompareOptions;
use ttx::runner::BatchOptions;
use ttx::whatif::{self, Change, Effect};

use crate::common;

/// Three changes of the bundled scenario's e-mail monitor with clearly different effects on
/// time to detect.
const CHANGES: [&str; 3] = [
    "slower-monitor: detectors.zap-error-email.latency.mean=20m",
    "faster-monitor: detectors.zap-error-email.latency.mean=2m",
    "read-the-inbox: detectors.zap-error-email.miss=0.1",
];

/// Runs `ttx whatif` with `args` in `dir` and returns its JSON export.
fn whatif_json(dir: &Path, args: &[&str], name: &str) -> Value {
    let out = dir.join(name);
    let output = common::ttx()
        .current_dir(dir)
        .arg("whatif")
        .arg("--quiet")
        .args(args)
        .arg("--export-json")
        .arg(&out)
        .output()
        .expect("ttx runs");
    assert!(
        output.status.success(),
        "whatif failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&std::fs::read(out).expect("written")).expect("JSON")
}

fn as_str(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn change_args(seed: u64, runs: u64) -> Vec<String> {
    let mut args: Vec<String> = CHANGES
        .iter()
        .flat_map(|c| ["--change".to_string(), c.to_string()])
        .collect();
    args.extend(["--runs", &runs.to_string(), "--seed", &seed.to_string()].map(String::from));
    args
}

/// The order of the changes on `metric`.
fn ranking(whatif: &Value, metric: &str) -> Vec<String> {
    let ranking = whatif["rankings"]
        .as_array()
        .expect("rankings")
        .iter()
        .find(|r| r["metric"] == metric)
        .unwrap_or_else(|| panic!("no ranking of {metric}"));
    ranking["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["change"].as_str().expect("a name").to_string())
        .collect()
}

#[test]
fn the_ranking_holds_under_two_seeds_and_agrees_with_run_and_compare() {
    let dir = tempfile::tempdir().expect("temp dir");
    let runs = 2000;
    let args = |seed| change_args(seed, runs);
    let first = whatif_json(dir.path(), &as_str(&args(1)), "w1.json");
    let second = whatif_json(dir.path(), &as_str(&args(2)), "w2.json");
    let detect = ranking(&first, "time_to_detect");
    assert_eq!(
        detect,
        ["faster-monitor", "read-the-inbox", "slower-monitor"],
        "{first:#}"
    );
    assert_eq!(ranking(&second, "time_to_detect"), detect);

    // The same judgement from separate `ttx run` batches of each variant and `ttx compare`.
    let base = dir.path().join("base.json");
    common::ttx()
        .args([
            "run",
            "-q",
            "--runs",
            "2000",
            "--seed",
            "1",
            "--export-json",
        ])
        .arg(&base)
        .assert()
        .success();
    let source = common::scenario_text("lead-sync-schema-drift.toml");
    let mut by_compare: Vec<(f64, String)> = Vec::new();
    for (i, text) in CHANGES.iter().enumerate() {
        let change: Change = text.parse().expect("a change");
        let setting = &change.settings[0];
        let variant = ttx::scenario::set::apply(&source, &setting.key, &setting.values[0])
            .expect("the key exists");
        let toml = dir.path().join(format!("{}.toml", change.name));
        std::fs::write(&toml, variant).expect("written");
        let results = dir.path().join(format!("{}.json", change.name));
        common::ttx()
            .args(["run", "-q", "--runs", "2000", "--seed", "1"])
            .arg(&toml)
            .arg("--export-json")
            .arg(&results)
            .assert()
            .success();
        let output = common::ttx()
            .arg("compare")
            .arg(&base)
            .arg(&results)
            .args(["--allow-different", "--format", "json"])
            .output()
            .expect("ttx runs");
        assert!(output.status.success());
        let comparison: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        // Every metric: the same medians, p90s, intervals, tests, p-values and verdicts.
        assert_eq!(
            comparison["metrics"], first["changes"][i]["metrics"],
            "{}",
            change.name
        );
        let detect = &comparison["metrics"][0];
        assert_eq!(detect["metric"], "time_to_detect");
        let verdict = detect["verdict"].as_str().expect("a verdict");
        let group = match verdict {
            "better" => 0.0,
            "worse" => 2.0,
            _ => 1.0,
        };
        let median = detect["median"]["difference"].as_f64().expect("a median");
        by_compare.push((group * 1e6 + median, change.name.clone()));
    }
    by_compare.sort_by(|a, b| a.0.total_cmp(&b.0));
    let order: Vec<String> = by_compare.into_iter().map(|(_, n)| n).collect();
    assert_eq!(order, detect);
    let effect = |w: &Value, name: &str| {
        w["rankings"][0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["change"] == name)
            .unwrap()["effect"]
            .clone()
    };
    assert_eq!(effect(&first, "faster-monitor"), "better");
    assert_eq!(effect(&first, "slower-monitor"), "worse");
}

#[test]
fn a_change_that_cannot_reach_a_metric_has_no_detectable_effect_on_it() {
    // Replaying failed tasks happens after recovery: it cannot move detection or
    // acknowledgement. Small in-process batches over 100 seeds.
    let base = ttx::scenario::default_scenario();
    let change: Change = "slower-replay: actions.replay-failed-tasks.duration=45m"
        .parse()
        .expect("a change");
    let variants = whatif::prepare("default", &base.scenario.source, &[change]).expect("valid");
    let compare = CompareOptions {
        resamples: 0,
        ..Default::default()
    };
    let mut none = [0usize; 2];
    for seed in 1..=100 {
        let options = BatchOptions::new(200, seed);
        let w = whatif::run(&base, &variants, &options, &compare, &|_| {}).expect("runs");
        for (k, metric) in ["time_to_detect", "time_to_acknowledge"].iter().enumerate() {
            let ranking = w.rankings.iter().find(|r| r.metric == *metric).unwrap();
            if ranking.changes[0].effect == Effect::NoDetectableEffect {
                none[k] += 1;
            }
        }
    }
    assert!(none.iter().all(|&n| n >= 95), "{none:?} of 100 seeds");
}

#[test]
fn whatif_and_sensitivity_bytes_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = change_args(4, 300);
    let mut one: Vec<&str> = args.iter().map(String::as_str).collect();
    one.extend(["--threads", "1", "--html", "w1.html"]);
    let mut two: Vec<&str> = args.iter().map(String::as_str).collect();
    two.extend(["--threads", "2", "--html", "w2.html"]);
    assert_eq!(
        whatif_json(dir.path(), &one, "t1.json"),
        whatif_json(dir.path(), &two, "t2.json")
    );
    let read = |name: &str| std::fs::read(dir.path().join(name)).expect("written");
    assert_eq!(read("t1.json"), read("t2.json"));
    assert_eq!(read("w1.html"), read("w2.html"));
    let sens = |threads: &str, name: &str| {
        whatif_json(
            dir.path(),
            &[
                "--sensitivity",
                "±20%",
                "--runs",
                "200",
                "--threads",
                threads,
            ],
            name,
        )
    };
    sens("1", "s1.json");
    sens("2", "s2.json");
    assert_eq!(read("s1.json"), read("s2.json"));
}

#[test]
fn sensitivity_draws_a_tornado_per_metric_sorted_by_swing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = common::ttx()
        .current_dir(dir.path())
        .args(["whatif", "--sensitivity", "20%", "--runs", "300"])
        .args(["--html", "s.html", "--markdown", "s.md"])
        .output()
        .expect("ttx runs");
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(table.contains("sensitivity ±20%"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 100), "{table}");
    // Records lost, which nothing moves here, says so instead of printing an empty table.
    let lost = table
        .split("\nrecords lost · ")
        .nth(1)
        .expect("a records lost section");
    assert!(
        lost.lines().nth(1) == Some("No parameter moves it."),
        "{table}"
    );
    let html = std::fs::read_to_string(dir.path().join("s.html")).expect("written");
    // One chart per metric that some parameter moves: four times and three objectives. On
    // Zapier, with autoreplay and 29 days of Zap history, the default scenario loses no record
    // within its day, so no parameter moves records lost or the no-lost-leads objective.
    assert_eq!(html.matches("<svg").count(), 7);
    assert!(!html.contains("http://") && !html.contains("https://"));
    let markdown = std::fs::read_to_string(dir.path().join("s.md")).expect("written");
    assert!(!markdown.contains("<svg"));
    assert!(markdown.contains("| `detectors.zap-error-email.miss` |"));
}

#[test]
fn the_table_fits_100_columns_and_says_no_detectable_effect() {
    let output = common::ttx()
        .args(["whatif", "--runs", "300"])
        .args([
            "--change",
            "faster-monitor: detectors.zap-error-email.latency.mean=2m",
        ])
        .args([
            "--change",
            "slower-replay: actions.replay-failed-tasks.duration=45m",
        ])
        .output()
        .expect("ttx runs");
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(table.lines().all(|l| l.chars().count() <= 100), "{table}");
    assert!(table.contains("slower-replay"));
    assert!(table.contains("no detectable effect"), "{table}");
}

#[test]
fn errors_name_the_change_and_point_into_the_file() {
    let invalid = common::ttx()
        .args([
            "whatif",
            "--change",
            "broken: detectors.zap-error-email.miss=2",
        ])
        .output()
        .expect("ttx runs");
    assert_eq!(invalid.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&invalid.stderr);
    assert!(
        stderr.contains("scenarios/lead-sync-schema-drift.toml [--change broken]:"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "1 changed scenario(s) are invalid; each error above names the --change that caused it"
        ),
        "{stderr}"
    );
    let typo = common::ttx()
        .args(["whatif", "--change", "x: detectors.zap-eror-email.miss=0.1"])
        .output()
        .expect("ttx runs");
    assert_eq!(typo.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&typo.stderr);
    assert!(
        stderr.contains("--change x: detectors.zap-eror-email.miss=0.1: `detectors` has no entry with id `zap-eror-email`; did you mean `zap-error-email`?"),
        "{stderr}"
    );
    let form = common::ttx()
        .args(["whatif", "--change", "detectors.zap-error-email.miss=0.1"])
        .output()
        .expect("ttx runs");
    assert_eq!(form.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&form.stderr).contains("expected NAME: KEY=VALUE"));
    let both = common::ttx()
        .args(["whatif", "--sensitivity", "20%", "--change", "a: b=1"])
        .output()
        .expect("ttx runs");
    assert_eq!(both.status.code(), Some(2));
}
