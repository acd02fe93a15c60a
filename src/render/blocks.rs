//! Documents as a list of [`Block`]s (headings, paragraphs, lists, tables, figures) written once
//! and rendered by one Markdown and one HTML writer, so both formats always say the same thing.
//! Used by the after-action report, the exercise packet and the drill report.
//!
//! Rich text is a [`Text`]: a list of [`Inline`] spans. Where the two formats genuinely differ
//! (a chart or a coloured bar Markdown cannot show, a command that names its own format), the
//! document says so explicitly with [`Inline::Either`] or [`Block::Either`]; everything else is
//! written once. The plain-string blocks ([`Block::Heading`], [`Block::Paragraph`],
//! [`Block::List`], [`Block::Numbered`], [`Block::Table`]) are shorthands in which backticks
//! mark ids: kept in Markdown, `<code>` in HTML.
//!
//! This module knows nothing of what a document is about, and never decides what it says.

use std::fmt::Write as _;

use super::html::escape;
use super::markdown::{cell, safe};
use super::text::visible;

/// One of the two output formats, for content that exists in only one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown.
    Markdown,
    /// HTML.
    Html,
}

/// A span of rich text.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Literal text (escaped for HTML; pipes and newlines escaped inside Markdown table cells).
    Text(String),
    /// Sentences the program writes itself (never data), which hold no markup: HTML writes
    /// them as they are, quotes and apostrophes included.
    Words(String),
    /// Text in which backticks mark ids: kept in Markdown, `<code>` in HTML.
    Ticked(String),
    /// A value from a scenario standing in running text: Markdown escapes pipes and newlines
    /// in it as in a table cell, so it cannot break the line it stands on.
    Field(String),
    /// An id or a command, in code type.
    Code(String),
    /// Strong emphasis.
    Strong(Vec<Inline>),
    /// Text with a style class (HTML `<span class>`; Markdown: just the text).
    Styled(&'static str, Vec<Inline>),
    /// A line under a table cell's value, with a style class (HTML `<div class>`; Markdown:
    /// the text, after the value).
    Under(&'static str, Vec<Inline>),
    /// Words that stay on one line (HTML: non-breaking spaces).
    NoBreak(String),
    /// A value with its 95% interval (`" [a – b]"` or empty) and a qualifier such as
    /// `" (restricted)"`: Markdown writes the interval after the value, HTML on a line under
    /// the value and qualifier.
    Estimate {
        /// The value.
        value: String,
        /// Text after the value, such as `" (restricted)"`.
        qualifier: &'static str,
        /// The interval, `" [a – b]"`, or empty.
        interval: String,
    },
    /// A rating badge (HTML: a coloured box with its meaning as a tooltip; Markdown: the
    /// letter in bold).
    Badge {
        /// The rating letter.
        letter: String,
        /// What it means.
        meaning: &'static str,
    },
    /// A thin bar of shares (HTML only: Markdown has the numbers beside it).
    ShareBar {
        /// The bar's accessible label.
        label: String,
        /// Each segment's style class and share (0 to 1); empty shares are left out.
        parts: Vec<(&'static str, f64)>,
    },
    /// A colour swatch (HTML only).
    Swatch(&'static str),
    /// Content that differs between the formats.
    Either {
        /// What Markdown says.
        markdown: Vec<Inline>,
        /// What HTML says.
        html: Vec<Inline>,
    },
}

/// Rich text: spans in order.
pub type Text = Vec<Inline>;

/// Literal text as one span.
pub fn text(content: impl Into<String>) -> Text {
    vec![Inline::Text(content.into())]
}

/// Sentences the program writes itself, as one span.
pub fn words(content: impl Into<String>) -> Text {
    vec![Inline::Words(content.into())]
}

/// Content only one format has.
pub fn only(format: Format, content: Vec<Inline>) -> Inline {
    match format {
        Format::Markdown => Inline::Either {
            markdown: content,
            html: Vec::new(),
        },
        Format::Html => Inline::Either {
            markdown: Vec::new(),
            html: content,
        },
    }
}

/// A table column: its header and the style classes of its header and body cells (HTML).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text.
    pub header: Text,
    /// Class of the header cell.
    pub head_class: Option<&'static str>,
    /// Class of the body cells.
    pub class: Option<&'static str>,
}

impl Column {
    /// A column whose header and cells share `class` (`None`: no class).
    pub fn new(header: Text, class: Option<&'static str>) -> Self {
        Column {
            header,
            head_class: class,
            class,
        }
    }

    /// A column of numbers, aligned right in HTML.
    pub fn num(header: &str) -> Self {
        Column::new(text(header), Some("num"))
    }

    /// A column of text.
    pub fn plain(header: &str) -> Self {
        Column::new(text(header), None)
    }

    /// The same column with body cells of class `class`.
    pub fn cells(self, class: &'static str) -> Self {
        Column {
            class: Some(class),
            ..self
        }
    }
}

/// A table of rich text with column classes.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Class of the table (HTML).
    pub class: Option<&'static str>,
    /// The columns.
    pub columns: Vec<Column>,
    /// One text per column in each row.
    pub rows: Vec<Vec<Text>>,
}

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
    /// The title of a document under a kicker naming its kind (Markdown: `# kicker: title`).
    Title {
        /// The kind of document.
        kicker: String,
        /// Its title.
        title: String,
    },
    /// A heading with an anchor id (HTML).
    Section {
        /// 2 for a section, 3 for a sub-section.
        level: u8,
        /// Anchor id.
        id: &'static str,
        /// Heading text.
        text: String,
    },
    /// A paragraph of rich text, with a style class (HTML).
    Prose(Option<&'static str>, Text),
    /// Key-value facts about the document (a two-column table with row headers).
    Facts(Vec<(String, Text)>),
    /// A bulleted list of literal items.
    Items(Vec<String>),
    /// A table of rich text.
    Grid(Grid),
    /// A boxed paragraph led by a badge (Markdown: the paragraph).
    Callout(Inline, Text),
    /// A chart (inline SVG) and its caption; Markdown has no chart.
    Figure {
        /// The SVG element.
        svg: String,
        /// The caption.
        caption: Text,
    },
    /// Blocks kept together with a style class (HTML `<div>`, e.g. not split across pages).
    Group(&'static str, Vec<Block>),
    /// A part of the document that pages link to by its id (HTML `<section id>`; Markdown:
    /// the blocks).
    Region(&'static str, Vec<Block>),
    /// Blocks that differ between the formats.
    Either {
        /// What Markdown says.
        markdown: Vec<Block>,
        /// What HTML says.
        html: Vec<Block>,
    },
}

impl Block {
    /// Blocks only one format has.
    pub fn only(format: Format, blocks: Vec<Block>) -> Block {
        match format {
            Format::Markdown => Block::Either {
                markdown: blocks,
                html: Vec::new(),
            },
            Format::Html => Block::Either {
                markdown: Vec::new(),
                html: blocks,
            },
        }
    }
}

/// Rich text as Markdown; `in_cell` escapes pipes and newlines as a table cell needs.
fn md_inline(out: &mut String, spans: &[Inline], in_cell: bool) {
    let plain = |out: &mut String, s: &str| {
        if in_cell {
            out.push_str(&cell(s));
        } else {
            out.push_str(&safe(s));
        }
    };
    for span in spans {
        match span {
            Inline::Text(s) | Inline::Words(s) | Inline::Ticked(s) | Inline::NoBreak(s) => {
                plain(out, s)
            }
            Inline::Field(s) => out.push_str(&cell(s)),
            // A code span shows its content literally: entities would show as written.
            Inline::Code(s) => {
                out.push('`');
                let shown = visible(s);
                out.push_str(&if in_cell {
                    shown.replace('|', "\\|").replace('\n', " ")
                } else {
                    shown.into_owned()
                });
                out.push('`');
            }
            Inline::Strong(inner) => {
                out.push_str("**");
                md_inline(out, inner, in_cell);
                out.push_str("**");
            }
            Inline::Styled(_, inner) | Inline::Under(_, inner) => md_inline(out, inner, in_cell),
            Inline::Estimate {
                value,
                qualifier,
                interval,
            } => {
                plain(out, value);
                plain(out, interval);
                plain(out, qualifier);
            }
            Inline::Badge { letter, .. } => {
                let _ = write!(out, "**{letter}**");
            }
            Inline::ShareBar { .. } | Inline::Swatch(_) => {}
            Inline::Either { markdown, .. } => md_inline(out, markdown, in_cell),
        }
    }
}

fn md_text(spans: &[Inline], in_cell: bool) -> String {
    let mut out = String::new();
    md_inline(&mut out, spans, in_cell);
    out
}

fn ticked(s: &str) -> Text {
    vec![Inline::Ticked(s.to_string())]
}

/// One Markdown table (header, separator, rows), each cell escaped.
fn md_table(out: &mut String, header: &[String], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
}

/// `blocks` as Markdown, each preceded by a blank line.
pub fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        md_block(&mut out, block);
    }
    out
}

fn md_block(out: &mut String, block: &Block) {
    let cells =
        |texts: &[Text]| -> Vec<String> { texts.iter().map(|t| md_text(t, true)).collect() };
    match block {
        Block::Group(_, blocks)
        | Block::Region(_, blocks)
        | Block::Either {
            markdown: blocks, ..
        } => {
            for b in blocks {
                md_block(out, b);
            }
            return;
        }
        Block::Figure { .. } => return,
        _ => {}
    }
    out.push('\n');
    match block {
        Block::Heading(level, text) | Block::Section { level, text, .. } => {
            let _ = writeln!(out, "{} {}", "#".repeat(*level as usize), safe(text));
        }
        Block::Title { kicker, title } => {
            let _ = writeln!(out, "# {kicker}: {}", cell(title));
        }
        Block::Paragraph(text) => {
            let _ = writeln!(out, "{}", safe(text));
        }
        Block::Prose(_, text) | Block::Callout(_, text) => {
            let _ = writeln!(out, "{}", md_text(text, false));
        }
        Block::List(items) | Block::Items(items) => {
            for item in items {
                let _ = writeln!(out, "- {}", safe(item));
            }
        }
        Block::Numbered(items) => {
            for (i, item) in items.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", i + 1, safe(item));
            }
        }
        Block::Table(header, rows) => {
            let row = |r: &[String]| cells(&r.iter().map(|c| ticked(c)).collect::<Vec<_>>());
            md_table(
                out,
                &row(header),
                &rows.iter().map(|r| row(r)).collect::<Vec<_>>(),
            );
        }
        Block::Facts(facts) => {
            out.push_str("| | |\n| --- | --- |\n");
            for (key, value) in facts {
                let _ = writeln!(out, "| {key} | {} |", md_text(value, true));
            }
        }
        Block::Grid(grid) => {
            let header: Vec<Text> = grid.columns.iter().map(|c| c.header.clone()).collect();
            md_table(
                out,
                &cells(&header),
                &grid.rows.iter().map(|r| cells(r)).collect::<Vec<_>>(),
            );
        }
        Block::Group(..) | Block::Region(..) | Block::Either { .. } | Block::Figure { .. } => {}
    }
}

