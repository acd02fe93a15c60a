//! Plain-text helpers every document uses: nothing here knows what the text is about.

/// `text` with its first letter in upper case.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `text` with every control character but newline and tab written out as a visible escape
/// (`\x1b` for ESC, `\x0d` for CR, `\u{9b}` for a C1 control): what people typed is shown as
/// text, never acted on by a terminal (clearing the screen, overwriting a line) or hidden.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !hidden(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// [`visible`] on one line: newlines shown as `\n` too (a console or log line that a
/// participant's text must not break into a fake second line).
pub fn one_line(text: &str) -> String {
    visible(text).replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_acted_on() {
        assert_eq!(visible("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(visible("\u{1b}[2Jgone\rfake"), "\\x1b[2Jgone\\x0dfake");
        assert_eq!(visible("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(one_line("a\nb"), "a\\nb");
    }

    #[test]
    fn only_the_first_letter_changes() {
        assert_eq!(capitalise("time to recover"), "Time to recover");
        assert_eq!(capitalise(""), "");
    }
}
