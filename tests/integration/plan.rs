//! `ttx plan status` and `ttx report --plan-out` through the binary: the issue's acceptance
//! plan (one item overdue, one done and shown effective, one done and not shown) against
//! batches built here with the library, a malformed plan refused with `file:line:col`, and a
//! plan seeded from a report that reads back.

use std::path::Path;

use serde_json::Value;

use crate::common;

/// The bundled scenario, and its revision after the team routed the error email to a watched
/// channel (the monitor misses 5% of failures instead of 40%).
fn scenarios() -> (String, String) {
    let v10 = common::scenario_text("lead-sync-schema-drift.toml");
    let v11 = v10
        .replace("version = \"1.0\"", "version = \"1.1\"")
        .replace("miss = 0.4 ", "miss = 0.05 ");
    assert_ne!(v10, v11, "the revision changes the scenario");
    (v10, v11)
}

/// A batch of `source` labelled `label`, written to `dir/name`.
fn labelled(dir: &Path, name: &str, source: &str, seed: u64, label: &str) {
    let mut results = common::batch_results(source, 1000, seed);
    results.label = Some(label.to_string());
    std::fs::write(dir.join(name), results.to_json()).expect("results written");
}

const PLAN: &str = r#"title = "Lead sync: Q1 review"

[[item]]
id = "route-alerts"
text = "Route the Zap error email to the on-call channel"
owner = "ana"
due = 2026-02-28
metric = "time_to_detect"
expected = "-3m"
whatif = "watched-inbox: detectors.zap-error-email.miss=0.05"
status = "done"
done = 2026-02-10

[[item]]
id = "pre-approve-pause"
text = "Pre-approve pausing the Zap in the runbook"
owner = "ben"
due = "2026-03-15"
metric = "time_to_contain"
expected = "<= 30m"
status = "done"
done = "2026-02-15"

[[item]]
id = "on-call-rota"
text = "Set up an on-call rota with escalation for off-hours"
owner = "TBD"
due = "2026-03-01"
status = "in-progress"
"#;

