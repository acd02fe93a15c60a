//! ttx among the shell tools (issue 20): completion scripts a shell accepts, a manual page
//! `man` renders, and a `--version` that names the commit and the formats written.

use std::process::Command;

use crate::common::ttx;

/// Standard output of `ttx ARGS`, which must succeed.
fn stdout_of(args: &[&str]) -> String {
    let output = ttx().args(args).output().unwrap();
    assert!(output.status.success(), "ttx {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn sourcing_the_bash_completion_registers_ttx() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("ttx.bash");
    std::fs::write(&script, stdout_of(&["completions", "bash"])).unwrap();
    let output = Command::new("bash")
        .arg("-c")
        .arg("source \"$1\" && complete -p ttx")
        .arg("bash")
        .arg(&script)
        .output()
        .expect("bash runs");
    let registered = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        registered.contains("complete") && registered.trim_end().ends_with(" ttx"),
        "{registered}"
    );
}

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        for subcommand in ["run", "merge", "completions", "man"] {
            assert!(
                script.contains(subcommand),
                "{shell} script lacks {subcommand}"
            );
        }
    }
    let output = ttx().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_manual_page_is_roff_that_man_renders() {
    let page = stdout_of(&["man"]);
    // The structure man(7) needs, whether or not man is installed here.
    assert!(page.contains(".TH ttx 1"));
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH SUBCOMMANDS",
    ] {
        assert!(page.contains(section), "the page lacks {section}");
    }
    assert!(page.contains("ttx\\-run") || page.contains("ttx-run"));
    // Where man is installed (CI installs man-db), it renders the page as a reader sees it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ttx.1");
    std::fs::write(&file, &page).unwrap();
    let Ok(output) = Command::new("man")
        .args(["-l", "-Tutf8"])
        .arg(&file)
        .output()
    else {
        eprintln!("man is not installed: checked the roff structure only");
        return;
    };
    let rendered = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "man -l failed: {output:?}");
    let plain: String = strip_overstrike(&rendered);
    assert!(
        plain.contains("NAME") && plain.contains("SYNOPSIS"),
        "{plain}"
    );
    assert!(plain.contains("simulator for incidents"), "{plain}");
}

/// Text without the backspace overstrike nroff uses for bold and underline.
fn strip_overstrike(text: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    for c in text.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out.into_iter().collect()
}

