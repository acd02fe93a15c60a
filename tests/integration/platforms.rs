//! Platform profiles (docs/platforms.md): the ledger, the notifications and the auto-off of
//! Zapier, Make and Power Automate flows against counts and times worked out by hand.

use ttx::model::ledger::{FlowCondition, Ledger};
use ttx::model::outcome::RunOutcome;
use ttx::model::trace_run;
use ttx::scenario::{EffectMode, Milestone};

/// The outcome of each of `runs` runs of the scenario `source` under `seed`.
fn batch_results(source: &str, runs: u64, seed: u64) -> Vec<RunOutcome> {
    let loaded = ttx::scenario::from_str("test.toml", source).unwrap_or_else(|e| panic!("{e}"));
    ttx::runner::run_batch(
        &loaded.scenario,
        &ttx::runner::BatchOptions::new(runs, seed),
        &|_| {},
    )
    .expect("batch runs")
}

/// One loud fault on a one-record-a-minute flow `sync` (record `k` arrives at minute `k`),
/// beginning at minute 60; `flow` and `fault` are extra keys of the flow and the fault.
fn scenario(flow: &str, fault: &str, detectors: &str, horizon: &str) -> String {
    format!(
        r#"
[scenario]
name = "platform-test"
horizon = "{horizon}"

[[systems]]
id = "form"
kind = "source"

[[systems]]
id = "sync"
kind = "flow"
from = "form"
to = "crm"
records_per_minute = 1
{flow}

[[systems]]
id = "crm"
kind = "sink"

[[faults]]
id = "outage"
target = "sync"
onset = "1h"
{fault}

{detectors}

[[roles]]
id = "on-call"
acknowledge = "5m"
decide = "5m"

[escalation]
severities = [
  {{ level = "SEV3", acknowledge_within = "60d", restore_within = "60d", page = ["on-call"] }},
]

# Only ever taken after a detection, which the record counts below never have.
[[actions]]
id = "pause"
by = "on-call"
target = "sync"
effect = "contain"
duration = "10m"
"#
    )
}

const RATE_LIMIT: &str = r#"kind = "rate_limiting"
effect = { mode = "loud" }"#;

const ERROR_EMAIL: &str = r#"[[detectors]]
id = "error-email"
kind = "monitor"
watches = "sync"
signal = "errors"
latency = "1m""#;

/// The records of run 0 (every run is the same: nothing here is random).
fn records(source: &str) -> ttx::model::RecordCounts {
    let results = batch_results(source, 3, 1);
    let first = results[0].records;
    assert!(results.iter().all(|r| r.records == first));
    assert!(first.is_conserved());
    first
}

/// Per record, by its retry times: how many of the records arriving in `[start, end)` at
/// `rate` a minute, thinned at `share`, are delivered late and how many fail for good, under
/// retry intervals `schedule` and a fault that clears at `end`.
fn by_hand(rate: f64, share: f64, start: f64, end: f64, schedule: &[f64]) -> (u64, u64) {
    let (mut late, mut failed) = (0, 0);
    let mut k = 0u64;
    loop {
        let arrival = k as f64 / rate;
        if arrival >= end {
            break;
        }
        let affected = ((k + 1) as f64 * share).floor() > (k as f64 * share).floor();
        if arrival >= start && affected {
            let mut at = arrival;
            let mut delivered = false;
            for interval in schedule {
                at += interval;
                if at >= end {
                    delivered = true;
                    break;
                }
            }
            if delivered {
                late += 1;
            } else {
                failed += 1;
            }
        }
        k += 1;
    }
    (late, failed)
}

