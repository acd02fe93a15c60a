//! Rendering primitives every document uses: documents as [`blocks`] written once for Markdown
//! and HTML, [`html`] escaping and the shared page head, [`markdown`] table cells, [`svg`]
//! charts (the report's primitives and the sweep page's line chart), plain-text [`table`]s,
//! [`text`] helpers, and the [`paths`] reports land at.
//!
//! Nothing here knows about scenarios, runs or results: it depends on nothing else in the crate,
//! so every document layer above can use it.

pub mod blocks;
pub mod html;
pub mod markdown;
pub mod paths;
pub mod svg;
pub mod table;
pub mod text;
