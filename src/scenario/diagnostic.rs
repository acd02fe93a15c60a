//! Diagnostics that point into a scenario file: `path:line:col`, the key path, what is wrong,
//! the offending line with a caret, and a hint.

use std::fmt;
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
        Rendered {
            diagnostic: self,
            path,
            source,
        }
        .to_string()
    }
}

struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    path: &'a str,
    source: &'a str,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        let label = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let (line, col) = d
            .span
            .as_ref()
            .map(|span| line_col(self.source, span.start))
            .unwrap_or((1, 1));
        write!(f, "{label}: {}:{line}:{col}: ", self.path)?;
        if !d.key_path.is_empty() {
            write!(f, "{}: ", d.key_path)?;
        }
        writeln!(f, "{}", d.message)?;
        if let Some(span) = &d.span {
            let text = self.source.lines().nth(line - 1).unwrap_or("");
            let gutter = " ".repeat(line.to_string().len());
            let width = span
                .end
                .saturating_sub(span.start)
                .clamp(1, text.len().saturating_sub(col - 1).max(1));
            writeln!(f, "{gutter} |")?;
            writeln!(f, "{line} | {text}")?;
            writeln!(f, "{gutter} | {}{}", " ".repeat(col - 1), "^".repeat(width))?;
            if let Some(hint) = &d.hint {
                writeln!(f, "{gutter} = hint: {hint}")?;
            }
        } else if let Some(hint) = &d.hint {
            writeln!(f, "  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..floor_char_boundary(source, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
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

    /// Renders all of them.
    pub fn render(&self, path: &str, source: &str) -> String {
        self.0.iter().map(|d| d.render(path, source)).collect()
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
}
