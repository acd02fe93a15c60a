//! Censoring-aware estimates of time-to-event: the Kaplan-Meier estimator with Greenwood
//! confidence bands, its quantiles, the restricted mean, and seeded bootstrap intervals.
//!
//! A run that does not reach a milestone before the horizon is *censored* at the time it was
//! last observed (the horizon, measured from its onset): we know its time exceeds that, not
//! what it is. Dropping such runs, or counting them as reaching the milestone at the horizon,
//! biases every summary downwards; Kaplan-Meier uses exactly the information there is.
//!
//! References: Kaplan & Meier (1958), "Nonparametric estimation from incomplete
//! observations", JASA 53; Greenwood (1926) for the variance; the confidence band on the log
//! scale and the quantile rule follow R's `survival::survfit` defaults (`conf.type = "log"`);
//! the restricted mean survival time is Royston & Parmar (2013), BMC Med Res Methodol 13:152.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Normal};

/// One observation: a time, and whether the event happened then (`false` = censored then).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// Minutes to the event, or to censoring.
    pub time: f64,
    /// Whether the event was observed (not censored).
    pub event: bool,
}

impl Observation {
    /// A run's observation of a milestone: reached at `value`, else censored at `censored_at`;
    /// `None` when neither (the run never started the clock, so it has no place on the curve).
    pub fn of(value: Option<f64>, censored_at: Option<f64>) -> Option<Self> {
        match (value, censored_at) {
            (Some(time), _) => Some(Observation { time, event: true }),
            (None, Some(time)) => Some(Observation { time, event: false }),
            (None, None) => None,
        }
    }
}

/// Observations that all reached the event at `times` (for tests).
#[cfg(test)]
pub(crate) fn events(times: &[f64]) -> Vec<Observation> {
    times
        .iter()
        .map(|&time| Observation { time, event: true })
        .collect()
}

/// One step of the Kaplan-Meier curve.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Step {
    /// Event time.
    pub time: f64,
    /// At risk just before it.
    pub at_risk: u64,
    /// Events at it.
    pub events: u64,
    /// Survival S(t) just after it.
    pub survival: f64,
    /// Lower end of the 95% band of S(t).
    pub lower: f64,
    /// Upper end of the 95% band of S(t).
    pub upper: f64,
}

/// A Kaplan-Meier curve.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    /// Steps at each distinct event time, in time order.
    pub steps: Vec<Step>,
    /// Number of observations.
    pub n: u64,
    /// Number of censored observations.
    pub censored: u64,
    /// Largest time observed (event or censoring).
    pub max_time: f64,
}

impl KaplanMeier {
    /// Fits the curve with a pointwise band at `level` (e.g. 0.95): `S(t) = Π (1 - d_j / n_j)`,
    /// `Var(log S) = Σ d_j / (n_j (n_j - d_j))` (Greenwood), band `S · exp(±z · se)` capped at 1.
    pub fn fit(observations: &[Observation], level: f64) -> Option<Self> {
        if observations.is_empty() {
            return None;
        }
        let mut sorted = observations.to_vec();
        sort_for_fit(&mut sorted);
        let steps = steps(&sorted, level).collect();
        Some(KaplanMeier {
            steps,
            n: sorted.len() as u64,
            censored: sorted.iter().filter(|o| !o.event).count() as u64,
            max_time: sorted.last().map_or(0.0, |o| o.time),
        })
    }

    /// S(t): the share of runs that have not reached the event by `t`.
    pub fn survival_at(&self, t: f64) -> f64 {
        self.steps
            .iter()
            .take_while(|s| s.time <= t)
            .last()
            .map_or(1.0, |s| s.survival)
    }

    /// The `p`-quantile of the time to event: the first time at which `S(t) <= 1 - p`;
    /// `None` if the curve never gets that low (too much censoring to say).
    pub fn quantile(&self, p: f64) -> Option<f64> {
        first_at_or_below(&self.steps, 1.0 - p, |s| s.survival)
    }

