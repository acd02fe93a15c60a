//! Mutation fuzzing on stable Rust of every reader of user files: the scenario parser and
//! compiler (and a short simulation of what compiles), the results reader (and the report drawn
//! from what reads), the tally reader and the journal reader. Inputs start from real files
//! (tests/malformed, scenarios, fixtures) and are mutated byte- and line-wise by a seeded
//! generator; any panic is a failure, and its input is saved under `tests/fuzz-regressions/`,
//! where every later run replays it first.
//!
//! Each target runs for `FUZZ_SECONDS` (default 2; CI runs 45, a longer hunt:
//! `FUZZ_SECONDS=1800 cargo test --release --test integration fuzz -- --test-threads 1`) from
//! seed `FUZZ_SEED` (default 1). The executions count is printed per target.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::common::root;

fn seconds() -> u64 {
    std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2)
}

fn seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

fn regressions() -> PathBuf {
    root().join("tests").join("fuzz-regressions")
}

/// Tokens that parsers care about, spliced in by the mutator.
const TOKENS: &[&[u8]] = &[
    b"[[",
    b"]]",
    b"[",
    b"]",
    b"{",
    b"}",
    b"\"",
    b"'''",
    b"=",
    b",",
    b"\n",
    b"#",
    b"\\u0000",
    b"1e308",
    b"-1",
    b"0",
    b"18446744073709551616",
    b"nan",
    b"inf",
    b"-0.0",
    b"\"\"",
    b"null",
    b"true",
    b"\xff",
    b"\xe2\x80",
    b"99999999999d",
    b"0s",
    b"ttx-tally/3\n",
    b"ttx-tally/2\n",
    b"ttx-tally/1\n",
];

