//! When a platform flow's trigger picks up the records arriving at its source: at once (an
//! instant trigger), at the next poll (`polling`), or later when a burst meets the platform's
//! limits (new items per poll, flood protection, webhook throttling). Exact, without an event
//! per record: the ledger only asks how many records were picked up before a time and which
//! index ranges of them came late. It must not decide what happens to a record once picked
//! up (that is `model::ledger`).
//!
//! Arrivals: `r` records a minute (steady record `j` at `j / r`) and, with a burst, `B` records
//! at once at `t_b`, after the steady records that arrived by then. Records are picked up in
//! arrival order, so record `k` is the `k`-th both to arrive and to be picked up.
//!
//! - An instant trigger picks each record up as it arrives. Above the webhook limit (`L`
//!   records a minute) a burst is answered 429 and re-sent: its records, and the steady ones
//!   behind them, are taken `1 / L` minutes apart until the flow catches up; all but the
//!   burst's first record are late.
//! - A polling trigger (every `P` minutes, polls at `0, P, 2P, ...`) picks up at each poll what
//!   arrived by then, at most `poll_limit` new items; the rest wait for the next poll (late).
//!   A poll that picks up `flood_limit` items or more is held by flood protection and released
//!   one record every `1 / release` minutes (late), the next poll's records after it. Waiting
//!   for the next poll is how polling works, not lateness: a record is late when it comes
//!   after the first poll that could have taken it.
//!
//! Only bursts back records up: compiling a scenario refuses a steady rate that one poll, or
//! the webhook limit, could not keep up with.

use crate::scenario::platform::Intake as Spec;

/// Records picked up together: `count` records from index `first`, the `i`-th at
/// `start + i * spacing`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Batch {
    first: u64,
    count: u64,
    start: f64,
    spacing: f64,
    /// Its late records: `late.1` records from `first + late.0`.
    late: (u64, u64),
}

impl Batch {
    /// Its records picked up strictly before `t` (`strict`) or at or before it.
    fn picked(&self, t: f64, strict: bool) -> u64 {
        let before = |x: f64| if strict { x < t } else { x <= t };
        if !before(self.start) {
            return 0;
        }
        if self.spacing == 0.0 {
            return self.count;
        }
        let steps = (t - self.start) / self.spacing;
        let n = if strict {
            steps.ceil()
        } else {
            steps.floor() + 1.0
        };
        // Rounding can only err by one record; the exact times settle it.
        let mut n = (n.max(0.0) as u64).min(self.count);
        while n > 0 && !before(self.start + (n - 1) as f64 * self.spacing) {
            n -= 1;
        }
        while n < self.count && before(self.start + n as f64 * self.spacing) {
            n += 1;
        }
        n
    }

    fn last(&self) -> f64 {
        self.start + self.count.saturating_sub(1) as f64 * self.spacing
    }
}

/// A flow's pickup schedule for one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    rate: f64,
    polling: Option<f64>,
    burst: Option<(f64, u64)>,
    /// Records picked up before the first batch.
    before: u64,
    /// The batches while a burst's backlog lasts, in order; empty without a backlog.
    batches: Vec<Batch>,
    /// Whether the backlog cleared (after it, pickups follow the steady rule again); when it
    /// did not clear by the horizon, nothing is picked up after the last batch.
    cleared: bool,
}

impl Schedule {
    /// The schedule of a flow moving `rate` records a minute, under `spec`, up to `horizon`.
    pub fn new(spec: &Spec, rate: f64, horizon: f64) -> Schedule {
        let mut schedule = Schedule {
            rate,
            polling: spec.polling,
            burst: spec.burst.map(|b| (b.at, b.records)),
            before: 0,
            batches: Vec::new(),
            cleared: true,
        };
        let Some((at, records)) = schedule.burst else {
            return schedule;
        };
        if records == 0 {
            return schedule;
        }
        match spec.polling {
            Some(every) => schedule.poll_backlog(spec, at, every, horizon),
            None => {
                if let Some(limit) = spec.webhook_limit {
                    schedule.throttle_backlog(at, records, limit, horizon);
                }
            }
        }
        schedule
    }

