//! Plain-text helpers every document uses: nothing here knows what the text is about.

/// `text` with its first letter in upper case.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_letter_changes() {
        assert_eq!(capitalise("time to recover"), "Time to recover");
        assert_eq!(capitalise(""), "");
    }
}
