//! The shipped scenario library: every file is valid, runs, validates against `ttx schema`,
//! appears in the generated catalogue, and the scenarios behave differently.

use std::path::Path;

use ttx::report::catalog;
use ttx::results::Results;
use ttx::runner::{BatchOptions, run_batch};

use crate::common;

fn library() -> Vec<std::path::PathBuf> {
    let files =
        catalog::scenario_files(&common::root().join("scenarios")).expect("scenarios/ lists");
    assert!(
        files.len() >= 12,
        "the library should hold at least 12 scenarios, found {}",
        files.len()
    );
    files
}

fn results(path: &Path, runs: u64, seed: u64) -> Results {
    let loaded = ttx::scenario::load(path).unwrap_or_else(|e| panic!("{e}"));
    let outcomes =
        run_batch(&loaded.scenario, &BatchOptions::new(runs, seed), &|_| {}).expect("batch runs");
    Results::new(&loaded.scenario, seed, &outcomes)
}

#[test]
fn every_shipped_scenario_checks_clean_and_runs_1000_runs() {
    for file in library() {
        let loaded = ttx::scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
        let source = std::fs::read_to_string(&file).unwrap();
        let warnings = loaded.warnings.render(&file.display().to_string(), &source);
        assert!(
            warnings.is_empty(),
            "{} has warnings:\n{warnings}",
            file.display()
        );
        let r = results(&file, 1000, 1);
        assert_eq!(r.runs, 1000);
        assert_eq!(
            r.runs_hit_event_cap,
            0,
            "{} hit the event cap",
            file.display()
        );
        assert!(
            r.metrics.time_to_detect.reached > 0,
            "{} never detects",
            file.display()
        );
        assert!(
            r.metrics.time_to_recover.reached > 500,
            "{} rarely recovers",
            file.display()
        );
        for row in &r.per_run {
            assert!(
                row.records.is_conserved(),
                "{} run {} loses track of records",
                file.display(),
                row.run
            );
        }
    }
}

#[test]
fn the_catalogue_matches_a_fresh_regeneration() {
    let fresh = catalog::render(&common::root().join("scenarios")).expect("catalogue renders");
    let committed =
        std::fs::read_to_string(common::root().join("scenarios/README.md")).unwrap_or_default();
    assert!(
        fresh == committed,
        "scenarios/README.md is stale: regenerate it with `cargo run --release -- catalog scenarios > scenarios/README.md`"
    );
}

fn scenario_as_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    serde_json::to_value(value).unwrap()
}

#[test]
fn the_json_schema_accepts_every_shipped_scenario_and_rejects_unknown_keys() {
    let schema = ttx::scenario::schema::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("ttx schema is a valid JSON Schema");
    for file in library() {
        let instance = scenario_as_json(&file);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{} fails the schema: {errors:?}",
            file.display()
        );
    }
    let mut broken = scenario_as_json(&common::scenario("lead-sync-schema-drift.toml"));
    broken["roles"][0]["acknowlege"] = serde_json::json!("5m");
    assert!(
        !validator.is_valid(&broken),
        "a misspelt key must fail the schema"
    );
    let mut broken = scenario_as_json(&common::scenario("lead-sync-schema-drift.toml"));
    broken["faults"][0]["kind"] = serde_json::json!("gremlins");
    assert!(
        !validator.is_valid(&broken),
        "an unknown fault kind must fail the schema"
    );
}

#[test]
fn ttx_schema_prints_the_same_schema() {
    let output = common::ttx().arg("schema").output().unwrap();
    assert!(output.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed, ttx::scenario::schema::json_schema());
}

