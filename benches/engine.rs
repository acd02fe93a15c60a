//! Engine, batch and sampling benchmarks; the figures and how to read them are in
//! `docs/performance.md`.
//!
//! ```text
//! cargo bench --bench engine                  # everything, about 1.5 minutes
//! cargo bench --bench engine -- baseline      # one group (criterion filter)
//! ```
//!
//! Groups:
//! - `baseline/bare_loop`: a `BinaryHeap` of (time, seq) entries; pop one event, draw one
//!   exponential latency from ChaCha8, push one event. The floor for any event loop.
//! - `engine/queue_loop`: the ttx [`Engine`] driving a model that does exactly what the bare
//!   loop does, so the difference is engine overhead alone.
//! - `engine/default_scenario_run`: one full run of the bundled default scenario, cycling the
//!   run index, by a [`model::Worker`] (one world reset in place, as a batch runs); throughput
//!   is the mean events per run over the cycle (printed to stderr), so criterion's elements/s
//!   is events/s.
//! - `per_run/{small,default,large}/{fresh,worker}`: the same per-run cost of the SimPy twin's
//!   single-incident scenario (`benches/fixtures/twin-single-incident.toml`, 8.5 events a run),
//!   the default scenario and a generated 100-fault scenario
//!   (`benches/fixtures/generated-100-faults.toml`, from
//!   `benches/gen_scenario.py --faults 100`), with a new world per run (`model::simulate`, as
//!   before issue 19) and with a reused [`model::Worker`]; elements/s is runs/s. Each
//!   scenario's mean events per run is printed to stderr, to read a run per event.
//! - `engine/stream_setup`: the most a run pays for its random streams: one Philox4x64-10
//!   stream per family, positioned on the run, plus its first draw (one block computed then).
//!   The model positions a family's stream on its first draw, so a run pays this only for the
//!   families that draw in it. `engine/stream_setup_chacha8` is the same with the ChaCha8
//!   streams used before issue 19 (keyed, stream set, four blocks generated on first draw).
//! - `batch/default_10k`: `run_batch` of 10,000 runs on every core; elements/s is runs/s.
//! - `summarize/*`: the summary of the four time metrics of 1,000,000 synthetic runs
//!   (seeded tally columns shaped like the default scenario's, with censoring): by comparison
//!   sort one metric after another (`comparison_sort_1m`, the sort before issue 19), and by
//!   radix-sorted keys on one thread and two metrics at a time (`radix_keys_1m_one_thread`,
//!   `radix_keys_1m`, what `Tally::summarize` does). Both give the same figures (checked
//!   before timing); elements/s is runs/s.
//! - `sampling/*`: exponential and lognormal draws, rand_distr against statrs. statrs is built
//!   without its `rand` feature here, so its distributions do not implement
//!   `rand::distr::Distribution`; the statrs rows sample by inversion (`inverse_cdf` of a
//!   uniform draw), which is what the crate offers without that feature.

use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};
use statrs::distribution::ContinuousCDF;

use ttx::engine::rng::FamilyKey;
use ttx::engine::{Engine, Limits, Model, Scheduler, Time};
use ttx::model::{self, StreamKeys};
use ttx::runner::{BatchOptions, run_batch};
use ttx::scenario::{Dist, default_scenario};
use ttx::stats::DurationSummary;
use ttx::stats::survival::Observation;

/// Events processed per iteration of the loop benchmarks.
const LOOP_EVENTS: u64 = 10_000;
/// Events kept pending in the loop benchmarks (about what a default-scenario run holds).
const PENDING: u64 = 8;
/// Mean latency of the loop benchmarks, in minutes.
const MEAN_LATENCY: f64 = 5.0;
/// Run indices cycled through by `engine/default_scenario_run`.
const RUN_CYCLE: u64 = 4096;
/// Draws per iteration of the sampling benchmarks.
const DRAWS: u64 = 1_000;

// ---- baseline ------------------------------------------------------------------------------

