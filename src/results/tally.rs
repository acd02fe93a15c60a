//! What the batch summary needs of each run, and nothing more: four times and a censoring time
//! per run (for exact Kaplan-Meier summaries), exact histograms of the counts, and objective
//! tallies. Folding runs into a [`Tally`] in run order gives the same [`Results`] summary as
//! keeping every row, with about 40 bytes per run instead of about 900, so a summary-only
//! batch of millions of runs stays small ([`crate::runner::batch::summarize_batch`]). Tallies of consecutive shards
//! append into the tally of the whole batch ([`Tally::append`]); [`file`](mod@file) writes and reads them.

pub mod file;

use std::collections::BTreeMap;

use super::{CountSummary, Header, ObjectiveSummary, RESULTS_FORMAT, Results, RunRow, TimeMetrics};
use crate::model::outcome::{ObjectiveResult, RunOutcome};
use crate::scenario::RatingThresholds;
use crate::stats::DurationSummary;

/// The count columns, in the order of [`Results::records`] then [`Results::counters`].
const COUNTS: [&str; 10] = [
    "lost",
    "delayed",
    "failed",
    "offered",
    "targets_breached",
    "escalations",
    "wrong_diagnoses",
    "failed_attempts",
    "injects",
    "updates",
];

/// The batch summary's view of runs, folded in run order.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Times to detect, acknowledge, contain, recover; NaN = not reached.
    times: [Vec<f64>; 4],
    /// Censoring time per run; NaN = no fault began.
    censored_at: Vec<f64>,
    /// Value → runs, per count column.
    counts: Vec<Histogram>,
    /// Per objective: met, late, missed, n/a.
    objectives: Vec<[u64; 4]>,
    hit_event_cap: u64,
}

fn nan_if_none(value: Option<f64>) -> f64 {
    value.unwrap_or(f64::NAN)
}

impl Tally {
    /// An empty tally for a scenario with `objectives` objectives.
    pub fn new(objectives: usize) -> Self {
        Tally {
            counts: vec![Histogram::default(); COUNTS.len()],
            objectives: vec![[0; 4]; objectives],
            ..Tally::default()
        }
    }

    /// Makes room for `runs` more runs at once, so the columns do not grow by doubling. A
    /// reservation the allocator refuses (an absurd `--runs`) is skipped: the columns then grow
    /// as runs arrive, and fail only if the runs themselves do not fit.
    pub fn reserve(&mut self, runs: u64) {
        let runs = usize::try_from(runs).unwrap_or(usize::MAX);
        for column in self.times.iter_mut().chain([&mut self.censored_at]) {
            let _ = column.try_reserve_exact(runs);
        }
    }

    fn add(
        &mut self,
        times: [Option<f64>; 4],
        censored_at: Option<f64>,
        counts: [u64; 10],
        results: &[ObjectiveResult],
    ) {
        for (column, t) in self.times.iter_mut().zip(times) {
            column.push(nan_if_none(t));
        }
        self.censored_at.push(nan_if_none(censored_at));
        for (histogram, value) in self.counts.iter_mut().zip(counts) {
            histogram.add(value, 1);
        }
        for (tally, result) in self.objectives.iter_mut().zip(results) {
            tally[*result as usize] += 1;
        }
    }

    /// Folds in one run's row.
    pub fn add_row(&mut self, r: &RunRow) {
        let c = &r.records;
        let counts = [
            c.lost,
            c.delayed(),
            c.failed,
            c.offered,
            r.targets_breached as u64,
            r.escalations as u64,
            r.wrong_diagnoses as u64,
            r.failed_attempts as u64,
            r.injects as u64,
            r.updates as u64,
        ];
        self.add(
            r.times(),
            r.onset.map(|_| r.censored_at),
            counts,
            &r.objectives,
        );
    }

    /// Folds in one run's outcome.
    pub fn add_outcome(&mut self, o: &RunOutcome) {
        let c = &o.records;
        let counts = [
            c.lost,
            c.delayed(),
            c.failed,
            c.offered,
            o.targets_breached as u64,
            o.escalations as u64,
            o.wrong_diagnoses as u64,
            o.failed_attempts as u64,
            o.injects as u64,
            o.updates as u64,
        ];
        self.add(
            o.times,
            o.onset.map(|_| o.censored_at),
            counts,
            &o.objectives,
        );
        self.hit_event_cap += o.hit_event_cap as u64;
    }

