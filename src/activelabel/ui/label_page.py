"""The label page: one item at a time, its proposal, why it was picked, and keyboard-fast answers.

Flow of one answer: the action (a button callback or a hotkey) submits through the Guard in one
transaction with a submission id made when the item was first shown (so a retried click stores
once); the next item is already in the session's buffer (claimed with the current one, under the
annotator's lease), so it renders without waiting for the database; the buffer is topped up after
the page is drawn. When a new model version is promoted the buffer is re-claimed, so the queue
re-orders on its own.

Editors with ``FAST_LANE`` (classification and NER of texts, detection) skip all of that:
``ui/fastlane.py`` hands the browser its first items and the browser does the rest, with no rerun
per answer.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import streamlit as st

from activelabel.auth import Guard
from activelabel.errors import ActiveLabelError, InvalidLabelError, LeaseConflictError
from activelabel.types import AnnotationStatus, ClassLabel, Payload
from activelabel.ui import fastlane
from activelabel.ui.common import guard, md_escape
from activelabel.ui.editors import editor_for
from activelabel.ui.queue_items import item_view, queued_json, why_line

if TYPE_CHECKING:
    from activelabel.project import Project

BUFFER = 2  # the item on screen and the next one, prefetched
BUF, ROUND, SIDS, SHOWN, DONE, FLASH = "al_buf", "al_buf_round", "al_sids", "al_shown", "al_done", "al_flash"


@dataclass(frozen=True)
class Shortcut:
    action: str  # accept | correct | reject | skip | undo | label:<i>
    keys: tuple[dict[str, Any], ...]  # streamlit-hotkeys specs
    shown: str  # how the legend writes it
    help: str


def shortcuts(labels: list[str], plain: bool) -> list[Shortcut]:
    """Plain keys where the editor has no text input (classification), Alt/Ctrl combos elsewhere."""
    if plain:
        out = [Shortcut(f"label:{i}", ({"key": str((i + 1) % 10)},), str((i + 1) % 10), f"label {lab}")
               for i, lab in enumerate(labels[:10])]  # 1-9, then 0 for the tenth
        return out + [
            Shortcut("accept", ({"key": "a"}, {"key": "Enter"}), "A / Enter", "accept the proposal"),
            Shortcut("reject", ({"key": "r"},), "R", "reject the proposal"),
            Shortcut("skip", ({"key": "s"},), "S", "skip"),
            Shortcut("undo", ({"key": "u"}, {"key": "z", "ctrl": True}), "U / Ctrl+Z", "undo last answer"),
        ]
    return [
        Shortcut("correct", ({"key": "Enter", "ctrl": True, "prevent_default": True},), "Ctrl+Enter",
                 "submit as edited"),
        Shortcut("accept", ({"code": "KeyA", "alt": True, "prevent_default": True},), "Alt+A", "accept the proposal"),
        Shortcut("reject", ({"code": "KeyR", "alt": True, "prevent_default": True},), "Alt+R", "reject the proposal"),
        Shortcut("skip", ({"code": "KeyS", "alt": True, "prevent_default": True},), "Alt+S", "skip"),
        Shortcut("undo", ({"code": "KeyU", "alt": True, "prevent_default": True},), "Alt+U", "undo last answer"),
    ]


def _state() -> Any:
    ss = st.session_state
    ss.setdefault(BUF, [])
    ss.setdefault(SIDS, {})
    ss.setdefault(SHOWN, {})
    ss.setdefault(DONE, 0)
    return ss


def rerank(project: Project, g: Guard) -> None:
    """Re-claim the buffer when a new round (model ranking) is in force, and say so on the page."""
    ss = _state()
    rnd = project.store.current_round()
    rid = rnd.id if rnd else None
    if ss.get(ROUND, rid) != rid and ss[BUF]:
        g.release([it["id"] for it in ss[BUF]])
        ss[BUF] = []
        ss[FLASH] = ("info", f"A new model ranking is in force (round {rid}): the queue was re-ordered.")
    ss[ROUND] = rid


def refill(project: Project, g: Guard) -> None:
    """Top the buffer up to BUFFER items; re-claim everything when a new round (model) is installed."""
    ss = _state()
    rerank(project, g)
    need = BUFFER - len(ss[BUF])
    if need <= 0:
        return
    have = {it["id"] for it in ss[BUF]}
    got = g.claim(len(ss[BUF]) + need)
    fresh = [q for q in got if q.entry.item.id not in have]
    ss[BUF].extend(queued_json(q) for q in fresh[:need])
    extra = [q.entry.item.id for q in fresh[need:]]
    if extra:
        g.release(extra)


def act(project: Project, g: Guard, editor: ModuleType, action: str, value: Payload | None = None) -> None:
    """Carry out one action on the item on screen (or undo); errors become a message, never a crash."""
    ss = _state()
    try:
        if action == "undo":
            item_id = g.undo_last()
            if item_id is None:
                ss[FLASH] = ("warning", "Nothing to undo.")
                return
            ss[BUF] = [it for it in ss[BUF] if it["id"] != item_id]
            ss[BUF].insert(0, item_view(project, item_id))
            ss[SIDS].pop(item_id, None)
            ss[DONE] = max(0, ss[DONE] - 1)
            ss[FLASH] = ("info", "Undone: the item is back.")
            return
        if not ss[BUF]:
            return
        item = ss[BUF][0]
        key = f"al_ed_{item['id']}"
        status: AnnotationStatus | None = None
        if action == "accept":
            if not item.get("proposed"):
                ss[FLASH] = ("warning", "There is no proposal to accept yet: give the label.")
                return
            value = project.spec.payload(item["proposed"])
        elif action == "correct":
            value = editor.value(project, item, key)
        elif action == "reject":
            value, status = None, AnnotationStatus.REJECTED
        elif action == "skip":
            value, status = None, AnnotationStatus.SKIPPED
        elif action != "label":
            raise ActiveLabelError(f"unknown action {action!r}")
        sid = ss[SIDS].setdefault(item["id"], uuid.uuid4().hex)
        shown = ss[SHOWN].get(item["id"])
        g.submit(item["id"], value, status=status, submission_id=sid,
                 duration_s=(time.time() - shown) if shown else None)
    except InvalidLabelError as exc:
        ss[FLASH] = ("error", f"Not saved: {exc}")
        return
    except LeaseConflictError as exc:
        ss[FLASH] = ("error", f"Not saved: {exc}. It was handed to someone else; here is the next item.")
    except ActiveLabelError as exc:
        ss[FLASH] = ("error", f"Not saved: {exc}")
        return
    else:
        ss[DONE] += 1
        ss[FLASH] = None
    ss[BUF].pop(0)
    ss[SIDS].pop(item["id"], None)


def _hotkeys(project: Project, g: Guard, editor: ModuleType, keys: list[Shortcut]) -> None:
    import streamlit_hotkeys as hotkeys

    bindings = [hotkeys.hk(k.action, key=spec.get("key"), code=spec.get("code"), ctrl=spec.get("ctrl", False),
                           alt=spec.get("alt", False), prevent_default=spec.get("prevent_default", False), help=k.help)
                for k in keys for spec in k.keys]
    hotkeys.activate(bindings, key="label")
    for k in keys:
        if hotkeys.pressed(k.action, key="label"):
            if k.action.startswith("label:"):
                act(project, g, editor, "label", ClassLabel(project.config.labels[int(k.action[6:])]))
            else:
                act(project, g, editor, k.action)
            break


def render(project: Project) -> None:
    g = guard(project)
    ss = _state()
    editor = editor_for(project.spec)
    keys = shortcuts(project.config.labels, editor.PLAIN_KEYS)
    if fastlane.applies(project, editor):  # the browser draws and answers; this script only hands it items
        fastlane.render(project, g, [(k.action, k.shown, k.help) for k in keys])
        return
    _hotkeys(project, g, editor, keys)
    rerank(project, g)  # before the message line is drawn, so a re-ranking under the person is announced
    if not ss[BUF]:
        refill(project, g)
    st.markdown(f"#### Label · {md_escape(project.config.name)}")
    flash = ss.get(FLASH)
    if flash:
        getattr(st, flash[0])(flash[1])
    if not ss[BUF]:
        st.success("Nothing left in your queue. Train a new model on the dashboard, or check back later.")
        st.caption(f"Answers this session: {ss[DONE]}")
        return
    item = ss[BUF][0]
    ss[SHOWN].setdefault(item["id"], time.time())
    st.caption(why_line(item, markdown=True) + f" · item `{item['id']}`")
    key = f"al_ed_{item['id']}"

    def on(action: str, value: Payload | None = None) -> None:
        act(project, g, editor, action, value)

    editor.render(project, item, key, on)
    cols = st.columns(5)
    names = {"accept": "Accept", "correct": "Submit", "reject": "Reject", "skip": "Skip", "undo": "Undo"}
    legend = {k.action: k.shown for k in keys}
    for col, action in zip(cols, names):
        if action == "correct" and editor.PLAIN_KEYS:
            col.caption("choose a label to correct")
            continue
        col.button(f"{names[action]} ({legend.get(action, '')})", key=f"al_btn_{action}", on_click=on,
                   args=(action,), width="stretch", type="primary" if action == "accept" else "secondary")
    st.caption("Shortcuts: " + " · ".join(f"`{k.shown}` {md_escape(k.help)}" for k in keys)
               + f"  \nAnswers this session: **{ss[DONE]}** · signed in as {md_escape(g.user.name)} ({g.user.role})")
    refill(project, g)  # after drawing: the prefetch never delays what is on screen
