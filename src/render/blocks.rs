//! Documents as a list of [`Block`]s (headings, paragraphs, lists, tables) written once and
//! rendered by one Markdown and one HTML writer, so both formats always say the same thing.
//! Used by the exercise packet and the toolkit sections of the drill report. In text,
//! backticks mark ids: kept in Markdown, `<code>` in HTML.

use std::fmt::Write as _;

use super::html::escape;
use super::markdown::cell;

/// A piece of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading (level 2) or sub-heading (level 3).
    Heading(u8, String),
    /// A paragraph.
    Paragraph(String),
    /// A bulleted list.
    List(Vec<String>),
    /// A numbered list.
    Numbered(Vec<String>),
    /// A table: header cells, then rows.
    Table(Vec<String>, Vec<Vec<String>>),
}

/// `blocks` as Markdown, each preceded by a blank line.
pub fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        out.push('\n');
        match block {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "{} {text}", "#".repeat(*level as usize));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "{text}");
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(out, "- {item}");
                }
            }
            Block::Numbered(items) => {
                for (i, item) in items.iter().enumerate() {
                    let _ = writeln!(out, "{}. {item}", i + 1);
                }
            }
            Block::Table(header, rows) => {
                let line = |cells: &[String]| {
                    let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
                    format!("| {} |\n", cells.join(" | "))
                };
                out.push_str(&line(header));
                let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
                for row in rows {
                    out.push_str(&line(row));
                }
            }
        }
    }
    out
}

/// `blocks` as HTML elements (escaped; no page around them).
pub fn html(blocks: &[Block]) -> String {
    let mut out = String::new();
    // Backticks mark ids in the Markdown; in HTML they become <code>.
    let inline = |text: &str| {
        let mut html = String::new();
        for (i, part) in text.split('`').enumerate() {
            if i % 2 == 1 {
                let _ = write!(html, "<code>{}</code>", escape(part));
            } else {
                html.push_str(&escape(part));
            }
        }
        html
    };
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "<h{level}>{}</h{level}>", inline(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", inline(text));
            }
            Block::List(items) | Block::Numbered(items) => {
                let tag = if matches!(block, Block::List(_)) {
                    "ul"
                } else {
                    "ol"
                };
                let _ = writeln!(out, "<{tag}>");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", inline(item));
                }
                let _ = writeln!(out, "</{tag}>");
            }
            Block::Table(header, rows) => {
                out.push_str("<table>\n<thead><tr>");
                for h in header {
                    let _ = write!(out, "<th>{}</th>", inline(h));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for c in row {
                        let _ = write!(out, "<td>{}</td>", inline(c));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    out
}
