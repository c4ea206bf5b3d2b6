// The label page's fast lane for classification (activelabel.ui.fastlane): the browser keeps a
// buffer of claimed items and draws the next one the moment a key is pressed; the answer is then
// posted in the background (/_al/answer, ui/fastlane_api.py) with the submission id its item came
// with, retried with that same id until the server acknowledges it, so a retry stores one answer.
// A refused answer (lease lost, role) is shown, never dropped. The buffer is topped up with
// /_al/claim; a response naming a new round (a new model ranking) drops the unshown buffer.
// State lives on window, keyed by the component key, so a Streamlit rerun or a page switch that
// remounts the component keeps the buffer and the answers still being sent.

const STORE = (window.__alFastlane = window.__alFastlane || {});
const LOW = 3; // top the buffer up when fewer items than this wait
const MAX_RETRY_MS = 3000;

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmt(x, digits) {
  return x === null || x === undefined ? "-" : Number(x).toFixed(digits);
}

function confClass(c) {
  if (c === null || c === undefined) return "al-fl-gray";
  return c < 0.5 ? "al-fl-red" : (c < 0.8 ? "al-fl-orange" : "al-fl-green");
}

function proposedLabel(it) {
  return it && it.proposed && it.proposed.label !== undefined ? it.proposed.label : null;
}

