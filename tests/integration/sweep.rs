//! `ttx sweep`: a grid of scenario overrides run under common random numbers. Time to detect
//! grows with a monitor's latency; common random numbers make the differences between points
//! far less noisy than independent seeds; every grid point is validated like a file, with
//! diagnostics naming the `--set` that caused them.

use std::path::Path;

use serde_json::Value;

use crate::common;

const LATENCY: &str = "detectors.zap-error-email.latency.mean";

/// Runs `ttx sweep` on the bundled scenario in `dir` and returns its JSON export.
fn sweep_json(dir: &Path, sets: &[String], runs: u64, seed: u64, extra: &[&str]) -> Value {
    let out = dir.join(format!("sweep-{seed}-{}.json", extra.len()));
    let mut cmd = common::ttx();
    cmd.current_dir(dir).arg("sweep").arg("--quiet");
    for set in sets {
        cmd.args(["--set", set]);
    }
    let output = cmd
        .args(["--runs", &runs.to_string(), "--seed", &seed.to_string()])
        .args(extra)
        .arg("--force")
        .arg("--export-json")
        .arg(&out)
        .output()
        .expect("ttx runs");
    assert!(
        output.status.success(),
        "sweep failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&std::fs::read(out).expect("written")).expect("JSON")
}

fn metric(point: &Value, name: &str, stat: &str) -> f64 {
    point["metrics"][name][stat]
        .as_f64()
        .unwrap_or_else(|| panic!("no {name}.{stat} in {point}"))
}

fn sample_sd(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

#[test]
fn time_to_detect_increases_with_the_monitor_latency() {
    let dir = tempfile::tempdir().expect("temp dir");
    let results = sweep_json(
        dir.path(),
        &[format!("{LATENCY}=2m,5m,10m,20m,40m")],
        1000,
        5,
        &[],
    );
    assert_eq!(results["seeds"], "common");
    let points = results["points"].as_array().expect("points");
    assert_eq!(points.len(), 5);
    // Under common random numbers each run's detection can only get later as the latency
    // grows, so every statistic is non-decreasing; the mean and median strictly increase
    // (the p90 is often set by the other detectors, and may tie).
    for (stat, strictly) in [("mean", true), ("median", true), ("p90", false)] {
        let values: Vec<f64> = points
            .iter()
            .map(|p| metric(p, "time_to_detect", stat))
            .collect();
        assert!(
            values
                .windows(2)
                .all(|w| if strictly { w[0] < w[1] } else { w[0] <= w[1] }),
            "{stat} time to detect does not increase with {LATENCY}: {values:?}"
        );
    }
    // Every point ran under the master seed.
    assert!(points.iter().all(|p| p["seed"] == 5));
}

/// Replicated two-point sweeps (latency 10m vs 20m), each under a different master seed: with
/// common random numbers the difference of mean time to detect between the points varies
/// much less from replicate to replicate than with an independent seed per point.
/// docs/sweep.md reports the same measurement at a larger size.
#[test]
fn common_random_numbers_shrink_the_spread_of_point_differences() {
    let dir = tempfile::tempdir().expect("temp dir");
    let set = [format!("{LATENCY}=10m,20m")];
    let difference = |results: &Value| {
        let points = results["points"].as_array().expect("points");
        metric(&points[1], "time_to_detect", "mean") - metric(&points[0], "time_to_detect", "mean")
    };
    let (mut common, mut independent) = (Vec::new(), Vec::new());
    for seed in 1..=12 {
        common.push(difference(&sweep_json(dir.path(), &set, 300, seed, &[])));
        let results = sweep_json(dir.path(), &set, 300, seed, &["--independent-seeds"]);
        assert_eq!(results["seeds"], "independent");
        independent.push(difference(&results));
    }
    let (sd_common, sd_independent) = (sample_sd(&common), sample_sd(&independent));
    eprintln!(
        "sd of the difference in mean time to detect over 12 replicates: common {sd_common:.3} min, independent {sd_independent:.3} min"
    );
    assert!(
        sd_common < sd_independent,
        "common random numbers did not reduce the spread: {sd_common} vs {sd_independent}"
    );
    // Under common random numbers a slower monitor never makes detection faster.
    assert!(common.iter().all(|d| *d > 0.0), "{common:?}");
}

#[test]
fn a_grid_point_is_exactly_ttx_run_of_its_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The value the file already has: the point's scenario runs like the file itself.
    let results = sweep_json(dir.path(), &[format!("{LATENCY}=8m")], 400, 9, &[]);
    common::ttx()
        .current_dir(dir.path())
        .args(["run", "--quiet", "--runs", "400", "--seed", "9"])
        .args(["--export-json", "run.json"])
        .assert()
        .success();
    let run: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("run.json")).expect("written"))
            .expect("JSON");
    let point = &results["points"][0];
    for key in ["metrics", "records", "counters", "objectives"] {
        assert_eq!(point[key], run[key], "{key} differs from ttx run");
    }
}