    /// A confidence interval for the `p`-quantile from the band: the first times at which the
    /// lower and the upper band fall to `1 - p` (Brookmeyer & Crowley, 1982). An end is `None`
    /// when that band never gets so low (the interval is open there).
    pub fn quantile_interval(&self, p: f64) -> (Option<f64>, Option<f64>) {
        let target = 1.0 - p;
        (
            first_at_or_below(&self.steps, target, |s| s.lower),
            first_at_or_below(&self.steps, target, |s| s.upper),
        )
    }

    /// The restricted mean time to event up to `tau`: `∫₀^τ S(t) dt`, the area under the curve.
    /// Without censoring and with `tau` at or past the largest time it equals the plain mean.
    pub fn restricted_mean(&self, tau: f64) -> f64 {
        let mut area = AreaUnder::new(tau);
        for step in self.steps.iter().take_while(|s| s.time < tau) {
            area.add(step.time, step.survival);
        }
        area.total()
    }

    /// Variance of [`KaplanMeier::restricted_mean`] at `tau`:
    /// `Σ_{t_j < τ} A_j² d_j / (n_j (n_j - d_j))` with `A_j = ∫_{t_j}^{τ} S(t) dt`
    /// (Klein & Moeschberger, Survival Analysis, 2nd ed., eq. 4.5.2).
    pub fn restricted_mean_variance(&self, tau: f64) -> f64 {
        let mut variance = AreaVariance::new(tau);
        for step in self.steps.iter().filter(|s| s.time < tau).rev() {
            variance.add(step.time, step.survival, step.at_risk, step.events);
        }
        variance.variance
    }
}

/// Sorts observations as the fit reads them: by time, events before censorings at equal
/// times (a run censored at t was still at risk at t). Elements that compare equal are equal
/// bit for bit, so the unstable (in-place, allocation-free) sort gives the stable order.
pub fn sort_for_fit(observations: &mut [Observation]) {
    observations.sort_unstable_by(|a, b| a.time.total_cmp(&b.time).then(b.event.cmp(&a.event)));
}

/// An observation as the sweeps over sorted observations read it: [`Observation`] itself, or
/// its packed [`ObservationKey`].
pub trait Timed: Copy {
    /// Minutes to the event, or to censoring.
    fn time(self) -> f64;
    /// Whether the event was observed (not censored).
    fn event(self) -> bool;
}

impl Timed for Observation {
    fn time(self) -> f64 {
        self.time
    }

    fn event(self) -> bool {
        self.event
    }
}

/// An [`Observation`] packed into 64 bits whose integer order is [`sort_for_fit`]'s order:
/// the time's IEEE 754 bits shifted left by one, and the low bit 0 for an event, 1 for a
/// censoring. This is exact for times with the sign bit clear (`+0.0` up to `+inf`): their bit
/// patterns, read as integers, are in `total_cmp` order, and the shift drops only the sign
/// bit. So keys sort with a radix sort ([`sort_keys`]) and unpack to the same observations, bit
/// for bit, in the same order as the comparison sort gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObservationKey(u64);

impl ObservationKey {
    /// The key of `observation`; `None` for a time with the sign bit set (negative, or
    /// `-0.0`) or NaN, which the packing cannot order (sort those with [`sort_for_fit`]).
    pub fn new(observation: Observation) -> Option<Self> {
        let time = observation.time;
        (time.is_sign_positive() && !time.is_nan())
            .then(|| ObservationKey((time.to_bits() << 1) | u64::from(!observation.event)))
    }
}

impl Timed for ObservationKey {
    fn time(self) -> f64 {
        f64::from_bits(self.0 >> 1)
    }

    fn event(self) -> bool {
        self.0 & 1 == 0
    }
}

