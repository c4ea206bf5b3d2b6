"""Export the finished data set: one record per labeled item, with where its label came from.

Sources: ``human`` (an annotator's answer or an imported label), ``auto`` (auto-accepted by the
model), and with ``include_predictions``, ``model`` for items nobody labeled.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import FormatError
from activelabel.formats.tabular import write_csv, write_jsonl

if TYPE_CHECKING:
    from activelabel.project import Project


def export_rows(project: Project, *, include_predictions: bool = False) -> list[dict[str, Any]]:
    labels = project.store.current_labels(include_auto=True)
    by_item = {r.item_id: r for r in labels}
    rows: list[dict[str, Any]] = []
    version = project.store.current_version()
    all_ids: list[str] = list(by_item)
    if include_predictions:
        all_ids = [it.id for page in project.store.iter_pool(exclude_human_labeled=False) for it in page]
    items = project.store.get_items(all_ids)
    preds = project.store.predictions_for(version, all_ids) if (include_predictions and version) else {}
    for item_id in all_ids:
        item = items[item_id]
        row = by_item.get(item_id)
        base = {"id": item_id, "media": item.media, "content": item.content}
        if item.media == "text":
            base["text"] = item.content
        else:
            base["path"] = item.content
        if row is not None:
            value = row.value or {}
            source = "auto" if row.status == "auto" else "human"
            base.update(value=value, source=source, annotator=row.annotator, status=row.status,
                        confidence=row.confidence)
        elif item_id in preds:
            p = preds[item_id]
            value = p["value"]
            base.update(value=value, source="model", annotator=f"model:{version}", status="predicted",
                        confidence=p["confidence"])
        else:
            continue
        if "label" in value:
            base["label"] = value["label"]
        if "text" in value and item.media == "audio":
            base["transcript"] = value["text"]
        rows.append(base)
    return rows


# task -> format -> "module:function(project, out, rows) -> int", for formats beyond jsonl/csv
TASK_WRITERS: dict[str, dict[str, str]] = {
    "detection": {"yolo": "activelabel.formats.detection:write_yolo",
                  "coco": "activelabel.formats.detection:write_coco",
                  "voc": "activelabel.formats.detection:write_voc"},
    "ner": {"jsonl": "activelabel.formats.ner:export_jsonl", "conll": "activelabel.formats.ner:export_conll", "spacy": "activelabel.formats.ner:export_docbin",
            "labelstudio": "activelabel.formats.ner:export_labelstudio"},
}


def export_project(project: Project, out: Path, *, fmt: str = "jsonl", include_predictions: bool = False) -> int:
    rows = export_rows(project, include_predictions=include_predictions)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = TASK_WRITERS.get(project.task.value, {}).get(fmt)
    if writer is not None:
        import importlib

        module_name, _, fn_name = writer.partition(":")
        return int(getattr(importlib.import_module(module_name), fn_name)(project, out, rows))
    if fmt == "jsonl":
        write_jsonl(out, rows)
    elif fmt == "csv":
        cols = ["id", "text" if project.task.media == "text" else "path", "label", "transcript", "value", "source",
                "annotator", "status", "confidence"]
        cols = [c for c in cols if any(c in r for r in rows)] or ["id"]
        write_csv(out, rows, cols)
    else:
        extra = "".join(f", {f}" for f in TASK_WRITERS.get(project.task.value, {}))
        raise FormatError(f"unknown export format {fmt!r}; use jsonl or csv{extra}")
    return len(rows)
