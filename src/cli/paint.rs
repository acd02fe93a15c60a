//! Colour for a terminal: the library writes plain text, and this paints the few words a
//! reader scans for (error and warning labels, objective ratings, compare verdicts) when the
//! stream it goes to takes colour: `--color`, else `NO_COLOR` / `CLICOLOR_FORCE` and whether
//! it is a terminal (anstream decides). Files never pass through here, so they never hold
//! colour.

use anstyle::{AnsiColor, Style};

/// The `--color` choice, made once before the command runs.
pub fn choose(when: clap::ColorChoice) {
    anstream::ColorChoice::write_global(match when {
        clap::ColorChoice::Auto => anstream::ColorChoice::Auto,
        clap::ColorChoice::Always => anstream::ColorChoice::Always,
        clap::ColorChoice::Never => anstream::ColorChoice::Never,
    });
}

/// Which stream text is painted for.
#[derive(Debug, Clone, Copy)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Stream {
    /// Whether this stream takes colour now.
    fn takes_colour(self) -> bool {
        let choice = match self {
            Stream::Stdout => anstream::AutoStream::choice(&std::io::stdout()),
            Stream::Stderr => anstream::AutoStream::choice(&std::io::stderr()),
        };
        choice != anstream::ColorChoice::Never
    }
}

const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const CYAN: Style = AnsiColor::Cyan.on_default();
const DIM: Style = Style::new().dimmed();

/// `text` as `stream` should show it: painted where it takes colour, as it is otherwise.
pub fn paint(text: &str, stream: Stream) -> String {
    if !stream.takes_colour() {
        return text.to_string();
    }
    text.split_inclusive('\n').map(paint_line).collect()
}

/// A line with its label (at the start) or its verdict or rating (at the end) styled.
fn paint_line(line: &str) -> String {
    let body = line.trim_end_matches('\n');
    let newline = &line[body.len()..];
    for (label, style) in [
        ("error:", RED),
        ("invalid:", RED),
        ("failed:", RED),
        ("warning:", YELLOW),
        ("ok:", GREEN),
        ("   = hint:", CYAN),
    ] {
        if let Some(rest) = body.strip_prefix(label) {
            return format!("{style}{label}{style:#}{rest}{newline}");
        }
    }
    for (verdict, style) in [
        ("no detectable change", DIM),
        ("better", GREEN),
        ("worse", RED),
    ] {
        if let Some(rest) = body.strip_suffix(verdict)
            && rest.ends_with("  ")
        {
            return format!("{rest}{style}{verdict}{style:#}{newline}");
        }
    }
    // An objective row of the run table: percentages, then the rating letter last.
    if let Some(rest) = body.strip_suffix(['P', 'S', 'M', 'U'])
        && rest.ends_with(' ')
        && rest.trim_end().ends_with('%')
    {
        let rating = &body[rest.len()..];
        let style = match rating {
            "P" => GREEN,
            "S" => CYAN,
            "M" => YELLOW,
            _ => RED,
        };
        return format!("{rest}{style}{rating}{style:#}{newline}");
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_ratings_and_verdicts_are_styled_and_nothing_else() {
        let painted = paint_line("error: 'x' is missing\n");
        assert_eq!(painted, format!("{RED}error:{RED:#} 'x' is missing\n"));
        let row = "detect-fast   time_to_detect <= 30.0m   86.7%   13.3%    0.0%       S\n";
        assert_eq!(
            paint_line(row),
            row.replace(" S\n", &format!(" {CYAN}S{CYAN:#}\n"))
        );
        let verdict = "time to detect  8.2m → 9.4m  0.01  worse";
        assert!(paint_line(verdict).ends_with(&format!("{RED}worse{RED:#}")));
        // A word merely ending a line, or a letter after a word, is left alone.
        for plain in [
            "the team did worse",
            "objective  target  rating S",
            "time to detect  8.8m",
        ] {
            assert_eq!(paint_line(plain), plain);
        }
    }
}
