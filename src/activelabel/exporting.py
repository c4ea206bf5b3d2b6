"""Export the finished data set: one record per labeled item, with where its label came from.

Sources: ``human`` (an annotator's answer, a resolution or an imported label), ``gold`` (a gold
item's value), ``auto`` (auto-accepted by the model), and with ``include_predictions``, ``model``
for items nobody labeled. The label is the one policy's (``labels.resolve_labels``), as in training
and ``export --package``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import FormatError
from activelabel.formats.prodigy import prodigy_fields
from activelabel.formats.tabular import write_csv, write_jsonl
from activelabel.labels import resolve_labels
from activelabel.registry import registry

if TYPE_CHECKING:
    from activelabel.workspace import Workspace


def export_rows(project: Workspace, *, include_predictions: bool = False) -> list[dict[str, Any]]:
    """One row per labeled item, with its final label (``labels.resolve_labels``) and where it came from."""
    by_item = resolve_labels(project, include_auto=True)
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
        base: dict[str, Any] = {"id": item_id, "media": item.media, "content": item.content}
        if item.media == "text":
            base["text"] = item.content
        else:
            base["path"] = item.content
        if row is not None:
            value = row.value
            base.update(value=value, source=row.source, annotator=row.annotator, status=row.status,
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


ExportWriter = Callable[..., int]  # (project, out, rows, **writer_options) -> rows written


def export_project(project: Workspace, out: Path, *, fmt: str = "jsonl", include_predictions: bool = False,
                   **writer_options: Any) -> int:
    """Write the export rows in ``fmt``; ``writer_options`` (e.g. ``ls_config``) go to the format's writer."""
    rows = export_rows(project, include_predictions=include_predictions)
    out.parent.mkdir(parents=True, exist_ok=True)
    formats = project.spec.export_formats  # format -> writer registered under activelabel.writers
    options = {k: v for k, v in writer_options.items() if v is not None}
    if fmt in formats:
        writer: ExportWriter = registry("writers").load(formats[fmt])
        params = inspect.signature(writer).parameters
        unknown = sorted(k for k in options if k not in params)
        if unknown and not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            raise FormatError(f"the {fmt} export takes no {', '.join(unknown)} option; drop it "
                                     "(--ls-config is for --format labelstudio)")
        return int(writer(project, out, rows, **options))
    if options:
        raise FormatError(f"the {fmt} export takes no {', '.join(sorted(options))} option; drop it "
                                 "(--ls-config is for --format labelstudio)")
    if fmt == "jsonl":  # provenance as Prodigy writes it: only human answers say "accept"
        write_jsonl(out, [{**r, **prodigy_fields(r, project.spec.canonical(r["value"]))} for r in rows])
    elif fmt == "csv":
        cols = ["id", "text" if project.spec.media == "text" else "path", "label", "transcript", "value", "source",
                "annotator", "status", "confidence"]
        cols = [c for c in cols if any(c in r for r in rows)] or ["id"]
        write_csv(out, rows, cols)
    else:
        extra = "".join(f", {f}" for f in formats)
        raise FormatError(f"unknown export format {fmt!r}; use jsonl or csv{extra}")
    return len(rows)
