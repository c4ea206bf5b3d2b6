// Span selection for the NER editor (activelabel.ui.span_select): select words with the mouse or
// with shift+arrows, press a label key (1-9) or click a label; click an entity (or move the cursor
// onto it) to relabel or remove it. Works on token indices only: Python sends the text already cut
// into tokens and gaps and turns token ranges back into code-point offsets, so UTF-16 never leaks.
// Every change is reported at once (setStateValue), so the value Python stores is what is drawn.
// Ctrl+Enter and the Alt shortcuts are left to bubble to the page's hotkeys listener. This file holds the
// editor itself (create); span_select_mount.js mounts it as its own component, fastlane.js inside the fast lane.

const COLORS = ["#c7d2fe", "#fde68a", "#bbf7d0", "#fbcfe8", "#bae6fd", "#fed7aa", "#ddd6fe", "#d9f99d", "#e5e7eb"];

function confColor(c) {
  if (c === null || c === undefined) return "";
  return c < 0.5 ? "al-ner-low" : (c < 0.8 ? "al-ner-mid" : "al-ner-high");
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function create(host, data) {
  // the host also holds the <style> Streamlit put there: replace only our own root
  for (const old of host.querySelectorAll(":scope > .al-ner")) old.remove();
  const st = {
    item: data.item, labels: data.labels, segs: data.segments,
    spans: (data.spans || []).map((s) => ({ ...s })),
    sel: null, active: null, cursor: 0, nTok: data.segments.filter((s) => s[1] >= 0).length,
    note: "", setStateValue: null,
  };
  const root = el("div", "al-ner");
  root.setAttribute("data-testid", "alNerEditor");
  const bar = el("div", "al-ner-bar");
  const text = el("div", "al-ner-text");
  text.tabIndex = 0;
  text.setAttribute("role", "textbox");
  text.setAttribute("aria-readonly", "true");
  text.setAttribute("aria-label", "Text: select words, then press a label key");
  text.setAttribute("data-testid", "alNerText");
  const status = el("div", "al-ner-status");
  status.setAttribute("aria-live", "polite");
  status.setAttribute("data-testid", "alNerStatus");
  root.append(bar, text, status);
  host.appendChild(root);

  const tokText = (a, b) => {
    let out = "", on = false;
    for (const [t, i] of st.segs) {
      if (i === a) on = true;
      if (on) out += t;
      if (i === b) break;
    }
    return out;
  };
  const spanAt = (i) => st.spans.findIndex((s) => s.first <= i && i <= s.last);
  const selRange = () => st.sel && [Math.min(st.sel.anchor, st.sel.focus), Math.max(st.sel.anchor, st.sel.focus)];

  const report = () => {
    const r = selRange();
    if (st.setStateValue) {
      st.setStateValue("edit", {
        item: st.item,
        spans: st.spans.map((s) => ({ first: s.first, last: s.last, label: s.label, confidence: s.confidence ?? null })),
        pending: r ? tokText(r[0], r[1]) : null,
      });
    }
  };

  const drawBar = () => {
    bar.replaceChildren();
    const act = st.active !== null ? st.spans[st.active] : null;
    const lead = el("span", "al-ner-hint",
      act ? `“${tokText(act.first, act.last)}” ${act.label}: change to` : (st.sel ? "label the selection:" : "labels:"));
    bar.appendChild(lead);
    st.labels.forEach((lab, k) => {
      const b = el("button", "al-ner-label");
      b.type = "button";
      b.style.background = COLORS[k % COLORS.length];
      b.textContent = k < 9 ? `${k + 1} ${lab}` : lab;
      b.setAttribute("data-label", lab);
      b.addEventListener("mousedown", (e) => e.preventDefault());  // keep the text selection
      b.addEventListener("click", () => applyLabel(k));
      bar.appendChild(b);
    });
    if (act) {
      const rm = el("button", "al-ner-remove", "Remove (Del)");
      rm.type = "button";
      rm.addEventListener("click", removeActive);
      bar.appendChild(rm);
    }
  };

  const drawText = () => {
    text.replaceChildren();
    const r = selRange();
    const byFirst = new Map(st.spans.map((s, n) => [s.first, n]));
    let mark = null, markSpan = null;
    for (const [t, i] of st.segs) {
      if (i >= 0 && byFirst.has(i)) {
        const n = byFirst.get(i);
        markSpan = st.spans[n];
        mark = el("mark", "al-ner-ent" + (st.active === n ? " al-ner-active" : ""));
        mark.style.background = COLORS[Math.max(0, st.labels.indexOf(markSpan.label)) % COLORS.length];
        mark.setAttribute("data-span", String(n));
        mark.setAttribute("data-testid", "alNerSpan");
        text.appendChild(mark);
      }
      const parent = mark || text;
      if (i < 0) {
        parent.appendChild(document.createTextNode(t));
      } else {
        const tok = el("span", "al-ner-tok", t);
        tok.setAttribute("data-i", String(i));
        if (r && r[0] <= i && i <= r[1]) tok.classList.add("al-ner-sel");
        if (i === st.cursor && document.activeElement === text) tok.classList.add("al-ner-cursor");
        parent.appendChild(tok);
      }
      if (mark && i === markSpan.last) {
        const c = markSpan.confidence;
        const tag = el("span", "al-ner-tag " + confColor(c),
          markSpan.label + (c === null || c === undefined ? "" : " " + c.toFixed(2)));
        tag.setAttribute("aria-hidden", "true");
        mark.appendChild(tag);
        mark = null;
        markSpan = null;
      }
    }
  };

  const draw = () => {
    drawBar();
    drawText();
    const r = selRange();
    const keys = `1-${Math.min(9, st.labels.length)}`;
    const act = st.active !== null ? st.spans[st.active] : null;
    status.textContent = st.note || (r ? `Selected “${tokText(r[0], r[1])}”: press ${keys} or click a label (Esc clears).`
      : act ? `“${tokText(act.first, act.last)}” ${act.label}: press ${keys} to change its label, Delete to remove it.`
      : "Select words with the mouse, or move with ←/→ and hold Shift; click an entity to change or remove it.");
  };

  const changed = (note) => { st.note = note || ""; draw(); report(); };

  function applyLabel(k) {
    const lab = st.labels[k];
    if (lab === undefined) return;
    const r = selRange();
    if (r) {
      const gone = st.spans.filter((s) => s.last >= r[0] && s.first <= r[1]);
      st.spans = st.spans.filter((s) => !(s.last >= r[0] && s.first <= r[1]));
      st.spans.push({ first: r[0], last: r[1], label: lab, confidence: null });
      st.spans.sort((a, b) => a.first - b.first);
      st.active = null;
      st.sel = null;
      const replaced = gone.length ? ` (replaces ${gone.map((s) => `“${tokText(s.first, s.last)}” ${s.label}`).join(", ")})` : "";
      changed(`Added “${tokText(r[0], r[1])}” ${lab}${replaced}.`);
    } else if (st.active !== null) {
      const s = st.spans[st.active];
      if (s.label !== lab) {
        s.label = lab;
        s.confidence = null;  // the model's confidence was for its own label
      }
      changed(`“${tokText(s.first, s.last)}” is now ${lab}.`);
    }
  }

  function removeActive() {
    if (st.active === null) return;
    const [s] = st.spans.splice(st.active, 1);
    st.active = null;
    changed(`Removed “${tokText(s.first, s.last)}” ${s.label}.`);
  }

  const tokOf = (node) => {
    const e = node && (node.nodeType === 1 ? node : node.parentElement);
    const t = e && e.closest && e.closest(".al-ner-tok");
    return t && text.contains(t) ? t : null;
  };

  // a drag that starts in the text may end outside it: listen on the document for that one release
  text.addEventListener("mousedown", (e) => {
    if (e.button === 0) document.addEventListener("mouseup", onMouseUp, { once: true });
  });
  function onMouseUp(e) {
    const sel = document.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) {
      const hit = e.target.closest && e.target.closest(".al-ner-ent");
      const m = hit && text.contains(hit) ? hit : null;
      const tk = tokOf(e.target);
      if (tk) st.cursor = Number(tk.getAttribute("data-i"));
      const had = st.sel !== null;
      st.sel = null;
      st.active = m ? Number(m.getAttribute("data-span")) : null;
      st.note = "";
      draw();
      if (had) report();
      return;
    }
    const range = sel.getRangeAt(0);
    if (!range.intersectsNode(text)) return;
    const toks = [...text.querySelectorAll(".al-ner-tok")].filter((t) => range.intersectsNode(t.firstChild || t));
    // a boundary at the very end of a token (or the start of the next) does not take that token
    const startTok = tokOf(range.startContainer), endTok = tokOf(range.endContainer);
    let picked = toks.filter((t) => !(t === startTok && range.startOffset >= (t.textContent || "").length && range.startContainer.nodeType === 3)
      && !(t === endTok && range.endOffset === 0 && range.endContainer.nodeType === 3));
    if (picked.length === 0) picked = toks;
    sel.removeAllRanges();
    if (picked.length === 0) return;
    const a = Number(picked[0].getAttribute("data-i")), b = Number(picked[picked.length - 1].getAttribute("data-i"));
    const snapped = (startTok && startTok === picked[0] && range.startContainer.nodeType === 3 && range.startOffset > 0)
      || (endTok && endTok === picked[picked.length - 1] && range.endContainer.nodeType === 3
          && range.endOffset < (endTok.textContent || "").length);
    st.sel = { anchor: a, focus: b };
    st.cursor = b;
    st.active = null;
    text.focus({ preventScroll: true });
    st.note = snapped ? `Snapped to whole words: “${tokText(a, b)}”. Press 1-${Math.min(9, st.labels.length)} or click a label.` : "";
    draw();
    report();
  }

  text.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;  // Ctrl+Enter, Alt+A ...: the page's hotkeys
    const last = st.nTok - 1;
    if (e.key === "ArrowRight" || e.key === "ArrowLeft" || e.key === "Home" || e.key === "End") {
      e.preventDefault();
      if (last < 0) return;
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      const to = e.key === "Home" ? 0 : (e.key === "End" ? last : Math.min(last, Math.max(0, st.cursor + step)));
      const hadSel = st.sel !== null;
      if (e.shiftKey) {
        if (!st.sel) st.sel = { anchor: st.cursor, focus: st.cursor };
        else st.sel.focus = to;
        st.cursor = st.sel.focus;
        st.active = null;
      } else {
        st.sel = null;
        st.cursor = to;
        const n = spanAt(to);
        st.active = n >= 0 ? n : null;
      }
      st.note = "";
      draw();
      if (e.shiftKey || hadSel) report();
      return;
    }
    if (/^[1-9]$/.test(e.key)) {
      e.preventDefault();
      applyLabel(Number(e.key) - 1);
    } else if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      removeActive();
    } else if (e.key === "Escape") {
      const had = st.sel !== null;
      st.sel = null;
      st.active = null;
      st.note = "";
      draw();
      if (had) report();
    }
  });
  // focus only moves the cursor mark: redrawing here would drop a mouse selection being made
  const markCursor = () => {
    for (const t of text.querySelectorAll(".al-ner-cursor")) t.classList.remove("al-ner-cursor");
    const t = text.querySelector(`.al-ner-tok[data-i="${st.cursor}"]`);
    if (t && document.activeElement === text) t.classList.add("al-ner-cursor");
  };
  text.addEventListener("focus", markCursor);
  text.addEventListener("blur", markCursor);

  st.focus = () => { text.focus({ preventScroll: true }); markCursor(); };
  st.draw = draw;
  st.report = report;
  draw();
  return st;
}

