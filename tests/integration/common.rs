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

/// A file under `tests/malformed/`.
pub fn malformed(name: &str) -> PathBuf {
    root().join("tests").join("malformed").join(name)
}

/// A file under `scenarios/`.
pub fn scenario(name: &str) -> PathBuf {
    root().join("scenarios").join(name)
}
