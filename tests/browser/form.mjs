// A communications lead in headless Chromium fills a customer notice on the drill page: waits
// for the form to be pre-filled from the run, sees an empty required field flagged and a
// jargon word warned about while typing, sends it, and waits for the answer that names what the
// notice lacked. Prints `prefilled`, `flagged` and `sent`.
//
// usage: node form.mjs JOIN-URL [SCREENSHOT.png]
import { launch } from "./launch.mjs";

const [url, screenshot] = process.argv.slice(2);
if (!url) {
  console.error("usage: node form.mjs JOIN-URL [SCREENSHOT.png]");
  process.exit(2);
}
const browser = await launch();
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  const affected = page.locator('[data-testid="field-customer-notice-affected_process"]');
  await page.waitForFunction(
    () => (document.querySelector('[data-testid="field-customer-notice-affected_process"]') || {}).value,
    null,
    { timeout: 60000 },
  );
  console.log("prefilled " + (await affected.inputValue()));
  const impact = page.locator('[data-testid="field-customer-notice-impact"]');
  const impactLabel = page.locator('.form[data-template="customer-notice"] [data-field="impact"]');
  if (!(await impactLabel.getAttribute("class")).includes("missing")) throw new Error("an empty required field is not flagged");
  await impact.fill("Order confirmations are late because a webhook times out");
  await page.locator('.form[data-template="customer-notice"] .jargon', { hasText: "webhook" }).waitFor({ timeout: 5000 });
  if ((await impactLabel.getAttribute("class")).includes("missing")) throw new Error("a filled field is still flagged");
  console.log("flagged");
  await page.locator('[data-testid="send-customer-notice"]').click();
  await page.locator("#message", { hasText: "missing required fields" }).waitFor({ timeout: 20000 });
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  if (errors.length) throw new Error("page errors: " + errors.join("; "));
  console.log("sent");
} finally {
  await browser.close();
}
