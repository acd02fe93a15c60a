//! The HTML after-action report: one well-formed, self-contained page with its charts, every
//! text from the report escaped, and the same bytes on every render. And every kind of page in
//! a real browser (scripts/check-html-report.sh).

use ttx::report::aar::AfterActionReport;
use ttx::report::format::by_name;
use ttx::results::Results;
use ttx::runner::{BatchOptions, run_batch};

fn results() -> Results {
    let loaded = ttx::scenario::default_scenario();
    let outcomes = run_batch(&loaded.scenario, &BatchOptions::new(300, 7), &|_| {})
        .expect("the default scenario runs");
    Results::new(&loaded.scenario, 7, &outcomes)
}

fn html(report: &AfterActionReport) -> String {
    let format = by_name("html").expect("html is a report format");
    assert_eq!(format.extension(), "html");
    format.render(report)
}

/// Elements that have no end tag in HTML.
const VOID: [&str; 6] = ["meta", "br", "hr", "img", "input", "link"];

/// Checks that start and end tags nest properly (skipping `<style>`'s content, comments,
/// the doctype, void elements and self-closing SVG elements); returns the element names in
/// document order.
fn check_nesting(page: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = page;
    while let Some(open) = rest.find('<') {
        rest = &rest[open..];
        if rest.starts_with("<!") {
            let end = rest.find('>').expect("a closed declaration");
            rest = &rest[end + 1..];
            continue;
        }
        let end = rest.find('>').expect("every tag closes");
        let tag = &rest[1..end];
        assert!(!tag.contains('<'), "a '<' inside a tag: {tag}");
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(top, name, "</{name}> closes <{top}>");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(!name.is_empty(), "an unnamed tag: <{tag}>");
        seen.push(name.clone());
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "style" {
            let close = rest.find("</style>").expect("<style> closes");
            assert!(!rest[..close].contains('<'), "markup inside <style>");
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    seen
}

/// The text of each `<svg ...>...</svg>`.
fn charts(page: &str) -> Vec<&str> {
    page.match_indices("<svg")
        .map(|(at, _)| {
            let len = page[at..].find("</svg>").expect("every <svg> closes");
            &page[at..at + len]
        })
        .collect()
}

#[test]
fn page_is_well_formed_with_its_charts() {
    let report = AfterActionReport::new(&results());
    assert!(
        report.representative.is_some(),
        "300 runs of the default scenario have a recovered run"
    );
    let page = html(&report);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(page.ends_with("</html>\n"));
    assert_eq!(page.matches("<html").count(), 1);
    assert_eq!(page.matches("</html>").count(), 1);
    assert_eq!(page.matches("<svg").count(), page.matches("</svg>").count());
    let elements = check_nesting(&page);
    for name in ["head", "title", "style", "body", "main", "table", "figure"] {
        assert!(elements.iter().any(|e| e == name), "no <{name}>");
    }

    // Survival ×2, histograms ×4, the phase bar, the Gantt chart.
    let charts = charts(&page);
    assert!(charts.len() >= 4, "only {} charts", charts.len());
    assert_eq!(charts.len(), 2 + report.histograms.len() + 1 + 1);
    for id in [
        "survival-time_to_contain",
        "survival-time_to_recover",
        "histogram-time_to_detect",
        "histogram-time_to_acknowledge",
        "histogram-time_to_contain",
        "histogram-time_to_recover",
        "phases",
        "gantt",
    ] {
        assert!(
            page.contains(&format!("<svg class=\"chart\" id=\"{id}\"")),
            "no chart {id}"
        );
    }
    for chart in &charts {
        // An accessible name, a title and labelled axes.
        assert!(
            chart.contains(" role=\"img\" aria-label=\""),
            "{chart:.200}"
        );
        assert!(chart.contains("<title>"), "{chart:.200}");
        assert!(chart.contains("class=\"axis-title\""), "{chart:.200}");
    }
    for chart in &charts[..2] {
        assert!(chart.contains(">minutes from onset</text>"));
        assert!(chart.contains(">100%</text>") && chart.contains(">0%</text>"));
        assert!(chart.contains("fill-opacity=\"0.22\""), "the 95% band");
    }
    // Every phase in the phase chart's legend, every lane in the Gantt chart.
    let phases = charts.iter().find(|c| c.contains("id=\"phases\"")).unwrap();
    for p in &report.phases {
        assert!(phases.contains(&format!(">{} ", p.phase.replace('_', " "))));
    }
    let gantt = charts.iter().find(|c| c.contains("id=\"gantt\"")).unwrap();
    let rep = report.representative.as_ref().unwrap();
    for span in &rep.spans {
        assert!(
            gantt.contains(&format!(">{}</text>", span.lane)),
            "{}",
            span.lane
        );
        assert!(
            gantt.contains(&format!(">{}</text>", span.label)),
            "{}",
            span.label
        );
    }
    // The notes follow as a table, one row each.
    assert!(page.matches("<td class=\"when num\">").count() == rep.timeline.len());

    // Same sections, in the same order, as the Markdown report.
    let markdown = by_name("md").unwrap().render(&report);
    let headings: Vec<&str> = markdown
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .collect();
    let mut at = 0;
    for heading in &headings {
        let found = page[at..]
            .find(&format!("{heading}</h2>"))
            .unwrap_or_else(|| panic!("no section '{heading}' after byte {at}"));
        at += found;
    }
    assert!(page.contains("@media print") && page.contains("size: A4"));
}

#[test]
fn page_is_self_contained() {
    let page = html(&AfterActionReport::new(&results()));
    let lower = page.to_lowercase();
    for needle in [
        "http://", "https://", "src=", "<script", "<link", "url(", "@import", "<img", "<iframe",
    ] {
        assert!(!lower.contains(needle), "the page holds '{needle}'");
    }
}

#[test]
fn text_from_the_report_is_escaped() {
    let mut results = results();
    results.scenario.title = "Drill <b>&\"bold\"</b> 'quoted'".to_string();
    let mut report = AfterActionReport::new(&results);
    assert_eq!(report.overview.title, results.scenario.title);
    let hostile = "<script>alert('x')</script> & \"more\"";
    report.strengths.push(hostile.to_string());
    report.objectives[0].text = hostile.to_string();
    report.improvement_plan.push(ttx::report::aar::PlanItem {
        objective: "<i>o</i>".to_string(),
        action: hostile.to_string(),
        owner: "<u>owner</u>".to_string(),
        due: "soon & later".to_string(),
    });
    let rep = report.representative.as_mut().unwrap();
    rep.timeline[0].text = hostile.to_string();
    rep.spans[0].label = hostile.to_string();
    rep.spans[0].lane = "<lane>".to_string();

    let page = html(&report);
    check_nesting(&page);
    assert!(!page.contains("<b>"), "the title's markup leaked");
    assert!(!page.contains("<script"), "a note's markup leaked");
    assert!(!page.contains("<i>") && !page.contains("<u>") && !page.contains("<lane>"));
    assert!(page.contains(
        "<title>After-action report: Drill &lt;b&gt;&amp;&quot;bold&quot;&lt;/b&gt; &#39;quoted&#39;</title>"
    ));
    assert!(
        page.contains("<h1>Drill &lt;b&gt;&amp;&quot;bold&quot;&lt;/b&gt; &#39;quoted&#39;</h1>")
    );
    let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;";
    // Strength, objective, plan action, note, span label (and its tooltip).
    assert!(
        page.matches(escaped).count() >= 5,
        "{}",
        page.matches(escaped).count()
    );
    assert!(page.contains("&lt;lane&gt;"));
}

#[test]
fn renders_are_byte_identical() {
    let results = results();
    let first = html(&AfterActionReport::new(&results));
    let second = html(&AfterActionReport::new(&results));
    assert!(first == second, "two renders of the same results differ");
    // Coordinates at fixed precision (one decimal), never a long float expansion.
    for chart in charts(&first) {
        for attribute in [
            " x=\"",
            " y=\"",
            " x1=\"",
            " x2=\"",
            " y1=\"",
            " y2=\"",
            " width=\"",
            " height=\"",
            " cx=\"",
            " cy=\"",
            " d=\"",
        ] {
            for (at, _) in chart.match_indices(attribute) {
                let value = &chart[at + attribute.len()..];
                let value = &value[..value.find('"').unwrap()];
                for number in value.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')) {
                    if number.is_empty() {
                        continue;
                    }
                    let decimals = number.split_once('.').map(|(_, f)| f.len());
                    assert_eq!(decimals, Some(1), "{attribute}{value}");
                }
            }
        }
    }
}

/// Every page kind ttx writes, in headless Chromium at a 1280 px window and at A4 print width:
/// no sideways overflow, no console error, no request (scripts/check-html-report.sh, which
/// keeps its screenshots under target/html-check/).
#[test]
fn every_page_kind_fits_1280_px_and_a4_without_errors_or_requests() {
    crate::drill::browser_ready();
    let root = crate::common::root();
    let out = root.join("target/html-check");
    let run = std::process::Command::new("bash")
        .arg(root.join("scripts/check-html-report.sh"))
        .arg(&out)
        .env("TTX", env!("CARGO_BIN_EXE_ttx"))
        .output()
        .expect("bash runs the check");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "{said}");
    let kinds = [
        "report",
        "drill-report",
        "sitman",
        "msel",
        "sweep-1",
        "sweep-2",
        "trend",
        "compare",
        "compare-drill",
        "whatif",
        "sensitivity",
        "postmortem",
        "plan",
    ];
    for kind in kinds {
        for view in ["1280", "a4"] {
            assert!(
                said.contains(&format!("ok   {kind} {view}\n")),
                "{kind} {view}: {said}"
            );
            let shot = out.join(format!("{kind}-{view}.png"));
            let bytes = std::fs::read(&shot).unwrap_or_else(|_| panic!("no {}", shot.display()));
            assert!(bytes.starts_with(b"\x89PNG"), "{}", shot.display());
        }
    }
}
