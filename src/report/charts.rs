//! The charts of the HTML after-action report, as [`Block::Figure`]s: survival curves of the
//! time to contain and to recover, histograms of the time metrics and a stacked bar of where
//! the time goes (the Gantt chart of a run is in [`super::gantt`]). Each chart is inline SVG
//! with a caption; the document decides where it stands, and Markdown leaves it out.
//!
//! Output depends only on the report: numbers at fixed precision, ids from metric names.

use std::fmt::Write as _;

use super::aar::{AfterActionReport, Histogram, ObjectiveRating, SurvivalCurve};
use super::markdown::{minutes, percent, target};
use crate::render::blocks::{Block, Text, text};
use crate::render::svg::{self, LegendItem, Scale, escape, num, text_width};
use crate::render::text::capitalise;
use crate::scenario::duration::format_minutes;

/// The survival charts of the report's curves, on one time axis.
pub fn survival(r: &AfterActionReport) -> Vec<Block> {
    let x_max = survival_axis(r);
    r.survival
        .iter()
        .map(|curve| figure(|out| survival_svg(out, r, curve, x_max)))
        .collect()
}

/// A histogram of one time metric.
pub fn histogram(r: &AfterActionReport, h: &Histogram) -> Block {
    figure(|out| histogram_svg(out, r, h))
}

/// The stacked bar of mean minutes per phase.
pub fn phases(r: &AfterActionReport) -> Block {
    figure(|out| phases_svg(out, r))
}

/// A figure of the SVG `draw` writes and the caption it returns.
pub(super) fn figure(draw: impl FnOnce(&mut String) -> Text) -> Block {
    let mut svg = String::new();
    let caption = draw(&mut svg);
    Block::Figure { svg, caption }
}

/// The colour of a phase (Okabe–Ito, safe for colour-blind readers) and a text colour that
/// reads on it. Charts and legends use these throughout.
pub fn phase_colour(phase: &str) -> (&'static str, &'static str) {
    match phase {
        "detection" => ("#56B4E9", "#000"),
        "acknowledgement" => ("#0072B2", "#fff"),
        "diagnosis" => ("#E69F00", "#000"),
        "escalation_wait" => ("#CC79A7", "#000"),
        "containment" => ("#D55E00", "#000"),
        "recovery" => ("#009E73", "#000"),
        "verification" => ("#F0E442", "#000"),
        _ => ("#BBBBBB", "#000"),
    }
}

/// The colour of a time metric: that of the phase its milestone ends.
fn metric_colour(metric: &str) -> &'static str {
    phase_colour(match metric {
        "time_to_detect" => "detection",
        "time_to_acknowledge" => "acknowledgement",
        "time_to_contain" => "containment",
        _ => "recovery",
    })
    .0
}

/// `time_to_recover` → `time to recover`.
pub(super) fn spaced(name: &str) -> String {
    name.replace('_', " ")
}

/// Minutes from onset, with a sign before the onset.
pub(super) fn offset(minutes: f64) -> String {
    if minutes < 0.0 {
        format!("-{}", format_minutes(-minutes))
    } else {
        format_minutes(minutes)
    }
}

pub(super) fn objective_for<'a>(
    r: &'a AfterActionReport,
    metric: &str,
) -> Option<&'a ObjectiveRating> {
    r.objectives.iter().find(|o| o.metric == metric)
}

/// Survival charts' common time axis, in minutes: up to where every curve is at or below 1%
/// (and past the targets), so a few very long runs do not squash the curves; the captions say
/// what lies beyond.
fn survival_axis(r: &AfterActionReport) -> f64 {
    let mut longest: f64 = 0.0;
    for c in &r.survival {
        let cut = c
            .points
            .iter()
            .find(|p| p[1] <= 0.01)
            .or(c.points.last())
            .map_or(0.0, |p| p[0]);
        longest = longest.max(cut);
        if let Some(ob) = objective_for(r, &c.metric) {
            longest = longest.max(ob.target);
        }
    }
    let longest = longest.max(1.0);
    svg::ceil_to(longest * 1.04, svg::minute_step(longest * 1.04, 10))
}

