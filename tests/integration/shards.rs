//! Scale-out: `ttx run --shard K/N` runs a slice of a batch, and `ttx merge` joins the slices
//! into exactly (byte for byte) what one unsharded run writes; incomplete or mixed sets of
//! shards are refused with a message naming the shard at fault.

use std::path::{Path, PathBuf};

use crate::common;

const RUNS: &str = "1000";
const SEED: &str = "31";

/// `ttx run` of `scenario` in `dir` with extra arguments; asserts success.
fn run(dir: &Path, scenario: &Path, extra: &[&str]) {
    common::ttx()
        .current_dir(dir)
        .args(["run", "--quiet", "--runs", RUNS, "--seed", SEED])
        .arg(scenario)
        .args(extra)
        .assert()
        .success();
}

/// Writes shard `k` of `n` as `part-k.json`.
fn shard(dir: &Path, scenario: &Path, k: u32, n: u32) -> PathBuf {
    let name = format!("part-{k}.json");
    let threads = (k % 2 + 1).to_string(); // thread counts must not matter either
    run(
        dir,
        scenario,
        &[
            "--shard",
            &format!("{k}/{n}"),
            "--threads",
            &threads,
            "--export-json",
            &name,
        ],
    );
    dir.join(name)
}

fn merge(dir: &Path, parts: &[&str], extra: &[&str]) -> std::process::Output {
    common::ttx()
        .current_dir(dir)
        .arg("merge")
        .args(parts)
        .args(extra)
        .output()
        .expect("ttx runs")
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn three_shards_merged_equal_the_unsharded_batch_byte_for_byte() {
    for name in ["lead-sync-schema-drift.toml", "concurrent-incidents.toml"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let dir = dir.path();
        let scenario = common::scenario(name);
        run(
            dir,
            &scenario,
            &["--export-json", "whole.json", "--export-csv", "whole.csv"],
        );
        for k in 1..=3 {
            shard(dir, &scenario, k, 3);
        }
        // Given in any order.
        let output = merge(
            dir,
            &["part-3.json", "part-1.json", "part-2.json"],
            &[
                "--out",
                "merged.json",
                "--export-csv",
                "merged.csv",
                "--quiet",
            ],
        );
        assert!(output.status.success(), "merge failed: {}", stderr(&output));
        let read = |f: &str| std::fs::read(dir.join(f)).expect("file written");
        assert!(
            read("merged.json") == read("whole.json"),
            "{name}: merged JSON differs from the unsharded batch"
        );
        assert!(
            read("merged.csv") == read("whole.csv"),
            "{name}: merged CSV differs from the unsharded batch"
        );
    }
}

#[test]
fn shard_results_carry_their_slice_and_the_merged_results_do_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let scenario = common::scenario("lead-sync-schema-drift.toml");
    let part = shard(dir, &scenario, 2, 3);
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(part).expect("written")).expect("JSON");
    assert_eq!(
        results["shard"],
        serde_json::json!({ "index": 2, "count": 3, "total_runs": 1000 })
    );
    assert_eq!(results["runs"], 333);
    let runs: Vec<u64> = results["per_run"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["run"].as_u64().expect("run"))
        .collect();
    assert_eq!(runs, (333..666).collect::<Vec<_>>());

    run(dir, &scenario, &["--export-json", "whole.json"]);
    let whole = std::fs::read_to_string(dir.join("whole.json")).expect("written");
    assert!(!whole.contains("\"shard\""));
}

#[test]
fn a_missing_shard_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let scenario = common::scenario("lead-sync-schema-drift.toml");
    for k in [1, 3, 5] {
        shard(dir, &scenario, k, 5);
    }
    let output = merge(
        dir,
        &["part-1.json", "part-3.json", "part-5.json"],
        &["--out", "merged.json"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: shards 2/5, 4/5 are missing (given: 1/5, 3/5, 5/5); run them with the same --runs and --seed, then merge again\n"
    );
    assert!(!dir.join("merged.json").exists(), "nothing is written");
}

