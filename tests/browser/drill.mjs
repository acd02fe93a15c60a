// A participant in headless Chromium: opens a join link, waits for an inject to arrive on the
// page (pushed, no reload), then for the page alert, clicks Acknowledge and waits for the page
// to confirm. Prints `ready` once the page is up and `acknowledged` at the end.
//
// usage: node drill.mjs JOIN-URL INJECT-TEXT [SCREENSHOT.png]
import { launch } from "./launch.mjs";

const [url, injectText, screenshot] = process.argv.slice(2);
if (!url || !injectText) {
  console.error("usage: node drill.mjs JOIN-URL INJECT-TEXT [SCREENSHOT.png]");
  process.exit(2);
}
const browser = await launch();
try {
  const page = await browser.newPage();
  let reloads = 0;
  page.on("load", () => { reloads += 1; });
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("who").textContent.includes("on-call"));
  console.log("ready");
  await page.locator("#feed li", { hasText: injectText }).waitFor({ timeout: 60000 });
  console.log("inject arrived");
  const ack = page.locator('[data-testid="ack-main"]');
  await ack.waitFor({ timeout: 60000 });
  await ack.click();
  await page.locator("#message", { hasText: "Done:" }).waitFor({ timeout: 20000 });
  if (reloads !== 1) throw new Error(`the page reloaded (${reloads} loads)`);
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  console.log("acknowledged");
} finally {
  await browser.close();
}
