//! The discrete-event core: a virtual clock, an event queue ordered by (time, insertion
//! sequence), and `step` / `run_until` / `run` with a horizon and an event cap as guards.
//!
//! It knows nothing of incidents: a [`Model`] receives each event with a [`Scheduler`] to
//! schedule more. It never prints and never draws random numbers; randomness lives in the
//! model's own streams ([`rng`]) so that the engine stays a pure ordering machine.

pub mod rng;

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Simulation time in minutes from scenario start.
pub type Time = f64;

/// A model driven by the engine.
pub trait Model {
    /// The model's events: small plain values (indices, not strings) keep the queue fast,
    /// and the queue moves them by copying.
    type Event: Copy;
    /// Handles one event at time `now`, scheduling any follow-ups.
    fn handle(&mut self, now: Time, event: Self::Event, scheduler: &mut Scheduler<Self::Event>);
}

/// A queued event. The order key is the time's bit pattern, then the insertion sequence:
/// times are finite and never negative (see [`Scheduler::at`]), and for those the IEEE 754
/// bits order as the numbers do, so the heap compares two integers instead of two floats.
#[derive(Clone, Copy)]
struct Entry<E> {
    time_bits: u64,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    #[inline]
    fn time(&self) -> Time {
        f64::from_bits(self.time_bits)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.time_bits, self.seq) == (other.time_bits, other.seq)
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we pop the earliest (time, seq) first. One
        // 128-bit key compares without a branch (a pair of u64 compared in turn branches on
        // the first), and the queue's searches are mostly comparisons.
        other.key().cmp(&self.key())
    }
}

impl<E> Entry<E> {
    #[inline]
    fn key(&self) -> u128 {
        ((self.time_bits as u128) << 64) | self.seq as u128
    }
}

/// Pending events at most this many are kept sorted (see [`Queue`]).
const SORTED_MAX: usize = 32;

/// The pending events, popped earliest (time, seq) first.
///
/// A run of the default scenario holds about eight pending events. For so few a vector kept
/// sorted latest first beats a binary heap: the next event is the last entry (a pop moves
/// nothing), and a push moves the new entry past the few that come before it, where a
/// heap's pop sifts through levels on unpredictable comparisons. Past [`SORTED_MAX`]
/// entries the O(n) move of an insertion would grow with the scenario, so the vector turns
/// into a binary heap in place (no allocation) until the queue is cleared. Keys are unique
/// (the sequence number), so both pop exactly the same order.
enum Queue<E> {
    Sorted(Vec<Entry<E>>),
    Heap(BinaryHeap<Entry<E>>),
}

impl<E: Copy> Queue<E> {
    #[inline(always)]
    fn push(&mut self, entry: Entry<E>) {
        match self {
            Queue::Sorted(entries) if entries.len() < SORTED_MAX => {
                // Latest first, earliest last: the pending entries that come before the new
                // one move up a place from the end, and it fills the gap (a step of insertion
                // sort; a follow-up usually comes before few of them). This beat a binary
                // search, whose branches mispredict, and a count of the later ones plus a
                // `memmove` call.
                let key = entry.key();
                let mut at = entries.len();
                entries.push(entry);
                while at > 0 && entries[at - 1].key() < key {
                    entries[at] = entries[at - 1];
                    at -= 1;
                }
                entries[at] = entry;
            }
            _ => self.push_past_sorted(entry),
        }
    }

