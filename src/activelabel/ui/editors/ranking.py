"""Ranking: the prompt, the responses side by side (stacked beyond three), the order typed by number.

The annotator types the response numbers in preference order, best first (``213``, or ``2 1 3``;
the last response may be left out), or clicks each response's pick button in that order, then
submits with Ctrl+Enter. The box starts with the model's proposed order, so Ctrl+Enter on it (or
Alt+A) accepts the proposal. The proposal's confidence is that of its least sure neighbouring pair,
and each response shows the model's probability that it beats the next one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.errors import InvalidLabelError
from activelabel.preferences import RankingItem
from activelabel.types import Payload, Ranking
from activelabel.ui.common import confidence_color, md_escape

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = False  # the order box is a text input: plain digits must type there
SIDE_BY_SIDE = 3


def typed_order(text: str, k: int) -> tuple[int, ...]:
    """The typed 1-based numbers as 0-based indices; a missing last response is implied."""
    text = text.strip()
    tokens = re.findall(r"\d+", text) if re.search(r"[\s,>;]", text) or k > 9 else list(text)
    if not all(t.isdigit() for t in tokens):
        raise InvalidLabelError(f"type the response numbers 1..{k} best first, e.g. {''.join(map(str, range(1, k + 1)))}")
    order = [int(t) - 1 for t in tokens]
    if len(order) == k - 1:
        order += [i for i in range(k) if i not in order][:1]
    if sorted(order) != list(range(k)):
        raise InvalidLabelError(f"name each of the {k} responses once, best first (got {text!r})")
    return tuple(order)


def _shown(order: Any, k: int) -> str:
    """An order as the box shows it: ``213``, or ``2 1 3`` where numbers have two digits."""
    return (" " if k > 9 else "").join(str(int(i) + 1) for i in order) if order else ""


def _pick(key: str, number: int, k: int) -> None:
    """Append a response's number; picking one already in the order starts the order again from it."""
    current = re.findall(r"\d+", str(st.session_state.get(key) or "")) if k > 9 else list(
        str(st.session_state.get(key) or ""))
    picked = [str(number)] if str(number) in current else [*current, str(number)]
    st.session_state[key] = (" " if k > 9 else "").join(picked)


def _clear(key: str) -> None:
    st.session_state[key] = ""


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    ranking = RankingItem.parse(item["content"])
    k = len(ranking.responses)
    proposed = (item.get("proposed") or {}).get("order")
    steps = [float(x) for x in item.get("parts") or []]
    with st.container(border=True):
        st.caption("Prompt")
        st.text(ranking.prompt)  # plain text: no Markdown, no links from data
    conf = item.get("confidence")
    if proposed is not None and conf is not None:
        st.markdown("Model proposes **" + " > ".join(str(int(i) + 1) for i in proposed) + "** with confidence "
                    f":{confidence_color(conf)}[**{conf:.2f}**] (its least sure pair)")
    beats = {int(a): p for a, p in zip(proposed or [], steps)}
    cols = st.columns(k) if k <= SIDE_BY_SIDE else [st.container() for _ in range(k)]
    for i, (col, text) in enumerate(zip(cols, ranking.responses, strict=True)):
        with col, st.container(border=True):
            rank = f" · model's #{list(proposed).index(i) + 1}" if proposed is not None else ""
            sure = f", beats the next at {beats[i]:.2f}" if i in beats else ""
            st.markdown(f"**Response {i + 1}**{rank}{md_escape(sure)}")
            st.text(text)
            st.button(f"pick {i + 1}", key=f"{key}_pick_{i}", on_click=_pick, args=(key, i + 1, k))
    if key not in st.session_state:
        st.session_state[key] = _shown(proposed, k)
    left, right = st.columns([4, 1])
    left.text_input(f"Order, best first: type the numbers 1-{k} (e.g. {''.join(map(str, range(k, 0, -1)))}), "
                    "then Ctrl+Enter", key=key)
    right.button("clear", key=f"{key}_clear", on_click=_clear, args=(key,))
    st.number_input("Rating of the best response (optional)", value=None, step=1.0, key=f"{key}_rating")


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    k = len(RankingItem.parse(item["content"]).responses)
    text = st.session_state.get(key)
    if text is None:
        text = _shown((item.get("proposed") or {}).get("order"), k)
    if not str(text).strip():
        raise InvalidLabelError(f"type the response numbers 1..{k} best first before submitting")
    rating = st.session_state.get(f"{key}_rating")
    return Ranking(typed_order(str(text), k), None if rating is None else float(rating))
