//! The trend as a document (`ttx trend --html`, `--markdown`): a summary sentence, one chart
//! per metric (value and 95% interval per result, objective targets as lines, detectable
//! changes drawn bold and named, scenario revisions marked), the metrics table, the live
//! drills' placements with what they can show, and the notes.
//!
//! The document is built once as [`Block`]s and rendered by the shared Markdown and HTML
//! writers (Markdown has no charts). Charts are drawn with the shared primitives of
//! [`crate::render::svg`]; the page has no script and no external resource, and the same trend
//! always renders to the same bytes.

use std::fmt::Write as _;

use super::trend::{Trend, TrendMetric};
use super::{MetricKind, Verdict, render::show};
use crate::render::blocks::{self, Block, Column, Grid, Inline, Text, text};
use crate::render::svg::{self, Scale};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 270.0;
const LEFT: f64 = 84.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 50.0;

/// The document, as blocks.
pub fn document(trend: &Trend) -> Vec<Block> {
    let mut doc = vec![
        Block::Title {
            kicker: "Trend".to_string(),
            title: trend.scenario.clone(),
        },
        Block::Prose(Some("summary"), text(trend.summary())),
    ];
    let figures: Vec<Block> = trend
        .metrics
        .iter()
        .enumerate()
        .filter(|(_, m)| m.values.iter().any(|v| v.value.is_some()))
        .map(|(i, metric)| {
            let mut svg = String::new();
            chart(&mut svg, trend, metric, i);
            Block::Figure {
                svg,
                caption: text(caption(metric)),
            }
        })
        .collect();
    doc.push(Block::only(
        blocks::Format::Html,
        vec![
            Block::Section {
                level: 2,
                id: "charts",
                text: "Charts".to_string(),
            },
            Block::Paragraph(format!("Each point is one results file: the median (met rates: the share of runs that met the objective) with its 95% interval. A bold green or red step is a detectable change from the previous result (better or worse), judged like `ttx compare`; a dashed step is no detectable change or was not tested (to or from a single {}, or across a scenario revision, marked by a dotted line). Horizontal dashed lines are the objectives' targets.", trend.one_run_words().short(1))),
            Block::Group("charts", figures),
        ],
    ));
    doc.push(Block::Section {
        level: 2,
        id: "table",
        text: "Metrics".to_string(),
    });
    doc.push(Block::Paragraph(
        "Median and 95% interval per result (order-statistic intervals of the median, \"none at n = 3\" where no 95% interval exists; met rates with Clopper-Pearson intervals)."
            .to_string(),
    ));
    doc.push(metric_grid(trend));
    doc.push(Block::Paragraph(trend.steps_note()));
    if let (Some(rows), Some(note), Some(d)) = (
        trend.placement_rows(),
        trend.placements_note(),
        &trend.drills,
    ) {
        doc.push(Block::Section {
            level: 2,
            id: "drills",
            text: trend.one_run_words().heading.to_string(),
        });
        doc.push(Block::Paragraph(format!("The {note}.")));
        doc.push(grid(rows));
        // Ticked: the command it names reads as code in HTML.
        doc.push(Block::Prose(
            Some("limit"),
            vec![Inline::Ticked(format!("{}.", d.limit))],
        ));
    }
    if !trend.notes.is_empty() {
        doc.push(Block::Section {
            level: 2,
            id: "notes",
            text: "Notes".to_string(),
        });
        doc.push(Block::List(trend.notes.clone()));
    }
    doc
}

/// A table whose first row is the header; the first column names the row.
fn grid(rows: Vec<Vec<String>>) -> Block {
    let mut rows = rows.into_iter();
    let header = rows.next().unwrap_or_default();
    Block::Grid(Grid {
        class: Some("trend"),
        columns: header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if i == 0 {
                    Column::plain(h)
                } else {
                    Column::num(h)
                }
            })
            .collect(),
        rows: rows.map(|r| r.into_iter().map(text).collect()).collect(),
    })
}

/// The metrics table: a row per metric, a column per point; each cell the value with its
/// interval (beneath it in HTML) and, after the first, whether the step into it is a
/// detectable change.
fn metric_grid(trend: &Trend) -> Block {
    let mut rows = trend.rows().into_iter();
    let header = rows.next().unwrap_or_default();
    let mut body: Vec<Vec<Text>> = Vec::new();
    if trend.versions() > 1
        && let Some(versions) = rows.next()
    {
        body.push(versions.into_iter().map(text).collect());
    }
    for m in &trend.metrics {
        let mut row = vec![text(m.metric.replace('_', " "))];
        for (i, v) in m.values.iter().enumerate() {
            let mut cell = vec![Inline::Estimate {
                value: v.value_text(m.kind),
                qualifier: "",
                interval: v.interval_text(m.kind),
            }];
            match i
                .checked_sub(1)
                .and_then(|s| m.steps.get(s))
                .map(|s| s.verdict)
            {
                Some(Verdict::Better) => cell.push(Inline::Styled(
                    "better",
                    vec![Inline::Text(" better".into())],
                )),
                Some(Verdict::Worse) => {
                    cell.push(Inline::Styled("worse", vec![Inline::Text(" worse".into())]))
                }
                _ => {}
            }
            row.push(cell);
        }
        body.push(row);
    }
    let Block::Grid(mut grid) = grid(vec![header]) else {
        unreachable!("grid() builds a grid")
    };
    grid.rows = body;
    Block::Grid(grid)
}

