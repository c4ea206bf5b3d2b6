"""Prodigy JSONL provenance: who gave a label, and the hashes Prodigy dedupes on.

Only a human answer says ``"answer": "accept"``. An auto-accepted or model label says
``"answer": null`` and names its ``_source``, so that re-importing an export never turns a
prediction into a human label. ``_input_hash`` (of the input) and ``_task_hash`` (of the input and
its label) depend on nothing but the content, so they stay the same from one export to the next.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

HUMAN_SOURCES = ("human", "gold")
MACHINE_SOURCES = ("auto", "model")
INTERNAL = ("_input_hash", "_task_hash", "_view_id", "_session_id", "_timestamp", "_annotator_id", "_source",
            "answer")


def stable_hash(*parts: Any) -> int:
    """A signed 32-bit integer (Prodigy's hash width) of the parts' JSON."""
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).digest()
    return int.from_bytes(digest[:4], "little", signed=True)


def prodigy_fields(row: Mapping[str, Any], label: Any) -> dict[str, Any]:
    """``answer``, ``_source`` and the two hashes for one export row whose label is ``label``."""
    input_hash = stable_hash(row.get("content", row.get("text")))
    human = row.get("source") in HUMAN_SOURCES
    return {"answer": "accept" if human else None, "_source": row.get("source"), "_input_hash": input_hash,
            "_task_hash": stable_hash(input_hash, label)}


def is_prediction(obj: Mapping[str, Any]) -> bool:
    """True when a line's label is a model's or an auto label rather than a person's answer."""
    if "answer" in obj and obj["answer"] is None:
        return True
    return obj.get("_source") in MACHINE_SOURCES and obj.get("answer") != "accept"