/// Bits per radix-sort digit: 256 buckets, whose counts and write positions stay in L1.
const DIGIT_BITS: u32 = 8;
const BUCKETS: usize = 1 << DIGIT_BITS;
const DIGITS: usize = (u64::BITS / DIGIT_BITS) as usize;

/// Sorts keys into [`sort_for_fit`]'s order with a least-significant-digit radix sort: one
/// pass counts every digit's values, then one stable scatter per digit, from the lowest,
/// skipping digits equal in every key (the high exponent bits, usually). Exact, O(n) per
/// digit instead of O(n log n) comparisons; `buffer` is grown to `keys.len()` and reused.
pub fn sort_keys(keys: &mut [ObservationKey], buffer: &mut Vec<ObservationKey>) {
    let n = keys.len();
    let mut counts = vec![[0usize; BUCKETS]; DIGITS];
    for key in keys.iter() {
        for (digit, count) in counts.iter_mut().enumerate() {
            count[digit_of(*key, digit)] += 1;
        }
    }
    buffer.clear();
    buffer.resize(n, ObservationKey(0));
    // Whether the sorted keys are in `buffer` (after an odd number of passes).
    let mut in_buffer = false;
    for (digit, count) in counts.iter().enumerate() {
        if count.contains(&n) {
            continue; // every key has the same value at this digit: the pass would not move one
        }
        let mut next = [0usize; BUCKETS];
        let mut start = 0;
        for (slot, c) in next.iter_mut().zip(count) {
            *slot = start;
            start += c;
        }
        let (from, to): (&[ObservationKey], &mut [ObservationKey]) = if in_buffer {
            (buffer, keys)
        } else {
            (keys, buffer)
        };
        for key in from {
            let slot = &mut next[digit_of(*key, digit)];
            to[*slot] = *key;
            *slot += 1;
        }
        in_buffer = !in_buffer;
    }
    if in_buffer {
        keys.copy_from_slice(buffer);
    }
}

fn digit_of(key: ObservationKey, digit: usize) -> usize {
    ((key.0 >> (digit as u32 * DIGIT_BITS)) as usize) & (BUCKETS - 1)
}

/// The observations leaving the risk set at one time.
#[derive(Debug, Clone, Copy)]
struct Group {
    time: f64,
    /// At risk just before `time`: every observation from this group on.
    at_risk: u64,
    events: u64,
}

/// The groups of equal times of sorted observations, from either end: the forward sweep
/// builds the curve, the backward one the restricted mean's variance.
struct Groups<'a, T> {
    sorted: &'a [T],
    front: usize,
    back: usize,
}

impl<'a, T: Timed> Groups<'a, T> {
    fn new(sorted: &'a [T]) -> Self {
        Groups {
            sorted,
            front: 0,
            back: sorted.len(),
        }
    }

    fn group(&self, start: usize, end: usize) -> Group {
        Group {
            time: self.sorted[start].time(),
            at_risk: (self.sorted.len() - start) as u64,
            events: self.sorted[start..end].iter().filter(|o| o.event()).count() as u64,
        }
    }
}

impl<T: Timed> Iterator for Groups<'_, T> {
    type Item = Group;

    fn next(&mut self) -> Option<Group> {
        let start = self.front;
        let time = self.sorted[..self.back].get(start)?.time();
        let length = self.sorted[start..self.back]
            .iter()
            .take_while(|o| o.time() == time)
            .count()
            .max(1);
        self.front = start + length;
        Some(self.group(start, self.front))
    }
}

impl<T: Timed> DoubleEndedIterator for Groups<'_, T> {
    fn next_back(&mut self) -> Option<Group> {
        let end = self.back;
        let time = self.sorted[self.front..end].last()?.time();
        let length = self.sorted[self.front..end]
            .iter()
            .rev()
            .take_while(|o| o.time() == time)
            .count()
            .max(1);
        self.back = end - length;
        Some(self.group(self.back, end))
    }
}

