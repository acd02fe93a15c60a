//! Markdown primitives: text made safe to show as text, in a paragraph or a table cell.

/// Literal text made safe for Markdown: `&` and `<` written as entities, so text holding
/// `<script>` or an entity shows as those characters instead of passing through as HTML, and
/// control characters shown (see [`crate::render::text::visible`]).
pub fn safe(text: &str) -> String {
    crate::render::text::visible(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
}

/// Text made safe for a Markdown table cell.
pub fn cell(text: &str) -> String {
    safe(text).replace('|', "\\|").replace('\n', " ")
}
