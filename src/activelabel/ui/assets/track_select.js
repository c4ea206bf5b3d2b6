// The tracking editor (activelabel.ui.track_select): a clip frame by frame, with every track's box on
// the frame shown (a colour per track id, a tag "label #id conf"). The slider, ←/→ (Shift: by 10),
// Home/End step through the frames; the list of frames the model flagged, and N (Shift+N: back), jump
// to them. On the frame: drag a box to move it, drag a corner to resize it, drag on the image to draw a
// new box of the label chosen with 1-9 (or the chips), with a new id (the largest + 1). Click a box to
// select it; Delete removes it from this frame; I, digits and Enter (or the id list) give it another
// id, and the box that had that id takes the old one (an identity switch fixed in one step). Shift+1-9
// (or the label chips under it, or a Shift+click on a chip above) relabel its whole track: a track is
// one object with one label, so the box takes it on every keyframe at once, and propagate gives it to
// all the track's frames, before the keyframe too (the plain digits never relabel: they choose the label
// of the next box drawn). To relabel part of a track, give that part a new id first. Any change makes
// the frame a keyframe, holding every box left on it; K checks a frame as it is. Z (or "Undo edit") undoes
// the last change, on the frame it was made, back to the first one of the clip.
//
// Frames that are not keyframes show the correction carried along the tracks, as a submit stores it:
// preview() below is the browser's copy of activelabel.tracking.propagation.propagate (keep the two
// alike), followed by the clip to the frame the editor's value() does. The keyframes' boxes are
// reported at once (setStateValue), in the video's pixels, so Ctrl+Enter stores exactly what is shown;
// there is no Complete step. Edits are kept per item in the page (window.__alTkEdits), so a remount
// does not lose them. Ctrl/Alt/Meta keys bubble to the page (its hotkeys: Ctrl+Enter, Alt+A ...).

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#4b5563",
  "#b45309"];
const SVG = "http://www.w3.org/2000/svg";
const MIN_PX = 2; // a drag shorter than this (in video pixels) is a click, not a box
const MATCH_IOU = 0.3; // as activelabel.tracking.propagation.MATCH_IOU
const MAX_UNDO = 200; // changes Z can undo, per clip

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

const round1 = (v) => Math.round(v * 10) / 10;
const round2 = (v) => Math.round(v * 100) / 100;
const hasConf = (b) => b.confidence !== null && b.confidence !== undefined;
const plain = (b) => ({ id: b.id, label: b.label, x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 });

function iou(a, b) {
  const iw = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const ih = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const inter = iw * ih;
  const union = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  return union > 0 ? inter / union : 0;
}

function match(person, proposed) {
  // proposal track id -> [the person's box, the proposal's box] on one keyframe: greedily by IoU, then by id
  // (a box dragged far keeps its own id), first with the same label, then with any (a relabelled box keeps its track)
  const usedP = new Set(), usedQ = new Set(), out = new Map();
  const take = (i, j) => { usedP.add(i); usedQ.add(j); out.set(proposed[j].qid, [person[i], proposed[j].b]); };
  for (const sameLabel of [true, false]) {
    const pairs = [];
    person.forEach((p, i) => proposed.forEach((q, j) => {
      if (q.label === p.label || !sameLabel) pairs.push([iou(p, q.b), i, j]);
    }));
    pairs.sort((a, b) => b[0] - a[0] || b[1] - a[1] || b[2] - a[2]);
    for (const [score, i, j] of pairs) if (score >= MATCH_IOU && !usedP.has(i) && !usedQ.has(j)) take(i, j);
    person.forEach((p, i) => {
      const same = proposed.findIndex((q) => q.qid === p.id && (q.label === p.label || !sameLabel));
      if (!usedP.has(i) && same >= 0 && !usedQ.has(same)) take(i, same);
    });
  }
  return out;
}

// as propagation._offset and _blend
const offset = (p, q) => [p.x0 - q.x0, p.y0 - q.y0, p.x1 - q.x1, p.y1 - q.y1];
const blend = (a, b, w) => a.map((v, i) => v + (b[i] - v) * w);

