//! Build script: records the commit the binary is built from for `ttx --version`, so a bug
//! report or a results file's tool can be traced to its source. Git is asked when it and a
//! repository are there; a build from a tarball (no `.git`) or without git says "unknown"
//! instead of failing, and `TTX_BUILD_COMMIT` set by a packager wins over both.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=TTX_BUILD_COMMIT");
    // Rebuild when HEAD moves: HEAD itself (a checkout) and the branch it points at (a commit),
    // wherever this repository or worktree keeps them. Only files that exist are watched: cargo
    // reruns a build script on every build for a watched file that is missing (a branch that is
    // only in packed-refs, or no packed-refs at all).
    let branch = git(&["symbolic-ref", "-q", "HEAD"]);
    let watched = ["HEAD", "packed-refs"]
        .into_iter()
        .map(str::to_string)
        .chain(branch);
    for path in watched {
        if let Some(file) = git(&["rev-parse", "--git-path", &path])
            && std::path::Path::new(&file).exists()
        {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    let commit = std::env::var("TTX_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=TTX_BUILD_COMMIT={commit}");
}
