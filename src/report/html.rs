//! The HTML after-action report: one self-contained page (inline CSS and SVG, no scripts, no
//! external files) with the content of the Markdown report, in the same order, plus charts:
//! survival curves of time to contain and to recover, histograms of the four time metrics, a
//! stacked bar of where the time goes, a bar of the on-cadence share per audience when the
//! scenario has a `[comms]` cadence, and a Gantt chart of the representative run.
//!
//! The page reads on screen and prints to A4 (`@media print`). The output depends only on the
//! report: no dates, no random ids, numbers at fixed precision, so it snapshots byte for byte.

use std::fmt::Write as _;

use super::aar::{
    AfterActionReport, BOOTSTRAP_RESAMPLES, Histogram, MetricRow, OVERALL_RULE, ObjectiveRating,
    RepresentativeRun, SurvivalCurve, rating_words,
};
use super::format::ReportFormat;
use super::markdown::{interval, minutes, percent, phase_share, target};
use crate::model::Phase;
use crate::render::html::{STYLE, escape};
use crate::render::svg::{self, LegendItem, Scale, num, text_width};
use crate::scenario::duration::format_minutes;

/// The HTML format.
pub struct Html;

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
fn words(name: &str) -> String {
    name.replace('_', " ")
}

/// Minutes from onset, with a sign before the onset.
fn offset(minutes: f64) -> String {
    if minutes < 0.0 {
        format!("-{}", format_minutes(-minutes))
    } else {
        format_minutes(minutes)
    }
}

impl ReportFormat for Html {
    fn extension(&self) -> &'static str {
        "html"
    }

    fn render(&self, r: &AfterActionReport) -> String {
        let mut out = String::new();
        let o = &r.overview;
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"ttx {}\">\n\
             <title>After-action report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
            escape(&o.ttx_version),
            escape(&o.title)
        );
        let _ = write!(
            out,
            "<header>\n<p class=\"kicker\">After-action report</p>\n<h1>{}</h1>\n</header>\n",
            escape(&o.title)
        );
        overview(&mut out, r);
        objectives(&mut out, r);
        metrics(&mut out, r);
        communications(&mut out, r);
        raci(&mut out, r);
        approvals(&mut out, r);
        phases(&mut out, r);
        if let Some(rep) = &r.representative {
            representative(&mut out, rep);
        }
        list(&mut out, "strengths", "Strengths", &r.strengths);
        list(
            &mut out,
            "areas",
            "Areas for improvement",
            &r.areas_for_improvement,
        );
        plan(&mut out, r);
        let _ = write!(
            out,
            "<footer>ttx {} · {} runs of {}, seed {} · the same results file always gives this \
             page, byte for byte.</footer>\n</main>\n</body>\n</html>\n",
            escape(&o.ttx_version),
            o.runs,
            escape(&o.scenario),
            o.seed
        );
        out
    }
}

fn overview(out: &mut String, r: &AfterActionReport) {
    let o = &r.overview;
    let _ = write!(
        out,
        "<table class=\"facts\">\n<tbody>\n\
         <tr><th scope=\"row\">scenario</th><td><code>{}</code> (version {})</td></tr>\n\
         <tr><th scope=\"row\">scenario content</th><td><code>{}</code></td></tr>\n\
         <tr><th scope=\"row\">simulated runs</th><td>{} (seed {})</td></tr>\n\
         <tr><th scope=\"row\">horizon</th><td>{}</td></tr>\n\
         <tr><th scope=\"row\">ttx</th><td>{}</td></tr>\n</tbody>\n</table>\n",
        escape(&o.scenario),
        escape(&o.version),
        escape(&o.content_hash),
        o.runs,
        o.seed,
        format_minutes(o.horizon_minutes),
        escape(&o.ttx_version)
    );
    let _ = writeln!(
        out,
        "<p class=\"note\">Times are minutes from the fault's onset. Every number here is computed \
         from the results file by <code>ttx report RESULTS.json --format html</code>; intervals \
         are 95%.</p>"
    );
}

