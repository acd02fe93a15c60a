//! Shared helpers for the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

/// The `ttx` binary under test.
pub fn ttx() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("ttx").expect("the ttx binary is built for integration tests")
}

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A folder to run documented shell commands in, as a reader would from a checkout: the
/// shipped `scenarios/` and `docs/` linked in, and a `PATH` with the `ttx` under test first.
pub fn docs_sandbox() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    for shipped in ["scenarios", "docs"] {
        std::os::unix::fs::symlink(root().join(shipped), dir.path().join(shipped)).unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin("ttx");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (dir, path)
}

/// The smallest landscape, for scenarios written in tests: a source `src`, a flow `flow` of
/// one record a minute, a sink `dst`.
pub const LANDSCAPE: &str = r#"[[systems]]
id = "src"
kind = "source"
[[systems]]
id = "flow"
kind = "flow"
from = "src"
to = "dst"
records_per_minute = 1
[[systems]]
id = "dst"
kind = "sink""#;

/// A file under `tests/malformed/`.
pub fn malformed(name: &str) -> PathBuf {
    root().join("tests").join("malformed").join(name)
}

/// A file under `scenarios/`.
pub fn scenario(name: &str) -> PathBuf {
    root().join("scenarios").join(name)
}

/// The text of a shipped scenario.
pub fn scenario_text(name: &str) -> String {
    std::fs::read_to_string(scenario(name)).expect("scenario is readable")
}

/// The results of `runs` runs of the scenario `source` under `seed`, in process.
pub fn batch_results(source: &str, runs: u64, seed: u64) -> ttx::results::Results {
    let loaded = ttx::scenario::from_str("test.toml", source).unwrap_or_else(|e| panic!("{e}"));
    let outcomes = ttx::runner::run_batch(
        &loaded.scenario,
        &ttx::runner::BatchOptions::new(runs, seed),
        &|_| {},
    )
    .expect("batch runs");
    ttx::results::Results::new(&loaded.scenario, seed, &outcomes)
}
