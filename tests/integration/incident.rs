//! `ttx incident import`: the sample timeline of docs/examples/ imports, is placed among
//! simulated runs, renders as a postmortem, and its record is read by `ttx compare` and
//! `ttx trend`; each kind of mistake in `tests/malformed/incidents/` gets a line-numbered
//! error with a hint and exit 1, never a panic.
//!
//! The commands run from the project root with relative paths, because diagnostics and the
//! postmortem print the paths as given.

use std::path::Path;

use crate::common;

const SAMPLE: &str = "docs/examples/lead-sync-incident.csv";
const SCENARIO: &str = "scenarios/lead-sync-schema-drift.toml";

/// Each malformed timeline: its file, the first line of the error and a part of its hint.
const MALFORMED: [(&str, &str, &str); 13] = [
    (
        "bad-time.csv",
        "error: tests/malformed/incidents/bad-time.csv:3:1: time: `16/03/2026 09:54` is not a date and time",
        "write times in RFC 3339 with their UTC offset",
    ),
    (
        "duplicate-milestone.csv",
        "error: tests/malformed/incidents/duplicate-milestone.csv:4:27: kind: a second `detected` (the first is on line 3)",
        "make this line a `note`",
    ),
    (
        "empty.csv",
        "error: tests/malformed/incidents/empty.csv:1:1: the timeline has no entries",
        "one line per event",
    ),
    (
        "empty.jsonl",
        "error: tests/malformed/incidents/empty.jsonl:1:1: the timeline has no entries",
        "one line per event",
    ),
    (
        "milestone-before-onset.csv",
        "error: tests/malformed/incidents/milestone-before-onset.csv:2:1: time: `detected` at 2026-03-16T09:00:00+01:00 is before the onset at 2026-03-16T09:02:00+01:00 (line 3)",
        "move the onset earlier",
    ),
    (
        "missing-onset.csv",
        "error: tests/malformed/incidents/missing-onset.csv:2:1: the timeline has no `onset`",
        "add a line of kind `onset`",
    ),
    (
        "naive-time.csv",
        "error: tests/malformed/incidents/naive-time.csv:2:1: time: `2026-03-16T09:02:00` has no UTC offset, and no --timezone was given to read it in",
        "pass --timezone +01:00",
    ),
    (
        "not-json.jsonl",
        "error: tests/malformed/incidents/not-json.jsonl:2:102: not a JSON object: EOF while parsing an object at line 1 column 102",
        "each line is one object",
    ),
    (
        "out-of-order.csv",
        "error: tests/malformed/incidents/out-of-order.csv:4:1: time: out of order: 2026-03-16T09:40:00+01:00 is before 2026-03-16T09:54:00+01:00 on line 3",
        "list entries oldest first",
    ),
    (
        "unknown-key.jsonl",
        "error: tests/malformed/incidents/unknown-key.jsonl:2:39: unknown key `knd`",
        "did you mean `kind`?",
    ),
    (
        "unknown-kind.csv",
        "error: tests/malformed/incidents/unknown-kind.csv:3:27: kind: unknown kind `detcted`",
        "did you mean `detected`?",
    ),
    (
        "wrong-columns.csv",
        "error: tests/malformed/incidents/wrong-columns.csv:1:1: header: missing column(s) `kind`, `actor`",
        "the first line names the columns: `time,kind,actor,text`",
    ),
    (
        "wrong-field-count.csv",
        "error: tests/malformed/incidents/wrong-field-count.csv:3:1: this row has 5 field(s) but the header names 4",
        "in double quotes",
    ),
];

/// Runs `ttx incident import ARGS...` from the project root.
fn import(args: &[&str]) -> std::process::Output {
    common::ttx()
        .current_dir(common::root())
        .args(["incident", "import"])
        .args(args)
        .output()
        .expect("ttx runs")
}

