//! SVG chart primitives for the HTML pages: escaping, fixed-precision coordinates, linear
//! scales, round axis ticks, text-width estimates, axes and legends, and the chart of
//! estimates with their intervals against swept values ([`interval_chart`]).
//!
//! Everything is written as text with one decimal per coordinate and no generated ids beyond
//! those the caller passes, so the same report always renders to the same bytes. The SVG is
//! meant to be inlined in an HTML5 page (no `xmlns`: the HTML parser puts `<svg>` in the SVG
//! namespace); its text inherits the page's font and the `.chart` styles of the page.

use std::fmt::Write as _;

pub use super::html::escape;

/// A coordinate with one decimal (never `-0.0`, never `NaN`).
pub fn num(value: f64) -> String {
    if !value.is_finite() {
        return "0.0".to_string();
    }
    let text = format!("{value:.1}");
    if text == "-0.0" {
        "0.0".to_string()
    } else {
        text
    }
}

/// Estimated width of `text` at `size` px in the page's sans-serif font (a little generous,
/// so labels placed with it do not collide).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | '(' | ')'
            | '-' | 'f' | 't' | 'r' => 0.36,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.9,
            'A'..='Z' => 0.7,
            _ => 0.6,
        })
        .sum::<f64>()
        * size
}

/// Estimated width of bold (weight 600–700) text.
pub fn bold_width(text: &str, size: f64) -> f64 {
    1.1 * text_width(text, size)
}

/// `text` shortened with an ellipsis so that `measure(text)` fits `width` px.
pub fn fit(text: &str, width: f64, measure: &dyn Fn(&str) -> f64) -> String {
    if measure(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        let next = format!("{out}{c}…");
        if measure(&next) > width {
            break;
        }
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

/// A linear map from a domain to a range of pixels.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// Maps `[d0, d1]` onto `[r0, r1]`.
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Self {
        Scale { d0, d1, r0, r1 }
    }

    /// The pixel of a value.
    pub fn map(&self, value: f64) -> f64 {
        if self.d1 == self.d0 {
            return self.r0;
        }
        self.r0 + (value - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }

    /// The domain's upper end.
    pub fn max(&self) -> f64 {
        self.d1
    }
}

/// A 1, 2 or 5 × 10^k step giving at most `intervals` intervals over `span`.
pub fn nice_step(span: f64, intervals: usize) -> f64 {
    if span.is_nan() || span <= 0.0 {
        return 1.0;
    }
    round_step(span / intervals.max(1) as f64, 1e-9)
}

/// The least 1, 2 or 5 × 10^k step at or above `raw`, allowing `tolerance` (a relative
/// shortfall that rounding noise may cause).
fn round_step(raw: f64, tolerance: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - tolerance))
        .unwrap_or(10.0 * magnitude)
}

/// A round duration in minutes (seconds, minutes, hours, days) giving at most `intervals`
/// intervals over `span` minutes.
pub fn minute_step(span: f64, intervals: usize) -> f64 {
    const STEPS: [f64; 19] = [
        0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 180.0, 240.0, 360.0, 480.0,
        720.0, 1440.0, 2880.0, 4320.0,
    ];
    let intervals = intervals.max(1) as f64;
    STEPS
        .iter()
        .copied()
        .find(|s| span / s <= intervals + 1e-9)
        .unwrap_or_else(|| 1440.0 * nice_step(span / 1440.0, intervals as usize))
}

