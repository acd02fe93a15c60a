//! The self-contained HTML page of a trend (`ttx trend --html`): one chart per metric with its
//! value and 95% interval per result, the steps that are detectable changes drawn bold and
//! named, and the table and notes of [`Trend::table`] beneath.
//!
//! Charts are drawn with the shared primitives of [`crate::render::svg`]; the page has no
//! script and no external resource, and the same trend always renders to the same bytes.

use std::fmt::Write as _;

use super::trend::{Trend, TrendMetric};
use super::{MetricKind, Verdict, render::show};
use crate::render::svg::{self, Scale};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 270.0;
const LEFT: f64 = 84.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 50.0;

/// The whole page.
pub fn page(trend: &Trend) -> String {
    let mut charts = String::new();
    for (i, metric) in trend.metrics.iter().enumerate() {
        if metric.values.iter().any(|v| v.value.is_some()) {
            charts.push_str("<figure>\n");
            chart(&mut charts, trend, metric, i);
            charts.push_str("</figure>\n");
        }
    }
    let title = format!("Trend: {}", trend.scenario);
    format!(
        r#"{head}<h1>{title}</h1>
<p>Each point is one results file: the median (met rates: the share of runs that met the objective) with its 95% interval. A bold green or red step is a detectable change from the previous result (better or worse), judged like <code>ttx compare</code>; a dashed step is no detectable change (or not tested).</p>
{charts}
<h2>Table</h2>
<pre>{table}</pre>
</body>
</html>
"#,
        head = crate::render::html::page_head(&title, TREND_STYLE),
        title = svg::escape(&title),
        table = svg::escape(&trend.table()),
    )
}

/// One metric's chart.
fn chart(out: &mut String, trend: &Trend, metric: &TrendMetric, index: usize) {
    let name = metric.metric.replace('_', " ");
    let n = metric.values.len().max(1);
    let highest = metric
        .values
        .iter()
        .flat_map(|v| v.interval.map(|i| i[1]).into_iter().chain(v.value))
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
    let y = Scale::new(0.0, top, HEIGHT - BOTTOM, TOP);
    let x = |i: usize| LEFT + (i as f64 + 0.5) * (WIDTH - LEFT - RIGHT) / n as f64;
    let description = format!(
        "{name} for each of {} results, with steps that are detectable changes marked",
        metric.values.len()
    );
    svg::open(
        out,
        &format!("trend-{index}"),
        WIDTH,
        HEIGHT,
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
        svg::text(out, x(i), HEIGHT - BOTTOM + 16.0, "middle", "tick", &label);
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
                "<circle cx=\"{}\" cy=\"{}\" r=\"4.0\" class=\"point\"><title>{}</title></circle>",
                svg::num(x(i)),
                svg::num(y.map(value)),
                svg::escape(&tip)
            );
        }
    }
    svg::close(out);
}

/// The page's stylesheet.
const TREND_STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1400px; padding: 0 1rem; color: #222; }
figure { display: inline-block; margin: 1rem 1rem 0 0; }
pre { font-size: 0.8rem; overflow-x: auto; background: #f7f7f7; padding: 0.75rem; }
.chart .grid { stroke: #eee; }
.chart .axis { stroke: #888; }
.chart .tick { font-size: 11px; fill: #555; }
.chart .axis-title { font-size: 12px; fill: #333; }
.chart .title { font-size: 14px; font-weight: 600; }
.chart .ci { stroke: #1f77b4; stroke-width: 1.5; }
.chart .point { fill: #1f77b4; }
.chart .step-none { stroke: #9aa; stroke-width: 1.5; stroke-dasharray: 4 3; }
.chart .step-better { stroke: #2ca02c; stroke-width: 3.5; }
.chart .step-worse { stroke: #d62728; stroke-width: 3.5; }
.chart .mark-better { font-size: 11px; fill: #2ca02c; font-weight: 600; }
.chart .mark-worse { font-size: 11px; fill: #d62728; font-weight: 600; }
"#;
