//! Exact record accounting for one flow, without one event per record.
//!
//! A flow moving `r` records per minute receives record `k` at minute `k / r`. Between two
//! state changes every record meets the same fate, so the ledger settles whole index ranges at
//! once: delivered, failed, lost, held in a queue, or recovered. Which records a partial fault
//! affects is a fixed thinning (record `k` is affected when `floor((k+1)s) > floor(ks)` for
//! share `s`), so counts are integers and every record lands in exactly one bucket:
//! `offered = delivered + failed + lost + queued + recovered` holds by construction.
//!
//! On a platform flow (`platform = ...`) errored records are retried on the platform's
//! schedule: record `k`, errored at `a_k = k / r`, is retried at `a_k + c_1, ..., a_k + c_n`
//! (`c_i` the running sums of the intervals). A retry succeeds once the flow is healthy again,
//! so when the fault clears at `E` the records with `a_k + c_n >= E` are delivered late and
//! those with `a_k + c_n < E` failed for good: they wait in the platform's history for a
//! manual replay, or are lost without one. Both sets are index ranges, settled at once.
//!
//! A platform flow that polls, or meets a burst, takes record `k` in at its pickup time
//! (`model::intake`) instead of `k / r`; the records a burst backed up are index ranges too,
//! delivered late when the flow is healthy. Records still waiting at the source at the end
//! count as queued.

use super::intake::Schedule;
use crate::scenario::EffectMode;
use crate::scenario::platform::WhileOff;

/// Record counts of one flow (or summed over flows).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordCounts {
    /// Records that entered the flow.
    pub offered: u64,
    /// Delivered on time.
    pub delivered: u64,
    /// Errored and never re-sent.
    pub failed: u64,
    /// Gone: dropped silently, or expired from a queue.
    pub lost: u64,
    /// Still waiting in a queue at the end.
    pub queued: u64,
    /// Delivered late: replayed, drained or backfilled.
    pub recovered: u64,
}

impl RecordCounts {
    /// Records that reached their destination late or are still waiting.
    pub fn delayed(&self) -> u64 {
        self.recovered + self.queued
    }

    /// Whether every offered record is in exactly one bucket.
    pub fn is_conserved(&self) -> bool {
        self.offered == self.delivered + self.failed + self.lost + self.queued + self.recovered
    }
}

impl std::ops::AddAssign for RecordCounts {
    fn add_assign(&mut self, other: Self) {
        self.offered += other.offered;
        self.delivered += other.delivered;
        self.failed += other.failed;
        self.lost += other.lost;
        self.queued += other.queued;
        self.recovered += other.recovered;
    }
}

/// Which queue held records wait in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueueKind {
    /// Errored records waiting for a manual replay (restore-data action).
    Retry,
    /// Records held back (paused flow, delayed delivery); they drain when the flow recovers.
    Hold,
    /// Errored records the platform is still retrying automatically.
    Retrying,
}

/// Records `[first, end)` (by index) of which the `share`-thinned subset waits in a queue.
#[derive(Debug, Clone, Copy)]
struct Segment {
    first: u64,
    end: u64,
    share: f64,
    kind: QueueKind,
}

impl Segment {
    fn count(&self) -> u64 {
        thinned(self.first, self.end, self.share)
    }
}

/// Number of affected records among indices `[first, end)` at share `s`.
#[inline]
fn thinned(first: u64, end: u64, share: f64) -> u64 {
    if share >= 1.0 {
        return end - first;
    }
    // A share is at least 0, so the floors grow with the index and their difference is the
    // same in integers as in floats.
    floor_count(end as f64 * share) - floor_count(first as f64 * share)
}

/// Below 2^62 a signed conversion holds any count: x86-64 converts between `f64` and `i64`
/// in one instruction, between `f64` and `u64` in about ten (before AVX-512).
const SIGNED_RANGE: f64 = 4_611_686_018_427_387_904.0;

/// `x.floor() as u64`, exactly (negatives and NaN give 0, values past u64::MAX give
/// u64::MAX), without the library call `floor` is on baseline x86-64.
#[inline]
fn floor_count(x: f64) -> u64 {
    if x < SIGNED_RANGE {
        // Truncation toward zero is the floor of a non-negative number; the rest is 0.
        (x as i64).max(0) as u64
    } else {
        x as u64
    }
}

