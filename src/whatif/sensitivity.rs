//! Where to invest: `ttx whatif --sensitivity 20%` moves every numeric parameter of a scenario
//! down and up by the same share, one at a time, and measures how far each metric swings.
//!
//! The parameters are every value the override key space reaches that is a number or a
//! duration ([`crate::scenario::set::numeric_values`]), except the scenario's own frame
//! (`scenario.*`: horizon and start) and the objectives (their targets move the yardstick, not
//! the incident). A moved value that makes the scenario invalid (a probability above 1, a
//! median above its p90) is reported as such and leaves that side of its bar empty. Every
//! variant runs under the baseline's seed (common random numbers), so a parameter that cannot
//! reach a metric swings it by exactly zero.
//!
//! A metric's swing is the distance between its values at the low and the high setting; the
//! tornado chart ([`super::render`]) sorts parameters by it.

use serde::Serialize;

use super::BaseScenario;
use crate::compare::MetricKind;
use crate::compare::placement::RECORDS_LOST;
use crate::results::Results;
use crate::runner::sweep::{self, Seeds};
use crate::runner::{BatchError, BatchOptions};
use crate::scenario::set::{self, Numeric};
use crate::scenario::{self, Loaded};

/// Identifies the JSON layout of `ttx whatif --sensitivity`, bumped on incompatible change.
pub const SENSITIVITY_FORMAT: &str = "ttx-sensitivity/1";

/// Top-level sections whose values are not moved: the frame and the yardstick.
const FIXED_SECTIONS: [&str; 2] = ["scenario", "objectives"];

/// How far every parameter moves each way, as a fraction (0.2 for `20%`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread(pub f64);

impl std::str::FromStr for Spread {
    type Err = String;

    /// Reads `20%`, `±20%`, `+-20%` or `+/-20%`: a share above 0 and below 100%.
    fn from_str(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let t = ["±", "+/-", "+-"]
            .iter()
            .find_map(|p| t.strip_prefix(p))
            .unwrap_or(t);
        let bad = || {
            format!(
                "`{text}` is not a spread: write a percentage above 0 and below 100, e.g. 20% or ±20%"
            )
        };
        let number = t.trim().strip_suffix('%').ok_or_else(bad)?;
        match number.trim().parse::<f64>() {
            Ok(p) if p > 0.0 && p < 100.0 => Ok(Spread(p / 100.0)),
            _ => Err(bad()),
        }
    }
}

impl Spread {
    /// `±20%`.
    pub fn show(self) -> String {
        let percent = format!("{:.2}", 100.0 * self.0);
        format!("±{}%", percent.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// One metric's value in one batch: the median of a time (Kaplan-Meier), the mean of records
/// lost per run, the share of runs that met an objective.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricValue {
    /// `time_to_detect`, ..., `records_lost`, `met_rate:<objective>`.
    pub metric: String,
    /// What kind of metric.
    pub kind: MetricKind,
    /// Its value (`None`: too many runs censored to tell).
    pub value: Option<f64>,
}

/// The metrics of a batch, in the order of [`crate::results::TIME_METRICS`], then records lost,
/// then each objective's met rate.
pub fn metric_values(results: &Results) -> Vec<MetricValue> {
    let times = results.metrics.iter().map(|(name, s)| MetricValue {
        metric: name.to_string(),
        kind: MetricKind::Time,
        value: s.median,
    });
    let lost = std::iter::once(MetricValue {
        metric: RECORDS_LOST.to_string(),
        kind: MetricKind::Count,
        value: results.records.get("lost").and_then(|c| c.mean),
    });
    let rates = results.objectives.iter().map(|o| MetricValue {
        metric: format!("met_rate:{}", o.id),
        kind: MetricKind::MetRate,
        value: Some(o.met_rate),
    });
    times.chain(lost).chain(rates).collect()
}

/// One side of a parameter's move.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    /// The value set, as a `--set` value.
    pub value: String,
    /// The metrics at that value, in [`metric_values`] order; empty when invalid.
    pub metrics: Vec<Option<f64>>,
    /// Why the moved scenario is invalid (its first diagnostic), if it is.
    pub invalid: Option<String>,
}

/// One parameter moved both ways.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    /// Its key path, as `--set` takes it.
    pub key: String,
    /// Its value in the scenario, for people.
    pub value: String,
    /// Moved down.
    pub low: Moved,
    /// Moved up.
    pub high: Moved,
}