/// Rich text as HTML.
fn html_inline(out: &mut String, spans: &[Inline]) {
    for span in spans {
        match span {
            Inline::Text(s) | Inline::Field(s) => out.push_str(&escape(s)),
            Inline::Words(s) => {
                debug_assert!(!s.contains(['<', '&']), "words hold no markup: {s}");
                out.push_str(s);
            }
            Inline::Ticked(s) => {
                for (i, part) in s.split('`').enumerate() {
                    if i % 2 == 1 {
                        let _ = write!(out, "<code>{}</code>", escape(part));
                    } else {
                        out.push_str(&escape(part));
                    }
                }
            }
            Inline::Code(s) => {
                let _ = write!(out, "<code>{}</code>", escape(s));
            }
            Inline::Strong(inner) => {
                out.push_str("<strong>");
                html_inline(out, inner);
                out.push_str("</strong>");
            }
            Inline::Styled(class, inner) => {
                let _ = write!(out, "<span class=\"{class}\">");
                html_inline(out, inner);
                out.push_str("</span>");
            }
            Inline::Under(class, inner) => {
                let _ = write!(out, "<div class=\"{class}\">");
                html_inline(out, inner);
                out.push_str("</div>");
            }
            Inline::NoBreak(s) => out.push_str(&escape(s).replace(' ', "&nbsp;")),
            Inline::Estimate {
                value,
                qualifier,
                interval,
            } => {
                out.push_str(&escape(value));
                out.push_str(&escape(qualifier));
                if !interval.is_empty() {
                    let _ = write!(out, "<div class=\"ci\">{}</div>", escape(interval.trim()));
                }
            }
            Inline::Badge { letter, meaning } => {
                let letter = escape(letter);
                let _ = write!(
                    out,
                    "<span class=\"badge rating-{letter}\" title=\"{meaning}\">{letter}</span>"
                );
            }
            Inline::ShareBar { label, parts } => {
                let _ = write!(
                    out,
                    "<div class=\"mix\" role=\"img\" aria-label=\"{}\">",
                    escape(label)
                );
                for (class, share) in parts.iter().filter(|(_, share)| *share > 0.0) {
                    let _ = write!(
                        out,
                        "<span class=\"{class}\" style=\"width:{:.1}%\"></span>",
                        100.0 * share
                    );
                }
                out.push_str("</div>");
            }
            Inline::Swatch(colour) => {
                let _ = write!(
                    out,
                    "<span class=\"sw\" style=\"background:{colour}\"></span>"
                );
            }
            Inline::Either { html, .. } => html_inline(out, html),
        }
    }
}