#[test]
fn retry_ledger_counts_equal_a_record_by_record_hand_computation() {
    // Worked example: 2 records a minute, retries 3, 7 and 10 minutes apart (the last 20
    // minutes after the error), a fault from minute 10 to minute 100. Records 20..200 error;
    // those with k/2 + 20 < 100 (k < 160) fail for good: 140; records 160..200 come late: 40.
    assert_eq!(by_hand(2.0, 1.0, 10.0, 100.0, &[3.0, 7.0, 10.0]), (40, 140));
    for (rate, share, start, end, schedule) in [
        (2.0, 1.0, 10.0, 100.0, vec![3.0, 7.0, 10.0]),
        (1.0, 1.0, 60.0, 90.0, vec![5.0, 30.0, 60.0, 180.0, 360.0]),
        (1.0, 1.0, 60.0, 780.0, vec![5.0, 30.0, 60.0, 180.0, 360.0]),
        (
            3.0,
            0.4,
            17.5,
            500.25,
            vec![1.0, 10.0, 10.0, 30.0, 30.0, 30.0, 180.0, 180.0],
        ),
        (0.7, 0.9, 5.0, 41.0, vec![0.125, 0.25, 0.5, 0.75]),
    ] {
        let last: f64 = schedule.iter().sum();
        let mut ledger = Ledger::for_platform(rate, last, None, f64::INFINITY);
        let failing = FlowCondition {
            mode: Some(EffectMode::Loud),
            share,
            retried: true,
            ..FlowCondition::HEALTHY
        };
        ledger.set_condition(start, failing);
        ledger.set_condition(end, FlowCondition::HEALTHY);
        ledger.settle(end + 1000.0);
        let counts = ledger.counts();
        let (late, failed) = by_hand(rate, share, start, end, &schedule);
        assert_eq!(
            (counts.recovered, counts.lost),
            (late, failed),
            "rate {rate}, share {share}, fault {start}..{end}, schedule {schedule:?}"
        );
        assert!(counts.is_conserved());
    }
}

#[test]
fn records_whose_last_retry_failed_wait_in_history_until_it_expires() {
    // Fault 0..100 at 1 a minute, one retry 10 minutes later, history kept 50 minutes after
    // it: records 0..90 fail for good and are replayable until minute k + 60.
    let mut ledger = Ledger::for_platform(1.0, 10.0, Some(60.0), f64::INFINITY);
    let failing = FlowCondition {
        mode: Some(EffectMode::Loud),
        share: 1.0,
        retried: true,
        ..FlowCondition::HEALTHY
    };
    ledger.set_condition(0.0, failing);
    ledger.set_condition(100.0, FlowCondition::HEALTHY);
    let c = ledger.counts();
    // Records 0..=40 expired by minute 100 (k + 60 <= 100); 41..90 wait; 90..100 came late.
    assert_eq!((c.lost, c.queued, c.recovered), (41, 49, 10));
    assert_eq!(ledger.restore(100.0, false), 49);
    assert!(ledger.counts().is_conserved());
}

#[test]
fn zapier_autoreplay_rides_out_a_thirty_minute_rate_limit_with_nothing_lost() {
    let fault = format!("{RATE_LIMIT}\nlasts = \"30m\"");
    let source = scenario(
        "platform = \"zapier\"\nautoreplay = true",
        &fault,
        ERROR_EMAIL,
        "2d",
    );
    let c = records(&source);
    // Records 60..90 errored; each one's first retry (5 minutes later) or a later one comes
    // after minute 90: all delivered late.
    assert_eq!((c.lost, c.failed, c.recovered, c.queued), (0, 0, 30, 0));
    // The fault cleared before any final retry: the platform never sent its error email.
    let results = batch_results(&source, 20, 1);
    assert!(
        results
            .iter()
            .all(|r| r.time_to(Milestone::Detected).is_none())
    );
}

#[test]
fn zapier_autoreplay_loses_exactly_the_records_whose_last_retry_failed_in_a_twelve_hour_fault() {
    let fault = format!("{RATE_LIMIT}\nlasts = \"12h\"");
    // Records 60..780 error; the last retry comes 635 minutes (10 h 35 min) after the error,
    // so records k + 635 < 780, k in 60..145, fail for good: 85; the other 635 come late.
    assert_eq!(
        by_hand(1.0, 1.0, 60.0, 780.0, &[5.0, 30.0, 60.0, 180.0, 360.0]),
        (635, 85)
    );
    let without_history = scenario(
        "platform = \"zapier\"\nautoreplay = true\nhistory = \"none\"",
        &fault,
        "",
        "2d",
    );
    let c = records(&without_history);
    assert_eq!((c.lost, c.recovered, c.queued, c.failed), (85, 635, 0, 0));
    // With Zapier's history the same 85 wait for a manual replay instead.
    let with_history = scenario("platform = \"zapier\"\nautoreplay = true", &fault, "", "2d");
    let c = records(&with_history);
    assert_eq!((c.lost, c.recovered, c.queued), (0, 635, 85));
}