/// What a chart shows, in words under it.
fn caption(metric: &TrendMetric) -> String {
    let name = metric.metric.replace('_', " ");
    let mut out = match metric.kind {
        MetricKind::Time => format!("Median {name} per result, with its 95% interval"),
        MetricKind::Count => format!("Median {name} per run, per result"),
        MetricKind::MetRate => format!(
            "Share of runs meeting {}, with its 95% interval",
            metric.metric.trim_start_matches("met_rate:")
        ),
    };
    for (id, target) in &metric.targets {
        let _ = write!(out, "; target of {id}: {}", show(metric.kind, *target));
    }
    out.push('.');
    out
}

/// The whole HTML page.
pub fn page(trend: &Trend) -> String {
    let title = format!("Trend: {}", trend.scenario);
    format!(
        "{}{}</body>\n</html>\n",
        crate::render::html::page_head(&title, TREND_STYLE),
        blocks::html(&document(trend))
    )
}

/// The Markdown document (no charts).
pub fn markdown(trend: &Trend) -> String {
    blocks::markdown(&document(trend)).trim_start().to_string()
}

/// One metric's chart.
fn chart(out: &mut String, trend: &Trend, metric: &TrendMetric, index: usize) {
    let name = metric.metric.replace('_', " ");
    let n = metric.values.len().max(1);
    // Targets are named in rows under the title, above the plot, where no point or
    // interval can sit under their text; the chart grows by a row each.
    let extra = 13.0 * metric.targets.len() as f64;
    let (plot_top, height) = (TOP + extra, HEIGHT + extra);
    let highest = metric
        .values
        .iter()
        .flat_map(|v| v.interval.map(|i| i[1]).into_iter().chain(v.value))
        .chain(metric.targets.iter().map(|t| t.1))
        .fold(0.0f64, f64::max);
    let (step, y_title) = match metric.kind {
        MetricKind::Time => (svg::minute_step(highest.max(1.0), 5), "minutes from onset"),
        // Whole records: at least a step of 1.
        MetricKind::Count => (svg::nice_step(highest.max(5.0), 5), "records per run"),
        MetricKind::MetRate => (0.2, "share of runs"),
    };
    let top = match metric.kind {
        MetricKind::MetRate => 1.0,
        _ => svg::ceil_to(highest.max(step), step),
    };
    let y = Scale::new(0.0, top, height - BOTTOM, plot_top);
    let x = |i: usize| LEFT + (i as f64 + 0.5) * (WIDTH - LEFT - RIGHT) / n as f64;
    let description = format!(
        "{name} for each of {} results, with steps that are detectable changes marked",
        metric.values.len()
    );
    svg::open(
        out,
        &format!("trend-{index}"),
        WIDTH,
        height,
        &name,
        &description,
    );
    // The unit goes in the title line: a rotated axis title would collide with wide tick
    // labels such as `1h15m`.
    svg::text(
        out,
        LEFT,
        18.0,
        "start",
        "title",
        &format!("{name} ({y_title})"),
    );
    svg::y_axis(
        out,
        &y,
        LEFT,
        WIDTH - RIGHT,
        &svg::ticks(0.0, top, step),
        &|v| show(metric.kind, v).replace(".0m", "m").replace(".0%", "%"),
        "",
    );
    for (i, point) in trend.points.iter().enumerate() {
        let label = svg::fit(&point.key, (WIDTH - LEFT - RIGHT) / n as f64 - 4.0, &|t| {
            svg::text_width(t, 11.0)
        });
        svg::text(out, x(i), height - BOTTOM + 16.0, "middle", "tick", &label);
        if point.drill {
            svg::text(
                out,
                x(i),
                height - BOTTOM + 30.0,
                "middle",
                "tick",
                point.kind.name(),
            );
        }
        // A revision of the scenario between two points: a dotted line between them.
        if let Some(before) = i.checked_sub(1).map(|b| &trend.points[b])
            && before.content_hash != point.content_hash
        {
            let between = (x(i - 1) + x(i)) / 2.0;
            svg::line(
                out,
                (between, plot_top),
                (between, height - BOTTOM),
                "revision",
            );
            // Above the plot, clear of the points.
            svg::text(
                out,
                between + 3.0,
                plot_top - 3.0,
                "start",
                "revision-label",
                &format!("v{}", point.scenario_version),
            );
        }
    }
    for (row, (id, target)) in metric.targets.iter().enumerate() {
        let at = y.map(*target);
        svg::line(out, (LEFT, at), (WIDTH - RIGHT, at), "target");
        let key = TOP + 13.0 * row as f64;
        svg::line(out, (LEFT, key - 3.5), (LEFT + 18.0, key - 3.5), "target");
        svg::text(
            out,
            LEFT + 22.0,
            key,
            "start",
            "target-label",
            &format!("target {id}: {}", show(metric.kind, *target)),
        );
    }
    for (i, step) in metric.steps.iter().enumerate() {
        let (Some(a), Some(b)) = (metric.values[i].value, metric.values[i + 1].value) else {
            continue;
        };
        let (from, to) = ((x(i), y.map(a)), (x(i + 1), y.map(b)));
        let (class, mark) = match step.verdict {
            Verdict::Better => ("step-better", Some(("mark-better", "better"))),
            Verdict::Worse => ("step-worse", Some(("mark-worse", "worse"))),
            _ => ("step-none", None),
        };
        svg::line(out, from, to, class);
        if let Some((mark_class, text)) = mark {
            let middle = ((from.0 + to.0) / 2.0, (from.1 + to.1) / 2.0 - 8.0);
            svg::text(out, middle.0, middle.1, "middle", mark_class, text);
        }
    }
    for (i, v) in metric.values.iter().enumerate() {
        if let Some([low, high]) = v.interval {
            svg::line(out, (x(i), y.map(low)), (x(i), y.map(high)), "ci");
            for end in [low, high] {
                svg::line(
                    out,
                    (x(i) - 5.0, y.map(end)),
                    (x(i) + 5.0, y.map(end)),
                    "ci",
                );
            }
        }
        if let Some(value) = v.value {
            let tip = format!("{}: {}", trend.points[i].key, show(metric.kind, value));
            let _ = writeln!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"4.0\" class=\"{}\"><title>{}</title></circle>",
                svg::num(x(i)),
                svg::num(y.map(value)),
                if trend.points[i].drill {
                    "point drill"
                } else {
                    "point"
                },
                svg::escape(&tip)
            );
        }
    }
    svg::close(out);
}

