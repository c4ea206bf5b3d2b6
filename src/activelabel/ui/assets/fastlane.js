// The label page's fast lane for classification, NER and detection (activelabel.ui.fastlane): the browser keeps a
// buffer of claimed items and draws the next one the moment a key is pressed; the answer is then
// posted in the background (/_al/answer, ui/fastlane_api.py) with the submission id its item came
// with, retried with that same id until the server acknowledges it, so a retry stores one answer.
// A refused answer (lease lost, role) is shown, never dropped. The buffer is topped up with
// /_al/claim; a response naming a new round (a new model ranking) drops the unshown buffer.
// State lives on window, keyed by the component key, so a Streamlit rerun or a page switch that
// remounts the component keeps the buffer and the answers still being sent. span_core.js comes
// before this file: it provides el() and create(), the NER span editor drawn for each NER item; then
// box_core.js: createBoxes(), the box editor drawn for each detection item. Images come inline with
// their items and are decoded when they enter the buffer, so the next one is on screen at once.

const STORE = (window.__alFastlane = window.__alFastlane || {});
const LOW = 3; // top the buffer up when fewer items than this wait
const MAX_RETRY_MS = 3000;
// a 401 this many times in a row is not a cookie still being set: the session ended (signed out,
// expired or revoked by an admin). The answers waiting are kept and still retried; no new one is taken.
const SIGNED_OUT_AFTER = 3;
const SIGNED_OUT = "You are signed out (the session expired or an admin revoked it). The answers waiting "
  + "here are kept and sent as soon as you sign in again: open this page in a new tab and sign in there; "
  + "do not close this tab until they are saved.";
const LOOK_MS = 1000; // how often a low buffer is looked at
const IDLE_LOOK_MS = 10000; // how often an empty queue is asked again

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

function preload(items) {
  // decode each buffered image now, off the key press's path; drawn later from this same element
  for (const it of items) {
    if (!it.image || it._img) continue;
    const img = new Image();
    img.src = it.image;
    it._img = img;
    if (img.decode) img.decode().catch(() => {});
  }
  return items;
}

function makeState(key, data) {
  const ner = data.editor === "ner", det = data.editor === "detection";
  return {
    key, project: data.project, routes: data.routes, labels: data.labels, descriptions: data.descriptions || {},
    ner, det, edits: ner || det, cls: 0, body: null, bodyItem: null, editor: null, edit: null,
    legend: data.legend || [], user: data.user, role: data.role, target: data.target || 5, round: data.round,
    items: preload((data.items || []).slice()), queue: [], sending: false, claiming: false, release: [],
    done: 0, saved: 0, errors: [], notice: null, status: "", exhausted: false, shownAt: performance.now(),
    host: null, root: null, onKey: null,
  };
}

function classificationBody(st, it) {
  const body = el("div", "al-fl-body");
  const media = el("div", "al-fl-text", it.content || "(empty text)");
  media.setAttribute("data-testid", "alFastlaneText");
  body.appendChild(media);
  const proposed = proposedLabel(it);
  if (proposed !== null) {
    const p = el("div", "al-fl-proposal", "Model proposes ");
    p.appendChild(el("strong", "", proposed));
    p.appendChild(document.createTextNode(" with confidence "));
    p.appendChild(el("strong", confClass(it.confidence), fmt(it.confidence, 2)));
    body.appendChild(p);
  }
  const labels = el("div", "al-fl-labels");
  st.labels.forEach((lab, i) => {
    const key = i < 9 ? `${i + 1} · ` : (i === 9 ? "0 · " : "");
    const b = el("button", "al-fl-btn" + (lab === proposed ? " al-fl-primary" : ""), key + lab);
    b.type = "button";
    b.setAttribute("data-label", lab);
    if (st.descriptions[lab]) b.title = st.descriptions[lab];
    b.addEventListener("click", () => { b.blur(); give(st, lab); });
    labels.appendChild(b);
  });
  body.appendChild(labels);
  return body;
}

function nerBody(st, it) {
  // the span editor of ui/span_select.py, fed from the buffer; its reports stay here, in st.edit
  const body = el("div", "al-fl-body");
  if (it.cause) body.appendChild(el("div", "al-fl-proposal", it.cause));
  if (it.overlap) body.appendChild(el("div", "al-fl-note al-fl-warning", it.overlap));
  const host = el("div", "al-fl-ner");
  host.setAttribute("data-item", it.id);
  body.appendChild(host);
  st.edit = null;
  st.editor = create(host, { item: it.id, segments: it.segments, labels: st.labels, spans: it.spans || [], reported: false });
  st.editor.setStateValue = (name, value) => { if (name === "edit") st.edit = value; };
  st.editor.report();  // the spans as first drawn: what a submit stores until edited
  // the editor's own line above says what to do now (select, label, relabel); this one how it ends
  body.appendChild(el("div", "al-fl-caption", "Delete removes the entity under the cursor. Ctrl+Enter submits the "
    + "spans shown; Alt+A accepts the proposal as it came."));
  return body;
}