/// `x.ceil().max(0.0) as u64`, exactly, without the library call `ceil` is on baseline
/// x86-64 (settling a ledger takes one or two per event).
#[inline]
fn ceil_count(x: f64) -> u64 {
    if x < SIGNED_RANGE {
        // `k` is `x` truncated toward zero (a double, so `k as f64` is exact): below `x`
        // exactly when `x` has a positive fraction.
        let k = x as i64;
        let up = if (k as f64) < x { k + 1 } else { k };
        up.max(0) as u64
    } else {
        // NaN (0), or past 2^62: `as u64` saturates as the library rounding does.
        x.ceil().max(0.0) as u64
    }
}

/// How the flow currently treats arriving records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlowCondition {
    /// The effect of the active fault, if any.
    pub mode: Option<EffectMode>,
    /// Share of records affected by it.
    pub share: f64,
    /// Paused by containment: everything is held.
    pub paused: bool,
    /// Whether the platform retries the active fault's errors automatically.
    pub retried: bool,
    /// Turned off by the platform: what becomes of arriving records.
    pub off: Option<WhileOff>,
}

impl FlowCondition {
    /// A healthy, running flow.
    pub const HEALTHY: FlowCondition = FlowCondition {
        mode: None,
        share: 0.0,
        paused: false,
        retried: false,
        off: None,
    };

    /// Whether records go through: no fault, not paused, not off.
    pub fn is_healthy(&self) -> bool {
        self.mode.is_none() && !self.paused && self.off.is_none()
    }
}

/// The ledger of one flow.
#[derive(Debug, Clone)]
pub struct Ledger {
    rate: f64,
    /// Platform flows: minutes from an error to the last automatic retry (`Some(0)` when the
    /// platform does not retry); `None` for a flow without a platform.
    last_retry: Option<f64>,
    retry_retention: Option<f64>,
    hold_retention: f64,
    settled_to: f64,
    next_record: u64,
    condition: FlowCondition,
    counts: RecordCounts,
    queue: Vec<Segment>,
    /// The ranges [`Ledger::give_up`] moves, kept between calls to reuse the allocation.
    given_up: Vec<(u64, u64, f64)>,
    /// When each record is picked up, for a flow that polls or meets a burst.
    intake: Option<Box<Schedule>>,
}

impl Ledger {
    /// A healthy flow at time 0.
    pub fn new(rate: f64, retry_retention: Option<f64>, hold_retention: f64) -> Self {
        Ledger {
            rate,
            last_retry: None,
            retry_retention,
            hold_retention,
            settled_to: 0.0,
            next_record: 0,
            condition: FlowCondition::HEALTHY,
            counts: RecordCounts::default(),
            queue: Vec::new(),
            given_up: Vec::new(),
            intake: None,
        }
    }

    /// Becomes `fresh` (a new ledger of the same flow) but keeps this one's storage and its
    /// pick-up schedule (a function of the flow alone), so a reused run allocates nothing.
    pub fn reset_to(&mut self, fresh: Ledger) {
        let (mut queue, mut given_up, intake) = (
            std::mem::take(&mut self.queue),
            std::mem::take(&mut self.given_up),
            self.intake.take(),
        );
        queue.clear();
        given_up.clear();
        *self = fresh;
        (self.queue, self.given_up) = (queue, given_up);
        if self.intake.is_none() {
            self.intake = intake;
        }
    }

    /// A platform flow's ledger: errors are retried for `last_retry` minutes after they happen
    /// (when the condition says the fault is retried); records whose last retry failed wait in
    /// the history for `retry_retention` minutes from their arrival, or are lost without one.
    pub fn for_platform(
        rate: f64,
        last_retry: f64,
        retry_retention: Option<f64>,
        hold_retention: f64,
    ) -> Self {
        Ledger {
            last_retry: Some(last_retry),
            ..Ledger::new(rate, retry_retention, hold_retention)
        }
    }

    /// The same ledger with records taken in on `schedule` (polling, bursts).
    pub fn with_intake(mut self, schedule: Schedule) -> Self {
        self.intake = Some(Box::new(schedule));
        self
    }

    /// Records that arrived (were picked up) strictly before `t`.
    #[inline]
    fn arrived_before(&self, t: f64) -> u64 {
        match &self.intake {
            Some(schedule) => schedule.picked_before(t),
            None => ceil_count(t * self.rate),
        }
    }

