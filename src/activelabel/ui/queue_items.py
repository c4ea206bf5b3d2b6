"""Items as the label page shows them: one JSON shape for the Streamlit page and the fast-lane routes.

The page's buffer, the ``/_al/claim`` and ``/_al/undo`` answers and an item brought back by undo
all use it, so the browser draws the same fields whichever way an item arrived. Each carries a
fresh submission id, made when the item is handed out: a retried answer reuses it and is stored once.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from activelabel.ui.common import fmt_float, md_escape

if TYPE_CHECKING:
    from activelabel.project import Project, QueuedItem


def queued_json(q: QueuedItem) -> dict[str, Any]:
    """A claimed item, with its metadata and a new submission id."""
    data = q.to_json()
    data["meta"] = dict(q.entry.item.meta)
    data["sid"] = uuid.uuid4().hex
    return data


def item_view(project: Project, item_id: str) -> dict[str, Any]:
    """An item as the queue would show it, for an item brought back by undo."""
    item = project.store.get_item(item_id)
    rnd = project.store.current_round()
    version = rnd.model_version if rnd else None
    p = project.store.predictions_for(version, [item_id]).get(item_id, {}) if version else {}
    return {"id": item.id, "media": item.media, "content": item.content, "meta": dict(item.meta),
            "proposed": p.get("value"), "confidence": p.get("confidence"), "parts": p.get("parts", []),
            "model_version": p.get("model_version"), "score": None, "reason": "undo",
            "strategy": rnd.strategy if rnd else "", "rank": None, "queue_position": None,
            "round": rnd.id if rnd else None, "sid": uuid.uuid4().hex}


def why_line(item: dict[str, Any], *, markdown: bool) -> str:
    """Why this item was picked: strategy, reason, scores, rank, queue position, model version.

    ``markdown``: for ``st.markdown`` (data escaped, the strategy in bold); else plain text for the browser.
    """
    esc = md_escape if markdown else str
    strategy = esc(item.get("strategy") or "?")
    parts = [f"picked by **{strategy}**" if markdown else f"picked by {strategy}",
             f"reason: {esc(str(item.get('reason')))}"]
    if item.get("score") is not None:  # the strategy's score (e.g. 1 - confidence), not the model's confidence
        parts.append(f"strategy score {fmt_float(item['score'])}")
    if item.get("confidence") is not None:
        parts.append(f"model confidence {fmt_float(item['confidence'], 2)}")
    if item.get("rank"):  # 1-based among the candidates; 0 for an audit item, which has no pool rank
        parts.append(f"rank {int(item['rank'])} in the pool")
    if item.get("queue_position") is not None:
        parts.append(f"queue position {int(item['queue_position']) + 1}")
    parts.append(f"model {esc(item.get('model_version') or 'none yet (cold start)')}")
    return "Why this item: " + " · ".join(parts)