    /// Runs folded in.
    pub fn runs(&self) -> u64 {
        self.censored_at.len() as u64
    }

    /// Folds in the runs of `later`, which come after this tally's runs (the next shard of
    /// the same batch): the result is the tally of both slices, as if folded run by run.
    pub fn append(&mut self, later: Tally) {
        let Tally {
            times,
            mut censored_at,
            counts,
            objectives,
            hit_event_cap,
        } = later;
        for (column, mut more) in self.times.iter_mut().zip(times) {
            column.append(&mut more);
        }
        self.censored_at.append(&mut censored_at);
        for (histogram, more) in self.counts.iter_mut().zip(counts) {
            for (value, runs) in more.iter() {
                histogram.add(value, runs);
            }
        }
        for (tally, more) in self.objectives.iter_mut().zip(objectives) {
            for (count, add) in tally.iter_mut().zip(more) {
                *count += add;
            }
        }
        self.hit_event_cap += hit_event_cap;
    }

    /// The summary (with no per-run rows; the caller adds them if it kept them). The four
    /// time metrics are summarized two at a time on the thread pool
    /// ([`DurationSummary::of_columns`]: each on its own, so the result does not depend on the
    /// threads); each time column is reused for its metric's sort keys, so the summary needs
    /// about 8 bytes per run and metric under way beyond the tally.
    pub fn summarize(self, header: Header) -> Results {
        let runs = self.runs();
        let runs_without_incident = self.censored_at.iter().filter(|c| c.is_nan()).count() as u64;
        let censored_at = &self.censored_at;
        let summary = |times: Vec<f64>| DurationSummary::of_columns(times, censored_at);
        let [detect, acknowledge, contain, recover] = self.times;
        let ((time_to_detect, time_to_acknowledge), (time_to_contain, time_to_recover)) =
            rayon::join(
                || (summary(detect), summary(acknowledge)),
                || (summary(contain), summary(recover)),
            );
        let metrics = TimeMetrics {
            time_to_detect,
            time_to_acknowledge,
            time_to_contain,
            time_to_recover,
        };
        let mut summaries = self.counts.iter().map(count_summary);
        let mut take = |names: &[&str]| -> BTreeMap<String, CountSummary> {
            names
                .iter()
                .map(|n| {
                    (
                        n.to_string(),
                        summaries
                            .next()
                            .unwrap_or_else(|| count_summary(&Histogram::default())),
                    )
                })
                .collect()
        };
        let records = take(&COUNTS[..4]);
        let counters = take(&COUNTS[4..]);
        let objectives = header
            .objectives
            .into_iter()
            .zip(&self.objectives)
            .map(|(definition, &counts)| objective_summary(definition, counts))
            .collect();
        Results {
            format: RESULTS_FORMAT.to_string(),
            ttx_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: header.scenario,
            seed: header.seed,
            runs,
            shard: None,
            label: header.label,
            drill: header.drill,
            runs_without_incident,
            runs_hit_event_cap: header.runs_hit_event_cap.max(self.hit_event_cap),
            metrics,
            records,
            counters,
            objectives,
            comms: Vec::new(),
            approvals: Vec::new(),
            summary_only: true,
            rows_sha256: None,
            per_run: Vec::new(),
        }
    }
}

/// An objective's definition with its counts (`[met, late, missed, n/a]`), met rate and
/// rating.
fn objective_summary(definition: ObjectiveSummary, counts: [u64; 4]) -> ObjectiveSummary {
    let [met, late, missed, not_applicable] = counts;
    let judged = met + late + missed;
    let met_rate = if judged == 0 {
        0.0
    } else {
        met as f64 / judged as f64
    };
    let [performed, some_challenges, major_challenges] = definition.rating_thresholds;
    let thresholds = RatingThresholds {
        performed,
        some_challenges,
        major_challenges,
    };
    ObjectiveSummary {
        met,
        late,
        missed,
        not_applicable,
        met_rate,
        rating: thresholds.rate(met_rate),
        ..definition
    }
}

/// Counts below this are tallied in a vector indexed by the value; larger ones in a map.
const DENSE_BELOW: u64 = 1024;

/// How many runs had each value of one count: exact, ascending by value. Most counts of
/// most runs are small, so those are a vector indexed by the value (one add per run and
/// count is an increment, where a map lookup cost a twentieth of a small scenario's run);
/// larger values go to a map. The vector grows only to the largest small value seen.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Histogram {
    dense: Vec<u64>,
    sparse: BTreeMap<u64, u64>,
}

