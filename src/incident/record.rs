//! A timeline as an incident record in the results format: a [`Results`] whose one per-run
//! row is the incident, marked [`RecordKind::Incident`], so `ttx compare`, `ttx trend` and
//! placement read it as they read a live drill's results.
//!
//! What a timeline cannot say is left out rather than guessed: records lost and delayed come
//! only from the user ([`Impact`]); an objective the timeline cannot judge is `n/a`; a
//! milestone the timeline does not record is censored at its last entry.

use super::timeline::{EntryKind, Timeline};
use crate::model::outcome::{CountSnapshot, ObjectiveResult, judge};
use crate::model::{PhaseMinutes, RecordCounts};
use crate::results::{DrillInfo, Header, RecordKind, Results, RunRow, TIME_METRICS};
use crate::scenario::{Metric, Scenario};

/// The seed an incident record carries: it was not drawn from any seed.
pub const INCIDENT_SEED: u64 = 0;

/// The incident's impact on records, when the team counted it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Impact {
    /// Records lost for good.
    pub lost: Option<u64>,
    /// Records delivered late (replayed, backfilled).
    pub delayed: Option<u64>,
}

/// The milestones a time metric is measured to, in [`TIME_METRICS`] order. Time to contain is
/// the recovery when no containment is recorded, as a simulated run counts it.
fn times(timeline: &Timeline) -> [Option<f64>; 4] {
    let recovered = timeline.minutes_to(EntryKind::Recovered);
    [
        timeline.minutes_to(EntryKind::Detected),
        timeline.minutes_to(EntryKind::Acknowledged),
        timeline.minutes_to(EntryKind::Contained).or(recovered),
        recovered,
    ]
}

/// The incident's one row: times from the onset, censored at the last entry; records as
/// given; phases between the milestones it records.
pub fn row(timeline: &Timeline, scenario: &Scenario, impact: Impact) -> RunRow {
    let times = times(timeline);
    let censored_at = timeline.follow_up();
    let lost = impact.lost.unwrap_or(0);
    let recovered = impact.delayed.unwrap_or(0);
    let records = RecordCounts {
        offered: lost + recovered,
        lost,
        recovered,
        ..RecordCounts::default()
    };
    let objectives = scenario
        .objectives
        .iter()
        .map(|o| match o.metric {
            Metric::TimeTo(_) => {
                let i = TIME_METRICS.iter().position(|m| *m == o.metric.name());
                let time = i.and_then(|i| times[i]);
                if time.is_none() && censored_at < o.time_box {
                    // The timeline ends inside the time box without the milestone: not known.
                    ObjectiveResult::NotApplicable
                } else {
                    judge(o, time, CountSnapshot::default())
                }
            }
            Metric::RecordsLost if impact.lost.is_some() => judge(
                o,
                None,
                CountSnapshot {
                    lost,
                    ..CountSnapshot::default()
                },
            ),
            Metric::RecordsDelayed if impact.delayed.is_some() => judge(
                o,
                None,
                CountSnapshot {
                    delayed: recovered,
                    ..CountSnapshot::default()
                },
            ),
            _ => ObjectiveResult::NotApplicable,
        })
        .collect();
    let escalations = timeline
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Escalated)
        .count() as u32;
    RunRow {
        run: 0,
        onset: Some(0.0),
        time_to_detect: times[0],
        time_to_acknowledge: times[1],
        time_to_contain: times[2],
        time_to_recover: times[3],
        censored_at,
        records,
        targets_breached: 0,
        escalations,
        wrong_diagnoses: 0,
        failed_attempts: 0,
        injects: 0,
        updates: 0,
        first_update: None,
        comms: Vec::new(),
        approvals: Vec::new(),
        objectives,
        phases: phases(times, censored_at),
        role_minutes: vec![0.0; scenario.roles.len()],
    }
}