fn utf8(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

#[test]
fn each_kind_of_timeline_mistake_gets_a_line_numbered_error_and_a_hint() {
    for (file, first_line, hint) in MALFORMED {
        let path = format!("tests/malformed/incidents/{file}");
        let output = import(&[&path, "--scenario", SCENARIO]);
        let stderr = utf8(&output.stderr);
        assert!(!stderr.contains("panicked"), "{file} panicked:\n{stderr}");
        assert_eq!(output.status.code(), Some(1), "{file}:\n{stderr}");
        assert!(output.stdout.is_empty(), "{file} printed to stdout");
        assert_eq!(stderr.lines().next(), Some(first_line), "{file}:\n{stderr}");
        let hint_line = stderr
            .lines()
            .find(|l| l.trim_start().starts_with("= hint:"))
            .unwrap_or_else(|| panic!("{file} has no hint:\n{stderr}"));
        assert!(hint_line.contains(hint), "{file}:\n{stderr}");
    }
}

#[test]
fn every_malformed_timeline_is_listed_here() {
    let mut on_disk: Vec<String> = std::fs::read_dir(common::malformed("incidents"))
        .expect("tests/malformed/incidents exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let listed: Vec<String> = MALFORMED.iter().map(|(f, _, _)| f.to_string()).collect();
    assert_eq!(
        on_disk, listed,
        "give each malformed timeline a line in MALFORMED"
    );
}

#[test]
fn times_without_an_offset_import_with_a_timezone() {
    let output = import(&[
        "tests/malformed/incidents/naive-time.csv",
        "--scenario",
        SCENARIO,
        "--timezone",
        "+01:00",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", utf8(&output.stderr));
    assert!(utf8(&output.stdout).contains("onset 2026-03-16T09:02:00+01:00"));
    let named = import(&[
        "tests/malformed/incidents/naive-time.csv",
        "--scenario",
        SCENARIO,
        "--timezone",
        "Europe/Berlin",
    ]);
    assert_eq!(named.status.code(), Some(2));
    assert!(utf8(&named.stderr).contains("no time-zone database"));
}

/// The percentile of `minutes` among the time to detect of the simulated runs a placement
/// uses, counted here from the runs themselves: faster runs plus half the ties.
fn detect_percentile(minutes: f64) -> String {
    let sim = common::batch_results(
        &common::scenario_text("lead-sync-schema-drift.toml"),
        ttx::compare::placement::PLACEMENT_RUNS,
        ttx::compare::placement::PLACEMENT_SEED,
    );
    let runs: Vec<f64> = sim
        .per_run
        .iter()
        .filter_map(|r| r.time_to_detect)
        .collect();
    assert_eq!(runs.len(), sim.per_run.len(), "every simulated run detects");
    let faster = runs.iter().filter(|&&t| t < minutes).count() as f64;
    let tied = runs.iter().filter(|&&t| t == minutes).count() as f64;
    ttx::compare::placement::ordinal((faster + tied / 2.0) / runs.len() as f64)
}

#[test]
fn the_sample_timeline_imports_places_and_renders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let out_arg = out.to_str().unwrap();
    let args = [
        SAMPLE,
        "--scenario",
        SCENARIO,
        "--records-lost",
        "0",
        "--records-delayed",
        "31",
        "--out",
        out_arg,
    ];
    let output = import(&args);
    let stdout = utf8(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", utf8(&output.stderr));
    // The sample's detection came 52 minutes after the onset (09:02 to 09:54).
    let expected = format!(
        "your real time to detect, 52 min, is at the {} percentile of 10,000 simulated runs",
        detect_percentile(52.0)
    );
    assert!(stdout.contains(&expected), "{stdout}");

    let record = ttx::results::Results::read(&out.join("lead-sync-incident.results.json"))
        .expect("the record is a results file");
    let drill = record.drill.as_ref().expect("marked as a one-run record");
    assert_eq!(drill.kind, ttx::results::RecordKind::Incident);
    assert_eq!(drill.started, "2026-03-16T08:02:00Z");
    assert_eq!(record.per_run.len(), 1);
    let row = &record.per_run[0];
    assert_eq!(
        row.times(),
        [Some(52.0), Some(64.0), Some(94.0), Some(136.0)]
    );
    assert_eq!((row.records.lost, row.records.delayed()), (0, 31));
    assert_eq!(row.escalations, 1);

    let md = std::fs::read_to_string(out.join("lead-sync-incident.postmortem.md")).unwrap();
    let html = std::fs::read_to_string(out.join("lead-sync-incident.postmortem.html")).unwrap();
    for section in [
        "Summary",
        "Timeline",
        "Impact",
        "Contributing factors",
        "Root cause",
        "Against the scenario's simulated runs",
        "Action items",
    ] {
        assert!(
            md.contains(&format!("\n## {section}\n")),
            "md lacks {section}"
        );
        assert!(
            html.contains(&ttx::render::html::escape(section)),
            "html lacks {section}"
        );
    }
    assert!(md.contains("This postmortem is blameless"));
    // Tagged notes become the root cause as recorded, a factor and two action items.
    assert!(md.contains("- the form field rename broke the Zap's field mapping"));
    assert!(md.contains("- Zapier's error email for the Zap goes to a shared inbox"));
    assert!(md.contains("| 2 | add an integrations check to the form change checklist"));
    assert!(md.contains(&expected.replacen("your", "Your", 1)));
    // Self-contained: no script, no file or address fetched.
    assert!(html.starts_with("<!doctype html>"));
    for outside in ["<script", "src=", "href=\"http", "url("] {
        assert!(!html.contains(outside), "html holds {outside}");
    }

    // The same timeline gives the same files, byte for byte; existing files are not replaced.
    let again = import(&args);
    assert_eq!(again.status.code(), Some(2));
    assert!(utf8(&again.stderr).contains("already exists; pass --force"));
    let mut forced = args.to_vec();
    forced.push("--force");
    assert_eq!(import(&forced).status.code(), Some(0));
    let other = dir.path().join("again");
    let mut elsewhere = args.to_vec();
    elsewhere[8] = other.to_str().unwrap();
    assert_eq!(import(&elsewhere).status.code(), Some(0));
    for name in [
        "lead-sync-incident.results.json",
        "lead-sync-incident.postmortem.md",
        "lead-sync-incident.postmortem.html",
    ] {
        assert_eq!(
            std::fs::read(out.join(name)).unwrap(),
            std::fs::read(other.join(name)).unwrap(),
            "{name} differs between two imports"
        );
    }
}

/// The sample imported with the label `2026-03-16` into a new temporary folder (also returned
/// as a string path).
fn import_labelled() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().unwrap().to_string();
    let output = import(&[
        SAMPLE,
        "--scenario",
        SCENARIO,
        "--label",
        "2026-03-16",
        "--out",
        &out,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", utf8(&output.stderr));
    (dir, out)
}

#[test]
fn compare_and_trend_read_the_incident_record_like_a_drill() {
    let (_dir, out) = import_labelled();
    let record = Path::new(&out).join("lead-sync-incident.results.json");
    let batch = Path::new(&out).join("batch.json");
    let run = common::ttx()
        .args([
            "run",
            SCENARIO,
            "--runs",
            "300",
            "--seed",
            "4",
            "-q",
            "--label",
            "2026-Q1",
            "--export-json",
        ])
        .arg(&batch)
        .current_dir(common::root())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let percentile = detect_percentile(52.0);

    let compare = common::ttx()
        .arg("compare")
        .arg(&batch)
        .arg(&record)
        .output()
        .unwrap();
    let text = utf8(&compare.stdout);
    assert_eq!(compare.status.code(), Some(0), "{}", utf8(&compare.stderr));
    // A real incident is not called a drill anywhere.
    assert!(
        text.contains("a single incident cannot show a change; each incident is placed"),
        "{text}"
    );
    assert!(
        !text.contains("live drill") && !text.contains("one drill"),
        "{text}"
    );
    // The record's side says what it is: a real incident and its onset, not a drill.
    assert!(
        text.contains("lead-sync-incident.results.json [2026-03-16]: real incident, onset 2026-03-16T08:02:00Z"),
        "{text}"
    );
    assert!(!text.contains("live drill started"), "{text}");
    assert!(
        text.contains(&format!(
            "time to detect, 52 min, is at the {percentile} percentile"
        )),
        "{text}"
    );

    let trend = common::ttx()
        .arg("trend")
        .arg(&batch)
        .arg(&record)
        .output()
        .unwrap();
    let text = utf8(&trend.stdout);
    assert_eq!(trend.status.code(), Some(0), "{}", utf8(&trend.stderr));
    let placed = text
        .lines()
        .find(|l| l.starts_with("time to detect") && l.contains(&percentile))
        .unwrap_or_else(|| panic!("trend does not place the incident:\n{text}"));
    assert!(placed.ends_with(&percentile), "{placed}");
    // Ordered by label: the quarter's batch first, the incident after it.
    let header = text.lines().find(|l| l.starts_with("metric ")).unwrap();
    assert!(
        header.find("2026-Q1") < header.find("2026-03-16"),
        "{header}"
    );
    // The trend does not call the incident a drill either, in any of its forms.
    assert!(
        text.starts_with("1 batch and 1 real incident of "),
        "{text}"
    );
    assert!(
        text.contains("placements: percentile of each real incident among"),
        "{text}"
    );
    assert!(
        text.contains(
            "a step to or from a real incident is not tested: one incident is one sample"
        ),
        "{text}"
    );
    assert!(text.contains("1 incident is 1 sample"), "{text}");
    let trend_as = |flag: &str| {
        let output = common::ttx()
            .args(["trend", flag, "-"])
            .arg(&batch)
            .arg(&record)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", utf8(&output.stderr));
        utf8(&output.stdout)
    };
    let html = trend_as("--html");
    assert!(html.contains("Real incidents: placements"), "{html}");
    assert!(
        html.contains(">incident</text>"),
        "the point's tick names its kind"
    );
    let json = trend_as("--export-json");
    assert!(json.contains("\"kind\": \"incident\""), "{json}");
    for words in [text, html, json] {
        assert!(
            !words.contains("live drill") && !words.contains(" drills"),
            "{words}"
        );
    }
}

/// `ttx plan status` reads a real incident after an item's done date as what it is.
#[test]
fn plan_status_names_a_later_incident_as_an_incident() {
    let (dir, out) = import_labelled();
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "[[item]]\nid = \"route-alerts\"\ntext = \"Route the error email to on-call\"\nowner = \"ana\"\nmetric = \"time_to_detect\"\nexpected = \"lower\"\nstatus = \"done\"\ndone = 2026-02-10\n",
    )
    .unwrap();
    let status = common::ttx()
        .args(["plan", "status"])
        .arg(&plan)
        .arg(Path::new(&out).join("lead-sync-incident.results.json"))
        .args(["--export-json", "-"])
        .output()
        .expect("ttx runs");
    let text = utf8(&status.stdout);
    assert_eq!(status.status.code(), Some(0), "{}", utf8(&status.stderr));
    assert!(
        text.contains("only real incidents after the done date")
            && text.contains("one incident is one sample and cannot show an effect"),
        "{text}"
    );
    assert!(text.contains("\"kind\": \"incident\""), "{text}");
    // The text (on stderr when the JSON takes stdout) says so too.
    let words = utf8(&status.stderr);
    assert!(
        words.contains(
            "Results read, in order (lead-sync-schema-drift): 2026-03-16 (real incident)."
        ),
        "{words}"
    );
    for said in [&text, &words] {
        assert!(
            !said.contains("live drill") && !said.contains("one drill"),
            "{said}"
        );
    }
}

#[test]
fn a_timeline_that_cannot_be_read_is_an_io_error() {
    let output = import(&["no/such/timeline.csv", "--scenario", SCENARIO]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = utf8(&output.stderr);
    assert!(
        stderr.starts_with("error: could not read timeline 'no/such/timeline.csv'"),
        "{stderr}"
    );
}

#[test]
fn the_postmortem_seeds_an_improvement_plan_that_plan_status_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.toml");
    let output = import(&[
        SAMPLE,
        "--scenario",
        SCENARIO,
        "--plan-out",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", utf8(&output.stderr));
    let text = std::fs::read_to_string(&plan).expect("the plan is written");
    // The sample's two `action:` lines, suggested to their actors, in timeline order.
    let first = text.find("id = \"action-1\"").expect("first action item");
    let second = text.find("id = \"action-2\"").expect("second action item");
    assert!(first < second, "{text}");
    assert!(
        text.contains("alert when web-form leads into HubSpot drop to zero"),
        "{text}"
    );
    assert!(text.contains("# the report suggests: on-call"), "{text}");
    assert!(
        text.contains("# the report suggests: marketing-ops"),
        "{text}"
    );
    // Detection at 52 minutes is slower than three simulated runs in four (see the test
    // above): the plan starts with an item expecting it lower.
    let percentile: u32 = detect_percentile(52.0)
        .trim_end_matches(char::is_alphabetic)
        .parse()
        .expect("an ordinal");
    assert!(
        percentile >= 75,
        "the sample detects at the {percentile}th percentile"
    );
    assert!(
        text.contains("id = \"faster-detect\"")
            && text.contains("metric = \"time_to_detect\"\nexpected = \"lower\""),
        "{text}"
    );
    // It reads back as a valid plan: every item open, none overdue yet.
    let status = common::ttx()
        .args(["plan", "status"])
        .arg(&plan)
        .output()
        .expect("ttx runs");
    assert_eq!(status.status.code(), Some(0), "{}", utf8(&status.stderr));
    assert!(
        utf8(&status.stdout).contains("action-1"),
        "{}",
        utf8(&status.stdout)
    );
    // A second import refuses to overwrite the plan without --force.
    let again = import(&[
        SAMPLE,
        "--scenario",
        SCENARIO,
        "--plan-out",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2), "{}", utf8(&again.stderr));
}
