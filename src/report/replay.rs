//! The full event trace of one run (`ttx replay`), as text for people or JSON lines for
//! programs: every processed event with the ids it involves, what it changed, the milestones it
//! reached and the state after it (records per state, open items per role).
//!
//! The run is simulated again from (scenario, seed, run index) with tracing on; tracing draws
//! nothing, so it is the very run a batch computed and its metrics equal that run's row. The
//! JSON-lines layout is documented in `docs/replay.md`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::outcome::RunOutcome;
use crate::model::{self, RecordCounts, Step, Trace};
use crate::scenario::Scenario;
use crate::scenario::duration::format_minutes;

/// Identifies the JSON-lines layout, bumped on incompatible change.
pub const TRACE_FORMAT: &str = "ttx-trace/1";

/// One run, replayed with its trace.
pub struct Replay<'a> {
    scenario: &'a Scenario,
    seed: u64,
    outcome: RunOutcome,
    trace: Trace,
}

impl<'a> Replay<'a> {
    /// Simulates run `run` of `scenario` under `seed` with tracing on.
    pub fn new(scenario: &'a Scenario, seed: u64, run: u64) -> Self {
        let (outcome, trace) = model::trace_run(scenario, seed, run);
        Replay {
            scenario,
            seed,
            outcome,
            trace,
        }
    }

    /// The run's outcome (the same as in a batch).
    pub fn outcome(&self) -> &RunOutcome {
        &self.outcome
    }

    /// The steps, in processing order.
    pub fn steps(&self) -> &[Step] {
        &self.trace.steps
    }

    /// Milestone times per incident (scenario order), from the steps.
    fn milestones(&self) -> Vec<(&str, Vec<(&str, f64)>)> {
        self.scenario
            .incidents
            .iter()
            .map(|incident| {
                let reached = self
                    .trace
                    .steps
                    .iter()
                    .flat_map(|s| s.reached.iter().map(move |r| (s.time, r)))
                    .filter(|(_, r)| r.incident == *incident)
                    .map(|(t, r)| (r.milestone.as_str(), t))
                    .collect();
                (incident.as_str(), reached)
            })
            .collect()
    }

    fn open_items<'s>(&'s self, counts: &'s [u32]) -> Ordered<'s, u32> {
        Ordered(
            self.scenario
                .roles
                .iter()
                .map(|r| r.id.as_str())
                .zip(counts.iter().copied())
                .collect(),
        )
    }

    /// JSON lines: a `run` line, one `event` line per step, and an `end` line at the horizon.
    pub fn jsonl(&self) -> String {
        let mut out = String::new();
        let s = self.scenario;
        push_line(
            &mut out,
            &RunLine {
                kind: "run",
                format: TRACE_FORMAT,
                ttx_version: env!("CARGO_PKG_VERSION"),
                scenario: &s.meta.name,
                version: &s.meta.version,
                content_hash: format!("sha256:{}", s.fingerprint.content),
                seed: self.seed,
                run: self.outcome.run,
                horizon_minutes: s.meta.horizon,
                roles: s.roles.iter().map(|r| r.id.as_str()).collect(),
                incidents: s.incidents.iter().map(String::as_str).collect(),
            },
        );
        for step in &self.trace.steps {
            push_line(
                &mut out,
                &EventLine {
                    kind: "event",
                    seq: step.seq,
                    time: step.time,
                    event: &step.event,
                    involved: &step.involved,
                    summary: &step.summary,
                    what: &step.what,
                    reached: &step.reached,
                    records: step.records,
                    open_items: self.open_items(&step.open_items),
                },
            );
        }
        let last_open = self
            .trace
            .steps
            .last()
            .map(|s| s.open_items.clone())
            .unwrap_or_else(|| vec![0; s.roles.len()]);
        let o = &self.outcome;
        push_line(
            &mut out,
            &EndLine {
                kind: "end",
                time: s.meta.horizon,
                events: o.events,
                hit_event_cap: o.hit_event_cap,
                records: o.records,
                open_items: self.open_items(&last_open),
                milestones: Ordered(
                    self.milestones()
                        .into_iter()
                        .map(|(incident, reached)| (incident, Ordered(reached)))
                        .collect(),
                ),
                onset: o.onset,
                time_to_detect: o.times[0],
                time_to_acknowledge: o.times[1],
                time_to_contain: o.times[2],
                time_to_recover: o.times[3],
                censored_at: o.censored_at,
            },
        );
        out
    }

