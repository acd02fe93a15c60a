//! What `ttx` does when standard output fails: a reader that closed the pipe ends it quietly
//! with exit 0 (`ttx schema | head -1`), any other write error (a full disk) is an error with
//! exit 2, so output is never lost without a word.

use std::process::{Command, Output, Stdio};

/// `ttx schema` with its standard output sent to `stdout`.
fn schema_into(stdout: impl Into<Stdio>) -> Output {
    ttx_into(&["schema"], stdout)
}

/// `ttx ARGS` with its standard output sent to `stdout`.
fn ttx_into(args: &[&str], stdout: impl Into<Stdio>) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ttx"))
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("ttx runs")
}

#[test]
fn a_closed_pipe_on_stdout_ends_quietly_with_exit_0() {
    // The reading end is closed before ttx starts, so its first write meets a broken pipe.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = schema_into(writer);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// The CSV export written while the runs come meets the closed pipe inside the batch: the
/// same quiet end.
#[test]
fn a_closed_pipe_under_a_streamed_csv_export_ends_quietly_with_exit_0() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = ttx_into(
        &["run", "--runs", "3000", "--quiet", "--export-csv", "-"],
        writer,
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_an_error_with_exit_2() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists on Linux");
    let output = schema_into(full);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: could not write to standard output\n  caused by: No space left on device (os error 28)\n"
    );
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists on Linux");
    let output = ttx_into(
        &["run", "--runs", "3000", "--quiet", "--export-csv", "-"],
        full,
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: could not write to standard output\n  caused by: No space left on device (os error 28)\n"
    );
}
