// The acceptance drill in headless Chromium: the facilitator's page and two players' pages
// (on-call and incident commander) of the default scenario. The on-call types their name on
// their page; it shows on the facilitator's page. The facilitator skips idle time
// and fires an inject, which reaches the on-call's page by push (highlighted, counted in the
// tab title); the on-call acknowledges, names a decoy cause first,
// then the real cause, contains (the commander approves on their page), fixes, and replays
// the failed tasks after recovery; the facilitator writes a note and ends the drill.
// Screenshots of each page (and the on-call's at phone width) at three moments go to
// SHOT-DIR; every visible text must pass WCAG AA contrast. Prints one line per step.
//
// usage: node facilitate.mjs FACILITATOR-URL ON-CALL-URL COMMANDER-URL REAL-CAUSE SHOT-DIR
// (the on-call's name is "Alice Martin", typed with extra spaces)
import { launch } from "./launch.mjs";
import { lowContrast } from "./contrast.mjs";

const [facilitatorUrl, onCallUrl, commanderUrl, realCause, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node facilitate.mjs FACILITATOR-URL ON-CALL-URL COMMANDER-URL REAL-CAUSE SHOT-DIR");
  process.exit(2);
}
const step = (line) => console.log(line);
const browser = await launch();
try {
  const errors = [];
  const open = async (url, name) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (e) => errors.push(name + ": " + e));
    await page.goto(url);
    return page;
  };
  const fac = await open(facilitatorUrl, "facilitator");
  const onCall = await open(onCallUrl, "on-call");
  const ic = await open(commanderUrl, "incident-commander");
  await fac.locator("#who", { hasText: "Facilitator ·" }).waitFor();
  await onCall.locator("#who", { hasText: "(on-call)" }).waitFor();
  await ic.locator("#who", { hasText: "(incident-commander)" }).waitFor();

  // Screenshots of the three pages, the on-call's also at phone width, and their contrast.
  const moment = async (name) => {
    for (const [page, who] of [[fac, "facilitator"], [onCall, "on-call"], [ic, "incident-commander"]]) {
      await page.screenshot({ path: `${shots}/${who}-${name}.png` });
      const low = await lowContrast(page);
      if (low.length) throw new Error(`${who} at ${name}: text below WCAG AA contrast: ${low.join("; ")}`);
    }
    for (const [page, who] of [[fac, "facilitator"], [onCall, "on-call"]]) {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: `${shots}/${who}-phone-${name}.png` });
      const low = await lowContrast(page);
      await page.setViewportSize({ width: 1280, height: 900 });
      if (low.length) throw new Error(`${who} (phone) at ${name}: text below WCAG AA contrast: ${low.join("; ")}`);
    }
  };
  // A click whose API answer is awaited; returns the HTTP status.
  const click = async (page, selector, api) => {
    const answered = page.waitForResponse((r) => r.url().includes(api) && r.request().method() === "POST");
    await page.locator(selector).click();
    return (await answered).status();
  };
  // A click on a button the drill may disable in the meantime (the wall clock keeps running
  // between checking it and clicking it): null when it could not be clicked within 3 s.
  const clickIfStill = async (page, selector, api) => {
    const answered = page
      .waitForResponse((r) => r.url().includes(api) && r.request().method() === "POST", { timeout: 10000 })
      .catch(() => null);
    try {
      await page.locator(selector).click({ timeout: 3000 });
    } catch {
      return null;
    }
    const response = await answered;
    return response ? response.status() : null;
  };
  const facilitate = (selector) => click(fac, selector, "/api/facilitate");
  const decide = (page, selector) => click(page, selector, "/api/decide");
  const enabled = (page, selector) => page.locator(selector).isEnabled({ timeout: 200 }).catch(() => false);
  // Skips (the facilitator's button) until `done()` holds.
  const skipUntil = async (done, what) => {
    for (let i = 0; i < 25; i++) {
      if (await done()) return i;
      await facilitate('[data-testid="skip"]');
      await fac.waitForTimeout(400);
    }
    throw new Error("skipping never reached: " + what);
  };
  step("pages up");

  // The on-call joins under their name; the page tidies the spaces, the facilitator sees it.
  await onCall.locator('[data-testid="player-name"]').fill("  Alice   Martin ");
  if (await click(onCall, '[data-testid="save-name"]', "/api/name") !== 200) throw new Error("the name was refused");
  await onCall.locator("#who", { hasText: "· Alice Martin" }).waitFor({ timeout: 10000 });
  await fac.locator('#roles tr[data-role="on-call"] .player', { hasText: "person: Alice Martin" }).waitFor({ timeout: 10000 });
  if (await onCall.locator('[data-testid="player-name"]').inputValue() !== "Alice Martin") throw new Error("the name field does not show the name kept");
  await moment("1-start");
  step("named: Alice Martin");

  const skips = await skipUntil(() => enabled(onCall, '[data-testid="ack-main"]'), "the on-call's page");
  step("skipped: " + skips + " times to the first page");

  if (await facilitate('[data-testid="fire-marketing-confesses"]') !== 200) throw new Error("fire now failed");
  await onCall.locator("#feed li.inject.new", { hasText: "cleaned up" }).waitFor({ timeout: 15000 });
  const title = await onCall.title();
  if (!/^\(\d+\) /.test(title)) throw new Error("no unread count in the tab title: " + title);
  await moment("2-inject");
  step("inject pushed: " + title);

  // Acting clears the count; a signal that arrives meanwhile may start it again, so the count
  // must drop rather than be gone.
  const unreadOf = (title) => Number((/^\((\d+)\) /.exec(title) || [0, 0])[1]);
  const unreadBefore = unreadOf(title);
  if (await decide(onCall, '[data-testid="ack-main"]') !== 200) throw new Error("acknowledge refused");
  await onCall.waitForFunction((before) => Number((/^\((\d+)\) /.exec(document.title) || [0, 0])[1]) < before, unreadBefore, { timeout: 5000 })
    .catch(async () => { throw new Error("the unread count stays after the person acted: " + await onCall.title()); });
  step("acknowledged");

  const causes = await onCall.$$eval("#cause option", (options) => options.map((o) => o.value));
  if (!causes.includes(realCause)) throw new Error(`the real cause ${realCause} is not offered: ${causes}`);
  const decoy = causes.find((c) => c !== realCause);
  if (decoy) {
    await onCall.selectOption("#cause", decoy);
    const status = await decide(onCall, '[data-testid="diagnose"]');
    step(`decoy diagnosed: ${decoy} (${status}) ${await onCall.locator("#message").textContent()}`);
  }
  await onCall.selectOption("#cause", realCause);
  if (await decide(onCall, '[data-testid="diagnose"]') !== 200) throw new Error("the real diagnosis was refused");
  step("diagnosed: " + realCause);

  await skipUntil(() => enabled(onCall, '[data-testid="run-pause-lead-sync"]'), "pause-lead-sync runnable");
  if (await decide(onCall, '[data-testid="run-pause-lead-sync"]') !== 200) throw new Error("pausing refused");
  await ic.locator('[data-testid="approve-pause-lead-sync"]').waitFor({ timeout: 15000 });
  if (await decide(ic, '[data-testid="approve-pause-lead-sync"]') !== 200) throw new Error("approval refused");
  const reached = (what) => onCall.locator("#incidents", { hasText: what }).count().then((n) => n > 0);
  await skipUntil(() => reached("contained"), "containment");
  step("contained");

  // The fix may fail (the scenario gives it 80%): run it again until the incident recovers. Skips
  // jump to the next event of any kind (updates, injects), so allow many.
  for (let i = 0; i < 80 && !(await reached("recovered")); i++) {
    if (await enabled(onCall, '[data-testid="run-fix-field-mapping"]')) {
      const status = await clickIfStill(onCall, '[data-testid="run-fix-field-mapping"]', "/api/decide");
      if (status !== null && status !== 200) throw new Error(`the fix was refused (${status})`);
    } else {
      await facilitate('[data-testid="skip"]');
      await fac.waitForTimeout(400);
    }
  }
  await fac.locator("#resolved").waitFor({ state: "visible", timeout: 10000 });
  step("recovered");

  await skipUntil(() => enabled(onCall, '[data-testid="run-replay-failed-tasks"]'), "replay runnable");
  if (await decide(onCall, '[data-testid="run-replay-failed-tasks"]') !== 200) throw new Error("the replay was refused");
  const replayed = () => onCall.locator("#actions .row", { hasText: "replay-failed-tasks" }).filter({ hasText: "· done" }).count().then((n) => n > 0);
  await skipUntil(replayed, "the replay done");
  await moment("3-recovered");
  step("replayed");

  await fac.locator("#note-text").fill("The on-call replayed the errored Zap runs before ending.");
  if (await facilitate('[data-testid="note"]') !== 200) throw new Error("the note was refused");
  step("noted");

  await fac.locator('[data-testid="end"]').click();
  await facilitate('[data-testid="end"]');
  await onCall.locator("#state", { hasText: "ended" }).waitFor({ timeout: 15000 });
  await fac.locator("#state", { hasText: "ended" }).waitFor({ timeout: 15000 });
  if (errors.length) throw new Error("page errors: " + errors.join("; "));
  step("ended");
} finally {
  await browser.close();
}