function detectionBody(st, it) {
  // the box editor of box_core.js, fed from the buffer; its reports stay here, in st.edit
  const body = el("div", "al-fl-body");
  body.appendChild(el("div", "al-fl-proposal", it.proposal || ""));
  st.edit = null;
  st.editor = null;
  if (!it.image) {
    const bad = el("div", "al-fl-note al-fl-error", it.image_error || "This item's image cannot be shown.");
    bad.setAttribute("role", "alert");
    body.appendChild(bad);
    return body;
  }
  const host = el("div", "al-fl-det");
  host.setAttribute("data-item", it.id);
  body.appendChild(host);
  st.editor = createBoxes(host, { item: it.id, img: it._img, image: it.image, width: it.width, height: it.height,
    labels: st.labels, boxes: it.boxes || [], cls: st.cls });
  st.editor.setStateValue = (name, value) => { if (name === "edit") st.edit = value; };
  st.editor.onClass = (i) => { st.cls = i; };  // the class for new boxes carries over to the next image
  st.editor.report();  // the boxes as first drawn: what a submit stores until edited
  body.appendChild(el("div", "al-fl-caption", "Drag on the image to draw a box of the class chosen for new boxes "
    + "(keys 1-9). Click a box to select it; drag it to move it, drag a corner to resize it, arrows nudge it "
    + "(Shift+arrows resize). The class keys never change the selected box: use its buttons or Shift+1-9. "
    + "Delete removes it, Tab selects the next one, Esc none. Ctrl+Enter submits the boxes shown."));
  return body;
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
  const top = [];
  if (st.notice) top.push(el("div", `al-fl-note al-fl-${st.notice[0]}`, st.notice[1]));
  if (st.errors.length) {
    const box = el("div", "al-fl-note al-fl-error");
    box.setAttribute("data-testid", "alFastlaneErrors");
    box.setAttribute("role", "alert");
    for (const msg of st.errors.slice(-5)) box.appendChild(el("div", "", msg));
    top.push(box);
  }
  const bottom = [];
  if (!it) {
    const msg = st.claiming || !st.exhausted ? "Loading the next item…"
      : "Nothing left in your queue. Train a new model on the dashboard, or check back later.";
    top.push(el("div", `al-fl-note ${st.exhausted && !st.claiming ? "al-fl-success" : "al-fl-info"}`, msg));
    st.body = null;
    st.bodyItem = null;
    st.editor = null;
  } else {
    const line = el("div", "al-fl-why", `${it.why} · item `);
    line.appendChild(el("code", "", it.id));
    top.push(line);
    if (st.bodyItem !== it.id || !st.body) {  // a new item: its body is built once, so edits and focus stay
      const focused = document.activeElement;
      const wasHere = !focused || focused === document.body || (st.body && st.body.contains(focused));
      st.body = st.ner ? nerBody(st, it) : (st.det ? detectionBody(st, it) : classificationBody(st, it));
      st.bodyItem = it.id;
      st.refocus = st.ner && wasHere;
    }
    const actions = el("div", "al-fl-actions");
    const legend = Object.fromEntries(st.legend.map(([action, shown]) => [action, shown]));
    const buttons = [["accept", "Accept", accept]];
    if (st.edits) buttons.push(["correct", "Submit", correct]);
    buttons.push(["reject", "Reject", reject], ["skip", "Skip", skip], ["undo", "Undo", undo]);
    for (const [action, name, fn] of buttons) {
      const b = el("button", "al-fl-btn" + (action === "accept" ? " al-fl-primary" : ""), `${name} (${legend[action] || ""})`);
      b.type = "button";
      b.setAttribute("data-action", action);
      b.addEventListener("click", () => { b.blur(); fn(st); });
      actions.appendChild(b);
    }
    if (!st.edits) actions.appendChild(el("span", "al-fl-hint", "choose a label to correct"));
    bottom.push(actions);
  }
  bottom.push(el("div", "al-fl-caption", "Shortcuts: " + st.legend.map(([, shown, help]) => `${shown} ${help}`).join(" · ")));
  const pending = st.queue.filter((j) => j.kind === "answer").length;
  const save = el("div", "al-fl-caption", `Answers this session: ${st.done} · signed in as ${st.user} (${st.role}) · `
    + (st.status || (pending ? `saving… (${pending} pending)` : "all answers saved")));
  save.setAttribute("data-testid", "alFastlaneStatus");
  save.setAttribute("aria-live", "polite");
  bottom.push(save);
  const topEl = el("div", "al-fl-top");
  topEl.replaceChildren(...top);
  const bottomEl = el("div", "al-fl-bottom");
  bottomEl.replaceChildren(...bottom);
  if (st.body && root.contains(st.body)) {  // swap the lines around the body, never the body itself
    root.replaceChild(topEl, root.firstChild);
    root.replaceChild(bottomEl, root.lastChild);
  } else {
    root.replaceChildren(...[topEl, st.body, bottomEl].filter(Boolean));
  }
  if (st.refocus && st.editor) {  // the next NER item: keep the keyboard in the text
    st.refocus = false;
    st.editor.focus();
  }
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
  if (st.signedOut) {  // the item stays on screen with its edits; nothing new piles up unsaved
    st.notice = ["error", SIGNED_OUT];
    draw(st);
    return;
  }
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
  if (!it.proposed) {
    st.notice = ["warning", "There is no proposal to accept yet: give the label."];
    draw(st);
    return;
  }
  // the proposal the person saw, as the server sent it with the item, never one read later
  send(st, st.edits ? it.proposed : { label: proposedLabel(it) }, null);
}

