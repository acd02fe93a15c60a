//! Markdown primitives: text made safe for a table cell.

/// Text made safe for a Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