/// A Kaplan-Meier step curve with its band, on `[0, x_max]` minutes from onset.
fn survival_svg(
    out: &mut String,
    r: &AfterActionReport,
    curve: &SurvivalCurve,
    x_max: f64,
) -> Text {
    const W: f64 = 760.0;
    const H: f64 = 262.0;
    let (left, right, top, bottom) = (70.0, W - 28.0, 30.0, H - 42.0);
    let name = spaced(&curve.metric);
    let state = match curve.metric.as_str() {
        "time_to_contain" => "contained",
        "time_to_recover" => "recovered",
        _ => "there",
    };
    let step = svg::minute_step(x_max, 10);
    let x = Scale::new(0.0, x_max, left, right);
    let y = Scale::new(0.0, 1.0, bottom, top);
    let colour = metric_colour(&curve.metric);
    let total = r
        .metrics
        .iter()
        .find(|m| m.metric == curve.metric)
        .map_or(0, |m| m.reached + m.censored);
    let median = r
        .metrics
        .iter()
        .find(|m| m.metric == curve.metric)
        .and_then(|m| m.median);
    let title = format!("Share of runs not yet {state} by minutes from onset ({name})");
    let desc = format!(
        "Kaplan-Meier estimate over {total} runs with a 95% band; {} runs censored; median {}.",
        curve.censored,
        minutes(median)
    );
    svg::open(
        out,
        &format!("survival-{}", curve.metric),
        W,
        H,
        &title,
        &desc,
    );
    svg::text(out, left, 16.0, "start", "chart-title", &capitalise(&name));
    svg::y_axis(
        out,
        &y,
        left,
        right,
        &svg::ticks(0.0, 1.0, 0.25),
        &|v| format!("{:.0}%", 100.0 * v),
        &format!("runs not yet {state}"),
    );
    svg::x_axis(
        out,
        &x,
        bottom,
        top,
        &svg::ticks(0.0, x_max, step),
        &format_minutes,
        "minutes from onset",
    );
    // The steps within the axis; the curve then holds its last value to the axis end.
    let shown: Vec<[f64; 4]> = curve
        .points
        .iter()
        .copied()
        .filter(|p| p[0] <= x_max)
        .collect();
    let beyond = curve.points.last().filter(|p| p[0] > x_max).copied();
    if let Some(first) = shown.first() {
        let end = if beyond.is_some() {
            x_max
        } else {
            shown[shown.len() - 1][0]
        };
        // Band: along the upper bound forward, back along the lower bound.
        let mut band = format!("M{},{}", num(x.map(first[0])), num(y.map(first[3])));
        for w in shown.windows(2) {
            let _ = write!(band, "H{}V{}", num(x.map(w[1][0])), num(y.map(w[1][3])));
        }
        let last = shown[shown.len() - 1];
        let _ = write!(band, "H{}V{}", num(x.map(end)), num(y.map(last[2])));
        for w in shown.windows(2).rev() {
            let _ = write!(band, "H{}V{}", num(x.map(w[1][0])), num(y.map(w[0][2])));
        }
        let _ = write!(band, "H{}Z", num(x.map(first[0])));
        let _ = writeln!(
            out,
            "<path d=\"{band}\" fill=\"{colour}\" fill-opacity=\"0.22\" stroke=\"none\"/>"
        );
        let mut step_path = format!("M{},{}", num(x.map(first[0])), num(y.map(first[1])));
        for w in shown.windows(2) {
            let _ = write!(
                step_path,
                "H{}V{}",
                num(x.map(w[1][0])),
                num(y.map(w[1][1]))
            );
        }
        let _ = write!(step_path, "H{}", num(x.map(end)));
        let _ = writeln!(
            out,
            "<path d=\"{step_path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" \
             stroke-linejoin=\"round\"/>"
        );
    }
    if let Some(t) = median.filter(|t| *t <= x_max) {
        let (mx, my) = (x.map(t), y.map(0.5));
        let _ = writeln!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"#fff\" stroke=\"#1c2230\" stroke-width=\"1.5\"/>",
            num(mx),
            num(my)
        );
        svg::text(
            out,
            mx + 7.0,
            my - 6.0,
            "start",
            "marker",
            &format!("median {}", format_minutes(t)),
        );
    }
    target_line(out, r, &curve.metric, &x, top, bottom);
    // Legend, top right.
    let band_text = "95% band";
    let line_text = "Kaplan-Meier estimate";
    let lx = right - (30.0 + text_width(line_text, 12.0) + 30.0 + text_width(band_text, 12.0));
    let _ = writeln!(
        out,
        "<line x1=\"{}\" y1=\"12.0\" x2=\"{}\" y2=\"12.0\" stroke=\"{colour}\" stroke-width=\"2\"/>",
        num(lx),
        num(lx + 20.0)
    );
    svg::text(out, lx + 25.0, 16.0, "start", "legend", line_text);
    let bx = lx + 30.0 + text_width(line_text, 12.0);
    let _ = writeln!(
        out,
        "<rect x=\"{}\" y=\"6.0\" width=\"20.0\" height=\"12.0\" fill=\"{colour}\" fill-opacity=\"0.22\"/>",
        num(bx)
    );
    svg::text(out, bx + 25.0, 16.0, "start", "legend", band_text);
    svg::close(out);
    let cut = match (beyond, shown.last()) {
        (Some(last), Some(at_cut)) => format!(
            " The axis stops at {}: {} of runs were not yet {state} then; the last step is at {}.",
            format_minutes(x_max),
            percent(at_cut[1]),
            format_minutes(last[0])
        ),
        _ => String::new(),
    };
    text(format!(
        "{}: median {}; {} of {} runs censored (never {state} within the horizon).{cut}",
        capitalise(&name),
        minutes(median),
        curve.censored,
        total
    ))
}

