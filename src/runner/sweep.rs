//! Parameter sweeps: a grid of overrides of scenario values (`--set KEY=V1,V2,...`, see
//! [`crate::scenario::set`]), every grid point a whole scenario validated like a file and run
//! as a batch.
//!
//! All grid points use the same seed by default: common random numbers. Random streams are
//! keyed by (seed, family name) and run index, so run `r` of two points draws the same numbers
//! wherever the points agree, and a difference between points is the effect of the change,
//! not the noise of different draws. [`Seeds::Independent`] gives each point its own seed, only
//! to measure what common random numbers buy.
//!
//! The grid is the cartesian product of the settings, the first `--set` varying slowest.

use std::collections::BTreeMap;

use crate::engine::rng::SplitMix64;
use crate::results::Results;
use crate::runner::{self, BatchError, BatchOptions};
use crate::scenario::set::{self, SetError, Setting};
use crate::scenario::{self, LoadError, Loaded};
use crate::stats::order;

/// How grid points are seeded (written `common` or `independent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Seeds {
    /// Every point uses the master seed (common random numbers).
    Common,
    /// Point `i` uses a seed derived from (master seed, i).
    Independent,
}

impl Seeds {
    /// The seed of point `index` (from 0) under master seed `seed`.
    pub fn of(self, seed: u64, index: usize) -> u64 {
        match self {
            Seeds::Common => seed,
            // SplitMix64 of (seed, index): unrelated seeds that no other sweep's points share
            // by accident (unlike seed + index).
            Seeds::Independent => {
                SplitMix64::mix(seed ^ (index as u64 + 1).wrapping_mul(SplitMix64::GAMMA))
            }
        }
    }

    /// `common` or `independent`.
    pub fn name(self) -> &'static str {
        match self {
            Seeds::Common => "common",
            Seeds::Independent => "independent",
        }
    }
}

/// One grid point: a value for every setting, and the scenario text with them applied.
#[derive(Debug, Clone, PartialEq)]
pub struct GridPoint {
    /// `(key, value as written)`, one per setting, in setting order.
    pub values: Vec<(String, String)>,
    /// The scenario text with the values set.
    pub source: String,
}