fn html_text(spans: &[Inline]) -> String {
    let mut out = String::new();
    html_inline(&mut out, spans);
    out
}

/// ` class="x"`, or nothing.
fn class_attr(class: Option<&str>) -> String {
    class.map_or_else(String::new, |c| format!(" class=\"{c}\""))
}

/// `blocks` as HTML elements (escaped; no page around them).
pub fn html(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        html_block(&mut out, block);
    }
    out
}

fn html_block(out: &mut String, block: &Block) {
    match block {
        Block::Heading(level, text) => {
            let _ = writeln!(out, "<h{level}>{}</h{level}>", html_text(&ticked(text)));
        }
        Block::Section { level, id, text } => {
            let _ = writeln!(out, "<h{level} id=\"{id}\">{}</h{level}>", escape(text));
        }
        Block::Title { kicker, title } => {
            let _ = write!(
                out,
                "<header>\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n</header>\n",
                escape(kicker),
                escape(title)
            );
        }
        Block::Paragraph(text) => {
            let _ = writeln!(out, "<p>{}</p>", html_text(&ticked(text)));
        }
        Block::Prose(class, text) => {
            let _ = writeln!(out, "<p{}>{}</p>", class_attr(*class), html_text(text));
        }
        Block::List(items) | Block::Numbered(items) => {
            let tag = if matches!(block, Block::List(_)) {
                "ul"
            } else {
                "ol"
            };
            let _ = writeln!(out, "<{tag}>");
            for item in items {
                let _ = writeln!(out, "<li>{}</li>", html_text(&ticked(item)));
            }
            let _ = writeln!(out, "</{tag}>");
        }
        Block::Items(items) => {
            out.push_str("<ul>\n");
            for item in items {
                let _ = writeln!(out, "<li>{}</li>", escape(item));
            }
            out.push_str("</ul>\n");
        }
        Block::Table(header, rows) => {
            let grid = Grid {
                class: None,
                columns: header
                    .iter()
                    .map(|h| Column::new(ticked(h), None))
                    .collect(),
                rows: rows
                    .iter()
                    .map(|r| r.iter().map(|c| ticked(c)).collect())
                    .collect(),
            };
            html_grid(out, &grid);
        }
        Block::Grid(grid) => html_grid(out, grid),
        Block::Facts(facts) => {
            out.push_str("<table class=\"facts\">\n<tbody>\n");
            for (key, value) in facts {
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                    escape(key),
                    html_text(value)
                );
            }
            out.push_str("</tbody>\n</table>\n");
        }
        Block::Callout(badge, text) => {
            let _ = writeln!(
                out,
                "<div class=\"callout\">{}<p>{}</p></div>",
                html_text(std::slice::from_ref(badge)),
                html_text(text)
            );
        }
        Block::Figure { svg, caption } => {
            let _ = write!(
                out,
                "<figure>\n{svg}<figcaption>{}</figcaption>\n</figure>\n",
                html_text(caption)
            );
        }
        Block::Group(class, blocks) => {
            let _ = writeln!(out, "<div class=\"{class}\">");
            for b in blocks {
                html_block(out, b);
            }
            out.push_str("</div>\n");
        }
        Block::Region(id, blocks) => {
            let _ = writeln!(out, "<section id=\"{id}\">");
            for b in blocks {
                html_block(out, b);
            }
            out.push_str("</section>\n");
        }
        Block::Either { html, .. } => {
            for b in html {
                html_block(out, b);
            }
        }
    }
}

