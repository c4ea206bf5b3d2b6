"""Select text to make a span: the NER editor's ``st.components.v2`` component.

No PyPI component fitted (docs/ui.md, "NER editor"): the text-annotation ones are v1 iframe
components, so keys pressed in them never reach the page's hotkeys (Ctrl+Enter would be lost
again), none has keyboard selection, and none has had a release since early 2025. This one is
plain JavaScript and CSS shipped in the package (``ui/assets``), mounted in the page's own DOM,
with no network access. It works on token indices: the text arrives cut into tokens and gaps, and
the edits come back as (first, last, label) token ranges, which the editor turns into code-point
offsets, so the browser's UTF-16 string indices never reach the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import streamlit as st

EDIT = "edit"  # the component's one state value: {"item", "spans": [{first, last, label, confidence}], "pending"}


def _asset(name: str) -> str:
    return (files("activelabel.ui") / "assets" / name).read_text(encoding="utf-8")


_component = st.components.v2.component("activelabel_span_select", js=_asset("span_core.js") + _asset("span_select_mount.js"),
                                        css=_asset("span_select.css"), isolate_styles=False)


@dataclass(frozen=True, slots=True)
class TokenSpan:
    first: int  # token indices, both inclusive
    last: int
    label: str
    confidence: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"first": self.first, "last": self.last, "label": self.label, "confidence": self.confidence}


@dataclass(frozen=True, slots=True)
class Edit:
    """What the component drew for one item: its spans, and a selection still waiting for a label."""

    item: str
    spans: tuple[TokenSpan, ...]
    pending: str | None


def _noop() -> None:
    """The state callback Streamlit needs to keep the component's ``edit`` value."""


def span_select(*, key: str, item_id: str, segments: list[tuple[str, int]], labels: list[str],
                spans: list[TokenSpan], reported: bool) -> None:
    """Draw the text; ``segments`` are (text, token index) pairs, -1 for the gaps between tokens.

    ``reported`` says the component has already reported this item (its spans are ``spans``), so a
    remount (e.g. a message drawn above it) restores the edits instead of reporting them again.
    """
    _component(key=key, data={"item": item_id, "segments": [[t, i] for t, i in segments], "labels": labels,
                              "spans": [s.to_json() for s in spans], "reported": reported},
               on_edit_change=_noop)


def reported_edit(key: str, item_id: str) -> Edit | None:
    """The component's last report for this item, or None while it has reported none."""
    state = st.session_state.get(key)
    raw = state.get(EDIT) if isinstance(state, Mapping) else None
    if not isinstance(raw, dict) or raw.get("item") != item_id:
        return None
    spans = tuple(TokenSpan(int(s["first"]), int(s["last"]), str(s["label"]),
                            None if s.get("confidence") is None else float(s["confidence"]))
                  for s in raw.get("spans") or [])
    pending = raw.get("pending")
    return Edit(item_id, spans, str(pending) if pending else None)
