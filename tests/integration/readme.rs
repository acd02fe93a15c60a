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

/// Runs in any one tour command at most: the README's tour names batches as a user would run
/// them (`--runs 1000000`); the test runs each `--runs N` with N capped here, which keeps
/// every command's meaning (shards still merge to the whole, `--run 4711` still exists).
const TOUR_MAX_RUNS: u64 = 5000;

/// The tour's commands, in order: the ```console block under "## A short tour", each `$ ` line
/// without its trailing `# comment`.
fn tour_commands(readme: &str) -> Vec<String> {
    let tour = &readme[readme.find("## A short tour").expect("README has a tour")..];
    let block = &tour[tour
        .find("```console\n")
        .expect("the tour is a console block")
        + 11..];
    let block = &block[..block.find("```").unwrap()];
    block
        .lines()
        .filter_map(|line| line.strip_prefix("$ "))
        .map(|line| match line.find("  #") {
            Some(comment) => line[..comment].trim_end().to_string(),
            None => line.trim_end().to_string(),
        })
        .collect()
}

/// `command` with every `--runs N` above [`TOUR_MAX_RUNS`] lowered to it.
fn capped(command: &str) -> String {
    let words: Vec<&str> = command.split(' ').collect();
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let after_runs = i > 0 && words[i - 1] == "--runs";
        match word.parse::<u64>() {
            Ok(runs) if after_runs && runs > TOUR_MAX_RUNS => out.push(TOUR_MAX_RUNS.to_string()),
            _ => out.push(word.to_string()),
        }
    }
    out.join(" ")
}

/// The tour runs top to bottom as written, in a fresh folder with the shipped scenarios and docs (the sample timeline), each
/// command exiting 0 (issue 20: `ttx compare q2.json q3.json` failed as nothing made them).
/// The live drill is the one line left out: it waits for people to join (tests/integration/
/// drill.rs drives it).
#[test]
fn readme_tour_runs_top_to_bottom() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let commands = tour_commands(&readme);
    assert!(commands.len() > 15, "{commands:?}");
    let (dir, path) = common::docs_sandbox();
    let mut ran = 0;
    for command in &commands {
        if command.starts_with("ttx drill ") {
            continue;
        }
        let command = capped(command);
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(&command)
            .current_dir(dir.path())
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "`{command}` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        ran += 1;
    }
    assert_eq!(ran, commands.len() - 1, "only the live drill is left out");
    // What the tour says it makes is there: the merged shards equal one unsharded run.
    let whole = dir.path().join("whole.json");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(capped(
            "ttx run --runs 20000 --seed 7 -q --export-json whole.json",
        ))
        .current_dir(dir.path())
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        std::fs::read(dir.path().join("all.json")).unwrap(),
        std::fs::read(&whole).unwrap()
    );
    assert!(dir.path().join("trend.html").exists() && dir.path().join("sweep.html").exists());
}

#[test]
fn tour_runs_are_capped_and_nothing_else_changes() {
    assert_eq!(
        capped("ttx run --runs 1000000 --shard $k/2 -q"),
        format!("ttx run --runs {TOUR_MAX_RUNS} --shard $k/2 -q")
    );
    assert_eq!(
        capped("ttx run --runs 2000 --seed 100000"),
        "ttx run --runs 2000 --seed 100000"
    );
}

/// docs/scale-out.md shows the recipes `scripts/test-parallel.sh` and `scripts/test-slurm.sh`
/// run: each block is its file (a script's body after its header comments and `set`), one
/// source, not a copy.
#[test]
fn scale_out_doc_shows_the_scripts_the_tests_run() {
    let doc = std::fs::read_to_string(common::root().join("docs/scale-out.md")).unwrap();
    for (file, fence) in [
        ("parallel.sh", "sh"),
        ("shards.sbatch", "bash"),
        ("merge.sbatch", "bash"),
        ("submit.sh", "sh"),
    ] {
        let script =
            std::fs::read_to_string(common::root().join("scripts/scale-out").join(file)).unwrap();
        let body: String = if file.ends_with(".sbatch") {
            script
        } else {
            let lines: Vec<&str> = script
                .lines()
                .skip_while(|l| l.starts_with('#') || l.starts_with("set ") || l.is_empty())
                .collect();
            lines.join("\n") + "\n"
        };
        assert!(
            doc.contains(&format!("```{fence}\n{body}```")),
            "docs/scale-out.md lacks {file}:\n{body}"
        );
    }
}