fn html_grid(out: &mut String, grid: &Grid) {
    let _ = write!(out, "<table{}>\n<thead><tr>", class_attr(grid.class));
    for c in &grid.columns {
        let _ = write!(
            out,
            "<th{}>{}</th>",
            class_attr(c.head_class),
            html_text(&c.header)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &grid.rows {
        out.push_str("<tr>");
        for (c, cell) in grid.columns.iter().zip(row) {
            let _ = write!(out, "<td{}>{}</td>", class_attr(c.class), html_text(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_of_one_format_stays_out_of_the_other() {
        let blocks = vec![
            Block::Prose(
                Some("note"),
                vec![
                    Inline::Text("a | b ".into()),
                    only(Format::Markdown, text("md")),
                    only(Format::Html, text("html")),
                ],
            ),
            Block::Figure {
                svg: "<svg></svg>\n".into(),
                caption: text("chart"),
            },
        ];
        assert_eq!(markdown(&blocks), "\na | b md\n");
        assert_eq!(
            html(&blocks),
            "<p class=\"note\">a | b html</p>\n<figure>\n<svg></svg>\n<figcaption>chart</figcaption>\n</figure>\n"
        );
    }

    #[test]
    fn an_estimate_puts_its_interval_where_each_format_reads_it() {
        let cell = vec![Inline::Estimate {
            value: "1h".into(),
            qualifier: " (restricted)",
            interval: " [50m – 1h10m]".into(),
        }];
        assert_eq!(md_text(&cell, true), "1h [50m – 1h10m] (restricted)");
        assert_eq!(
            html_text(&cell),
            "1h (restricted)<div class=\"ci\">[50m – 1h10m]</div>"
        );
    }
}
