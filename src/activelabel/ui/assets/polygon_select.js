// Polygons for the segmentation editor (activelabel.ui.polygon_select): the image with the proposed
// objects filled in their label's colour, each with its label and confidence. Keys 1-9 (or the chips)
// choose the label of new objects; a click on the image starts a polygon and each further click adds
// a point; Enter (or a click on the first point) closes it once it has 3 points, Backspace removes the
// last point, Esc cancels it. Click an object to select it, drag it to move it, drag one of its points
// to move that point; Shift+1-9 relabels the selected object (the plain digits never do: choosing the
// label of the next object must not change the last one drawn), Delete removes it. Shift+click starts
// a polygon on top of an object. An object may have several parts (polygons: one hidden in the middle
// by something in front of it): with an object selected, A (or "Add part") starts an outline that,
// once closed, becomes another part of that object (its label; its box grows to cover all its parts)
// instead of a new object. A click on an object also selects the part clicked (drawn more opaque);
// Shift+Delete (or "Delete part") removes just that part when the object has more than one, while
// Delete still removes the whole object. Coordinates are kept in image pixels (the display scale is undone
// here), and every change is reported at once (setStateValue), so Ctrl+Enter stores exactly what is
// drawn; there is no Complete step. Ctrl/Alt keys bubble to the page (its hotkeys).

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#4b5563"];
const SVG = "http://www.w3.org/2000/svg";
const CLOSE_PX = 8; // a click this near the first point (screen pixels) closes the polygon
const SAME_PX = 2; // a click this near the last point adds nothing (a double click is one point)

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

function pairs(flat) {
  const out = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([Number(flat[i]), Number(flat[i + 1])]);
  return out;
}

function area(points) {
  let a = 0;
  points.forEach(([x, y], i) => { const [u, v] = points[(i + 1) % points.length]; a += x * v - u * y; });
  return Math.abs(a) / 2;
}

const round1 = (v) => Math.round(v * 10) / 10;
const hasConf = (o) => o.confidence !== null && o.confidence !== undefined;

