//! The results of a parameter sweep (`ttx sweep`) and their outputs: a text table per grid
//! point and a comparison across points, CSV (one row per point), JSON, and a self-contained
//! HTML page with a chart of each metric against the swept values.
//!
//! Each point's summaries are exactly those of `ttx run` on that point's scenario (the same
//! [`Results`] computation); this module only arranges them side by side.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::render::html::escape_keeping_apostrophes as escape;
use crate::render::svg::{self, Series, XAxis};
use crate::render::table::{TextColumn, TextTable};
use crate::results::csv::escape as csv_escape;
use crate::results::{CountSummary, ObjectiveSummary, Results, TimeMetrics};
use crate::runner::sweep::{GridPoint, Seeds};
use crate::scenario::Scenario;
use crate::scenario::duration::{format_minutes, parse_minutes};
use crate::scenario::set::Setting;
use crate::stats::DurationSummary;

/// Identifies the JSON layout, bumped on incompatible change.
pub const SWEEP_FORMAT: &str = "ttx-sweep/1";

/// The base scenario of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepScenario {
    /// `scenario.name`.
    pub name: String,
    /// `scenario.title`.
    pub title: String,
    /// `scenario.version`.
    pub version: String,
    /// `sha256:<hex>` of the base file's bytes (before any `--set`).
    pub content_hash: String,
}

/// One `--set`: a key and its values, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSet {
    /// Key path.
    pub key: String,
    /// Values, as written.
    pub values: Vec<String>,
}

/// One value of a grid point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetValue {
    /// Key path.
    pub key: String,
    /// Value, as written.
    pub value: String,
}

/// One grid point's summaries: those of `ttx run` on its scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// Position in the grid, from 1.
    pub point: usize,
    /// Its value of every `--set`, in `--set` order.
    pub values: Vec<SetValue>,
    /// The seed it ran under.
    pub seed: u64,
    /// `sha256:<hex>` of its scenario text.
    pub content_hash: String,
    /// Runs in which no fault began before the horizon.
    pub runs_without_incident: u64,
    /// Runs cut short by the event cap.
    pub runs_hit_event_cap: u64,
    /// Time metrics, as in a results file.
    pub metrics: TimeMetrics,
    /// Record counts per run, as in a results file.
    pub records: BTreeMap<String, CountSummary>,
    /// Counters per run, as in a results file.
    pub counters: BTreeMap<String, CountSummary>,
    /// Objectives, as in a results file.
    pub objectives: Vec<ObjectiveSummary>,
}

/// Everything a sweep produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResults {
    /// [`SWEEP_FORMAT`].
    pub format: String,
    /// Version of ttx that ran it.
    pub ttx_version: String,
    /// The base scenario.
    pub scenario: SweepScenario,
    /// Master seed.
    pub seed: u64,
    /// How points are seeded: `common` (every point under `seed`) or `independent`.
    pub seeds: Seeds,
    /// Runs per point.
    pub runs: u64,
    /// The `--set` options.
    pub sets: Vec<SweepSet>,
    /// Grid points, first `--set` varying slowest.
    pub points: Vec<SweepPoint>,
}

impl SweepResults {
    /// Arranges the results of every grid point (in grid order).
    pub fn new(
        base: &Scenario,
        settings: &[Setting],
        grid: &[GridPoint],
        results: Vec<Results>,
        seed: u64,
        seeds: Seeds,
        runs: u64,
    ) -> Self {
        let points = grid
            .iter()
            .zip(results)
            .enumerate()
            .map(|(i, (point, r))| SweepPoint {
                point: i + 1,
                values: point
                    .values
                    .iter()
                    .map(|(key, value)| SetValue {
                        key: key.clone(),
                        value: value.clone(),
                    })
                    .collect(),
                seed: r.seed,
                content_hash: r.scenario.content_hash,
                runs_without_incident: r.runs_without_incident,
                runs_hit_event_cap: r.runs_hit_event_cap,
                metrics: r.metrics,
                records: r.records,
                counters: r.counters,
                objectives: r.objectives,
            })
            .collect();
        SweepResults {
            format: SWEEP_FORMAT.to_string(),
            ttx_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: SweepScenario {
                name: base.meta.name.clone(),
                title: base.meta.title.clone(),
                version: base.meta.version.clone(),
                content_hash: format!("sha256:{}", base.fingerprint.content),
            },
            seed,
            seeds,
            runs,
            sets: settings
                .iter()
                .map(|s| SweepSet {
                    key: s.key.clone(),
                    values: s.values.clone(),
                })
                .collect(),
            points,
        }
    }