/// The dashed target of the objective on `metric`, if any and if within the axis.
fn target_line(
    out: &mut String,
    r: &AfterActionReport,
    metric: &str,
    x: &Scale,
    top: f64,
    bottom: f64,
) {
    let Some(ob) = objective_for(r, metric) else {
        return;
    };
    if ob.target > x.max() {
        return;
    }
    let tx = x.map(ob.target);
    svg::line(out, (tx, top - 4.0), (tx, bottom), "target");
    let label = format!("target {}", target(metric, ob.target));
    let right_room = x.map(x.max()) - tx;
    let (lx, anchor) = if right_room > svg::bold_width(&label, 11.0) + 8.0 {
        (tx + 4.0, "start")
    } else {
        (tx - 4.0, "end")
    };
    svg::text(out, lx, top + 8.0, anchor, "marker halo", &label);
}

fn histogram_svg(out: &mut String, r: &AfterActionReport, h: &Histogram) -> Text {
    const W: f64 = 370.0;
    const H: f64 = 222.0;
    let (left, right, top, bottom) = (58.0, W - 22.0, 34.0, H - 42.0);
    let name = spaced(&h.metric);
    let reached: u64 = h.counts.iter().sum();
    let title = format!(
        "Histogram of {name}: runs per {} bin",
        format_minutes(h.bin_minutes)
    );
    let desc = format!(
        "{reached} runs reached the milestone; {} censored runs are not shown.",
        h.censored
    );
    svg::open(out, &format!("histogram-{}", h.metric), W, H, &title, &desc);
    svg::text(out, left, 16.0, "start", "chart-title", &capitalise(&name));
    let span = (h.counts.len() as f64 * h.bin_minutes).max(1.0);
    let step = svg::minute_step(span, 5).max(h.bin_minutes);
    let x_max = svg::ceil_to(span, step);
    let x = Scale::new(0.0, x_max, left, right);
    let most = h.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let y_step = svg::nice_step(most, 4).max(1.0);
    let y_max = svg::ceil_to(most, y_step);
    let y = Scale::new(0.0, y_max, bottom, top);
    svg::y_axis(
        out,
        &y,
        left,
        right,
        &svg::ticks(0.0, y_max, y_step),
        &|v| format!("{v:.0}"),
        "runs",
    );
    svg::x_axis(
        out,
        &x,
        bottom,
        top,
        &svg::ticks(0.0, x_max, step),
        &format_minutes,
        "minutes from onset",
    );
    let colour = metric_colour(&h.metric);
    let _ = writeln!(out, "<g class=\"bars\">");
    for (i, &count) in h.counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let (a, b) = (i as f64 * h.bin_minutes, (i + 1) as f64 * h.bin_minutes);
        let (x0, x1) = (x.map(a), x.map(b));
        // A run or two must stay visible next to bins of hundreds.
        let y0 = y.map(count as f64).min(bottom - 2.0);
        svg::rect(
            out,
            (x0, y0, x1 - x0, bottom - y0),
            colour,
            Some(&format!(
                "{} – {}: {count} runs",
                format_minutes(a),
                format_minutes(b)
            )),
        );
    }
    let _ = writeln!(out, "</g>");
    if reached == 0 {
        svg::text(
            out,
            (left + right) / 2.0,
            (top + bottom) / 2.0,
            "middle",
            "small",
            "no run reached this milestone",
        );
    }
    target_line(out, r, &h.metric, &x, top, bottom);
    svg::close(out);
    let censored = if h.censored > 0 {
        format!("; {} censored, not shown", h.censored)
    } else {
        String::new()
    };
    text(format!(
        "{reached} runs, bins of {}{censored}.",
        format_minutes(h.bin_minutes)
    ))
}