/// One bar of a tornado: a parameter's effect on one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    /// The parameter's key path.
    pub key: String,
    /// The metric with the parameter moved down.
    pub low: Option<f64>,
    /// The metric with the parameter moved up.
    pub high: Option<f64>,
    /// How far the metric moves between the two (and the baseline, when one side is
    /// invalid).
    pub swing: f64,
}

/// The parameters that move one metric, largest swing first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tornado {
    /// The metric.
    pub metric: String,
    /// What kind of metric.
    pub kind: MetricKind,
    /// Its value at the baseline.
    pub baseline: Option<f64>,
    /// Parameters that move it, largest swing first (ties by key).
    pub bars: Vec<Bar>,
    /// Parameters that do not move it at all.
    pub unmoved: usize,
}

/// Everything a sensitivity analysis produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// [`SENSITIVITY_FORMAT`].
    pub format: &'static str,
    /// Version of ttx that ran it.
    pub ttx_version: &'static str,
    /// The baseline scenario.
    pub scenario: BaseScenario,
    /// The seed every variant ran under (common random numbers).
    pub seed: u64,
    /// Runs per variant.
    pub runs: u64,
    /// How far each parameter moved each way (0.2 = 20%).
    pub spread: f64,
    /// The baseline's metrics.
    pub baseline: Vec<MetricValue>,
    /// Every parameter, in file order.
    pub parameters: Vec<Parameter>,
    /// One tornado per metric.
    pub tornadoes: Vec<Tornado>,
}

/// The parameters of `source` that sensitivity moves, with their values.
pub fn parameters(source: &str) -> Vec<(String, Numeric)> {
    set::numeric_values(source)
        .unwrap_or_default()
        .into_iter()
        .filter(|(key, _)| {
            let section = key.split(['.', '[']).next().unwrap_or_default();
            !FIXED_SECTIONS.contains(&section)
        })
        .collect()
}

/// A moved side before it runs: its value and scenario (or why it is invalid).
struct Pending {
    value: String,
    loaded: Result<Loaded, String>,
}