#[test]
fn a_duplicated_shard_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let scenario = common::scenario("lead-sync-schema-drift.toml");
    for k in 1..=3 {
        shard(dir, &scenario, k, 3);
    }
    std::fs::copy(dir.join("part-2.json"), dir.join("copy-of-2.json")).expect("copied");
    let output = merge(
        dir,
        &[
            "part-1.json",
            "part-2.json",
            "part-3.json",
            "copy-of-2.json",
        ],
        &["--out", "merged.json"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: shard 2/3 is given twice: 'part-2.json' and 'copy-of-2.json'; give each shard once\n"
    );
}

#[test]
fn shards_of_another_batch_or_a_whole_batch_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let scenario = common::scenario("lead-sync-schema-drift.toml");
    shard(dir, &scenario, 1, 2);
    common::ttx()
        .current_dir(dir)
        .args([
            "run", "--quiet", "--runs", RUNS, "--seed", "32", "--shard", "2/2",
        ])
        .arg(&scenario)
        .args(["--export-json", "other-seed.json"])
        .assert()
        .success();
    let output = merge(
        dir,
        &["part-1.json", "other-seed.json"],
        &["--out", "m.json"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "'other-seed.json' is not a shard of the same batch as 'part-1.json': its seed is 32, not 31"
        ),
        "{}",
        stderr(&output)
    );

    run(dir, &scenario, &["--export-json", "whole.json"]);
    let output = merge(dir, &["whole.json"], &["--out", "m.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("'whole.json' is a whole batch, not a shard"));
}

#[test]
fn merge_never_replaces_an_existing_output_without_force() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let scenario = common::scenario("lead-sync-schema-drift.toml");
    shard(dir, &scenario, 1, 1);
    std::fs::write(dir.join("merged.json"), "keep me").expect("written");
    let output = merge(dir, &["part-1.json"], &["--out", "merged.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("'merged.json' already exists; pass --force"));
    assert_eq!(
        std::fs::read_to_string(dir.join("merged.json")).expect("kept"),
        "keep me"
    );
    let output = merge(
        dir,
        &["part-1.json"],
        &["--out", "merged.json", "--force", "--quiet"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        std::fs::read_to_string(dir.join("merged.json"))
            .expect("written")
            .contains("\"per_run\"")
    );
}

#[test]
fn an_impossible_shard_is_a_usage_error() {
    for bad in ["0/3", "4/3", "2", "a/b"] {
        let output = common::ttx()
            .args(["run", "--quiet", "--runs", "10", "--shard", bad])
            .output()
            .expect("ttx runs");
        assert_eq!(output.status.code(), Some(2), "--shard {bad}");
    }
}

/// Runs `ttx run` of the default scenario in `dir` with `args`; asserts success.
fn run_default(dir: &Path, args: &[&str]) {
    common::ttx()
        .current_dir(dir)
        .args(["run", "--quiet"])
        .args(args)
        .assert()
        .success();
}

/// Writes tally shard `k` of `n` of a `runs`-run batch (seed 7) as `part-k.tally`.
fn tally_shard(dir: &Path, k: u32, n: u32, runs: &str) -> String {
    let name = format!("part-{k}.tally");
    let threads = (k % 2 + 1).to_string();
    let shard = format!("{k}/{n}");
    let args = ["--runs", runs, "--seed", "7", "--shard", &shard];
    run_default(
        dir,
        &[&args[..], &["--threads", &threads, "--export-tally", &name]].concat(),
    );
    name
}

#[test]
fn ten_tally_shards_merged_equal_the_whole_batch_summary_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let mut parts: Vec<String> = (1..=10).map(|k| tally_shard(dir, k, 10, "20000")).collect();
    parts.reverse(); // given in any order
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let output = merge(dir, &parts, &["--out", "merged.json", "--quiet"]);
    assert!(output.status.success(), "merge failed: {}", stderr(&output));
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("file written");

    let whole = |export: &str, path: &str| {
        run_default(dir, &["--runs", "20000", "--seed", "7", export, path]);
        read(path)
    };
    // The same bytes as the whole batch's own summary export...
    let summary = whole("--export-summary", "whole.json");
    assert!(read("merged.json") == summary, "merged summary differs");
    // ...and as its full results without their rows (summarised from rows, not a tally),
    // less the approval waits that only rows can give.
    let rows = whole("--export-json", "rows.json");
    let mut rows = ttx::results::Results::from_json(&rows).expect("results");
    assert!(
        !rows.approvals.is_empty(),
        "the default scenario has approvals"
    );
    assert!(
        read("merged.json") == rows.to_summary_json(),
        "merged summary differs from the rows'"
    );
    assert!(read("merged.json").contains("\"summary_only\": true"));
}

#[test]
fn missing_duplicated_mixed_or_foreign_tally_parts_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    for k in 1..=3 {
        tally_shard(dir, k, 3, "600");
    }
    let refused = |parts: &[&str], extra: &[&str]| {
        let output = merge(dir, parts, &[&["--out", "m.json"], extra].concat());
        assert!(!dir.join("m.json").exists(), "nothing is written");
        (output.status.code(), stderr(&output))
    };
    assert_eq!(
        refused(&["part-1.tally", "part-3.tally"], &[]),
        (
            Some(1),
            "error: shard 2/3 is missing (given: 1/3, 3/3); run it with the same --runs and --seed, then merge again\n".to_string()
        )
    );
    std::fs::copy(dir.join("part-2.tally"), dir.join("copy.tally")).expect("copied");
    let parts = ["part-1.tally", "part-2.tally", "copy.tally", "part-3.tally"];
    assert_eq!(
        refused(&parts, &[]),
        (
            Some(1),
            "error: shard 2/3 is given twice: 'part-2.tally' and 'copy.tally'; give each shard once\n".to_string()
        )
    );

    // A shard of another scenario.
    let other = common::scenario("concurrent-incidents.toml");
    common::ttx()
        .current_dir(dir)
        .args([
            "run", "--quiet", "--runs", "600", "--seed", "7", "--shard", "2/3",
        ])
        .arg(&other)
        .args(["--export-tally", "other.tally"])
        .assert()
        .success();
    let (code, message) = refused(&["part-1.tally", "other.tally", "part-3.tally"], &[]);
    assert_eq!(code, Some(1));
    assert!(
        message.contains("'other.tally' is not a shard of the same batch as 'part-1.tally': its scenario content hash is"),
        "{message}"
    );

    // A results file, or a summary-only one, among tally files.
    let shard_2 = |export: &str, path: &str| {
        let args = [
            "--runs", "600", "--seed", "7", "--shard", "2/3", export, path,
        ];
        run_default(dir, &args);
    };
    shard_2("--export-json", "part-2.json");
    shard_2("--export-summary", "sum-2.json");
    for (parts, expected) in [
        (
            &["part-1.tally", "part-2.json", "part-3.tally"][..],
            "'part-2.json' is a results file but 'part-1.tally' is a tally file",
        ),
        (
            &["sum-2.json", "part-2.json"][..],
            "'sum-2.json' holds a summary without per-run rows",
        ),
    ] {
        let (code, message) = refused(parts, &[]);
        assert_eq!(code, Some(1));
        assert!(message.contains(expected), "{message}");
    }

    // A truncated tally is named, and no CSV can come from tallies.
    let bytes = std::fs::read(dir.join("part-2.tally")).expect("written");
    std::fs::write(dir.join("cut.tally"), &bytes[..bytes.len() - 8]).expect("written");
    let (code, message) = refused(&["part-1.tally", "cut.tally", "part-3.tally"], &[]);
    assert_eq!(code, Some(1));
    assert!(
        message.starts_with("error: could not read tally 'cut.tally'\n  caused by: its columns should hold 5 × 200 doubles"),
        "{message}"
    );
    let (code, message) = refused(
        &["part-1.tally", "part-2.tally", "part-3.tally"],
        &["--export-csv", "m.csv"],
    );
    assert_eq!(code, Some(2));
    assert!(
        message.contains("tally files carry no per-run rows"),
        "{message}"
    );
}