/// A queue entry of the bare loop: ordered by (time, seq), earliest first.
struct Entry {
    time: f64,
    seq: u64,
    event: u32,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The bare loop: `events` times pop the earliest entry, draw a latency, push a follow-up.
fn bare_loop(rng: &mut ChaCha8Rng, latency: &Exp<f64>, events: u64) -> u64 {
    let mut queue = BinaryHeap::with_capacity(32);
    let mut seq = 0;
    for event in 0..PENDING as u32 {
        queue.push(Entry {
            time: latency.sample(rng),
            seq,
            event,
        });
        seq += 1;
    }
    let mut checksum = 0u64;
    for _ in 0..events {
        let Some(entry) = queue.pop() else { break };
        checksum = checksum.wrapping_add(entry.event as u64);
        queue.push(Entry {
            time: entry.time + latency.sample(rng),
            seq,
            event: entry.event,
        });
        seq += 1;
    }
    checksum
}

// ---- the engine with a trivial model ---------------------------------------------------------

/// A model that does what the bare loop does: on each event, draw a latency and reschedule.
struct Relay {
    rng: ChaCha8Rng,
    latency: Exp<f64>,
    checksum: u64,
}

impl Model for Relay {
    type Event = u32;
    #[inline]
    fn handle(&mut self, _now: Time, event: u32, scheduler: &mut Scheduler<u32>) {
        self.checksum = self.checksum.wrapping_add(event as u64);
        let delay = self.latency.sample(&mut self.rng);
        scheduler.after(delay, event);
    }
}

/// The same loop through `Engine`: stops at the event cap after `events` events.
fn engine_loop(relay: Relay, events: u64) -> Relay {
    let mut engine = Engine::new(
        relay,
        Limits {
            horizon: f64::INFINITY,
            max_events: events,
        },
    );
    for event in 0..PENDING as u32 {
        let at = {
            let relay = engine.model_mut();
            relay.latency.sample(&mut relay.rng)
        };
        engine.schedule(at, event);
    }
    engine.run();
    debug_assert_eq!(engine.processed(), events);
    engine.into_model()
}

fn bench_loops(c: &mut Criterion) {
    let latency = Exp::new(1.0 / MEAN_LATENCY).expect("a positive rate");

    let mut group = c.benchmark_group("baseline");
    group
        .throughput(Throughput::Elements(LOOP_EVENTS))
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    group.bench_function("bare_loop", |b| {
        b.iter(|| bare_loop(&mut rng, &latency, black_box(LOOP_EVENTS)))
    });
    group.finish();

    let mut group = c.benchmark_group("engine");
    group
        .throughput(Throughput::Elements(LOOP_EVENTS))
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let mut relay = Some(Relay {
        rng: ChaCha8Rng::seed_from_u64(1),
        latency,
        checksum: 0,
    });
    group.bench_function("queue_loop", |b| {
        b.iter(|| {
            let done = engine_loop(relay.take().expect("relay"), black_box(LOOP_EVENTS));
            black_box(done.checksum);
            relay = Some(done);
        })
    });
    group.finish();
}

// ---- the default scenario ------------------------------------------------------------------

fn bench_default_scenario(c: &mut Criterion) {
    let loaded = default_scenario();
    let scenario = &loaded.scenario;
    let keys = StreamKeys::new(scenario, 1);

    let total: u64 = (0..RUN_CYCLE)
        .map(|run| model::simulate(scenario, &keys, run, model::DEFAULT_MAX_EVENTS).events)
        .sum();
    let mean = total as f64 / RUN_CYCLE as f64;
    eprintln!(
        "default scenario: {mean:.3} events per run (mean over runs 0..{RUN_CYCLE}, seed 1); \
         ns/event = time per run / {mean:.3}"
    );

    let mut group = c.benchmark_group("engine");
    group
        .throughput(Throughput::Elements(mean.round() as u64))
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    let mut run = 0u64;
    let mut worker = model::Worker::new(scenario, &keys, model::DEFAULT_MAX_EVENTS);
    group.bench_function("default_scenario_run", |b| {
        b.iter(|| {
            let events = worker.simulate(run).events;
            run = (run + 1) % RUN_CYCLE;
            black_box(events)
        })
    });

    // Per-run stream cost that does not depend on events, at most: one stream per family
    // (this scenario: faults + detectors + roles + actions + the deck), each keyed, positioned
    // on the run and drawn from once. Streams are created on first draw, so a run pays this
    // for the families that draw in it only.
    let families = scenario.faults.len()
        + scenario.detectors.len()
        + scenario.roles.len()
        + scenario.actions.len()
        + 1;
    eprintln!("default scenario: {families} random streams per run");
    let family_keys: Vec<FamilyKey> = (0..families)
        .map(|i| FamilyKey::derive(1, &format!("family:{i}")))
        .collect();
    group.throughput(Throughput::Elements(families as u64));
    let mut run = 0u64;
    group.bench_function("stream_setup", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for key in &family_keys {
                let mut stream = key.stream(black_box(run));
                sum += stream.random::<f64>();
            }
            run = (run + 1) % RUN_CYCLE;
            black_box(sum)
        })
    });
    // The same with the generator streams had before issue 19 (ChaCha8 keyed by the family,
    // its stream set to the run, four blocks generated for the first draw): the ratio of the
    // two is what the switch to Philox saves per run.
    let chacha_keys: Vec<[u8; 32]> = (0..families as u64)
        .map(|i| {
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&i.to_le_bytes());
            key
        })
        .collect();
    group.bench_function("stream_setup_chacha8", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for key in &chacha_keys {
                let mut stream = ChaCha8Rng::from_seed(*key);
                stream.set_stream(black_box(run));
                sum += stream.random::<f64>();
            }
            run = (run + 1) % RUN_CYCLE;
            black_box(sum)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("batch");
    let options = BatchOptions::new(10_000, 1);
    group
        .throughput(Throughput::Elements(options.runs))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    group.bench_function("default_10k", |b| {
        b.iter(|| {
            let outcomes = run_batch(scenario, &options, &|_| {}).expect("a thread pool");
            black_box(outcomes.len())
        })
    });
    group.finish();
}