    /// A push once the sorted form is full or given up: out of line, so the common push
    /// stays small enough to inline where events are scheduled.
    #[inline(never)]
    fn push_past_sorted(&mut self, entry: Entry<E>) {
        match self {
            Queue::Sorted(entries) => {
                let mut heap = BinaryHeap::from(std::mem::take(entries));
                heap.push(entry);
                *self = Queue::Heap(heap);
            }
            Queue::Heap(heap) => heap.push(entry),
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<Entry<E>> {
        match self {
            Queue::Sorted(entries) => entries.pop(),
            Queue::Heap(heap) => heap.pop(),
        }
    }

    #[inline]
    fn peek(&self) -> Option<&Entry<E>> {
        match self {
            Queue::Sorted(entries) => entries.last(),
            Queue::Heap(heap) => heap.peek(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Queue::Sorted(entries) => entries.len(),
            Queue::Heap(heap) => heap.len(),
        }
    }

    /// Empties the queue, keeping its storage, back in the sorted form.
    fn clear(&mut self) {
        let mut entries = match std::mem::replace(self, Queue::Sorted(Vec::new())) {
            Queue::Sorted(entries) => entries,
            Queue::Heap(heap) => heap.into_vec(),
        };
        entries.clear();
        *self = Queue::Sorted(entries);
    }
}

/// The event queue as the model sees it: schedule at a time no earlier than now.
pub struct Scheduler<E> {
    queue: Queue<E>,
    next_seq: u64,
    now: Time,
}

impl<E: Copy> Scheduler<E> {
    fn with_capacity(capacity: usize) -> Self {
        Scheduler {
            queue: Queue::Sorted(Vec::with_capacity(capacity)),
            next_seq: 0,
            now: 0.0,
        }
    }

    /// Schedules `event` at absolute time `at`; times in the past are moved to now, and a
    /// non-finite time is dropped (it would never come).
    #[inline(always)]
    pub fn at(&mut self, at: Time, event: E) {
        if !at.is_finite() {
            return;
        }
        // Adding 0.0 turns -0.0 into 0.0, whose bits order first (see `Entry`).
        let time = (if at < self.now { self.now } else { at }) + 0.0;
        self.queue.push(Entry {
            time_bits: time.to_bits(),
            seq: self.next_seq,
            event,
        });
        self.next_seq += 1;
    }

    /// Schedules `event` `delay` minutes from now.
    #[inline]
    pub fn after(&mut self, delay: Time, event: E) {
        self.at(self.now + delay, event);
    }

    /// The current time.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Events waiting.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// No event left.
    Exhausted,
    /// The next event lies beyond the horizon.
    Horizon,
    /// The event cap was reached: a runaway scenario.
    EventCap,
}

/// Guards against runaway scenarios.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Events at or after this time are not processed.
    pub horizon: Time,
    /// At most this many events are processed in one run.
    pub max_events: u64,
}

/// A discrete-event simulation of one model.
pub struct Engine<M: Model> {
    model: M,
    scheduler: Scheduler<M::Event>,
    limits: Limits,
    processed: u64,
}

impl<M: Model> Engine<M> {
    /// A new engine at time 0 with an empty queue.
    pub fn new(model: M, limits: Limits) -> Self {
        Engine {
            model,
            scheduler: Scheduler::with_capacity(32),
            limits,
            processed: 0,
        }
    }

    /// Empties the queue and sets the clock and the event count back to 0, keeping the
    /// queue's storage: a worker reuses one engine for run after run without allocating.
    pub fn restart(&mut self, limits: Limits) {
        self.scheduler.queue.clear();
        self.scheduler.next_seq = 0;
        self.scheduler.now = 0.0;
        self.limits = limits;
        self.processed = 0;
    }

    /// Schedules an event from outside the model (initial events).
    pub fn schedule(&mut self, at: Time, event: M::Event) {
        self.scheduler.at(at, event);
    }

    /// The current time.
    pub fn now(&self) -> Time {
        self.scheduler.now
    }

    /// Events processed so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The model, mutably (for a live driver that feeds decisions in).
    pub fn model_mut(&mut self) -> &mut M {
        &mut self.model
    }

    /// Lets the model act on something from outside the queue (a person's decision in a live
    /// drill) at the current time, scheduling what follows.
    pub fn act<R>(&mut self, f: impl FnOnce(&mut M, Time, &mut Scheduler<M::Event>) -> R) -> R {
        let now = self.scheduler.now;
        f(&mut self.model, now, &mut self.scheduler)
    }

    /// The horizon and event cap.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Gives the model back.
    pub fn into_model(self) -> M {
        self.model
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<Time> {
        self.scheduler.queue.peek().map(Entry::time)
    }

    /// Processes the next event if it lies before `until` (and the horizon, and the cap).
    pub fn step_before(&mut self, until: Time) -> Result<(), Stop> {
        if self.processed >= self.limits.max_events {
            return Err(Stop::EventCap);
        }
        let limit = until.min(self.limits.horizon);
        match self.scheduler.queue.peek() {
            None => return Err(Stop::Exhausted),
            Some(e) if e.time() >= limit => return Err(Stop::Horizon),
            Some(_) => {}
        }
        let Some(entry) = self.scheduler.queue.pop() else {
            return Err(Stop::Exhausted);
        };
        let time = entry.time();
        self.scheduler.now = time;
        self.processed += 1;
        self.model.handle(time, entry.event, &mut self.scheduler);
        Ok(())
    }

    /// Processes one event (within the horizon and the cap).
    pub fn step(&mut self) -> Result<(), Stop> {
        self.step_before(f64::INFINITY)
    }

    /// Processes events before `until`, then moves the clock to `until` (or the horizon).
    pub fn run_until(&mut self, until: Time) -> Stop {
        loop {
            if let Err(stop) = self.step_before(until) {
                if stop != Stop::EventCap {
                    self.scheduler.now = self.scheduler.now.max(until.min(self.limits.horizon));
                }
                return stop;
            }
        }
    }

    /// Processes events until none is left, the horizon, or the cap.
    pub fn run(&mut self) -> Stop {
        loop {
            if let Err(stop) = self.step() {
                return stop;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Recorder(Vec<(Time, u32)>);

    impl Model for Recorder {
        type Event = u32;
        fn handle(&mut self, now: Time, event: u32, scheduler: &mut Scheduler<u32>) {
            self.0.push((now, event));
            if event == 99 {
                scheduler.after(1.0, 99);
            }
        }
    }

    fn limits(horizon: Time) -> Limits {
        Limits {
            horizon,
            max_events: 1000,
        }
    }

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut engine = Engine::new(Recorder(Vec::new()), limits(100.0));
        engine.schedule(5.0, 1);
        engine.schedule(2.0, 2);
        engine.schedule(5.0, 3);
        engine.schedule(5.0, 4);
        assert_eq!(engine.run(), Stop::Exhausted);
        assert_eq!(
            engine.model().0,
            vec![(2.0, 2), (5.0, 1), (5.0, 3), (5.0, 4)]
        );
    }

    #[test]
    fn the_horizon_stops_a_run_and_leaves_later_events() {
        let mut engine = Engine::new(Recorder(Vec::new()), limits(10.0));
        engine.schedule(3.0, 1);
        engine.schedule(12.0, 2);
        assert_eq!(engine.run(), Stop::Horizon);
        assert_eq!(engine.model().0, vec![(3.0, 1)]);
    }

    #[test]
    fn the_event_cap_stops_a_runaway_model() {
        let mut engine = Engine::new(
            Recorder(Vec::new()),
            Limits {
                horizon: f64::INFINITY,
                max_events: 50,
            },
        );
        engine.schedule(0.0, 99);
        assert_eq!(engine.run(), Stop::EventCap);
        assert_eq!(engine.processed(), 50);
    }

    #[test]
    fn run_until_advances_the_clock() {
        let mut engine = Engine::new(Recorder(Vec::new()), limits(100.0));
        engine.schedule(3.0, 1);
        engine.schedule(30.0, 2);
        assert_eq!(engine.run_until(10.0), Stop::Horizon);
        assert_eq!(engine.now(), 10.0);
        assert_eq!(engine.model().0.len(), 1);
        assert_eq!(engine.run(), Stop::Exhausted);
        assert_eq!(engine.now(), 30.0);
    }

    #[test]
    fn a_restarted_engine_runs_like_a_new_one() {
        let mut engine = Engine::new(Recorder(Vec::new()), limits(100.0));
        engine.schedule(5.0, 1);
        engine.schedule(50.0, 2);
        engine.run_until(10.0);
        engine.restart(limits(100.0));
        engine.model_mut().0.clear();
        assert_eq!(
            (engine.now(), engine.processed(), engine.peek_time()),
            (0.0, 0, None)
        );
        engine.schedule(5.0, 3);
        engine.schedule(5.0, 4);
        assert_eq!(engine.run(), Stop::Exhausted);
        assert_eq!(engine.model().0, vec![(5.0, 3), (5.0, 4)]);
    }

    #[test]
    fn the_queue_pops_in_time_then_insertion_order_in_both_forms() {
        // Up to `SORTED_MAX` pending events stay in the sorted vector, more turn it into a
        // heap; either way, and after a restart turns it back, the order is (time, seq), as a
        // plain scan for the smallest (time, seq) finds it.
        struct Fanout(Vec<(Time, u32)>);
        fn follow_up(event: u32) -> Option<(Time, u32)> {
            // Delays of 0, 1 and 2 minutes: ties with pending events, and events at once.
            (event < 1000).then(|| (f64::from(event % 3), event + 1000))
        }
        impl Model for Fanout {
            type Event = u32;
            fn handle(&mut self, now: Time, event: u32, scheduler: &mut Scheduler<u32>) {
                self.0.push((now, event));
                if let Some((delay, next)) = follow_up(event) {
                    scheduler.after(delay, next);
                }
            }
        }
        let mut engine = Engine::new(Fanout(Vec::new()), limits(1e9));
        for pending in [5u32, SORTED_MAX as u32, SORTED_MAX as u32 + 1, 200, 7] {
            engine.restart(limits(1e9));
            engine.model_mut().0.clear();
            let mut reference: Vec<(Time, u64, u32)> = Vec::new();
            for e in 0..pending {
                // Times repeat (mod 7), so ties are broken by insertion order alone.
                let at = f64::from((e * 13) % 7);
                engine.schedule(at, e);
                reference.push((at, e as u64, e));
            }
            let mut seq = pending as u64;
            let mut expected = Vec::new();
            while let Some(i) = (0..reference.len()).min_by(|&i, &j| {
                let (a, b) = (reference[i], reference[j]);
                a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
            }) {
                let (now, _, event) = reference.swap_remove(i);
                expected.push((now, event));
                if let Some((delay, next)) = follow_up(event) {
                    reference.push((now + delay, seq, next));
                    seq += 1;
                }
            }
            assert_eq!(engine.run(), Stop::Exhausted);
            assert_eq!(engine.model().0, expected, "{pending} pending");
            assert_eq!(expected.len(), 2 * pending as usize);
        }
    }

    #[test]
    fn past_times_are_moved_to_now() {
        struct Back(Vec<Time>);
        impl Model for Back {
            type Event = bool;
            fn handle(&mut self, now: Time, first: bool, scheduler: &mut Scheduler<bool>) {
                self.0.push(now);
                if first {
                    scheduler.at(now - 5.0, false);
                }
            }
        }
        let mut engine = Engine::new(Back(Vec::new()), limits(100.0));
        engine.schedule(10.0, true);
        engine.run();
        assert_eq!(engine.model().0, vec![10.0, 10.0]);
    }
}
