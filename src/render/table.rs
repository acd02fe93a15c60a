//! Plain-text tables for the terminal: cells padded into aligned columns, lines trimmed at the
//! end. One table serves the two kinds the command line prints: columns fitted to their widest
//! cell (`ttx compare`, `ttx trend`) and columns of fixed width, where a longer cell pushes the
//! rest of its line along as `printf` would (`ttx run`, `ttx sweep`).

use std::fmt::Write as _;

/// The widest line a table or a paragraph printed to a terminal may take.
pub const TERMINAL_WIDTH: usize = 100;

/// `text` as lines of at most `width` characters, broken at spaces (a word longer than
/// `width` gets a line of its own), each line after the first starting with `indent`; ends
/// without a newline.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let taken = line.chars().count();
        if taken > 0 && taken + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
        } else if !line.is_empty() && line != indent {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}

/// Which side of its column a cell keeps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text: padded on the right.
    Left,
    /// Numbers: padded on the left.
    Right,
}

/// A column: its alignment, its least width in characters and the gap before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextColumn {
    /// Alignment of its cells.
    pub align: Align,
    /// Least width in characters.
    pub width: usize,
    /// Spaces before the column (none before the first).
    pub gap: &'static str,
}

impl TextColumn {
    /// A left-aligned column of at least `width` characters, one space after the previous.
    pub fn left(width: usize) -> Self {
        TextColumn {
            align: Align::Left,
            width,
            gap: " ",
        }
    }

    /// A right-aligned column of at least `width` characters, one space after the previous.
    pub fn right(width: usize) -> Self {
        TextColumn {
            align: Align::Right,
            ..TextColumn::left(width)
        }
    }

    /// The same column with `gap` before it.
    pub fn after(self, gap: &'static str) -> Self {
        TextColumn { gap, ..self }
    }
}

/// A plain-text table layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTable {
    columns: Vec<TextColumn>,
    fit: bool,
}

impl TextTable {
    /// `count` left-aligned columns, each as wide as its widest cell, two spaces apart.
    pub fn fitted(count: usize) -> Self {
        TextTable {
            columns: vec![TextColumn::left(0).after("  "); count],
            fit: true,
        }
    }

    /// Columns of fixed width: a longer cell is written whole and shifts the rest of its line.
    pub fn fixed(columns: Vec<TextColumn>) -> Self {
        TextTable {
            columns,
            fit: false,
        }
    }

    /// `rows` as lines, each ending in a newline, trailing spaces trimmed.
    pub fn render<S: AsRef<str>>(&self, rows: &[Vec<S>]) -> String {
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let widest = rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|cell| cell.as_ref().chars().count())
                    .max()
                    .unwrap_or(0);
                if self.fit {
                    widest.max(c.width)
                } else {
                    c.width
                }
            })
            .collect();
        let mut out = String::new();
        for row in rows {
            let mut line = String::new();
            for (i, (cell, (column, &w))) in
                row.iter().zip(self.columns.iter().zip(&widths)).enumerate()
            {
                if i > 0 {
                    line.push_str(column.gap);
                }
                let cell = cell.as_ref();
                let _ = match column.align {
                    Align::Left => write!(line, "{cell:<w$}"),
                    Align::Right => write!(line, "{cell:>w$}"),
                };
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        let text = "one two three four five six";
        assert_eq!(wrap(text, 9, ""), "one two\nthree\nfour five\nsix");
        assert_eq!(
            wrap(text, 9, "  "),
            "one two\n  three\n  four\n  five\n  six"
        );
        assert_eq!(wrap("unbreakable-word x", 5, ""), "unbreakable-word\nx");
        for line in wrap(&"lorem ipsum ".repeat(40), TERMINAL_WIDTH, "").lines() {
            assert!(line.chars().count() <= TERMINAL_WIDTH);
        }
    }

    #[test]
    fn fitted_columns_take_the_widest_cell() {
        let rows = vec![vec!["metric", "a"], vec!["time to detect", "1h"]];
        assert_eq!(
            TextTable::fitted(2).render(&rows),
            "metric          a\ntime to detect  1h\n"
        );
    }

    #[test]
    fn a_long_cell_in_a_fixed_column_shifts_only_its_line() {
        let table = TextTable::fixed(vec![TextColumn::left(4), TextColumn::right(3)]);
        let rows = vec![vec!["ab", "1"], vec!["abcdef", "2"]];
        assert_eq!(table.render(&rows), "ab     1\nabcdef   2\n");
    }
}
