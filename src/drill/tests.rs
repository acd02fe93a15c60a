//! Tests of the drill: journaling, replay, ending and skipping.

use std::path::PathBuf;

use super::*;
use crate::scenario::default_scenario;

/// The page on-call reads in the default scenario: the symptom comes with it.
pub(crate) const DEFAULT_PAGE: &str = "page: on-call for main — zap-error-email: Zap 'Lead sync' \
     errored on step 2 (Create Contact in HubSpot): required field 'email' is missing";

/// A new drill of seed 145 of `scenario` with on-call played by a person, journaled at
/// `path`; the drill and on-call's role index (in a one-element list).
pub(crate) fn on_call_drill<'s>(
    scenario: &'s Scenario,
    keys: &'s StreamKeys,
    path: &Path,
) -> (Drill<'s>, Vec<usize>) {
    let on_call = human_roles(scenario, &["on-call".to_string()]).unwrap();
    let drill = Drill::start(
        scenario,
        keys,
        StartOptions {
            seed: 145,
            speed: 1.0,
            humans: on_call.clone(),
            tokens: BTreeMap::new(),
            facilitator_token: None,
            journal: path,
            label: None,
            micro: None,
        },
    )
    .unwrap();
    (drill, on_call)
}

/// Seed 3 of the default scenario with on-call played by a person, paged at about 39
/// minutes, acknowledging and diagnosing at 40, then left to run to 300; returns the
/// journal's path (in `dir`) and the trace of the run.
fn played_drill(dir: &Path) -> (PathBuf, Trace) {
    let loaded = default_scenario();
    let scenario = &loaded.scenario;
    let keys = StreamKeys::new(scenario, 145);
    let path = dir.join("drill.jsonl");
    let (mut drill, on_call) = on_call_drill(scenario, &keys, &path);
    drill.advance_to(40.0).unwrap();
    for decision in [
        Decision::Acknowledge { incident: None },
        Decision::Diagnose {
            cause: "renamed-form-field".to_string(),
        },
    ] {
        let taken = drill.decide(Some(on_call[0]), "participant", decision, None);
        assert!(taken.unwrap().is_ok());
    }
    drill.advance_to(300.0).unwrap();
    (path, drill.session.trace().clone())
}