/// Minutes of detection, acknowledgement, containment and recovery between the recorded
/// milestones; a phase whose end is not recorded runs to the last entry, and the phases
/// after it are empty. Diagnosis and escalation waits are inside containment: a timeline
/// does not separate them.
fn phases(times: [Option<f64>; 4], censored_at: f64) -> PhaseMinutes {
    // Phase::ALL order: detection, acknowledgement, diagnosis, escalation wait, containment,
    // recovery, verification, stalled.
    let slots = [0, 1, 4, 5];
    let mut minutes = [0.0; 8];
    let mut start = 0.0_f64;
    for (slot, end) in slots.into_iter().zip(times) {
        let stop = end.unwrap_or(censored_at).max(start);
        minutes[slot] = stop - start;
        start = stop;
        if end.is_none() {
            break;
        }
    }
    PhaseMinutes::from(minutes)
}

/// The incident record: the scenario's header, marked as an incident that began at the
/// timeline's onset, every role played by people, and its one row.
pub fn record(
    timeline: &Timeline,
    scenario: &Scenario,
    label: Option<String>,
    impact: Impact,
) -> Results {
    let header = Header {
        label,
        drill: Some(DrillInfo {
            started: timeline.onset().at.utc(),
            humans: scenario.roles.iter().map(|r| r.id.clone()).collect(),
            speed: 1.0,
            kind: RecordKind::Incident,
            players: Default::default(),
            micro: None,
        }),
        ..Header::of(scenario, INCIDENT_SEED)
    };
    Results::from_rows(header, vec![row(timeline, scenario, impact)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::timeline::parse;

    const CSV: &str = "time,kind,actor,text\n\
        2026-03-14T09:00:00Z,onset,,\n\
        2026-03-14T09:40:00Z,detected,a,\n\
        2026-03-14T09:50:00Z,escalated,a,\n\
        2026-03-14T10:00:00Z,acknowledged,b,\n\
        2026-03-14T11:30:00Z,recovered,b,\n\
        2026-03-14T12:00:00Z,note,b,done\n";

    #[test]
    fn the_row_measures_from_the_onset_and_contains_at_recovery_without_a_containment() {
        let scenario = crate::scenario::default_scenario().scenario;
        let timeline = parse("t.csv", CSV, None).unwrap();
        let results = record(&timeline, &scenario, None, Impact::default());
        let row = &results.per_run[0];
        assert_eq!(
            row.times(),
            [Some(40.0), Some(60.0), Some(150.0), Some(150.0)]
        );
        assert_eq!(row.censored_at, 180.0);
        assert_eq!(row.escalations, 1);
        assert_eq!(
            row.phases.as_array(),
            [40.0, 20.0, 0.0, 0.0, 90.0, 0.0, 0.0, 0.0]
        );
        let drill = results.drill.as_ref().unwrap();
        assert_eq!(drill.kind, RecordKind::Incident);
        assert_eq!(drill.started, "2026-03-14T09:00:00Z");
        // The records objective cannot be judged without counts.
        let lost = scenario
            .objectives
            .iter()
            .position(|o| o.metric == Metric::RecordsLost)
            .unwrap();
        assert_eq!(row.objectives[lost], ObjectiveResult::NotApplicable);
        let counted = record(
            &timeline,
            &scenario,
            None,
            Impact {
                lost: Some(3),
                delayed: None,
            },
        );
        assert_eq!(counted.per_run[0].objectives[lost], ObjectiveResult::Missed);
        // The file reads back as the same results.
        assert_eq!(Results::from_json(&results.to_json()).unwrap(), results);
    }

    #[test]
    fn an_unrecorded_milestone_is_censored_at_the_last_entry() {
        let scenario = crate::scenario::default_scenario().scenario;
        let text = CSV.replace("recovered", "note");
        let timeline = parse("t.csv", &text, None).unwrap();
        let row = row(&timeline, &scenario, Impact::default());
        assert_eq!(row.time_to_recover, None);
        assert_eq!(row.phases.as_array()[4], 120.0);
    }
}