impl GridPoint {
    /// `--set k=v --set k2=v2`: how messages name the point.
    pub fn label(&self) -> String {
        self.values
            .iter()
            .map(|(k, v)| format!("--set {k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Why a sweep could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The same key set twice.
    #[error("--set {0} is given twice; give each key once, with all its values")]
    DuplicateKey(String),
    /// A `--set` that cannot be applied to the scenario.
    #[error("--set {key}={value}: {reason}")]
    Set {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// Why.
        reason: Box<SetError>,
    },
    /// Grid points whose scenario is invalid: every diagnostic, each under the `--set` that
    /// caused it.
    #[error("{}", render_invalid(.0))]
    Invalid(Vec<LoadError>),
}

fn render_invalid(errors: &[LoadError]) -> String {
    errors.iter().map(ToString::to_string).collect()
}

/// The grid of `settings` over `source`, every point applied (not yet validated).
pub fn grid(source: &str, settings: &[Setting]) -> Result<Vec<GridPoint>, SweepError> {
    for (i, s) in settings.iter().enumerate() {
        if settings[..i].iter().any(|t| t.key == s.key) {
            return Err(SweepError::DuplicateKey(s.key.clone()));
        }
    }
    let mut points = vec![GridPoint {
        values: Vec::new(),
        source: source.to_string(),
    }];
    for setting in settings {
        let mut next = Vec::with_capacity(points.len() * setting.values.len());
        for point in &points {
            for value in &setting.values {
                let source = set::apply(&point.source, &setting.key, value).map_err(|e| {
                    SweepError::Set {
                        key: setting.key.clone(),
                        value: value.clone(),
                        reason: Box::new(e),
                    }
                })?;
                let mut values = point.values.clone();
                values.push((setting.key.clone(), value.clone()));
                next.push(GridPoint { values, source });
            }
        }
        points = next;
    }
    Ok(points)
}

/// Compiles every grid point like a file. Each value is first checked on its own (applied to
/// the base scenario alone), so a diagnostic names the one `--set` that caused it; then every
/// combination. `path` is the base scenario's path, for messages.
pub fn validate(
    path: &str,
    source: &str,
    settings: &[Setting],
    points: &[GridPoint],
) -> Result<Vec<Loaded>, SweepError> {
    let compile = |point: &GridPoint| {
        let shown = format!("{path} [{}]", point.label());
        scenario::from_str(&shown, &point.source)
    };
    let singles = settings
        .iter()
        .flat_map(|s| s.values.iter().map(move |v| (s.key.clone(), v.clone())));
    let mut errors = Vec::new();
    for (key, value) in singles {
        let single = grid(
            source,
            &[Setting {
                key,
                values: vec![value],
            }],
        )?;
        if let Err(e) = compile(&single[0]) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(SweepError::Invalid(errors));
    }
    let mut loaded = Vec::with_capacity(points.len());
    for point in points {
        match compile(point) {
            Ok(l) => loaded.push(l),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(SweepError::Invalid(errors))
    }
}

/// A grid point's results without their per-run rows, and what is computed from the rows
/// before they are dropped.
#[derive(Debug, Clone)]
pub struct PointResults {
    /// The summaries, as `ttx run` gives them (no per-run rows).
    pub results: Results,
    /// The 95% interval of each time metric's p90, by metric name
    /// ([`order::quantile_ci95`]).
    pub p90_ci95: BTreeMap<String, Option<[Option<f64>; 2]>>,
}

/// Runs every grid point as a batch of `options.runs` runs, seeded by `seeds`; `progress` gets
/// the number of runs finished over the whole sweep. Each point's results keep their summaries
/// and the p90 intervals, and drop their per-run rows.
pub fn run(
    points: &[Loaded],
    options: &BatchOptions,
    seeds: Seeds,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<PointResults>, BatchError> {
    let mut all = Vec::with_capacity(points.len());
    for (i, loaded) in points.iter().enumerate() {
        let seed = seeds.of(options.seed, i);
        let point_options = BatchOptions {
            seed,
            ..options.clone()
        };
        let done_before = i as u64 * options.runs;
        let outcomes = runner::run_batch(&loaded.scenario, &point_options, &|done| {
            progress(done_before + done)
        })?;
        let mut results = Results::new(&loaded.scenario, seed, &outcomes);
        let p90_ci95 = results
            .metrics
            .iter()
            .enumerate()
            .map(|(metric, (name, summary))| {
                let (ci, _) = order::quantile_ci95(&results.observations(metric), 0.9, "p90");
                (name.to_string(), summary.p90.and(ci))
            })
            .collect();
        results.per_run = Vec::new();
        results.rows_sha256 = None;
        all.push(PointResults { results, p90_ci95 });
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(text: &str) -> Setting {
        text.parse().expect("a valid --set")
    }

    #[test]
    fn the_grid_is_the_product_with_the_first_setting_slowest() {
        let source = crate::scenario::DEFAULT_SCENARIO;
        let points = grid(
            source,
            &[
                setting("detectors.zap-error-email.miss=0,0.5"),
                setting("detectors.zap-error-email.latency.mean=5m,10m,20m"),
            ],
        )
        .unwrap();
        assert_eq!(points.len(), 6);
        assert_eq!(
            points[1].label(),
            "--set detectors.zap-error-email.miss=0 --set detectors.zap-error-email.latency.mean=10m"
        );
        assert_eq!(points[3].values[0].1, "0.5");
        assert!(points[5].source.contains("mean = \"20m\""));
        assert!(points[5].source.contains("miss = 0.5 "));
    }

    #[test]
    fn a_key_twice_is_refused() {
        let error = grid("", &[setting("a.b=1"), setting("a.b=2")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "--set a.b is given twice; give each key once, with all its values"
        );
    }

    #[test]
    fn common_seeds_are_the_master_seed_and_independent_ones_differ() {
        assert_eq!(Seeds::Common.of(7, 3), 7);
        let seeds: Vec<u64> = (0..4).map(|i| Seeds::Independent.of(7, i)).collect();
        assert!(seeds.iter().all(|s| *s != 7));
        assert!((1..4).all(|i| !seeds[..i].contains(&seeds[i])));
        assert_ne!(Seeds::Independent.of(8, 0), seeds[1]);
    }
}