impl Histogram {
    /// Adds `runs` runs of `value` (adding none leaves the histogram as it was).
    #[inline]
    pub(crate) fn add(&mut self, value: u64, runs: u64) {
        if runs == 0 {
            return;
        }
        if value < DENSE_BELOW {
            let at = value as usize;
            if at >= self.dense.len() {
                self.dense.resize(at + 1, 0);
            }
            self.dense[at] += runs;
        } else {
            *self.sparse.entry(value).or_default() += runs;
        }
    }

    /// (value, runs) pairs with at least one run, ascending by value.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, u64)> + '_ {
        let dense = self.dense.iter().enumerate();
        dense
            .filter(|(_, runs)| **runs > 0)
            .map(|(value, runs)| (value as u64, *runs))
            .chain(self.sparse.iter().map(|(value, runs)| (*value, *runs)))
    }

    /// The largest value with a run.
    fn max(&self) -> Option<u64> {
        self.iter().next_back().map(|(value, _)| value)
    }
}

/// The same as [`CountSummary`] of the values in any order: the mean of integers summed in
/// `f64` is exact (every partial sum stays below 2^53), and the quantiles read the sorted
/// values off the histogram.
/// Mean, median, p90 and max of counts given as a histogram.
pub(crate) fn count_summary(histogram: &Histogram) -> CountSummary {
    let n: u64 = histogram.iter().map(|(_, runs)| runs).sum();
    if n == 0 {
        return CountSummary {
            mean: None,
            median: None,
            p90: None,
            max: None,
        };
    }
    let sum: f64 = histogram.iter().map(|(v, c)| v as f64 * c as f64).sum();
    let max = histogram.max().map(|v| v as f64);
    let nth = |k: u64| -> f64 {
        let mut seen = 0;
        for (value, count) in histogram.iter() {
            seen += count;
            if k < seen {
                return value as f64;
            }
        }
        max.unwrap_or(0.0)
    };
    // Type-7 quantile, as `stats::quantile_sorted`.
    let quantile = |p: f64| {
        let h = (n - 1) as f64 * p;
        let lower = h.floor() as u64;
        let upper = (lower + 1).min(n - 1);
        let (a, b) = (nth(lower), nth(upper));
        a + (h - lower as f64) * (b - a)
    };
    CountSummary {
        mean: Some(sum / n as f64),
        median: Some(quantile(0.5)),
        p90: Some(quantile(0.9)),
        max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats;

    /// The direct computation the histogram must equal: values in run order, sorted copy.
    fn direct(values: &[u64]) -> CountSummary {
        let values: Vec<f64> = values.iter().map(|v| *v as f64).collect();
        let mean = stats::mean(&values);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        CountSummary {
            mean,
            median: stats::quantile_sorted(&sorted, 0.5),
            p90: stats::quantile_sorted(&sorted, 0.9),
            max: sorted.last().copied(),
        }
    }

    #[test]
    fn histogram_summaries_equal_the_direct_ones() {
        // Values on both sides of the dense part's end, each in and out of order.
        let cases: [&[u64]; 7] = [
            &[],
            &[7],
            &[3, 1, 2],
            &[0, 0, 0, 5, 9, 9, 200, 1, 0, 0, 31],
            &[2657, 0, 190, 311, 190, 0],
            &[1024, 1023, 1023, 5000, 0, 1025],
            &[u64::MAX >> 12, 3],
        ];
        for values in cases {
            let mut histogram = Histogram::default();
            for v in values {
                histogram.add(*v, 1);
            }
            assert_eq!(count_summary(&histogram), direct(values), "{values:?}");
        }
    }

    #[test]
    fn a_histogram_lists_values_with_runs_ascending_across_its_two_parts() {
        let mut histogram = Histogram::default();
        for (value, runs) in [(5000, 1), (3, 2), (1023, 1), (1024, 4), (3, 1), (70_000, 0)] {
            histogram.add(value, runs);
        }
        // Adding no runs adds no value: a tally file's `[value, 0]` pair moves no maximum.
        histogram.add(9, 0);
        let pairs: Vec<(u64, u64)> = histogram.iter().collect();
        assert_eq!(pairs, [(3, 3), (1023, 1), (1024, 4), (5000, 1)]);
        assert_eq!(histogram.max(), Some(5000));
    }
}