/// The multiples of `step` in `[low, high]`.
pub fn ticks(low: f64, high: f64, step: f64) -> Vec<f64> {
    if step <= 0.0 || !low.is_finite() || !high.is_finite() {
        return Vec::new();
    }
    let first = (low / step - 1e-9).ceil() as i64;
    let last = (high / step + 1e-9).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// `value` rounded up to a multiple of `step`.
pub fn ceil_to(value: f64, step: f64) -> f64 {
    if step <= 0.0 {
        return value;
    }
    ((value / step) - 1e-9).ceil().max(1.0) * step
}

/// Opens an inline SVG chart of `width` × `height` with its accessible name and description.
pub fn open(out: &mut String, id: &str, width: f64, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" \
         role=\"img\" aria-label=\"{label}\" \
         preserveAspectRatio=\"xMinYMin meet\">\n<title>{label}</title>\n<desc>{desc}</desc>\n",
        w = num(width),
        h = num(height),
        label = escape(title),
        desc = escape(desc),
    );
}

/// Closes a chart.
pub fn close(out: &mut String) {
    out.push_str("</svg>\n");
}

/// Text at `(x, y)`; `anchor` is `start`, `middle` or `end`; `class` styles it.
pub fn text(out: &mut String, x: f64, y: f64, anchor: &str, class: &str, content: &str) {
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" class=\"{class}\">{}</text>",
        num(x),
        num(y),
        escape(content)
    );
}

/// A line.
pub fn line(out: &mut String, (x1, y1): (f64, f64), (x2, y2): (f64, f64), class: &str) {
    let _ = writeln!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{class}\"/>",
        num(x1),
        num(y1),
        num(x2),
        num(y2)
    );
}

/// A filled rectangle with an optional tooltip.
pub fn rect(out: &mut String, (x, y, w, h): (f64, f64, f64, f64), fill: &str, tip: Option<&str>) {
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"",
        num(x),
        num(y),
        num(w.max(0.0)),
        num(h.max(0.0))
    );
    match tip {
        Some(tip) => {
            let _ = writeln!(out, "><title>{}</title></rect>", escape(tip));
        }
        None => out.push_str("/>\n"),
    }
}

/// A horizontal axis at `y` with ticks, gridlines up to `grid_top` and a title below.
pub fn x_axis(
    out: &mut String,
    scale: &Scale,
    y: f64,
    grid_top: f64,
    values: &[f64],
    label: &dyn Fn(f64) -> String,
    title: &str,
) {
    let (left, right) = (scale.map(scale.d0), scale.map(scale.d1));
    for &v in values {
        let x = scale.map(v);
        line(out, (x, grid_top), (x, y), "grid");
        line(out, (x, y), (x, y + 4.0), "axis");
        text(out, x, y + 16.0, "middle", "tick", &label(v));
    }
    line(out, (left, y), (right, y), "axis");
    text(
        out,
        (left + right) / 2.0,
        y + 34.0,
        "middle",
        "axis-title",
        title,
    );
}

/// A vertical axis at `x` with ticks, gridlines across to `grid_right` and a rotated title.
pub fn y_axis(
    out: &mut String,
    scale: &Scale,
    x: f64,
    grid_right: f64,
    values: &[f64],
    label: &dyn Fn(f64) -> String,
    title: &str,
) {
    let (bottom, top) = (scale.map(scale.d0), scale.map(scale.d1));
    for &v in values {
        let y = scale.map(v);
        line(out, (x, y), (grid_right, y), "grid");
        line(out, (x - 4.0, y), (x, y), "axis");
        text(out, x - 7.0, y + 4.0, "end", "tick", &label(v));
    }
    line(out, (x, bottom), (x, top), "axis");
    let mid = (bottom + top) / 2.0;
    let _ = writeln!(
        out,
        "<text transform=\"translate({} {}) rotate(-90)\" text-anchor=\"middle\" class=\"axis-title\">{}</text>",
        num(x - 44.0),
        num(mid),
        escape(title)
    );
}

/// One legend entry: a swatch colour and its text.
pub struct LegendItem {
    /// Fill of the swatch.
    pub fill: String,
    /// What it stands for.
    pub text: String,
}