/// Mean minutes per phase: one stacked bar from onset to recovery, verification apart after it.
fn phases_svg(out: &mut String, r: &AfterActionReport) -> Text {
    const W: f64 = 760.0;
    let (left, right, top) = (128.0, W - 28.0, 34.0);
    let bar = 26.0;
    let before: Vec<_> = r
        .phases
        .iter()
        .filter(|p| p.phase != "verification")
        .collect();
    let after: Vec<_> = r
        .phases
        .iter()
        .filter(|p| p.phase == "verification")
        .collect();
    let stack: f64 = before.iter().map(|p| p.mean_minutes).sum();
    let tail: f64 = after.iter().map(|p| p.mean_minutes).sum();
    let total = (stack + tail).max(1.0);
    let step = svg::minute_step(total, 8);
    let x_max = svg::ceil_to(total, step);
    let x = Scale::new(0.0, x_max, left, right);
    let row2 = top + bar + 14.0;
    let axis_y = row2 + bar + 10.0;
    // Legend below the axis; its height decides the chart's.
    let items: Vec<LegendItem> = r
        .phases
        .iter()
        .map(|p| LegendItem {
            fill: phase_colour(&p.phase).0.to_string(),
            text: format!("{} {}", spaced(&p.phase), format_minutes(p.mean_minutes)),
        })
        .collect();
    let mut legend = String::new();
    let legend_h = svg::legend(&mut legend, left, axis_y + 46.0, right - left, &items);
    let height = axis_y + 46.0 + legend_h;
    let title = "Mean minutes per run in each phase, from onset to recovery, then verification";
    let desc = r
        .phases
        .iter()
        .map(|p| format!("{} {}", spaced(&p.phase), format_minutes(p.mean_minutes)))
        .collect::<Vec<_>>()
        .join(", ");
    svg::open(out, "phases", W, height, title, &desc);
    svg::text(
        out,
        left,
        16.0,
        "start",
        "chart-title",
        "Mean minutes per run, by phase",
    );
    svg::x_axis(
        out,
        &x,
        axis_y,
        top - 6.0,
        &svg::ticks(0.0, x_max, step),
        &format_minutes,
        "mean minutes from onset",
    );
    svg::text(
        out,
        left - 10.0,
        top + bar / 2.0 + 4.0,
        "end",
        "lane",
        "onset → recovery",
    );
    svg::text(
        out,
        left - 10.0,
        row2 + bar / 2.0 + 4.0,
        "end",
        "lane",
        "after recovery",
    );
    let _ = writeln!(out, "<g class=\"bars\">");
    let mut labels = Vec::new();
    let mut at = 0.0;
    for (row_y, row) in [(top, &before), (row2, &after)] {
        if row_y == row2 {
            at = stack;
        }
        for p in row.iter() {
            if p.mean_minutes <= 0.0 {
                continue;
            }
            let (fill, ink) = phase_colour(&p.phase);
            let (x0, x1) = (x.map(at), x.map(at + p.mean_minutes));
            svg::rect(
                out,
                (x0, row_y, x1 - x0, bar),
                fill,
                Some(&format!(
                    "{}: {} on average",
                    spaced(&p.phase),
                    format_minutes(p.mean_minutes)
                )),
            );
            let label = format_minutes(p.mean_minutes);
            if text_width(&label, 11.0) + 6.0 <= x1 - x0 {
                labels.push(((x0 + x1) / 2.0, row_y + bar / 2.0 + 4.0, ink, label));
            }
            at += p.mean_minutes;
        }
    }
    let _ = writeln!(out, "</g>");
    for (lx, ly, ink, label) in labels {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"inside\" style=\"fill:{ink}\">{}</text>",
            num(lx),
            num(ly),
            escape(&label)
        );
    }
    out.push_str(&legend);
    svg::close(out);
    text(format!(
        "Mean minutes per run in each phase, over runs in which a fault began: {} from onset \
         to recovery, then {} of verification after recovery.",
        format_minutes(stack),
        format_minutes(tail)
    ))
}
