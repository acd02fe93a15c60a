//! Writing a [`Whatif`] or a [`Sensitivity`] for people and programs: a terminal table (at
//! most 100 columns for names of up to 20 characters), JSON, and one document of blocks
//! rendered as Markdown and as a self-contained HTML page (the tornado charts only in HTML).
//! Renderers only format; they decide nothing.

use std::fmt::Write as _;

use super::sensitivity::{Sensitivity, Spread, Tornado};
use super::{Effect, Ranked, Ranking, Whatif};
use crate::compare::MetricKind;
use crate::compare::render::{pretty_json, show, signed};
use crate::render::blocks::{self, Block, Column, Grid, Inline, Text, text, words};
use crate::render::html::{STYLE, page_head};
use crate::render::svg::{self, Scale};
use crate::render::table::{TERMINAL_WIDTH, TextTable, wrap};
use crate::stats::difference::QuantileDifference;

/// The JSON export of either analysis (pretty-printed, newline-terminated).
pub fn json(value: &impl serde::Serialize) -> String {
    pretty_json(value)
}

/// `time to detect`, `records lost`, `met rate detect-fast`.
fn metric_name(metric: &str) -> String {
    match metric.strip_prefix("met_rate:") {
        Some(id) => format!("met rate {id}"),
        None => metric.replace('_', " "),
    }
}

/// A value of a metric of `kind`, or `-`.
fn value(kind: MetricKind, v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| show(kind, v))
}

/// `-4.1m [-4.8m, -3.5m]`: a change with its interval, or `-` without an estimate.
fn change(kind: MetricKind, q: &Option<QuantileDifference>) -> String {
    let Some(d) = q.and_then(|q| q.difference) else {
        return "-".to_string();
    };
    match q.and_then(|q| q.interval) {
        Some([low, high]) => format!(
            "{} [{}, {}]",
            signed(kind, d),
            signed(kind, low),
            signed(kind, high)
        ),
        None => signed(kind, d),
    }
}

/// The change of the median (of the rate, for met rates) and of the p90 of one ranked entry.
fn changes(kind: MetricKind, r: &Ranked) -> (String, String) {
    match r.rates {
        Some([a, b]) => (format!("{:+.1} pts", 100.0 * (b - a)), "-".to_string()),
        None => (change(kind, &r.median), change(kind, &r.p90)),
    }
}

/// `baseline median 8.8m, p90 34.8m` or `baseline 86.7%`.
fn baseline(ranking: &Ranking) -> String {
    let Some(first) = ranking.changes.first() else {
        return String::new();
    };
    match first.rates {
        Some([a, _]) => format!("baseline {}", show(MetricKind::MetRate, a)),
        None => format!(
            "baseline median {}, p90 {}",
            value(ranking.kind, first.median.and_then(|q| q.first)),
            value(ranking.kind, first.p90.and_then(|q| q.first))
        ),
    }
}

fn heading(w: &Whatif) -> String {
    format!(
        "{} (v{}) · {} change{} · {} runs each · seed {} (common random numbers)",
        w.scenario.name,
        w.scenario.version,
        w.changes.len(),
        if w.changes.len() == 1 { "" } else { "s" },
        w.runs,
        w.seed
    )
}

/// The terminal table: the changes, then per metric the changes ranked, then the method.
pub fn text_table(w: &Whatif) -> String {
    let mut out = format!("{}\n{}\n\n", heading(w), w.scenario.title);
    let names: Vec<Vec<String>> = w
        .changes
        .iter()
        .map(|c| vec![c.name.clone(), c.settings.join(", ")])
        .collect();
    let mut rows = vec![vec!["change".to_string(), "settings".to_string()]];
    rows.extend(names);
    out.push_str(&TextTable::fitted(2).render(&rows));
    for ranking in &w.rankings {
        let _ = writeln!(
            out,
            "\n{} · {}",
            metric_name(&ranking.metric),
            baseline(ranking)
        );
        let mut rows = vec![vec![
            "#".to_string(),
            "change".to_string(),
            "median: change [95% CI]".to_string(),
            "p90: change [95% CI]".to_string(),
            "effect".to_string(),
        ]];
        for r in &ranking.changes {
            let (median, p90) = changes(ranking.kind, r);
            rows.push(vec![
                r.rank.to_string(),
                r.change.clone(),
                median,
                p90,
                r.effect.text().to_string(),
            ]);
        }
        out.push_str(&TextTable::fitted(5).render(&rows));
    }
    let _ = writeln!(
        out,
        "\n{}",
        wrap(&format!("note: {}", w.method), TERMINAL_WIDTH, "")
    );
    out
}