#[test]
fn ttx_new_writes_valid_templates_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    for kind in ttx::scenario::FaultKind::NAMES {
        common::ttx()
            .current_dir(dir.path())
            .args(["new", kind, "--template", kind])
            .assert()
            .success();
        common::ttx()
            .current_dir(dir.path())
            .args(["check", "--deny-warnings", &format!("{kind}.toml")])
            .assert()
            .success();
    }
    let path = dir.path().join("schema_drift.toml");
    std::fs::write(&path, "# my own work\n").unwrap();
    let output = common::ttx()
        .current_dir(dir.path())
        .args(["new", "schema_drift"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("'schema_drift.toml' already exists"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# my own work\n");
}

#[test]
fn scenarios_differ_in_behaviour_not_just_names() {
    let medians: Vec<(String, f64)> = library()
        .iter()
        .map(|f| {
            let m = results(f, 1000, 1)
                .metrics
                .time_to_recover
                .median
                .expect("recovers");
            (f.file_name().unwrap().to_string_lossy().into_owned(), m)
        })
        .collect();
    let fastest = medians
        .iter()
        .map(|(_, m)| *m)
        .fold(f64::INFINITY, f64::min);
    let slowest = medians.iter().map(|(_, m)| *m).fold(0.0, f64::max);
    assert!(
        slowest > 4.0 * fastest,
        "time-to-recover medians span too little: {medians:?}"
    );
    // No two scenarios may have (nearly) the same median: each must behave like itself.
    let mut sorted: Vec<f64> = medians.iter().map(|(_, m)| *m).collect();
    sorted.sort_by(f64::total_cmp);
    let distinct = sorted.windows(2).filter(|w| w[1] > w[0] * 1.02).count() + 1;
    assert!(
        distinct * 10 >= sorted.len() * 7,
        "too many scenarios share a median: {medians:?}"
    );
}

#[test]
fn concurrent_incidents_are_acknowledged_later_than_their_single_incident_twin() {
    let concurrent = results(&common::scenario("concurrent-incidents.toml"), 2000, 1);
    let single = results(
        &common::scenario("concurrent-incidents-single.toml"),
        2000,
        1,
    );
    let (c, s) = (
        &concurrent.metrics.time_to_acknowledge,
        &single.metrics.time_to_acknowledge,
    );
    assert!(
        c.median > s.median,
        "concurrent {:?} vs single {:?}",
        c.median,
        s.median
    );
    assert!(
        c.mean > s.mean,
        "concurrent {:?} vs single {:?}",
        c.mean,
        s.mean
    );
}

/// Every text a player reads of `scenario`: its Situation Manual (Markdown and HTML), the
/// messages of injects, deck cards and detectors, the diagnosis options and the role titles.
fn player_texts(scenario: &ttx::scenario::Scenario) -> Vec<String> {
    let sitman = ttx::report::packet::Packet::new(scenario).sitman;
    let mut texts = vec![sitman.markdown(), sitman.html()];
    texts.extend(scenario.injects.iter().map(|i| i.message.text.clone()));
    let cards = scenario.deck.iter().flat_map(|d| &d.cards);
    texts.extend(cards.map(|c| c.text.clone()));
    texts.extend(scenario.detectors.iter().filter_map(|d| d.message.clone()));
    texts.extend(scenario.causes.iter().map(|c| c.label().to_string()));
    texts.extend(scenario.roles.iter().map(|r| r.title.clone()));
    texts
}

#[test]
fn nothing_players_read_marks_a_decoy_as_one() {
    // A card that says "(a red herring)" tells players to ignore it: the exercise is lost.
    let mut scenarios: Vec<(String, ttx::scenario::Scenario)> = library()
        .into_iter()
        .map(|file| {
            let loaded = ttx::scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
            (file.display().to_string(), loaded.scenario)
        })
        .collect();
    for name in ttx::scenario::FaultKind::NAMES {
        let kind = ttx::scenario::FaultKind::from_name(name).unwrap();
        let text = ttx::scenario::template::render("drill", kind);
        let loaded = ttx::scenario::from_str("drill.toml", &text).unwrap();
        scenarios.push((format!("template {name}"), loaded.scenario));
    }
    for (name, scenario) in &scenarios {
        for text in player_texts(scenario) {
            let lower = text.to_lowercase();
            for marker in ["herring", "decoy"] {
                assert!(
                    !lower.contains(marker),
                    "{name}: players read `{marker}` in:\n{text}"
                );
            }
        }
    }
}

/// Records of the twin fixture's flow (one a minute, record k at minute k) arriving in [a, b).
fn twin_records_between(a: f64, b: f64) -> u64 {
    let lo = a.ceil().max(0.0);
    let hi = b.ceil().min(480.0);
    (hi - lo).max(0.0) as u64
}

/// `benches/simpy_twin.py` mirrors `benches/fixtures/twin-single-incident.toml` and counts its
/// records in closed form from the run's milestones; this keeps the fixture clean and fails
/// when the model's ledger stops agreeing with those closed forms (then fix the twin too).
#[test]
fn the_simpy_twin_fixture_checks_clean_and_counts_records_as_the_twin_does() {
    let file = common::root().join("benches/fixtures/twin-single-incident.toml");
    let loaded = ttx::scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
    let source = std::fs::read_to_string(&file).unwrap();
    let warnings = loaded.warnings.render(&file.display().to_string(), &source);
    assert!(
        warnings.is_empty(),
        "the twin fixture has warnings:\n{warnings}"
    );
    let r = results(&file, 2000, 1);
    let mut contained = 0;
    for row in &r.per_run {
        let onset = row.onset.expect("the onset is drawn before the horizon");
        let at = |t: Option<f64>| t.map(|t| onset + t);
        let (contain, recover) = (at(row.time_to_contain), at(row.time_to_recover));
        let failed = twin_records_between(onset, contain.or(recover).unwrap_or(480.0));
        let delayed = contain.map_or(0, |c| twin_records_between(c, recover.unwrap_or(480.0)));
        assert_eq!(row.records.offered, 480, "run {}", row.run);
        assert_eq!(row.records.failed, failed, "run {}: failed", row.run);
        assert_eq!(row.records.delayed(), delayed, "run {}: delayed", row.run);
        assert_eq!(row.records.lost, 0, "run {}: lost", row.run);
        contained += u32::from(contain.is_some());
    }
    // Both branches of the closed forms are exercised: most runs contain, some never detect.
    assert!(
        contained > 1500 && contained < 2000,
        "{contained} of 2000 runs contained"
    );
}