    /// The trace for people: one block per event, then the state at the horizon.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let s = self.scenario;
        let _ = writeln!(
            out,
            "{} (v{}) · seed {} · run {} · horizon {}",
            s.meta.name,
            s.meta.version,
            self.seed,
            self.outcome.run,
            format_minutes(s.meta.horizon)
        );
        let _ = writeln!(
            out,
            "{} events; times in scenario minutes (from minute 0)\n",
            self.trace.steps.len()
        );
        for step in &self.trace.steps {
            let _ = writeln!(
                out,
                "{:>9.2}  {:<21} {}",
                step.time, step.event, step.summary
            );
            for what in &step.what {
                let _ = writeln!(out, "{:>9}  {:<21} · {what}", "", "");
            }
            let _ = writeln!(
                out,
                "{:>9}  {:<21}   {}; {}",
                "",
                "",
                records_text(&step.records),
                open_text(s, &step.open_items)
            );
        }
        let o = &self.outcome;
        let _ = writeln!(
            out,
            "\n{:>9.2}  {:<21} the horizon: the run stops",
            s.meta.horizon, "end"
        );
        let _ = writeln!(out, "{:>9}  {:<21}   {}", "", "", records_text(&o.records));
        for (incident, reached) in self.milestones() {
            let list: Vec<String> = reached.iter().map(|(m, t)| format!("{m} {t:.2}")).collect();
            let shown = if list.is_empty() {
                "none".to_string()
            } else {
                list.join(" · ")
            };
            let _ = writeln!(out, "\nmilestones of {incident}: {shown}");
        }
        let minutes = |v: Option<f64>| v.map_or_else(|| "censored".to_string(), format_minutes);
        let _ = writeln!(
            out,
            "time to detect {} · acknowledge {} · contain {} · recover {} (from onset)",
            minutes(o.times[0]),
            minutes(o.times[1]),
            minutes(o.times[2]),
            minutes(o.times[3])
        );
        out
    }
}

fn records_text(r: &RecordCounts) -> String {
    let mut parts = vec![
        format!("{} offered", r.offered),
        format!("{} delivered", r.delivered),
    ];
    for (n, name) in [
        (r.failed, "failed"),
        (r.lost, "lost"),
        (r.queued, "queued"),
        (r.recovered, "recovered"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {name}"));
        }
    }
    format!("records: {}", parts.join(", "))
}

fn open_text(scenario: &Scenario, open: &[u32]) -> String {
    let busy: Vec<String> = scenario
        .roles
        .iter()
        .zip(open)
        .filter(|(_, n)| **n > 0)
        .map(|(r, n)| format!("{} {n}", r.id))
        .collect();
    if busy.is_empty() {
        "open items: none".to_string()
    } else {
        format!("open items: {}", busy.join(", "))
    }
}

/// Key-value pairs serialized as a JSON object in their given order.
struct Ordered<'a, V>(Vec<(&'a str, V)>);

impl<V: Serialize> Serialize for Ordered<'_, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct RunLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    format: &'static str,
    ttx_version: &'static str,
    scenario: &'a str,
    version: &'a str,
    content_hash: String,
    seed: u64,
    run: u64,
    horizon_minutes: f64,
    roles: Vec<&'a str>,
    incidents: Vec<&'a str>,
}

#[derive(Serialize)]
struct EventLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    seq: u64,
    time: f64,
    event: &'a str,
    #[serde(flatten)]
    involved: &'a model::Involved,
    summary: &'a str,
    what: &'a [String],
    reached: &'a [model::Reached],
    records: RecordCounts,
    open_items: Ordered<'a, u32>,
}

#[derive(Serialize)]
struct EndLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    time: f64,
    events: u64,
    hit_event_cap: bool,
    records: RecordCounts,
    open_items: Ordered<'a, u32>,
    milestones: Ordered<'a, Ordered<'a, f64>>,
    onset: Option<f64>,
    time_to_detect: Option<f64>,
    time_to_acknowledge: Option<f64>,
    time_to_contain: Option<f64>,
    time_to_recover: Option<f64>,
    censored_at: f64,
}

/// Appends `value` as one JSON line.
fn push_line(out: &mut String, value: &impl Serialize) {
    let line = serde_json::to_string(value).expect(
        "trace lines are derived structs with string keys and numbers (serde_json writes a \
         non-finite number as null): serializing them cannot fail",
    );
    out.push_str(&line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replay_is_the_batch_run_and_its_steps_are_in_time_order() {
        let loaded = crate::scenario::default_scenario();
        let keys = model::StreamKeys::new(&loaded.scenario, 11);
        for run in [0, 5, 77] {
            let replay = Replay::new(&loaded.scenario, 11, run);
            let batch = model::simulate(&loaded.scenario, &keys, run, model::DEFAULT_MAX_EVENTS);
            assert_eq!(replay.outcome(), &batch);
            assert_eq!(replay.steps().len() as u64, batch.events);
            assert!(replay.steps().windows(2).all(|w| w[0].time <= w[1].time));
            assert!(replay.steps().iter().all(|s| s.records.is_conserved()));
        }
    }

    #[test]
    fn every_jsonl_line_is_an_object_with_a_type() {
        let loaded = crate::scenario::default_scenario();
        let text = Replay::new(&loaded.scenario, 3, 1).jsonl();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        assert_eq!(lines.first().unwrap()["type"], "run");
        assert_eq!(lines.last().unwrap()["type"], "end");
        assert!(
            lines[1..lines.len() - 1]
                .iter()
                .all(|l| l["type"] == "event")
        );
    }
}
