// What the participant page and the facilitator's page share: the token from the page's own
// address, API calls, the running clock, the feed's lines and the push connection, whose
// state shows in the header's #conn badge (a reconnect clears it).
"use strict";

const ttx = (() => {
  const token = decodeURIComponent(location.pathname.split("/").pop());

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function clock(t) {
    const s = Math.max(0, Math.round(t * 60));
    const pad = (n) => String(n).padStart(2, "0");
    return "T+" + Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }

  async function api(path, options) {
    const response = await fetch(path, Object.assign({ headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" } }, options || {}));
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || ("HTTP " + response.status));
    return body;
  }

  // The feed comes in pages: the latest first, then what follows the last item seen.
  const seen = new Set();
  let lastSeq = null;
  // Whether `item` is new to the page (it is then counted as seen).
  function fresh(item) {
    if (seen.has(item.seq)) return false;
    seen.add(item.seq);
    if (lastSeq === null || item.seq > lastSeq) lastSeq = item.seq;
    return true;
  }
  // Fetches the state at `path` with the feed items not seen yet, page after page, handing
  // each answer to `render`; a success clears a connection trouble (a reconnect).
  async function fetchState(path, render) {
    let state;
    do {
      state = await api(path + (lastSeq === null ? "" : "?since=" + lastSeq));
      render(state);
    } while (state.more);
    connection("");
  }

  // A decision's or command's answer, or why it was refused, above the feed.
  function say(text, isError) {
    const m = document.getElementById("message");
    m.textContent = text;
    m.className = isError ? "error" : "";
  }

  // The connection's trouble, if any, in the header; cleared by the next success.
  function connection(trouble) {
    const c = document.getElementById("conn");
    c.textContent = trouble || "";
    c.hidden = !trouble;
  }

  // The scenario clock runs on the page between answers: from the last state's time, at its
  // speed, unless paused or over.
  let base = null;
  function setClock(t, speed, running) {
    base = { t: t, speed: speed, running: running, at: performance.now() };
    tick();
  }
  function tick() {
    if (!base) return;
    const t = base.t + (base.running ? (performance.now() - base.at) / 60000 * base.speed : 0);
    document.getElementById("clock").textContent = clock(t);
  }
  setInterval(tick, 250);

  // The state badge: running, paused, hot wash or ended.
  function stateBadge(state) {
    const b = document.getElementById("state");
    b.className = "badge " + state;
    b.textContent = state.replace("-", " ");
  }

  // A feed line: its time and its text (text only: participants' words are never markup).
  function feedLine(item) {
    const li = el("li", { class: item.kind, "data-seq": item.seq });
    li.append(el("span", { class: "t" }, clock(item.t)));
    if (isInject(item)) {
      li.classList.add("inject");
      li.append(el("span", { class: "label" }, "Inject"));
    }
    li.append(document.createTextNode(item.text));
    return li;
  }

  // Injects are told by what delivered them (the journal key's kind), never by their words.
  function isInject(item) {
    return item.kind === "event" && ["inject_arrives", "card_drawn", "inject"].includes(item.event);
  }

  // Pushed feed items and clock changes; `onItem(item)` for each item, `onChange()` after
  // each push and after a reconnect (to fetch the state the page may have missed).
  function listen(path, onItem, onChange) {
    const events = new EventSource(path + "?token=" + encodeURIComponent(token));
    events.addEventListener("feed", (e) => { onItem(JSON.parse(e.data)); onChange(); });
    events.addEventListener("clock", () => onChange());
    events.onerror = () => connection("connection lost: reconnecting…");
    events.onopen = () => { connection(""); onChange(); };
    return events;
  }

  return { token, el, clock, api, fresh, fetchState, say, connection, setClock, stateBadge, feedLine, isInject, listen };
})();
