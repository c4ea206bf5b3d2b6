// The detection box editor drawn by the label page's fast lane (fastlane.js): the image with the
// boxes in image pixels, as an SVG layer over it. Drag on the image to draw a box of the class chosen
// for new boxes (keys 1-9, or the chips above the image); click a box to select it, drag it to move
// it, drag a corner to resize it. The class keys never touch the selected box (choosing the class for
// the next box must not relabel the last one drawn): its own class changes only with its buttons or
// Shift+1-9. Delete removes the selected box, Tab selects the next one, Esc selects none, the arrows
// nudge it by one image pixel (with Shift they resize it). Every change is reported at once
// (setStateValue), so a submit stores exactly the boxes shown; there is no Complete step.

const BOX_COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#4b5563"];
const SVG_NS = "http://www.w3.org/2000/svg";
const MIN_PX = 2; // a drag shorter than this (in image pixels) is a click, not a box
const MAX_W = 760;
const MAX_H = 560;

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

function displayScale(w, h, avail) {
  // small images are enlarged by a whole factor (crisp pixels, grabbable corners); large ones fit the page
  const fit = Math.min((avail || MAX_W) / w, MAX_H / h);
  return fit >= 1 ? Math.max(1, Math.floor(fit)) : fit;
}

function createBoxes(host, data) {
  const st = {
    item: data.item, labels: data.labels, w: data.width, h: data.height,
    boxes: (data.boxes || []).map((b) => ({ ...b })), sel: null, drag: null, cls: data.cls || 0,
    note: "", setStateValue: null, onClass: null,
  };
  const labelOf = (i) => st.labels[i];
  const colorOf = (label) => BOX_COLORS[Math.max(0, st.labels.indexOf(label)) % BOX_COLORS.length];
  const root = el("div", "al-bx");
  root.setAttribute("data-testid", "alBoxEditor");
  const chips = el("div", "al-bx-chips");
  const stage = el("div", "al-bx-stage");
  stage.tabIndex = 0;
  stage.setAttribute("role", "application");
  stage.setAttribute("aria-label", "Image: drag to draw a box, click a box to select it");
  stage.setAttribute("data-testid", "alBoxStage");
  const scale = displayScale(st.w, st.h, Math.min(MAX_W, host.clientWidth || MAX_W));
  st.scale = scale;
  const img = data.img || el("img");
  img.className = "al-bx-img" + (scale > 1 ? " al-bx-pixelated" : "");
  img.alt = "item image";
  img.draggable = false;
  img.style.width = `${st.w * scale}px`;
  img.style.height = `${st.h * scale}px`;
  if (!data.img) img.src = data.image;
  stage.style.width = `${st.w * scale}px`;
  stage.style.height = `${st.h * scale}px`;
  const layer = svgEl("svg", { class: "al-bx-layer", width: st.w * scale, height: st.h * scale });
  stage.append(img, layer);
  const panel = el("div", "al-bx-panel");
  panel.setAttribute("data-testid", "alBoxPanel");
  panel.setAttribute("aria-live", "polite");
  root.append(chips, stage, panel);
  host.appendChild(root);

  const report = () => {
    if (!st.setStateValue) return;
    st.setStateValue("edit", { item: st.item, boxes: st.boxes.map((b) => ({
      x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1, label: b.label, confidence: b.confidence ?? null })) });
  };

  const drawChips = () => {
    const row = [el("span", "al-bx-chiptitle", "New boxes:")];
    st.labels.forEach((lab, i) => {
      const b = el("button", "al-bx-chip" + (i === st.cls ? " al-bx-chip-on" : ""), (i < 9 ? `${i + 1} · ` : "") + lab);
      b.type = "button";
      b.setAttribute("data-class", lab);
      b.style.borderColor = colorOf(lab);
      b.addEventListener("click", () => { b.blur(); setClass(i); });
      row.push(b);
    });
    chips.replaceChildren(...row);
  };

  const drawPanel = () => {
    const parts = [];
    if (st.sel !== null && st.boxes[st.sel]) {
      const b = st.boxes[st.sel];
      const conf = b.confidence === null || b.confidence === undefined ? "" : ` (model ${b.confidence.toFixed(2)})`;
      parts.push(el("span", "", `Selected: ${b.label}${conf} at (${Math.round(b.x0)}, ${Math.round(b.y0)})-`
        + `(${Math.round(b.x1)}, ${Math.round(b.y1)}). Change its class:`));
      st.labels.forEach((lab, i) => {
        if (lab === b.label) return;
        const btn = el("button", "al-bx-chip", lab);
        btn.type = "button";
        btn.setAttribute("data-relabel", lab);
        btn.title = i < 9 ? `Shift+${i + 1}` : "";
        btn.addEventListener("click", () => { btn.blur(); relabel(i); });
        parts.push(btn);
      });
      const del = el("button", "al-bx-chip al-bx-del", "Delete box");
      del.type = "button";
      del.setAttribute("data-action", "delete-box");
      del.addEventListener("click", () => { del.blur(); remove(); });
      parts.push(del);
    } else {
      const n = st.boxes.length;
      parts.push(el("span", "", st.note || (n ? `${n} box${n > 1 ? "es" : ""} on the image: click one to select it, `
        + "or drag on the image to draw another." : "No boxes: drag on the image to draw one, or submit none.")));
    }
    if (st.sel !== null && st.note) parts.push(el("span", "al-bx-note", st.note));
    panel.replaceChildren(...parts);
  };

  const drawLayer = () => {
    layer.replaceChildren();
    const s = st.scale;
    st.boxes.forEach((b, n) => {
      const color = colorOf(b.label);
      const active = n === st.sel;
      const g = svgEl("g", { class: "al-bx-box" + (active ? " al-bx-active" : ""), "data-box": n, "data-label": b.label });
      g.appendChild(svgEl("rect", { x: b.x0 * s, y: b.y0 * s, width: (b.x1 - b.x0) * s, height: (b.y1 - b.y0) * s,
        stroke: color, fill: active ? "rgba(255,255,255,0.15)" : "rgba(0,0,0,0)" }));
      const conf = b.confidence === null || b.confidence === undefined ? "" : ` ${b.confidence.toFixed(2)}`;
      const tag = svgEl("text", { class: "al-bx-tag", x: b.x0 * s + 3, y: b.y0 * s > 14 ? b.y0 * s - 4 : b.y0 * s + 13, fill: color });
      tag.textContent = b.label + conf;
      g.appendChild(tag);
      if (active) {
        [[b.x0, b.y0], [b.x1, b.y0], [b.x0, b.y1], [b.x1, b.y1]].forEach(([x, y], c) => {
          g.appendChild(svgEl("rect", { class: "al-bx-handle", "data-corner": c, x: x * s - 5, y: y * s - 5, width: 10,
            height: 10, fill: "white", stroke: color }));
        });
      }
      layer.appendChild(g);
    });
    if (st.drag && st.drag.mode === "draw" && st.drag.moved) {
      const d = st.drag;
      layer.appendChild(svgEl("rect", { class: "al-bx-draft", x: Math.min(d.x0, d.x) * s, y: Math.min(d.y0, d.y) * s,
        width: Math.abs(d.x - d.x0) * s, height: Math.abs(d.y - d.y0) * s, stroke: colorOf(labelOf(st.cls)) }));
    }
  };

  const draw = () => { drawLayer(); drawPanel(); };
  const changed = (note) => { st.note = note || ""; drawChips(); draw(); report(); };
  const clamp = (v, hi) => Math.min(hi, Math.max(0, v));
  const round1 = (v) => Math.round(v * 10) / 10;
  const toImage = (e) => {
    const r = layer.getBoundingClientRect();
    return [clamp((e.clientX - r.left) / st.scale, st.w), clamp((e.clientY - r.top) / st.scale, st.h)];
  };
  const normalise = (b) => {
    const [x0, x1] = [Math.min(b.x0, b.x1), Math.max(b.x0, b.x1)];
    const [y0, y1] = [Math.min(b.y0, b.y1), Math.max(b.y0, b.y1)];
    Object.assign(b, { x0: round1(x0), y0: round1(y0), x1: round1(x1), y1: round1(y1) });
  };

  function setClass(i) {
    if (i < 0 || i >= st.labels.length) return;
    st.cls = i;
    if (st.onClass) st.onClass(i);
    st.note = st.sel === null ? `New boxes are ${labelOf(i)}.` : `New boxes are ${labelOf(i)} (the selected box keeps its class).`;
    drawChips();
    draw();
  }

  function relabel(i) {
    const b = st.boxes[st.sel];
    if (!b || i < 0 || i >= st.labels.length) return;
    b.label = labelOf(i);
    b.confidence = null; // the model's confidence was for its own class
    changed(`The selected box is now ${b.label}.`);
  }

  function remove() {
    const b = st.boxes[st.sel];
    if (!b) return;
    st.boxes.splice(st.sel, 1);
    st.sel = null;
    changed(`Deleted the ${b.label} box.`);
  }

  layer.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    stage.focus({ preventScroll: true });
    const [x, y] = toImage(e);
    const handle = e.target.closest && e.target.closest(".al-bx-handle");
    const g = e.target.closest && e.target.closest(".al-bx-box");
    if (handle && st.sel !== null) {
      st.drag = { mode: "resize", corner: Number(handle.getAttribute("data-corner")), n: st.sel, moved: false, cx: e.clientX, cy: e.clientY };
    } else if (g) {
      const n = Number(g.getAttribute("data-box"));
      const b = st.boxes[n];
      st.sel = n;
      st.drag = { mode: "move", n, moved: false, cx: e.clientX, cy: e.clientY, dx: x - b.x0, dy: y - b.y0 };
    } else {
      st.sel = null;
      st.drag = { mode: "draw", x0: x, y0: y, x, y, moved: false, cx: e.clientX, cy: e.clientY };
    }
    layer.setPointerCapture(e.pointerId);
    st.note = "";
    draw();
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
    } else if (d.mode === "move") {
      const b = st.boxes[d.n];
      const bw = b.x1 - b.x0, bh = b.y1 - b.y0;
      b.x0 = clamp(x - d.dx, st.w - bw); b.y0 = clamp(y - d.dy, st.h - bh);
      b.x1 = b.x0 + bw; b.y1 = b.y0 + bh;
      b.confidence = null;
    } else {
      const b = st.boxes[d.n];
      if (d.corner === 0 || d.corner === 2) b.x0 = x; else b.x1 = x;
      if (d.corner === 0 || d.corner === 1) b.y0 = y; else b.y1 = y;
      b.confidence = null;
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
        const b = { x0: d.x0, y0: d.y0, x1: d.x, y1: d.y, label: labelOf(st.cls), confidence: null };
        normalise(b);
        st.boxes.push(b);
        st.sel = st.boxes.length - 1;
        changed(`Drew a ${b.label} box.`);
      } else {
        draw();
      }
      return;
    }
    const b = st.boxes[d.n];
    if (!d.moved) { draw(); return; }
    normalise(b);
    if (b.x1 - b.x0 < MIN_PX || b.y1 - b.y0 < MIN_PX) {  // resized to nothing: put a minimal box back
      b.x1 = Math.min(st.w, b.x0 + MIN_PX); b.y1 = Math.min(st.h, b.y0 + MIN_PX);
    }
    changed(d.mode === "move" ? `Moved the ${b.label} box.` : `Resized the ${b.label} box.`);
  };
  layer.addEventListener("pointerup", release);
  layer.addEventListener("pointercancel", release);

  st.key = (e) => {
    // plain keys of the editor, from the page's key handler; true when the key was used here
    const digit = /^Digit[1-9]$/.test(e.code) ? Number(e.code.slice(5)) - 1 : (/^Numpad[1-9]$/.test(e.code) ? Number(e.code.slice(6)) - 1 : -1);
    if (digit >= 0 && digit < st.labels.length) {
      if (e.shiftKey) { if (st.sel !== null) relabel(digit); } else setClass(digit);
      return true;
    }
    if (e.key === "Tab" && st.boxes.length) {
      const n = st.boxes.length;
      st.sel = st.sel === null ? (e.shiftKey ? n - 1 : 0) : (st.sel + (e.shiftKey ? n - 1 : 1)) % n;
      st.note = "";
      draw();
      return true;
    }
    if (st.sel === null) return false;
    if (e.key === "Escape") { st.sel = null; st.note = ""; draw(); return true; }
    if (e.key === "Delete" || e.key === "Backspace") { remove(); return true; }
    const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (step) {
      const b = st.boxes[st.sel];
      if (e.shiftKey) {  // resize: the right and bottom edges
        b.x1 = clamp(b.x1 + step[0], st.w); b.y1 = clamp(b.y1 + step[1], st.h);
        if (b.x1 - b.x0 < MIN_PX) b.x1 = b.x0 + MIN_PX;
        if (b.y1 - b.y0 < MIN_PX) b.y1 = b.y0 + MIN_PX;
      } else {
        const bw = b.x1 - b.x0, bh = b.y1 - b.y0;
        b.x0 = clamp(b.x0 + step[0], st.w - bw); b.y0 = clamp(b.y0 + step[1], st.h - bh);
        b.x1 = b.x0 + bw; b.y1 = b.y0 + bh;
      }
      b.confidence = null;
      normalise(b);
      changed(`${e.shiftKey ? "Resized" : "Moved"} the ${b.label} box.`);
      return true;
    }
    return false;
  };
  st.focus = () => stage.focus({ preventScroll: true });
  st.report = report;
  drawChips();
  draw();
  return st;
}
