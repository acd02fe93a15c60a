//! After-action reports: snapshots of every format on a fixed scenario and seed, ratings that
//! follow the targets, where reports land, and sample reports that match their regeneration.

use ttx::report::aar::AfterActionReport;
use ttx::report::format::by_name;
use ttx::results::Results;
use ttx::runner::{BatchOptions, run_batch};

use crate::common;

fn results_of(text: &str, runs: u64, seed: u64) -> Results {
    let loaded = ttx::scenario::from_str("scenario.toml", text).unwrap_or_else(|e| panic!("{e}"));
    let outcomes = run_batch(&loaded.scenario, &BatchOptions::new(runs, seed), &|_| {}).unwrap();
    Results::new(&loaded.scenario, seed, &outcomes)
}

/// The names of the files in a folder, sorted.
fn file_names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn fixed_report() -> AfterActionReport {
    AfterActionReport::new(&results_of(ttx::scenario::DEFAULT_SCENARIO, 200, 3))
}

#[test]
fn markdown_report_snapshot() {
    insta::assert_snapshot!("report_md", by_name("md").unwrap().render(&fixed_report()));
}

#[test]
fn json_report_snapshot() {
    insta::assert_snapshot!(
        "report_json",
        by_name("json").unwrap().render(&fixed_report())
    );
}

#[test]
fn csv_report_snapshot() {
    insta::assert_snapshot!(
        "report_csv",
        by_name("csv").unwrap().render(&fixed_report())
    );
}

fn rating_with_target(target: &str) -> String {
    let text = ttx::scenario::DEFAULT_SCENARIO.replacen(
        "target = \"30m\"",
        &format!("target = \"{target}\""),
        1,
    );
    let report = AfterActionReport::new(&results_of(&text, 400, 1));
    let detect = report
        .objectives
        .iter()
        .find(|o| o.id == "detect-fast")
        .unwrap();
    detect.rating.to_string()
}

#[test]
fn ratings_follow_the_target() {
    // The default target (30m) is met in ~86% of runs: S.
    assert_eq!(rating_with_target("30m"), "S");
    // Tightened to 1 minute almost no run meets it: U.
    assert_eq!(rating_with_target("1m"), "U");
    // Loosened to the time box (2h), every run meets it: P.
    assert_eq!(rating_with_target("2h"), "P");
}

#[test]
fn the_overall_rating_is_the_weakest_objective() {
    let report = fixed_report();
    let ranks = ["U", "M", "S", "P"];
    let weakest = report
        .objectives
        .iter()
        .map(|o| ranks.iter().position(|r| *r == o.rating.letter()).unwrap())
        .min()
        .unwrap();
    assert_eq!(report.overall_rating.letter(), ranks[weakest]);
}

#[test]
fn the_representative_run_is_the_median_recovery_replayed() {
    let results = results_of(ttx::scenario::DEFAULT_SCENARIO, 300, 9);
    let report = AfterActionReport::new(&results);
    let rep = report.representative.expect("some run recovers");
    let row = &results.per_run[rep.run as usize];
    assert_eq!(row.time_to_recover, Some(rep.time_to_recover));
    let recovered = rep
        .timeline
        .iter()
        .find(|n| n.text.starts_with("milestone: recovered"))
        .expect("recovery in the timeline");
    assert!((recovered.time - rep.onset - rep.time_to_recover).abs() < 1e-9);
    let mut times: Vec<f64> = results
        .per_run
        .iter()
        .filter_map(|r| r.time_to_recover)
        .collect();
    times.sort_by(f64::total_cmp);
    assert_eq!(rep.time_to_recover, times[(times.len() - 1) / 2]);
}

#[test]
fn reports_land_in_reports_and_never_replace_one() {
    let dir = tempfile::tempdir().unwrap();
    common::ttx()
        .current_dir(dir.path())
        .args([
            "run",
            "--runs",
            "50",
            "--seed",
            "2",
            "--quiet",
            "--export-json",
            "r.json",
        ])
        .assert()
        .success();
    for _ in 0..2 {
        common::ttx()
            .current_dir(dir.path())
            .args(["report", "r.json"])
            .assert()
            .success();
    }
    let names = file_names(&dir.path().join("reports"));
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].starts_with("lead-sync-schema-drift-") && names[0].ends_with(".md"),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.ends_with("-2.md")), "{names:?}");
    // An explicit --out that exists is refused and left alone.
    std::fs::write(dir.path().join("mine.md"), "mine").unwrap();
    common::ttx()
        .current_dir(dir.path())
        .args(["report", "r.json", "--out", "mine.md"])
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mine.md")).unwrap(),
        "mine"
    );
}

#[test]
fn a_file_that_is_not_results_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.json"), "{\"hello\": 1}").unwrap();
    let output = common::ttx()
        .current_dir(dir.path())
        .args(["report", "x.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a ttx results file"));
}

/// The committed samples in reports/examples are exactly what `regenerate.sh` produces: the
/// results of the same command, and each format rendered from them.
#[test]
fn sample_reports_match_their_regeneration() {
    let dir = common::root().join("reports/examples");
    let name = "lead-sync-schema-drift";
    let text = std::fs::read_to_string(common::scenario(&format!("{name}.toml"))).unwrap();
    let results = results_of(&text, 500, 1);
    let committed = std::fs::read_to_string(dir.join(format!("{name}.results.json"))).unwrap();
    assert!(
        committed == results.to_json(),
        "reports/examples results are stale: run reports/examples/regenerate.sh"
    );
    let report = AfterActionReport::new(&results);
    for format in ttx::report::format::FORMATS {
        let renderer = by_name(format).unwrap();
        let path = dir.join(format!("{name}.report.{}", renderer.extension()));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == renderer.render(&report),
            "{} is stale: run reports/examples/regenerate.sh",
            path.display()
        );
    }
}

#[test]
fn run_with_report_writes_markdown_and_html_into_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    common::ttx()
        .current_dir(dir.path())
        .args([
            "run", "--runs", "60", "--seed", "4", "--quiet", "--report", "aar",
        ])
        .assert()
        .success();
    let names = file_names(&dir.path().join("aar"));
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].ends_with(".html") && names[1].ends_with(".md"),
        "{names:?}"
    );
    let md = std::fs::read_to_string(dir.path().join("aar").join(&names[1])).unwrap();
    assert!(md.starts_with("# After-action report: "), "{md}");
    assert!(md.contains("| simulated runs | 60 (seed 4) |"), "{md}");
}
