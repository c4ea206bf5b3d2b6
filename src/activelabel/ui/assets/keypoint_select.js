// Draggable keypoints for the keypoints editor (activelabel.ui.keypoint_select): the image with the
// proposed objects, each point with its name and confidence. Drag a point to move it; click it (or
// press V with it selected) to toggle visible / hidden; Delete marks it not labeled, dragging it
// again labels it; arrow keys nudge the selected point by one image pixel; X removes the selected
// point's object. The page's "Add object" button sends a template object (``data.add`` counts them). Coordinates are kept in
// image pixels (the display scale is undone here), and every change is reported at once
// (setStateValue), so Ctrl+Enter stores exactly what is drawn. Ctrl/Alt keys bubble to the page.

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#4b5563"];
const SVG = "http://www.w3.org/2000/svg";
const VIS = { 0: "not labeled", 1: "hidden", 2: "visible" };

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

function create(host, data) {
  for (const old of host.querySelectorAll(":scope > .al-kp")) old.remove();
  const st = {
    item: data.item, names: data.names, w: data.width, h: data.height, scale: data.scale,
    objects: (data.objects || []).map((o) => ({ ...o, keypoints: o.keypoints.map((k) => ({ ...k })) })),
    sel: null, drag: null, note: "", setStateValue: null, added: data.add || 0,
  };
  const root = el("div", "al-kp");
  root.setAttribute("data-testid", "alKpEditor");
  const stage = el("div", "al-kp-stage");
  stage.tabIndex = 0;
  stage.setAttribute("role", "application");
  stage.setAttribute("aria-label", "Image: drag a point to move it, click it to toggle its visibility");
  stage.setAttribute("data-testid", "alKpStage");
  stage.style.width = `${st.w * st.scale}px`;
  stage.style.height = `${st.h * st.scale}px`;
  const img = el("img", "al-kp-img");
  img.src = data.image;
  img.alt = "item image";
  img.draggable = false;
  img.style.width = `${st.w * st.scale}px`;
  img.style.height = `${st.h * st.scale}px`;
  const layer = svg("svg", { class: "al-kp-layer", width: st.w * st.scale, height: st.h * st.scale });
  stage.append(img, layer);
  const status = el("div", "al-kp-status");
  status.setAttribute("aria-live", "polite");
  status.setAttribute("data-testid", "alKpStatus");
  root.append(stage, status);
  host.appendChild(root);

  const report = () => {
    if (!st.setStateValue) return;
    st.setStateValue("edit", {
      item: st.item,
      objects: st.objects.map((o) => ({
        x0: o.x0, y0: o.y0, x1: o.x1, y1: o.y1, label: o.label, confidence: o.confidence ?? null,
        keypoints: o.keypoints.map((k) => ({ name: k.name, x: k.x, y: k.y, v: k.v, confidence: k.confidence ?? null })),
      })),
    });
  };

  const draw = () => {
    layer.replaceChildren();
    const s = st.scale;
    st.objects.forEach((o, n) => {
      const color = COLORS[n % COLORS.length];
      layer.appendChild(svg("rect", { class: "al-kp-box", x: o.x0 * s, y: o.y0 * s, width: (o.x1 - o.x0) * s,
        height: (o.y1 - o.y0) * s, stroke: color }));
      const tag = svg("text", { class: "al-kp-objtag", x: o.x0 * s + 2, y: Math.max(10, o.y0 * s - 3), fill: color });
      tag.textContent = o.label + (o.confidence === null || o.confidence === undefined ? "" : ` ${o.confidence.toFixed(2)}`);
      layer.appendChild(tag);
      o.keypoints.forEach((k, i) => {
        const active = st.sel && st.sel[0] === n && st.sel[1] === i;
        const g = svg("g", { class: `al-kp-point al-kp-v${k.v}` + (active ? " al-kp-active" : ""),
          "data-obj": n, "data-kp": i, "data-name": k.name, "data-testid": "alKpPoint" });
        const cx = k.x * s, cy = k.y * s;
        g.appendChild(svg("circle", { cx, cy, r: active ? 8 : 6, fill: k.v === 2 ? color : "white", stroke: color }));
        const conf = k.confidence === null || k.confidence === undefined ? "" : ` ${k.confidence.toFixed(2)}`;
        const label = svg("text", { x: cx + 9, y: cy + 4, class: "al-kp-name" });
        label.textContent = `${k.name}${conf}${k.v === 1 ? " (hidden)" : (k.v === 0 ? " (not labeled)" : "")}`;
        g.appendChild(label);
        layer.appendChild(g);
      });
    });
    let text = st.note;
    if (!text) {
      if (st.sel) {
        const k = st.objects[st.sel[0]].keypoints[st.sel[1]];
        text = `${st.objects[st.sel[0]].label} ${k.name} at (${k.x.toFixed(1)}, ${k.y.toFixed(1)}), ${VIS[k.v]}: `
          + "drag or ←↑→↓ to move, V toggles hidden, Delete marks not labeled.";
      } else {
        text = st.objects.length ? "Drag a point to move it; click a point to toggle visible / hidden."
          : "No object on this image: add one with the button above, or submit none.";
      }
    }
    status.textContent = text;
  };

  const changed = (note) => { st.note = note || ""; draw(); report(); };
  const clamp = (v, hi) => Math.min(hi, Math.max(0, v));

  const grow = (o, k) => {  // a point moved outside its object's box takes the box with it
    o.x0 = Math.min(o.x0, k.x); o.y0 = Math.min(o.y0, k.y);
    o.x1 = Math.max(o.x1, k.x); o.y1 = Math.max(o.y1, k.y);
  };

  const toImage = (e) => {
    const r = layer.getBoundingClientRect();
    return [clamp((e.clientX - r.left) / st.scale, st.w), clamp((e.clientY - r.top) / st.scale, st.h)];
  };

  layer.addEventListener("pointerdown", (e) => {
    const g = e.target.closest && e.target.closest(".al-kp-point");
    if (!g || e.button !== 0) return;
    e.preventDefault();
    const n = Number(g.getAttribute("data-obj")), i = Number(g.getAttribute("data-kp"));
    st.sel = [n, i];
    st.drag = { n, i, x: e.clientX, y: e.clientY, moved: false };
    layer.setPointerCapture(e.pointerId);
    stage.focus({ preventScroll: true });
    st.note = "";
    draw();
  });
  layer.addEventListener("pointermove", (e) => {
    const d = st.drag;
    if (!d) return;
    if (!d.moved && Math.hypot(e.clientX - d.x, e.clientY - d.y) < 3) return;
    d.moved = true;
    const o = st.objects[d.n], k = o.keypoints[d.i];
    [k.x, k.y] = toImage(e).map((v) => Math.round(v * 10) / 10);
    if (k.v === 0) k.v = 2;
    k.confidence = null;  // the model's confidence was for its own point
    grow(o, k);
    st.note = "";
    draw();
  });
  const release = (e) => {
    const d = st.drag;
    if (!d) return;
    st.drag = null;
    if (layer.hasPointerCapture(e.pointerId)) layer.releasePointerCapture(e.pointerId);
    const o = st.objects[d.n], k = o.keypoints[d.i];
    if (d.moved) {
      changed(`Moved ${o.label} ${k.name} to (${k.x.toFixed(1)}, ${k.y.toFixed(1)}).`);
    } else {
      k.v = k.v === 2 ? 1 : 2;
      changed(`${o.label} ${k.name} is now ${VIS[k.v]}.`);
    }
  };
  layer.addEventListener("pointerup", release);
  layer.addEventListener("pointercancel", release);

  stage.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || !st.sel) return;  // Ctrl+Enter ...: the page's hotkeys
    const o = st.objects[st.sel[0]], k = o.keypoints[st.sel[1]];
    const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (step) {
      e.preventDefault();
      k.x = clamp(Math.round((k.x + step[0]) * 10) / 10, st.w);
      k.y = clamp(Math.round((k.y + step[1]) * 10) / 10, st.h);
      if (k.v === 0) k.v = 2;
      k.confidence = null;
      grow(o, k);
      changed(`Moved ${o.label} ${k.name} to (${k.x.toFixed(1)}, ${k.y.toFixed(1)}).`);
    } else if (e.key === "v" || e.key === "V") {
      e.preventDefault();
      k.v = k.v === 2 ? 1 : 2;
      changed(`${o.label} ${k.name} is now ${VIS[k.v]}.`);
    } else if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      k.v = 0;
      changed(`${o.label} ${k.name} is now not labeled (drag it to label it again).`);
    } else if (e.key === "x" || e.key === "X") {
      e.preventDefault();
      st.objects.splice(st.sel[0], 1);
      st.sel = null;
      changed(`Removed the ${o.label}.`);
    } else if (e.key === "Escape") {
      st.sel = null;
      changed("");
    }
  });

  st.add = (template) => {
    st.objects.push({ ...template, keypoints: template.keypoints.map((k) => ({ ...k })) });
    st.sel = [st.objects.length - 1, 0];
    changed(`Added a ${template.label}: drag its points into place.`);
  };
  st.focus = () => stage.focus({ preventScroll: true });
  st.report = report;
  draw();
  return st;
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (!data || !Array.isArray(data.objects)) return;
  let inst = parentElement.__alKp;
  if (!inst || inst.item !== data.item) {
    inst = create(parentElement, data);
    parentElement.__alKp = inst;
    inst.setStateValue = setStateValue;
    if (!data.reported) inst.report();  // the objects as first drawn: what a submit stores until edited
    const focused = document.activeElement;
    if (!focused || focused === document.body || !document.contains(focused)
        || (focused.closest && focused.closest(".al-kp"))) inst.focus();
  } else {
    inst.setStateValue = setStateValue;
  }
  if ((data.add || 0) > inst.added && data.template) {  // the page's "Add object" was pressed
    inst.added = data.add;
    inst.add(data.template);
    inst.focus();
  }
}