fn badge(rating: &str) -> String {
    let rating = escape(rating);
    format!(
        "<span class=\"badge rating-{rating}\" title=\"{}\">{rating}</span>",
        rating_words(&rating)
    )
}

fn objectives(out: &mut String, r: &AfterActionReport) {
    let _ = writeln!(out, "<h2 id=\"objectives\">Objective ratings</h2>");
    let _ = writeln!(
        out,
        "<div class=\"callout\">{}<p><strong>Overall: {} — {}.</strong> {}</p></div>",
        badge(&r.overall_rating),
        escape(&r.overall_rating),
        rating_words(&r.overall_rating),
        escape(OVERALL_RULE)
    );
    if r.objectives.is_empty() {
        let _ = writeln!(out, "<p>The scenario declares no objectives.</p>");
        return;
    }
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>objective</th><th>metric</th><th class=\"num\">target</th>\
         <th class=\"num\">time box</th><th class=\"num\">met</th><th class=\"num\">late</th>\
         <th class=\"num\">missed</th><th>rating</th></tr></thead>\n<tbody>"
    );
    for ob in &r.objectives {
        let [p, s, m] = ob.rating_thresholds;
        let _ = writeln!(
            out,
            "<tr><td><strong>{}</strong> <span class=\"objective-text\">{}</span>{}</td>\
             <td>{}</td><td class=\"num\">≤ {}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td>{}<div class=\"thresholds\">P&nbsp;≥&nbsp;{:.0}%, S&nbsp;≥&nbsp;{:.0}%, M&nbsp;≥&nbsp;{:.0}%</div></td></tr>",
            escape(&ob.id),
            escape(&ob.text),
            mix(ob),
            escape(&words(&ob.metric)),
            escape(&target(&ob.metric, ob.target)),
            format_minutes(ob.time_box_minutes),
            percent(ob.met_rate),
            percent(ob.late_rate),
            percent(ob.missed_rate),
            badge(&ob.rating),
            100.0 * p,
            100.0 * s,
            100.0 * m
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
    let _ = writeln!(
        out,
        "<p class=\"note\">Ratings by the share of runs meeting the target (met): P (performed \
         without challenges), S (some challenges), M (major challenges), U (unable to be \
         performed); each objective's least met share for P, S and M is under its rating. The bar \
         under each objective shows met (green), late (orange) and missed (red) runs. Late runs \
         reached the milestone after the target but within the time box; they are shown, never \
         averaged in.</p>"
    );
}

/// One coloured segment of a share bar (`.mix`), as wide as its share; nothing when empty.
fn mix_part(class: &str, share: f64) -> String {
    if share > 0.0 {
        format!(
            "<span class=\"{class}\" style=\"width:{:.1}%\"></span>",
            100.0 * share
        )
    } else {
        String::new()
    }
}

/// A small bar of the met, late and missed shares (HTML, so it stays out of the chart count).
fn mix(ob: &ObjectiveRating) -> String {
    format!(
        "<div class=\"mix\" role=\"img\" aria-label=\"met {}, late {}, missed {}\">{}{}{}</div>",
        percent(ob.met_rate),
        percent(ob.late_rate),
        percent(ob.missed_rate),
        mix_part("met", ob.met_rate),
        mix_part("late", ob.late_rate),
        mix_part("missed", ob.missed_rate)
    )
}

fn objective_for<'a>(r: &'a AfterActionReport, metric: &str) -> Option<&'a ObjectiveRating> {
    r.objectives.iter().find(|o| o.metric == metric)
}

