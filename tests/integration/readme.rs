//! The README shows real output: its `ttx run` and `ttx check` examples must match what the
//! binary prints today, so the figures in it can never drift from a rerun.

use crate::common;

/// The lines of the ```text block that starts with `$ <command>`.
pub fn example(readme: &str, command: &str) -> String {
    let start = readme
        .find(&format!("```text\n$ {command}\n"))
        .unwrap_or_else(|| panic!("README has no `$ {command}` example"));
    let body = &readme[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].to_string()
}

#[test]
fn readme_run_example_is_real_output() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let output = common::ttx()
        .current_dir(common::root())
        .arg("run")
        .output()
        .unwrap();
    assert_eq!(
        example(&readme, "ttx run"),
        String::from_utf8(output.stdout).unwrap()
    );
}

#[test]
fn readme_check_example_is_real_output() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let output = common::ttx()
        .current_dir(common::root())
        .args(["check", "tests/malformed/unknown-key-typo.toml"])
        .output()
        .unwrap();
    assert_eq!(
        example(&readme, "ttx check tests/malformed/unknown-key-typo.toml"),
        String::from_utf8(output.stderr).unwrap()
    );
}