/// A step of the curve before its band: what the forward sweep carries.
#[derive(Debug, Clone, Copy)]
struct Bare {
    time: f64,
    at_risk: u64,
    events: u64,
    survival: f64,
    /// Greenwood's sum up to this step: `Σ d_j / (n_j (n_j - d_j))`.
    greenwood: f64,
}

impl Bare {
    /// The step with its band: `S · exp(±z · sqrt(greenwood))`, 0 where S = 0 or all at risk
    /// had the event. Apart from [`bare_steps`] because the band costs two `exp` and a `sqrt`
    /// per step, and a summary reads it only until its quantile interval is found.
    fn with_band(self, z: f64) -> Step {
        let Bare {
            time,
            at_risk,
            events,
            survival,
            greenwood,
        } = self;
        let (lower, upper) = if survival > 0.0 && at_risk > events {
            let se = greenwood.sqrt();
            (
                (survival * (-z * se).exp()).max(0.0),
                (survival * (z * se).exp()).min(1.0),
            )
        } else {
            (0.0, 0.0)
        };
        Step {
            time,
            at_risk,
            events,
            survival,
            lower,
            upper,
        }
    }
}

impl Bare {
    /// Whether the lower and the upper end of the band at this step are surely above
    /// `threshold`, from bounds that cost no `exp`: `exp(-x) ≥ 1 - x` and `exp(x) ≥ 1 + x`
    /// with `x = z · sqrt(greenwood)`, the same `x` as [`Bare::with_band`]. The margin of 1e-9
    /// is far above the few units in the last place by which the computed ends and bounds can
    /// differ from the exact ones (all are at most 1), so `true` is certain; `false` only
    /// means "compute the end". Never `true` when an end can be 0 or capped at 1 at or below
    /// the threshold.
    fn band_surely_above(&self, z: f64, threshold: f64) -> (bool, bool) {
        const MARGIN: f64 = 1e-9;
        let bar = threshold + MARGIN;
        if !(self.survival > 0.0 && self.at_risk > self.events) || bar >= 1.0 {
            return (false, false);
        }
        let x = z * self.greenwood.sqrt();
        (
            self.survival * (1.0 - x) > bar,
            self.survival * (1.0 + x) > bar,
        )
    }
}

/// The normal quantile of a two-sided band at `level`.
fn band_z(level: f64) -> f64 {
    Normal::standard().inverse_cdf(1.0 - (1.0 - level) / 2.0)
}

/// The steps of the curve of sorted observations without their band, computed as they are
/// read, in time order.
fn bare_steps<T: Timed>(sorted: &[T]) -> impl Iterator<Item = Bare> + '_ {
    let (mut survival, mut greenwood) = (1.0f64, 0.0f64);
    Groups::new(sorted).filter(|g| g.events > 0).map(
        move |Group {
                  time,
                  at_risk,
                  events,
              }| {
            survival *= 1.0 - events as f64 / at_risk as f64;
            if at_risk > events {
                greenwood += events as f64 / (at_risk as f64 * (at_risk - events) as f64);
            }
            Bare {
                time,
                at_risk,
                events,
                survival,
                greenwood,
            }
        },
    )
}

/// The steps of the curve of sorted observations, computed as they are read: survival and
/// the Greenwood band at `level`, in time order.
fn steps<T: Timed>(sorted: &[T], level: f64) -> impl Iterator<Item = Step> + '_ {
    let z = band_z(level);
    bare_steps(sorted).map(move |bare| bare.with_band(z))
}

/// Whether a curve at `value` has reached `target`, with a small tolerance so that S = 0.5
/// exactly (e.g. 5 of 10) counts as reaching the median.
fn at_or_below(value: f64, target: f64) -> bool {
    value <= target + TOLERANCE
}

/// How far above a target a curve may be and still count as at it ([`at_or_below`]).
const TOLERANCE: f64 = 1e-12;