fn metrics(out: &mut String, r: &AfterActionReport) {
    let _ = writeln!(out, "<h2 id=\"metrics\">Metrics</h2>");
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>metric</th><th class=\"num\">median</th><th class=\"num\">p90</th>\
         <th class=\"num\">p95</th><th class=\"num\">mean</th><th class=\"num\">censored</th>\
         </tr></thead>\n<tbody>"
    );
    let ci = |text: String| {
        if text.is_empty() {
            String::new()
        } else {
            format!("<div class=\"ci\">{}</div>", escape(text.trim()))
        }
    };
    let pair = |v: Option<[f64; 2]>| v.map_or(String::new(), |[a, b]| interval(Some(a), Some(b)));
    for m in &r.metrics {
        let restricted = if m.mean_kind == "restricted_mean" {
            " (restricted)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}{}</td><td class=\"num\">{}{}</td>\
             <td class=\"num\">{}{}</td><td class=\"num\">{}{}{}</td><td class=\"num\">{} of {}</td></tr>",
            escape(&words(&m.metric)),
            minutes(m.median),
            ci(interval(m.median_ci95[0], m.median_ci95[1])),
            minutes(m.p90),
            ci(pair(m.p90_ci95)),
            minutes(m.p95),
            ci(pair(m.p95_ci95)),
            minutes(m.mean),
            restricted,
            ci(pair(m.mean_ci95)),
            m.censored,
            m.reached + m.censored
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
    let _ = writeln!(
        out,
        "<p class=\"note\">Percentiles are Kaplan-Meier estimates, so runs that never reach a \
         milestone (censored at the horizon) count as \"longer than observed\" instead of being \
         dropped; - means too many runs are censored to tell. Median intervals (under each value) \
         come from the Greenwood band, p90/p95 intervals from a seeded bootstrap ({} resamples). \
         With censoring the mean is restricted to the longest follow-up.</p>",
        BOOTSTRAP_RESAMPLES
    );
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>records per run</th><th class=\"num\">median</th>\
         <th class=\"num\">p90</th><th class=\"num\">mean</th><th class=\"num\">max</th></tr></thead>\n<tbody>"
    );
    let count = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.0}"));
    for (name, c) in &r.records {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(name),
            count(c.median),
            count(c.p90),
            c.mean
                .map_or_else(|| "-".to_string(), |v| format!("{v:.1}")),
            count(c.max)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");

    if !r.survival.is_empty() {
        let _ = writeln!(
            out,
            "<div class=\"keep\">\n<h3>How long until the damage stops and the flow recovers</h3>\n\
             <p class=\"note\">Kaplan-Meier curves: the share of runs not yet contained (or not \
             yet recovered) at each time after onset, with the 95% band shaded. Runs that never \
             get there count as still waiting, not as missing. The dashed line is the \
             objective's target.</p>"
        );
        let x_max = survival_axis(r);
        for (i, curve) in r.survival.iter().enumerate() {
            survival_chart(out, r, curve, x_max);
            if i == 0 {
                let _ = writeln!(out, "</div>");
            }
        }
    }
    if !r.histograms.is_empty() {
        let _ = writeln!(
            out,
            "<div class=\"keep\">\n<h3>Distribution of the time metrics</h3>\n<p class=\"note\">\
             Runs per bin of minutes from onset, over the runs that reached each milestone; the \
             dashed line is the objective's target.</p>\n<div class=\"charts\">"
        );
        for h in &r.histograms {
            histogram_chart(out, r, h);
        }
        let _ = writeln!(out, "</div>\n</div>");
    }
}

/// A time's median and p90 cells, each with its interval under it.
fn median_and_p90_cells(m: &MetricRow) -> String {
    let ci = |text: String| {
        if text.is_empty() {
            String::new()
        } else {
            format!("<div class=\"ci\">{}</div>", escape(text.trim()))
        }
    };
    format!(
        "<td class=\"num\">{}{}</td><td class=\"num\">{}{}</td>",
        minutes(m.median),
        ci(interval(m.median_ci95[0], m.median_ci95[1])),
        minutes(m.p90),
        ci(m.p90_ci95
            .map_or(String::new(), |[a, b]| interval(Some(a), Some(b))))
    )
}

