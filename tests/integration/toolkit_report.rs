//! The facilitator toolkit in the batch results and the after-action report: approval waits
//! per run and across runs, the communications section, the RACI table.

use ttx::results::Results;
use ttx::scenario::set::apply;

use crate::common;

const FACILITATED: &str = "shopify-netsuite-facilitated.toml";

use common::{batch_results as batch, scenario_text as text};

/// One flow, one loud fault at 1h, an on-call who fixes it once `lead` approves. `lead`'s
/// decide latency is `decide`; the horizon is 8h.
fn approval_scenario(decide: &str) -> String {
    format!(
        r#"[scenario]
name = "approval"
horizon = "8h"
{landscape}
[[faults]]
id = "f"
kind = "schema_drift"
target = "flow"
onset = "1h"
effect = {{ mode = "loud" }}
[[detectors]]
id = "alert"
kind = "monitor"
watches = "flow"
latency = "5m"
[[roles]]
id = "oncall"
acknowledge = "5m"
decide = "10m"
[[roles]]
id = "lead"
acknowledge = "5m"
decide = "{decide}"
[escalation]
severities = [{{ level = "SEV2", acknowledge_within = "15m", restore_within = "2h", page = ["oncall"] }}]
[[actions]]
id = "fix"
by = "oncall"
target = "flow"
effect = "recover"
duration = "10m"
approver = "lead"
"#,
        landscape = common::LANDSCAPE
    )
}

/// Scenario minute at which the run's first request for approval of `action` was made.
fn asked_at(scenario: &ttx::scenario::Scenario, run: u64, action: &str) -> f64 {
    let (_, trace) = ttx::model::trace_run(scenario, 1, run);
    trace
        .notes
        .iter()
        .find(|n| {
            n.text
                .contains(&format!("decides to run {action} and asks"))
        })
        .map(|n| n.time)
        .expect("the approval was asked")
}

#[test]
fn an_approval_wait_runs_from_the_request_to_the_grant() {
    // Fixed latencies: onset 60, detected 65, acknowledged 70, decided 80 (asks lead, who is
    // paged then: acknowledges at 85, approves 30 minutes later).
    let source = approval_scenario("30m");
    let results = batch(&source, 3, 1);
    for row in &results.per_run {
        assert_eq!(row.approvals.len(), 1);
        let fix = &row.approvals[0];
        assert_eq!(fix.action, "fix");
        assert_eq!(fix.waited, Some(35.0), "run {}", row.run);
        assert!(fix.granted);
    }
    let summary = &results.approvals[0];
    assert_eq!((summary.asked, summary.never_granted), (3, 0));
    assert_eq!(
        (summary.wait.reached, summary.wait.censored),
        (3, 0),
        "{summary:?}"
    );
    assert_eq!(summary.wait.median, Some(35.0));
}

#[test]
fn an_approval_never_granted_is_censored_at_the_end_of_the_run() {
    // The approver decides in 30 hours: past the 8-hour horizon, so never within the run.
    let source = approval_scenario("30h");
    let loaded = ttx::scenario::from_str("test.toml", &source).unwrap();
    let results = batch(&source, 2, 1);
    for row in &results.per_run {
        let fix = &row.approvals[0];
        let asked = asked_at(&loaded.scenario, row.run, "fix");
        assert_eq!(fix.waited, Some(480.0 - asked), "run {}", row.run);
        assert!(!fix.granted);
        assert_eq!(row.time_to_recover, None);
    }
    let summary = &results.approvals[0];
    assert_eq!((summary.asked, summary.never_granted), (2, 2));
    assert_eq!((summary.wait.reached, summary.wait.censored), (0, 2));
    assert_eq!(summary.wait.median, None, "no request was approved");
    let csv = ttx::results::csv::render(&results);
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(",role:lead,approval_wait:fix,approval_granted:fix"),
        "{header}"
    );
    let first = csv.lines().nth(1).unwrap();
    assert!(first.ends_with(",400,no"), "asked at minute 80: {first}");
}