fn first_at_or_below(steps: &[Step], target: f64, value: impl Fn(&Step) -> f64) -> Option<f64> {
    steps
        .iter()
        .find(|s| at_or_below(value(s), target))
        .map(|s| s.time)
}

/// `∫₀^τ S(t) dt`, summed step by step in time order over the steps before `tau`.
struct AreaUnder {
    tau: f64,
    area: f64,
    last_time: f64,
    last_survival: f64,
}

impl AreaUnder {
    fn new(tau: f64) -> Self {
        AreaUnder {
            tau,
            area: 0.0,
            last_time: 0.0,
            last_survival: 1.0,
        }
    }

    /// Adds the step to `survival` at `time` (before `tau`).
    fn add(&mut self, time: f64, survival: f64) {
        self.area += (time - self.last_time) * self.last_survival;
        self.last_time = time;
        self.last_survival = survival;
    }

    fn total(&self) -> f64 {
        self.area + (self.tau - self.last_time).max(0.0) * self.last_survival
    }
}

/// The restricted mean's variance, summed step by step from `tau` backwards.
struct AreaVariance {
    variance: f64,
    area_after: f64,
    right: f64,
}

impl AreaVariance {
    fn new(tau: f64) -> Self {
        AreaVariance {
            variance: 0.0,
            area_after: 0.0,
            right: tau,
        }
    }

    /// Adds the step at `time` (before `tau`, each earlier than the last one added).
    fn add(&mut self, time: f64, survival: f64, at_risk: u64, events: u64) {
        self.area_after += (self.right - time) * survival;
        self.right = time;
        if at_risk > events {
            self.variance += self.area_after * self.area_after * events as f64
                / (at_risk as f64 * (at_risk - events) as f64);
        }
    }
}

/// What a duration summary reads off a Kaplan-Meier curve, computed without keeping it:
/// equal, bit for bit, to the same figures of [`KaplanMeier::fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct CurveSummary<const Q: usize> {
    /// Number of observations.
    pub n: u64,
    /// Number of censored observations.
    pub censored: u64,
    /// Largest time observed (event or censoring).
    pub max_time: f64,
    /// [`KaplanMeier::quantile`] of each asked `p`.
    pub quantiles: [Option<f64>; Q],
    /// [`KaplanMeier::quantile_interval`] of the asked `p`.
    pub quantile_interval: (Option<f64>, Option<f64>),
    /// [`KaplanMeier::restricted_mean`] at `max_time`.
    pub restricted_mean: f64,
    /// [`KaplanMeier::restricted_mean_variance`] at `max_time`.
    pub restricted_mean_variance: f64,
}

impl<const Q: usize> CurveSummary<Q> {
    /// Sorts `observations` in place ([`sort_for_fit`]) and reads the summary off them
    /// ([`CurveSummary::of_sorted`]).
    pub fn of(
        observations: &mut [Observation],
        level: f64,
        quantiles: [f64; Q],
        interval_of: f64,
        scratch: &mut Vec<f64>,
    ) -> Option<Self> {
        sort_for_fit(observations);
        Self::of_sorted(observations, level, quantiles, interval_of, scratch)
    }

