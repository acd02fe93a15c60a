//! The facilitator toolkit: communications on a cadence in simulated runs, RACI and
//! approvals, and what `ttx check` says about them.

use ttx::results::Results;
use ttx::scenario::set::apply;

use crate::common;

const FACILITATED: &str = "shopify-netsuite-facilitated.toml";

use common::{batch_results as batch, scenario_text as text};

/// Mean cadence misses per run, over every audience.
fn misses_per_run(results: &Results) -> f64 {
    let total: u64 = results
        .per_run
        .iter()
        .flat_map(|r| &r.comms)
        .map(|c| c.cadence_misses() as u64)
        .sum();
    total as f64 / results.runs as f64
}

#[test]
fn cadence_misses_grow_with_the_writers_latency_and_overload() {
    let base = text(FACILITATED);
    let slow = apply(
        &base,
        "roles.comms-lead.communicate",
        r#"{ dist = "lognormal", median = "30m", p90 = "1h30m" }"#,
    )
    .unwrap();
    let overloaded = apply(&base, "roles.comms-lead.overload.per_open_item", "1.5").unwrap();
    let (base, slow, overloaded) = (
        batch(&base, 400, 7),
        batch(&slow, 400, 7),
        batch(&overloaded, 400, 7),
    );
    let (m0, m1, m2) = (
        misses_per_run(&base),
        misses_per_run(&slow),
        misses_per_run(&overloaded),
    );
    // Printed for the docs: `cargo test --release --test integration cadence_misses -- --nocapture`.
    eprintln!(
        "cadence misses per run (400 runs, seed 7): base {m0:.2}, slower writing {m1:.2}, overload 1.5 per open item {m2:.2}"
    );
    assert!(m1 > m0 * 2.0, "slower writing: {m0} -> {m1} misses per run");
    assert!(m2 > m0, "more overload: {m0} -> {m2} misses per run");
    let share = |r: &Results, audience: &str| {
        r.comms
            .iter()
            .find(|c| c.audience == audience)
            .and_then(|c| c.on_cadence_share)
            .unwrap()
    };
    assert!(share(&slow, "responders") < share(&base, "responders"));
}

#[test]
fn every_due_update_is_sent_on_cadence_late_or_counted_missing() {
    let results = batch(&text(FACILITATED), 300, 3);
    assert_eq!(
        results
            .comms
            .iter()
            .map(|c| c.audience.as_str())
            .collect::<Vec<_>>(),
        ["support", "responders", "executives", "customers"]
    );
    for row in &results.per_run {
        for c in &row.comms {
            assert!(
                c.on_cadence <= c.sent && c.sent <= c.due,
                "run {}: {c:?}",
                row.run
            );
            // Simulated writers fill every required field and write no jargon.
            assert_eq!(c.fields_filled, c.fields_required);
            assert_eq!(c.jargon_flags, 0);
            assert_eq!(c.first_update.is_some(), c.sent > 0);
        }
    }
    let responders = &results.comms[1];
    assert!(responders.due > 0 && responders.time_to_first_update.reached > 0);
    assert_eq!(responders.completeness, Some(1.0));
    // The incident alert goes out once per incident that opens.
    assert!(
        results.per_run.iter().all(|r| r.comms[0].due <= 1),
        "a 24h cadence in a 24h horizon is due once"
    );
}

#[test]
fn a_cadence_for_a_writer_already_paged_leaves_every_other_metric_unchanged() {
    // The comms lead is paged at SEV1 anyway, does nothing else and has no overload; its
    // writing draws come from a family of its own. So the incident plays out exactly as
    // without [comms], run by run.
    let base = text("lead-sync-schema-drift.toml");
    let with_comms = format!(
        "{base}\n[[comms.templates]]\nid = \"update\"\nkind = \"status_update\"\n\
         audience = \"sales\"\nby = \"comms-lead\"\n\n\
         [[comms.cadence]]\nseverity = \"SEV1\"\ntemplate = \"update\"\nevery = \"20m\"\n"
    );
    let (a, b) = (batch(&base, 300, 11), batch(&with_comms, 300, 11));
    assert!(a.comms.is_empty() && a.per_run.iter().all(|r| r.comms.is_empty()));
    assert!(b.comms[0].due > 0, "some runs reach SEV1: {:?}", b.comms);
    assert_eq!(a.metrics, b.metrics);
    assert_eq!(a.records, b.records);
    assert_eq!(a.objectives, b.objectives);
    for (x, y) in a.per_run.iter().zip(&b.per_run) {
        assert_eq!(x.times(), y.times(), "run {}", x.run);
        // The cadence's events split a phase's time into more pieces, so its sum may differ
        // in the last bit; the phase each minute belongs to may not differ at all.
        for (p, q) in x.phases.as_array().into_iter().zip(y.phases.as_array()) {
            assert!((p - q).abs() <= 1e-9 * p.abs().max(1.0), "run {}", x.run);
        }
    }
    // And results without [comms] carry no comms keys at all.
    assert!(!a.to_json().contains("\"comms\""));
}