/// Lays out legend entries in lines from `(x, y)` within `width`; returns the height used.
pub fn legend(out: &mut String, x: f64, y: f64, width: f64, items: &[LegendItem]) -> f64 {
    const SIZE: f64 = 12.0;
    const LINE: f64 = 20.0;
    let (mut cx, mut cy) = (x, y);
    for item in items {
        let w = 18.0 + text_width(&item.text, SIZE) + 18.0;
        if cx > x && cx + w > x + width {
            cx = x;
            cy += LINE;
        }
        let _ = writeln!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"12.0\" height=\"12.0\" rx=\"2.0\" fill=\"{}\" class=\"swatch\"/>",
            num(cx),
            num(cy),
            item.fill
        );
        text(out, cx + 17.0, cy + 10.5, "start", "legend", &item.text);
        cx += w;
    }
    if items.is_empty() { 0.0 } else { cy - y + LINE }
}

/// Greedy placement of labels on lines: each `(start, width)` goes on the first line where it
/// overlaps no earlier label (with `gap` px between). Returns the line of each label.
pub fn place_on_lines(spans: &[(f64, f64)], gap: f64) -> Vec<usize> {
    let mut ends: Vec<f64> = Vec::new();
    spans
        .iter()
        .map(|&(start, width)| {
            let line = match ends.iter().position(|&end| end + gap <= start) {
                Some(i) => i,
                None => {
                    ends.push(f64::NEG_INFINITY);
                    ends.len() - 1
                }
            };
            ends[line] = start + width;
            line
        })
        .collect()
}

/// A label under a bar: it covers `[start, end]` px and hangs from a leader line at `leader`
/// px (its left or right edge) that drops from the bar to the label's line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hanging {
    /// Left edge.
    pub start: f64,
    /// Right edge.
    pub end: f64,
    /// Where its leader line runs.
    pub leader: f64,
}

/// How many labels [`hang`] turns the other way, one at a time, looking for fewer crossings.
const MAX_TURNS: usize = 400;

/// The most labels of a row [`hang`] turns one at a time: each turn lays the row out again
/// (quadratic in its labels), so a longer row keeps the better of its two first layouts.
const MAX_TURNED_ROW: usize = 40;

/// How close (px) a leader line may pass beside a label's text.
const LEADER_CLEARANCE: f64 = 2.0;

impl Hanging {
    /// Whether a leader at `x` would run through (or touch) the label's text.
    fn covers(&self, x: f64) -> bool {
        self.start - LEADER_CLEARANCE < x && x < self.end + LEADER_CLEARANCE
    }
}

/// A bar from `from` to `to` px whose label, `width` px wide, hangs under it.
#[derive(Debug, Clone, Copy)]
pub struct BarLabel {
    /// The bar's left end.
    pub from: f64,
    /// The bar's right end.
    pub to: f64,
    /// The label's width.
    pub width: f64,
}

impl BarLabel {
    /// The label hung from the bar's start, reading rightwards.
    fn rightwards(&self) -> Hanging {
        Hanging {
            start: self.from,
            end: self.from + self.width,
            leader: self.from,
        }
    }

    /// The label hung from the bar's end, reading up to it.
    fn leftwards(&self) -> Hanging {
        Hanging {
            start: self.to - self.width,
            end: self.to,
            leader: self.to,
        }
    }
}