    /// Reads the summary of observations in [`sort_for_fit`]'s order in one forward sweep
    /// (survival, band, quantiles, area) and one backward sweep (variance), keeping only the
    /// survival of each step before the last time, in `scratch` (reused across calls). The
    /// band (two `exp` per step) is computed only where it may reach the interval's target
    /// (where the bounds `exp(-x) ≥ 1 - x` and `exp(x) ≥ 1 + x` do not rule that out) and
    /// until the interval is found. Memory: none beyond
    /// `scratch`, against about 64 bytes per observation for [`KaplanMeier::fit`].
    pub fn of_sorted<T: Timed>(
        sorted: &[T],
        level: f64,
        quantiles: [f64; Q],
        interval_of: f64,
        scratch: &mut Vec<f64>,
    ) -> Option<Self> {
        let max_time = sorted.last()?.time();
        let tau = max_time;
        let z = band_z(level);
        let mut found = [None; Q];
        let (mut low, mut high) = (None, None);
        let mut area = AreaUnder::new(tau);
        scratch.clear();
        for bare in bare_steps(sorted) {
            for (found, p) in found.iter_mut().zip(quantiles) {
                if found.is_none() && at_or_below(bare.survival, 1.0 - p) {
                    *found = Some(bare.time);
                }
            }
            let target = 1.0 - interval_of;
            let (lower_above, upper_above) = bare.band_surely_above(z, target + TOLERANCE);
            if (low.is_none() && !lower_above) || (high.is_none() && !upper_above) {
                let step = bare.with_band(z);
                if low.is_none() && at_or_below(step.lower, target) {
                    low = Some(step.time);
                }
                if high.is_none() && at_or_below(step.upper, target) {
                    high = Some(step.time);
                }
            }
            if bare.time < tau {
                area.add(bare.time, bare.survival);
                scratch.push(bare.survival);
            }
        }
        let mut variance = AreaVariance::new(tau);
        let before_tau = Groups::new(sorted)
            .rev()
            .filter(|g| g.events > 0 && g.time < tau);
        for (group, survival) in before_tau.zip(scratch.iter().rev()) {
            variance.add(group.time, *survival, group.at_risk, group.events);
        }
        Some(CurveSummary {
            n: sorted.len() as u64,
            censored: sorted.iter().filter(|o| !o.event()).count() as u64,
            max_time,
            quantiles: found,
            quantile_interval: (low, high),
            restricted_mean: area.total(),
            restricted_mean_variance: variance.variance,
        })
    }
}