// ---- per-run cost, fresh world against reused worker -----------------------------------------

fn bench_per_run(c: &mut Criterion) {
    let fixture = |name: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("benches/fixtures")
            .join(name);
        ttx::scenario::load(&path)
            .expect("the bench fixture loads")
            .scenario
    };
    let small = fixture("twin-single-incident.toml");
    let default = default_scenario().scenario;
    let large = fixture("generated-100-faults.toml");
    let mut group = c.benchmark_group("per_run");
    group
        .throughput(Throughput::Elements(1))
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (name, scenario) in [("small", &small), ("default", &default), ("large", &large)] {
        let keys = StreamKeys::new(scenario, 1);
        // Events per run, so that a run's time reads per event against the bare loop.
        let mut worker = model::Worker::new(scenario, &keys, model::DEFAULT_MAX_EVENTS);
        let total: u64 = (0..RUN_CYCLE).map(|run| worker.simulate(run).events).sum();
        eprintln!(
            "per_run/{name}: {:.3} events per run (mean over runs 0..{RUN_CYCLE}, seed 1)",
            total as f64 / RUN_CYCLE as f64
        );
        let mut run = 0u64;
        group.bench_function(format!("{name}/fresh"), |b| {
            b.iter(|| {
                let outcome = model::simulate(scenario, &keys, run, model::DEFAULT_MAX_EVENTS);
                run = (run + 1) % RUN_CYCLE;
                black_box(outcome.events)
            })
        });
        let mut worker = model::Worker::new(scenario, &keys, model::DEFAULT_MAX_EVENTS);
        let mut run = 0u64;
        group.bench_function(format!("{name}/worker"), |b| {
            b.iter(|| {
                let events = worker.simulate(run).events;
                run = (run + 1) % RUN_CYCLE;
                black_box(events)
            })
        });
    }
    group.finish();
}

// ---- sampling ------------------------------------------------------------------------------

/// Benchmarks `DRAWS` draws of `sample` (generic, so each draw is inlined as in real use).
fn draws<M, F>(
    group: &mut criterion::BenchmarkGroup<'_, M>,
    name: &str,
    rng: &mut ChaCha8Rng,
    mut sample: F,
) where
    M: criterion::measurement::Measurement,
    F: FnMut(&mut ChaCha8Rng) -> f64,
{
    group.bench_function(name, |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for _ in 0..DRAWS {
                sum += sample(rng);
            }
            black_box(sum)
        })
    });
}

fn bench_sampling(c: &mut Criterion) {
    let mut group = c.benchmark_group("sampling");
    group
        .throughput(Throughput::Elements(DRAWS))
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));

    // Exponential with mean 5 minutes.
    let exp = rand_distr::Exp::new(1.0 / MEAN_LATENCY).expect("a positive rate");
    let statrs_exp = statrs::distribution::Exp::new(1.0 / MEAN_LATENCY).expect("a positive rate");
    // Lognormal with median 3 minutes and p90 15 minutes (as in the scenario docs).
    let dist = Dist::lognormal_median_p90(3.0, 15.0).expect("valid lognormal");
    let Dist::LogNormal { mu, sigma, .. } = dist else {
        unreachable!("lognormal_median_p90 builds a lognormal")
    };
    let lognormal = rand_distr::LogNormal::new(mu, sigma).expect("valid lognormal");
    let statrs_lognormal =
        statrs::distribution::LogNormal::new(mu, sigma).expect("valid lognormal");
    let ttx_exp = Dist::exponential(MEAN_LATENCY).expect("valid exponential");

    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let rng = &mut rng;
    draws(&mut group, "uniform_f64_chacha8", rng, |rng| {
        rng.random::<f64>()
    });
    draws(&mut group, "exp/rand_distr", rng, |rng| exp.sample(rng));
    draws(&mut group, "exp/statrs_inverse_cdf", rng, |rng| {
        statrs_exp.inverse_cdf(rng.random::<f64>())
    });
    draws(&mut group, "exp/ttx_dist", rng, |rng| ttx_exp.sample(rng));
    draws(&mut group, "lognormal/rand_distr", rng, |rng| {
        lognormal.sample(rng)
    });
    draws(&mut group, "lognormal/statrs_inverse_cdf", rng, |rng| {
        statrs_lognormal.inverse_cdf(rng.random::<f64>())
    });
    draws(&mut group, "lognormal/ttx_dist", rng, |rng| {
        dist.sample(rng)
    });
    group.finish();
}