#[test]
fn a_plan_of_three_items_reads_overdue_shown_and_not_shown_against_later_batches() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    std::fs::create_dir(&results).unwrap();
    let (v10, v11) = scenarios();
    labelled(&results, "q1.json", &v10, 1, "2026-Q1");
    labelled(&results, "q2.json", &v11, 2, "2026-Q2");
    let plan = dir.path().join("plan.toml");
    std::fs::write(&plan, PLAN).unwrap();
    let output = common::ttx()
        .args(["plan", "status"])
        .arg(&plan)
        .arg(&results)
        .args(["--today", "2026-05-01", "--export-json", "-"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let item = |id: &str| {
        json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["item"]["id"] == id)
            .unwrap_or_else(|| panic!("{id} is listed"))
            .clone()
    };
    let rota = item("on-call-rota");
    assert_eq!(rota["standing"], "overdue");
    assert_eq!(rota["days_overdue"], 61, "2026-03-01 to 2026-05-01");
    assert!(rota.get("effect").is_none(), "an open item has no effect");
    let routed = item("route-alerts");
    assert_eq!(routed["standing"], "done");
    assert_eq!(routed["effect"], "shown", "{routed}");
    assert_eq!(routed["read"], serde_json::json!(["2026-Q1", "2026-Q2"]));
    let evidence = routed["evidence"].as_str().unwrap();
    assert!(
        evidence.contains("a detectable change the expected way"),
        "{evidence}"
    );
    assert!(
        evidence.contains("revised between them, v1.0 to v1.1"),
        "{evidence}"
    );
    let paused = item("pre-approve-pause");
    assert_eq!(paused["effect"], "not_shown", "{paused}");
    assert_eq!(paused["read"], serde_json::json!(["2026-Q2"]));
    assert!(
        paused["evidence"]
            .as_str()
            .unwrap()
            .contains("outside the target <= 30.0m"),
        "{paused}"
    );
    // Overdue first; the summary counts what the items say.
    assert_eq!(json["items"][0]["item"]["id"], "on-call-rota");
    // The terminal table fits 100 columns and says the same.
    let text = common::ttx()
        .args(["plan", "status"])
        .arg(&plan)
        .arg(&results)
        .args(["--today", "2026-05-01"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("1 overdue"), "{text}");
    assert!(text.contains("1 shown, 1 not shown"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    // Before the items were done, nothing later can show them.
    let early: Value = serde_json::from_slice(
        &common::ttx()
            .args(["plan", "status"])
            .arg(&plan)
            .arg(results.join("q1.json"))
            .args(["--today", "2026-02-20", "--export-json", "-"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let effects: Vec<&Value> = early["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i.get("effect"))
        .collect();
    assert!(effects.iter().all(|e| *e == "no_later_results"), "{early}");
    assert_eq!(early["items"][0]["standing"], "in-progress");
}

#[test]
fn a_malformed_plan_is_refused_with_file_line_col_and_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        PLAN.replace("owner = \"ben\"", "ownr = \"ben\"")
            .replace("status = \"in-progress\"", "status = \"started\""),
    )
    .unwrap();
    let output = common::ttx()
        .args(["plan", "status"])
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let shown = plan.display().to_string();
    assert!(
        stderr.contains(&format!("{shown}:17:1: item[1]: unknown key `ownr`")),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `owner`?"), "{stderr}");
    assert!(
        stderr.contains(&format!("{shown}:29:10: item[2]: unknown value `started`")),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_report_writes_its_improvement_points_as_a_plan_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let (v10, _) = scenarios();
    labelled(dir.path(), "q1.json", &v10, 1, "2026-Q1");
    let seeded = dir.path().join("seed.toml");
    common::ttx()
        .arg("report")
        .arg(dir.path().join("q1.json"))
        .arg("--out")
        .arg(dir.path().join("q1.md"))
        .arg("--plan-out")
        .arg(&seeded)
        .assert()
        .success();
    let text = std::fs::read_to_string(&seeded).unwrap();
    let plan = ttx::plan::from_str("seed.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let report = std::fs::read_to_string(dir.path().join("q1.md")).unwrap();
    assert!(!plan.items.is_empty(), "{text}");
    for item in &plan.items {
        assert_eq!(item.owner, "TBD");
        assert_eq!(item.status, ttx::plan::Status::Open);
        assert!(item.due.is_some());
        assert!(
            report.contains(&item.text),
            "{} is in the report",
            item.text
        );
        assert_eq!(
            item.metric.as_deref(),
            Some(format!("met_rate:{}", item.id).as_str())
        );
    }
    // A second --plan-out to the same path is refused without --force.
    common::ttx()
        .arg("report")
        .arg(dir.path().join("q1.json"))
        .arg("--out")
        .arg(dir.path().join("q1-again.md"))
        .arg("--plan-out")
        .arg(&seeded)
        .assert()
        .code(2);
}

/// docs/improvement-plans.md shows real output: its worked example's commands run as written
/// in a fresh folder, and the status they print is the ```text block under them.
#[test]
fn the_worked_example_in_the_docs_is_real_output() {
    let doc = std::fs::read_to_string(common::root().join("docs/improvement-plans.md")).unwrap();
    let example = &doc[doc
        .find("## A worked example")
        .expect("the doc has an example")..];
    let block = &example[example.find("```console\n").unwrap() + 11..];
    let commands: Vec<&str> = block[..block.find("```").unwrap()]
        .lines()
        .filter_map(|l| l.strip_prefix("$ "))
        .collect();
    let shown = &block[block.find("```text\n").unwrap() + 8..];
    let shown = &shown[..shown.find("```").unwrap()];
    let (dir, path) = common::docs_sandbox();
    let mut last = String::new();
    for command in &commands {
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(dir.path())
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "`{command}` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        last = String::from_utf8(output.stdout).unwrap();
    }
    assert_eq!(commands.len(), 4, "{commands:?}");
    assert_eq!(last, shown);
}

/// A drill's report seeds a plan too: each point of its improvement plan is an item, those on
/// objectives and slow times with a metric, and the file reads back as a valid plan.
#[test]
fn a_drill_report_writes_its_points_as_a_plan_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = dir.path().join("drill-plan.toml");
    let report = dir.path().join("drill.md");
    common::ttx()
        .arg("report")
        .arg(common::root().join("tests/fixtures/drill-journal-v1-ended.jsonl"))
        .args(["--format", "md", "--out"])
        .arg(&report)
        .arg("--plan-out")
        .arg(&seeded)
        .assert()
        .success();
    let text = std::fs::read_to_string(&seeded).unwrap();
    let plan = ttx::plan::from_str("drill-plan.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let report = std::fs::read_to_string(&report).unwrap();
    // The fixture's drill ended before containment: that time is placed at a lower bound.
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("| time to contain | not reached in ") && l.contains("| ≥")),
        "{report}"
    );
    let section = &report[report
        .rfind("Improvement plan")
        .expect("the report has a plan")..];
    let points = section.lines().filter(|l| l.starts_with("- ")).count();
    assert_eq!(plan.items.len(), points.max(1), "{text}");
    for item in &plan.items {
        assert_eq!(item.status, ttx::plan::Status::Open);
        if item.text.starts_with("Objective ") {
            assert!(
                item.metric
                    .as_deref()
                    .is_some_and(|m| m.starts_with("met_rate:"))
            );
        }
    }
}