#[test]
fn zapier_error_email_comes_ten_hours_thirty_five_minutes_after_the_first_error() {
    let source = scenario(
        "platform = \"zapier\"\nautoreplay = true",
        RATE_LIMIT,
        ERROR_EMAIL,
        "2d",
    );
    let results = batch_results(&source, 50, 3);
    for run in &results {
        // 635 minutes of autoreplay, then the monitor's 1 minute latency.
        assert_eq!(run.time_to(Milestone::Detected), Some(636.0));
    }
    // Without autoreplay Zapier emails at the first error.
    let plain = scenario("platform = \"zapier\"", RATE_LIMIT, ERROR_EMAIL, "2d");
    let results = batch_results(&plain, 50, 3);
    assert!(
        results
            .iter()
            .all(|r| r.time_to(Milestone::Detected) == Some(1.0))
    );
}

#[test]
fn make_without_incomplete_executions_deactivates_after_the_eighth_failed_rerun() {
    let source = scenario("platform = \"make\"", RATE_LIMIT, "", "3d");
    let loaded = ttx::scenario::from_str("test.toml", &source).unwrap();
    let (outcome, trace) = trace_run(&loaded.scenario, 1, 0);
    // Reruns 1 m, 2 m, 5 m, 10 m, 1 h, 3 h, 12 h, 24 h after the first error (minute 60):
    // the 8th fails at minute 60 + 2418.
    let off: Vec<f64> = trace
        .steps
        .iter()
        .filter(|s| s.event == "auto_off")
        .map(|s| s.time)
        .collect();
    assert_eq!(off, vec![2478.0]);
    // Records 60..2478 failed without incomplete executions to keep them: lost. From the
    // deactivation on, records wait at the source: 2478..4320 held.
    let c = outcome.records;
    assert_eq!((c.delivered, c.lost, c.queued), (60, 2418, 1842));
    // With incomplete executions Make keeps every failed run and never deactivates.
    let with = scenario(
        "platform = \"make\"\nincomplete_executions = true",
        RATE_LIMIT,
        "",
        "3d",
    );
    let loaded = ttx::scenario::from_str("test.toml", &with).unwrap();
    let (outcome, trace) = trace_run(&loaded.scenario, 1, 0);
    assert!(trace.steps.iter().all(|s| s.event != "auto_off"));
    let c = outcome.records;
    assert_eq!((c.delivered, c.lost, c.queued), (60, 0, 4260));
}

#[test]
fn an_expired_power_automate_trigger_raises_no_error_signal_in_a_thousand_runs() {
    let fault = r#"kind = "credential_expiry"
effect = { mode = "loud" }"#;
    let onset = "onset = { dist = \"uniform\", min = \"1h\", max = \"20h\" }";
    let fault = format!("{fault}\n{onset}");
    let only_monitor = scenario("platform = \"power_automate\"", &fault, ERROR_EMAIL, "3d")
        .replace("onset = \"1h\"\n", "");
    let results = batch_results(&only_monitor, 1000, 11);
    assert_eq!(results.len(), 1000);
    assert!(
        results
            .iter()
            .all(|r| r.time_to(Milestone::Detected).is_none()),
        "an error monitor saw an expired Power Automate trigger"
    );
    // A daily reconciliation of the form against the CRM still finds it.
    let reconciliation = format!(
        "{ERROR_EMAIL}\n\n[[detectors]]\nid = \"daily-count\"\nkind = \"reconciliation\"\n\
         compares = [\"form\", \"crm\"]\nevery = \"1d\"\n"
    );
    let with_reconciliation = scenario(
        "platform = \"power_automate\"",
        &fault,
        &reconciliation,
        "3d",
    )
    .replace("onset = \"1h\"\n", "");
    let results = batch_results(&with_reconciliation, 1000, 11);
    for run in &results {
        let onset = run.onset.expect("the fault begins");
        let detected = run.time_to(Milestone::Detected).expect("reconciled");
        // The first daily check after the onset: minute 1440.
        assert!((onset + detected - 1440.0).abs() < 1e-9);
    }
    // Without the platform the same error monitor sees it within its minute.
    let plain = only_monitor.replace("platform = \"power_automate\"", "");
    let results = batch_results(&plain, 100, 11);
    assert!(results.iter().all(|r| {
        r.time_to(Milestone::Detected)
            .is_some_and(|t| (t - 1.0).abs() < 1e-9)
    }));
}

/// The warnings `ttx check` gives for `source`, rendered.
fn warnings(source: &str) -> String {
    let loaded = ttx::scenario::from_str("test.toml", source).unwrap_or_else(|e| panic!("{e}"));
    loaded.warnings.render("test.toml", source)
}