    /// The JSON export (pretty-printed, newline-terminated).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect(
            "a sweep is derived structs with string keys and numbers (serde_json writes a \
             non-finite number as null): serializing it cannot fail",
        );
        text.push('\n');
        text
    }

    fn heading(&self) -> String {
        let s = &self.scenario;
        let seeds = if self.seeds == Seeds::Common {
            format!("seed {} at every point (common random numbers)", self.seed)
        } else {
            format!(
                "independent seeds derived from {} (not common random numbers)",
                self.seed
            )
        };
        format!(
            "{} (v{}) · sweep of {} point{} · {} runs each · {seeds}",
            s.name,
            s.version,
            self.points.len(),
            if self.points.len() == 1 { "" } else { "s" },
            self.runs
        )
    }

    /// The text output: a block per grid point, then the medians side by side.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.heading());
        let _ = writeln!(out, "{}", self.scenario.title);
        let minutes = super::markdown::minutes;
        let right = TextColumn::right;
        let metrics_table = TextTable::fixed(vec![
            TextColumn::left(22),
            right(8),
            right(8),
            right(8),
            right(9),
        ]);
        for p in &self.points {
            let _ = writeln!(
                out,
                "\npoint {}/{}: {}",
                p.point,
                self.points.len(),
                point_label(p, " · ")
            );
            let mut rows = vec![
                ["minutes from onset", "median", "p90", "mean", "censored"]
                    .map(String::from)
                    .to_vec(),
            ];
            for (name, m) in p.metrics.iter() {
                rows.push(vec![
                    name.replace('_', " "),
                    minutes(m.median),
                    minutes(m.p90),
                    super::markdown::mean_starred(m),
                    m.censored.to_string(),
                ]);
            }
            out.push_str(&metrics_table.render(&rows));
            if !p.objectives.is_empty() {
                let met: Vec<String> = p
                    .objectives
                    .iter()
                    .map(|o| format!("{} {:.1}%", o.id, 100.0 * o.met_rate))
                    .collect();
                let _ = writeln!(out, "objectives met: {}", met.join(" · "));
            }
        }
        let _ = writeln!(out, "\nmedians by point (minutes from onset)");
        let mut rows = vec![
            ["point", "values", "detect", "ack", "contain", "recover"]
                .map(String::from)
                .to_vec(),
        ];
        for p in &self.points {
            let m = &p.metrics;
            rows.push(vec![
                p.point.to_string(),
                point_values(p),
                minutes(m.time_to_detect.median),
                minutes(m.time_to_acknowledge.median),
                minutes(m.time_to_contain.median),
                minutes(m.time_to_recover.median),
            ]);
        }
        let right = TextColumn::right;
        out.push_str(
            &TextTable::fixed(vec![
                TextColumn::left(6),
                TextColumn::left(32),
                right(8),
                right(8),
                right(8),
                right(8),
            ])
            .render(&rows),
        );
        if self.points.iter().any(|p| p.runs_hit_event_cap > 0) {
            let _ = writeln!(
                out,
                "\nwarning: some runs hit the event cap and were cut short; check the scenario for a runaway loop"
            );
        }
        out
    }

    /// The CSV export: one row per grid point.
    pub fn csv(&self) -> String {
        let mut out = String::from("point");
        for set in &self.sets {
            let _ = write!(out, ",{}", csv_escape(&format!("set:{}", set.key)));
        }
        out.push_str(",seed,runs");
        for name in crate::results::TIME_METRICS {
            let _ = write!(
                out,
                ",{name}_median,{name}_p90,{name}_mean,{name}_mean_kind,{name}_censored"
            );
        }
        out.push_str(",records_lost_mean,records_delayed_mean");
        if let Some(first) = self.points.first() {
            for o in &first.objectives {
                let _ = write!(
                    out,
                    ",{}",
                    csv_escape(&format!("objective:{}_met_rate", o.id))
                );
            }
        }
        out.push('\n');
        let cell = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        for p in &self.points {
            let _ = write!(out, "{}", p.point);
            for v in &p.values {
                let _ = write!(out, ",{}", csv_escape(&v.value));
            }
            let _ = write!(out, ",{},{}", p.seed, self.runs);
            for (_, m) in p.metrics.iter() {
                let _ = write!(
                    out,
                    ",{},{},{},{},{}",
                    cell(m.median),
                    cell(m.p90),
                    cell(m.mean),
                    m.mean_kind,
                    m.censored
                );
            }
            let mean = |key: &str| cell(p.records.get(key).and_then(|c| c.mean));
            let _ = write!(out, ",{},{}", mean("lost"), mean("delayed"));
            for o in &p.objectives {
                let _ = write!(out, ",{}", o.met_rate);
            }
            out.push('\n');
        }
        out
    }

    /// A self-contained HTML page: the comparison table and a chart per metric against the
    /// swept values.
    pub fn html(&self) -> String {
        let x = self.x_axis();
        let mut charts = String::new();
        for (name, _) in self
            .points
            .first()
            .map_or_else(Vec::new, |p| p.metrics.iter().collect())
        {
            let pick = |f: fn(&DurationSummary) -> Option<f64>| -> Vec<Option<f64>> {
                self.points
                    .iter()
                    .map(|p| {
                        p.metrics
                            .iter()
                            .find(|(n, _)| *n == name)
                            .and_then(|(_, m)| f(m))
                    })
                    .collect()
            };
            let series = [
                Series {
                    name: "median",
                    color: "#1f77b4",
                    values: pick(|m| m.median),
                },
                Series {
                    name: "p90",
                    color: "#d62728",
                    values: pick(|m| m.p90),
                },
                Series {
                    name: "mean",
                    color: "#2ca02c",
                    values: pick(|m| m.mean),
                },
            ];
            let title = name.replace('_', " ");
            charts.push_str(&figure(&svg::line_chart(
                &title,
                &x,
                "minutes from onset",
                &series,
                &|v| format_minutes(v.max(0.0)).replace(".0m", "m"),
            )));
        }
        if let Some(first) = self.points.first()
            && !first.objectives.is_empty()
        {
            const COLORS: [&str; 6] = [
                "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            ];
            let series: Vec<Series> = first
                .objectives
                .iter()
                .enumerate()
                .map(|(i, o)| Series {
                    name: &o.id,
                    color: COLORS[i % COLORS.len()],
                    values: self
                        .points
                        .iter()
                        .map(|p| p.objectives.get(i).map(|o| 100.0 * o.met_rate))
                        .collect(),
                })
                .collect();
            charts.push_str(&figure(&svg::line_chart(
                "objectives met",
                &x,
                "% of runs with a fault",
                &series,
                &|v| format!("{v:.0}%"),
            )));
        }
        let mut rows = String::new();
        let minutes = |v: Option<f64>| v.map_or_else(|| "–".to_string(), format_minutes);
        for p in &self.points {
            let m = &p.metrics;
            let _ = write!(
                rows,
                "<tr><td>{}</td><td>{}</td>",
                p.point,
                escape(&point_values(p))
            );
            for d in [
                &m.time_to_detect,
                &m.time_to_acknowledge,
                &m.time_to_contain,
                &m.time_to_recover,
            ] {
                let _ = write!(
                    rows,
                    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                    minutes(d.median),
                    minutes(d.p90),
                    escape(&super::markdown::mean_starred(d)),
                    d.censored
                );
            }
            rows.push_str("</tr>\n");
        }
        let title = format!("Sweep: {}", self.scenario.name);
        format!(
            r#"{head}<h1>{title}</h1>
<p>{heading}</p>
<p class="note">{scenario_title}. Each point is the scenario with its values set, run like <code>ttx run</code>; times are minutes from onset; * marks a restricted mean (some runs censored).</p>
<div class="wide"><table>
<thead>
<tr><th rowspan="2">point</th><th rowspan="2">{keys}</th><th colspan="4">time to detect</th><th colspan="4">time to acknowledge</th><th colspan="4">time to contain</th><th colspan="4">time to recover</th></tr>
<tr>{sub}{sub}{sub}{sub}</tr>
</thead>
<tbody>
{rows}</tbody>
</table></div>
<h2>Metrics against the swept values</h2>
{charts}
</body>
</html>
"#,
            head = crate::render::html::page_head(&title, SWEEP_STYLE),
            title = escape(&title),
            heading = escape(&self.heading()),
            scenario_title = escape(&self.scenario.title),
            sub = "<th>median</th><th>p90</th><th>mean</th><th>censored</th>",
            keys = escape(
                &self
                    .sets
                    .iter()
                    .map(|s| s.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    }

    /// Categories labelled by the points' values; numeric positions when a single `--set`
    /// swept numbers or durations.
    fn x_axis(&self) -> XAxis {
        let labels = self.points.iter().map(point_values).collect();
        let numeric = |v: &str| {
            let v = v.trim().trim_matches('"');
            v.parse::<f64>().ok().or_else(|| parse_minutes(v).ok())
        };
        let values = (self.sets.len() == 1)
            .then(|| {
                self.points
                    .iter()
                    .map(|p| numeric(&p.values[0].value))
                    .collect::<Option<Vec<f64>>>()
            })
            .flatten();
        let title = self
            .sets
            .iter()
            .map(|s| s.key.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        XAxis {
            title,
            labels,
            values,
        }
    }
}

fn figure(svg: &str) -> String {
    format!("<figure>{svg}</figure>\n")
}

fn point_values(p: &SweepPoint) -> String {
    p.values
        .iter()
        .map(|v| v.value.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn point_label(p: &SweepPoint, separator: &str) -> String {
    p.values
        .iter()
        .map(|v| format!("{} = {}", v.key, v.value))
        .collect::<Vec<_>>()
        .join(separator)
}

/// The page's stylesheet.
const SWEEP_STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; font-size: 0.85rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f5f5f5; }
td:nth-child(2) { text-align: left; }
figure { display: inline-block; margin: 1rem 1rem 0 0; }
.note { color: #555; font-size: 0.9rem; }
.wide { overflow-x: auto; }
"#;