/// The effect, coloured in HTML.
fn effect(e: Effect) -> Text {
    match e {
        Effect::Better => vec![Inline::Styled("better", text(e.text()))],
        Effect::Worse => vec![Inline::Styled("worse", text(e.text()))],
        _ => words(e.text()),
    }
}

/// The whatif as blocks, rendered to Markdown and HTML alike.
pub fn document(w: &Whatif) -> Vec<Block> {
    let mut doc = vec![
        Block::Title {
            kicker: "What if".to_string(),
            title: w.scenario.name.clone(),
        },
        Block::Prose(
            Some("summary"),
            text(format!("{} — {}", w.scenario.title, heading(w))),
        ),
        Block::Section {
            level: 2,
            id: "changes",
            text: "Changes".to_string(),
        },
        Block::Grid(Grid {
            class: None,
            columns: vec![Column::plain("change"), Column::plain("settings")],
            rows: w
                .changes
                .iter()
                .map(|c| {
                    vec![
                        vec![Inline::Code(c.name.clone())],
                        c.settings.iter().map(|s| Inline::Code(s.clone())).fold(
                            Vec::new(),
                            |mut t, s| {
                                if !t.is_empty() {
                                    t.push(Inline::Words(" ".into()));
                                }
                                t.push(s);
                                t
                            },
                        ),
                    ]
                })
                .collect(),
        }),
        Block::Section {
            level: 2,
            id: "ranking",
            text: "Ranking per metric".to_string(),
        },
    ];
    for ranking in &w.rankings {
        doc.push(Block::Heading(
            3,
            format!("{} · {}", metric_name(&ranking.metric), baseline(ranking)),
        ));
        doc.push(Block::Grid(Grid {
            class: None,
            columns: vec![
                Column::num("#"),
                Column::plain("change"),
                Column::num("median: change [95% CI]"),
                Column::num("p90: change [95% CI]"),
                Column::plain("effect"),
            ],
            rows: ranking
                .changes
                .iter()
                .map(|r| {
                    let (median, p90) = changes(ranking.kind, r);
                    vec![
                        text(r.rank.to_string()),
                        vec![Inline::Code(r.change.clone())],
                        text(median),
                        text(p90),
                        effect(r.effect),
                    ]
                })
                .collect(),
        }));
    }
    doc.push(Block::Section {
        level: 2,
        id: "method",
        text: "Method".to_string(),
    });
    doc.push(Block::Prose(
        Some("note"),
        vec![Inline::Ticked(capitalised(&w.method))],
    ));
    doc
}

fn capitalised(sentence: &str) -> String {
    let mut s = crate::render::text::capitalise(sentence);
    s.push('.');
    s
}

