"""Label Studio JSON export (a list of tasks) for text NER: read its answers, write ours.

A task is ``{"data": {"text": ...}, "annotations": [{"result": [{"type": "labels", "value":
{"start", "end", "text", "labels": [label]}}], "was_cancelled": false}]}``. The newest annotation
that was not cancelled is the answer; a task without one is imported unlabeled. Records are
numbered by task (1-based) in reports.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.spans import Tokenizer, make_record

TEXT_GUESSES = ("text", "sentence", "content", "body")


def _answer(task: dict[str, Any]) -> list[dict[str, Any]] | None:
    done = [a for a in task.get("annotations") or task.get("completions") or []
            if isinstance(a, dict) and not a.get("was_cancelled")]
    if not done:
        return None
    raw: list[dict[str, Any]] = []
    for r in done[-1].get("result") or []:
        if not isinstance(r, dict) or r.get("type") not in ("labels", None):
            continue
        v = r.get("value") or {}
        labs = v.get("labels") or []
        raw.append({"start": v.get("start"), "end": v.get("end"), "label": labs[0] if len(labs) == 1 else labs,
                    **({"text": v["text"]} if "text" in v else {})})
    return raw


def read_labelstudio(path: Path, *, labels: Sequence[str], tokenizer: Tokenizer, offsets: str = "codepoint",
                     text_field: str | None = None) -> RecordStream:
    source = str(path)
    try:
        tasks = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield Rejection(source, None, f"not a Label Studio JSON export: {exc}")
        return
    except RecursionError:
        yield Rejection(source, None, "not a Label Studio JSON export: JSON nested too deeply")
        return
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        yield Rejection(source, None, "a Label Studio export is a JSON list of tasks")
        return
    for n, task in enumerate(tasks, 1):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            yield Rejection(source, n, "task without a data object")
            continue
        data = task["data"]
        field = text_field or next((f for f in TEXT_GUESSES if f in data), None)
        if field is None or field not in data:
            yield Rejection(source, n, f"task has no text field; its data keys are {sorted(data)}")
            continue
        raw = _answer(task)
        bad = [r for r in raw or [] if not isinstance(r["label"], str)]
        if bad:
            yield Rejection(source, n, f"span {bad[0]['start']}-{bad[0]['end']} has labels {bad[0]['label']!r}; "
                            "NER spans need exactly one label")
            continue
        meta = {"labelstudio_id": task["id"]} if "id" in task else {}
        yield make_record(data[field], raw, labels=labels, tokens=None, tokenizer=tokenizer, source=source,
                          line=n, meta=meta, offsets=offsets)


def write_labelstudio(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    """Export rows as Label Studio tasks: human/auto labels as annotations, model labels as predictions."""
    tasks = []
    for r in rows:
        text = r["text"]
        result = [{"from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": s["start"], "end": s["end"], "text": text[s["start"]:s["end"]],
                             "labels": [s["label"]]},
                   **({"score": s["confidence"]} if s.get("confidence") is not None else {})}
                  for s in (r.get("value") or {}).get("spans", [])]
        task: dict[str, Any] = {"data": {"text": text, "activelabel_id": r["id"]}}
        if r.get("source") == "model":
            task["predictions"] = [{"model_version": str(r.get("annotator", "")), "score": r.get("confidence"),
                                    "result": result}]
        else:
            task["annotations"] = [{"result": result, "was_cancelled": False,
                                    "meta": {"source": r.get("source"), "annotator": r.get("annotator")}}]
        tasks.append(task)
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
