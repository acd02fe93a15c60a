//! A plan's status as a document: built once as rows and [`Block`]s, rendered as a terminal
//! table (at most 100 columns), Markdown and a self-contained HTML page.

use std::fmt::Write as _;

use super::status::{ItemStatus, PlanStatus};
use crate::render::blocks::{self, Block};
use crate::render::table::{TERMINAL_WIDTH, TextTable, wrap};

/// The items table: a header, then a row per item (id, status, owner, due, done, effect).
pub fn rows(status: &PlanStatus) -> Vec<Vec<String>> {
    let mut rows = vec![
        ["id", "status", "owner", "due", "done", "effect"]
            .map(String::from)
            .to_vec(),
    ];
    for s in &status.items {
        let standing = match s.days_overdue {
            Some(days) => format!("overdue {days}d"),
            None => s.standing.text().to_string(),
        };
        let date = |d: Option<super::date::Date>| d.map_or("-".to_string(), |d| d.to_string());
        rows.push(vec![
            s.item.id.clone(),
            standing,
            s.item.owner.clone(),
            date(s.item.due),
            date(s.item.done),
            s.effect.map_or("-".to_string(), |e| e.text().to_string()),
        ]);
    }
    rows
}

/// What each item expects, and for done items what the results show, one line per item.
pub fn details(status: &PlanStatus) -> Vec<String> {
    status.items.iter().map(detail).collect()
}

fn detail(s: &ItemStatus) -> String {
    let text = s.item.text.trim();
    let stop = if text.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    let mut line = format!("{}: {text}{stop}", s.item.id);
    if let (Some(metric), Some(expected)) = (&s.item.metric, &s.item.expected_text) {
        let _ = write!(line, " Expected: {metric} {expected}.");
    }
    if let Some(whatif) = &s.item.whatif {
        let _ = write!(line, " Modelled by `{whatif}`.");
    }
    if let (Some(effect), Some(evidence)) = (s.effect, &s.evidence) {
        let _ = write!(line, " {}: {evidence}.", capitalise(effect.text()));
    }
    line
}

fn capitalise(text: &str) -> String {
    crate::render::text::capitalise(text)
}

/// The results read, in order, as one sentence.
fn results_line(status: &PlanStatus) -> String {
    if status.results.is_empty() {
        return "No results were given: only due dates are checked.".to_string();
    }
    let each: Vec<String> = status
        .results
        .iter()
        .map(|r| {
            format!(
                "{} ({}{})",
                r.key,
                if r.drill {
                    r.kind.noun().to_string()
                } else {
                    format!("{} runs", r.runs)
                },
                if r.dated { "" } else { ", undated" }
            )
        })
        .collect();
    format!(
        "Results read, in order{}: {}.",
        status
            .scenario
            .as_ref()
            .map_or_else(String::new, |s| format!(" ({s})")),
        each.join("; ")
    )
}

/// The text printed by `ttx plan status`.
pub fn table(status: &PlanStatus) -> String {
    let mut out = String::new();
    if let Some(title) = &status.title {
        let _ = writeln!(out, "{title}\n");
    }
    let _ = writeln!(out, "{}\n", wrap(&status.summary(), TERMINAL_WIDTH, ""));
    let rows = rows(status);
    out.push_str(&TextTable::fitted(rows[0].len()).render(&rows));
    out.push('\n');
    for line in details(status) {
        let _ = writeln!(out, "{}", wrap(&format!("- {line}"), TERMINAL_WIDTH, "  "));
    }
    let _ = writeln!(out, "\n{}", wrap(&results_line(status), TERMINAL_WIDTH, ""));
    for note in &status.notes {
        let _ = writeln!(
            out,
            "{}",
            wrap(&format!("note: {note}"), TERMINAL_WIDTH, "  ")
        );
    }
    out
}

/// The document, as blocks.
pub fn document(status: &PlanStatus) -> Vec<Block> {
    let rows = rows(status);
    let mut doc = vec![
        Block::Title {
            kicker: "Improvement plan".to_string(),
            title: status
                .title
                .clone()
                .unwrap_or_else(|| format!("status on {}", status.today)),
        },
        Block::Prose(Some("summary"), blocks::text(status.summary())),
        Block::Heading(2, "Items".to_string()),
        Block::Table(rows[0].clone(), rows[1..].to_vec()),
        Block::Heading(
            2,
            "What each item expects and what the results show".to_string(),
        ),
        // List, not Items: the `whatif` change each line names reads as code in HTML.
        Block::List(details(status)),
        Block::Heading(2, "Results".to_string()),
        Block::Prose(None, blocks::text(results_line(status))),
    ];
    if !status.notes.is_empty() {
        doc.push(Block::Items(status.notes.clone()));
    }
    doc
}

/// The Markdown document.
pub fn markdown(status: &PlanStatus) -> String {
    blocks::markdown(&document(status)).trim_start().to_string()
}

/// The self-contained HTML page.
pub fn page(status: &PlanStatus) -> String {
    let title = match &status.title {
        Some(t) => format!("Improvement plan: {t}"),
        None => "Improvement plan".to_string(),
    };
    format!(
        "{}<main>\n{}</main>\n</body>\n</html>\n",
        crate::render::html::page_head(&title, crate::render::html::STYLE),
        blocks::html(&document(status))
    )
}