/// Extra rules of the whatif pages on top of the reports' stylesheet.
const EXTRA_STYLE: &str = r#"
.better { color: #00513b; font-weight: 600; }
.worse { color: #852c00; font-weight: 600; }
svg.chart rect.low { fill: #0072B2; }
svg.chart rect.high { fill: #E69F00; }
svg.chart line.base { stroke: #1c2230; stroke-width: 1.2; }
"#;

/// A self-contained page of `blocks`.
fn page(title: &str, blocks: &[Block]) -> String {
    format!(
        "{}<main>\n{}</main>\n</body>\n</html>\n",
        page_head(title, &format!("{STYLE}{EXTRA_STYLE}")),
        blocks::html(blocks)
    )
}

/// The whatif as Markdown.
pub fn markdown(w: &Whatif) -> String {
    blocks::markdown(&document(w)).trim_start().to_string()
}

/// The whatif as a self-contained HTML page.
pub fn html(w: &Whatif) -> String {
    page(&format!("What if: {}", w.scenario.name), &document(w))
}

fn sensitivity_heading(s: &Sensitivity) -> String {
    format!(
        "{} (v{}) · sensitivity {} · {} parameters · {} runs each · seed {}",
        s.scenario.name,
        s.scenario.version,
        Spread(s.spread).show(),
        s.parameters.len(),
        s.runs,
        s.seed
    )
}

/// What a tornado's values are, in words.
fn measure(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Time => "median",
        MetricKind::Count => "mean per run",
        MetricKind::MetRate => "share of runs met",
    }
}

/// A metric's value in a sensitivity table: as `ttx compare` shows it, but a mean count
/// of records with one decimal.
fn level(kind: MetricKind, v: Option<f64>) -> String {
    match (kind, v) {
        (MetricKind::Count, Some(v)) => format!("{v:.1}"),
        _ => value(kind, v),
    }
}

/// The rows of a tornado's table: parameter, its two values, the metric at each, the swing.
fn tornado_rows(s: &Sensitivity, t: &Tornado) -> Vec<[String; 5]> {
    t.bars
        .iter()
        .map(|b| {
            let p = s.parameters.iter().find(|p| p.key == b.key);
            let values = p.map_or_else(String::new, |p| {
                format!("{} / {}", p.low.value, p.high.value)
            });
            [
                b.key.clone(),
                values,
                level(t.kind, b.low),
                level(t.kind, b.high),
                level(t.kind, Some(b.swing)),
            ]
        })
        .collect()
}

const TORNADO_HEADER: [&str; 5] = ["parameter", "low / high", "at low", "at high", "swing"];

/// The terminal table: per metric, the parameters that move it, largest swing first.
pub fn sensitivity_text(s: &Sensitivity) -> String {
    let mut out = format!("{}\n{}\n", sensitivity_heading(s), s.scenario.title);
    for t in &s.tornadoes {
        let _ = writeln!(
            out,
            "\n{} · baseline {} {}{}",
            metric_name(&t.metric),
            measure(t.kind),
            level(t.kind, t.baseline),
            unmoved(t)
        );
        if t.bars.is_empty() {
            // As on the page: a header over no rows reads like a table that failed to print.
            out.push_str("No parameter moves it.\n");
            continue;
        }
        let mut rows = vec![TORNADO_HEADER.map(String::from).to_vec()];
        rows.extend(tornado_rows(s, t).into_iter().map(|r| r.to_vec()));
        out.push_str(&TextTable::fitted(5).render(&rows));
    }
    out.push_str(&invalid_note(s));
    out
}

fn unmoved(t: &Tornado) -> String {
    if t.unmoved == 0 {
        String::new()
    } else {
        format!(" · {} parameter(s) do not move it", t.unmoved)
    }
}

/// The moved values that made the scenario invalid, one line each.
fn invalid_lines(s: &Sensitivity) -> Vec<String> {
    s.parameters
        .iter()
        .flat_map(|p| [(&p.key, &p.low), (&p.key, &p.high)])
        .filter_map(|(key, m)| {
            m.invalid
                .as_ref()
                .map(|why| format!("{key}={}: {why}", m.value))
        })
        .collect()
}

fn invalid_note(s: &Sensitivity) -> String {
    let lines = invalid_lines(s);
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nnot run (the moved value is not valid, or does not move):\n");
    for line in lines {
        let _ = writeln!(
            out,
            "{}",
            wrap(&format!("  {line}"), TERMINAL_WIDTH, "    ")
        );
    }
    out
}

/// Bars per tornado chart; the table lists them all.
const CHART_BARS: usize = 15;

/// One metric's tornado chart: a bar per parameter from the metric at its low value to the
/// metric at its high value, around the baseline.
fn tornado_svg(t: &Tornado, index: usize) -> String {
    let bars = &t.bars[..t.bars.len().min(CHART_BARS)];
    let (label_w, plot_w, row, top) = (300.0, 340.0, 20.0, 12.0);
    // Room on the right for half the last tick label ("100.0%"), which is centred on the
    // plot's end: 20 px let it pass an A4 page's edge by a pixel.
    let width = label_w + plot_w + 32.0;
    let height = top + row * bars.len() as f64 + 46.0;
    let ends: Vec<f64> = bars
        .iter()
        .flat_map(|b| [b.low, b.high])
        .chain([t.baseline])
        .flatten()
        .collect();
    let lo = ends.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ends.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let step = match t.kind {
        MetricKind::Time => svg::minute_step(hi - lo, 5),
        _ => svg::nice_step(hi - lo, 5),
    };
    let (d0, d1) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let d1 = if d1 > d0 { d1 } else { d0 + step };
    let scale = Scale::new(d0, d1, label_w, label_w + plot_w);
    let name = metric_name(&t.metric);
    let mut out = String::new();
    svg::open(
        &mut out,
        &format!("tornado-{index}"),
        width,
        height,
        &format!("Tornado chart of {name}"),
        &format!(
            "For each parameter, the {} of {name} with the parameter moved down (blue) and up (orange), around the baseline (line).",
            measure(t.kind)
        ),
    );
    let axis_y = top + row * bars.len() as f64 + 4.0;
    svg::x_axis(
        &mut out,
        &scale,
        axis_y,
        top - 6.0,
        &svg::ticks(d0, d1, step),
        &|v| level(t.kind, Some(v)),
        "",
    );
    let base = t.baseline.unwrap_or(d0);
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let label = svg::fit(&b.key, label_w - 10.0, &|s| svg::text_width(s, 11.0));
        svg::text(&mut out, label_w - 8.0, y + 13.0, "end", "small", &label);
        // The side farther from the baseline first, so that the nearer one, drawn over it,
        // shows when both lie on the same side.
        let mut sides = [(b.low, "low", "down"), (b.high, "high", "up")];
        let reach = |v: Option<f64>| v.map_or(0.0, |v| (v - base).abs());
        sides.sort_by(|a, b| reach(b.0).total_cmp(&reach(a.0)));
        for (end, class, side) in sides {
            let Some(v) = end else { continue };
            let (x0, x1) = (scale.map(base.min(v)), scale.map(base.max(v)));
            let tip = format!("{} moved {side}: {}", b.key, level(t.kind, Some(v)));
            let _ = writeln!(
                out,
                "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
                svg::num(x0),
                svg::num(y + 3.0),
                svg::num((x1 - x0).max(1.0)),
                svg::num(row - 6.0),
                svg::escape(&tip)
            );
        }
    }
    let x = scale.map(base);
    svg::line(&mut out, (x, top - 8.0), (x, axis_y), "base");
    svg::close(&mut out);
    out
}

/// The sensitivity analysis as blocks: per metric a tornado chart (HTML) and its table.
pub fn sensitivity_document(s: &Sensitivity) -> Vec<Block> {
    let mut doc = vec![
        Block::Title {
            kicker: "Sensitivity".to_string(),
            title: s.scenario.name.clone(),
        },
        Block::Prose(
            Some("summary"),
            text(format!("{} — {}", s.scenario.title, sensitivity_heading(s))),
        ),
        Block::Paragraph(format!(
            "Every numeric parameter of the scenario (numbers and durations, except `scenario.*` and the objectives) was moved down and up by {}, one at a time, every variant under the same seed. Per metric, the parameters are sorted by swing: how far the metric moves between the two settings. The charts show at most {CHART_BARS} parameters; the tables list every one that moves the metric.",
            Spread(s.spread).show()
        )),
    ];
    for (i, t) in s.tornadoes.iter().enumerate() {
        doc.push(Block::Heading(
            3,
            format!(
                "{} · baseline {} {}{}",
                metric_name(&t.metric),
                measure(t.kind),
                level(t.kind, t.baseline),
                unmoved(t)
            ),
        ));
        if t.bars.is_empty() {
            doc.push(Block::Paragraph("No parameter moves it.".to_string()));
            continue;
        }
        doc.push(Block::Figure {
            svg: tornado_svg(t, i),
            caption: text(format!(
                "Blue: the parameter moved down by {p}; orange: moved up by {p}; the line is the baseline.",
                p = Spread(s.spread).show()
            )),
        });
        doc.push(Block::Grid(Grid {
            class: Some("long"),
            columns: vec![
                Column::plain("parameter"),
                Column::num("low / high"),
                Column::num("at low"),
                Column::num("at high"),
                Column::num("swing"),
            ],
            rows: tornado_rows(s, t)
                .into_iter()
                .map(|[key, values, low, high, swing]| {
                    vec![
                        vec![Inline::Code(key)],
                        text(values),
                        text(low),
                        text(high),
                        text(swing),
                    ]
                })
                .collect(),
        }));
    }
    let invalid = invalid_lines(s);
    if !invalid.is_empty() {
        doc.push(Block::Section {
            level: 2,
            id: "not-run",
            text: "Not run".to_string(),
        });
        doc.push(Block::Paragraph(
            "These moved values make the scenario invalid or change nothing, so that side of the parameter's bar is empty:".to_string(),
        ));
        doc.push(Block::Items(invalid));
    }
    doc
}

/// The sensitivity analysis as Markdown (tables, no charts).
pub fn sensitivity_markdown(s: &Sensitivity) -> String {
    blocks::markdown(&sensitivity_document(s))
        .trim_start()
        .to_string()
}

/// The sensitivity analysis as a self-contained HTML page with a tornado chart per metric.
pub fn sensitivity_html(s: &Sensitivity) -> String {
    page(
        &format!("Sensitivity: {}", s.scenario.name),
        &sensitivity_document(s),
    )
}