/// Hangs the labels of bars that share a row on lines under it, within `[min, max]` px: no
/// two labels on a line overlap (with `gap` px between), and no leader line runs through a
/// label on its way down, wherever the labels allow it. Returns each label's place and line
/// (0 = nearest the bar).
///
/// A leader drops through every line above its label's, so a label that covers another
/// bar's leader must sit below that bar's label. A label reads rightwards from its bar's
/// start (covering only leaders to its right) unless it would pass `max`; then it reads
/// leftwards up to its bar's end. Where labels then cover each other's leaders in a cycle,
/// no lines keep them all clear, so every label that fits reads leftwards instead (covering
/// only leaders to its left) if that leaves fewer cycles, and then single labels are turned
/// the other way while that breaks more. Labels are placed so that each comes after every
/// label whose leader it covers, otherwise right to left, each on the first clear line (or,
/// breaking a cycle, the first free one).
pub fn hang(bars: &[BarLabel], (min, max): (f64, f64), gap: f64) -> Vec<(Hanging, usize)> {
    // Each label's ways to hang within the bounds: rightwards first where it fits.
    let ways: Vec<Vec<Hanging>> = bars
        .iter()
        .map(|bar| {
            let ways: Vec<Hanging> = [bar.rightwards(), bar.leftwards()]
                .into_iter()
                .filter(|way| way.start >= min && way.end <= max)
                .collect();
            if ways.is_empty() {
                // Fits neither way: as far right as it goes, its leader where the bar starts.
                let start = (max - bar.width).max(min);
                vec![Hanging {
                    start,
                    end: start + bar.width,
                    leader: bar.from,
                }]
            } else {
                ways
            }
        })
        .collect();
    let labels_of = |choice: &[usize]| -> Vec<Hanging> {
        choice.iter().zip(&ways).map(|(&c, w)| w[c]).collect()
    };
    let crossings_of = |choice: &[usize]| {
        let labels = labels_of(choice);
        crossings(&labels, &lines_for(&labels, gap))
    };
    let mut choice = vec![0; bars.len()];
    let mut crossed = crossings_of(&choice);
    if crossed > 0 {
        // Every label that can reads leftwards: leaders are then covered only from the right.
        let leftwards: Vec<usize> = ways.iter().map(|w| w.len() - 1).collect();
        let other = crossings_of(&leftwards);
        if other < crossed {
            (choice, crossed) = (leftwards, other);
        }
    }
    // Then one label at a time turned the other way while that leaves fewer crossings (a
    // bounded search: each try lays every label out again).
    let mut tries = 0;
    while crossed > 0 && tries < MAX_TURNS && bars.len() <= MAX_TURNED_ROW {
        let mut better = false;
        for i in 0..bars.len() {
            if ways[i].len() < 2 || crossed == 0 || tries >= MAX_TURNS {
                continue;
            }
            tries += 1;
            choice[i] = 1 - choice[i];
            let now = crossings_of(&choice);
            if now < crossed {
                crossed = now;
                better = true;
            } else {
                choice[i] = 1 - choice[i];
            }
        }
        if !better {
            break;
        }
    }
    let labels = labels_of(&choice);
    let lines = lines_for(&labels, gap);
    labels.into_iter().zip(lines).collect()
}

/// The line of each label: placed in [`placing_order`], each on the first line where it
/// overlaps no label (with `gap` px between) and no leader crosses it or is crossed by it, or
/// failing that the first line where it overlaps none.
fn lines_for(labels: &[Hanging], gap: f64) -> Vec<usize> {
    let overlaps = |a: &Hanging, b: &Hanging| a.start < b.end + gap && b.start < a.end + gap;
    let mut line_of: Vec<Option<usize>> = vec![None; labels.len()];
    for i in placing_order(labels) {
        let me = &labels[i];
        let placed: Vec<(usize, &Hanging)> = line_of
            .iter()
            .enumerate()
            .filter_map(|(j, l)| l.map(|l| (l, &labels[j])))
            .collect();
        let lines = placed.iter().map(|(l, _)| l + 1).max().unwrap_or(0);
        let free = |k: usize| !placed.iter().any(|(l, o)| *l == k && overlaps(me, o));
        let clean = |k: usize| {
            free(k)
                && !placed.iter().any(|(l, o)| *l < k && o.covers(me.leader))
                && !placed.iter().any(|(l, o)| *l > k && me.covers(o.leader))
        };
        let line = (0..=lines)
            .find(|&k| clean(k))
            .or_else(|| (0..=lines).find(|&k| free(k)))
            .unwrap_or(lines);
        line_of[i] = Some(line);
    }
    line_of.into_iter().map(|l| l.unwrap_or(0)).collect()
}

