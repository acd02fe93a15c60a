//! Diagnosis as people face it: every shipped scenario and every `ttx new` template offers its
//! real causes among at least two decoys, and nothing a player sees names a real cause before
//! evidence does (a detector's message, or an inject that `reveals` it).
//!
//! What a player sees is checked where it is built: the static texts (injects, deck cards, the
//! participant page) and, over whole runs with every responder played by a person (so nobody
//! diagnoses for them), each role's view and every note addressed to a role.

use ttx::model::{RunSetup, StreamKeys, start_run};
use ttx::scenario::{self, FaultKind, Scenario, template};

use crate::common;

/// Every shipped scenario and every template, as (name, text).
fn library() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(common::root().join("scenarios"))
        .expect("scenarios/ exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable scenario");
            (p.display().to_string(), text)
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 21, "the shipped library has 21 scenarios");
    for name in FaultKind::NAMES {
        let kind = FaultKind::from_name(name).expect("a known kind");
        files.push((
            format!("ttx new --template {name}"),
            template::render("drill", kind),
        ));
    }
    files
}

fn load(name: &str, text: &str) -> Scenario {
    scenario::from_str(name, text)
        .unwrap_or_else(|e| panic!("{name} does not compile:\n{e}"))
        .scenario
}

/// Lower-case words of `text`, joined by single spaces (so ids and sentences compare alike).
fn words(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The real cause (id or text) that `text` names, if any.
fn names_real_cause<'s>(scenario: &'s Scenario, text: &str) -> Option<&'s str> {
    let seen = words(text);
    scenario
        .causes
        .iter()
        .filter(|c| c.real)
        .find(|c| seen.contains(&words(&c.id)) || seen.contains(&words(&c.text)))
        .map(|c| c.id.as_str())
}

/// `text` with the evidence in it taken out: detector messages and the texts of injects that
/// reveal a cause may name it, nothing else may.
fn without_evidence(scenario: &Scenario, text: &str) -> String {
    let mut rest = text.to_string();
    let evidence = scenario
        .detectors
        .iter()
        .filter_map(|d| d.message.clone())
        .chain(
            scenario
                .injects
                .iter()
                .filter(|i| i.message.reveals.is_some())
                .map(|i| i.message.text.clone()),
        );
    for e in evidence {
        rest = rest.replace(&e, "");
    }
    rest
}

#[test]
fn every_scenario_and_template_offers_its_real_causes_among_at_least_two_decoys() {
    for (name, text) in library() {
        let scenario = load(&name, &text);
        let decoys = scenario.causes.iter().filter(|c| !c.real).count();
        assert!(decoys >= 2, "{name}: {decoys} decoy(s), want at least 2");
        for fault in &scenario.faults {
            let cause = &scenario.causes[fault.cause];
            assert!(cause.real, "{name}: {} names a decoy", fault.id);
            // A description a responder recognises, not the fault's id in other words.
            assert!(
                cause.text.split_whitespace().count() >= 6
                    && words(&cause.text) != words(&fault.id)
                    && words(&cause.text) != words(&cause.id),
                "{name}: the text of `{}` only restates an id: {:?}",
                cause.id,
                cause.text
            );
        }
        for cause in &scenario.causes {
            assert!(
                !cause.text.is_empty(),
                "{name}: cause `{}` has no text",
                cause.id
            );
        }
        for detector in &scenario.detectors {
            assert!(
                detector.message.is_some(),
                "{name}: detector `{}` shows people nothing when it fires",
                detector.id
            );
        }
    }
}

#[test]
fn no_static_text_a_player_reads_names_a_real_cause() {
    let page = std::fs::read_to_string(common::root().join("src/drill/page.html"))
        .expect("the participant page");
    for (name, text) in library() {
        let scenario = load(&name, &text);
        let injects = scenario
            .injects
            .iter()
            .map(|i| &i.message)
            .chain(scenario.deck.iter().flat_map(|d| d.cards.iter()))
            .filter(|m| m.reveals.is_none());
        for message in injects {
            let said = format!("{} {}", message.from, message.text);
            assert_eq!(
                names_real_cause(&scenario, &said),
                None,
                "{name}: an inject that reveals nothing names a real cause: {said:?}"
            );
        }
        assert_eq!(names_real_cause(&scenario, &page), None, "{name}: the page");
    }
}

#[test]
fn nothing_a_player_sees_during_a_run_names_a_real_cause_before_evidence() {
    let mut pages = 0;
    for (name, text) in library() {
        let scenario = load(&name, &text);
        let humans: Vec<usize> = (0..scenario.roles.len()).collect();
        for seed in 1..=3 {
            let keys = StreamKeys::new(&scenario, seed);
            let setup = RunSetup {
                max_events: 100_000,
                traced: true,
                humans: &humans,
            };
            let mut engine = start_run(&scenario, &keys, 0, &setup);
            let mut notes_seen = 0;
            let mut steps = 0;
            while engine.step().is_ok() && steps < 5_000 {
                steps += 1;
                let now = engine.now();
                let world = engine.model();
                for role in 0..scenario.roles.len() {
                    let view = world.role_view(role, now);
                    let options: Vec<&str> = view.causes.iter().map(|c| c.id.as_str()).collect();
                    let mut sorted = options.clone();
                    sorted.sort_unstable();
                    assert_eq!(options, sorted, "{name}: options in a telling order");
                    assert_eq!(
                        options.len(),
                        scenario.causes.len(),
                        "{name}: every cause offered"
                    );
                    let mut shown = serde_json::to_value(&view).expect("a view serializes");
                    shown["causes"] = serde_json::Value::Null;
                    assert_eq!(
                        names_real_cause(&scenario, &shown.to_string()),
                        None,
                        "{name} seed {seed} at {now:.1}: the view of {} names a real cause:\n{shown}",
                        scenario.roles[role].id
                    );
                }
                let notes = &world.trace().expect("traced").notes;
                for note in &notes[notes_seen..] {
                    if note.audience.is_empty() {
                        continue;
                    }
                    assert_eq!(
                        names_real_cause(&scenario, &without_evidence(&scenario, &note.text)),
                        None,
                        "{name} seed {seed}: a player reads {:?}",
                        note.text
                    );
                }
                notes_seen = notes.len();
            }
            // Pages carry what the detector shows, never a bare "page: role for incident".
            let notes = &engine.model().trace().expect("traced").notes;
            for page in notes.iter().filter(|n| n.text.starts_with("page: ")) {
                pages += 1;
                assert!(
                    scenario
                        .detectors
                        .iter()
                        .any(|d| d.message.as_ref().is_some_and(|m| page.text.contains(m))),
                    "{name}: a page without its symptom: {:?}",
                    page.text
                );
            }
        }
    }
    assert!(
        pages > 50,
        "only {pages} pages over the library: the runs did not play out"
    );
}
