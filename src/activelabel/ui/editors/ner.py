"""NER: the text with the proposed entities highlighted and their confidences, and a span table.

Each row of the table is one entity: keep it (accept) or untick it (reject), change its label, or
move its first/last token to resize it; new rows add entities. Spans snap to token boundaries
(words and punctuation marks), so a correction can never cut a word in half.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.errors import InvalidLabelError
from activelabel.types import Payload, Span, Spans
from activelabel.ui.common import confidence_color, md_escape

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = False
_TOKEN = re.compile(r"\w+|[^\w\s]")
COLUMNS = ["keep", "label", "first_token", "last_token", "text", "confidence"]


def tokens(text: str) -> list[tuple[int, int]]:
    """Character offsets (start, end) of each token."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def span_to_tokens(toks: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The first and last token a character span touches."""
    inside = [i for i, (a, b) in enumerate(toks) if a < end and b > start]
    if not inside:
        raise InvalidLabelError(f"span {start}-{end} covers no token")
    return inside[0], inside[-1]


def proposed_rows(item: dict[str, Any]) -> list[dict[str, Any]]:
    text = item["content"]
    toks = tokens(text)
    spans = (item.get("proposed") or {}).get("spans", [])
    parts = item.get("parts") or []
    rows = []
    for i, sp in enumerate(spans):
        first, last = span_to_tokens(toks, int(sp["start"]), int(sp["end"]))
        conf = sp.get("confidence", parts[i] if i < len(parts) else None)
        rows.append({"keep": True, "label": sp["label"], "first_token": first, "last_token": last,
                     "text": text[toks[first][0]:toks[last][1]], "confidence": conf})
    return rows


def highlighted(text: str, rows: list[dict[str, Any]]) -> str:
    """Markdown with each entity on a coloured background (by confidence) and its label after it."""
    toks = tokens(text)
    out, pos = [], 0
    for r in sorted(rows, key=lambda r: r["first_token"]):
        a, b = toks[r["first_token"]][0], toks[r["last_token"]][1]
        if a < pos:
            continue
        conf = r.get("confidence")
        tag = f"{r['label']}" + (f" {conf:.2f}" if conf is not None else "")
        out.append(md_escape(text[pos:a]))
        out.append(f":{confidence_color(conf)}-background[**{md_escape(text[a:b])}** {md_escape(tag)}]")
        pos = b
    out.append(md_escape(text[pos:]))
    return "".join(out)


def _edited_rows(item: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The table as edited: the proposal's rows with the data editor's recorded changes applied."""
    rows = [dict(r) for r in proposed_rows(item)]
    delta = st.session_state.get(key)
    if not isinstance(delta, dict):
        return rows
    for idx, changes in (delta.get("edited_rows") or {}).items():
        if int(idx) < len(rows):
            rows[int(idx)].update(changes)
    deleted = {int(i) for i in delta.get("deleted_rows") or []}
    rows = [r for i, r in enumerate(rows) if i not in deleted]
    for added in delta.get("added_rows") or []:
        rows.append({"keep": True, "confidence": None, **added})
    return rows


def rows_to_spans(text: str, rows: list[dict[str, Any]]) -> Spans:
    toks = tokens(text)
    spans = []
    for n, r in enumerate(rows, start=1):
        if not r.get("keep", True):
            continue
        if r.get("label") in (None, "") or r.get("first_token") is None:
            raise InvalidLabelError(f"entity row {n}: give a label and a first token")
        first = int(r["first_token"])
        last = int(r["last_token"]) if r.get("last_token") is not None else first
        if not 0 <= first <= last < len(toks):
            raise InvalidLabelError(f"entity row {n}: tokens {first}-{last} are outside 0-{len(toks) - 1}")
        spans.append(Span(toks[first][0], toks[last][1], str(r["label"])))
    return Spans(tuple(spans))


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    text = item["content"]
    rows = _edited_rows(item, key)
    with st.container(border=True):
        st.markdown(highlighted(text, [r for r in rows if r.get("keep", True) and r.get("first_token") is not None
                                       and r.get("last_token") is not None and r.get("label")]))
    with st.expander("Token numbers (for adding or resizing entities)"):
        st.caption(" · ".join(f"{i}\u00a0{md_escape(text[a:b])}" for i, (a, b) in enumerate(tokens(text))))
    labels = project.config.labels
    st.data_editor(
        proposed_rows(item), key=key, num_rows="dynamic", width="stretch", hide_index=True,
        column_order=COLUMNS,
        column_config={
            "keep": st.column_config.CheckboxColumn("keep", help="untick to reject this entity", default=True),
            "label": st.column_config.SelectboxColumn("label", options=labels, required=True),
            "first_token": st.column_config.NumberColumn("first token", min_value=0, step=1),
            "last_token": st.column_config.NumberColumn("last token", min_value=0, step=1),
            "text": st.column_config.TextColumn("text (as proposed)", disabled=True),
            "confidence": st.column_config.NumberColumn("confidence", format="%.2f", disabled=True),
        },
    )


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    return rows_to_spans(item["content"], _edited_rows(item, key))
