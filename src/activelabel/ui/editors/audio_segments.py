"""Audio segments: the player, the waveform with the segments drawn over it, and a table to edit them.

Each row is one segment: start and end (seconds), the label, and the model's confidence in it
(its margin; "-" before the model has learned labels). Per row: split it in two at its middle,
merge it with the next one (the merged segment keeps this row's label), or delete it; "Add
segment" appends one after the last. What is shown is what is submitted (Ctrl+Enter or Submit):
the rows live in one plain session value, never in widget state that a rerun may reset. A row
without a label, an overlap or a segment past the end is refused by the page with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.types import Payload, Segment, Segments
from activelabel.ui.audio_player import audio_player
from activelabel.ui.common import md_escape
from activelabel.ui.editors.transcription import _audio_path, envelope

if TYPE_CHECKING:
    from activelabel.project import Project

PLAIN_KEYS = False  # number inputs take typed digits
NEW_SEGMENT_S = 0.5
Row = dict[str, Any]


def _rows_key(key: str) -> str:
    return f"{key}_rows"


def _rev(key: str) -> int:
    return int(st.session_state.get(f"{key}_rev", 0))


def _bump(key: str) -> None:
    st.session_state[f"{key}_rev"] = _rev(key) + 1  # fresh widgets show a structural change


def rows(item: dict[str, Any], key: str) -> list[Row]:
    """The segments as edited so far, starting from the model's proposal."""
    proposed = (item.get("proposed") or {}).get("segments") or []
    start = [{"start": float(s["start"]), "end": float(s["end"]), "label": s.get("label"),
              "confidence": s.get("confidence")} for s in proposed]
    return st.session_state.setdefault(_rows_key(key), sorted(start, key=lambda r: r["start"]))  # type: ignore[no-any-return]


def _set(key: str, i: int, field: str, widget: str) -> None:
    st.session_state[_rows_key(key)][i][field] = st.session_state[widget]
    st.session_state[_rows_key(key)][i]["confidence"] = None  # a person's edit, not the model's


def _split(key: str, i: int) -> None:
    segs = st.session_state[_rows_key(key)]
    r = segs[i]
    mid = round((r["start"] + r["end"]) / 2, 3)
    segs[i:i + 1] = [{**r, "end": mid, "confidence": None}, {**r, "start": mid, "confidence": None}]
    _bump(key)


def _merge(key: str, i: int) -> None:
    segs = st.session_state[_rows_key(key)]
    if i + 1 < len(segs):
        segs[i:i + 2] = [{**segs[i], "end": max(segs[i]["end"], segs[i + 1]["end"]), "confidence": None}]
        _bump(key)


def _delete(key: str, i: int) -> None:
    del st.session_state[_rows_key(key)][i]
    _bump(key)


def _add(key: str, duration: float | None) -> None:
    segs = st.session_state[_rows_key(key)]
    start = round(max([r["end"] for r in segs], default=0.0), 3)
    end = round(start + NEW_SEGMENT_S if duration is None else min(duration, start + NEW_SEGMENT_S), 3)
    segs.append({"start": start, "end": end, "label": None, "confidence": None})
    _bump(key)


def _chart(env: dict[str, list[float]], segs: list[Row]) -> dict[str, Any]:
    """Vega-Lite: the waveform's envelope with one shaded, labeled band per segment."""
    bands = [{"start": r["start"], "end": r["end"], "label": r["label"] or "(no label)", "n": i + 1}
             for i, r in enumerate(segs)]
    wave = [{"seconds": t, "amplitude": a} for t, a in zip(env["seconds"], env["amplitude"])]
    return {"height": 140, "layer": [
        {"data": {"values": bands}, "mark": {"type": "rect", "opacity": 0.3},
         "encoding": {"x": {"field": "start", "type": "quantitative", "title": "seconds"}, "x2": {"field": "end"},
                      "color": {"field": "label", "type": "nominal", "title": "label"}}},
        {"data": {"values": wave}, "mark": {"type": "area", "color": "#4c78a8"},
         "encoding": {"x": {"field": "seconds", "type": "quantitative"},
                      "y": {"field": "amplitude", "type": "quantitative", "title": "amplitude"}}},
        {"data": {"values": bands}, "mark": {"type": "text", "dy": -60, "fontWeight": "bold"},
         "encoding": {"x": {"field": "start", "type": "quantitative"},
                      "text": {"field": "n", "type": "nominal"}}},
    ]}


def render(project: Project, item: dict[str, Any], key: str, act: Callable[[str, Payload | None], None]) -> None:
    path = _audio_path(project, item)
    audio_player(path)
    segs = rows(item, key)
    st.vega_lite_chart(_chart(envelope(str(path)), segs), width="stretch")
    labels = project.config.labels
    duration = (item.get("meta") or {}).get("duration")
    rev = _rev(key)
    conf = item.get("confidence")
    if item.get("proposed") is not None and conf is not None:
        st.caption(f"Model: {len(segs)} segments, least sure {conf:.2f} (label margin or boundary)")
    head = st.columns([0.5, 1.3, 1.3, 2.2, 1.0, 2.4])
    for col, title in zip(head, ("#", "start (s)", "end (s)", "label", "confidence", "")):
        col.markdown(f"**{title}**")
    for i, r in enumerate(segs):
        cols = st.columns([0.5, 1.3, 1.3, 2.2, 1.0, 2.4], vertical_alignment="center")
        cols[0].markdown(f"**{i + 1}**")
        for col, field in ((cols[1], "start"), (cols[2], "end")):
            w = f"{key}_{field}_{i}_r{rev}"
            col.number_input(f"{field} of segment {i + 1}", value=float(r[field]), min_value=0.0, step=0.05,
                             format="%.3f", key=w, on_change=_set, args=(key, i, field, w),
                             label_visibility="collapsed")
        w = f"{key}_label_{i}_r{rev}"
        cols[3].selectbox(f"label of segment {i + 1}", labels,
                          index=labels.index(r["label"]) if r["label"] in labels else None,
                          placeholder="choose a label", key=w, on_change=_set, args=(key, i, "label", w),
                          label_visibility="collapsed")
        c = r.get("confidence")
        cols[4].markdown("-" if c is None else f"{float(c):.2f}")
        b1, b2, b3 = cols[5].columns(3)
        b1.button("Split", key=f"{key}_split_{i}_r{rev}", on_click=_split, args=(key, i),
                  help=f"split segment {i + 1} at its middle")
        b2.button("Merge", key=f"{key}_merge_{i}_r{rev}", on_click=_merge, args=(key, i),
                  disabled=i + 1 >= len(segs), help=f"merge segment {i + 1} with the next")
        b3.button("Delete", key=f"{key}_delete_{i}_r{rev}", on_click=_delete, args=(key, i),
                  help=f"delete segment {i + 1}")
    st.button("Add segment", key=f"{key}_add_r{rev}", on_click=_add, args=(key, duration))
    st.caption(f"{len(segs)} segments · labels: " + ", ".join(md_escape(lab) for lab in labels)
               + " · Submit (Ctrl+Enter) stores the table as shown.")


def value(project: Project, item: dict[str, Any], key: str) -> Payload | None:
    return Segments(tuple(Segment(round(float(r["start"]), 4), round(float(r["end"]), 4), r["label"])
                          for r in rows(item, key)))
