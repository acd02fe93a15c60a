//! HTML primitives every page shares: escaping, the stylesheet of the reports and the head of a
//! self-contained page. Nothing here knows what a page is about.

/// Escapes text for HTML and SVG, in element content and in quoted attribute values; control
/// characters are written out visibly.
pub fn escape(text: &str) -> String {
    escape_with(text, true)
}

/// [`escape`] that leaves apostrophes as they are. The sweep page (`ttx sweep --html`) has
/// always been written so, and swept values can hold an apostrophe, so its bytes are kept this
/// way: it quotes every attribute with `"`, where a bare `'` is safe.
pub fn escape_keeping_apostrophes(text: &str) -> String {
    escape_with(text, false)
}

fn escape_with(text: &str, apostrophes: bool) -> String {
    let mut out = String::with_capacity(text.len());
    // Control characters are shown, not passed on (a page hides them).
    for c in crate::render::text::visible(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if apostrophes => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The stylesheet every HTML report shares.
pub const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: #1c2230;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 900px; margin: 0 auto; padding: 28px 24px 40px; }
header { border-bottom: 3px solid #1c2230; padding-bottom: 12px; margin-bottom: 8px; }
.kicker { margin: 0; text-transform: uppercase; letter-spacing: .08em; font-size: 12px;
  font-weight: 600; color: #5a6475; }
h1 { font-size: 26px; line-height: 1.25; margin: 2px 0 0; }
h2 { font-size: 20px; line-height: 1.3; margin: 34px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid #cfd5df; }
h3 { font-size: 16px; margin: 22px 0 6px; }
p { margin: 8px 0; }
.note { color: #4a5363; font-size: 13px; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono",
  monospace; font-size: .9em; background: #f2f4f7; padding: 0 3px; border-radius: 3px;
  overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 10px 0 14px; font-size: 13.5px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px;
  border-bottom: 1px solid #e1e5ec; }
thead th { background: #eef1f5; font-weight: 600; color: #262e3d; border-bottom: 1px solid #c9d0da; }
.facts th { width: 11em; color: #4a5363; font-weight: 600; background: none; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.when { white-space: nowrap; font-variant-numeric: tabular-nums; width: 6em; }
.ci { color: #5a6475; font-size: 12px; white-space: nowrap; }
.thresholds { color: #5a6475; font-size: 12px; margin-top: 2px; }
th.when { white-space: nowrap; }
.badge { display: inline-block; min-width: 1.9em; text-align: center; font-weight: 700;
  border-radius: 4px; padding: 0 6px; border: 1px solid transparent; }
.rating-P { background: #d3efe4; color: #00513b; border-color: #7cc9ad; }
.rating-S { background: #d9ecf9; color: #0b4a75; border-color: #8cc3e8; }
.rating-M { background: #fde7c6; color: #744600; border-color: #eab765; }
.rating-U { background: #f9d8c8; color: #852c00; border-color: #e49a74; }
.callout { display: flex; gap: 14px; align-items: center; border: 1px solid #cfd5df;
  border-radius: 6px; padding: 12px 14px; margin: 10px 0 14px; background: #f8f9fb; }
.callout .badge { font-size: 26px; padding: 2px 12px; }
.callout p { margin: 0; }
.mix { display: flex; height: 8px; width: 100%; min-width: 90px; border-radius: 2px;
  overflow: hidden; margin-top: 4px; background: #eef1f5; }
.mix span { display: block; height: 100%; }
.mix .met { background: #009E73; } .mix .late { background: #E69F00; }
.mix .missed { background: #D55E00; }
.objective-text { color: #3b4454; }
.sw { display: inline-block; width: .8em; height: .8em; margin-right: .45em; border-radius: 2px;
  border: 1px solid rgba(0,0,0,.35); vertical-align: -1px; }
figure { margin: 14px 0 18px; }
figcaption { font-size: 13px; color: #4a5363; margin-top: 2px; }
td.id { white-space: nowrap; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 10px 18px; }
.charts figure { margin: 6px 0; }
svg.chart { display: block; width: 100%; height: auto; overflow: visible; }
svg.chart text { fill: #1c2230; font-size: 12px; }
svg.chart text.tick { fill: #4a5363; font-size: 11px; }
svg.chart text.axis-title { fill: #2c3445; font-size: 12px; font-weight: 600; }
svg.chart text.chart-title { font-size: 13px; font-weight: 700; }
svg.chart text.legend { font-size: 12px; }
svg.chart text.small { font-size: 11px; fill: #2c3445; }
svg.chart text.marker { font-size: 11px; fill: #1c2230; font-weight: 600; }
svg.chart text.halo { paint-order: stroke; stroke: #fff; stroke-width: 3px;
  stroke-linejoin: round; }
svg.chart text.inside { font-size: 11px; font-weight: 600; }
svg.chart text.lane { font-size: 12px; font-weight: 600; }
svg.chart line.axis { stroke: #6b7485; stroke-width: 1; }
svg.chart line.grid { stroke: #e4e8ee; stroke-width: 1; }
svg.chart line.target { stroke: #1c2230; stroke-width: 1.2; stroke-dasharray: 5 3; }
svg.chart line.milestone { stroke: #7a8396; stroke-width: 1; stroke-dasharray: 3 3; }
svg.chart line.leader { stroke: #9aa2b1; stroke-width: .8; }
svg.chart line.lane-rule { stroke: #d5dae3; stroke-width: 1; }
svg.chart rect.swatch { stroke: rgba(0,0,0,.35); stroke-width: .6; }
svg.chart .bars rect { stroke: #fff; stroke-width: .8; }
ul { margin: 8px 0; padding-left: 22px; }
li { margin: 3px 0; }
footer { margin-top: 34px; padding-top: 8px; border-top: 1px solid #cfd5df; font-size: 12px;
  color: #5a6475; }
@media (max-width: 700px) { .charts { grid-template-columns: 1fr; } main { padding: 16px 12px; } }
@page { size: A4; margin: 14mm 13mm 16mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10pt; background: #fff; color: #000; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 19pt; }
  h2 { font-size: 14pt; margin-top: 18pt; break-after: avoid; page-break-after: avoid; }
  h3 { font-size: 11.5pt; break-after: avoid; page-break-after: avoid; }
  table { font-size: 9pt; }
  table, figure, .callout, .charts, svg, .keep { break-inside: avoid; page-break-inside: avoid; }
  table.long { break-inside: auto; page-break-inside: auto; }
  tr, li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .charts { grid-template-columns: 1fr 1fr; }
  p, li { orphans: 3; widows: 3; }
  footer { break-before: avoid; page-break-before: avoid; break-inside: avoid;
    margin-top: 10pt; font-size: 8pt; }
}
"#;

/// The head of a self-contained HTML page (doctype, charset, viewport, title, stylesheet), up
/// to and including `<body>`: the pages other than the after-action report start with it.
pub fn page_head(title: &str, style: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        escape(title),
        style.trim_start_matches('\n')
    )
}

/// A whole self-contained page: [`page_head`] with the shared [`STYLE`], then `body` (HTML
/// rendered from blocks) in `<main>`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "{}<main>\n{body}</main>\n</body>\n</html>\n",
        page_head(title, STYLE)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sweep_escape_keeps_apostrophes() {
        assert_eq!(
            escape("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
        assert_eq!(escape_keeping_apostrophes("'<&\""), "'&lt;&amp;&quot;");
    }
}
