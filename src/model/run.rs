//! A run from start to score, and the one place a run is set up: [`start_run`] builds the
//! world of run `r` in its engine with its opening events queued, for batch runs
//! ([`simulate`]), traced replays ([`trace_run`]) and the live drill's session alike, so a
//! drill with nobody at the table is the batch's run. [`finish_run`] closes it and scores it.
//!
//! Driving the clock is the caller's business (a batch runs to the horizon at once, a drill
//! steps with the wall clock); this file never prints.
//!
//! A [`Worker`] is the batch's way to run: one world and engine per worker thread, reset in
//! place for each run instead of rebuilt, so a run allocates nothing once the worker's
//! storage has grown to what the scenario needs. Its runs are [`simulate`]'s runs.

use super::outcome::RunOutcome;
use super::{StreamKeys, Trace, World};
use crate::engine::{Engine, Limits, Stop, Time};
use crate::scenario::Scenario;

/// Default cap on events per run: far above any sane scenario, low enough to stop a runaway.
pub const DEFAULT_MAX_EVENTS: u64 = 1_000_000;

/// How a run is set up, besides its scenario, seed keys and index.
#[derive(Debug, Clone, Copy)]
pub struct RunSetup<'h> {
    /// Cap on events processed (see [`DEFAULT_MAX_EVENTS`]).
    pub max_events: u64,
    /// Whether to keep a [`Trace`] (tracing draws nothing: the run is the same either way).
    pub traced: bool,
    /// Roles (scenario indices) played by people in a live drill; empty in simulated runs.
    pub humans: &'h [usize],
}

/// Sets up run `run` of `scenario` under the seed of `keys`: its world in an engine with the
/// opening events (fault onsets, timed injects and modules) queued.
pub fn start_run<'s>(
    scenario: &'s Scenario,
    keys: &'s StreamKeys,
    run: u64,
    setup: &RunSetup,
) -> Engine<World<'s>> {
    let mut initial = Vec::with_capacity(scenario.faults.len() + scenario.injects.len());
    let mut world = World::start(scenario, keys, run, &mut |t, e| initial.push((t, e)));
    if setup.traced {
        world.record_trace();
    }
    for &role in setup.humans {
        world.set_human(role);
    }
    let mut engine = Engine::new(
        world,
        Limits {
            horizon: scenario.meta.horizon,
            max_events: setup.max_events,
        },
    );
    for (t, e) in initial {
        engine.schedule(t, e);
    }
    engine
}

/// Closes the run at `end` (the horizon, or the time a live drill was ended) and scores it;
/// the trace, if one was kept, has every span still open closed at `end`.
pub fn finish_run(
    engine: Engine<World<'_>>,
    end: Time,
    hit_event_cap: bool,
) -> (RunOutcome, Option<Trace>) {
    let events = engine.processed();
    let mut world = engine.into_model();
    let mut trace = world.trace.take();
    if let Some(trace) = &mut trace {
        trace.close_all(end);
    }
    let outcome = world.finish_at(end, events, hit_event_cap);
    (outcome, trace.map(|t| *t))
}

/// One worker's world, engine and outcome, reused run after run (see the module
/// documentation). Run `r` of a worker is [`simulate`]'s run `r`, whatever it ran before.
pub struct Worker<'s> {
    engine: Engine<World<'s>>,
    outcome: RunOutcome,
}

impl<'s> Worker<'s> {
    /// A worker for `scenario` under the seed of `keys`, runs capped at `max_events` events.
    pub fn new(scenario: &'s Scenario, keys: &'s StreamKeys, max_events: u64) -> Self {
        let limits = Limits {
            horizon: scenario.meta.horizon,
            max_events,
        };
        Worker {
            engine: Engine::new(World::blank(scenario, keys), limits),
            outcome: RunOutcome::default(),
        }
    }

    /// Runs replication `run` and scores it; the outcome lives until the next run.
    pub fn simulate(&mut self, run: u64) -> &RunOutcome {
        let limits = self.engine.limits();
        self.engine.restart(limits);
        self.engine
            .act(|world, _, s| world.reset(run, &mut |t, e| s.at(t, e)));
        let stop = self.engine.run();
        let events = self.engine.processed();
        self.engine.model_mut().finish_into(
            limits.horizon,
            events,
            stop == Stop::EventCap,
            &mut self.outcome,
        );
        &self.outcome
    }
}

/// Runs one replication of `scenario` and scores it.
pub fn simulate(scenario: &Scenario, keys: &StreamKeys, run: u64, max_events: u64) -> RunOutcome {
    simulate_with(scenario, keys, run, max_events, false).0
}

/// Runs one replication and returns its trace too: the same run as in a batch (tracing draws
/// nothing), with notes and spans for replays and timelines.
pub fn trace_run(scenario: &Scenario, seed: u64, run: u64) -> (RunOutcome, Trace) {
    let keys = StreamKeys::new(scenario, seed);
    let (outcome, trace) = simulate_with(scenario, &keys, run, DEFAULT_MAX_EVENTS, true);
    (outcome, trace.unwrap_or_default())
}

fn simulate_with(
    scenario: &Scenario,
    keys: &StreamKeys,
    run: u64,
    max_events: u64,
    traced: bool,
) -> (RunOutcome, Option<Trace>) {
    let setup = RunSetup {
        max_events,
        traced,
        humans: &[],
    };
    let mut engine = start_run(scenario, keys, run, &setup);
    let stop = engine.run();
    finish_run(engine, scenario.meta.horizon, stop == Stop::EventCap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traced_run_is_the_batch_run() {
        // Tracing only records, so replays and timelines show the very runs a batch scored.
        let loaded = crate::scenario::default_scenario();
        let scenario = &loaded.scenario;
        let keys = StreamKeys::new(scenario, 7);
        for run in 0..50 {
            let plain = simulate(scenario, &keys, run, DEFAULT_MAX_EVENTS);
            let (traced, trace) = trace_run(scenario, 7, run);
            assert_eq!(plain, traced, "run {run}");
            assert!(plain.onset.is_none() || !trace.notes.is_empty());
        }
    }

    #[test]
    fn a_worker_runs_what_simulate_runs_in_any_order() {
        // Reset in place must leave nothing of the run before: runs out of order, repeated
        // and interleaved give the fresh world's outcomes.
        let loaded = crate::scenario::default_scenario();
        let scenario = &loaded.scenario;
        let keys = StreamKeys::new(scenario, 3);
        let mut worker = Worker::new(scenario, &keys, DEFAULT_MAX_EVENTS);
        for run in [5, 0, 99, 5, 1, 4711, 2, 2, 63] {
            let fresh = simulate(scenario, &keys, run, DEFAULT_MAX_EVENTS);
            assert_eq!(worker.simulate(run), &fresh, "run {run}");
        }
    }
}