#[test]
fn no_approval_means_no_approval_fields() {
    // An action approved by its own performer asks nobody: nothing to wait for.
    let source = approval_scenario("30m").replace("approver = \"lead\"", "approver = \"oncall\"");
    let results = batch(&source, 2, 1);
    assert!(results.approvals.is_empty());
    assert!(results.per_run.iter().all(|r| r.approvals.is_empty()));
    let json = results.to_json();
    assert!(!json.contains("\"approvals\""), "{json}");
    assert!(!ttx::results::csv::render(&results).contains("approval_"));
}

#[test]
fn approval_waits_equal_the_approval_spans_of_the_replayed_runs() {
    let source = text(FACILITATED);
    let loaded = ttx::scenario::from_str("test.toml", &source).unwrap();
    let results = batch(&source, 40, 1);
    let mut compared = 0;
    for row in &results.per_run {
        let (_, trace) = ttx::model::trace_run(&loaded.scenario, 1, row.run);
        for approval in row.approvals.iter().filter(|a| a.granted) {
            let span = trace
                .spans
                .iter()
                .find(|s| s.label == format!("approval of {}", approval.action))
                .expect("an approval span");
            assert_eq!(approval.waited, Some(span.end - span.start));
            compared += 1;
        }
    }
    assert!(compared > 40, "{compared} approvals compared");
}

#[test]
fn an_approval_wait_grows_with_the_accountable_roles_decide_latency() {
    let base = text(FACILITATED);
    let slow = apply(
        &base,
        "roles.ecom-ops-manager.decide",
        r#"{ dist = "exponential", mean = "45m" }"#,
    )
    .unwrap();
    let (base, slow) = (batch(&base, 300, 5), batch(&slow, 300, 5));
    for (b, s) in base.approvals.iter().zip(&slow.approvals) {
        assert_eq!(b.action, s.action);
        let (b_median, s_median) = (b.wait.median.unwrap(), s.wait.median.unwrap());
        assert!(
            s_median > b_median * 3.0,
            "{}: median wait {b_median} -> {s_median}",
            b.action
        );
        assert!(s.wait.p90.unwrap() > b.wait.p90.unwrap());
    }
    assert_eq!(
        base.approvals
            .iter()
            .map(|a| a.action.as_str())
            .collect::<Vec<_>>(),
        ["respond-immediately", "stop-competing-job"]
    );
}

#[test]
fn a_summary_export_is_the_same_whether_the_rows_were_kept_or_not() {
    // Comms and approval summaries come from rows; a summary-only file never carries them,
    // so keeping the rows for --export-json must not change the summary file.
    let dir = tempfile::tempdir().unwrap();
    let scenario = common::scenario(FACILITATED);
    let export = |extra: &[&str], summary: &str| {
        common::ttx()
            .current_dir(dir.path())
            .arg("run")
            .arg(&scenario)
            .args([
                "--runs",
                "50",
                "--seed",
                "3",
                "--quiet",
                "--export-summary",
                summary,
            ])
            .args(extra)
            .assert()
            .success();
        std::fs::read_to_string(dir.path().join(summary)).unwrap()
    };
    let alone = export(&[], "alone.json");
    let with_rows = export(&["--export-json", "rows.json"], "with-rows.json");
    assert!(alone == with_rows, "the summary files differ");
    let alone = Results::from_json(&alone).unwrap();
    assert!(alone.summary_only && alone.approvals.is_empty() && alone.comms.is_empty());
    let rows = std::fs::read_to_string(dir.path().join("rows.json")).unwrap();
    let rows = Results::from_json(&rows).unwrap();
    assert_eq!(alone.metrics, rows.metrics);
    assert_eq!(rows.approvals.len(), 2);
    assert_eq!(rows.comms.len(), 4);
}