/// The first line of a diagnostic, without its `error: ` lead.
fn first_line(error: &scenario::LoadError) -> String {
    let text = error.to_string();
    let line = text.lines().next().unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

/// Moves every parameter of `base` by `spread` each way, runs the baseline and every valid
/// variant under `options` (one seed), and builds a tornado per metric. `path` names the
/// scenario in diagnostics; `progress` gets the runs finished so far.
pub fn run(
    path: &str,
    base: &Loaded,
    spread: Spread,
    options: &BatchOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Sensitivity, BatchError> {
    let source = &base.scenario.source;
    let found = parameters(source);
    let pending: Vec<(String, Numeric, [Pending; 2])> = found
        .into_iter()
        .map(|(key, value)| {
            let side = |factor: f64| {
                let moved = value.scaled(factor);
                let shown = moved.clone().unwrap_or_else(|| value.show());
                let loaded = match moved {
                    None => Err(
                        "moving it changes nothing (zero, or a whole number that rounds back)"
                            .to_string(),
                    ),
                    Some(v) => set::apply(source, &key, &v)
                        .map_err(|e| e.to_string())
                        .and_then(|text| {
                            let shown = format!("{path} [--set {key}={v}]");
                            scenario::from_str(&shown, &text).map_err(|e| first_line(&e))
                        }),
                };
                Pending {
                    value: shown,
                    loaded,
                }
            };
            let sides = [side(1.0 - spread.0), side(1.0 + spread.0)];
            (key, value, sides)
        })
        .collect();
    let mut runnable: Vec<Loaded> = vec![base.clone()];
    for (_, _, sides) in &pending {
        for side in sides {
            if let Ok(l) = &side.loaded {
                runnable.push(l.clone());
            }
        }
    }
    let results = sweep::run(&runnable, options, Seeds::Common, progress)?;
    let baseline = metric_values(&results[0].results);
    let mut next = results[1..].iter();
    let parameters: Vec<Parameter> = pending
        .into_iter()
        .map(|(key, value, sides)| {
            let [low, high] = sides.map(|side| match side.loaded {
                Ok(_) => Moved {
                    value: side.value,
                    metrics: next
                        .next()
                        .map(|r| {
                            metric_values(&r.results)
                                .into_iter()
                                .map(|m| m.value)
                                .collect()
                        })
                        .unwrap_or_default(),
                    invalid: None,
                },
                Err(why) => Moved {
                    value: side.value,
                    metrics: Vec::new(),
                    invalid: Some(why),
                },
            });
            Parameter {
                key,
                value: value.show(),
                low,
                high,
            }
        })
        .collect();
    let tornadoes = tornadoes(&baseline, &parameters);
    Ok(Sensitivity {
        format: SENSITIVITY_FORMAT,
        ttx_version: env!("CARGO_PKG_VERSION"),
        scenario: BaseScenario::of(&base.scenario),
        seed: options.seed,
        runs: options.runs,
        spread: spread.0,
        baseline,
        parameters,
        tornadoes,
    })
}

/// Per metric, the parameters that move it, largest swing first.
fn tornadoes(baseline: &[MetricValue], parameters: &[Parameter]) -> Vec<Tornado> {
    baseline
        .iter()
        .enumerate()
        .map(|(i, metric)| {
            let mut bars = Vec::new();
            let mut unmoved = 0;
            for p in parameters {
                let low = p.low.metrics.get(i).copied().flatten();
                let high = p.high.metrics.get(i).copied().flatten();
                let ends: Vec<f64> = [low, high, metric.value].into_iter().flatten().collect();
                let swing = match (low, high) {
                    (None, None) => 0.0,
                    _ => {
                        let max = ends.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let min = ends.iter().copied().fold(f64::INFINITY, f64::min);
                        max - min
                    }
                };
                if swing > 0.0 {
                    bars.push(Bar {
                        key: p.key.clone(),
                        low,
                        high,
                        swing,
                    });
                } else {
                    unmoved += 1;
                }
            }
            bars.sort_by(|a, b| b.swing.total_cmp(&a.swing).then_with(|| a.key.cmp(&b.key)));
            Tornado {
                metric: metric.metric.clone(),
                kind: metric.kind,
                baseline: metric.value,
                bars,
                unmoved,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_read_with_or_without_a_sign() {
        assert_eq!("20%".parse::<Spread>(), Ok(Spread(0.2)));
        assert_eq!("±20%".parse::<Spread>(), Ok(Spread(0.2)));
        assert_eq!("+-5 %".parse::<Spread>(), Ok(Spread(0.05)));
        assert!("20".parse::<Spread>().is_err());
        assert!("100%".parse::<Spread>().is_err());
        assert!("0%".parse::<Spread>().is_err());
        assert_eq!(Spread(0.2).show(), "±20%");
    }

    #[test]
    fn the_frame_and_objectives_are_not_moved() {
        let keys: Vec<String> = parameters(crate::scenario::DEFAULT_SCENARIO)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert!(keys.contains(&"detectors.zap-error-email.latency.mean".to_string()));
        assert!(keys.contains(&"roles.on-call.wrong_diagnosis".to_string()));
        assert!(
            !keys
                .iter()
                .any(|k| k.starts_with("scenario.") || k.starts_with("objectives"))
        );
    }

    #[test]
    fn a_parameter_after_detection_does_not_swing_time_to_detect() {
        let base = crate::scenario::default_scenario();
        let options = BatchOptions::new(200, 3);
        let s = run("default", &base, Spread(0.2), &options, &|_| {}).unwrap();
        let detect = &s.tornadoes[0];
        assert_eq!(detect.metric, "time_to_detect");
        assert!(
            !detect
                .bars
                .iter()
                .any(|b| b.key == "actions.replay-failed-tasks.duration")
        );
        assert!(
            detect
                .bars
                .iter()
                .any(|b| b.key == "detectors.zap-error-email.latency.mean")
        );
        for t in &s.tornadoes {
            assert!(t.bars.windows(2).all(|w| w[0].swing >= w[1].swing));
            assert_eq!(t.bars.len() + t.unmoved, s.parameters.len());
        }
    }
}