    /// Records that arrived (were picked up) at or before `t`, for `t >= 0`.
    #[inline]
    fn arrived_by(&self, t: f64) -> u64 {
        match &self.intake {
            Some(schedule) => schedule.picked_by(t),
            None => floor_count(t * self.rate) + 1,
        }
    }

    /// Among records `[first, end)`: how many a burst backed up (late), and how many of
    /// those the `share`-thinned fault affects.
    fn late(&self, first: u64, end: u64, share: f64) -> (u64, u64) {
        let Some(schedule) = &self.intake else {
            return (0, 0);
        };
        schedule
            .late_ranges(first, end)
            .fold((0, 0), |(all, hit), (a, b)| {
                (all + (b - a), hit + thinned(a, b, share))
            })
    }

    fn hold(&mut self, first: u64, end: u64, share: f64, kind: QueueKind) {
        if end <= first {
            return;
        }
        if let Some(last) = self.queue.last_mut()
            && last.end == first
            && last.share == share
            && last.kind == kind
        {
            last.end = end;
            return;
        }
        self.queue.push(Segment {
            first,
            end,
            share,
            kind,
        });
    }

    /// Accounts for every record that arrived up to `now` under the current condition, and
    /// expires queued records older than their retention.
    pub fn settle(&mut self, now: f64) {
        if now > self.settled_to {
            let end = self.arrived_before(now);
            let first = self.next_record;
            if end > first {
                let total = end - first;
                let condition = self.condition;
                let retrying = condition.retried && self.last_retry.is_some_and(|l| l > 0.0);
                // Records a burst backed up reach the destination late when nothing else
                // happens to them.
                let share = if condition.mode.is_some() {
                    condition.share
                } else {
                    0.0
                };
                let (late, late_hit) = self.late(first, end, share);
                if condition.paused || condition.off == Some(WhileOff::Hold) {
                    self.hold(first, end, 1.0, QueueKind::Hold);
                } else if condition.off == Some(WhileOff::Drop) {
                    self.counts.lost += total;
                } else if let Some(mode) = condition.mode {
                    let affected = thinned(first, end, condition.share);
                    self.counts.delivered += total - affected - (late - late_hit);
                    self.counts.recovered += late - late_hit;
                    match mode {
                        EffectMode::Loud if retrying => {
                            self.hold(first, end, condition.share, QueueKind::Retrying)
                        }
                        EffectMode::Loud if self.retry_retention.is_some() => {
                            self.hold(first, end, condition.share, QueueKind::Retry)
                        }
                        // A platform that keeps no history has nothing to replay them from.
                        EffectMode::Loud if self.last_retry.is_some() => {
                            self.counts.lost += affected
                        }
                        EffectMode::Loud => self.counts.failed += affected,
                        EffectMode::Silent => self.counts.lost += affected,
                        EffectMode::Delay => {
                            self.hold(first, end, condition.share, QueueKind::Hold)
                        }
                    }
                } else {
                    self.counts.delivered += total - late;
                    self.counts.recovered += late;
                }
                self.counts.offered += total;
                self.next_record = end;
            }
            self.settled_to = now;
        }
        // Retries and retention act on queued records only; most settles find none (a healthy
        // flow, or a fault that loses or fails what it hits).
        if !self.queue.is_empty() {
            self.give_up(now);
            self.expire(now);
        }
    }

    /// Ends the automatic retries of records whose last retry came before `now` while the flow
    /// was still failing: record `k` is given up when `k / rate + last_retry < now`. They move
    /// to the history (replayable until it expires) or, without one, are lost.
    fn give_up(&mut self, now: f64) {
        let Some(last) = self.last_retry else {
            return;
        };
        let cutoff = self.arrived_before(now - last);
        let mut failed = std::mem::take(&mut self.given_up);
        failed.clear();
        for segment in &mut self.queue {
            if segment.kind != QueueKind::Retrying || cutoff <= segment.first {
                continue;
            }
            let end = cutoff.min(segment.end);
            failed.push((segment.first, end, segment.share));
            segment.first = end;
        }
        if !failed.is_empty() {
            self.queue.retain(|s| s.first < s.end);
        }
        for &(first, end, share) in &failed {
            if self.retry_retention.is_some() {
                self.hold(first, end, share, QueueKind::Retry);
            } else {
                self.counts.lost += thinned(first, end, share);
            }
        }
        self.given_up = failed;
    }