/// The Kaplan-Meier percentile of uncensored times: the first order statistic at which at
/// least a share `p` of the runs is reached (no interpolation).
fn order_statistic(mut times: Vec<f64>, p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    times[((p * times.len() as f64).ceil() as usize).max(1) - 1]
}

/// Hyndman–Fan type 7 quantile of counts, as the per-run count summaries use.
fn type7(mut values: Vec<f64>, p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let h = (values.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    values[lo] + (h - h.floor()) * (values[hi] - values[lo])
}

#[test]
fn the_report_of_the_facilitated_scenario_shows_comms_computed_from_the_rows() {
    let results = batch(&text(FACILITATED), 300, 1);
    let report = ttx::report::aar::AfterActionReport::new(&results);
    let comms = report.communications.as_ref().expect("a comms section");
    let runs = results.per_run.len() as f64;
    let names: Vec<&str> = comms
        .audiences
        .iter()
        .map(|a| a.audience.as_str())
        .collect();
    assert_eq!(names, ["support", "responders", "executives", "customers"]);
    let md = ttx::report::format::by_name("md").unwrap().render(&report);
    let mut uncensored = 0;
    let mut worst: Option<(&str, f64)> = None;
    for (a, row) in comms.audiences.iter().enumerate() {
        let per_run: Vec<&ttx::model::outcome::AudienceRun> =
            results.per_run.iter().map(|r| &r.comms[a]).collect();
        let sum = |f: fn(&ttx::model::outcome::AudienceRun) -> u32| -> f64 {
            per_run.iter().map(|c| f(c) as f64).sum()
        };
        let (due, sent, on_cadence) = (sum(|c| c.due), sum(|c| c.sent), sum(|c| c.on_cadence));
        assert_eq!(row.due_per_run, due / runs, "{}", row.audience);
        assert_eq!(row.sent_per_run, sent / runs, "{}", row.audience);
        assert_eq!(
            row.on_cadence_share,
            Some(on_cadence / due),
            "{}",
            row.audience
        );
        let misses: Vec<f64> = per_run
            .iter()
            .map(|c| (c.due - c.on_cadence) as f64)
            .collect();
        assert_eq!(row.misses_per_run.mean, Some((due - on_cadence) / runs));
        assert_eq!(row.misses_per_run.median, Some(type7(misses.clone(), 0.5)));
        assert_eq!(row.misses_per_run.p90, Some(type7(misses, 0.9)));
        assert_eq!(
            row.completeness,
            Some(1.0),
            "simulated writers fill every field"
        );
        assert_eq!(row.jargon_flags, 0);
        // Where every run with an incident reached the audience, nothing is censored and the
        // percentiles are plain order statistics of the first-update times.
        let started: Vec<_> = results
            .per_run
            .iter()
            .filter(|r| r.onset.is_some())
            .map(|r| r.comms[a].first_update)
            .collect();
        if started.iter().all(Option::is_some) {
            let firsts: Vec<f64> = started.into_iter().flatten().collect();
            let m = &row.time_to_first_update;
            assert_eq!(m.median, Some(order_statistic(firsts.clone(), 0.5)));
            assert_eq!(m.p90, Some(order_statistic(firsts, 0.9)));
            assert!(m.p90_ci95.is_some(), "a bootstrap interval");
            uncensored += 1;
        }
        let share = on_cadence / due;
        if worst.is_none_or(|(_, least)| share < least) {
            worst = Some((&row.audience, share));
        }
        let line = format!(
            "| {} | {:.2} | {:.2} | {:.1}% |",
            row.audience,
            due / runs,
            sent / runs,
            100.0 * share
        );
        assert!(md.contains(&line), "{line} not in the report");
    }
    assert!(uncensored >= 2, "{uncensored} audiences without censoring");
    let (name, share) = worst.unwrap();
    let sentence = format!(
        "{name} got {:.0}% of their updates on cadence",
        100.0 * share
    );
    assert!(comms.worst.starts_with(&sentence), "{}", comms.worst);
    assert!(
        md.contains(&format!("**{sentence}")),
        "the sentence is in the report"
    );
}

#[test]
fn the_report_shows_the_raci_table_and_the_approval_waits() {
    let results = batch(&text(FACILITATED), 300, 1);
    let report = ttx::report::aar::AfterActionReport::new(&results);
    // One line per action: action, R, A, C, I, approver.
    let raci: Vec<String> = report
        .raci
        .iter()
        .map(|r| {
            [
                r.action.clone(),
                r.responsible.clone(),
                r.accountable.clone().unwrap_or_default(),
                r.consulted.join(","),
                r.informed.join(","),
                r.approver.clone().unwrap_or_default(),
            ]
            .join(" | ")
        })
        .collect();
    assert_eq!(
        raci,
        [
            "respond-immediately | integration-engineer | ecom-ops-manager | data-engineer | comms-lead,coo | ecom-ops-manager",
            "stop-competing-job | data-engineer | ecom-ops-manager | integration-engineer | coo | ecom-ops-manager",
            "repull-dropped-orders | integration-engineer | ecom-ops-manager |  | comms-lead,coo | ",
        ]
    );
    let manager = Some("ecom-ops-manager");
    assert_eq!(report.approvals.len(), 2);
    for (a, row) in report.approvals.iter().enumerate() {
        let waits: Vec<&ttx::model::outcome::ApprovalRun> = results
            .per_run
            .iter()
            .map(|r| &r.approvals[a])
            .filter(|w| w.waited.is_some())
            .collect();
        assert_eq!(row.approver.as_deref(), manager);
        assert_eq!(row.asked, waits.len() as u64);
        assert_eq!(
            row.never_granted, 0,
            "{}: the manager always approves",
            row.action
        );
        let times: Vec<f64> = waits.iter().filter_map(|w| w.waited).collect();
        assert_eq!(row.wait.median, Some(order_statistic(times.clone(), 0.5)));
        assert_eq!(row.wait.p90, Some(order_statistic(times, 0.9)));
    }
    let render = |format: &str| {
        ttx::report::format::by_name(format)
            .unwrap()
            .render(&report)
    };
    let md = render("md");
    assert!(md.contains(
        "| stop-competing-job | data-engineer | ecom-ops-manager | integration-engineer | coo | needs ecom-ops-manager |"
    ));
    let first = &report.approvals[0];
    assert!(md.contains(&format!(
        "| respond-immediately | ecom-ops-manager | {} | {}",
        first.asked,
        ttx::scenario::duration::format_minutes(first.wait.median.unwrap())
    )));
    let csv = render("csv");
    assert!(csv.contains("\napprovals,approvals[1].approver,ecom-ops-manager\n"));
    assert!(csv.contains("\nraci,raci[2].informed[1],coo\n"));
    assert!(csv.contains(&format!(
        "\ncommunications,communications.audiences[1].on_cadence_share,{}\n",
        report.communications.as_ref().unwrap().audiences[1]
            .on_cadence_share
            .unwrap()
    )));
    let html = render("html");
    for id in ["communications", "raci", "approvals"] {
        assert!(html.contains(&format!("<h2 id=\"{id}\">")), "{id}");
    }
}

#[test]
fn a_report_without_comms_raci_or_approvals_has_none_of_their_sections() {
    let source = approval_scenario("30m").replace("approver = \"lead\"", "approver = \"oncall\"");
    let report = ttx::report::aar::AfterActionReport::new(&batch(&source, 5, 1));
    assert!(report.communications.is_none() && report.raci.is_empty());
    assert!(report.approvals.is_empty());
    let json = ttx::report::format::by_name("json")
        .unwrap()
        .render(&report);
    for key in ["\"communications\"", "\"raci\"", "\"approvals\""] {
        assert!(!json.contains(key), "{key}");
    }
    let md = ttx::report::format::by_name("md").unwrap().render(&report);
    assert!(!md.contains("## Communications") && !md.contains("## RACI"));
    assert!(!md.contains("## Approval waits"));
}