function preview(tracks, corrections, n, w, h) {
  // frame -> the boxes a submit stores there ({id, label, x0, y0, x1, y1, confidence}), by track id
  const keys = Object.keys(corrections).map(Number).sort((a, b) => a - b);
  const frames = new Map(), labels = new Map();
  for (const t of tracks) {
    labels.set(t.id, t.label);
    for (const b of t.boxes) {
      if (!frames.has(b.frame)) frames.set(b.frame, []);
      frames.get(b.frame).push({ qid: t.id, label: t.label, b });
    }
  }
  const out = new Map(); // id -> frame -> [the label its confidence was for, box]
  const put = (tid, label, box) => {
    if (!out.has(tid)) out.set(tid, new Map());
    out.get(tid).set(box.frame, [label, box]);
  };
  const at = (f) => frames.get(f) || [];
  const matches = new Map(keys.map((k) => [k, match(corrections[k], at(k))]));
  const firstMap = new Map();
  if (keys.length) for (const [qid, [p]] of matches.get(keys[0])) firstMap.set(qid, p.id);
  for (let f = 0; f < (keys.length ? keys[0] : n); f++) {
    for (const { qid, b } of at(f)) put(firstMap.has(qid) ? firstMap.get(qid) : qid, labels.get(qid), b);
  }
  keys.forEach((k, idx) => {
    const person = corrections[k];
    const matched = matches.get(k);
    for (const p of person) put(p.id, p.label, { frame: k, x0: p.x0, y0: p.y0, x1: p.x1, y1: p.y1, confidence: null });
    const used = new Set([...matched.values()].map((m) => m[0]));
    const added = person.filter((p) => !used.has(p));
    const last = idx + 1 === keys.length;
    const end = last ? n : keys[idx + 1];
    const onKey = new Set(at(k).map((q) => q.qid));
    const nextMatch = last ? new Map() : matches.get(end);
    const nextBox = new Map((last ? [] : corrections[end]).map((p) => [p.id, p])); // the next keyframe's boxes
    for (let f = k + 1; f < end; f++) {
      for (const { qid, label, b } of at(f)) {
        if (!matched.has(qid)) {
          if (!onKey.has(qid)) put(qid, labels.get(qid), b); // a track that starts after the keyframe
          continue; // else the person deleted it on the keyframe
        }
        const [p, q] = matched.get(qid);
        let s = offset(p, q); // to the next keyframe's offset, where it has this track under the same id
        if (nextMatch.has(qid) && nextMatch.get(qid)[0].id === p.id) s = blend(s, offset(...nextMatch.get(qid)), (f - k) / (end - k));
        const x0 = b.x0 + s[0], y0 = b.y0 + s[1], x1 = b.x1 + s[2], y1 = b.y1 + s[3];
        if (x1 > x0 && y1 > y0) {
          put(p.id, label, { frame: f, x0: round2(x0), y0: round2(y0), x1: round2(x1), y1: round2(y1),
            confidence: b.confidence ?? null });
        }
      }
      for (const p of added) {
        const to = nextBox.get(p.id); // where the next keyframe has it: moving linearly there
        if (!to) { put(p.id, p.label, { frame: f, x0: p.x0, y0: p.y0, x1: p.x1, y1: p.y1, confidence: null }); continue; }
        const [x0, y0, x1, y1] = blend([p.x0, p.y0, p.x1, p.y1], [to.x0, to.y0, to.x1, to.y1], (f - k) / (end - k));
        put(p.id, p.label, { frame: f, x0: round2(x0), y0: round2(y0), x1: round2(x1), y1: round2(y1), confidence: null });
      }
    }
  });
  const given = new Map(); // a track's label: the person's, on the last keyframe it is on
  for (const k of keys) for (const p of corrections[k]) given.set(p.id, p.label);
  const byFrame = new Map();
  for (const tid of [...out.keys()].sort((a, b) => a - b)) {
    const boxes = [...out.get(tid)].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    const label = given.has(tid) ? given.get(tid) : boxes[boxes.length - 1][0];
    for (const [lab, b] of boxes) {
      const x0 = Math.max(0, b.x0), y0 = Math.max(0, b.y0), x1 = Math.min(w, b.x1), y1 = Math.min(h, b.y1);
      if (!(x1 > x0 && y1 > y0)) continue; // carried out of the frame
      if (!byFrame.has(b.frame)) byFrame.set(b.frame, []);
      byFrame.get(b.frame).push({ id: tid, label, x0, y0, x1, y1,
        confidence: lab === label ? b.confidence ?? null : null }); // the model's confidence was for its label
    }
  }
  return byFrame;
}