#[test]
fn the_accountable_role_approves_actions_that_need_approval() {
    let loaded = ttx::scenario::load(&common::scenario(FACILITATED)).unwrap();
    let scenario = &loaded.scenario;
    let role = |id: &str| scenario.roles.iter().position(|r| r.id == id).unwrap();
    let stop = scenario
        .actions
        .iter()
        .find(|a| a.id == "stop-competing-job")
        .unwrap();
    let raci = stop.raci.as_ref().unwrap();
    assert_eq!(raci.responsible, role("data-engineer"));
    assert_eq!(raci.accountable, Some(role("ecom-ops-manager")));
    assert_eq!(stop.approver, Some(role("ecom-ops-manager")));
    // Without requires.approval the accountable role approves nothing.
    let repull = scenario
        .actions
        .iter()
        .find(|a| a.id == "repull-dropped-orders")
        .unwrap();
    assert_eq!(
        repull.raci.as_ref().unwrap().accountable,
        Some(role("ecom-ops-manager"))
    );
    assert_eq!(repull.approver, None);
}

#[test]
fn check_warns_about_a_missing_accountable_role_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let source = text(FACILITATED).replace(
        "raci = { accountable = \"ecom-ops-manager\", informed = [\"comms-lead\", \"coo\"] }",
        "raci = { informed = [\"comms-lead\", \"coo\"] }",
    );
    let line = source
        .lines()
        .position(|l| l == "raci = { informed = [\"comms-lead\", \"coo\"] }")
        .expect("the edited line")
        + 1;
    let path = dir.path().join("no-accountable.toml");
    std::fs::write(&path, &source).unwrap();
    let output = common::ttx()
        .current_dir(dir.path())
        .args(["check", "no-accountable.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "warning: no-accountable.toml:{line}:8: actions[2].raci.accountable: action `repull-dropped-orders` has no accountable role"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("ok: no-accountable.toml (1 warning)"),
        "{stderr}"
    );
    let denied = common::ttx()
        .current_dir(dir.path())
        .args(["check", "--deny-warnings", "no-accountable.toml"])
        .output()
        .unwrap();
    assert_eq!(denied.status.code(), Some(1));
}

/// Every file of `scenarios/`.
fn library() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(common::root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn ttx_packet_writes_sitman_and_msel_for_every_shipped_scenario() {
    let dir = tempfile::tempdir().unwrap();
    for file in library() {
        let loaded = ttx::scenario::load(&file).unwrap();
        let scenario = &loaded.scenario;
        let name = &scenario.meta.name;
        let output = common::ttx()
            .args(["packet", file.to_str().unwrap(), "--out"])
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{}: {stderr}", file.display());
        let read = |stem: &str, ext: &str| {
            let path =
                ttx::render::paths::free_report_path(dir.path(), &format!("{name}-{stem}"), ext);
            // The file just written is the one before the next free name.
            let today = ttx::render::paths::today();
            let written = dir.path().join(format!("{name}-{stem}-{today}.{ext}"));
            assert_ne!(path, written);
            std::fs::read_to_string(written).unwrap()
        };
        let (sitman, msel) = (read("sitman", "md"), read("msel", "md"));
        let (sitman_html, msel_html) = (read("sitman", "html"), read("msel", "html"));
        // The MSEL lists every scripted inject exactly once, numbered in file order.
        for (i, inject) in scenario.injects.iter().enumerate() {
            let row = format!("| {} | {} |", i + 1, inject.id);
            assert_eq!(msel.matches(&row).count(), 1, "{name}: {row}");
            assert_eq!(
                msel.matches(&format!("| {} |", inject.id)).count(),
                1,
                "{name}: inject {} listed more than once",
                inject.id
            );
        }
        let inject_rows = msel.lines().filter(|l| {
            scenario
                .injects
                .iter()
                .enumerate()
                .any(|(i, inj)| l.starts_with(&format!("| {} | {} |", i + 1, inj.id)))
        });
        assert_eq!(inject_rows.count(), scenario.injects.len(), "{name}");
        if let Some(deck) = &scenario.deck {
            for card in &deck.cards {
                assert!(
                    msel.contains(&card.text.replace('|', "\\|")),
                    "{name}: a card is missing"
                );
            }
        }
        // The SitMan gives nothing away: no fault, no inject text.
        for fault in &scenario.faults {
            assert!(
                !sitman.contains(&fault.id),
                "{name}: the SitMan names {}",
                fault.id
            );
        }
        for inject in &scenario.injects {
            assert!(
                !sitman.contains(&inject.message.text),
                "{name}: the SitMan shows an inject"
            );
        }
        for html in [&sitman_html, &msel_html] {
            assert!(html.starts_with("<!doctype html>") && html.ends_with("</html>\n"));
            assert!(
                !html.contains("<script") && !html.contains("src="),
                "{name}: not self-contained"
            );
        }
        assert!(msel_html.contains("Controllers and evaluators only"));
    }
}

#[test]
fn the_facilitated_packet_has_modules_questions_raci_and_the_hot_wash() {
    let loaded = ttx::scenario::load(&common::scenario(FACILITATED)).unwrap();
    let packet = ttx::report::packet::Packet::new(&loaded.scenario);
    let sitman = packet.sitman.markdown();
    for module in &loaded.scenario.modules {
        assert!(sitman.contains(&format!("### {}", module.title)));
        for q in &module.questions {
            assert!(sitman.contains(q), "question missing: {q}");
        }
    }
    for prompt in &loaded.scenario.hot_wash {
        assert!(sitman.contains(prompt));
    }
    assert!(
        sitman.contains("| stop-competing-job | C | R | A |  | I |"),
        "{sitman}"
    );
    assert!(sitman.contains(
        "`stop-competing-job` (by data-engineer) waits for approval by ecom-ops-manager"
    ));
    assert!(sitman.contains("| SEV1 | customer-notice | customers | 1h00m | 15.0m |"));
}

#[test]
fn ttx_packet_never_overwrites_an_existing_packet() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        common::ttx()
            .args(["packet", "--out"])
            .arg(dir.path())
            .assert()
            .success();
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let today = ttx::render::paths::today();
    let stem = "lead-sync-schema-drift";
    assert_eq!(
        names,
        [
            format!("{stem}-msel-{today}-2.html"),
            format!("{stem}-msel-{today}-2.md"),
            format!("{stem}-msel-{today}.html"),
            format!("{stem}-msel-{today}.md"),
            format!("{stem}-sitman-{today}-2.html"),
            format!("{stem}-sitman-{today}-2.md"),
            format!("{stem}-sitman-{today}.html"),
            format!("{stem}-sitman-{today}.md"),
        ]
    );
}