#[test]
fn version_names_the_commit_and_the_formats() {
    let version = stdout_of(&["--version"]);
    assert!(
        version.starts_with(&format!("ttx {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    assert!(
        version.contains("ttx-results/2") && version.contains("ttx-tally/3"),
        "{version}"
    );
    // The commit is the checkout's when git can tell (not in a tarball build).
    if let Ok(head) = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        && head.status.success()
    {
        let head = String::from_utf8_lossy(&head.stdout);
        // The binary may be a commit behind when it was built before the last commit; both are
        // hex of git's length, never "unknown" in a checkout.
        let commit = version
            .split("commit ")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap();
        assert_eq!(commit.len(), head.trim().len(), "{version}");
        assert!(commit.chars().all(|c| c.is_ascii_hexdigit()), "{version}");
    }
}

const ESC: u8 = 0x1b;

/// Whether `bytes` hold an escape code.
fn coloured(bytes: &[u8]) -> bool {
    bytes.contains(&ESC)
}

/// `ttx ARGS` with the colour variables cleared and `env` set.
fn run_with(env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut command = ttx();
    command
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for (key, value) in env {
        command.env(key, value);
    }
    command.args(args).output().unwrap()
}

#[test]
fn color_always_paints_ratings_and_errors_and_never_or_no_color_does_not() {
    let run = ["run", "--runs", "50"];
    let always = run_with(
        &[("NO_COLOR", "1")],
        &[&["--color", "always"][..], &run].concat(),
    );
    assert!(
        coloured(&always.stdout),
        "--color always wins over NO_COLOR"
    );
    let forced = run_with(&[("CLICOLOR_FORCE", "1")], &run);
    assert!(coloured(&forced.stdout), "CLICOLOR_FORCE=1 colours a pipe");
    let no_color = run_with(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")], &run);
    assert!(
        !coloured(&no_color.stdout),
        "NO_COLOR=1 wins over CLICOLOR_FORCE"
    );
    let never = run_with(
        &[("CLICOLOR_FORCE", "1")],
        &[&["--color", "never"][..], &run].concat(),
    );
    assert!(!coloured(&never.stdout));
    assert!(
        !coloured(&run_with(&[], &run).stdout),
        "auto: a pipe is not a terminal"
    );
    // The same text under the paint: only escape codes were added.
    let stripped: Vec<u8> = strip_escapes(&always.stdout);
    assert_eq!(stripped, never.stdout);
    // Errors on stderr take colour the same way.
    let typo = crate::common::malformed("unknown-key-typo.toml");
    let typo = typo.to_str().unwrap();
    let error = run_with(&[], &["check", "--color", "always", typo]);
    let stderr = String::from_utf8_lossy(&error.stderr);
    assert!(
        stderr.contains("\u{1b}[") && stderr.contains("error:\u{1b}[0m"),
        "{stderr}"
    );
    let plain = run_with(&[("NO_COLOR", "1")], &["check", typo]);
    assert!(!coloured(&plain.stderr));
}

#[test]
fn files_written_hold_no_colour_even_with_color_always() {
    let dir = tempfile::tempdir().unwrap();
    let [json, csv, a, b, table] =
        ["r.json", "r.csv", "a.json", "b.json", "cmp.txt"].map(|n| dir.path().join(n));
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let runs = |seed: &str, out: &std::path::Path| {
        let output = run_with(
            &[("CLICOLOR_FORCE", "1")],
            &[
                "--color",
                "always",
                "run",
                "--runs",
                "40",
                "--seed",
                seed,
                "--export-json",
                &path(out),
            ],
        );
        assert!(output.status.success() && coloured(&output.stdout));
    };
    runs("1", &a);
    runs("2", &b);
    let output = run_with(
        &[],
        &[
            "--color",
            "always",
            "run",
            "--runs",
            "40",
            "--export-json",
            &path(&json),
            "--export-csv",
            &path(&csv),
        ],
    );
    assert!(output.status.success());
    let output = run_with(
        &[],
        &[
            "compare",
            "--color",
            "always",
            &path(&a),
            &path(&b),
            "--out",
            &path(&table),
        ],
    );
    assert!(output.status.success(), "{output:?}");
    for file in [&json, &csv, &a, &b, &table] {
        assert!(
            !coloured(&std::fs::read(file).unwrap()),
            "{} holds colour",
            file.display()
        );
    }
}

/// `bytes` without CSI escape sequences (`ESC [ ... letter`).
fn strip_escapes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == ESC && bytes.get(i + 1) == Some(&b'[') {
            i += 2;
            while i < bytes.len() && !bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            i += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn the_next_command_ttx_new_prints_can_be_pasted_into_a_shell() {
    let dir = tempfile::tempdir().unwrap();
    let output = ttx()
        .current_dir(dir.path())
        .args(["new", "My Drill"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let next = stderr
        .split("next: ttx ")
        .nth(1)
        .expect("a next command")
        .trim();
    assert_eq!(next, "check 'My Drill.toml'");
    let pasted = Command::new("sh")
        .arg("-c")
        .arg(format!("\"$TTX\" {next}"))
        .env("TTX", assert_cmd::cargo::cargo_bin("ttx"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(pasted.status.success(), "{pasted:?}");
}

#[test]
fn a_tally_without_shard_is_the_whole_batch_and_merges_to_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let [tally, summary, merged] = ["t.tally", "s.json", "m.json"].map(|n| dir.path().join(n));
    ttx()
        .args(["run", "--runs", "60", "--seed", "4", "-q", "--export-tally"])
        .arg(&tally)
        .arg("--export-summary")
        .arg(&summary)
        .assert()
        .success();
    ttx()
        .arg("merge")
        .arg(&tally)
        .arg("--out")
        .arg(&merged)
        .arg("-q")
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&merged).unwrap(),
        std::fs::read(&summary).unwrap()
    );
}