#[test]
fn exports_have_a_row_per_point_and_a_self_contained_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = common::ttx()
        .current_dir(dir.path())
        .args(["sweep", "--runs", "200", "--seed", "2"])
        .args(["--set", &format!("{LATENCY}=5m,20m")])
        .args([
            "--set",
            "escalation.severities.SEV3.acknowledge_within=5m,15m,30m",
        ])
        .args(["--export-csv", "s.csv", "--html", "s.html"])
        .output()
        .expect("ttx runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(text.contains("sweep of 6 points · 200 runs each · seed 2 at every point"));
    assert!(text.contains(
        "point 4/6: detectors.zap-error-email.latency.mean = 20m · escalation.severities.SEV3.acknowledge_within = 5m"
    ));
    let csv = std::fs::read_to_string(dir.path().join("s.csv")).expect("written");
    assert_eq!(csv.lines().count(), 7);
    assert!(csv.starts_with(
        "point,set:detectors.zap-error-email.latency.mean,set:escalation.severities.SEV3.acknowledge_within,seed,runs,time_to_detect_median,"
    ));
    assert!(
        csv.lines()
            .nth(6)
            .expect("row 6")
            .starts_with("6,20m,30m,2,200,")
    );
    let html = std::fs::read_to_string(dir.path().join("s.html")).expect("written");
    assert!(html.starts_with("<!doctype html>"));
    assert_eq!(
        html.matches("<svg").count(),
        5,
        "four times and the objectives"
    );
    assert!(!html.contains("<script") && !html.contains("<link"));
}

#[test]
fn an_invalid_value_is_reported_under_its_set() {
    let output = common::ttx()
        .args(["sweep", "--runs", "10"])
        .args(["--set", &format!("{LATENCY}=5m,5x")])
        .output()
        .expect("ttx runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(
            "error: scenarios/lead-sync-schema-drift.toml [--set detectors.zap-error-email.latency.mean=5x]:109:42: detectors[0].latency.mean: invalid duration: unknown unit `x`\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("latency = { dist = \"exponential\", mean = \"5x\" }"));
    assert!(stderr.ends_with(
        "error: 1 sweep scenario(s) are invalid; each error above names the --set that caused it\n"
    ));
}

#[test]
fn a_set_that_names_nothing_is_a_usage_error() {
    let cases = [
        (
            "detectors.zap-eror-email.miss=0.1",
            "error: --set detectors.zap-eror-email.miss=0.1: `detectors` has no entry with id `zap-eror-email`; did you mean `zap-error-email`?\n",
        ),
        (
            "detectors[9].miss=0.1",
            "error: --set detectors[9].miss=0.1: `detectors` has 3 entries; [9] is past the end (entries count from 0)\n",
        ),
    ];
    for (set, expected) in cases {
        let output = common::ttx()
            .args(["sweep", "--runs", "10", "--set", set])
            .output()
            .expect("ttx runs");
        assert_eq!(output.status.code(), Some(2), "--set {set}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), expected);
    }
    let output = common::ttx()
        .args(["sweep", "--runs", "10"])
        .args([
            "--set",
            "scenario.horizon=1d",
            "--set",
            "scenario.horizon=2d",
        ])
        .output()
        .expect("ttx runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--set scenario.horizon is given twice")
    );
}