// ---- summarize ------------------------------------------------------------------------------

/// Runs in the summary benchmarks.
const SUMMARY_RUNS: usize = 1_000_000;

/// Synthetic tally columns of `runs` runs, seeded: four milestone times (NaN where not
/// reached) and the censoring time (NaN where no fault began), shaped like the default
/// scenario's: most runs have an incident, times are continuous (few ties) and grow from
/// detection to recovery, and some runs reach recovery only after the 2,880-minute horizon.
fn summary_columns(runs: usize) -> ([Vec<f64>; 4], Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    let horizon = 2_880.0;
    let mut times: [Vec<f64>; 4] = std::array::from_fn(|_| Vec::with_capacity(runs));
    let mut censored_at = Vec::with_capacity(runs);
    for _ in 0..runs {
        if rng.random::<f64>() < 0.08 {
            times.iter_mut().for_each(|column| column.push(f64::NAN));
            censored_at.push(f64::NAN);
            continue;
        }
        let onset = rng.random::<f64>() * 600.0;
        let follow_up = horizon - onset;
        let mut t = 0.0;
        for (milestone, column) in times.iter_mut().enumerate() {
            t += (-rng.random::<f64>().ln()) * [20.0, 15.0, 90.0, 400.0][milestone];
            column.push(if t <= follow_up { t } else { f64::NAN });
        }
        censored_at.push(follow_up);
    }
    (times, censored_at)
}

/// The four metrics as `Tally::summarize` did before issue 19: one after another, each read
/// into observations in run order and sorted by comparison ([`DurationSummary::of_observations`]).
fn summarize_by_comparison_sort(
    times: &[Vec<f64>; 4],
    censored_at: &[f64],
) -> Vec<DurationSummary> {
    let mut observations = Vec::with_capacity(censored_at.len());
    let mut scratch = Vec::new();
    times
        .iter()
        .map(|column| {
            observations.clear();
            let mut outside_curve = 0;
            for (t, c) in column.iter().zip(censored_at) {
                let value = (!t.is_nan()).then_some(*t);
                match Observation::of(value, (!c.is_nan()).then_some(*c)) {
                    Some(observation) => observations.push(observation),
                    None => outside_curve += 1,
                }
            }
            DurationSummary::of_observations(&mut observations, outside_curve, &mut scratch)
        })
        .collect()
}

/// The four metrics as `Tally::summarize` does now: radix-sorted keys
/// ([`DurationSummary::of_columns`]), two metrics at a time on the thread pool.
fn summarize_by_keys(times: [Vec<f64>; 4], censored_at: &[f64]) -> Vec<DurationSummary> {
    let summary = |column| DurationSummary::of_columns(column, censored_at);
    let [a, b, c, d] = times;
    let ((a, b), (c, d)) = rayon::join(|| (summary(a), summary(b)), || (summary(c), summary(d)));
    vec![a, b, c, d]
}

fn bench_summarize(c: &mut Criterion) {
    let (times, censored_at) = summary_columns(SUMMARY_RUNS);
    // The benchmark compares two ways to the same figures: check that they are.
    assert_eq!(
        format!("{:?}", summarize_by_comparison_sort(&times, &censored_at)),
        format!("{:?}", summarize_by_keys(times.clone(), &censored_at)),
    );
    let mut group = c.benchmark_group("summarize");
    group.throughput(Throughput::Elements(SUMMARY_RUNS as u64));
    group.sample_size(10);
    group.bench_function("comparison_sort_1m", |b| {
        b.iter(|| summarize_by_comparison_sort(black_box(&times), &censored_at))
    });
    group.bench_function("radix_keys_1m_one_thread", |b| {
        b.iter_batched(
            || times.clone(),
            |times| {
                times
                    .into_iter()
                    .map(|column| DurationSummary::of_columns(column, &censored_at))
                    .collect::<Vec<_>>()
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("radix_keys_1m", |b| {
        b.iter_batched(
            || times.clone(),
            |times| summarize_by_keys(times, &censored_at),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn config() -> Criterion {
    // Fewer bootstrap resamples than the default 100,000: on 2 cores the analysis, not the
    // measurement, was a large share of the wall time; the intervals barely change.
    Criterion::default().nresamples(20_000)
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_loops, bench_default_scenario, bench_per_run, bench_sampling, bench_summarize
}
criterion_main!(benches);