    /// Steady records that arrived at or before `t`.
    fn steady_by(&self, t: f64) -> u64 {
        if t < 0.0 || self.rate <= 0.0 {
            return 0;
        }
        (t * self.rate).floor() as u64 + 1
    }

    /// Steady records that arrived strictly before `t`.
    fn steady_before(&self, t: f64) -> u64 {
        (t * self.rate).ceil().max(0.0) as u64
    }

    /// Records (steady and burst) that arrived at or before `t`.
    pub fn arrived_by(&self, t: f64) -> u64 {
        let burst = self.burst.filter(|&(at, _)| at <= t).map_or(0, |(_, b)| b);
        self.steady_by(t) + burst
    }

    /// Records that arrived strictly before `t`.
    pub fn arrived_before(&self, t: f64) -> u64 {
        let burst = self.burst.filter(|&(at, _)| at < t).map_or(0, |(_, b)| b);
        self.steady_before(t) + burst
    }

    /// The time of poll `j`.
    fn poll(every: f64, j: u64) -> f64 {
        j as f64 * every
    }

    /// Polls from the first at or after the burst until the backlog clears (or the horizon).
    fn poll_backlog(&mut self, spec: &Spec, at: f64, every: f64, horizon: f64) {
        let limit = spec.poll_limit.unwrap_or(u64::MAX);
        let mut j = (at / every).ceil() as u64;
        while Self::poll(every, j) < at {
            j += 1;
        }
        self.before = if j == 0 {
            0
        } else {
            self.arrived_by(Self::poll(every, j - 1))
        };
        let mut picked = self.before;
        let mut free_at = f64::NEG_INFINITY;
        loop {
            let time = Self::poll(every, j);
            if time > horizon {
                self.cleared = false;
                return;
            }
            let arrived = self.arrived_by(time);
            let count = (arrived - picked).min(limit);
            // Records that arrived by the previous poll should have been taken then.
            let carried = if j == 0 {
                0
            } else {
                self.arrived_by(Self::poll(every, j - 1))
                    .saturating_sub(picked)
                    .min(count)
            };
            let held = spec.flood_limit.is_some_and(|f| count >= f);
            let start = time.max(free_at);
            let spacing = if held { 1.0 / spec.flood_release } else { 0.0 };
            let late = if held || start > time {
                (0, count)
            } else {
                (0, carried)
            };
            if count > 0 {
                self.batches.push(Batch {
                    first: picked,
                    count,
                    start,
                    spacing,
                    late,
                });
            }
            picked += count;
            free_at = start + count as f64 * spacing;
            if picked == arrived && !held && start == time {
                return;
            }
            j += 1;
        }
    }

    /// An instant trigger taking a burst `1 / limit` minutes apart until it catches up.
    fn throttle_backlog(&mut self, at: f64, records: u64, limit: f64, horizon: f64) {
        let first = self.steady_by(at);
        let spacing = 1.0 / limit;
        // Record `first + i` (i >= records: steady record `first + i - records`) waits while
        // it arrives before the throttled pickup time `at + i / limit`.
        let waits = |i: u64| {
            i < records || ((first + i - records) as f64 / self.rate) < at + i as f64 * spacing
        };
        let mut count = records;
        if self.rate > 0.0 {
            // The linear inequality gives the count; the exact check settles rounding.
            let gap = 1.0 / self.rate - spacing;
            let need = (at - (first as f64 - records as f64) / self.rate) / gap;
            count = (need.ceil().max(0.0) as u64).max(records);
            while count > records && !waits(count - 1) {
                count -= 1;
            }
            while waits(count) && at + count as f64 * spacing <= horizon {
                count += 1;
            }
        }
        self.cleared = !waits(count);
        self.before = first;
        self.batches.push(Batch {
            first,
            count,
            start: at,
            spacing,
            late: (1, count - 1),
        });
    }