/// The MSEL can give each timed inject its wall-clock time for a drill's start and speed
/// (issue 20): 6h and 7h at speed 5 from 09:30 are 10:42 and 10:54.
#[test]
fn the_msel_prints_wall_clock_times_for_a_start_and_speed() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::ttx()
        .arg("packet")
        .arg(crate::common::scenario("shopify-netsuite-facilitated.toml"))
        .args(["--start", "09:30", "--speed", "5", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let msel = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.to_string_lossy().contains("-msel-") && p.extension().is_some_and(|e| e == "md")
        })
        .expect("an MSEL in Markdown");
    let text = std::fs::read_to_string(msel).unwrap();
    assert!(text.contains("Wall clock"), "{text}");
    let row = |id: &str| text.lines().find(|l| l.contains(id)).unwrap().to_string();
    assert!(
        row("backfill-confession").contains("| 10:42 |"),
        "{}",
        row("backfill-confession")
    );
    assert!(row("coo-cutoff").contains("| 10:54 |"));
    assert!(
        row("netsuite-limit-herring").contains("| - |"),
        "a time after a milestone varies"
    );
    let output = crate::common::ttx()
        .args(["packet", "--speed", "5"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "--speed needs --start");
    let output = crate::common::ttx()
        .args(["packet", "--start", "9.30"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a 24-hour time HH:MM"));
}

/// A scenario whose title names the fault can give players another (issue 20): the Situation
/// Manual shows `player_title`, the controllers' MSEL keeps the real title.
#[test]
fn the_sitman_shows_the_player_title_and_the_msel_the_real_one() {
    let source = ttx::scenario::DEFAULT_SCENARIO.replacen(
        "player_title = \"Website leads to the CRM\"",
        "player_title = \"Monday morning in RevOps\"",
        1,
    );
    assert_ne!(source, ttx::scenario::DEFAULT_SCENARIO);
    let loaded = ttx::scenario::from_str("t.toml", &source).unwrap_or_else(|e| panic!("{e}"));
    let packet = ttx::report::packet::Packet::new(&loaded.scenario);
    assert!(
        packet
            .sitman
            .markdown()
            .starts_with("# Situation Manual: Monday morning in RevOps\n")
    );
    assert!(
        !packet
            .sitman
            .markdown()
            .contains(&loaded.scenario.meta.title)
    );
    let msel = packet.msel.markdown();
    assert!(msel.starts_with(&format!(
        "# Master Scenario Events List: {}\n",
        loaded.scenario.meta.title
    )));
}