/// How many (leader, label) pairs cross: a label on a line above another's, over its leader.
fn crossings(labels: &[Hanging], lines: &[usize]) -> usize {
    let mut count = 0;
    for (me, my_line) in labels.iter().zip(lines) {
        for (other, other_line) in labels.iter().zip(lines) {
            if other_line < my_line && other.covers(me.leader) {
                count += 1;
            }
        }
    }
    count
}

/// Indices by leader, right to left (later index first among equal leaders).
fn right_to_left(labels: &[Hanging]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| {
        labels[b]
            .leader
            .total_cmp(&labels[a].leader)
            .then(b.cmp(&a))
    });
    order
}

/// An order to place `labels` in where each comes after every label whose leader it covers
/// (so a clear line is always left for it), right to left where that leaves a choice. Where
/// labels cover each other's leaders in a cycle, the one waiting on the fewest goes next
/// anyway (it may cross a leader).
fn placing_order(labels: &[Hanging]) -> Vec<usize> {
    let n = labels.len();
    let covers = |a: usize, b: usize| a != b && labels[a].covers(labels[b].leader);
    // How many labels not yet placed each label covers the leader of.
    let mut waiting: Vec<usize> = (0..n)
        .map(|a| (0..n).filter(|&b| covers(a, b)).count())
        .collect();
    let preferred = right_to_left(labels);
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let unplaced = || preferred.iter().copied().filter(|&i| !placed[i]);
        let next = unplaced()
            .find(|&i| waiting[i] == 0)
            .or_else(|| unplaced().min_by_key(|&i| waiting[i]));
        let Some(next) = next else { break };
        placed[next] = true;
        order.push(next);
        for (a, count) in waiting.iter_mut().enumerate() {
            if !placed[a] && covers(a, next) {
                *count -= 1;
            }
        }
    }
    order
}

/// A value and its 95% interval; an interval end is `None` where it is unknown (an upper
/// end beyond what the runs reached).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The value.
    pub value: f64,
    /// The interval's lower end.
    pub low: Option<f64>,
    /// The interval's upper end.
    pub high: Option<f64>,
}

/// One line of an [`interval_chart`]: an estimate (or a gap) per x position.
pub struct Series {
    /// Legend text (no legend when a chart has one series).
    pub name: String,
    /// Stroke colour (CSS).
    pub color: &'static str,
    /// One estimate per x position; `None` leaves a gap.
    pub values: Vec<Option<Estimate>>,
}

/// The x axis of an [`interval_chart`]: labels, and numeric positions when the swept values
/// are numbers.
pub struct XAxis {
    /// Axis title.
    pub title: String,
    /// One label per position.
    pub labels: Vec<String>,
    /// Numeric positions (same length as `labels`), or `None` for evenly spaced categories.
    pub values: Option<Vec<f64>>,
}

/// The y axis of an [`interval_chart`]: from 0 to `top` in steps of `step`, labelled by
/// `format`. Charts that share one make their values comparable at a glance.
pub struct YAxis<'a> {
    /// Axis title.
    pub title: &'a str,
    /// Upper end.
    pub top: f64,
    /// Tick step.
    pub step: f64,
    /// Tick and tooltip text of a value.
    pub format: &'a dyn Fn(f64) -> String,
}

const CHART_WIDTH: f64 = 440.0;
const CHART_LEFT: f64 = 62.0;
const CHART_RIGHT: f64 = 14.0;
const CHART_TOP: f64 = 28.0;
const CHART_PLOT: f64 = 170.0;