    fn expire(&mut self, now: f64) {
        // Record k arrived at a_k (k / rate without an intake); it is gone once
        // a_k + retention <= now: the first `arrived_by(now - retention)` records.
        let cutoff = |retention: f64| {
            let time = now - retention;
            (time >= 0.0).then(|| self.arrived_by(time))
        };
        let retry = cutoff(self.retry_retention.unwrap_or(f64::INFINITY));
        let hold = cutoff(self.hold_retention);
        let mut lost = 0;
        for segment in &mut self.queue {
            let cutoff = match segment.kind {
                QueueKind::Retry => retry,
                QueueKind::Hold => hold,
                // Retries end by `give_up`, not by expiry.
                QueueKind::Retrying => continue,
            };
            let Some(cutoff) = cutoff else {
                continue;
            };
            let cutoff = cutoff.min(segment.end);
            if cutoff > segment.first {
                lost += thinned(segment.first, cutoff, segment.share);
                segment.first = cutoff;
            }
        }
        if lost > 0 {
            self.counts.lost += lost;
            self.queue.retain(|s| s.first < s.end);
        }
    }

    /// Changes how arriving records are treated from `now` on.
    pub fn set_condition(&mut self, now: f64, condition: FlowCondition) {
        self.settle(now);
        self.condition = condition;
        // The next automatic retry of each record still being retried succeeds.
        if condition.is_healthy() {
            self.drain(now, QueueKind::Retrying);
        }
    }

    /// The current condition.
    pub fn condition(&self) -> FlowCondition {
        self.condition
    }

    fn drain(&mut self, now: f64, kind: QueueKind) -> u64 {
        self.settle(now);
        if self.queue.is_empty() {
            return 0;
        }
        let drained: u64 = self
            .queue
            .iter()
            .filter(|s| s.kind == kind)
            .map(Segment::count)
            .sum();
        self.queue.retain(|s| s.kind != kind);
        self.counts.recovered += drained;
        drained
    }

    /// Delivers held records (the flow runs again); returns how many.
    pub fn release_held(&mut self, now: f64) -> u64 {
        self.drain(now, QueueKind::Hold)
    }

    /// Replays the retry queue; with `backfill`, also re-sends failed and lost records from the
    /// source. Returns how many records were recovered.
    pub fn restore(&mut self, now: f64, backfill: bool) -> u64 {
        let mut restored = self.drain(now, QueueKind::Retry);
        if backfill {
            restored += self.counts.lost + self.counts.failed;
            self.counts.recovered += self.counts.lost + self.counts.failed;
            self.counts.lost = 0;
            self.counts.failed = 0;
        }
        restored
    }

    /// Whether a restore-data action has anything to do.
    pub fn has_restorable(&self, backfill: bool) -> bool {
        self.queue
            .iter()
            .any(|s| s.kind == QueueKind::Retry && s.count() > 0)
            || (backfill && self.counts.lost + self.counts.failed > 0)
    }

