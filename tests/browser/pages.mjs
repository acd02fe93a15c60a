// Checks self-contained HTML pages in headless Chromium (scripts/check-html-report.sh runs it):
//
//   node tests/browser/pages.mjs OUT_DIR KIND=PAGE.html [KIND=PAGE.html ...]
//
// Each page is opened from its file twice: at a 1280 px wide window (screen media) and at the
// printable width of an A4 page under its own @page margins (print media). Each time it must
// make no request other than its own file, log no console error and throw nothing, and fit its
// width: the document does not scroll sideways, no element's right edge passes the viewport,
// and no element scrolls sideways inside itself (a table in an overflow box). Screenshots go
// to OUT_DIR/KIND-1280.png and OUT_DIR/KIND-a4.png, the page printed to PDF (A4, as the page
// asks) to OUT_DIR/KIND.pdf. Prints one line per page and view; exits 1 if any check failed.
import { launch } from "./launch.mjs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [outDir, ...pairs] = process.argv.slice(2);
if (!outDir || pairs.length === 0) {
  console.error("usage: node pages.mjs OUT_DIR KIND=PAGE.html ...");
  process.exit(2);
}

// A4 is 210 mm wide; 96 CSS px per inch.
const A4_WIDTH_PX = (210 / 25.4) * 96;

// What overflows: the document's own sideways scroll, every element whose right edge passes
// the viewport (outside any box that clips it), and every box that scrolls sideways itself.
function overflow() {
  const width = document.documentElement.clientWidth;
  const found = [];
  const name = (e) => {
    const cls = typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : "";
    const id = e.id ? "#" + e.id : "";
    const text = (e.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return `<${e.tagName.toLowerCase()}${id}${cls}> "${text}"`;
  };
  if (document.documentElement.scrollWidth > width + 1) {
    found.push(`the document is ${document.documentElement.scrollWidth} px wide in a ${width} px viewport`);
  }
  const clipped = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  for (const e of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(e);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const box = e.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if ((style.overflowX === "auto" || style.overflowX === "scroll") && e.scrollWidth > e.clientWidth + 1) {
      found.push(`${name(e)} scrolls sideways: ${e.scrollWidth} px of content in ${e.clientWidth} px`);
    }
    if (box.right > width + 1 && !clipped(e)) {
      found.push(`${name(e)} ends at ${Math.round(box.right)} px, past the ${width} px viewport`);
    }
    if (box.left < -1 && !clipped(e)) {
      found.push(`${name(e)} starts at ${Math.round(box.left)} px, left of the viewport`);
    }
  }
  return found;
}

// The left and right margins (px) of the page's first @page rule (top level or in a print
// media rule); 0 when it sets none.
function pageMargins() {
  const px = (v) => {
    const m = /^([\d.]+)(mm|cm|in|pt|px)$/.exec(v || "");
    if (!m) return 0;
    const per = { mm: 96 / 25.4, cm: 96 / 2.54, in: 96, pt: 96 / 72, px: 1 }[m[2]];
    return parseFloat(m[1]) * per;
  };
  // @page may stand inside @media print.
  const find = (rules) => {
    for (const rule of rules) {
      if (rule.type === CSSRule.PAGE_RULE) return [px(rule.style.marginLeft), px(rule.style.marginRight)];
      if (rule.type === CSSRule.MEDIA_RULE && /print|all/.test(rule.media.mediaText)) {
        const inner = find(rule.cssRules);
        if (inner) return inner;
      }
    }
    return null;
  };
  for (const sheet of document.styleSheets) {
    const margins = find(sheet.cssRules);
    if (margins) return margins;
  }
  return [0, 0];
}

const browser = await launch();
let failed = 0;
try {
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const kind = pair.slice(0, at);
    const file = path.resolve(pair.slice(at + 1));
    const url = pathToFileURL(file).href;
    for (const view of ["1280", "a4"]) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const problems = [];
      // Any request but the page's own file is refused and counted: the pages are
      // self-contained, so they make none.
      await context.route("**/*", (route) => {
        const requested = route.request().url();
        if (requested === url) return route.continue();
        problems.push(`requested ${requested.slice(0, 120)}`);
        return route.abort();
      });
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console error: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
      await page.goto(url, { waitUntil: "load" });
      if (view === "a4") {
        await page.emulateMedia({ media: "print" });
        const [left, right] = await page.evaluate(pageMargins);
        await page.setViewportSize({ width: Math.floor(A4_WIDTH_PX - left - right), height: 1123 });
      }
      problems.push(...(await page.evaluate(overflow)));
      await page.screenshot({ path: path.join(outDir, `${kind}-${view}.png`), fullPage: true });
      if (view === "a4") {
        await page.pdf({ path: path.join(outDir, `${kind}.pdf`), preferCSSPageSize: true, format: "A4" });
      }
      await context.close();
      if (problems.length) {
        failed++;
        console.log(`FAIL ${kind} ${view}: ${problems.length} problem(s)`);
        for (const p of problems.slice(0, 12)) console.log(`  ${p}`);
        if (problems.length > 12) console.log(`  ... and ${problems.length - 12} more`);
      } else {
        console.log(`ok   ${kind} ${view}`);
      }
    }
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
