//! Output files of the commands: distinct paths, nothing replaced that appeared meanwhile,
//! nothing left behind (issue: 'Bounded and exact under hostile input').

use std::process::{Command, Stdio};

use crate::common::ttx;

#[test]
fn two_outputs_on_one_path_are_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.out");
    let output = ttx()
        .args(["run", "--runs", "50", "--export-json"])
        .arg(&path)
        .arg("--export-csv")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("would both be written to"), "{stderr}");
    assert!(!path.exists());
}

#[test]
fn a_folder_as_an_output_is_refused_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("out");
    std::fs::create_dir(&folder).unwrap();
    let output = ttx()
        .args(["run", "--runs", "50", "--force", "--export-json"])
        .arg(&folder)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is a folder"));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "only the folder: {names:?}");
}

#[test]
fn an_unrelated_tmp_sibling_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let sibling = dir.path().join("x.json.tmp");
    std::fs::write(&sibling, "a user's file").unwrap();
    ttx()
        .args(["run", "--runs", "50", "--export-json"])
        .arg(dir.path().join("x.json"))
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&sibling).unwrap(), "a user's file");
}

/// Regression: two runs exporting to one path both succeeded and one result was lost.
#[test]
fn of_two_concurrent_writers_to_one_path_exactly_one_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.json");
    let start = |seed: &str| {
        Command::new(env!("CARGO_BIN_EXE_ttx"))
            .args([
                "run",
                "--runs",
                "3000",
                "--quiet",
                "--seed",
                seed,
                "--export-json",
            ])
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start("1"), start("2"));
    let outputs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let codes: Vec<_> = outputs.iter().map(|o| o.status.code()).collect();
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(2)),
        "{codes:?} {:?}",
        outputs
            .iter()
            .map(|o| String::from_utf8_lossy(&o.stderr))
            .collect::<Vec<_>>()
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).expect("a whole results file");
    let winner = if codes[0] == Some(0) { 1 } else { 2 };
    assert_eq!(
        json["seed"], winner,
        "the file holds the run that said it wrote it"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
}

/// Runs `sh -c SCRIPT` with the binary under test as `$TTX`.
fn shell(script: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("TTX", assert_cmd::cargo::cargo_bin("ttx"))
        .output()
        .unwrap()
}

#[test]
fn an_export_to_dash_goes_to_stdout_and_pipes_into_a_json_reader() {
    let output = shell(
        "\"$TTX\" run --runs 50 --export-json - | python3 -c 'import json,sys; r = json.load(sys.stdin); print(r[\"runs\"])'",
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "50\n");
    // The summary table a pipe would choke on went to stderr, and no file named `-` appeared.
    assert!(String::from_utf8_lossy(&output.stderr).contains("time to detect"));
}

#[test]
fn an_export_to_dash_writes_what_a_file_would_hold() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    let batch = [
        "run",
        "--runs",
        "40",
        "--seed",
        "3",
        "-q",
        "--export-summary",
    ];
    let to_stdout = ttx()
        .current_dir(dir.path())
        .args(batch)
        .arg("-")
        .output()
        .unwrap();
    assert!(to_stdout.status.success());
    ttx().args(batch).arg(&file).assert().success();
    assert_eq!(to_stdout.stdout, std::fs::read(&file).unwrap());
    assert!(!dir.path().join("-").exists(), "no file named '-'");
}

#[test]
fn two_outputs_to_stdout_are_refused() {
    let output = ttx()
        .args([
            "run",
            "--runs",
            "50",
            "--export-json",
            "-",
            "--export-csv",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("both go to standard output"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_folder_option_refuses_dash_in_words() {
    let output = ttx().args(["packet", "--out", "-"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot be standard output"), "{stderr}");
}

/// A CSV export alone is written while the batch runs (no rows kept): it must be the CSV of
/// the kept rows, byte for byte, with the same summary, at any thread count.
#[test]
fn a_csv_export_written_as_the_runs_come_is_the_csv_of_the_kept_rows() {
    let dir = tempfile::tempdir().unwrap();
    for scenario in [
        "scenarios/lead-sync-schema-drift.toml",
        "scenarios/shopify-netsuite-facilitated.toml",
        "scenarios/concurrent-incidents.toml",
    ] {
        let scenario = crate::common::root().join(scenario);
        let run = |threads: &str, extra: &[&str], name: &str| {
            let csv = dir.path().join(format!("{name}.csv"));
            let summary = dir.path().join(format!("{name}.summary.json"));
            let output = ttx()
                .arg("run")
                .arg(&scenario)
                .args([
                    "--runs",
                    "1500",
                    "--seed",
                    "12",
                    "--threads",
                    threads,
                    "--force",
                ])
                .args(extra)
                .arg("--export-csv")
                .arg(&csv)
                .arg("--export-summary")
                .arg(&summary)
                .output()
                .unwrap();
            assert!(output.status.success(), "{output:?}");
            let read = |p| std::fs::read(p).unwrap();
            (read(&csv), read(&summary), output.stdout)
        };
        let json = dir.path().join("kept.json");
        let kept = run("1", &["--export-json", json.to_str().unwrap()], "kept");
        let streamed = run("2", &[], "streamed");
        let name = scenario.display();
        assert!(kept.0 == streamed.0, "{name}: the CSVs differ");
        assert!(kept.1 == streamed.1, "{name}: the summaries differ");
        assert_eq!(kept.2, streamed.2, "{name}: the printed tables differ");
        assert_eq!(kept.0.iter().filter(|&&b| b == b'\n').count(), 1501);
    }
}

/// A CSV export is written while its batch runs, into a temporary sibling: an interrupt
/// (here SIGTERM) removes it, and the command ends with 130.
#[test]
#[cfg(unix)]
fn an_interrupted_csv_export_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ttx"))
        .args(["run", "--runs", "1000000000", "--quiet", "--export-csv"])
        .arg(dir.path().join("runs.csv"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while std::fs::read_dir(dir.path()).unwrap().next().is_none() {
        assert!(
            started.elapsed().as_secs() < 60,
            "no temporary file appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Rows are being written: the batch is under way.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
