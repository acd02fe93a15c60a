//! SVG chart primitives for the HTML pages: escaping, fixed-precision coordinates, linear
//! scales, round axis ticks, text-width estimates, axes and legends, and the line chart of the
//! sweep page ([`line_chart`]).
//!
//! Everything is written as text with one decimal per coordinate and no generated ids beyond
//! those the caller passes, so the same report always renders to the same bytes. The SVG is
//! meant to be inlined in an HTML5 page (no `xmlns`: the HTML parser puts `<svg>` in the SVG
//! namespace); its text inherits the page's font and the `.chart` styles of the page.

use std::fmt::Write as _;

pub use super::html::escape;
use super::html::escape_keeping_apostrophes;

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
#[derive(Debug, Clone, Copy)]
pub struct Hanging {
    /// Left edge.
    pub start: f64,
    /// Right edge.
    pub end: f64,
    /// Where its leader line runs.
    pub leader: f64,
}

/// Puts hanging labels on lines under a bar so that no two labels on a line overlap (with
/// `gap` px between) and, where possible, no leader line crosses another label's text. Labels
/// are placed right to left, so labels of later bars sit higher (a staircase) and the leaders
/// of earlier bars pass to the left of them. Returns the line of each label (0 = nearest).
pub fn hang(labels: &[Hanging], gap: f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| {
        labels[b]
            .leader
            .total_cmp(&labels[a].leader)
            .then(b.cmp(&a))
    });
    let mut line_of: Vec<Option<usize>> = vec![None; labels.len()];
    let overlaps = |a: &Hanging, b: &Hanging| a.start < b.end + gap && b.start < a.end + gap;
    let covers = |a: &Hanging, x: f64| a.start - gap / 2.0 <= x && x <= a.end + gap / 2.0;
    for &i in &order {
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
                && !placed.iter().any(|(l, o)| *l < k && covers(o, me.leader))
                && !placed.iter().any(|(l, o)| *l > k && covers(me, o.leader))
        };
        let line = (0..=lines)
            .find(|&k| clean(k))
            .or_else(|| (0..=lines).find(|&k| free(k)))
            .unwrap_or(lines);
        line_of[i] = Some(line);
    }
    line_of.into_iter().map(|l| l.unwrap_or(0)).collect()
}

// The line chart of the sweep page: styled by attributes rather than the report's `.chart`
// classes, because the sweep page has its own small stylesheet.

/// One line of a chart: a y value (or a gap) per x position.
pub struct Series<'a> {
    /// Legend text.
    pub name: &'a str,
    /// Stroke colour (CSS).
    pub color: &'a str,
    /// One value per x position; `None` leaves a gap.
    pub values: Vec<Option<f64>>,
}

/// The x axis: labels, and numeric positions when the swept values are numbers.
pub struct XAxis {
    /// Axis title.
    pub title: String,
    /// One label per position.
    pub labels: Vec<String>,
    /// Numeric positions (same length as `labels`), or `None` for evenly spaced categories.
    pub values: Option<Vec<f64>>,
}

const LINE_WIDTH: f64 = 640.0;
const LINE_HEIGHT: f64 = 300.0;
const LINE_LEFT: f64 = 64.0;
const LINE_RIGHT: f64 = 20.0;
const LINE_TOP: f64 = 36.0;
const LINE_BOTTOM: f64 = 64.0;