fn communications(out: &mut String, r: &AfterActionReport) {
    let Some(comms) = &r.communications else {
        return;
    };
    let _ = writeln!(out, "<h2 id=\"communications\">Communications</h2>");
    let _ = writeln!(
        out,
        "<p>Updates on the <code>[comms]</code> cadence, per audience. An update is on cadence \
         when it is sent within the cadence's grace after falling due; a miss is one sent late or \
         never.</p>"
    );
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>audience</th><th class=\"num\">due per run</th>\
         <th class=\"num\">sent per run</th><th class=\"num\">on cadence</th>\
         <th class=\"num\">misses per run (mean / median / p90)</th>\
         <th class=\"num\">first update: median</th><th class=\"num\">first update: p90</th>\
         <th class=\"num\">fields complete</th><th class=\"num\">jargon flags</th></tr></thead>\n<tbody>"
    );
    let share = |v: Option<f64>| v.map_or_else(|| "-".to_string(), percent);
    for a in &comms.audiences {
        let m = &a.misses_per_run;
        let count = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.0}"));
        let bar = a.on_cadence_share.map_or(String::new(), |on| {
            format!(
                "<div class=\"mix\" role=\"img\" aria-label=\"on cadence {}\">{}{}</div>",
                percent(on),
                mix_part("met", on),
                mix_part("missed", 1.0 - on)
            )
        });
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td>\
             <td class=\"num\">{}{bar}</td><td class=\"num\">{} / {} / {}</td>{}\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&a.audience),
            a.due_per_run,
            a.sent_per_run,
            share(a.on_cadence_share),
            m.mean
                .map_or_else(|| "-".to_string(), |v| format!("{v:.2}")),
            count(m.median),
            count(m.p90),
            median_and_p90_cells(&a.time_to_first_update),
            share(a.completeness),
            a.jargon_flags
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
    let _ = writeln!(
        out,
        "<p><strong>{}</strong></p>\n<p class=\"note\">The bar under each share shows updates on \
         cadence (green) and late or never sent (red). The time to the first update runs from \
         onset, censored where no update reached the audience. Simulated writers fill every \
         required field and write no jargon: completeness and jargon flags measure the people of \
         a drill.</p>",
        escape(&comms.worst)
    );
}