/// One mutation of `input`, sometimes splicing from another corpus entry.
fn mutate(rng: &mut ChaCha8Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let len = out.len();
        let at = if len == 0 {
            0
        } else {
            rng.random_range(0..len)
        };
        match rng.random_range(0..8) {
            0 if len > 0 => out[at] ^= 1 << rng.random_range(0..8),
            1 if len > 0 => out[at] = rng.random(),
            2 if len > 0 => {
                let end = (at + rng.random_range(1..64)).min(len);
                out.drain(at..end);
            }
            3 if len > 0 => {
                let end = (at + rng.random_range(1..256)).min(len);
                let copy = out[at..end].to_vec();
                let times = rng.random_range(1..8);
                for _ in 0..times {
                    out.splice(at..at, copy.iter().copied());
                }
            }
            4 => {
                let token = TOKENS[rng.random_range(0..TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            5 if !corpus.is_empty() => {
                let other = &corpus[rng.random_range(0..corpus.len())];
                if !other.is_empty() {
                    let from = rng.random_range(0..other.len());
                    let end = (from + rng.random_range(1..512)).min(other.len());
                    out.splice(at..at, other[from..end].iter().copied());
                }
            }
            6 if len > 0 => out.truncate(at),
            _ => {
                // Swap two lines: sections and keys in unexpected order.
                let lines: Vec<&[u8]> = out.split(|b| *b == b'\n').collect();
                if lines.len() > 2 {
                    let (a, b) = (
                        rng.random_range(0..lines.len()),
                        rng.random_range(0..lines.len()),
                    );
                    let mut lines: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
                    lines.swap(a, b);
                    out = lines.join(&b'\n');
                }
            }
        }
    }
    out
}

/// Runs `check` on the saved regressions of `target`, then on mutations of `corpus` until the
/// time is up; saves and reports every input that panics.
fn fuzz(target: &str, corpus: Vec<Vec<u8>>, check: impl Fn(&[u8])) {
    assert!(!corpus.is_empty(), "{target}: an empty corpus");
    let saved: Vec<Vec<u8>> = std::fs::read_dir(regressions())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{target}-"))
        })
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    let mut crashes = Vec::new();
    for input in &saved {
        if catch_unwind(AssertUnwindSafe(|| check(input))).is_err() {
            crashes.push(input.clone());
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed() ^ target.len() as u64);
    let deadline = Instant::now() + Duration::from_secs(seconds());
    let mut executions = 0u64;
    while Instant::now() < deadline && crashes.len() < 5 {
        let base = &corpus[rng.random_range(0..corpus.len())];
        let input = mutate(&mut rng, base, &corpus);
        executions += 1;
        if catch_unwind(AssertUnwindSafe(|| check(&input))).is_err() {
            let name = format!("{target}-{:016x}.bin", rng.next_u64());
            std::fs::create_dir_all(regressions()).unwrap();
            std::fs::write(regressions().join(name), &input).unwrap();
            crashes.push(input);
        }
    }
    eprintln!(
        "fuzz {target}: {executions} executions in {} s, {} saved regressions replayed, {} crashes",
        seconds(),
        saved.len(),
        crashes.len()
    );
    assert!(
        crashes.is_empty(),
        "{target}: {} inputs panicked; saved under tests/fuzz-regressions/",
        crashes.len()
    );
}

fn files(dir: &str, extension: &str) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

#[test]
fn fuzz_scenarios() {
    let mut corpus = files("tests/malformed", "toml");
    corpus.extend(files("scenarios", "toml"));
    fuzz("scenario", corpus, |input| {
        let text = String::from_utf8_lossy(input);
        if let Ok(loaded) = ttx::scenario::from_str("fuzz.toml", &text) {
            let _ = loaded.warnings.render("fuzz.toml", &text);
            let keys = ttx::model::StreamKeys::new(&loaded.scenario, 1);
            for run in 0..2 {
                let _ = ttx::model::simulate(&loaded.scenario, &keys, run, 20_000);
            }
        }
    });
}

fn small_results() -> ttx::results::Results {
    let loaded = ttx::scenario::default_scenario();
    let options = ttx::runner::BatchOptions::new(12, 5);
    let outcomes = ttx::runner::run_batch(&loaded.scenario, &options, &|_| {}).unwrap();
    ttx::results::Results::new(&loaded.scenario, 5, &outcomes)
}

#[test]
fn fuzz_results() {
    let mut corpus = vec![small_results().to_json().into_bytes()];
    corpus.extend(files("tests/fixtures", "json"));
    fuzz("results", corpus, |input| {
        if let Ok(results) = serde_json::from_slice::<ttx::results::Results>(input)
            && !results.per_run.is_empty()
        {
            let report = ttx::report::aar::AfterActionReport::new(&results);
            for format in ttx::report::format::FORMATS {
                if let Some(renderer) = ttx::report::format::by_name(format) {
                    let _ = renderer.render(&report);
                }
            }
        }
    });
}

#[test]
fn fuzz_tallies() {
    let loaded = ttx::scenario::default_scenario();
    let options = ttx::runner::BatchOptions::new(16, 3);
    let tally = ttx::runner::batch::tally_batch(&loaded.scenario, &options, &|_| {}).unwrap();
    let file = ttx::results::tally::file::TallyFile {
        ttx_version: env!("CARGO_PKG_VERSION").to_string(),
        header: ttx::results::Header::of(&loaded.scenario, 3),
        shard: ttx::results::ShardInfo {
            index: 1,
            count: 1,
            total_runs: 16,
        },
        tally,
        generator: ttx::engine::rng::Generator::Philox,
    };
    let mut bytes = Vec::new();
    file.write(&mut bytes).unwrap();
    fuzz("tally", vec![bytes], |input| {
        if let Ok(read) = ttx::results::tally::file::TallyFile::read(&mut &input[..]) {
            let _ = read.tally.summarize(read.header).to_json();
        }
    });
}

#[test]
fn fuzz_journals() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.jsonl");
    fuzz("journal", files("tests/fixtures", "jsonl"), |input| {
        std::fs::write(&path, input).unwrap();
        let _ = ttx::drill::journal::read(&path);
    });
}
