//! Minimal SVG line charts for the sweep page: one chart, several series against one x axis,
//! self-contained (no script, no external style). Written for `ttx sweep --html` before a
//! shared SVG module existed; a shared one can replace it without changing the page.

use std::fmt::Write as _;

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

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 64.0;

/// Escapes text for HTML and SVG.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A tick step of 1, 2 or 5 times a power of ten giving about `count` ticks up to `max`.
fn nice_step(max: f64, count: f64) -> f64 {
    let raw = (max / count).max(f64::MIN_POSITIVE);
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// A line chart of `series` against `x`, y from 0; `y_format` writes tick labels.
pub fn line_chart(
    title: &str,
    x: &XAxis,
    y_title: &str,
    series: &[Series],
    y_format: &dyn Fn(f64) -> String,
) -> String {
    let n = x.labels.len();
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |m, v| m.max(*v));
    let step = nice_step(if max > 0.0 { max } else { 1.0 }, 5.0);
    let top = (max / step).ceil().max(1.0) * step;
    let y = |v: f64| TOP + plot_h * (1.0 - v / top);
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
                .map(|v| LEFT + plot_w * 0.05 + plot_w * 0.9 * (v - lo) / span)
                .collect()
        }
        _ => (0..n)
            .map(|i| LEFT + plot_w * (i as f64 + 0.5) / n.max(1) as f64)
            .collect(),
    };

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{t}" font-family="system-ui, sans-serif" font-size="11">"#,
        t = escape(title)
    );
    let _ = write!(
        svg,
        r#"<text x="{LEFT}" y="18" font-size="13" font-weight="600">{}</text>"#,
        escape(title)
    );
    // Horizontal grid lines and y tick labels.
    let mut tick = 0.0;
    while tick <= top + step / 2.0 {
        let ty = y(tick);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{x2}" y1="{ty:.1}" y2="{ty:.1}" stroke="#e3e3e3"/><text x="{lx}" y="{ly:.1}" text-anchor="end" fill="#555">{}</text>"##,
            escape(&y_format(tick)),
            x2 = WIDTH - RIGHT,
            lx = LEFT - 6.0,
            ly = ty + 4.0,
        );
        tick += step;
    }
    let _ = write!(
        svg,
        r##"<text transform="translate(14 {cy}) rotate(-90)" text-anchor="middle" fill="#333">{}</text>"##,
        escape(y_title),
        cy = TOP + plot_h / 2.0
    );
    // X axis, ticks and labels.
    let base = TOP + plot_h;
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" x2="{x2}" y1="{base}" y2="{base}" stroke="#888"/>"##,
        x2 = WIDTH - RIGHT
    );
    for (label, px) in x.labels.iter().zip(&xs) {
        let _ = write!(
            svg,
            r##"<line x1="{px:.1}" x2="{px:.1}" y1="{base}" y2="{b2}" stroke="#888"/><text x="{px:.1}" y="{ly}" text-anchor="middle" fill="#333">{}</text>"##,
            escape(label),
            b2 = base + 4.0,
            ly = base + 16.0
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{cx}" y="{ty}" text-anchor="middle" fill="#333">{}</text>"##,
        escape(&x.title),
        cx = LEFT + plot_w / 2.0,
        ty = HEIGHT - 24.0
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
                        escape(s.name),
                        escape(&y_format(*v))
                    );
                }
                None => flush(&mut run, &mut svg),
            }
        }
        flush(&mut run, &mut svg);
    }
    // Legend along the bottom.
    let mut lx = LEFT;
    for s in series {
        let _ = write!(
            svg,
            r##"<rect x="{lx}" y="{ly}" width="12" height="3" fill="{}"/><text x="{tx}" y="{ty}" fill="#333">{}</text>"##,
            s.color,
            escape(s.name),
            ly = HEIGHT - 10.0,
            tx = lx + 16.0,
            ty = HEIGHT - 6.0
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
    fn ticks_are_round_numbers() {
        assert_eq!(nice_step(47.0, 5.0), 10.0);
        assert_eq!(nice_step(0.9, 5.0), 0.2);
        assert_eq!(nice_step(130.0, 5.0), 50.0);
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