function why(it) {
  const parts = [`picked by ${it.strategy || "?"}`, `reason: ${it.reason}`];
  if (it.score !== null && it.score !== undefined) parts.push(`strategy score ${fmt(it.score, 3)}`);
  if (it.confidence !== null && it.confidence !== undefined) parts.push(`model confidence ${fmt(it.confidence, 2)}`);
  if (it.rank) parts.push(`rank ${Math.trunc(it.rank)} in the pool`);
  if (it.queue_position !== null && it.queue_position !== undefined) parts.push(`queue position ${Math.trunc(it.queue_position) + 1}`);
  parts.push(`model ${it.model_version || "none yet (cold start)"}`);
  return "Why this item: " + parts.join(" · ") + " · item ";
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

async function post(url, body) {
  const r = await fetch(url, {
    method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let data = {};
  try { data = await r.json(); } catch (e) { data = { error: `HTTP ${r.status}` }; }
  return { status: r.status, ok: r.ok, data };
}

// 401 (the session cookie is being set right after a sign-in), 5xx, 429 and network errors pass;
// anything else is the server's answer for good
const transient = (res) => res === null || res.status === 401 || res.status === 429 || res.status >= 500;

function makeState(key, data) {
  return {
    key, project: data.project, routes: data.routes, labels: data.labels, descriptions: data.descriptions || {},
    legend: data.legend || [], user: data.user, role: data.role, target: data.target || 5, round: data.round,
    items: (data.items || []).slice(), queue: [], sending: false, claiming: false, release: [],
    done: 0, saved: 0, errors: [], notice: null, status: "", exhausted: false, shownAt: performance.now(),
    host: null, root: null, onKey: null,
  };
}

function draw(st) {
  const root = st.root;
  if (!root) return;
  const it = st.items[0] || null;
  root.setAttribute("data-item", it ? it.id : "");
  root.setAttribute("data-pending", String(st.queue.length));
  root.setAttribute("data-saved", String(st.saved));
  root.setAttribute("data-buffered", String(st.items.length));
  root.setAttribute("data-claiming", st.claiming ? "1" : "0");
  const parts = [];
  if (st.notice) parts.push(el("div", `al-fl-note al-fl-${st.notice[0]}`, st.notice[1]));
  if (st.errors.length) {
    const box = el("div", "al-fl-note al-fl-error");
    box.setAttribute("data-testid", "alFastlaneErrors");
    box.setAttribute("role", "alert");
    for (const msg of st.errors.slice(-5)) box.appendChild(el("div", "", msg));
    parts.push(box);
  }
  if (!it) {
    const msg = st.claiming || !st.exhausted ? "Loading the next item…"
      : "Nothing left in your queue. Train a new model on the dashboard, or check back later.";
    parts.push(el("div", `al-fl-note ${st.exhausted && !st.claiming ? "al-fl-success" : "al-fl-info"}`, msg));
  } else {
    const line = el("div", "al-fl-why", why(it));
    line.appendChild(el("code", "", it.id));
    parts.push(line);
    const media = el("div", "al-fl-text", it.content || "(empty text)");
    media.setAttribute("data-testid", "alFastlaneText");
    parts.push(media);
    const proposed = proposedLabel(it);
    if (proposed !== null) {
      const p = el("div", "al-fl-proposal", "Model proposes ");
      p.appendChild(el("strong", "", proposed));
      p.appendChild(document.createTextNode(" with confidence "));
      p.appendChild(el("strong", confClass(it.confidence), fmt(it.confidence, 2)));
      parts.push(p);
    }
    const labels = el("div", "al-fl-labels");
    st.labels.forEach((lab, i) => {
      const b = el("button", "al-fl-btn" + (lab === proposed ? " al-fl-primary" : ""), (i < 9 ? `${i + 1} · ` : "") + lab);
      b.type = "button";
      b.setAttribute("data-label", lab);
      if (st.descriptions[lab]) b.title = st.descriptions[lab];
      b.addEventListener("click", () => { b.blur(); give(st, lab); });
      labels.appendChild(b);
    });
    parts.push(labels);
    const actions = el("div", "al-fl-actions");
    const legend = Object.fromEntries(st.legend.map(([action, shown]) => [action, shown]));
    for (const [action, name, fn] of [["accept", "Accept", accept], ["reject", "Reject", reject],
      ["skip", "Skip", skip], ["undo", "Undo", undo]]) {
      const b = el("button", "al-fl-btn" + (action === "accept" ? " al-fl-primary" : ""), `${name} (${legend[action] || ""})`);
      b.type = "button";
      b.setAttribute("data-action", action);
      b.addEventListener("click", () => { b.blur(); fn(st); });
      actions.appendChild(b);
    }
    actions.appendChild(el("span", "al-fl-hint", "choose a label to correct"));
    parts.push(actions);
  }
  const keys = el("div", "al-fl-caption", "Shortcuts: " + st.legend.map(([, shown, help]) => `${shown} ${help}`).join(" · "));
  parts.push(keys);
  const pending = st.queue.filter((j) => j.kind === "answer").length;
  const save = el("div", "al-fl-caption", `Answers this session: ${st.done} · signed in as ${st.user} (${st.role}) · `
    + (st.status || (pending ? `saving… (${pending} pending)` : "all answers saved")));
  save.setAttribute("data-testid", "alFastlaneStatus");
  save.setAttribute("aria-live", "polite");
  parts.push(save);
  root.replaceChildren(...parts);
}

function onRound(st, round) {
  if (round === undefined || round === st.round) return false;
  st.round = round;
  st.release.push(...st.items.slice(1).map((i) => i.id));  // the one on screen stays: the person is reading it
  st.items = st.items.slice(0, 1);
  st.notice = ["info", `A new model ranking is in force (round ${round}): the queue was re-ordered.`];
  return true;
}

function send(st, value, status) {
  const it = st.items.shift();
  if (!it) return;
  const now = performance.now();
  st.queue.push({ kind: "answer", item: it, body: {
    project: st.project, item: it.id, sid: it.sid, value, status, duration_s: (now - st.shownAt) / 1000 } });
  st.shownAt = now;
  st.done += 1;
  st.notice = null;
  draw(st);  // the next item first; the network after
  pump(st);
  topUp(st);
}

function give(st, label) {
  if (st.items.length) send(st, { label }, null);
}

function accept(st) {
  const it = st.items[0];
  if (!it) return;
  const proposed = proposedLabel(it);
  if (proposed === null) {
    st.notice = ["warning", "There is no proposal to accept yet: give the label."];
    draw(st);
    return;
  }
  send(st, { label: proposed }, null);  // the label the person saw proposed, never one read later
}

const reject = (st) => { if (st.items.length) send(st, null, "rejected"); };
const skip = (st) => { if (st.items.length) send(st, null, "skipped"); };

function undo(st) {
  st.queue.push({ kind: "undo", body: { project: st.project } });  // after the answers before it: undoes the last
  draw(st);
  pump(st);
}

function finished(st, job, data) {
  if (job.kind === "answer") {
    st.saved += 1;
    return;
  }
  if (!data.item) {
    st.notice = ["warning", "Nothing to undo."];
    return;
  }
  st.items = [data.item, ...st.items.filter((i) => i.id !== data.item.id)];
  st.shownAt = performance.now();
  st.done = Math.max(0, st.done - 1);
  st.notice = ["info", "Undone: the item is back."];
}

async function pump(st) {
  if (st.sending) return;
  st.sending = true;
  let wait = 0;
  try {
    while (st.queue.length) {
      const job = st.queue[0];
      let res = null;
      try { res = await post(st.routes[job.kind], job.body); } catch (e) { res = null; }
      if (res && res.ok) {
        st.queue.shift();
        wait = 0;
        st.status = "";
        finished(st, job, res.data);
        if (onRound(st, res.data.round)) topUp(st);
        draw(st);
        continue;
      }
      if (transient(res)) {  // the same body again, with its submission id: stored once however often it goes
        wait = Math.min(wait ? wait * 2 : 200, MAX_RETRY_MS);
        st.status = res && res.status === 401 ? `not saved yet: ${res.data.error || "not signed in"} (retrying)`
          : `saving… retrying (${res ? `HTTP ${res.status}` : "network error"})`;
        draw(st);
        await sleep(wait);
        continue;
      }
      st.queue.shift();
      const why = res.data.error || `HTTP ${res.status}`;
      if (job.kind === "answer") {
        st.done = Math.max(0, st.done - 1);
        const lost = res.status === 409 ? " It was handed to someone else." : "";
        st.errors.push(`Not saved: item ${job.item.id}: ${why}.${lost}`);
      } else {
        st.errors.push(`Undo failed: ${why}`);
      }
      draw(st);
    }
  } finally {
    st.sending = false;
    draw(st);
  }
}

async function topUp(st) {
  if (st.claiming || (st.items.length >= LOW && !st.release.length)) return;
  st.claiming = true;
  let wait = 0;
  try {
    for (;;) {
      const held = st.items.map((i) => i.id).concat(st.queue.filter((j) => j.kind === "answer").map((j) => j.item.id));
      const n = Math.max(0, st.target - st.items.length);
      const release = st.release.splice(0);
      let res = null;
      try { res = await post(st.routes.claim, { project: st.project, have: held, n, release }); } catch (e) { res = null; }
      if (res && res.ok) {
        wait = 0;
        onRound(st, res.data.round);
        const have = new Set(st.items.map((i) => i.id).concat(held));
        const fresh = res.data.items.filter((i) => !have.has(i.id));
        const first = st.items.length === 0;
        st.items.push(...fresh);
        if (first && st.items.length) st.shownAt = performance.now();
        st.exhausted = res.data.items.length < n;
        draw(st);
        if (st.release.length || (!st.exhausted && st.items.length < st.target)) continue;
        return;
      }
      st.release.unshift(...release);
      if (transient(res)) {
        wait = Math.min(wait ? wait * 2 : 200, MAX_RETRY_MS);
        await sleep(wait);
        continue;
      }
      st.errors.push(`Could not fetch more items: ${res.data.error || `HTTP ${res.status}`}`);
      st.release = [];
      return;
    }
  } finally {
    st.claiming = false;
    draw(st);
  }
}

function keyHandler(st) {
  return (e) => {
    if (!st.root || !document.contains(st.root)) return;
    if (e.repeat || e.isComposing || e.altKey || e.metaKey || e.defaultPrevented) return;
    const t = e.target;
    if (t && t.closest && t.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']")) return;
    const k = e.key;
    if (e.ctrlKey) {
      if (k === "z" || k === "Z") { e.preventDefault(); undo(st); }
      return;
    }
    if (k === "Enter" && t && t.tagName === "BUTTON" && !st.root.contains(t)) return;  // a button elsewhere has the key
    if (/^[1-9]$/.test(k)) {
      const i = Number(k) - 1;
      if (i < st.labels.length) { e.preventDefault(); give(st, st.labels[i]); }
      return;
    }
    const low = k.toLowerCase();
    const fn = { a: accept, enter: accept, r: reject, s: skip, u: undo }[low];
    if (fn) { e.preventDefault(); fn(st); }
  };
}

if (!window.__alFastlaneUnload) {
  window.__alFastlaneUnload = true;
  window.addEventListener("beforeunload", (e) => {
    if (Object.values(STORE).some((st) => st.queue.length)) {  // answers not acknowledged yet
      e.preventDefault();
      e.returnValue = "";
    }
  });
}

export default function (component) {
  const { data, parentElement } = component;
  if (!data || !Array.isArray(data.items)) return undefined;
  const key = `${data.project}/${data.user}`;
  let st = STORE[key];
  if (!st) {
    st = makeState(key, data);
    STORE[key] = st;
  }
  if (st.host !== parentElement || !parentElement.contains(st.root)) {  // a new mount, or another project drew here
    for (const old of parentElement.querySelectorAll(":scope > .al-fl")) old.remove();
    st.root = el("div", "al-fl");
    st.root.setAttribute("data-testid", "alFastlane");
    parentElement.appendChild(st.root);
    st.host = parentElement;
  }
  if (!st.onKey) {
    st.onKey = keyHandler(st);
    document.addEventListener("keydown", st.onKey);
  }
  st.root.setAttribute("data-ready", "1");
  draw(st);
  topUp(st);
  return () => {
    document.removeEventListener("keydown", st.onKey);
    st.onKey = null;
  };
}
