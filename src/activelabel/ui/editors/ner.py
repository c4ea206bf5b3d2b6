"""NER: select text to make a span, click a span to relabel or remove it (``ui/span_select.py``).

The text is drawn with the proposed entities highlighted and their confidences. Spans snap to
token boundaries (words and punctuation marks), so a correction can never cut a word in half; the
component says so when it snapped a selection. What a submit stores is the component's own report
of what it drew: until it has reported this item, or while a selection waits for its label,
Ctrl+Enter stores nothing and says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.errors import InvalidLabelError
from activelabel.types import Payload, Span, Spans
from activelabel.ui.common import confidence_color, md_escape
from activelabel.ui.span_select import TokenSpan, reported_edit, span_select

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = False  # the label keys 1-9 belong to the text box while it has focus; the page uses Alt/Ctrl
FAST_LANE = ("text",)  # drawn in the browser by the label page's fast lane (ui/fastlane.py)
_TOKEN = re.compile(r"\w+|[^\w\s]")


def tokens(text: str) -> list[tuple[int, int]]:
    """Character offsets (start, end) of each token."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def span_to_tokens(toks: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The first and last token a character span touches."""
    inside = [i for i, (a, b) in enumerate(toks) if a < end and b > start]
    if not inside:
        raise InvalidLabelError(f"span {start}-{end} covers no token")
    return inside[0], inside[-1]


def segments(text: str) -> list[tuple[str, int]]:
    """The text as (piece, token index) pairs, -1 for the gaps, in order; they join to the text."""
    out: list[tuple[str, int]] = []
    pos = 0
    for i, (a, b) in enumerate(tokens(text)):
        if a > pos:
            out.append((text[pos:a], -1))
        out.append((text[a:b], i))
        pos = b
    if pos < len(text):
        out.append((text[pos:], -1))
    return out


def proposed_spans(item: dict[str, Any]) -> tuple[list[TokenSpan], int]:
    """The proposal as token spans, and how many proposed spans were left out for overlapping an
    earlier one (the editor shows each span it stores, and overlapping ones cannot be shown)."""
    toks = tokens(item["content"])
    spans = (item.get("proposed") or {}).get("spans", [])
    parts = item.get("parts") or []
    out: list[TokenSpan] = []
    dropped = 0
    for i, sp in sorted(enumerate(spans), key=lambda isp: (int(isp[1]["start"]), int(isp[1]["end"]))):
        first, last = span_to_tokens(toks, int(sp["start"]), int(sp["end"]))
        conf = sp.get("confidence", parts[i] if i < len(parts) else None)
        if out and first <= out[-1].last:
            dropped += 1
            continue
        out.append(TokenSpan(first, last, str(sp["label"]), None if conf is None else float(conf)))
    return out, dropped


def confidence_cause(item: dict[str, Any], *, markdown: bool = True) -> str | None:
    """Why the item has the confidence it has, from the proposal's per-entity confidences.

    ``markdown``: for ``st.markdown`` (coloured, data escaped); else plain text for the browser."""
    conf = item.get("confidence")
    if conf is None or item.get("proposed") is None:
        return None
    text = item["content"]
    spans = (item.get("proposed") or {}).get("spans", [])
    parts = item.get("parts") or []
    scored = [(float(sp.get("confidence", parts[i] if i < len(parts) else None)), sp)
              for i, sp in enumerate(spans) if sp.get("confidence", parts[i] if i < len(parts) else None) is not None]
    head = f"Model confidence :{confidence_color(conf)}[**{conf:.2f}**]" if markdown else f"Model confidence {conf:.2f}"
    esc = md_escape if markdown else str
    if not scored:
        if not spans:
            why = "the model proposes no entity" + (
                "; a competing parse would add one" if conf < 1.0 else "")
        else:
            why = "the entities have no confidence of their own"
        return f"{head} · {why}"
    low, sp = min(scored, key=lambda cs: cs[0])
    phrase = esc(text[int(sp["start"]):int(sp["end"])])
    why = f"least confident entity: '{phrase}' {esc(str(sp['label']))} {low:.2f}"
    if conf < low - 1e-6:
        why += (" · the item is less sure than any proposed entity: a competing parse adds an entity the model"
                " left out, or some labels are not learned yet")
    return f"{head} · {why}"


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    text = item["content"]
    cause = confidence_cause(item)
    if cause:
        st.markdown(cause)
    edit = reported_edit(key, item["id"])
    spans, dropped = proposed_spans(item)
    if dropped and edit is None:
        st.warning(f"{dropped} proposed entit{'y overlaps' if dropped == 1 else 'ies overlap'} an earlier one and "
                   f"{'is' if dropped == 1 else 'are'} left out: only the spans shown are stored.")
    span_select(key=key, item_id=item["id"], segments=segments(text), labels=list(project.config.labels),
                spans=list(edit.spans) if edit is not None else spans, reported=edit is not None)
    st.caption("Select words with the mouse, or click the text and move with ←/→, holding Shift to select; then press "
               "a label key (1-9) or click a label. Click an entity (or move onto it) to change its label (1-9) or "
               "remove it (Delete). Ctrl+Enter submits the spans shown.")


def from_tokens(text: str, spans: list[TokenSpan] | tuple[TokenSpan, ...]) -> Spans:
    """Token ranges, as the span editor reports them, as code-point offsets into ``text``."""
    toks = tokens(text)
    out = []
    for s in spans:
        if not 0 <= s.first <= s.last < len(toks):
            raise InvalidLabelError(f"tokens {s.first}-{s.last} are outside 0-{len(toks) - 1}")
        out.append(Span(toks[s.first][0], toks[s.last][1], s.label))
    return Spans(tuple(out))


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    edit = reported_edit(key, item["id"])
    if edit is None:
        raise InvalidLabelError("the entity editor has not shown this item yet: wait until the text appears, "
                                "then submit again")
    if edit.pending:
        raise InvalidLabelError(f"'{edit.pending}' is selected but has no label: press a label key "
                                "(1-9) or Esc, then submit")
    return from_tokens(item["content"], edit.spans)


def fast_view(project: Project, item: dict[str, Any]) -> dict[str, Any]:
    """The text cut into tokens, the proposal as token spans, and the lines the page shows above it."""
    spans, dropped = proposed_spans(item)
    overlap = (f"{dropped} proposed entit{'y overlaps' if dropped == 1 else 'ies overlap'} an earlier one and "
               f"{'is' if dropped == 1 else 'are'} left out: only the spans shown are stored.") if dropped else None
    return {"segments": [[t, i] for t, i in segments(item["content"])], "spans": [s.to_json() for s in spans],
            "cause": confidence_cause(item, markdown=False), "overlap": overlap}


def fast_value(project: Project, item_id: str, raw: dict[str, Any]) -> Payload:
    """The fast lane's answer: ``{"token_spans": [{first, last, label}]}`` as edited (turned into
    code-point offsets here, with the tokens the text was drawn with), or the proposal as the task
    stores it (an accept)."""
    if "token_spans" not in raw:
        return project.spec.payload(raw)
    try:
        spans = [TokenSpan(int(s["first"]), int(s["last"]), str(s["label"])) for s in raw["token_spans"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidLabelError(f"malformed token spans {raw['token_spans']!r}: {exc}") from exc
    return from_tokens(project.store.get_item(item_id).content, spans)