/// A chart of estimates with their 95% intervals against `x`: a line per series through its
/// values, a whisker per interval (open at the top where the upper end is unknown), series
/// nudged apart sideways so their whiskers do not hide each other, and a legend under the
/// axis, headed `legend_title`, when there is more than one series. Styled by the shared
/// `.chart` classes.
pub fn interval_chart(
    id: &str,
    title: &str,
    x: &XAxis,
    y: &YAxis,
    series: &[Series],
    legend_title: &str,
    desc: &str,
) -> String {
    let n = x.labels.len();
    let plot_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT;
    let bottom = CHART_TOP + CHART_PLOT;
    let scale = Scale::new(0.0, y.top, bottom, CHART_TOP);
    let xs: Vec<f64> = match &x.values {
        Some(values) if n > 1 => {
            let (lo, hi) = values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(*v), b.max(*v))
                });
            let span = if hi > lo { hi - lo } else { 1.0 };
            values
                .iter()
                .map(|v| CHART_LEFT + plot_w * (0.08 + 0.84 * (v - lo) / span))
                .collect()
        }
        _ => (0..n)
            .map(|i| CHART_LEFT + plot_w * (i as f64 + 0.5) / n.max(1) as f64)
            .collect(),
    };
    let mut body = String::new();
    text(&mut body, CHART_LEFT, 16.0, "start", "chart-title", title);
    y_axis(
        &mut body,
        &scale,
        CHART_LEFT,
        CHART_WIDTH - CHART_RIGHT,
        &ticks(0.0, y.top, y.step),
        y.format,
        y.title,
    );
    line(
        &mut body,
        (CHART_LEFT, bottom),
        (CHART_WIDTH - CHART_RIGHT, bottom),
        "axis",
    );
    // Labels share the room between ticks; a long one is shortened (its tooltip is whole).
    let room = if n > 1 {
        xs.windows(2).map(|w| w[1] - w[0]).fold(plot_w, f64::min) - 4.0
    } else {
        plot_w
    };
    for (label, &px) in x.labels.iter().zip(&xs) {
        line(&mut body, (px, bottom), (px, bottom + 4.0), "axis");
        let shown = fit(label, room.max(24.0), &|t| text_width(t, 11.0));
        text(&mut body, px, bottom + 16.0, "middle", "tick", &shown);
    }
    text(
        &mut body,
        CHART_LEFT + plot_w / 2.0,
        bottom + 34.0,
        "middle",
        "axis-title",
        &fit(&x.title, plot_w, &|t| text_width(t, 12.0)),
    );
    let spread = 7.0;
    for (k, s) in series.iter().enumerate() {
        let nudge = (k as f64 - (series.len() as f64 - 1.0) / 2.0) * spread;
        let mut run: Vec<String> = Vec::new();
        let mut runs: Vec<String> = Vec::new();
        for (value, &px) in s.values.iter().zip(&xs) {
            let Some(e) = value else {
                runs.push(std::mem::take(&mut run).join(" "));
                continue;
            };
            let px = px + nudge;
            run.push(format!("{},{}", num(px), num(scale.map(e.value))));
            if e.low.is_some() || e.high.is_some() {
                let low = scale.map(e.low.unwrap_or(0.0));
                let high = scale.map(e.high.unwrap_or(y.top));
                let _ = writeln!(
                    body,
                    "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{c}\" stroke-width=\"1.4\"/>",
                    num(low),
                    num(high),
                    x = num(px),
                    c = s.color
                );
                for (end, known) in [(low, e.low.is_some()), (high, e.high.is_some())] {
                    if known {
                        let _ = writeln!(
                            body,
                            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{c}\" stroke-width=\"1.4\"/>",
                            num(px - 3.5),
                            num(px + 3.5),
                            y = num(end),
                            c = s.color
                        );
                    }
                }
            }
            let show = |v: Option<f64>| v.map_or_else(|| "…".to_string(), |v| (y.format)(v));
            let mut tip = format!("{}: {}", s.name, (y.format)(e.value));
            if e.low.is_some() || e.high.is_some() {
                let _ = write!(tip, " [{} – {}]", show(e.low), show(e.high));
            }
            let _ = writeln!(
                body,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>{}</title></circle>",
                num(px),
                num(scale.map(e.value)),
                s.color,
                escape(&tip)
            );
        }
        runs.push(run.join(" "));
        for points in runs.iter().filter(|r| r.contains(' ')) {
            let _ = writeln!(
                body,
                "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2.0\" points=\"{points}\"/>",
                s.color
            );
        }
    }
    let mut height = bottom + 44.0;
    if series.len() > 1 {
        let items: Vec<LegendItem> = series
            .iter()
            .map(|s| LegendItem {
                fill: s.color.to_string(),
                text: fit(&s.name, plot_w - 40.0, &|t| text_width(t, 12.0)),
            })
            .collect();
        let heading = fit(legend_title, plot_w, &|t| text_width(t, 12.0));
        text(
            &mut body,
            CHART_LEFT,
            height + 12.0,
            "start",
            "legend",
            &heading,
        );
        height += 18.0;
        height += 4.0 + legend(&mut body, CHART_LEFT, height + 4.0, plot_w, &items);
    }
    let mut out = String::new();
    open(&mut out, id, CHART_WIDTH, height + 4.0, title, desc);
    out.push_str(&body);
    close(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(100.0, 5), 20.0);
        assert_eq!(nice_step(7.0, 4), 2.0);
        assert_eq!(minute_step(400.0, 8), 60.0);
        assert_eq!(minute_step(100.0, 8), 15.0);
        assert_eq!(minute_step(10_000.0, 6), 2880.0);
        assert_eq!(ticks(0.0, 100.0, 25.0), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        assert_eq!(ceil_to(101.0, 25.0), 125.0);
        assert_eq!(num(-0.01), "0.0");
    }

    #[test]
    fn labels_do_not_overlap() {
        let lines = place_on_lines(&[(0.0, 50.0), (10.0, 20.0), (60.0, 10.0), (35.0, 5.0)], 4.0);
        assert_eq!(lines, vec![0, 1, 0, 1]);
    }

    #[test]
    fn hanging_labels_do_not_collide() {
        let bar = |from: f64, width: f64| BarLabel {
            from,
            to: from + 5.0,
            width,
        };
        let lines = |bars: &[BarLabel]| -> Vec<usize> {
            hang(bars, (0.0, 1000.0), 4.0)
                .into_iter()
                .map(|(_, line)| line)
                .collect()
        };
        // Three labels starting close together form a staircase, the latest on top.
        assert_eq!(
            lines(&[bar(0.0, 100.0), bar(20.0, 100.0), bar(40.0, 30.0)]),
            vec![2, 1, 0]
        );
        // Far apart they share the first line.
        assert_eq!(lines(&[bar(0.0, 50.0), bar(100.0, 50.0)]), vec![0, 0]);
    }

    /// Near the right edge a label reads leftwards up to its bar's end; where a rightwards
    /// label and a leftwards one would cover each other's leaders, both read leftwards, and
    /// no leader crosses a label above its own.
    #[test]
    fn labels_near_the_edge_hang_leftwards_without_crossing_leaders() {
        let bars = [
            BarLabel {
                from: 500.0,
                to: 540.0,
                width: 150.0,
            },
            BarLabel {
                from: 560.0,
                to: 600.0,
                width: 200.0,
            },
        ];
        let placed = hang(&bars, (0.0, 700.0), 4.0);
        assert_eq!(
            placed[1].0.end, 600.0,
            "the second reads up to its bar's end"
        );
        assert_eq!(
            placed[0].0.end, 540.0,
            "so does the first, to keep leaders clear"
        );
        for (a, (label, line)) in placed.iter().enumerate() {
            for (b, (other, other_line)) in placed.iter().enumerate() {
                if a != b && other_line < line {
                    assert!(!other.covers(label.leader), "{placed:?}");
                }
            }
        }
    }

    proptest::proptest! {
        /// Bars of a row, one after another (leaders at least 3 px apart), whose labels all
        /// fit: no two labels on a line overlap and no leader runs through a label above its
        /// own. With a tight right edge, still no overlaps on a line.
        #[test]
        fn hung_labels_never_overlap_and_leaders_stay_clear_where_they_fit(
            steps in proptest::collection::vec((3.0..60.0f64, 0.5..40.0f64, 10.0..200.0f64), 1..40),
            tight in 300.0..900.0f64,
        ) {
            let mut from = 0.0;
            let bars: Vec<BarLabel> = steps
                .iter()
                .map(|&(step, length, width)| {
                    from += step;
                    BarLabel { from, to: from + length, width }
                })
                .collect();
            let on_a_line = |a: &(Hanging, usize), b: &(Hanging, usize)| {
                a.1 == b.1 && a.0.start < b.0.end + 10.0 && b.0.start < a.0.end + 10.0
            };
            let roomy = hang(&bars, (0.0, 1e9), 10.0);
            let squeezed = hang(&bars, (0.0, tight), 10.0);
            for (i, a) in roomy.iter().enumerate() {
                for (j, b) in roomy.iter().enumerate() {
                    if i == j {
                        continue;
                    }
                    proptest::prop_assert!(!on_a_line(a, b), "{:?} and {:?}", a, b);
                    proptest::prop_assert!(
                        !(b.1 < a.1 && b.0.covers(a.0.leader)),
                        "the leader of {:?} crosses {:?}", a, b
                    );
                    proptest::prop_assert!(!on_a_line(&squeezed[i], &squeezed[j]));
                }
            }
        }
    }

    #[test]
    fn long_text_is_shortened() {
        let measure = |t: &str| bold_width(t, 12.0);
        let short = fit("a very long lane name indeed", 60.0, &measure);
        assert!(short.ends_with('…'));
        assert!(measure(&short) <= 60.0);
        assert_eq!(fit("short", 60.0, &measure), "short");
    }

    #[test]
    fn an_interval_chart_draws_whiskers_lines_and_a_legend_escaped() {
        let estimate = |value: f64, low: f64, high: Option<f64>| {
            Some(Estimate {
                value,
                low: Some(low),
                high,
            })
        };
        let chart = interval_chart(
            "c",
            "a < b",
            &XAxis {
                title: "x".to_string(),
                labels: vec!["5m".into(), "10m".into(), "20m".into()],
                values: Some(vec![5.0, 10.0, 20.0]),
            },
            &YAxis {
                title: "minutes",
                top: 40.0,
                step: 10.0,
                format: &|v| format!("{v}"),
            },
            &[
                Series {
                    name: "k = 1".into(),
                    color: "#0072B2",
                    values: vec![
                        estimate(3.0, 2.0, Some(4.0)),
                        None,
                        estimate(9.0, 7.0, None),
                    ],
                },
                Series {
                    name: "k = <2>".into(),
                    color: "#D55E00",
                    values: vec![
                        estimate(5.0, 4.0, Some(6.0)),
                        estimate(6.0, 5.0, Some(8.0)),
                        None,
                    ],
                },
            ],
            "k",
            "d",
        );
        assert!(chart.starts_with("<svg class=\"chart\" id=\"c\"") && chart.ends_with("</svg>\n"));
        assert!(chart.contains(">a &lt; b</text>") && chart.contains(">k = &lt;2&gt;</text>"));
        assert!(
            chart.contains("class=\"legend\">k</text>"),
            "the legend's heading"
        );
        assert_eq!(chart.matches("<circle").count(), 4);
        // The first series' gap breaks its line: only the second has one.
        assert_eq!(chart.matches("<polyline").count(), 1);
        // A whisker per estimate; caps on known ends only (the open upper end has none).
        assert_eq!(chart.matches("stroke-width=\"1.4\"").count(), 4 + 7);
        assert!(chart.contains("<title>k = 1: 9 [7 – …]</title>"));
    }
}