function correct(st) {
  const it = st.items[0];
  if (!it || !st.edits) return;
  const edit = st.edit;
  if (st.det) {
    if (!edit || edit.item !== it.id) {
      st.notice = ["error", "Not saved: the image has not been shown yet: wait until it appears, then submit again"];
      draw(st);
      return;
    }
    send(st, { drawn_boxes: edit.boxes.map((b) => ({ x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1, label: b.label })) }, null);
    return;
  }
  if (!edit || edit.item !== it.id) {
    st.notice = ["error", "Not saved: the entity editor has not shown this item yet: wait until the text appears, then submit again"];
  } else if (edit.pending) {
    st.notice = ["error", `Not saved: '${edit.pending}' is selected but has no label: press a label key (1-9) or Esc, then submit`];
  } else {
    send(st, { token_spans: edit.spans.map((s) => ({ first: s.first, last: s.last, label: s.label })) }, null);
    return;
  }
  draw(st);
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
  st.items = [...preload([data.item]), ...st.items.filter((i) => i.id !== data.item.id)];
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
        st.unauthorized = 0;
        if (st.signedOut) { st.signedOut = false; st.notice = ["info", "Signed in again: the waiting answers are saved."]; }
        st.status = "";
        finished(st, job, res.data);
        if (onRound(st, res.data.round)) topUp(st);
        draw(st);
        continue;
      }
      if (transient(res)) {  // the same body again, with its submission id: stored once however often it goes
        wait = Math.min(wait ? wait * 2 : 200, MAX_RETRY_MS);
        st.unauthorized = res && res.status === 401 ? (st.unauthorized || 0) + 1 : 0;
        st.signedOut = st.unauthorized >= SIGNED_OUT_AFTER;
        if (st.signedOut) st.notice = ["error", SIGNED_OUT];
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
      if (res && res.ok && Array.isArray(res.data.items)) {
        wait = 0;
        onRound(st, res.data.round);
        const have = new Set(st.items.map((i) => i.id).concat(held));
        const fresh = res.data.items.filter((i) => !have.has(i.id));
        const first = st.items.length === 0;
        st.items.push(...preload(fresh));
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
      st.errors.push(`Could not fetch more items: ${(res && res.data.error) || `HTTP ${res ? res.status : "?"}`}`);
      st.release = [];
      return;
    }
  } catch (e) {
    st.errors.push(`Could not fetch more items: ${e}`);  // said on the page, never swallowed
  } finally {
    st.claiming = false;
    draw(st);
  }
}

function watch(st) {
  // the queue may fill again (a new round, an item given back): look now and then while the buffer is low
  if (st.timer) return;
  st.timer = setInterval(() => {
    if (!st.root || !document.contains(st.root)) return;
    if (st.items.length < LOW && (!st.exhausted || Date.now() - (st.lastLook || 0) > IDLE_LOOK_MS)) {
      st.lastLook = Date.now();
      topUp(st);
    }
  }, LOOK_MS);
}

function keyHandler(st) {
  return (e) => {
    if (!st.root || !document.contains(st.root)) return;
    if (e.repeat || e.isComposing || e.metaKey || e.defaultPrevented) return;
    const t = e.target;
    if (t && t.closest && t.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']")) return;
    const k = e.key;
    if (st.edits) {  // plain keys belong to the span or box editor: Ctrl+Enter and Alt+letters act here
      if (st.det && !e.ctrlKey && !e.altKey && st.editor && st.editor.key(e)) { e.preventDefault(); return; }
      const alt = e.altKey && !e.ctrlKey && { KeyA: accept, KeyR: reject, KeyS: skip, KeyU: undo }[e.code];
      const fn = alt || (e.ctrlKey && !e.altKey && k === "Enter" ? correct : null);
      if (fn) { e.preventDefault(); fn(st); }
      return;
    }
    if (e.altKey) return;
    if (e.ctrlKey) {
      if (k === "z" || k === "Z") { e.preventDefault(); undo(st); }
      return;
    }
    if (k === "Enter" && t && t.tagName === "BUTTON" && !st.root.contains(t)) return;  // a button elsewhere has the key
    if (/^[0-9]$/.test(k)) {
      const i = k === "0" ? 9 : Number(k) - 1;
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
    st.body = null;
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
  watch(st);
  return () => {
    document.removeEventListener("keydown", st.onKey);
    st.onKey = null;
  };
}
