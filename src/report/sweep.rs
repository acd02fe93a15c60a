//! The results of a parameter sweep (`ttx sweep`) and their outputs: a text table per grid
//! point and a comparison across points, CSV (one row per point), JSON, and a self-contained
//! HTML page: per metric, charts of its estimates and their intervals against the swept values
//! (one line per combination of the other `--set`s) and a table.
//!
//! Each point's summaries are exactly those of `ttx run` on that point's scenario (the same
//! [`crate::results::Results`] computation); this module only arranges them side by side.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::aar_document::{estimate, percentile};
use crate::render::blocks::{self, Block, Column, Grid, Inline, Text, text};
use crate::render::html::STYLE;
use crate::render::svg::{self, Estimate, Series, XAxis, YAxis};
use crate::render::table::{TextColumn, TextTable};
use crate::results::csv::escape as csv_escape;
use crate::results::{CountSummary, ObjectiveSummary, TIME_METRICS, TimeMetrics};
use crate::runner::sweep::{GridPoint, PointResults, Seeds};
use crate::scenario::Scenario;
use crate::scenario::duration::{format_minutes, parse_minutes};
use crate::scenario::set::Setting;
use crate::stats::MeanKind;
use crate::stats::proportion::clopper_pearson;

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
    /// The 95% interval of each time metric's p90 by metric name, by the after-action
    /// report's rule (order statistics; an end `null` where the runs cannot bound it, the
    /// interval `null` where none exists at this size).
    #[serde(default)]
    pub p90_ci95: BTreeMap<String, Option<[Option<f64>; 2]>>,
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
        results: Vec<PointResults>,
        seed: u64,
        seeds: Seeds,
        runs: u64,
    ) -> Self {
        let points = grid
            .iter()
            .zip(results)
            .enumerate()
            .map(
                |(
                    i,
                    (
                        point,
                        PointResults {
                            results: r,
                            p90_ci95,
                        },
                    ),
                )| SweepPoint {
                    p90_ci95,
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
                },
            )
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
        for name in TIME_METRICS {
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

    /// A self-contained HTML page ([`SweepResults::document`]), styled like the after-action
    /// report and printable on A4.
    pub fn html(&self) -> String {
        let title = format!("Sweep: {}", self.scenario.name);
        format!(
            "{}<main>\n{}</main>\n</body>\n</html>\n",
            crate::render::html::page_head(&title, &format!("{STYLE}{SWEEP_STYLE}")),
            blocks::html(&self.document())
        )
    }

    /// The page as blocks: per time metric, a chart of the median and one of the p90 against
    /// the swept values (each with its 95% interval, the two on one scale) and a table of
    /// every point; then a chart per objective of its met rate and their table. Every number
    /// is read from the points, the same as the JSON export holds.
    pub fn document(&self) -> Vec<Block> {
        let layout = self.layout();
        let mut doc = vec![
            Block::Title {
                kicker: "Sweep".to_string(),
                title: self.scenario.name.clone(),
            },
            Block::Prose(None, text(self.heading())),
            Block::Prose(
                Some("note"),
                vec![
                    Inline::Text(format!("{}. ", self.scenario.title)),
                    Inline::Words(
                        "Each point is the scenario with its values set, run like ".to_string(),
                    ),
                    Inline::Code("ttx run".to_string()),
                    Inline::Words(format!(
                        ". Times are minutes from onset, each with its 95% interval (order statistics for the median and p90, an open end \"…\" where too few runs reached the milestone to bound it); * marks a restricted mean (some runs censored). {}",
                        layout.reading()
                    )),
                ],
            ),
        ];
        for (index, name) in TIME_METRICS.iter().enumerate() {
            doc.extend(self.metric_section(&layout, index, name));
        }
        doc.extend(self.objectives_section(&layout));
        doc
    }

    /// One time metric: its two charts and its table.
    fn metric_section(&self, layout: &Layout, index: usize, name: &'static str) -> Vec<Block> {
        let label = name.replace('_', " ");
        let summary = |p: &SweepPoint| p.metrics.iter().nth(index).map(|(_, m)| m.clone());
        let median = |p: &SweepPoint| {
            summary(p).and_then(|m| {
                let [low, high] = m.median_ci95.unwrap_or([None, None]);
                m.median.map(|value| Estimate { value, low, high })
            })
        };
        let p90 = |p: &SweepPoint| {
            summary(p).and_then(|m| {
                let [low, high] = self.p90_interval(p, name).unwrap_or([None, None]);
                m.p90.map(|value| Estimate { value, low, high })
            })
        };
        let estimates: Vec<Estimate> = self
            .points
            .iter()
            .flat_map(|p| median(p).into_iter().chain(p90(p)))
            .collect();
        let highest = estimates
            .iter()
            .map(|e| e.high.unwrap_or(e.value).max(e.value))
            .fold(1.0f64, f64::max);
        let step = svg::minute_step(highest, 5);
        let format = |v: f64| format_minutes(v.max(0.0)).replace(".0m", "m");
        let y = YAxis {
            title: "minutes from onset",
            top: svg::ceil_to(highest, step),
            step,
            format: &format,
        };
        let figure = |stat: &str, pick: &dyn Fn(&SweepPoint) -> Option<Estimate>| {
            let chart_title = format!("{label}: {stat}");
            Block::Figure {
                svg: svg::interval_chart(
                    &format!("{name}-{stat}"),
                    &chart_title,
                    &layout.x,
                    &y,
                    &layout.series(self, stat, pick),
                    &layout.legend,
                    &format!(
                        "The {stat} {label} and its 95% interval at each value of {}",
                        layout.x.title
                    ),
                ),
                caption: text(format!(
                    "{} {label}, with its 95% interval.",
                    if stat == "p90" {
                        "90th percentile of"
                    } else {
                        "Median"
                    }
                )),
            }
        };
        let charts = vec![figure("median", &median), figure("p90", &p90)];
        let mut columns = layout.value_columns(self);
        columns.extend(["median", "p90", "mean"].map(Column::num));
        columns.push(Column::num("censored"));
        let rows = self
            .points
            .iter()
            .map(|p| {
                let mut row = layout.value_cells(p);
                if let Some(m) = summary(p) {
                    let restricted = if m.mean_kind == MeanKind::Restricted {
                        "*"
                    } else {
                        ""
                    };
                    row.push(percentile(m.median, m.median_ci95, &m.median_ci95_none));
                    row.push(percentile(m.p90, self.p90_interval(p, name), &None));
                    row.push(estimate(m.mean, m.ci95, restricted));
                    row.push(text(m.censored.to_string()));
                }
                row
            })
            .collect();
        vec![
            Block::Section {
                level: 2,
                id: name,
                text: capitalised(&label),
            },
            Block::Group("charts", charts),
            Block::Grid(Grid {
                class: Some("sweep"),
                columns,
                rows,
            }),
        ]
    }

    /// Every objective's met rate: a chart each, then one table.
    fn objectives_section(&self, layout: &Layout) -> Vec<Block> {
        let Some(first) = self.points.first().filter(|p| !p.objectives.is_empty()) else {
            return Vec::new();
        };
        let rate = |p: &SweepPoint, i: usize| {
            p.objectives.get(i).map(|o| {
                let [low, high] = clopper_pearson(o.met, o.met + o.late + o.missed, 0.95)
                    .map_or([None, None], |[a, b]| [Some(100.0 * a), Some(100.0 * b)]);
                Estimate {
                    value: 100.0 * o.met_rate,
                    low,
                    high,
                }
            })
        };
        let format = |v: f64| format!("{v:.0}%");
        let y = YAxis {
            title: "% of runs with a fault",
            top: 100.0,
            step: 20.0,
            format: &format,
        };
        let charts = first
            .objectives
            .iter()
            .enumerate()
            .map(|(i, o)| Block::Figure {
                svg: svg::interval_chart(
                    &format!("objective-{i}"),
                    &format!("{}: met", o.id),
                    &layout.x,
                    &y,
                    &layout.series(self, "met", &|p| rate(p, i)),
                    &layout.legend,
                    &format!(
                        "The share of runs meeting {} at each value of {}",
                        o.id, layout.x.title
                    ),
                ),
                caption: text(format!(
                    "{} (met rate, 95% Clopper-Pearson interval).",
                    o.text
                )),
            })
            .collect();
        let mut columns = layout.value_columns(self);
        columns.extend(first.objectives.iter().map(|o| Column::num(&o.id)));
        let rows = self
            .points
            .iter()
            .map(|p| {
                let mut row = layout.value_cells(p);
                for i in 0..first.objectives.len() {
                    row.push(rate(p, i).map_or_else(
                        || text("–"),
                        |e| {
                            vec![Inline::Estimate {
                                value: format!("{:.1}%", e.value),
                                qualifier: "",
                                interval: match (e.low, e.high) {
                                    (Some(a), Some(b)) => format!(" [{a:.1}% – {b:.1}%]"),
                                    _ => String::new(),
                                },
                            }]
                        },
                    ));
                }
                row
            })
            .collect();
        vec![
            Block::Section {
                level: 2,
                id: "objectives",
                text: "Objectives met".to_string(),
            },
            Block::Group("charts", charts),
            Block::Grid(Grid {
                class: Some("sweep"),
                columns,
                rows,
            }),
        ]
    }

    /// The 95% interval of a point's p90 of `metric`, if it has one.
    fn p90_interval(&self, p: &SweepPoint, metric: &str) -> Option<[Option<f64>; 2]> {
        p.p90_ci95.get(metric).copied().flatten()
    }

    /// How the charts are drawn: the first `--set` along the x axis (to scale when its
    /// values are numbers or durations), one line per combination of the others.
    fn layout(&self) -> Layout {
        let numeric = |v: &str| {
            let v = v.trim().trim_matches('"');
            v.parse::<f64>().ok().or_else(|| parse_minutes(v).ok())
        };
        let Some(first) = self.sets.first() else {
            return Layout {
                x: XAxis {
                    title: String::new(),
                    labels: Vec::new(),
                    values: None,
                },
                lines: Vec::new(),
                legend: String::new(),
            };
        };
        let along = first.values.len().max(1);
        let per_value = self.points.len() / along;
        // The first --set varies slowest: point i * per_value + j has the i-th value of the
        // first --set and the j-th combination of the others.
        let lines = (0..per_value)
            .map(|j| {
                let name = self.points[j].values[1..]
                    .iter()
                    .map(|v| v.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" · ");
                (name, (0..along).map(|i| i * per_value + j).collect())
            })
            .collect();
        let others: Vec<&str> = self.sets[1..].iter().map(|s| s.key.as_str()).collect();
        Layout {
            legend: others.join(" · "),
            x: XAxis {
                title: first.key.clone(),
                labels: first.values.clone(),
                values: first.values.iter().map(|v| numeric(v)).collect(),
            },
            lines,
        }
    }
}

/// The charts' axes: the first `--set`'s values along x, and for each line (one per
/// combination of the other `--set`s, named by their values; a single unnamed one when there
/// is one `--set`) its name and the index of its point at each x position.
struct Layout {
    x: XAxis,
    lines: Vec<(String, Vec<usize>)>,
    /// The legend's heading: the keys of the other `--set`s, whose values name the lines.
    legend: String,
}

/// Line colours, distinguishable with colour-blindness (Okabe-Ito).
const PALETTE: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
];