/// A percentile bootstrap interval of a statistic over resampled observations, reproducible
/// from `seed`: `resamples` samples of the same size drawn with replacement, the statistic on
/// each, and the `(1 - level)/2` and `1 - (1 - level)/2` quantiles of the results. Resamples on
/// which the statistic is undefined are left out; `None` if most are.
pub fn bootstrap_interval(
    observations: &[Observation],
    statistic: impl Fn(&[Observation]) -> Option<f64>,
    resamples: usize,
    level: f64,
    seed: u64,
) -> Option<(f64, f64)> {
    if observations.len() < 2 || resamples == 0 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut sample = vec![observations[0]; observations.len()];
    let mut values = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for slot in sample.iter_mut() {
            *slot = observations[rng.random_range(0..observations.len())];
        }
        if let Some(v) = statistic(&sample) {
            values.push(v);
        }
    }
    if values.len() * 2 < resamples {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let low = super::quantile_sorted(&values, (1.0 - level) / 2.0)?;
    let high = super::quantile_sorted(&values, 1.0 - (1.0 - level) / 2.0)?;
    Some((low, high))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(pairs: &[(f64, bool)]) -> Vec<Observation> {
        pairs
            .iter()
            .map(|&(time, event)| Observation { time, event })
            .collect()
    }

    /// Worked by hand: times 1, 2, 2+ (censored), 3, 4+, 5, 6+, 7, 8, 9 (n = 10).
    /// t=1: 10 at risk, S = 0.9; t=2: 9 at risk, S = 0.8; 2+ leaves; t=3: 7 at risk,
    /// S = 0.8·6/7 = 0.685714; 4+ leaves; t=5: 5 at risk, S = 0.548571; 6+ leaves;
    /// t=7: 3 at risk, S = 0.365714; t=8: 2 at risk, S = 0.182857; t=9: 1, S = 0.
    #[test]
    fn kaplan_meier_matches_a_hand_computation() {
        let data = obs(&[
            (1.0, true),
            (2.0, true),
            (2.0, false),
            (3.0, true),
            (4.0, false),
            (5.0, true),
            (6.0, false),
            (7.0, true),
            (8.0, true),
            (9.0, true),
        ]);
        let km = KaplanMeier::fit(&data, 0.95).unwrap();
        let survival: Vec<f64> = km.steps.iter().map(|s| s.survival).collect();
        let expected = [
            0.9,
            0.8,
            0.685_714_285_7,
            0.548_571_428_6,
            0.365_714_285_7,
            0.182_857_142_9,
            0.0,
        ];
        for (s, e) in survival.iter().zip(expected) {
            assert!((s - e).abs() < 1e-9, "{survival:?}");
        }
        assert_eq!(km.censored, 3);
        // Median: first time S <= 0.5 is t = 7.
        assert_eq!(km.quantile(0.5), Some(7.0));
        // Restricted mean to tau = 9: 1·1 + 0.9·1 + 0.8·1 + 0.685714·2 + 0.548571·2
        // + 0.365714·1 + 0.182857·1 = 5.7177...
        let expected_rmst = 1.0
            + 0.9
            + 0.8
            + 0.685_714_285_7 * 2.0
            + 0.548_571_428_6 * 2.0
            + 0.365_714_285_7
            + 0.182_857_142_9;
        assert!((km.restricted_mean(9.0) - expected_rmst).abs() < 1e-9);
        // Greenwood at t = 1: se(log S) = sqrt(1 / (10·9)); band = 0.9·exp(±1.96·0.10541).
        let step = km.steps[0];
        let se = (1.0f64 / 90.0).sqrt();
        assert!((step.lower - 0.9 * (-1.959_964 * se).exp()).abs() < 1e-6);
        assert!((step.upper - (0.9 * (1.959_964 * se).exp()).min(1.0)).abs() < 1e-6);
    }

    #[test]
    fn restricted_mean_variance_matches_a_hand_computation() {
        // Times 1, 2+, 3 (tau = 3): S = 2/3 after t=1, 0 after t=3.
        // A at t=1 = ∫_1^3 S = 2·(2/3) = 4/3; term = (4/3)² · 1 / (3·2) = 16/54.
        // t=3 is not before tau, so it adds nothing.
        let data = obs(&[(1.0, true), (2.0, false), (3.0, true)]);
        let km = KaplanMeier::fit(&data, 0.95).unwrap();
        assert!((km.restricted_mean_variance(3.0) - 16.0 / 54.0).abs() < 1e-12);
        assert!((km.restricted_mean(3.0) - (1.0 + 2.0 * 2.0 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn without_censoring_the_restricted_mean_is_the_mean() {
        let data = obs(&[(2.0, true), (4.0, true), (9.0, true)]);
        let km = KaplanMeier::fit(&data, 0.95).unwrap();
        assert!((km.restricted_mean(9.0) - 5.0).abs() < 1e-12);
        assert_eq!(km.quantile(0.5), Some(4.0));
    }

    #[test]
    fn heavy_censoring_leaves_the_median_undefined() {
        let data = obs(&[(1.0, true), (5.0, false), (5.0, false), (5.0, false)]);
        let km = KaplanMeier::fit(&data, 0.95).unwrap();
        assert_eq!(km.quantile(0.5), None);
        assert_eq!(km.survival_at(3.0), 0.75);
    }

    /// The summary sweep must give the fit's figures bit for bit (the batch summaries are
    /// byte-compared across versions), with ties, censorings at event times and at the end.
    #[test]
    fn the_one_sweep_summary_equals_the_fitted_curve_bit_for_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut scratch = Vec::new();
        for size in [1usize, 2, 5, 40, 1_000, 20_000] {
            for censoring in [0.0, 0.3, 0.9] {
                // Whole numbers up to 30, so times tie often; at 20,000 also distinct times,
                // so the band's skipped steps come close to the interval's target.
                let ties = size < 20_000 || censoring == 0.3;
                let data: Vec<Observation> = (0..size)
                    .map(|_| Observation {
                        time: if ties {
                            rng.random_range(0..30u32) as f64
                        } else {
                            rng.random::<f64>() * 30.0
                        },
                        event: rng.random::<f64>() >= censoring,
                    })
                    .collect();
                let km = KaplanMeier::fit(&data, 0.95).unwrap();
                let mut sorted = data.clone();
                let sweep =
                    CurveSummary::of(&mut sorted, 0.95, [0.5, 0.9], 0.5, &mut scratch).unwrap();
                let tau = km.max_time;
                let bits = |v: f64| v.to_bits();
                assert_eq!(sweep.quantiles, [km.quantile(0.5), km.quantile(0.9)]);
                assert_eq!(sweep.quantile_interval, km.quantile_interval(0.5));
                assert_eq!((sweep.n, sweep.censored), (km.n, km.censored));
                assert_eq!(bits(sweep.max_time), bits(tau));
                assert_eq!(bits(sweep.restricted_mean), bits(km.restricted_mean(tau)));
                assert_eq!(
                    bits(sweep.restricted_mean_variance),
                    bits(km.restricted_mean_variance(tau)),
                    "{size} {censoring}"
                );
            }
        }
        assert_eq!(
            CurveSummary::of(&mut [], 0.95, [0.5], 0.5, &mut scratch),
            None
        );
    }

    /// The radix sort of keys must give the comparison sort's order, and the keys must unpack
    /// to the same observations bit for bit: ties, censorings at event times, 0, +inf,
    /// subnormals and times that differ only in their lowest bit.
    #[test]
    fn radix_sorted_keys_equal_the_comparison_sort_bit_for_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(19);
        let specials = [
            0.0,
            f64::INFINITY,
            f64::MIN_POSITIVE / 4.0,
            1.0,
            1.0 + f64::EPSILON,
        ];
        let mut buffer = Vec::new();
        for size in [0usize, 1, 2, 3, 100, 5_000] {
            let data: Vec<Observation> = (0..size)
                .map(|i| Observation {
                    time: match i % 4 {
                        0 => rng.random_range(0..30u32) as f64,
                        1 => specials[rng.random_range(0..specials.len())],
                        _ => rng.random::<f64>() * 10f64.powi(rng.random_range(-3..9)),
                    },
                    event: rng.random::<f64>() < 0.6,
                })
                .collect();
            let mut sorted = data.clone();
            sort_for_fit(&mut sorted);
            let mut keys: Vec<ObservationKey> = data
                .iter()
                .map(|o| ObservationKey::new(*o).unwrap())
                .collect();
            sort_keys(&mut keys, &mut buffer);
            let unpacked: Vec<(u64, bool)> = keys
                .iter()
                .map(|k| (k.time().to_bits(), k.event()))
                .collect();
            let expected: Vec<(u64, bool)> =
                sorted.iter().map(|o| (o.time.to_bits(), o.event)).collect();
            assert_eq!(unpacked, expected, "{size}");
        }
        for time in [-0.0, -1.0, f64::NAN] {
            assert_eq!(ObservationKey::new(Observation { time, event: true }), None);
        }
    }

    #[test]
    fn bootstrap_intervals_are_reproducible_and_cover_the_estimate() {
        let data: Vec<Observation> = (1..=200)
            .map(|i| Observation {
                time: i as f64,
                event: i % 7 != 0,
            })
            .collect();
        let median = |s: &[Observation]| KaplanMeier::fit(s, 0.95).and_then(|k| k.quantile(0.5));
        let a = bootstrap_interval(&data, median, 300, 0.95, 11).unwrap();
        let b = bootstrap_interval(&data, median, 300, 0.95, 11).unwrap();
        assert_eq!(a, b);
        let estimate = median(&data).unwrap();
        assert!(a.0 <= estimate && estimate <= a.1, "{a:?} vs {estimate}");
    }
}