    /// Counts as of the last settle, with queued records counted.
    pub fn counts(&self) -> RecordCounts {
        // Records that arrived at the source but were not picked up yet wait there.
        let waiting = self.intake.as_ref().map_or(0, |schedule| {
            schedule
                .arrived_before(self.settled_to)
                .saturating_sub(self.next_record)
        });
        RecordCounts {
            offered: self.counts.offered + waiting,
            queued: self.queue.iter().map(Segment::count).sum::<u64>() + waiting,
            ..self.counts
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing(mode: EffectMode, share: f64) -> FlowCondition {
        FlowCondition {
            mode: Some(mode),
            share,
            ..FlowCondition::HEALTHY
        }
    }

    #[test]
    fn ceil_count_and_thinned_agree_with_the_library_rounding() {
        let mut xs = vec![
            0.0,
            -0.0,
            -0.5,
            -3.0,
            0.5,
            1.0,
            1.0 - f64::EPSILON,
            1.0 + f64::EPSILON,
            2.5e15,
            SIGNED_RANGE,
            f64::from_bits(SIGNED_RANGE.to_bits() - 1),
            f64::from_bits(SIGNED_RANGE.to_bits() + 1),
            4.7e18,
            -4.7e18,
            9.3e18,
            9.007_199_254_740_993e15,
            1.8e19,
            2.0e19,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        xs.extend((0..2000).map(|i| i as f64 * 0.37 - 11.0));
        for x in xs {
            assert_eq!(ceil_count(x), x.ceil().max(0.0) as u64, "ceil of {x}");
            assert_eq!(floor_count(x), x.floor() as u64, "floor of {x}");
        }
        for share in [0.0, 0.1, 0.25, 1.0 / 3.0, 0.5, 0.999, 1.0] {
            for first in 0..200u64 {
                for end in first..first + 50 {
                    let by_floor =
                        ((end as f64 * share).floor() - (first as f64 * share).floor()) as u64;
                    let expected = if share >= 1.0 { end - first } else { by_floor };
                    assert_eq!(
                        thinned(first, end, share),
                        expected,
                        "{first}..{end} at {share}"
                    );
                }
            }
        }
    }

    #[test]
    fn settling_again_at_the_same_time_changes_nothing() {
        let mut ledger = Ledger::for_platform(3.0, 30.0, Some(45.0), 20.0);
        ledger.set_condition(
            5.0,
            FlowCondition {
                retried: true,
                ..failing(EffectMode::Loud, 0.5)
            },
        );
        ledger.set_condition(
            50.0,
            FlowCondition {
                paused: true,
                ..failing(EffectMode::Loud, 0.5)
            },
        );
        for t in [60.0, 80.0, 80.0, 130.0] {
            ledger.settle(t);
            let once = ledger.counts();
            ledger.settle(t);
            assert_eq!(ledger.counts(), once);
            assert!(once.is_conserved());
        }
        ledger.set_condition(130.0, FlowCondition::HEALTHY);
        let held = ledger.release_held(130.0);
        assert_eq!(ledger.release_held(130.0), 0);
        assert!(held > 0 && ledger.counts().is_conserved());
    }

    #[test]
    fn a_healthy_flow_delivers_everything() {
        let mut ledger = Ledger::new(20.0, None, f64::INFINITY);
        ledger.settle(60.0);
        let c = ledger.counts();
        assert_eq!((c.offered, c.delivered), (1200, 1200));
        assert!(c.is_conserved());
    }

    #[test]
    fn silent_partial_loss_loses_its_share() {
        let mut ledger = Ledger::new(10.0, None, f64::INFINITY);
        ledger.set_condition(10.0, failing(EffectMode::Silent, 0.25));
        ledger.settle(50.0);
        let c = ledger.counts();
        assert_eq!(c.offered, 500);
        assert_eq!(c.lost, 100);
        assert!(c.is_conserved());
    }

    #[test]
    fn retry_queue_expires_after_retention_and_replays_the_rest() {
        let mut ledger = Ledger::new(1.0, Some(60.0), f64::INFINITY);
        ledger.set_condition(0.0, failing(EffectMode::Loud, 1.0));
        ledger.set_condition(120.0, FlowCondition::HEALTHY);
        // Records 0..=60 arrived at minutes 0..=60 and expired by minute 120.
        let c = ledger.counts();
        assert_eq!(c.lost, 61);
        assert_eq!(c.queued, 59);
        assert_eq!(ledger.restore(120.0, false), 59);
        let c = ledger.counts();
        assert_eq!((c.recovered, c.queued), (59, 0));
        assert!(c.is_conserved());
    }

    #[test]
    fn pausing_holds_and_release_delivers_late() {
        let mut ledger = Ledger::new(2.0, None, f64::INFINITY);
        ledger.set_condition(10.0, failing(EffectMode::Loud, 1.0));
        ledger.set_condition(
            20.0,
            FlowCondition {
                paused: true,
                ..failing(EffectMode::Loud, 1.0)
            },
        );
        ledger.set_condition(30.0, FlowCondition::HEALTHY);
        assert_eq!(ledger.release_held(30.0), 20);
        ledger.settle(40.0);
        let c = ledger.counts();
        assert_eq!((c.failed, c.recovered, c.delivered), (20, 20, 40));
        assert!(c.is_conserved());
        assert_eq!(ledger.restore(40.0, true), 20);
        assert_eq!(ledger.counts().failed, 0);
    }
}