fn raci(out: &mut String, r: &AfterActionReport) {
    if r.raci.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2 id=\"raci\">RACI</h2>");
    let _ = writeln!(
        out,
        "<p>Responsible (does it), accountable (answers for it), consulted, informed, per action; \
         the last column names who must approve an action before it runs.</p>"
    );
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>action</th><th>R</th><th>A</th><th>C</th><th>I</th>\
         <th>approval</th></tr></thead>\n<tbody>"
    );
    let list = |roles: &[String]| {
        if roles.is_empty() {
            "-".to_string()
        } else {
            escape(&roles.join(", "))
        }
    };
    for row in &r.raci {
        let _ = writeln!(
            out,
            "<tr><td class=\"id\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&row.action),
            escape(&row.responsible),
            escape(row.accountable.as_deref().unwrap_or("-")),
            list(&row.consulted),
            list(&row.informed),
            row.approver
                .as_ref()
                .map_or_else(|| "-".to_string(), |a| format!("needs {}", escape(a)))
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
}

fn approvals(out: &mut String, r: &AfterActionReport) {
    if r.approvals.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2 id=\"approvals\">Approval waits</h2>");
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>action</th><th>approved by</th>\
         <th class=\"num\">runs that asked</th><th class=\"num\">median wait</th>\
         <th class=\"num\">p90 wait</th><th class=\"num\">never granted</th></tr></thead>\n<tbody>"
    );
    for a in &r.approvals {
        let _ = writeln!(
            out,
            "<tr><td class=\"id\">{}</td><td>{}</td><td class=\"num\">{}</td>{}\
             <td class=\"num\">{}</td></tr>",
            escape(&a.action),
            escape(a.approver.as_deref().unwrap_or("-")),
            a.asked,
            median_and_p90_cells(&a.wait),
            a.never_granted
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
    let _ = writeln!(
        out,
        "<p class=\"note\">Minutes from the request for approval to the approval, over the runs \
         that asked (the first request of each run). A request still waiting at the end of a run \
         is censored there, and the percentiles are Kaplan-Meier estimates as in the metrics.</p>"
    );
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
fn survival_chart(out: &mut String, r: &AfterActionReport, curve: &SurvivalCurve, x_max: f64) {
    const W: f64 = 760.0;
    const H: f64 = 262.0;
    let (left, right, top, bottom) = (70.0, W - 28.0, 30.0, H - 42.0);
    let name = words(&curve.metric);
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
    let _ = writeln!(out, "<figure>");
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
    let _ = writeln!(
        out,
        "<figcaption>{}: median {}; {} of {} runs censored (never {state} within the \
         horizon).{cut}</figcaption>\n</figure>",
        escape(&capitalise(&name)),
        escape(&minutes(median)),
        curve.censored,
        total
    );
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

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn histogram_chart(out: &mut String, r: &AfterActionReport, h: &Histogram) {
    const W: f64 = 370.0;
    const H: f64 = 222.0;
    let (left, right, top, bottom) = (58.0, W - 22.0, 34.0, H - 42.0);
    let name = words(&h.metric);
    let reached: u64 = h.counts.iter().sum();
    let title = format!(
        "Histogram of {name}: runs per {} bin",
        format_minutes(h.bin_minutes)
    );
    let desc = format!(
        "{reached} runs reached the milestone; {} censored runs are not shown.",
        h.censored
    );
    let _ = writeln!(out, "<figure>");
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
    let _ = writeln!(
        out,
        "<figcaption>{reached} runs, bins of {}{censored}.</figcaption>\n</figure>",
        format_minutes(h.bin_minutes)
    );
}

fn phases(out: &mut String, r: &AfterActionReport) {
    let _ = writeln!(
        out,
        "<div class=\"keep\">\n<h2 id=\"time\">Where the time goes</h2>"
    );
    let _ = writeln!(
        out,
        "<p>Each minute from onset to recovery is attributed to what the incident was waiting on \
         (the most advanced activity under way). Verification (restoring data) after recovery is \
         counted apart.</p>"
    );
    if !r.phases.is_empty() {
        phase_chart(out, r);
    }
    let _ = writeln!(out, "</div>");
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>phase</th><th class=\"num\">mean</th><th class=\"num\">median</th>\
         <th class=\"num\">p90</th><th class=\"num\">share of time to recover</th>\
         <th class=\"num\">longest phase in</th></tr></thead>\n<tbody>"
    );
    for p in &r.phases {
        let (fill, _) = phase_colour(&p.phase);
        let _ = writeln!(
            out,
            "<tr><td><span class=\"sw\" style=\"background:{fill}\"></span>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{} of runs</td></tr>",
            escape(&words(&p.phase)),
            format_minutes(p.mean_minutes),
            format_minutes(p.median_minutes),
            format_minutes(p.p90_minutes),
            phase_share(p),
            percent(p.dominant_in)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>role</th><th class=\"num\">mean minutes waited on per run</th>\
         <th class=\"num\">share</th></tr></thead>\n<tbody>"
    );
    for role in &r.roles {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&role.role),
            format_minutes(role.mean_minutes),
            percent(role.share)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
}

/// Mean minutes per phase: one stacked bar from onset to recovery, verification apart after it.
fn phase_chart(out: &mut String, r: &AfterActionReport) {
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
            text: format!("{} {}", words(&p.phase), format_minutes(p.mean_minutes)),
        })
        .collect();
    let mut legend = String::new();
    let legend_h = svg::legend(&mut legend, left, axis_y + 46.0, right - left, &items);
    let height = axis_y + 46.0 + legend_h;
    let title = "Mean minutes per run in each phase, from onset to recovery, then verification";
    let desc = r
        .phases
        .iter()
        .map(|p| format!("{} {}", words(&p.phase), format_minutes(p.mean_minutes)))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(out, "<figure>");
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
                    words(&p.phase),
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
    let _ = writeln!(
        out,
        "<figcaption>Mean minutes per run in each phase, over runs in which a fault began: {} \
         from onset to recovery, then {} of verification after recovery.</figcaption>\n</figure>",
        format_minutes(stack),
        format_minutes(tail)
    );
}

fn representative(out: &mut String, rep: &RepresentativeRun) {
    let _ = writeln!(
        out,
        "<div class=\"keep\">\n<h2 id=\"timeline\">Timeline of a representative run</h2>\n<p>Run {} has the median time \
         to recover ({}). Replay it with <code>ttx run</code> on the same scenario and seed (run \
         index {}).</p>",
        rep.run,
        format_minutes(rep.time_to_recover),
        rep.run
    );
    if !rep.spans.is_empty() {
        gantt(out, rep);
    }
    let _ = writeln!(out, "</div>");
    let _ = writeln!(
        out,
        "<table class=\"timeline long\">\n<thead><tr><th class=\"when\">from onset</th>\
         <th>what happened</th></tr></thead>\n<tbody>"
    );
    for note in &rep.timeline {
        let _ = writeln!(
            out,
            "<tr><td class=\"when num\">{}</td><td>{}</td></tr>",
            offset(note.time - rep.onset),
            escape(&note.text)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
}

/// One row per lane (extra tracks where a lane's activities overlap), bars coloured by phase,
/// each bar's label hung under it on a leader line, milestones as dashed lines.
fn gantt(out: &mut String, rep: &RepresentativeRun) {
    const W: f64 = 760.0;
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
            track.labels = track
                .spans
                .iter()
                .map(|s| {
                    let w = text_width(&s.label, LABEL);
                    let (x0, x1) = (x.map(s.start - rep.onset), x.map(s.end - rep.onset));
                    if x0 + w <= right || x1 - w < left {
                        let start = x0.min(right - w);
                        svg::Hanging {
                            start,
                            end: start + w,
                            leader: x0,
                        }
                    } else {
                        // Near the right edge: the label ends where the bar ends.
                        svg::Hanging {
                            start: x1 - w,
                            end: x1,
                            leader: x1,
                        }
                    }
                })
                .collect();
            track.lines = svg::hang(&track.labels, 10.0);
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
            text: words(p.name()),
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
    let _ = writeln!(out, "<figure>");
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
                        words(s.phase.name()),
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
    let _ = writeln!(
        out,
        "<figcaption>Activities of run {} by role (and the fault itself), coloured by phase, \
         each labelled under its bar; dashed lines are the milestones. Its notes follow.\
         </figcaption>\n</figure>",
        rep.run
    );
}

fn list(out: &mut String, id: &str, title: &str, items: &[String]) {
    let _ = writeln!(out, "<h2 id=\"{id}\">{title}</h2>");
    if items.is_empty() {
        let _ = writeln!(out, "<p>None stood out in the data.</p>");
        return;
    }
    let _ = writeln!(out, "<ul>");
    for item in items {
        let _ = writeln!(out, "<li>{}</li>", escape(item));
    }
    let _ = writeln!(out, "</ul>");
}

fn plan(out: &mut String, r: &AfterActionReport) {
    let _ = writeln!(out, "<h2 id=\"plan\">Improvement plan</h2>");
    if r.improvement_plan.is_empty() {
        let _ = writeln!(
            out,
            "<p>Every objective was rated P: keep the current practice and raise the targets.</p>"
        );
        return;
    }
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>objective</th><th>action</th><th>owner</th><th>due</th></tr>\
         </thead>\n<tbody>"
    );
    for item in &r.improvement_plan {
        let _ = writeln!(
            out,
            "<tr><td class=\"id\"><strong>{}</strong></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&item.objective),
            escape(&item.action),
            escape(&item.owner),
            escape(&item.due)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
}
