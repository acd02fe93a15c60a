//! Input paths are read within bounds: devices and FIFOs are refused at once (they used to
//! fill memory or block forever), bytes that are not UTF-8 are not a results file (exit 1), and
//! a results file whose per-run rows were changed is refused by its checksum (exit 1).

use std::time::{Duration, Instant};

use crate::common::ttx;

#[test]
fn a_device_or_a_fifo_is_refused_at_once_by_every_reader() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.display().to_string();
    let out = dir.path().join("out.json").display().to_string();
    let cases: [&[&str]; 7] = [
        &["check", "/dev/zero"],
        &["check", &fifo],
        &["run", &fifo],
        &["report", "/dev/zero"],
        &["compare", &fifo, "/dev/zero"],
        &["merge", "/dev/zero", "--out", &out],
        &["drill", "--resume", &fifo, "--no-console"],
    ];
    for args in cases {
        let started = Instant::now();
        let output = ttx()
            .args(args)
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{args:?} waited"
        );
    }
}

#[test]
fn results_that_are_not_utf8_are_not_results() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, b"\xff\xfe{").unwrap();
    let output = ttx().arg("report").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a ttx results file"));
}

#[test]
fn a_scenario_over_the_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    std::fs::write(&path, "# padding\n".repeat(100)).unwrap();
    let output = ttx()
        .arg("check")
        .arg(&path)
        .env("TTX_MAX_INPUT_BYTES", "500")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("larger than the 500 bytes"));
}

/// Regression: a changed per-run row (a time, a count) used to be read, reported and merged as
/// if the batch had produced it; the rows' checksum now refuses it, naming the file.
#[test]
fn results_with_a_changed_row_are_refused_by_their_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    ttx()
        .args([
            "run",
            "--runs",
            "20",
            "--seed",
            "3",
            "--quiet",
            "--export-json",
        ])
        .arg(&good)
        .assert()
        .success();
    let text = std::fs::read_to_string(&good).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        value["rows_sha256"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    // Read back as written: accepted.
    ttx()
        .arg("report")
        .arg(&good)
        .arg("--out")
        .arg(dir.path().join("a.md"))
        .assert()
        .success();

    let damaged_files = [
        // A time of one run.
        ("time", {
            let mut v = value.clone();
            let t = v["per_run"][4]["time_to_detect"].as_f64().unwrap_or(1.0);
            v["per_run"][4]["time_to_detect"] = serde_json::json!(t + 1.0);
            v
        }),
        // A count of one run.
        ("count", {
            let mut v = value.clone();
            v["per_run"][0]["escalations"] = serde_json::json!(7);
            v
        }),
        // A run dropped.
        ("row", {
            let mut v = value.clone();
            v["per_run"].as_array_mut().unwrap().pop();
            v
        }),
        // The checksum itself.
        ("checksum", {
            let mut v = value.clone();
            v["rows_sha256"] = serde_json::json!(format!("sha256:{}", "0".repeat(64)));
            v
        }),
    ];
    for (what, damaged) in damaged_files {
        let path = dir.path().join(format!("damaged-{what}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&damaged).unwrap()).unwrap();
        for command in ["report", "replay"] {
            let mut cmd = ttx();
            cmd.arg(command).arg(&path);
            if command == "replay" {
                cmd.args(["--run", "0"]);
            }
            let output = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{what} {command}: {stderr}");
            assert!(
                stderr.contains(&format!("damaged-{what}.json' is damaged")),
                "{what} {command}: {stderr}"
            );
        }
    }

    // A file written before the checksum existed (no `rows_sha256`) is still read.
    let mut old = value.clone();
    old.as_object_mut().unwrap().remove("rows_sha256");
    let path = dir.path().join("old.json");
    std::fs::write(&path, serde_json::to_string_pretty(&old).unwrap()).unwrap();
    ttx()
        .arg("report")
        .arg(&path)
        .arg("--out")
        .arg(dir.path().join("b.md"))
        .assert()
        .success();
}