function create(host, data) {
  for (const old of host.querySelectorAll(":scope > .al-pg")) old.remove();
  const st = {
    item: data.item, labels: data.labels, w: data.width, h: data.height, scale: data.scale,
    objects: (data.objects || []).map((o) => ({ label: o.label, confidence: o.confidence ?? null,
      polygons: (o.polygons || []).map(pairs) })),
    cls: Math.max(0, data.labels.indexOf(window.__alPgLabel)), sel: null, drag: null, draft: null, hover: null,
    part: null, // the selected object's part last clicked (what Shift+Delete removes), or null
    addTo: null, // while outlining: the object the outline becomes a part of, or null for a new object
    note: "", setStateValue: null,
  };
  const colorOf = (label) => COLORS[Math.max(0, st.labels.indexOf(label)) % COLORS.length];
  const root = el("div", "al-pg");
  root.setAttribute("data-testid", "alPgEditor");
  const chips = el("div", "al-pg-chips");
  const stage = el("div", "al-pg-stage");
  stage.tabIndex = 0;
  stage.setAttribute("role", "application");
  stage.setAttribute("aria-label", "Image: click to outline an object point by point, click an object to select it, "
    + "A to add a part to the selected object");
  stage.setAttribute("data-testid", "alPgStage");
  const W = st.w * st.scale, H = st.h * st.scale;
  stage.style.width = `${W}px`;
  stage.style.height = `${H}px`;
  const img = el("img", "al-pg-img" + (st.scale > 1 ? " al-pg-pixelated" : ""));
  img.src = data.image;
  img.alt = "item image";
  img.draggable = false;
  img.style.width = `${W}px`;
  img.style.height = `${H}px`;
  const layer = svg("svg", { class: "al-pg-layer", width: W, height: H });
  stage.append(img, layer);
  const panel = el("div", "al-pg-panel");
  panel.setAttribute("aria-live", "polite");
  panel.setAttribute("data-testid", "alPgStatus");
  root.append(chips, stage, panel);
  host.appendChild(root);

  const report = () => {
    if (!st.setStateValue) return;
    st.setStateValue("edit", {
      item: st.item,
      objects: st.objects.map((o) => {
        const xs = o.polygons.flat().filter((_, i) => i % 2 === 0), ys = o.polygons.flat().filter((_, i) => i % 2 === 1);
        return { label: o.label, confidence: o.confidence, polygons: o.polygons.map((p) => p.flat()),
          x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
      }),
    });
  };

  const drawChips = () => {
    const row = [el("span", "al-pg-chiptitle", "New objects:")];
    st.labels.forEach((lab, i) => {
      const b = el("button", "al-pg-chip" + (i === st.cls ? " al-pg-chip-on" : ""), (i < 9 ? `${i + 1} · ` : "") + lab);
      b.type = "button";
      b.setAttribute("data-class", lab);
      b.setAttribute("data-testid", "alPgChip");
      b.style.borderColor = colorOf(lab);
      b.addEventListener("click", () => { setClass(i); st.focus(); });
      row.push(b);
    });
    chips.replaceChildren(...row);
  };

  const drawPanel = () => {
    const parts = [];
    const o = st.sel !== null ? st.objects[st.sel] : null;
    if (st.draft) {
      const n = st.draft.length, to = st.addTo !== null ? st.objects[st.addTo] : null;
      const what = to ? `part ${to.polygons.length + 1} of the ${to.label}` : `a new ${st.labels[st.cls]}`;
      parts.push(el("span", "", st.note || `Outlining ${what}: ${n} point${n === 1 ? "" : "s"}; `
        + (n >= 3 ? "Enter or a click on the first point closes it" : "click to add points (3 at least)")
        + ", Backspace removes the last point, Esc cancels."));
    } else if (o) {
      const n = o.polygons.reduce((a, p) => a + p.length, 0), many = o.polygons.length > 1;
      const part = many && st.part !== null ? `, part ${st.part + 1} selected` : "";
      parts.push(el("span", "", `Selected: ${o.label}${hasConf(o) ? ` (model ${o.confidence.toFixed(2)})` : ""}, `
        + `${n} points${many ? ` in ${o.polygons.length} parts${part}` : ""}. Change its label:`));
      const chip = (text, attr, value, key, run, cls) => {  // a button of the panel; key: its shortcut
        const b = el("button", "al-pg-chip" + (cls ? ` ${cls}` : ""), text);
        b.type = "button";
        b.title = key;
        b.setAttribute(attr, value);
        b.addEventListener("click", () => { run(); st.focus(); });
        parts.push(b);
      };
      st.labels.forEach((lab, i) => {
        if (lab !== o.label) chip(lab, "data-relabel", lab, i < 9 ? `Shift+${i + 1}` : "", () => relabel(i));
      });
      chip("Add part", "data-action", "add-part", "A", addPart);
      if (many && st.part !== null) {
        chip(`Delete part ${st.part + 1}`, "data-action", "delete-part", "Shift+Delete", removePart, "al-pg-del");
      }
      chip("Delete object", "data-action", "delete-object", "Delete", remove, "al-pg-del");
      if (st.note) parts.push(el("span", "al-pg-note", st.note));
    } else {
      const n = st.objects.length;
      parts.push(el("span", "", st.note || (n ? `${n} object${n > 1 ? "s" : ""} on the image: click one to select it, `
        + "or click on the image to outline another." : "No objects: click on the image to outline one, or submit none.")));
    }
    panel.replaceChildren(...parts);
  };

  const drawObject = (o, n) => {
    const s = st.scale, color = colorOf(o.label), active = n === st.sel;
    const g = svg("g", { class: "al-pg-obj" + (active ? " al-pg-active" : ""), "data-obj": n, "data-label": o.label,
      "data-testid": "alPgObject" });
    o.polygons.forEach((p, k) => {
      const shape = svg("polygon", { class: "al-pg-shape", points: p.map(([x, y]) => `${x * s},${y * s}`).join(" "),
        fill: color, stroke: color, "data-poly": k, "data-testid": "alPgPart" });
      if (active && k === st.part && o.polygons.length > 1) {  // the part Shift+Delete removes
        shape.classList.add("al-pg-part-on");
        shape.style.fillOpacity = "0.65";
        shape.style.strokeDasharray = "none";
      }
      g.appendChild(shape);
    });
    const all = o.polygons.flat();
    const x0 = Math.min(...all.map((q) => q[0])), y0 = Math.min(...all.map((q) => q[1]));
    const tag = svg("text", { class: "al-pg-tag", x: x0 * s + 2, y: y0 * s > 14 ? y0 * s - 4 : y0 * s + 13, fill: color });
    tag.textContent = o.label + (hasConf(o) ? ` ${o.confidence.toFixed(2)}` : "");
    g.appendChild(tag);
    if (!st.draft) {  // while outlining, a click on a point adds a point there instead
      o.polygons.forEach((p, k) => p.forEach(([x, y], v) => {
        g.appendChild(svg("circle", { class: "al-pg-vertex", cx: x * s, cy: y * s, r: active ? 6 : 3.5, stroke: color,
          "data-obj": n, "data-poly": k, "data-vtx": v, "data-testid": "alPgVertex" }));
      }));
    }
    return g;
  };

  const drawLayer = () => {
    layer.replaceChildren();
    const s = st.scale;
    st.objects.forEach((o, n) => { if (n !== st.sel) layer.appendChild(drawObject(o, n)); });
    if (st.sel !== null && st.objects[st.sel]) layer.appendChild(drawObject(st.objects[st.sel], st.sel));  // on top
    if (st.draft) {
      const color = colorOf(st.addTo !== null ? st.objects[st.addTo].label : st.labels[st.cls]);
      const pts = st.draft.concat(st.hover ? [st.hover] : []);
      layer.appendChild(svg("polyline", { class: "al-pg-draft", points: pts.map(([x, y]) => `${x * s},${y * s}`).join(" "),
        stroke: color, fill: color }));
      st.draft.forEach(([x, y], i) => {
        const closes = i === 0 && st.draft.length >= 3;
        layer.appendChild(svg("circle", { class: "al-pg-draftpt" + (closes ? " al-pg-first" : ""), cx: x * s, cy: y * s,
          r: closes ? 7 : 4, stroke: color, "data-testid": "alPgDraftPoint" }));
      });
    }
  };

  const draw = () => { drawLayer(); drawPanel(); };
  const changed = (note) => { st.note = note || ""; draw(); report(); };
  const clamp = (v, hi) => Math.min(hi, Math.max(0, v));
  const toImage = (e) => {
    const r = layer.getBoundingClientRect();
    return [round1(clamp((e.clientX - r.left) / st.scale, st.w)), round1(clamp((e.clientY - r.top) / st.scale, st.h))];
  };
  const screenDist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]) * st.scale;

  function setClass(i) {
    if (i < 0 || i >= st.labels.length) return;
    st.cls = i;
    window.__alPgLabel = st.labels[i];  // the next item starts with the same label
    st.note = st.draft ? "" : `New objects are ${st.labels[i]}`
      + (st.sel === null ? "." : " (the selected object keeps its label).");
    drawChips();
    draw();
  }

  function relabel(i) {
    const o = st.objects[st.sel];
    if (!o || i < 0 || i >= st.labels.length) return;
    o.label = st.labels[i];
    o.confidence = null;  // the model's confidence was for its own label
    changed(`The selected object is now ${o.label}.`);
  }

  function remove() {
    const o = st.objects[st.sel];
    if (!o) return;
    st.objects.splice(st.sel, 1);
    st.sel = null;
    st.part = null;
    changed(`Deleted the ${o.label}.`);
  }

  function addPart() {
    const o = st.objects[st.sel];
    if (!o || st.draft) return;
    st.addTo = st.sel;
    st.draft = [];
    st.hover = null;
    st.note = "";
    draw();
  }

  function removePart() {
    const o = st.objects[st.sel];
    if (!o) return;
    if (o.polygons.length < 2) { st.note = `The ${o.label} has one part: Delete removes the whole object.`; drawPanel(); return; }
    if (st.part === null || !o.polygons[st.part]) {
      st.note = "Click the part to remove first, then Shift+Delete.";
      drawPanel();
      return;
    }
    const k = st.part;
    o.polygons.splice(k, 1);
    o.confidence = null;  // the model's confidence was for its own outline
    st.part = null;
    const left = o.polygons.length;
    changed(`Removed part ${k + 1} of the ${o.label} (${left} part${left > 1 ? "s" : ""} left).`);
  }

  function close() {
    const pts = st.draft;
    if (pts.length < 3) { st.note = `A polygon needs 3 points at least (${pts.length} so far).`; drawPanel(); return; }
    if (area(pts) <= 0) { st.note = "These points are on a line: add one off it, or Backspace."; drawPanel(); return; }
    st.draft = null;
    st.hover = null;
    const to = st.addTo !== null ? st.objects[st.addTo] : null;
    st.addTo = null;
    if (to) {  // another part of the selected object (the box in the report covers all of them)
      to.polygons.push(pts);
      to.confidence = null;  // the model's confidence was for its own outline
      st.sel = st.objects.indexOf(to);
      st.part = to.polygons.length - 1;
      changed(`Added part ${to.polygons.length} to the ${to.label} (${pts.length} points).`);
      return;
    }
    const o = { label: st.labels[st.cls], confidence: null, polygons: [pts] };
    st.objects.push(o);
    st.sel = st.objects.length - 1;
    st.part = 0;
    changed(`Added a ${o.label} (${pts.length} points).`);
  }

  function cancel(note) {  // a part's outline cancelled leaves its object selected
    st.draft = null;
    st.hover = null;
    st.addTo = null;
    st.note = note;
    draw();
  }

  layer.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    stage.focus({ preventScroll: true });
    const p = toImage(e);
    st.note = "";
    if (st.draft) {
      if (st.draft.length >= 3 && screenDist(p, st.draft[0]) <= CLOSE_PX) { close(); return; }
      if (!st.draft.length || screenDist(p, st.draft[st.draft.length - 1]) > SAME_PX) st.draft.push(p);
      draw();
      return;
    }
    const vertex = e.target.closest && e.target.closest(".al-pg-vertex");
    const g = e.target.closest && e.target.closest(".al-pg-obj");
    if (vertex && !e.shiftKey) {
      const n = Number(vertex.getAttribute("data-obj"));
      st.sel = n;
      st.part = Number(vertex.getAttribute("data-poly"));
      st.drag = { mode: "vertex", n, k: Number(vertex.getAttribute("data-poly")), v: Number(vertex.getAttribute("data-vtx")),
        cx: e.clientX, cy: e.clientY, moved: false };
    } else if (g && !e.shiftKey) {
      const n = Number(g.getAttribute("data-obj"));
      const shape = e.target.closest(".al-pg-shape");
      st.sel = n;
      st.part = shape ? Number(shape.getAttribute("data-poly")) : null;
      st.drag = { mode: "move", n, cx: e.clientX, cy: e.clientY, moved: false, start: p,
        orig: st.objects[n].polygons.map((q) => q.map((pt) => pt.slice())) };
    } else {
      st.sel = null;
      st.part = null;
      st.draft = [p];
      draw();
      return;
    }
    layer.setPointerCapture(e.pointerId);
    draw();
  });

  layer.addEventListener("pointermove", (e) => {
    const d = st.drag;
    if (!d) {
      if (st.draft) { st.hover = toImage(e); drawLayer(); }
      return;
    }
    if (!d.moved && Math.hypot(e.clientX - d.cx, e.clientY - d.cy) < 3) return;
    d.moved = true;
    const o = st.objects[d.n];
    const p = toImage(e);
    if (d.mode === "vertex") {
      o.polygons[d.k][d.v] = p;
    } else {
      const all = d.orig.flat();
      const lo = [Math.min(...all.map((q) => q[0])), Math.min(...all.map((q) => q[1]))];
      const hi = [Math.max(...all.map((q) => q[0])), Math.max(...all.map((q) => q[1]))];
      const dx = Math.min(st.w - hi[0], Math.max(-lo[0], p[0] - d.start[0]));
      const dy = Math.min(st.h - hi[1], Math.max(-lo[1], p[1] - d.start[1]));
      o.polygons = d.orig.map((q) => q.map(([x, y]) => [round1(x + dx), round1(y + dy)]));
    }
    o.confidence = null;  // the model's confidence was for its own outline
    drawLayer();
  });

  const release = (e) => {
    const d = st.drag;
    if (!d) return;
    st.drag = null;
    if (layer.hasPointerCapture(e.pointerId)) layer.releasePointerCapture(e.pointerId);
    if (!d.moved) { draw(); return; }
    const o = st.objects[d.n];
    if (d.mode === "vertex") {
      const [x, y] = o.polygons[d.k][d.v];
      changed(`Moved a point of the ${o.label} to (${x.toFixed(1)}, ${y.toFixed(1)}).`);
    } else {
      changed(`Moved the ${o.label}.`);
    }
  };
  layer.addEventListener("pointerup", release);
  layer.addEventListener("pointercancel", release);
  layer.addEventListener("pointerleave", () => { if (st.draft && st.hover) { st.hover = null; drawLayer(); } });

  stage.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;  // Ctrl+Enter, Alt+A ...: the page's hotkeys
    const m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
    if (m && Number(m[1]) <= st.labels.length) {
      e.preventDefault();
      const i = Number(m[1]) - 1;
      if (!e.shiftKey) setClass(i);
      else if (st.sel !== null && !st.draft) relabel(i);
      else if (st.draft) { st.note = "Close the outline (Enter) or cancel it (Esc) first to change a label."; drawPanel(); }
      else { st.note = "Select an object first to change its label (Shift+digit)."; drawPanel(); }
      return;
    }
    if (st.draft) {
      if (e.key === "Enter") { e.preventDefault(); close(); }
      else if (e.key === "Escape") { e.preventDefault(); cancel(st.addTo !== null ? "Cancelled the new part." : "Cancelled the outline."); }
      else if (e.key === "Backspace" || e.key === "Delete") {
        e.preventDefault();
        const had = st.draft.pop();
        if (!st.draft.length) cancel(had ? "Removed the outline's last point." : "Cancelled the new part.");
        else { st.note = ""; draw(); }
      }
      return;
    }
    if (st.sel === null) {
      if (e.key === "a" || e.key === "A") { st.note = "Select an object first to add a part to it (A)."; drawPanel(); }
      return;
    }
    if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); if (e.shiftKey) removePart(); else remove(); }
    else if (e.key === "a" || e.key === "A") { e.preventDefault(); addPart(); }
    else if (e.key === "Escape") { e.preventDefault(); st.sel = null; st.part = null; st.note = ""; draw(); }
  });

  st.focus = () => stage.focus({ preventScroll: true });
  st.report = report;
  drawChips();
  draw();
  return st;
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (!data || !Array.isArray(data.objects)) return;
  let inst = parentElement.__alPg;
  if (!inst || inst.item !== data.item) {
    inst = create(parentElement, data);
    parentElement.__alPg = inst;
    inst.setStateValue = setStateValue;
    if (!data.reported) inst.report();  // the objects as first drawn: what a submit stores until edited
    const focused = document.activeElement;
    if (!focused || focused === document.body || !document.contains(focused)
        || (focused.closest && focused.closest(".al-pg"))) inst.focus();
  } else {
    inst.setStateValue = setStateValue;
  }
}
