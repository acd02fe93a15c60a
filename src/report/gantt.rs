//! The Gantt chart of the representative run in the HTML after-action report: one row per
//! lane (extra tracks where a lane's activities overlap), bars coloured by phase, labels hung
//! under the bars on leader lines, milestones as dashed lines.

use std::fmt::Write as _;

use super::aar::RepresentativeRun;
use super::charts::{figure, offset, phase_colour, spaced};
use crate::model::Phase;
use crate::render::blocks::{Block, Text, text};
use crate::render::svg::{self, LegendItem, Scale, text_width};
use crate::scenario::duration::format_minutes;

/// The chart's width in px (its view box; the page scales it).
const W: f64 = 760.0;

/// The Gantt chart of `rep`.
pub fn gantt(rep: &RepresentativeRun) -> Block {
    figure(|out| gantt_svg(out, rep))
}

/// One row per lane (extra tracks where a lane's activities overlap), bars coloured by phase,
/// each bar's label hung under it on a leader line, milestones as dashed lines.
fn gantt_svg(out: &mut String, rep: &RepresentativeRun) -> Text {
    const BAR: f64 = 14.0;
    const LABEL: f64 = 11.0;
    const LINE: f64 = 14.0;
    let mut lanes: Vec<&str> = Vec::new();
    for s in &rep.spans {
        if !lanes.contains(&s.lane.as_str()) {
            lanes.push(&s.lane);
        }
    }
    let lane_measure = |t: &str| svg::bold_width(t, 12.0);
    let left =
        (lanes.iter().map(|l| lane_measure(l)).fold(0.0, f64::max) + 20.0).clamp(90.0, 210.0);
    let right = W - 28.0;
    let first = rep
        .spans
        .iter()
        .map(|s| s.start - rep.onset)
        .fold(0.0, f64::min);
    let last = rep
        .spans
        .iter()
        .map(|s| s.end - rep.onset)
        .fold(rep.time_to_recover, f64::max);
    let step = svg::minute_step(last - first, 10);
    let (x_min, x_max) = ((first / step).floor() * step, svg::ceil_to(last, step));
    let x = Scale::new(x_min, x_max, left, right);

    // Milestones from the notes ("milestone: contained (main)"), first of each name, labelled
    // on lines above the plot.
    let mut milestones: Vec<(String, f64)> = Vec::new();
    for note in &rep.timeline {
        if let Some(rest) = note.text.strip_prefix("milestone: ") {
            let name = rest.split(" (").next().unwrap_or(rest).to_string();
            let t = note.time - rep.onset;
            if !milestones.iter().any(|(n, _)| *n == name) && t >= x_min && t <= x_max {
                milestones.push((name, t));
            }
        }
    }
    let marks: Vec<(String, f64, f64)> = milestones
        .iter()
        .map(|(n, t)| {
            let label = format!("{n} {}", format_minutes(*t));
            let w = svg::bold_width(&label, 11.0);
            let centre = x.map(*t).clamp(left + w / 2.0, right - w / 2.0);
            (label, x.map(*t), centre - w / 2.0)
        })
        .collect();
    let mark_lines = svg::place_on_lines(
        &marks
            .iter()
            .map(|(label, _, start)| (*start, svg::bold_width(label, 11.0)))
            .collect::<Vec<_>>(),
        10.0,
    );
    let mark_rows = mark_lines.iter().copied().max().map_or(0, |m| m + 1);
    let top = 28.0 + mark_rows as f64 * 14.0;

    // Each lane's spans in tracks (a new track where they overlap); each track's labels hang
    // under it.
    struct Track<'a> {
        spans: Vec<&'a crate::model::Span>,
        labels: Vec<svg::Hanging>,
        lines: Vec<usize>,
    }
    let track_height = |t: &Track| {
        let lines = t.lines.iter().copied().max().map_or(0, |m| m + 1);
        6.0 + BAR + 4.0 + lines as f64 * LINE + 4.0
    };
    let mut rows: Vec<(&str, Vec<Track>)> = Vec::new();
    for lane in &lanes {
        let mut tracks: Vec<Track> = Vec::new();
        let mut ends: Vec<f64> = Vec::new();
        for s in rep.spans.iter().filter(|s| s.lane == *lane) {
            let i = match ends.iter().position(|e| *e <= s.start + 1e-9) {
                Some(i) => i,
                None => {
                    ends.push(f64::NEG_INFINITY);
                    tracks.push(Track {
                        spans: Vec::new(),
                        labels: Vec::new(),
                        lines: Vec::new(),
                    });
                    ends.len() - 1
                }
            };
            ends[i] = s.end;
            tracks[i].spans.push(s);
        }
        for track in &mut tracks {
            let bars: Vec<svg::BarLabel> = track
                .spans
                .iter()
                .map(|s| svg::BarLabel {
                    from: x.map(s.start - rep.onset),
                    to: x.map(s.end - rep.onset),
                    width: text_width(&s.label, LABEL),
                })
                .collect();
            // Labels may reach under the lane names: those sit beside the bars, not under.
            (track.labels, track.lines) = svg::hang(&bars, (4.0, right), 10.0).into_iter().unzip();
        }
        rows.push((lane, tracks));
    }
    let plot_height: f64 = rows
        .iter()
        .map(|(_, tracks)| tracks.iter().map(track_height).sum::<f64>())
        .sum();
    let bottom = top + plot_height;
    let items: Vec<LegendItem> = Phase::ALL
        .iter()
        .filter(|p| rep.spans.iter().any(|s| s.phase == **p))
        .map(|p| LegendItem {
            fill: phase_colour(p.name()).0.to_string(),
            text: spaced(p.name()),
        })
        .collect();
    let mut legend = String::new();
    let legend_h = svg::legend(&mut legend, left, bottom + 46.0, right - left, &items);
    let height = bottom + 46.0 + legend_h;

    let title = format!(
        "Gantt chart of run {}: activities per role and fault by minutes from onset",
        rep.run
    );
    let desc = format!(
        "{} activities on {} lanes; recovered after {}.",
        rep.spans.len(),
        lanes.len(),
        format_minutes(rep.time_to_recover)
    );
    svg::open(out, "gantt", W, height, &title, &desc);
    svg::text(
        out,
        left,
        16.0,
        "start",
        "chart-title",
        &format!("Run {}: who was doing what", rep.run),
    );
    svg::x_axis(
        out,
        &x,
        bottom,
        top,
        &svg::ticks(x_min, x_max, step),
        &offset,
        "minutes from onset",
    );
    for (_, mx, _) in &marks {
        svg::line(out, (*mx, top - 4.0), (*mx, bottom), "milestone");
    }
    let mut y = top;
    let mut bars = String::new();
    let mut leaders = String::new();
    let mut texts = String::new();
    for (i, (lane, tracks)) in rows.iter().enumerate() {
        if i > 0 {
            svg::line(out, (0.0, y), (right, y), "lane-rule");
        }
        svg::text(
            &mut texts,
            4.0,
            y + 6.0 + BAR - 3.0,
            "start",
            "lane",
            &svg::fit(lane, left - 14.0, &lane_measure),
        );
        for track in tracks {
            let bar_y = y + 6.0;
            for ((s, label), line) in track.spans.iter().zip(&track.labels).zip(&track.lines) {
                let (a, b) = (s.start - rep.onset, s.end - rep.onset);
                let (x0, x1) = (x.map(a), x.map(b).max(x.map(a) + 1.5));
                svg::rect(
                    &mut bars,
                    (x0, bar_y, x1 - x0, BAR),
                    phase_colour(s.phase.name()).0,
                    Some(&format!(
                        "{}: {} ({}, {} – {})",
                        s.lane,
                        s.label,
                        spaced(s.phase.name()),
                        offset(a),
                        offset(b)
                    )),
                );
                let baseline = bar_y + BAR + 4.0 + (*line as f64 + 1.0) * LINE - 3.0;
                svg::line(
                    &mut leaders,
                    (label.leader, bar_y + BAR),
                    (label.leader, baseline - 9.0),
                    "leader",
                );
                svg::text(
                    &mut texts,
                    label.start,
                    baseline,
                    "start",
                    "small halo",
                    &s.label,
                );
            }
            y += track_height(track);
        }
    }
    let _ = writeln!(out, "<g class=\"bars\">\n{bars}</g>");
    out.push_str(&leaders);
    out.push_str(&texts);
    for ((label, _, start), line) in marks.iter().zip(&mark_lines) {
        svg::text(
            out,
            *start,
            30.0 + *line as f64 * 14.0,
            "start",
            "marker halo",
            label,
        );
    }
    out.push_str(&legend);
    svg::close(out);
    text(format!(
        "Activities of run {} by role (and the fault itself), coloured by phase, each \
         labelled under its bar; dashed lines are the milestones. Its notes follow.",
        rep.run
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A leader line: `x`, top, bottom.
    type Leader = (f64, f64, f64);
    /// A label's box: left, right, top, baseline.
    type LabelBox = (f64, f64, f64, f64);

    /// The leader lines and label boxes of a rendered chart, read back from its SVG.
    fn leaders_and_labels(svg: &str) -> (Vec<Leader>, Vec<LabelBox>) {
        let attr = |line: &str, name: &str| -> f64 {
            let from = line.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            let rest = &line[from..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        };
        let mut leaders = Vec::new();
        let mut labels = Vec::new();
        for line in svg.lines() {
            if line.starts_with("<line") && line.contains("class=\"leader\"") {
                leaders.push((attr(line, "x1"), attr(line, "y1"), attr(line, "y2")));
            } else if line.starts_with("<text") && line.contains("class=\"small halo\"") {
                let content = &line[line.find('>').unwrap() + 1..line.rfind("</text>").unwrap()];
                let content = content
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&");
                let (x, y) = (attr(line, "x"), attr(line, "y"));
                labels.push((x, x + text_width(&content, 11.0), y - 9.0, y));
            }
        }
        (leaders, labels)
    }

    /// The Gantt charts of many runs of every bundled scenario: no leader line runs through
    /// another bar's label on its way down to its own, unless labels wider than a third of
    /// the plot crowd the chart (and then rarely: 5,505 crossings in these charts before
    /// labels could read leftwards and cycles were broken, 239 after).
    #[test]
    fn leader_lines_keep_clear_of_labels() {
        let paths = crate::report::catalog::scenario_files("scenarios".as_ref()).unwrap();
        let (mut charts, mut leaders_seen, mut crossings) = (0, 0, 0);
        let mut narrow_crossings = Vec::new();
        for path in &paths {
            let scenario = crate::scenario::load(path).unwrap().scenario;
            for run in 0..40 {
                let Some(rep) = RepresentativeRun::replay(&scenario, 1, run) else {
                    continue;
                };
                let mut svg = String::new();
                gantt_svg(&mut svg, &rep);
                let (leaders, labels) = leaders_and_labels(&svg);
                charts += 1;
                leaders_seen += leaders.len();
                // A label wider than a third of the narrowest plot (the widest lane names) may
                // leave no way around.
                let widest = labels.iter().map(|l| l.1 - l.0).fold(0.0, f64::max);
                let narrow = widest < (W - 28.0 - 210.0) / 3.0;
                for &(x, top, bottom) in &leaders {
                    for &(left, right, label_top, baseline) in &labels {
                        if left < x && x < right && top < baseline && label_top < bottom {
                            crossings += 1;
                            if narrow {
                                narrow_crossings
                                    .push(format!("{} run {run} at x = {x}", path.display()));
                            }
                        }
                    }
                }
            }
        }
        assert!(charts > 300 && leaders_seen > 3000, "{charts} charts");
        eprintln!("{charts} charts, {leaders_seen} leaders, {crossings} crossings");
        assert!(narrow_crossings.is_empty(), "{narrow_crossings:#?}");
        assert!(
            crossings * 100 < leaders_seen * 5,
            "{crossings} crossings of {leaders_seen}"
        );
    }
}
