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
        version.contains("ttx-results/1") && version.contains("ttx-tally/2"),
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
