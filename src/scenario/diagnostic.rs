//! Diagnostics that point into a scenario file: `path:line:col`, the key path, what is wrong,
//! the offending line with a caret, and a hint.

use std::ops::Range;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The scenario cannot be run.
    Error,
    /// The scenario runs, but probably not as its author intended.
    Warning,
}

/// One finding about a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where in the file (byte range); `None` for whole-file findings.
    pub span: Option<Range<usize>>,
    /// The key path, e.g. `roles[2].acknowledge` (empty for the whole file).
    pub key_path: String,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A new error.
    pub fn error(
        span: Option<Range<usize>>,
        key_path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            key_path: key_path.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// A new warning.
    pub fn warning(
        span: Option<Range<usize>>,
        key_path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(span, key_path, message)
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds `hint` unless the diagnostic has one already (a "did you mean" found earlier).
    pub fn with_hint_if_none(self, hint: impl Into<String>) -> Self {
        if self.hint.is_some() {
            self
        } else {
            self.with_hint(hint)
        }
    }

    /// Adds a "did you mean" hint when one of `candidates` is close to `wrong`.
    pub fn with_suggestion<'a>(
        self,
        wrong: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        match suggest(wrong, candidates) {
            Some(best) => self.with_hint(format!("did you mean `{best}`?")),
            None => self,
        }
    }

    /// Renders against the file's text, e.g.
    ///
    /// ```text
    /// error: scenarios/x.toml:3:1: roles[0]: unknown key `ackk`
    ///   |
    /// 3 | ackk = 3
    ///   | ^^^^
    ///   = hint: did you mean `acknowledge`?
    /// ```
    pub fn render(&self, path: &str, source: &str) -> String {
        let mut out = String::new();
        self.render_into(&mut out, path, &SourceLines::new(source), 0);
        out
    }

    /// Writes the diagnostic into `out`; `alike` more on the same line with the same message
    /// are counted in a note instead of being written out.
    fn render_into(&self, out: &mut String, path: &str, lines: &SourceLines<'_>, alike: usize) {
        use std::fmt::Write as _;
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let (line, col) = self
            .span
            .as_ref()
            .map_or((1, 1), |span| lines.line_col(span.start));
        let _ = write!(out, "{label}: {path}:{line}:{col}: ");
        if !self.key_path.is_empty() {
            let _ = write!(out, "{}: ", self.key_path);
        }
        let _ = writeln!(out, "{}", self.message);
        let gutter = match &self.span {
            Some(span) => {
                let gutter = " ".repeat(line.to_string().len());
                let (shown, caret_at, width) = window(lines.line(line), col, span.len());
                let _ = writeln!(out, "{gutter} |");
                let _ = writeln!(out, "{line} | {shown}");
                let _ = writeln!(
                    out,
                    "{gutter} | {}{}",
                    " ".repeat(caret_at),
                    "^".repeat(width)
                );
                gutter
            }
            None => " ".to_string(),
        };
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "{gutter} = hint: {hint}");
        }
        if alike > 0 {
            let _ = writeln!(
                out,
                "{gutter} = note: {alike} more like this on line {line} (each reported once here)"
            );
        }
    }
}

/// Lines longer than this are shown as a window around the column, so a file of one huge line
/// cannot make every diagnostic print megabytes.
const LINE_SHOWN: usize = 120;

/// What of `text` to show for a span at `col` (1-based, in characters) of `len` bytes: the text
/// (the whole line, or a window of it marked with `…`), the caret's offset in it and width.
fn window(text: &str, col: usize, len: usize) -> (String, usize, usize) {
    let chars = text.chars().count();
    let start = col.saturating_sub(1).min(chars);
    let width = |available: usize| len.clamp(1, available.max(1));
    if chars <= LINE_SHOWN {
        return (text.to_string(), start, width(chars.saturating_sub(start)));
    }
    let first = start.saturating_sub(LINE_SHOWN / 3);
    let last = (first + LINE_SHOWN).min(chars);
    let mut shown: String = text.chars().skip(first).take(last - first).collect();
    let mut caret_at = start - first;
    if first > 0 {
        shown.insert(0, '…');
        caret_at += 1;
    }
    if last < chars {
        shown.push('…');
    }
    (shown, caret_at, width(last.saturating_sub(start)))
}

/// A file's text with the offsets its lines start at, found once, so that placing many
/// diagnostics costs a binary search each instead of a scan of the file.
pub struct SourceLines<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> SourceLines<'a> {
    /// Indexes `source`.
    pub fn new(source: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceLines { source, starts }
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&start| start <= offset.min(self.source.len()))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.source, offset.min(self.source.len()));
        let line = self.line_of(offset);
        let start = self.starts[line - 1];
        (line, self.source[start..offset].chars().count() + 1)
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .starts
            .get(line)
            .map_or(self.source.len(), |next| next - 1);
        self.source[start..end].trim_end_matches('\r')
    }
}

