//! Input paths are read within bounds: devices and FIFOs are refused at once (they used to
//! fill memory or block forever), and bytes that are not UTF-8 are not a results file (exit 1).

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