/// The page's stylesheet: charts two to a row on a wide screen, one on a narrow one and in
/// print, each as wide as its column.
const TREND_STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1400px; padding: 0 1rem; color: #222; line-height: 1.45; }
header .kicker { margin: 0; color: #666; text-transform: uppercase; letter-spacing: 0.05em; font-size: 0.8rem; }
header h1 { margin: 0.2rem 0 1rem; }
p.summary { font-size: 1.1rem; background: #f3f6fa; border-left: 4px solid #1f77b4; padding: 0.75rem 1rem; }
p.limit { background: #fff8e6; border-left: 4px solid #e0a000; padding: 0.75rem 1rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 1rem 1.5rem; }
figure { margin: 0; }
figcaption { font-size: 0.85rem; color: #555; }
svg.chart { width: 100%; height: auto; display: block; }
table.trend { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
table.trend th, table.trend td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; vertical-align: top; }
table.trend thead th { text-align: left; border-bottom: 2px solid #888; }
table.trend thead th.num { text-align: right; }
table.trend .ci { font-size: 0.85em; color: #555; white-space: nowrap; }
table.trend .better { color: #2ca02c; font-weight: 600; }
table.trend .worse { color: #d62728; font-weight: 600; }
table.trend td:first-child { white-space: nowrap; font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 0.9em; }
.chart .grid { stroke: #eee; }
.chart .axis { stroke: #888; }
.chart .tick { font-size: 11px; fill: #555; }
.chart .axis-title { font-size: 12px; fill: #333; }
.chart .title { font-size: 14px; font-weight: 600; }
.chart .ci { stroke: #1f77b4; stroke-width: 1.5; }
.chart .point { fill: #1f77b4; }
.chart .point.drill { fill: #fff; stroke: #1f77b4; stroke-width: 2; }
.chart .target { stroke: #e07000; stroke-width: 1.2; stroke-dasharray: 6 4; }
.chart .target-label { font-size: 10px; fill: #b05500; }
.chart .revision { stroke: #888; stroke-width: 1; stroke-dasharray: 2 3; }
.chart .revision-label { font-size: 10px; fill: #666; }
.chart .step-none { stroke: #9aa; stroke-width: 1.5; stroke-dasharray: 4 3; }
.chart .step-better { stroke: #2ca02c; stroke-width: 3.5; }
.chart .step-worse { stroke: #d62728; stroke-width: 3.5; }
.chart .mark-better { font-size: 11px; fill: #2ca02c; font-weight: 600; }
.chart .mark-worse { font-size: 11px; fill: #d62728; font-weight: 600; }
@media print {
  @page { size: A4; margin: 14mm; }
  body { margin: 0; max-width: none; font-size: 10pt; }
  .charts { grid-template-columns: 1fr; gap: 6pt; }
  figure, table, tr, p.summary, p.limit { break-inside: avoid; page-break-inside: avoid; }
  table.trend { font-size: 8pt; }
}
"#;