/// 1-based line and column (in characters) of a byte offset (one diagnostic; many share a
/// [`SourceLines`]).
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    SourceLines::new(source).line_col(offset)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The closest candidate to `wrong` by edit distance, if it is close enough to be a typo.
pub fn suggest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_normalised = wrong.to_lowercase().replace('-', "_");
    candidates
        .into_iter()
        .map(|c| {
            let distance =
                strsim::levenshtein(&wrong_normalised, &c.to_lowercase().replace('-', "_"));
            (distance, c)
        })
        .filter(|(distance, c)| *distance <= (c.len().max(wrong.len()) / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// How many diagnostics (or groups of alike ones) [`Diagnostics::render`] writes out.
pub const MAX_SHOWN: usize = 100;

/// All diagnostics of one file, errors and warnings, in file order.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Whether any error (not warning) was found.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// Errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }

    /// Warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Warning)
    }

    /// Sorts by position in the file, whole-file findings first; keeps the order of equal ones.
    pub fn sort(&mut self) {
        self.0
            .sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
    }

    /// Renders them in order: each once, diagnostics with the same message on the same line as
    /// one with a count, and at most [`MAX_SHOWN`], then how many more there are, so the output
    /// stays small whatever the input holds.
    pub fn render(&self, path: &str, source: &str) -> String {
        let lines = SourceLines::new(source);
        let line_of = |d: &Diagnostic| d.span.as_ref().map(|span| lines.line_of(span.start));
        let mut out = String::new();
        let mut shown = 0;
        let mut rest = &self.0[..];
        while let Some(first) = rest.first() {
            let line = line_of(first);
            let group = rest
                .iter()
                .take_while(|d| {
                    d.severity == first.severity
                        && d.message == first.message
                        && d.hint == first.hint
                        && line_of(d) == line
                })
                .count();
            if shown == MAX_SHOWN {
                let errors = rest
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                let warnings = rest.len() - errors;
                out.push_str(&format!(
                    "… and {errors} more error(s) and {warnings} more warning(s) not shown: fix \
                     these, then check again\n"
                ));
                break;
            }
            first.render_into(&mut out, path, &lines, group - 1);
            shown += 1;
            rest = &rest[group..];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        assert_eq!(line_col(src, 10), (2, 4));
    }

    #[test]
    fn suggests_close_names_only() {
        let known = ["on_call", "incident-commander", "comms-lead"];
        assert_eq!(suggest("on-cal", known), Some("on_call"));
        assert_eq!(suggest("comms_lead", known), Some("comms-lead"));
        assert_eq!(suggest("finance", known), None);
    }

    #[test]
    fn renders_location_caret_and_hint() {
        let src = "[[roles]]\nackk = 3\n";
        let d = Diagnostic::error(Some(10..14), "roles[0]", "unknown key `ackk`")
            .with_hint("did you mean `ack`?");
        let text = d.render("x.toml", src);
        assert_eq!(
            text,
            "error: x.toml:2:1: roles[0]: unknown key `ackk`\n  |\n2 | ackk = 3\n  | ^^^^\n  = hint: did you mean `ack`?\n"
        );
    }

    /// Regression: every error re-printed its whole source line, and all of them were
    /// printed: 20,000 unknown roles on one line took 36 s and 8.4 GB to check.
    #[test]
    fn many_errors_on_one_huge_line_render_small() {
        let names: Vec<String> = (0..20_000).map(|i| format!("\"ghost-{i}\"")).collect();
        let source = format!("page = [{}]\n", names.join(", "));
        let mut diagnostics = Diagnostics::default();
        let mut at = "page = [".len();
        for (i, name) in names.iter().enumerate() {
            diagnostics.push(Diagnostic::error(
                Some(at..at + name.len()),
                format!("page[{i}]"),
                format!("no role named `{}`", name.trim_matches('"')),
            ));
            at += name.len() + 2;
        }
        let text = diagnostics.render("x.toml", &source);
        assert!(text.len() < 100_000, "{} bytes", text.len());
        assert_eq!(text.matches("error: x.toml:1:").count(), MAX_SHOWN);
        assert!(text.ends_with(&format!(
            "… and {} more error(s) and 0 more warning(s) not shown: fix these, then check \
             again\n",
            20_000 - MAX_SHOWN
        )));
        // The window keeps the caret under the span and the column exact.
        assert!(text.contains("error: x.toml:1:20: page[1]: no role named `ghost-1`"));
        let second = text.split("error: ").nth(2).unwrap();
        let lines: Vec<&str> = second.lines().collect();
        let caret = lines[3].find('^').unwrap();
        assert_eq!(&lines[2][caret..caret + 9], "\"ghost-1\"");
    }

    #[test]
    fn alike_errors_on_one_line_are_reported_once_with_their_count() {
        let source = "required = [\"a\", \"a\", \"a\", \"a\"]\n";
        let mut diagnostics = Diagnostics::default();
        for i in 1..4 {
            let at = 12 + 5 * i;
            diagnostics.push(Diagnostic::error(
                Some(at..at + 3),
                format!("required[{i}]"),
                "`a` is listed twice",
            ));
        }
        let text = diagnostics.render("x.toml", source);
        assert_eq!(text.matches("error:").count(), 1, "{text}");
        assert!(
            text.contains("= note: 2 more like this on line 1"),
            "{text}"
        );
    }
}