/// A line chart of `series` against `x`, y from 0; `y_format` writes tick labels.
pub fn line_chart(
    title: &str,
    x: &XAxis,
    y_title: &str,
    series: &[Series],
    y_format: &dyn Fn(f64) -> String,
) -> String {
    let n = x.labels.len();
    let plot_w = LINE_WIDTH - LINE_LEFT - LINE_RIGHT;
    let plot_h = LINE_HEIGHT - LINE_TOP - LINE_BOTTOM;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |m, v| m.max(*v));
    // Exact (no tolerance), as the sweep page has always chosen its steps.
    let span = if max > 0.0 { max } else { 1.0 };
    let step = round_step((span / 5.0).max(f64::MIN_POSITIVE), 0.0);
    let top = (max / step).ceil().max(1.0) * step;
    let y = |v: f64| LINE_TOP + plot_h * (1.0 - v / top);
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
                .map(|v| LINE_LEFT + plot_w * 0.05 + plot_w * 0.9 * (v - lo) / span)
                .collect()
        }
        _ => (0..n)
            .map(|i| LINE_LEFT + plot_w * (i as f64 + 0.5) / n.max(1) as f64)
            .collect(),
    };

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LINE_WIDTH} {LINE_HEIGHT}" width="{LINE_WIDTH}" height="{LINE_HEIGHT}" role="img" aria-label="{t}" font-family="system-ui, sans-serif" font-size="11">"#,
        t = escape_keeping_apostrophes(title)
    );
    let _ = write!(
        svg,
        r#"<text x="{LINE_LEFT}" y="18" font-size="13" font-weight="600">{}</text>"#,
        escape_keeping_apostrophes(title)
    );
    // Horizontal grid lines and y tick labels.
    let mut tick = 0.0;
    while tick <= top + step / 2.0 {
        let ty = y(tick);
        let _ = write!(
            svg,
            r##"<line x1="{LINE_LEFT}" x2="{x2}" y1="{ty:.1}" y2="{ty:.1}" stroke="#e3e3e3"/><text x="{lx}" y="{ly:.1}" text-anchor="end" fill="#555">{}</text>"##,
            escape_keeping_apostrophes(&y_format(tick)),
            x2 = LINE_WIDTH - LINE_RIGHT,
            lx = LINE_LEFT - 6.0,
            ly = ty + 4.0,
        );
        tick += step;
    }
    let _ = write!(
        svg,
        r##"<text transform="translate(14 {cy}) rotate(-90)" text-anchor="middle" fill="#333">{}</text>"##,
        escape_keeping_apostrophes(y_title),
        cy = LINE_TOP + plot_h / 2.0
    );
    // X axis, ticks and labels.
    let base = LINE_TOP + plot_h;
    let _ = write!(
        svg,
        r##"<line x1="{LINE_LEFT}" x2="{x2}" y1="{base}" y2="{base}" stroke="#888"/>"##,
        x2 = LINE_WIDTH - LINE_RIGHT
    );
    for (label, px) in x.labels.iter().zip(&xs) {
        let _ = write!(
            svg,
            r##"<line x1="{px:.1}" x2="{px:.1}" y1="{base}" y2="{b2}" stroke="#888"/><text x="{px:.1}" y="{ly}" text-anchor="middle" fill="#333">{}</text>"##,
            escape_keeping_apostrophes(label),
            b2 = base + 4.0,
            ly = base + 16.0
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{cx}" y="{ty}" text-anchor="middle" fill="#333">{}</text>"##,
        escape_keeping_apostrophes(&x.title),
        cx = LINE_LEFT + plot_w / 2.0,
        ty = LINE_HEIGHT - 24.0
    );
    // Series: a polyline per unbroken run of values, a dot per value.
    for s in series {
        let mut run: Vec<String> = Vec::new();
        let flush = |run: &mut Vec<String>, svg: &mut String| {
            if run.len() > 1 {
                let _ = write!(
                    svg,
                    r#"<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>"#,
                    s.color,
                    run.join(" ")
                );
            }
            run.clear();
        };
        for (value, px) in s.values.iter().zip(&xs) {
            match value {
                Some(v) => {
                    let py = y(*v);
                    run.push(format!("{px:.1},{py:.1}"));
                    let _ = write!(
                        svg,
                        r#"<circle cx="{px:.1}" cy="{py:.1}" r="3" fill="{}"><title>{}: {}</title></circle>"#,
                        s.color,
                        escape_keeping_apostrophes(s.name),
                        escape_keeping_apostrophes(&y_format(*v))
                    );
                }
                None => flush(&mut run, &mut svg),
            }
        }
        flush(&mut run, &mut svg);
    }
    // Legend along the bottom.
    let mut lx = LINE_LEFT;
    for s in series {
        let _ = write!(
            svg,
            r##"<rect x="{lx}" y="{ly}" width="12" height="3" fill="{}"/><text x="{tx}" y="{ty}" fill="#333">{}</text>"##,
            s.color,
            escape_keeping_apostrophes(s.name),
            ly = LINE_HEIGHT - 10.0,
            tx = lx + 16.0,
            ty = LINE_HEIGHT - 6.0
        );
        lx += 24.0 + 7.0 * s.name.len() as f64;
    }
    svg.push_str("</svg>");
    svg
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
        let at = |start: f64, width: f64| Hanging {
            start,
            end: start + width,
            leader: start,
        };
        // Three labels starting close together form a staircase, the latest on top.
        let lines = hang(&[at(0.0, 100.0), at(20.0, 100.0), at(40.0, 30.0)], 4.0);
        assert_eq!(lines, vec![2, 1, 0]);
        // Far apart they share the first line.
        assert_eq!(hang(&[at(0.0, 50.0), at(100.0, 50.0)], 4.0), vec![0, 0]);
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
    fn line_chart_ticks_are_round_numbers() {
        assert_eq!(round_step(47.0 / 5.0, 0.0), 10.0);
        assert_eq!(round_step(0.9 / 5.0, 0.0), 0.2);
        assert_eq!(round_step(130.0 / 5.0, 0.0), 50.0);
    }

    #[test]
    fn a_chart_is_one_svg_with_every_label_escaped() {
        let svg = line_chart(
            "a < b",
            &XAxis {
                title: "x".to_string(),
                labels: vec!["5m".into(), "10m".into()],
                values: Some(vec![5.0, 10.0]),
            },
            "minutes",
            &[Series {
                name: "median",
                color: "#1f77b4",
                values: vec![Some(3.0), None],
            }],
            &|v| format!("{v}"),
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("a &lt; b"));
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(!svg.contains("<polyline"), "a single point draws no line");
    }
}
