"""Import a file into a project: every line is either imported or rejected with a reason.

``imported + rejected == total`` always holds. Duplicates (within the file or of items already
stored) are rejections that name the first copy. ``strict`` validates everything first and
writes nothing if anything was rejected.

Provenance: a record's ``value`` is a person's label and ``prediction`` a model's or auto label
(Label Studio predictions, Prodigy ``"answer": null``). ``labels_as`` decides what is stored:
``answers`` (the default) stores labels as human answers and predictions as auto labels;
``predictions`` stores both as auto labels (never trained on, and a human answer supersedes
them); ``ignore`` imports the items only. A prediction never becomes a human answer.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import ConfigError, ImportFormatError, InvalidLabelError
from activelabel.formats.base import ImportRecord, ImportReport, Rejection, content_id
from activelabel.formats.registry import record_stream
from activelabel.store.repository import NewItem
from activelabel.types import AnnotationStatus, Item, Payload

if TYPE_CHECKING:
    from activelabel.workspace import Workspace


LABELS_AS = ("answers", "predictions", "ignore")
PREDICTION_ANNOTATOR = "import:prediction"


def _validate(project: Workspace, rec: ImportRecord) -> None:
    """An imported label meets the same checks as an answer (the task spec's)."""
    for value in (rec.value, rec.prediction):
        if value is not None:
            project.spec.validate(value, project.config.labels, Item("", rec.media, rec.content, rec.meta))


def _apply_labels_as(rec: ImportRecord, labels_as: str) -> ImportRecord:
    """The record with its label moved to ``prediction`` (predictions) or both dropped (ignore)."""
    if labels_as == "ignore":
        return replace(rec, value=None, prediction=None)
    if labels_as == "predictions" and rec.value is not None:
        return replace(rec, value=None, prediction=rec.value)
    return rec


def _store_labels(project: Workspace, rec: ImportRecord, item_id: str, annotator: str, as_gold: bool) -> None:
    if rec.value is not None and not as_gold:
        project.store.submit(item_id=item_id, annotator=annotator, status=AnnotationStatus.CORRECTED,
                             value=rec.value.to_json(), submission_id=f"import:{item_id}", reason="import")
    prediction: Payload | None = rec.prediction
    if prediction is not None:
        project.store.submit(item_id=item_id, annotator=PREDICTION_ANNOTATOR, status=AnnotationStatus.AUTO,
                             value=prediction.to_json(), submission_id=f"import-prediction:{item_id}",
                             reason="import")


def import_path(project: Workspace, path: Path, *, fmt: str = "auto", as_gold: bool = False, strict: bool = False,
                annotator: str = "import", progress: Any = None, labels_as: str = "answers",
                **options: Any) -> ImportReport:
    """Read ``path`` with the task's reader and store what is valid; ``labels_as``: answers,
    predictions or ignore (see the module docstring)."""
    if labels_as not in LABELS_AS:
        raise ConfigError(f"labels_as must be one of {', '.join(LABELS_AS)}, not {labels_as!r}")
    if as_gold and labels_as != "answers":
        raise ConfigError("a gold import takes its labels as answers; drop --labels-as or --as-gold")
    path = Path(path)
    report = ImportReport(source=str(path))
    if not path.exists():
        raise ImportFormatError("no such file or folder", source=str(path))
    accepted: list[tuple[ImportRecord, str]] = []
    first_line: dict[str, int | None] = {}
    stream = record_stream(project.task, path, fmt, labels=project.config.labels, project_dir=project.dir,
                           **options)
    for rec in stream:
        report.total += 1
        if isinstance(rec, Rejection):
            report.rejections.append(rec)
            continue
        if rec.meta.get("_warning"):
            report.warnings.append(f"{rec.source}:{rec.line}: {rec.meta['_warning']}")
        rec = _apply_labels_as(rec, labels_as)
        try:
            _validate(project, rec)
        except InvalidLabelError as exc:
            report.rejections.append(Rejection(rec.source, rec.line, str(exc)))
            continue
        if as_gold and rec.value is None:
            report.rejections.append(Rejection(rec.source, rec.line, "a gold item needs a label"))
            continue
        item_id = content_id(rec.media, rec.hash_basis if rec.hash_basis is not None else rec.content.encode())
        if item_id in first_line:
            report.rejections.append(Rejection(rec.source, rec.line, f"duplicate of line {first_line[item_id]}"))
            continue
        first_line[item_id] = rec.line
        accepted.append((rec, item_id))
        if progress:
            progress(report.total)
    already = project.store.existing_ids([i for _, i in accepted])
    fresh = []
    for rec, item_id in accepted:
        if item_id in already:
            report.rejections.append(Rejection(rec.source, rec.line, f"already imported as item {item_id}"))
        else:
            fresh.append((rec, item_id))
    if strict and report.rejections:
        shown = "; ".join(str(r) for r in report.rejections[:5])
        raise ImportFormatError(f"{report.rejected} of {report.total} records rejected, nothing imported "
                                f"(--strict): {shown}", source=str(path))
    new_items = [
        NewItem(Item(item_id, rec.media, rec.content, {k: v for k, v in rec.meta.items() if not k.startswith("_")}),
                source=str(path), is_gold=as_gold,
                gold_value=rec.value.to_json() if (as_gold and rec.value is not None) else None)
        for rec, item_id in fresh
    ]
    inserted = project.store.add_items(new_items)
    report.imported = sum(inserted)
    for (rec, item_id), was_new in zip(fresh, inserted):
        if not was_new:  # a concurrent import stored it between our check and our write
            report.rejections.append(Rejection(rec.source, rec.line, f"already imported as item {item_id}"))
        else:
            _store_labels(project, rec, item_id, annotator, as_gold)
    return report