impl Layout {
    /// How to read the charts, for the page's note.
    fn reading(&self) -> String {
        if self.lines.len() > 1 {
            format!(
                "Each chart has {} along the x axis and one line per value of the other settings (the legend names them); the lines are nudged apart sideways so their intervals stay visible.",
                self.x.title
            )
        } else {
            format!("Each chart has {} along the x axis.", self.x.title)
        }
    }

    /// One series per line, its estimates picked from the points by `pick`.
    fn series(
        &self,
        sweep: &SweepResults,
        stat: &str,
        pick: &dyn Fn(&SweepPoint) -> Option<Estimate>,
    ) -> Vec<Series> {
        self.lines
            .iter()
            .enumerate()
            .map(|(k, (name, points))| Series {
                name: if name.is_empty() {
                    stat.to_string()
                } else {
                    name.clone()
                },
                color: PALETTE[k % PALETTE.len()],
                values: points
                    .iter()
                    .map(|&i| sweep.points.get(i).and_then(pick))
                    .collect(),
            })
            .collect()
    }

    /// A table column per `--set`, headed by its key.
    fn value_columns(&self, sweep: &SweepResults) -> Vec<Column> {
        sweep
            .sets
            .iter()
            .map(|s| Column::plain(&s.key).cells("value"))
            .collect()
    }

    /// A point's value of each `--set`.
    fn value_cells(&self, p: &SweepPoint) -> Vec<Text> {
        p.values.iter().map(|v| text(v.value.clone())).collect()
    }
}

/// `text` with its first letter in capitals.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
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

/// What the sweep page adds to the reports' stylesheet: long keys and values wrap anywhere,
/// so a table of several `--set`s fits a 1280 px window and an A4 page without scrolling.
const SWEEP_STYLE: &str = r#"
table.sweep thead th, table.sweep td.value { overflow-wrap: anywhere; }
table.sweep td.value { min-width: 4em; }
"#;