    /// Records picked up when no backlog is in the way: at once, or at the last poll.
    fn steady_picked(&self, t: f64, strict: bool) -> u64 {
        match (self.polling, strict) {
            (None, true) => self.arrived_before(t),
            (None, false) => self.arrived_by(t),
            (Some(every), _) => {
                if t < 0.0 || (strict && t <= 0.0) {
                    return 0;
                }
                // The last poll at (or strictly before) `t`; the exact times settle rounding.
                let mut j = (t / every).floor() as u64;
                while j > 0 && (Self::poll(every, j) > t || (strict && Self::poll(every, j) >= t)) {
                    j -= 1;
                }
                while Self::poll(every, j + 1) < t || (!strict && Self::poll(every, j + 1) <= t) {
                    j += 1;
                }
                self.arrived_by(Self::poll(every, j))
            }
        }
    }

    fn picked(&self, t: f64, strict: bool) -> u64 {
        let (Some(first), Some(last)) = (self.batches.first(), self.batches.last()) else {
            return self.steady_picked(t, strict);
        };
        let before_first = if strict {
            t <= first.start
        } else {
            t < first.start
        };
        if before_first {
            return self.steady_picked(t, strict).min(self.before);
        }
        let after_last = if strict {
            t > last.last()
        } else {
            t >= last.last()
        };
        if after_last && self.cleared {
            let end = last.first + last.count;
            return self.steady_picked(t, strict).max(end);
        }
        let mut n = self.before;
        for batch in &self.batches {
            let k = batch.picked(t, strict);
            n += k;
            if k < batch.count {
                break;
            }
        }
        n
    }

    /// Records picked up strictly before `t`.
    pub fn picked_before(&self, t: f64) -> u64 {
        self.picked(t, true)
    }

    /// Records picked up at or before `t`.
    pub fn picked_by(&self, t: f64) -> u64 {
        self.picked(t, false)
    }