fn events(read: &JournalRead) -> Vec<(u64, f64, EventKey, String)> {
    (read.entries.iter())
        .filter_map(|e| match &e.body {
            Body::Event { key, what, .. } => Some((e.seq, e.t, key.clone()?, what.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn each_event_is_keyed_by_the_step_that_wrote_it_or_the_decision_that_caused_it() {
    let dir = tempfile::tempdir().unwrap();
    let (path, trace) = played_drill(dir.path());
    let read = journal::read(&path).unwrap();
    let events = events(&read);
    let unkeyed = (read.entries.iter())
        .filter(|e| matches!(e.body, Body::Event { key: None, .. }))
        .count();
    assert_eq!(unkeyed, 0);
    let mut by_decision = 0;
    for (seq, t, key, what) in &events {
        match key {
            EventKey::Event { .. } => assert!(
                (trace.steps.iter())
                    .any(|s| EventKey::of_step(s) == *key && s.time == *t && s.what.contains(what)),
                "entry {seq} `{what}` is keyed `{key}`, which wrote no such note"
            ),
            EventKey::Decision { decision, role } => {
                by_decision += 1;
                assert_eq!(role.as_deref(), Some("on-call"));
                let cause = (read.entries[..*seq as usize].iter().rev())
                    .find(|e| !matches!(e.body, Body::Event { .. }))
                    .unwrap();
                let Body::Decision {
                    decision: taken, ..
                } = &cause.body
                else {
                    panic!("entry {seq} follows no decision");
                };
                assert_eq!(taken.kind(), decision);
            }
        }
    }
    assert!(by_decision >= 2, "{events:?}");
    assert_eq!(
        events[0].2.to_string(),
        "fault_onset (fault email-field-renamed, incident main, system lead-sync)"
    );
    assert_eq!(
        events
            .iter()
            .find(|e| e.3.starts_with("acknowledged"))
            .unwrap()
            .2
            .to_string(),
        "decision acknowledge (role on-call)"
    );
}

/// Rewrites the journal at `path` through `edit`, one entry at a time.
fn edit(path: &Path, edit: impl Fn(&mut Entry)) {
    let read = journal::read(path).unwrap();
    let mut text = String::new();
    for mut entry in read.entries {
        edit(&mut entry);
        text.push_str(&serde_json::to_string(&entry).unwrap());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn replayed(path: &Path) -> Result<Time, String> {
    let read = journal::read(path).unwrap();
    let loaded = crate::scenario::from_str("journal", &read.start().source).unwrap();
    let keys = read.start().stream_keys(&loaded.scenario);
    replay(&loaded.scenario, &keys, &read, path)
        .map(|r| {
            assert!(r.unjournaled.is_empty());
            r.session.now()
        })
        .map_err(|e| e.to_string())
}

#[test]
fn a_reworded_event_replays_but_one_keyed_otherwise_is_refused_naming_both_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = played_drill(dir.path());
    edit(&path, |entry| {
        if let Body::Event { what, .. } = &mut entry.body {
            *what = format!("in other words: {what}");
        }
    });
    let last = journal::read(&path).unwrap().entries.last().unwrap().t;
    assert_eq!(replayed(&path), Ok(last), "replayed to its last entry");

    edit(&path, |entry| {
        if let Body::Event {
            key: Some(EventKey::Event { involved, .. }),
            ..
        } = &mut entry.body
        {
            involved.fault = Some("login-outage".to_string());
        }
    });
    let refused = replayed(&path).unwrap_err();
    assert!(
        refused.ends_with(": entry 1: the journal's event key is `fault_onset (fault login-outage, incident main, system lead-sync)` but the run delivers `fault_onset (fault email-field-renamed, incident main, system lead-sync)` there (`fault begins: email-field-renamed on lead-sync`); the journal was edited or written by another scenario or version"),
        "{refused}"
    );
}

#[test]
fn a_drill_ended_early_lists_its_open_steps_and_undelivered_injects_and_rescores_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = default_scenario();
    let scenario = &loaded.scenario;
    let keys = StreamKeys::new(scenario, 145);
    let path = dir.path().join("drill.jsonl");
    let (mut drill, on_call) = on_call_drill(scenario, &keys, &path);
    drill.advance_to(45.0).unwrap();
    let ack = Decision::Acknowledge { incident: None };
    assert!(
        drill
            .decide(Some(on_call[0]), "participant", ack, None)
            .unwrap()
            .is_ok()
    );
    drill.advance_to(50.0).unwrap();
    let ended = drill.end(true).unwrap();
    let last = ended.items.last().unwrap();
    assert_eq!(
        (last.t, last.text.as_str()),
        (50.0, "drill ended: the facilitator ended it")
    );
    let open: Vec<(&str, Option<&str>)> = (ended.open_steps.iter())
        .map(|s| (s.action.as_str(), s.blocked.as_deref()))
        .collect();
    assert_eq!(
        open,
        [
            ("pause-lead-sync", None),
            (
                "fix-field-mapping",
                Some("needs a confirmed diagnosis first")
            )
        ]
    );
    let confesses = (ended.undelivered.iter())
        .find(|u| u.id == "marketing-confesses")
        .unwrap();
    assert_eq!(
        (confesses.due.as_str(), confesses.to.as_str()),
        ("at T+6:00:00", "on-call")
    );

    let read = journal::read(&path).unwrap();
    let rescored = rescore(scenario, &keys, &read, &path).unwrap();
    assert_eq!(rescored.results.to_json(), ended.results.to_json());
    assert_eq!(rescored.open_steps, ended.open_steps);
    assert_eq!(rescored.undelivered, ended.undelivered);
    assert_eq!(rescored.feed, ended.feed);
}

#[test]
fn a_drill_skipped_to_its_page_and_acknowledged_at_once_replays_from_its_journal() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = default_scenario();
    let scenario = &loaded.scenario;
    let keys = StreamKeys::new(scenario, 145);
    let path = dir.path().join("drill.jsonl");
    let (mut drill, on_call) = on_call_drill(scenario, &keys, &path);
    let skipped = drill.skip().unwrap();
    assert_eq!(skipped.last().unwrap().text, DEFAULT_PAGE);
    let ack = Decision::Acknowledge { incident: None };
    assert!(
        drill
            .decide(Some(on_call[0]), "participant", ack, None)
            .unwrap()
            .is_ok()
    );
    drill.advance_to(120.0).unwrap();
    let last = journal::read(&path).unwrap().entries.last().unwrap().t;
    assert_eq!(replayed(&path), Ok(last), "replayed to its last entry");
}

#[test]
fn feed_kinds_are_written_as_before() {
    let kinds = [
        FeedKind::Event,
        FeedKind::Decision,
        FeedKind::Control,
        FeedKind::End,
    ];
    for kind in kinds {
        assert_eq!(
            serde_json::to_string(&kind).unwrap(),
            format!("\"{}\"", kind.name())
        );
    }
    assert_eq!(
        kinds.map(FeedKind::name),
        ["event", "decision", "control", "end"]
    );
}
