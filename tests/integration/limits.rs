//! Counts from the command line are bounded before any work: huge values are refused in words
//! with exit 2, never a panic or an allocation the machine cannot hold.

use crate::common::{root, ttx};

const HUGE: &str = "18446744073709551615";

/// Regression: these panicked with "capacity overflow" (exit 101) or aborted.
#[test]
fn huge_run_counts_are_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("x.json");
    let cases: Vec<Vec<String>> = vec![
        vec![
            "run".into(),
            "--runs".into(),
            HUGE.into(),
            "--export-json".into(),
            json.display().to_string(),
        ],
        vec![
            "run".into(),
            "--runs".into(),
            "100000000".into(),
            "--export-json".into(),
            json.display().to_string(),
        ],
        vec![
            "sweep".into(),
            "--set".into(),
            "detectors.zap-error-email.latency.mean=5m,10m".into(),
            "--runs".into(),
            HUGE.into(),
        ],
        vec![
            "power".into(),
            "--metric".into(),
            "time_to_recover".into(),
            "--change".into(),
            "-20%".into(),
            "--runs".into(),
            HUGE.into(),
        ],
    ];
    for args in cases {
        let output = ttx().current_dir(root()).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("a batch keeps run by run in memory"),
            "{args:?}: {stderr}"
        );
        assert!(!json.exists());
    }
}

#[test]
fn huge_resample_counts_are_refused() {
    let output = ttx()
        .args(["compare", "a.json", "b.json", "--resamples", HUGE])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--resamples"));
}

/// Regression: at 1e20 records a minute every run reported 0 lost, and nothing warned.
#[test]
fn rates_that_would_overflow_the_record_counters_are_refused_at_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("overflow.toml");
    let text = crate::common::scenario_text("lead-sync-schema-drift.toml");
    let first = text.find("records_per_minute = ").unwrap();
    let end = first + text[first..].find('\n').unwrap();
    std::fs::write(
        &path,
        format!(
            "{}records_per_minute = 1e20{}",
            &text[..first],
            &text[end..]
        ),
    )
    .unwrap();
    let output = ttx().arg("check").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = text[..first].matches('\n').count() + 1;
    assert!(
        stderr.contains(&format!("overflow.toml:{line}:22: systems[")),
        "{stderr}"
    );
    assert!(
        stderr.contains("more than the 1e15 a run counts exactly"),
        "{stderr}"
    );
}

#[test]
fn zero_runs_is_refused_in_words() {
    for command in ["run", "sweep"] {
        let output = ttx().args([command, "--runs", "0"]).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("a batch needs at least 1 run"),
            "{command}"
        );
    }
}

/// Regression: such names passed `check` and failed only after the whole batch, at the
/// report path.
#[test]
fn names_that_cannot_name_a_file_are_refused_at_check() {
    let dir = tempfile::tempdir().unwrap();
    let text = crate::common::scenario_text("lead-sync-schema-drift.toml");
    for name in [
        "a\\u0000b".to_string(),
        "x".repeat(300),
        "tab\\there".to_string(),
    ] {
        let path = dir.path().join("named.toml");
        let edited = text.replacen(
            "name = \"lead-sync-schema-drift\"",
            &format!("name = \"{name}\""),
            1,
        );
        assert_ne!(edited, text);
        std::fs::write(&path, edited).unwrap();
        let output = ttx().arg("check").arg(&path).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{name}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("scenario.name: a name must be"));
    }
}