    /// The index ranges `[a, b)` of late records among `[first, end)`.
    pub fn late_ranges(&self, first: u64, end: u64) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.batches.iter().filter_map(move |b| {
            let a = (b.first + b.late.0).max(first);
            let z = (b.first + b.late.0 + b.late.1).min(end);
            (a < z).then_some((a, z))
        })
    }

    /// When the backlog's last record is picked up, if a burst backed records up.
    pub fn backlog_ends(&self) -> Option<f64> {
        self.batches.last().map(Batch::last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::platform::Burst;

    fn spec(polling: Option<f64>, burst: (f64, u64)) -> Spec {
        Spec {
            polling,
            poll_limit: Some(100),
            flood_limit: Some(100),
            flood_release: 60.0,
            webhook_limit: Some(10.0),
            burst: Some(Burst {
                at: burst.0,
                records: burst.1,
            }),
        }
    }

    /// Pickup time of every record by the rules in the module doc, one record at a time.
    fn by_hand(spec: &Spec, rate: f64, horizon: f64) -> Vec<(f64, bool)> {
        let burst = spec.burst.unwrap();
        // Steady records in time order, the burst after those that arrived by its time.
        let mut arrivals: Vec<f64> = Vec::new();
        let mut inserted = false;
        for j in 0.. {
            let t = j as f64 / rate;
            if t > horizon {
                break;
            }
            if !inserted && t > burst.at {
                arrivals.extend(std::iter::repeat_n(burst.at, burst.records as usize));
                inserted = true;
            }
            arrivals.push(t);
        }
        let mut out = Vec::new();
        match spec.polling {
            None => {
                // Each record at its arrival, or 1/L after the one before; the burst's first
                // record at its arrival.
                let mut last = f64::NEG_INFINITY;
                for (k, &a) in arrivals.iter().enumerate() {
                    let first_of_burst = a == burst.at && (k == 0 || arrivals[k - 1] < a);
                    let t = if first_of_burst {
                        a
                    } else {
                        a.max(last + 1.0 / spec.webhook_limit.unwrap())
                    };
                    out.push((t, t > a));
                    last = t;
                }
            }
            Some(every) => {
                let mut next = 0usize;
                let mut free = f64::NEG_INFINITY;
                let mut p = 0u64;
                while next < arrivals.len() {
                    let time = p as f64 * every;
                    let ready = arrivals.iter().filter(|&&a| a <= time).count();
                    let n = (ready - next).min(100);
                    let held = n >= 100;
                    let start = time.max(free);
                    for i in 0..n {
                        let at = if held { start + i as f64 / 60.0 } else { start };
                        let a = arrivals[next + i];
                        let late = held || start > time || a <= time - every;
                        out.push((at, late));
                    }
                    next += n;
                    free = if held { start + n as f64 / 60.0 } else { start };
                    p += 1;
                }
            }
        }
        out
    }

    #[test]
    fn a_polled_burst_drains_one_hundred_a_poll_held_by_flood_protection() {
        // 1 record every 2 minutes, polls every 2 minutes, 450 records at once at minute 10.
        // The poll at 10 finds 451 (the steady record at 10 first), takes 100 and flood
        // protection releases them 1 a second; 351 + 1 wait for the poll at 12, which takes
        // 100 held; then 252 + 1, 153 + 1 likewise; the poll at 18 takes the 54 left and the
        // record of minute 18 at once: 4 x 100 + 54 = 454 late.
        let s = spec(Some(2.0), (10.0, 450));
        let schedule = Schedule::new(&s, 0.5, 120.0);
        assert_eq!(schedule.backlog_ends(), Some(18.0));
        let late: u64 = schedule.late_ranges(0, u64::MAX).map(|(a, b)| b - a).sum();
        assert_eq!(late, 454);
        // Records 0..5 came at polls 0..8; 100 by the end of the first release.
        assert_eq!(schedule.picked_before(10.0), 5);
        assert_eq!(schedule.picked_by(10.0 + 99.5 / 60.0), 105);
        assert_eq!(schedule.picked_by(18.0), 5 + 455);
        assert_eq!(schedule.picked_before(120.0), 5 + 450 + 55);
        check_against_hand(&s, 0.5, 120.0);
    }

    #[test]
    fn a_webhook_burst_above_the_limit_is_taken_at_the_limit_until_it_catches_up() {
        // 2 records a minute, a limit of 10 a minute, 100 records at minute 5.25 (after the
        // 11 steady records of minutes 0..=5). Record 11 + i is taken at 5.25 + i/10 while
        // steady record i - 89 arrives earlier: (i - 89)/2 < 5.25 + i/10, i < 124.375; 125
        // records in the backlog, all late but the first, the last taken at 5.25 + 12.4.
        let s = spec(None, (5.25, 100));
        let schedule = Schedule::new(&s, 2.0, 60.0);
        let late: u64 = schedule.late_ranges(0, u64::MAX).map(|(a, b)| b - a).sum();
        assert_eq!(late, 124);
        assert!((schedule.backlog_ends().unwrap() - 17.65).abs() < 1e-9);
        check_against_hand(&s, 2.0, 60.0);
    }

    /// Counts at many times equal the record-by-record reference.
    fn check_against_hand(s: &Spec, rate: f64, horizon: f64) {
        let schedule = Schedule::new(s, rate, horizon);
        let hand = by_hand(s, rate, horizon);
        for step in 0..(horizon as u64 * 8) {
            let t = step as f64 / 8.0 + 0.01;
            let before = hand.iter().filter(|(at, _)| *at < t).count() as u64;
            assert_eq!(schedule.picked_before(t), before, "t = {t}");
        }
        let late = hand.iter().filter(|(_, late)| *late).count() as u64;
        let counted: u64 = schedule.late_ranges(0, u64::MAX).map(|(a, b)| b - a).sum();
        assert_eq!(counted, late);
    }
}
