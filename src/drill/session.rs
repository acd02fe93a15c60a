//! One drill's run, independent of any clock: the batch's engine and world (run 0 of the
//! drill's seed, traced, set up by [`crate::model::start_run`] as batch runs are), moved forward to a scenario time and fed people's decisions.
//!
//! Everything here is a function of the scenario, the seed and the decisions with their
//! scenario times: replaying a decision log through a new session rebuilds the same run, which
//! is how `ttx drill --resume` and `ttx replay JOURNAL.jsonl` work. With no decisions and no
//! humans, a session is the batch's run 0 of the same seed.

use crate::engine::rng::Generator;
use crate::engine::{Engine, Stop, Time};
use crate::model::outcome::RunOutcome;
use crate::model::{
    DEFAULT_MAX_EVENTS, Decision, Note, OpenStep, Refusal, RoleView, RunSetup, StreamKeys, Trace,
    World, finish_run, start_run,
};
use crate::scenario::Scenario;

/// The run a drill plays.
pub struct Session<'s> {
    scenario: &'s Scenario,
    engine: Engine<World<'s>>,
    /// Trace notes already handed out by [`Session::advance_to`] or [`Session::decide`].
    notes_taken: usize,
    /// Set once the event cap stopped the run (a runaway scenario).
    hit_event_cap: bool,
    /// The generator of the run's streams (the results' format names it).
    generator: Generator,
}

impl<'s> Session<'s> {
    /// Starts run 0 of `keys`' seed with `humans` (role indices) played by people.
    pub fn new(scenario: &'s Scenario, keys: &'s StreamKeys, humans: &[usize]) -> Self {
        let setup = RunSetup {
            max_events: DEFAULT_MAX_EVENTS,
            traced: true,
            humans,
        };
        Session {
            scenario,
            engine: start_run(scenario, keys, 0, &setup),
            notes_taken: 0,
            hit_event_cap: false,
            generator: keys.generator(),
        }
    }

    /// The scenario.
    pub fn scenario(&self) -> &'s Scenario {
        self.scenario
    }

    /// The generator the run draws from.
    pub fn generator(&self) -> Generator {
        self.generator
    }

    /// Scenario minutes reached.
    pub fn now(&self) -> Time {
        self.engine.now()
    }

    /// The scenario's horizon.
    pub fn horizon(&self) -> Time {
        self.engine.limits().horizon
    }

    /// Whether the play is over: the horizon is reached, or the run went runaway. Recovery
    /// does not end it: restoring data, verification, injects and modules go on.
    pub fn over(&self) -> bool {
        self.hit_event_cap || self.now() >= self.horizon()
    }

    /// When the next queued event happens, if any.
    pub fn next_event(&self) -> Option<Time> {
        self.engine.peek_time()
    }

    /// Whether the event cap stopped the run (a runaway scenario).
    pub fn hit_event_cap(&self) -> bool {
        self.hit_event_cap
    }

    /// Runbook steps still open now.
    pub fn open_steps(&self) -> Vec<OpenStep> {
        self.engine.model().open_steps()
    }

    /// When each scripted inject was delivered (`None`: not, or not yet).
    pub fn injects_delivered(&self) -> &[Option<Time>] {
        self.engine.model().injects_delivered()
    }

    /// Whether every incident has recovered.
    pub fn resolved(&self) -> bool {
        self.engine.model().resolved()
    }

    /// Processes every event before scenario time `t` (at most the horizon) and moves the
    /// clock there; returns the notes those events produced.
    pub fn advance_to(&mut self, t: Time) -> Vec<Note> {
        if t > self.now() && self.engine.run_until(t) == Stop::EventCap {
            self.hit_event_cap = true;
        }
        self.take_notes()
    }

    /// Processes the events at exactly the current time that are still queued (a drill that
    /// stopped between two events of the same minute).
    pub fn settle_now(&mut self) -> Vec<Note> {
        let now = self.now();
        while self.engine.peek_time() == Some(now) {
            if self.engine.step().is_err() {
                break;
            }
        }
        self.take_notes()
    }

    /// Takes `decision` of `role` (`None`: the facilitator) now; returns what happened and
    /// the notes it produced.
    pub fn decide(
        &mut self,
        role: Option<usize>,
        decision: &Decision,
    ) -> Result<(String, Vec<Note>), Refusal> {
        let outcome = self
            .engine
            .act(|world, now, s| world.decide(role, decision, now, s))?;
        Ok((outcome, self.take_notes()))
    }

    /// When each exercise module started (`None`: not yet).
    pub fn modules_started(&self) -> &[Option<Time>] {
        self.engine.model().modules_started()
    }

    /// What `role` sees and can do now.
    pub fn role_view(&self, role: usize) -> RoleView {
        self.engine.model().role_view(role, self.now())
    }

    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        self.engine
            .model()
            .trace()
            .expect("a drill session always records its trace")
    }

    fn take_notes(&mut self) -> Vec<Note> {
        let notes = &self.trace().notes;
        let fresh = notes[self.notes_taken.min(notes.len())..].to_vec();
        self.notes_taken = notes.len();
        fresh
    }

    /// Ends the run at `end` (the horizon when the drill played out, or the time the
    /// facilitator ended it) and scores it.
    pub fn finish(self, end: Time) -> (RunOutcome, Trace) {
        let (outcome, trace) = finish_run(self.engine, end, self.hit_event_cap);
        (outcome, trace.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Module 3 of the facilitated scenario is due at containment, module 2 half an hour
    /// after acknowledgement: a team that contains fast used to get module 3 first and have
    /// module 2's questions counted unanswered. Modules now start in their order.
    #[test]
    fn modules_start_in_their_order_even_when_a_later_one_is_due_first() {
        let loaded = crate::scenario::from_str(
            "scenarios/shopify-netsuite-facilitated.toml",
            include_str!("../../scenarios/shopify-netsuite-facilitated.toml"),
        )
        .unwrap();
        let scenario = &loaded.scenario;
        let mut waited = 0;
        for seed in 1..=60 {
            let keys = StreamKeys::new(scenario, seed);
            let mut session = Session::new(scenario, &keys, &[]);
            session.advance_to(session.horizon());
            let started = session.modules_started();
            for pair in started.windows(2) {
                match (pair[0], pair[1]) {
                    (Some(a), Some(b)) => assert!(a <= b, "seed {seed}: {started:?}"),
                    (None, Some(_)) => panic!("seed {seed}: a later module started first"),
                    _ => {}
                }
            }
            if let (Some(second), Some(third)) = (started[1], started[2])
                && second == third
            {
                waited += 1;
            }
        }
        assert!(waited > 0, "no seed had module 3 due before module 2");
    }
}
