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
        .args([
            "--export-csv",
            "s.csv",
            "--html",
            "s.html",
            "--export-json",
            "s.json",
        ])
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
    assert!(!html.contains("<script") && !html.contains("<link"));
    two_variables_are_drawn_as_one_line_per_value_of_the_second(&html, dir.path());
}

/// The sweep page of a 2 × 3 grid: per time metric a median and a p90 chart, per objective a
/// met-rate chart, each with the first --set along x and one line per value of the second
/// (never one line zig-zagging across the six combinations), and the numbers and intervals
/// of the JSON export.
fn two_variables_are_drawn_as_one_line_per_value_of_the_second(html: &str, dir: &Path) {
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.join("s.json")).expect("written")).expect("JSON");
    let objectives = json["points"][0]["objectives"].as_array().unwrap().len();
    let charts: Vec<&str> = html
        .match_indices("<svg")
        .map(|(at, _)| &html[at..at + html[at..].find("</svg>").unwrap()])
        .collect();
    assert_eq!(
        charts.len(),
        4 * 2 + objectives,
        "median and p90 per time, one per objective"
    );
    for chart in &charts {
        // Three lines of two points (5m and 20m along x).
        let lines: Vec<&str> = chart
            .match_indices("<polyline")
            .map(|(at, _)| &chart[at..at + chart[at..].find("/>").unwrap()])
            .collect();
        assert_eq!(lines.len(), 3, "{chart:.300}");
        for line in lines {
            let points = line.split("points=\"").nth(1).unwrap();
            assert_eq!(points.trim_end_matches('"').split(' ').count(), 2, "{line}");
        }
        assert!(
            chart.contains(">escalation.severities.SEV3.acknowledge_within</text>"),
            "legend heading"
        );
        for value in ["5m", "15m", "30m"] {
            assert!(
                chart.contains(&format!("class=\"legend\">{value}</text>")),
                "no legend entry for {value}"
            );
        }
        assert!(
            chart.contains(">detectors.zap-error-email.latency.mean</text>"),
            "x axis title"
        );
    }
    // Every point's median and p90 of each time, with their intervals, as the JSON has them.
    let show = |v: &Value| {
        v.as_f64().map_or_else(
            || "…".to_string(),
            |v| ttx::scenario::duration::format_minutes(v).replace(".0m", "m"),
        )
    };
    let mut with_p90_interval = 0;
    for point in json["points"].as_array().unwrap() {
        let line = point["values"][1]["value"].as_str().unwrap();
        for name in [
            "time_to_detect",
            "time_to_acknowledge",
            "time_to_contain",
            "time_to_recover",
        ] {
            let m = &point["metrics"][name];
            let median = format!(
                "<title>{line}: {} [{} – {}]</title>",
                show(&m["median"]),
                show(&m["median_ci95"][0]),
                show(&m["median_ci95"][1])
            );
            assert!(html.contains(&median), "{median}");
            let p90 = &point["p90_ci95"][name];
            if p90.is_array() {
                with_p90_interval += 1;
                let tip = format!(
                    "<title>{line}: {} [{} – {}]</title>",
                    show(&m["p90"]),
                    show(&p90[0]),
                    show(&p90[1])
                );
                assert!(html.contains(&tip), "{tip}");
            }
        }
    }
    assert!(with_p90_interval > 0, "200 runs give p90 intervals");
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
            "error: scenarios/lead-sync-schema-drift.toml [--set detectors.zap-error-email.latency.mean=5x]:110:42: detectors[0].latency.mean: invalid duration: unknown unit `x`\n"
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