function create(host, data) {
  for (const old of host.querySelectorAll(":scope > .al-tk")) old.remove();
  const store = (window.__alTkEdits = window.__alTkEdits || {});
  const kept = store[data.item] || { corr: {}, f: null, history: null };
  const flagged = (data.flagged || []).filter((x) => x.frame >= 0 && x.frame < data.frames.length);
  const st = {
    item: data.item, labels: data.labels, w: data.width, h: data.height, scale: data.scale, frames: data.frames,
    n: data.frames.length, tracks: data.tracks || [], flagged, corr: kept.corr,
    f: kept.f !== null ? kept.f : 0,
    cls: Math.max(0, data.labels.indexOf(window.__alTkLabel)), selId: null, drag: null, idEntry: null, note: "",
    view: new Map(), setStateValue: null,
    // the keyframes after each change, oldest first (Z undoes the last): {corr (JSON), f, note}
    history: kept.history || [{ corr: JSON.stringify(kept.corr), f: kept.f !== null ? kept.f : 0, note: "" }],
  };
  const colorOf = (id) => COLORS[((id - 1) % COLORS.length + COLORS.length) % COLORS.length];
  const root = el("div", "al-tk");
  root.setAttribute("data-testid", "alTkEditor");
  const chips = el("div", "al-tk-chips");
  const nav = el("div", "al-tk-nav");
  const prev = el("button", "al-tk-btn", "◀");
  prev.type = "button";
  prev.title = "previous frame (←)";
  prev.setAttribute("data-action", "prev");
  const slider = el("input", "al-tk-slider");
  slider.type = "range";
  slider.min = "0";
  slider.max = String(Math.max(0, st.n - 1));
  slider.step = "1";
  slider.setAttribute("aria-label", "frame");
  slider.setAttribute("data-testid", "alTkSlider");
  const next = el("button", "al-tk-btn", "▶");
  next.type = "button";
  next.title = "next frame (→)";
  next.setAttribute("data-action", "next");
  const where = el("span", "al-tk-where");
  where.setAttribute("data-testid", "alTkFrame");
  const timeline = el("div", "al-tk-timeline"); // under the slider: the flagged frames and the keyframes
  timeline.setAttribute("aria-hidden", "true");
  const scrub = el("div", "al-tk-scrub");
  scrub.append(slider, timeline);
  nav.append(prev, scrub, next, where);
  const flags = el("div", "al-tk-flags");
  flags.setAttribute("data-testid", "alTkFlags");
  const stage = el("div", "al-tk-stage");
  stage.tabIndex = 0;
  stage.setAttribute("role", "application");
  stage.setAttribute("aria-label", "Frame: drag a box to move it, drag on the image to draw one, click a box to select it");
  stage.setAttribute("data-testid", "alTkStage");
  const W = st.w * st.scale, H = st.h * st.scale;
  stage.style.width = `${W}px`;
  stage.style.height = `${H}px`;
  const img = el("img", "al-tk-img" + (st.scale > 1 ? " al-tk-pixelated" : ""));
  img.alt = "video frame";
  img.draggable = false;
  img.style.width = `${W}px`;
  img.style.height = `${H}px`;
  const layer = svg("svg", { class: "al-tk-layer", width: W, height: H });
  stage.append(img, layer);
  const panel = el("div", "al-tk-panel");
  panel.setAttribute("aria-live", "polite");
  panel.setAttribute("data-testid", "alTkStatus");
  const checked = el("div", "al-tk-checked");
  checked.setAttribute("data-testid", "alTkChecked");
  root.append(chips, nav, flags, stage, panel, checked);
  host.appendChild(root);

  const isKey = (f) => Object.prototype.hasOwnProperty.call(st.corr, f);
  const keyframes = () => Object.keys(st.corr).map(Number).sort((a, b) => a - b);
  const cur = () => (isKey(st.f) ? st.corr[st.f] : (st.view.get(st.f) || []));
  const selected = () => cur().find((b) => b.id === st.selId) || null;
  const knownIds = () => {
    const ids = new Set(st.tracks.map((t) => t.id));
    for (const boxes of Object.values(st.corr)) for (const b of boxes) ids.add(b.id);
    for (const boxes of st.view.values()) for (const b of boxes) ids.add(b.id);
    return [...ids].sort((a, b) => a - b);
  };
  const newId = () => Math.max(0, ...knownIds()) + 1;
  const ensureKey = () => {
    // the frame becomes a keyframe holding every box shown on it (a person's boxes carry no confidence)
    if (!isKey(st.f)) st.corr[st.f] = cur().map(plain);
    return st.corr[st.f];
  };

  const report = () => {
    if (!st.setStateValue) return;
    const corrections = {};
    for (const f of keyframes()) corrections[f] = st.corr[f].map(plain);
    st.setStateValue("edit", { item: st.item, corrections });
  };
  const save = () => { store[st.item] = { corr: st.corr, f: st.f, history: st.history }; };
  const recompute = () => { st.view = preview(st.tracks, st.corr, st.n, st.w, st.h); };

  const button = (text, cls, attrs, onClick) => {
    const b = el("button", "al-tk-chip" + (cls ? ` ${cls}` : ""), text);
    b.type = "button";
    for (const [k, v] of Object.entries(attrs || {})) b.setAttribute(k, v);
    b.addEventListener("click", (e) => { onClick(e); st.focus(); });
    return b;
  };

  const drawChips = () => {
    const row = [el("span", "al-tk-title", "New boxes:")];
    st.labels.forEach((lab, i) => {
      const b = button((i < 9 ? `${i + 1} · ` : "") + lab, i === st.cls ? "al-tk-chip-on" : "",
        { "data-class": lab, "data-testid": "alTkChip", title: "Shift+click: relabel the selected box's track" },
        (e) => { if (e.shiftKey && selected()) relabel(i); else setClass(i); });
      row.push(b);
    });
    chips.replaceChildren(...row);
  };

  const drawNav = () => {
    slider.value = String(st.f);
    const flag = st.flagged.find((x) => x.frame === st.f);
    const parts = [el("b", "", `Frame ${st.f}`), document.createTextNode(` / ${st.n - 1}`)];
    if (isKey(st.f)) parts.push(el("span", "al-tk-badge al-tk-badge-key", "checked"));
    if (flag) parts.push(el("span", "al-tk-badge al-tk-badge-flag", `flagged${flag.reason ? `: ${flag.reason}` : ""}`));
    where.replaceChildren(...parts);
    const pos = (f) => `${st.n > 1 ? (f / (st.n - 1)) * 100 : 0}%`;
    const mark = (cls, f) => { const m = el("span", `al-tk-mark ${cls}`); m.style.left = pos(f); return m; };
    timeline.replaceChildren(mark("al-tk-mark-now", st.f), ...st.flagged.map((x) => mark("al-tk-mark-flag", x.frame)),
      ...keyframes().map((f) => mark("al-tk-mark-key", f)));
  };

  const drawFlags = () => {
    const row = [el("span", "al-tk-title", "Flagged by the model:")];
    if (!st.flagged.length) row.push(el("span", "al-tk-none", "no frame flagged"));
    for (const x of st.flagged) {
      const b = button(`${isKey(x.frame) ? "✓ " : ""}${x.frame}${x.reason ? ` · ${x.reason}` : ""}`,
        x.frame === st.f ? "al-tk-chip-on" : "", { "data-frame": String(x.frame), "data-testid": "alTkFlag" },
        () => go(x.frame));
      row.push(b);
    }
    if (st.flagged.length) row.push(button("Next flagged (N)", "", { "data-action": "next-flagged" }, () => nextFlagged(1)));
    flags.replaceChildren(...row);
  };

  const drawChecked = () => {
    const keys = keyframes();
    const parts = [el("span", "", `Frames checked: ${keys.length} of ${st.n}${keys.length ? ` (${keys.join(", ")})` : ""}`)];
    if (!isKey(st.f)) parts.push(button("Check this frame (K)", "", { "data-action": "check" }, check));
    else parts.push(button("Uncheck this frame", "al-tk-del", { "data-action": "uncheck" }, uncheck));
    if (st.history.length > 1) parts.push(button("Undo edit (Z)", "", { "data-action": "undo" }, undo));
    checked.replaceChildren(...parts);
  };

  const drawPanel = () => {
    const parts = [];
    const b = selected();
    if (b && st.idEntry !== null) {
      parts.push(el("span", "", `New id for ${b.label} #${b.id}: `), el("b", "al-tk-entry", `${st.idEntry || " "}`),
        el("span", "al-tk-note", " type digits, Enter gives it (swapping with the box that has it), Esc cancels."));
    } else if (b) {
      parts.push(el("span", "", `Selected: ${b.label} #${b.id}${hasConf(b) ? ` (model ${b.confidence.toFixed(2)})` : ""} at `
        + `(${Math.round(b.x0)}, ${Math.round(b.y0)})-(${Math.round(b.x1)}, ${Math.round(b.y1)}). Id:`));
      const pick = el("select", "al-tk-select");
      pick.setAttribute("data-testid", "alTkIdSelect");
      pick.title = "I, then digits and Enter";
      const fresh = newId();
      for (const id of knownIds().concat([fresh])) {
        const on = cur().find((o) => o.id === id);
        const swap = on && on.id !== b.id ? ` (swap with ${on.label})` : "";
        const opt = el("option", "", id === fresh ? `#${id} (new)` : `#${id}${swap}`);
        opt.value = String(id);
        if (id === b.id) opt.selected = true;
        pick.appendChild(opt);
      }
      pick.addEventListener("change", () => { setId(Number(pick.value)); st.focus(); });
      parts.push(pick, el("span", "", "Label of the track:"));
      st.labels.forEach((lab, i) => {
        if (lab !== b.label) {
          parts.push(button(lab, "", { "data-relabel": lab, title: i < 9 ? `Shift+${i + 1}` : "" }, () => relabel(i)));
        }
      });
      parts.push(button("Delete from this frame", "al-tk-del", { "data-action": "delete-box" }, remove));
      if (st.note) parts.push(el("span", "al-tk-note", st.note));
    } else {
      const n = cur().length;
      parts.push(el("span", "", st.note || (n ? `${n} box${n > 1 ? "es" : ""} on this frame: click one to select it, `
        + "or drag on the image to draw another." : "No box on this frame: drag on the image to draw one.")));
    }
    panel.replaceChildren(...parts);
  };

  const drawLayer = () => {
    layer.replaceChildren();
    const s = st.scale;
    const boxes = cur();
    const order = boxes.filter((b) => b.id !== st.selId).concat(boxes.filter((b) => b.id === st.selId)); // selected on top
    for (const b of order) {
      const color = colorOf(b.id), active = b.id === st.selId;
      const g = svg("g", { class: "al-tk-box" + (active ? " al-tk-active" : ""), "data-id": b.id, "data-label": b.label,
        "data-x0": round1(b.x0), "data-y0": round1(b.y0), "data-x1": round1(b.x1), "data-y1": round1(b.y1),
        "data-testid": "alTkBox" });
      g.appendChild(svg("rect", { class: "al-tk-rect", x: b.x0 * s, y: b.y0 * s, width: (b.x1 - b.x0) * s,
        height: (b.y1 - b.y0) * s, stroke: color, fill: active ? "rgba(255,255,255,0.18)" : "rgba(0,0,0,0)" }));
      const tag = svg("text", { class: "al-tk-tag", x: b.x0 * s + 3, y: b.y0 * s > 14 ? b.y0 * s - 4 : b.y0 * s + 13,
        fill: color });
      tag.textContent = `${b.label} #${b.id}${hasConf(b) ? ` ${b.confidence.toFixed(2)}` : ""}`;
      g.appendChild(tag);
      if (active) {
        [[b.x0, b.y0], [b.x1, b.y0], [b.x0, b.y1], [b.x1, b.y1]].forEach(([x, y], c) => {
          g.appendChild(svg("rect", { class: "al-tk-handle", "data-corner": c, x: x * s - 5, y: y * s - 5, width: 10,
            height: 10, fill: "white", stroke: color }));
        });
      }
      layer.appendChild(g);
    }
    const d = st.drag;
    if (d && d.mode === "draw" && d.moved) {
      layer.appendChild(svg("rect", { class: "al-tk-draft", x: Math.min(d.x0, d.x) * s, y: Math.min(d.y0, d.y) * s,
        width: Math.abs(d.x - d.x0) * s, height: Math.abs(d.y - d.y0) * s, stroke: "#111827" }));
    }
  };

  const draw = () => {
    if (img.getAttribute("src") !== st.frames[st.f]) img.src = st.frames[st.f];
    root.setAttribute("data-frame", String(st.f));
    root.setAttribute("data-keyframes", keyframes().join(","));
    drawNav(); drawFlags(); drawLayer(); drawPanel(); drawChecked();
  };
  const changed = (note) => {
    st.history.push({ corr: JSON.stringify(st.corr), f: st.f, note: note || "" });
    if (st.history.length > MAX_UNDO + 1) st.history.shift();
    st.note = note || "";
    recompute(); save(); draw(); report();
  };

  function undo() {
    // back to the keyframes before the last change, on the frame it was made
    if (st.history.length < 2) { st.note = "Nothing to undo in this clip."; drawPanel(); return; }
    const last = st.history.pop();
    st.corr = JSON.parse(st.history[st.history.length - 1].corr);
    st.f = last.f;
    st.selId = null;
    st.drag = null;
    st.idEntry = null;
    st.note = `Undid: ${last.note.replace(/\.$/, "")}.`;
    recompute(); save(); draw(); report();
  }
  const clamp = (v, hi) => Math.min(hi, Math.max(0, v));
  const toImage = (e) => {
    const r = layer.getBoundingClientRect();
    return [clamp((e.clientX - r.left) / st.scale, st.w), clamp((e.clientY - r.top) / st.scale, st.h)];
  };
  const normalise = (b) => {
    const [x0, x1] = [Math.min(b.x0, b.x1), Math.max(b.x0, b.x1)];
    const [y0, y1] = [Math.min(b.y0, b.y1), Math.max(b.y0, b.y1)];
    Object.assign(b, { x0: round1(x0), y0: round1(y0), x1: round1(x1), y1: round1(y1) });
  };

  function go(f) {
    const to = Math.min(st.n - 1, Math.max(0, f));
    st.f = to;
    st.drag = null;
    st.idEntry = null;
    st.note = "";
    if (!cur().some((b) => b.id === st.selId)) st.selId = null; // the same track stays selected when it is there
    save();
    draw();
  }

  function nextFlagged(step) {
    if (!st.flagged.length) { st.note = "No frame flagged by the model."; drawPanel(); return; }
    const frames = st.flagged.map((x) => x.frame);
    const later = step > 0 ? frames.find((f) => f > st.f) : [...frames].reverse().find((f) => f < st.f);
    go(later !== undefined ? later : (step > 0 ? frames[0] : frames[frames.length - 1]));
  }

  function setClass(i) {
    if (i < 0 || i >= st.labels.length) return;
    st.cls = i;
    window.__alTkLabel = st.labels[i]; // the next item starts with the same label
    st.note = `New boxes are ${st.labels[i]}` + (st.selId === null ? "."
      : ` (the selected box keeps its label${i < 9 ? `: Shift+${i + 1} relabels its track` : ""}).`);
    drawChips();
    drawPanel();
  }

  function check() {
    if (isKey(st.f)) { st.note = `Frame ${st.f} is checked already.`; drawPanel(); return; }
    ensureKey();
    changed(`Frame ${st.f} checked as it is.`);
  }

  function uncheck() {
    if (!isKey(st.f)) return;
    delete st.corr[st.f];
    if (!cur().some((b) => b.id === st.selId)) st.selId = null;
    changed(`Frame ${st.f} unchecked: it shows the boxes carried from before it.`);
  }

  function remove() {
    const b = selected();
    if (!b) return;
    const boxes = ensureKey();
    boxes.splice(boxes.findIndex((o) => o.id === b.id), 1);
    st.selId = null;
    changed(`Deleted ${b.label} #${b.id} from frame ${st.f}.`);
  }

  function relabel(i) {
    // the selected box's track takes the label: this frame becomes a keyframe, and the track's box on every
    // keyframe is relabelled, so that propagate (and preview) give the one label to all the track's frames
    const b = selected();
    if (!b || i < 0 || i >= st.labels.length) return;
    const lab = st.labels[i], was = b.label, id = b.id;
    if (was === lab) { st.note = `#${id} is a ${lab} already.`; drawPanel(); return; }
    ensureKey();
    for (const boxes of Object.values(st.corr)) for (const o of boxes) if (o.id === id) o.label = lab;
    changed(`Track #${id} is now ${lab} (was ${was}), on all its frames.`);
  }

  function setId(id) {
    const b = selected();
    st.idEntry = null;
    if (!b || !Number.isInteger(id) || id < 0) { draw(); return; }
    if (id === b.id) { st.note = `It is #${id} already.`; drawPanel(); return; }
    const boxes = ensureKey();
    const mine = boxes.find((o) => o.id === b.id), other = boxes.find((o) => o.id === id);
    const old = mine.id;
    if (other) other.id = old;
    mine.id = id;
    st.selId = id;
    changed(other ? `Swapped the ids #${old} and #${id} on frame ${st.f}.` : `The box is now #${id}.`);
  }

  layer.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    stage.focus({ preventScroll: true });
    const [x, y] = toImage(e);
    const handle = e.target.closest && e.target.closest(".al-tk-handle");
    const g = e.target.closest && e.target.closest(".al-tk-box");
    st.idEntry = null;
    if (handle && selected()) {
      st.drag = { mode: "resize", corner: Number(handle.getAttribute("data-corner")), id: st.selId, moved: false,
        cx: e.clientX, cy: e.clientY };
    } else if (g) {
      const id = Number(g.getAttribute("data-id"));
      const b = cur().find((o) => o.id === id);
      st.selId = id;
      st.drag = { mode: "move", id, moved: false, cx: e.clientX, cy: e.clientY, dx: x - b.x0, dy: y - b.y0 };
    } else {
      st.selId = null;
      st.drag = { mode: "draw", x0: x, y0: y, x, y, moved: false, cx: e.clientX, cy: e.clientY };
    }
    layer.setPointerCapture(e.pointerId);
    st.note = "";
    drawLayer();
    drawPanel();
  });

  layer.addEventListener("pointermove", (e) => {
    const d = st.drag;
    if (!d) return;
    if (!d.moved && Math.hypot(e.clientX - d.cx, e.clientY - d.cy) < 3) return;
    d.moved = true;
    const [x, y] = toImage(e);
    if (d.mode === "draw") {
      d.x = x;
      d.y = y;
    } else {
      const b = ensureKey().find((o) => o.id === d.id);
      if (d.mode === "move") {
        const bw = b.x1 - b.x0, bh = b.y1 - b.y0;
        b.x0 = clamp(x - d.dx, st.w - bw); b.y0 = clamp(y - d.dy, st.h - bh);
        b.x1 = b.x0 + bw; b.y1 = b.y0 + bh;
      } else {
        if (d.corner === 0 || d.corner === 2) b.x0 = x; else b.x1 = x;
        if (d.corner === 0 || d.corner === 1) b.y0 = y; else b.y1 = y;
      }
    }
    drawLayer();
  });

  const release = (e) => {
    const d = st.drag;
    if (!d) return;
    st.drag = null;
    if (layer.hasPointerCapture(e.pointerId)) layer.releasePointerCapture(e.pointerId);
    if (d.mode === "draw") {
      if (d.moved && Math.abs(d.x - d.x0) >= MIN_PX && Math.abs(d.y - d.y0) >= MIN_PX) {
        const b = { id: newId(), label: st.labels[st.cls], x0: d.x0, y0: d.y0, x1: d.x, y1: d.y };
        normalise(b);
        ensureKey().push(b);
        st.selId = b.id;
        changed(`Drew ${b.label} #${b.id} on frame ${st.f}.`);
      } else {
        draw();
      }
      return;
    }
    if (!d.moved) { draw(); return; }
    const b = st.corr[st.f].find((o) => o.id === d.id);
    normalise(b);
    if (b.x1 - b.x0 < MIN_PX || b.y1 - b.y0 < MIN_PX) { // resized to nothing: a minimal box stays
      b.x1 = Math.min(st.w, b.x0 + MIN_PX); b.y1 = Math.min(st.h, b.y0 + MIN_PX);
    }
    changed(`${d.mode === "move" ? "Moved" : "Resized"} ${b.label} #${b.id} on frame ${st.f}.`);
  };
  layer.addEventListener("pointerup", release);
  layer.addEventListener("pointercancel", release);

  slider.addEventListener("input", () => go(Number(slider.value)));
  prev.addEventListener("click", () => { go(st.f - 1); st.focus(); });
  next.addEventListener("click", () => { go(st.f + 1); st.focus(); });

  root.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return; // Ctrl+Enter, Alt+A ...: the page's hotkeys
    const tag = e.target && e.target.tagName;
    if (tag === "SELECT") return; // the id list keeps its own keys
    if (tag === "BUTTON" && (e.key === "Enter" || e.key === " ")) return;
    if (st.idEntry !== null) {
      e.preventDefault();
      if (/^[0-9]$/.test(e.key)) { st.idEntry = (st.idEntry + e.key).slice(0, 6); drawPanel(); }
      else if (e.key === "Backspace") { st.idEntry = st.idEntry.slice(0, -1); drawPanel(); }
      else if (e.key === "Enter") { if (st.idEntry) setId(Number(st.idEntry)); else { st.idEntry = null; drawPanel(); } }
      else if (e.key === "Escape") { st.idEntry = null; st.note = ""; drawPanel(); }
      return;
    }
    const step = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
    if (step) { e.preventDefault(); go(st.f + step * (e.shiftKey ? 10 : 1)); return; }
    if (e.key === "Home" || e.key === "End") { e.preventDefault(); go(e.key === "Home" ? 0 : st.n - 1); return; }
    const m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
    if (m) {
      if (Number(m[1]) > st.labels.length) return;
      e.preventDefault();
      if (!e.shiftKey) setClass(Number(m[1]) - 1);
      else if (selected()) relabel(Number(m[1]) - 1);
      else { st.note = "Select a box first (click it) to change its track's label (Shift+digit)."; drawPanel(); }
      return;
    }
    if (e.code === "KeyN") { e.preventDefault(); nextFlagged(e.shiftKey ? -1 : 1); return; }
    if (e.code === "KeyK") { e.preventDefault(); check(); return; }
    if (e.code === "KeyZ") { e.preventDefault(); undo(); return; }
    if (e.code === "KeyI") {
      e.preventDefault();
      if (selected()) st.idEntry = "";
      else st.note = "Select a box first (click it) to give it another id.";
      drawPanel();
      return;
    }
    if (e.key === "Tab" && tag !== "INPUT" && cur().length) { // select the next box on the frame
      e.preventDefault();
      const ids = cur().map((b) => b.id);
      const i = ids.indexOf(st.selId);
      st.selId = ids[i < 0 ? (e.shiftKey ? ids.length - 1 : 0) : (i + (e.shiftKey ? ids.length - 1 : 1)) % ids.length];
      st.note = "";
      drawLayer();
      drawPanel();
      return;
    }
    if (st.selId === null) return;
    if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); remove(); }
    else if (e.key === "Escape") { e.preventDefault(); st.selId = null; st.note = ""; drawLayer(); drawPanel(); }
  });

  st.focus = () => stage.focus({ preventScroll: true });
  st.report = report;
  st.f = Math.min(st.n - 1, Math.max(0, st.f));
  recompute();
  drawChips();
  draw();
  return st;
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (!data || !Array.isArray(data.frames) || !data.frames.length) return;
  let inst = parentElement.__alTk;
  if (!inst || inst.item !== data.item) {
    inst = create(parentElement, data);
    parentElement.__alTk = inst;
    inst.setStateValue = setStateValue;
    inst.report(); // the keyframes as restored (none at first): what a submit builds on until edited
    const focused = document.activeElement;
    if (!focused || focused === document.body || !document.contains(focused)
        || (focused.closest && focused.closest(".al-tk"))) inst.focus();
  } else {
    inst.setStateValue = setStateValue;
  }
}