/// The error `ttx check` gives for `source`, which it must refuse.
fn refusal(source: &str) -> String {
    match ttx::scenario::from_str("test.toml", source) {
        Ok(_) => panic!("accepted:\n{source}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn check_warns_where_a_platform_makes_a_detector_or_an_action_meaningless() {
    // An error email behind Zapier autoreplay comes 10 h 35 min late, or never.
    let held_back = scenario(
        "platform = \"zapier\"\nautoreplay = true",
        RATE_LIMIT,
        ERROR_EMAIL,
        "2d",
    );
    let text = warnings(&held_back);
    assert!(
        text.contains("Zapier sends no error notification for `sync` until its last retry, 10h35m after the first error"),
        "{text}"
    );
    assert!(
        !warnings(&held_back.replace("autoreplay = true", ""))
            .contains("sends no error notification")
    );
    // A loud trigger expiry on Power Automate: no failed run for any error monitor to see.
    let expired = scenario(
        "platform = \"power_automate\"",
        "kind = \"credential_expiry\"\neffect = { mode = \"loud\" }",
        ERROR_EMAIL,
        "2d",
    );
    let text = warnings(&expired);
    assert!(
        text.contains(
            "fault `outage` is an expired trigger connection on Power Automate flow `sync`"
        ),
        "{text}"
    );
    // A replay on Make without incomplete executions has nothing to replay.
    let replay = scenario("platform = \"make\"", RATE_LIMIT, ERROR_EMAIL, "2d")
        .replace("effect = \"contain\"", "effect = \"restore_data\"");
    let text = warnings(&replay);
    assert!(
        text.contains("action `pause` can never run: `sync` runs on Make with history = \"none\""),
        "{text}"
    );
}

#[test]
fn platform_keys_need_a_platform_and_the_right_one() {
    let text = |flow: &str| refusal(&scenario(flow, RATE_LIMIT, ERROR_EMAIL, "2d"));
    assert!(text("autoreplay = true").contains(
        "systems[1].autoreplay: `autoreplay` applies only to a flow that names its `platform`"
    ));
    assert!(
        text("platform = \"make\"\nautoreplay = true")
            .contains("`autoreplay` is a Zapier setting, not a Make one")
    );
    assert!(text("platform = \"zapeir\"").contains("unknown platform `zapeir`"));
    assert!(
        text("platform = \"n8n\"\nretry_queue = { retention = \"1h\" }")
            .contains("a platform flow keeps failed runs in its history, not a `retry_queue`")
    );
}

#[test]
fn a_polled_burst_on_zapier_comes_late_exactly_as_worked_out_by_hand() {
    // 1 record a minute, polls every 2 minutes, 450 records at once at minute 10.5. The poll
    // at 12 finds 452 new: it takes 100, which flood protection holds and releases 1 a second
    // (until 13m40s); the polls at 14, 16 and 18 take 100 each the same way; the poll at 20
    // takes the 60 left, 58 of which arrived by the poll at 18: 4 x 100 + 58 = 458 late.
    // By the horizon (minute 60) 510 records arrived; the one of minute 59 waits for the poll
    // at 60 (queued); 509 - 458 = 51 came on time.
    let burst =
        "platform = \"zapier\"\npolling = \"2m\"\nburst = { at = \"10m30s\", records = 450 }";
    let c = records(&scenario(burst, RATE_LIMIT, "", "1h"));
    assert_eq!(
        (c.offered, c.delivered, c.recovered, c.queued, c.lost),
        (510, 51, 458, 1, 0)
    );
    // Without flood protection the polls still take at most 100, but nothing is held: the
    // poll at 12 takes its 100 on time (they arrived after the poll at 10); those of the
    // polls at 14, 16 and 18 and the 58 carried to 20 come late: 358.
    let unprotected = format!("{burst}\nflood_protection = false");
    let c = records(&scenario(&unprotected, RATE_LIMIT, "", "1h"));
    assert_eq!((c.delivered, c.recovered), (151, 358));
    // An instant trigger with a webhook limit of 10 a minute takes 100 records arriving at
    // 5m15s (after the 6 steady ones of minutes 0..=5) 6 seconds apart: record 6 + i waits
    // while steady record i - 94 arrives before 5.25 + i/10, i < 110.3: 111 records, all
    // late but the first.
    let webhook =
        "platform = \"zapier\"\nwebhook_limit = 10\nburst = { at = \"5m15s\", records = 100 }";
    let c = records(&scenario(webhook, RATE_LIMIT, "", "1h"));
    assert_eq!(
        (c.offered, c.delivered, c.recovered, c.queued),
        (160, 50, 110, 0)
    );
}

#[test]
fn a_steady_rate_one_poll_cannot_take_is_refused() {
    let text = refusal(
        &scenario(
            "platform = \"zapier\"\npolling = \"15m\"",
            RATE_LIMIT,
            "",
            "1d",
        )
        .replace("records_per_minute = 1", "records_per_minute = 10"),
    );
    assert!(
        text.contains("Zapier cannot keep up with 10 records a minute: 150 records arrive between two polls, more than one poll picks up (100)"),
        "{text}"
    );
}

#[test]
fn a_zapier_plan_sets_the_polling_interval_and_allows_autoreplay() {
    // Free plan: polls every 15 minutes. By minute 60 the polls at 0, 15, 30 and 45 took the
    // records of minutes 0..=45 (46, on time); those of minutes 46..=59 (14) wait for the
    // poll at 60.
    let free = "platform = \"zapier\"\nplan = \"free\"\npolling = \"plan\"";
    let c = records(&scenario(free, RATE_LIMIT, "", "1h"));
    assert_eq!(
        (c.offered, c.delivered, c.queued, c.recovered),
        (60, 46, 14, 0)
    );
    let error = |flow: &str| refusal(&scenario(flow, RATE_LIMIT, "", "1h"));
    assert!(
        error(&format!("{free}\nautoreplay = true"))
            .contains("Zapier's free plan has no autoreplay")
    );
    assert!(
        error("platform = \"zapier\"\npolling = \"plan\"")
            .contains("polling = \"plan\" needs the flow's Zapier `plan`")
    );
    assert!(error("platform = \"zapier\"\nplan = \"gold\"").contains("unknown Zapier plan `gold`"));
    assert!(
        error("platform = \"make\"\nplan = \"team\"")
            .contains("`plan` is a Zapier setting, not a Make one")
    );
}

#[test]
fn make_break_handler_retries_any_error_three_times_fifteen_minutes_apart() {
    let drift = "kind = \"schema_drift\"\neffect = { mode = \"loud\" }";
    // A 30-minute fault from minute 60: every errored record's last attempt (45 minutes
    // after its error) comes after minute 90, so all 30 arrive late.
    let short = format!("{drift}\nlasts = \"30m\"");
    let c = records(&scenario(
        "platform = \"make\"\nbreak_handler = true",
        &short,
        "",
        "1d",
    ));
    assert_eq!((c.recovered, c.lost, c.queued), (30, 0, 0));
    // A 1-hour fault: records 60..75 (a + 45 < 120) fail their last attempt and stay as
    // incomplete executions (queued); the other 45 come late.
    assert_eq!(
        by_hand(1.0, 1.0, 60.0, 120.0, &[15.0, 15.0, 15.0]),
        (45, 15)
    );
    let long = format!("{drift}\nlasts = \"1h\"");
    let c = records(&scenario(
        "platform = \"make\"\nbreak_handler = true",
        &long,
        "",
        "1d",
    ));
    assert_eq!((c.recovered, c.lost, c.queued), (45, 0, 15));
    // Without the handler Make keeps nothing of a schema error: all 60 lost.
    let c = records(&scenario("platform = \"make\"", &long, "", "1d"));
    assert_eq!((c.recovered, c.lost, c.queued), (0, 60, 0));
}

#[test]
fn check_warns_of_a_replay_that_ends_after_the_first_failed_runs_left_history() {
    // The fault lasts at least 30 minutes and the replay takes 10: it ends 40 minutes after
    // the onset at the earliest, when runs failed at the onset left a 5-minute history.
    let fault = format!("{RATE_LIMIT}\nlasts = \"30m\"");
    let replay = |history: &str| {
        scenario(
            &format!("platform = \"zapier\"\nhistory = \"{history}\""),
            &fault,
            ERROR_EMAIL,
            "2d",
        )
        .replace("effect = \"contain\"", "effect = \"restore_data\"")
    };
    let text = warnings(&replay("5m"));
    assert!(
        text.contains("action `pause` replays from Zapier's history of `sync`, which keeps a failed run 5.0m after its error, but the replay ends at least 40.0m after a fault begins"),
        "{text}"
    );
    assert!(!warnings(&replay("1h")).contains("replays from Zapier's history"));
}
