"""Import a file into a project: every line is either imported or rejected with a reason.

``imported + rejected == total`` always holds. A duplicate (the same item twice in the file)
with the same label as its first copy, or of an item already stored, is a rejection that names
the first copy. A duplicate whose label differs is never dropped: it is imported as a second
annotation (by ``<annotator>#2``, ``#3``...), so the quality review shows the disagreement, and
the report warns of the conflict with both values; in a gold import, where an item has one
value, it is rejected as a conflict that names both values. ``strict`` validates everything first and
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

from activelabel.errors import ConfigError, ImportFormatError, InvalidLabelError, UsageError
from activelabel.formats.base import ImportRecord, ImportReport, Rejection, content_id
from activelabel.formats.registry import record_stream
from activelabel.labels import resolve_labels
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
            project.spec.validate(value, project.config.labels, Item("", rec.media, rec.content, rec.meta),
                                  project.config.extra)


def _apply_labels_as(rec: ImportRecord, labels_as: str) -> ImportRecord:
    """The record with its label moved to ``prediction`` (predictions) or both dropped (ignore)."""
    if labels_as == "ignore":
        return replace(rec, value=None, prediction=None)
    if labels_as == "predictions" and rec.value is not None:
        return replace(rec, value=None, prediction=rec.value)
    return rec


def _store_labels(project: Workspace, rec: ImportRecord, item_id: str, annotator: str, as_gold: bool,
                  copy: int = 1) -> None:
    """Store the record's label as an answer and its prediction as an auto label (``copy``: the k-th copy)."""
    tag = "" if copy == 1 else f"#{copy}"
    if rec.value is not None and not as_gold:
        project.store.submit(item_id=item_id, annotator=annotator + tag, status=AnnotationStatus.CORRECTED,
                             value=rec.value.to_json(), submission_id=f"import:{item_id}{tag}", reason="import")
    prediction: Payload | None = rec.prediction
    if prediction is not None:
        project.store.submit(item_id=item_id, annotator=PREDICTION_ANNOTATOR + tag, status=AnnotationStatus.AUTO,
                             value=prediction.to_json(), submission_id=f"import-prediction:{item_id}{tag}",
                             reason="import")


def _where(rec: ImportRecord) -> str:
    return rec.source + (f":{rec.line}" if rec.line is not None else "")


def _copy_of(prior: ImportRecord, rec: ImportRecord) -> str:
    """Where the first copy is: its line in the same file, else its file (and line)."""
    return f"line {prior.line}" if prior.source == rec.source and prior.line is not None else _where(prior)


def _labels_of(project: Workspace, rec: ImportRecord) -> tuple[Any, Any]:
    """What makes two copies of an item the same: their label and prediction, in canonical form."""
    canonical = project.spec.canonical
    return (canonical(rec.value.to_json()) if rec.value is not None else None,
            canonical(rec.prediction.to_json()) if rec.prediction is not None else None)


def _shown(project: Workspace, rec: ImportRecord) -> str:
    value = rec.value if rec.value is not None else rec.prediction
    return project.spec.summarize(value.to_json()) if value is not None else "(no label)"


def _stored_labels(project: Workspace, item_ids: set[str]) -> dict[str, dict[str, Any]]:
    """The label in force of each of ``item_ids`` that has one (the one policy's)."""
    return {iid: f.value for iid, f in resolve_labels(project).items() if iid in item_ids}


def _already(project: Workspace, rec: ImportRecord, item_id: str, in_store: dict[str, dict[str, Any]]) -> str:
    """Why a record of a stored item is not imported again, with both labels when they differ."""
    reason = f"already imported as item {item_id}"
    stored = in_store.get(item_id)
    if rec.value is None or stored is None or project.spec.same(stored, rec.value.to_json()):
        return reason
    return (f"{reason}; conflict: {project.spec.summarize(stored)!r} in the project, {_shown(project, rec)!r} here "
            "(answer it again, or resolve it in review, to change it)")


def import_path(project: Workspace, path: Path, *, fmt: str = "auto", as_gold: bool = False, strict: bool = False,
                annotator: str = "import", progress: Any = None, labels_as: str = "answers",
                allow_overlaps: bool = False, **options: Any) -> ImportReport:
    """Read ``path`` with the task's reader and store what is valid; ``labels_as``: answers,
    predictions or ignore (see the module docstring); ``allow_overlaps`` keeps overlapping spans for
    task kinds whose answers may overlap."""
    if allow_overlaps:
        if not project.spec.allows_overlaps:
            raise UsageError(f"a {project.task} answer cannot hold overlapping spans (one label per character, as "
                             "spaCy's NER learns them); --allow-overlaps is for task kinds whose answers may overlap")
        options["allow_overlaps"] = True
    if labels_as not in LABELS_AS:
        raise ConfigError(f"labels_as must be one of {', '.join(LABELS_AS)}, not {labels_as!r}")
    if as_gold and labels_as != "answers":
        raise ConfigError("a gold import takes its labels as answers; drop --labels-as or --as-gold")
    path = Path(path)
    report = ImportReport(source=str(path))
    if not path.exists():
        raise ImportFormatError("no such file or folder", source=str(path))
    accepted: list[tuple[ImportRecord, str]] = []
    first: dict[str, ImportRecord] = {}
    seen: dict[str, list[ImportRecord]] = {}  # the copies of each item with distinct labels
    copies: list[tuple[ImportRecord, str, int]] = []  # conflicting duplicates: a further annotation each
    stream = record_stream(project.task, path, fmt, labels=project.config.labels, project_dir=project.dir,
                           **options)
    for rec in stream:
        report.total += 1
        if isinstance(rec, Rejection):
            report.rejections.append(rec)
            continue
        if rec.meta.get("_warning"):
            report.warnings.append(f"{_where(rec)}: {rec.meta['_warning']}")
        rec = _apply_labels_as(rec, labels_as)
        try:
            _validate(project, rec)
        except InvalidLabelError as exc:
            report.rejections.append(Rejection(rec.source, rec.line, str(exc)))
            continue
        if as_gold and rec.value is None:
            report.rejections.append(Rejection(rec.source, rec.line, "a gold item needs a label"))
            continue
        item_id = rec.item_id if rec.item_id is not None else content_id(rec.media, rec.content.encode())
        if item_id in first:
            prior = first[item_id]
            same = next((c for c in seen[item_id] if _labels_of(project, c) == _labels_of(project, rec)), None)
            if rec.value is None and rec.prediction is None or same is not None:
                reason = f"duplicate of {_copy_of(same or prior, rec)}"
                report.rejections.append(Rejection(rec.source, rec.line, reason))
                continue
            conflict = (f"conflict with {_copy_of(prior, rec)}: {_shown(project, prior)!r} there, "
                        f"{_shown(project, rec)!r} here")
            if as_gold:
                report.rejections.append(Rejection(rec.source, rec.line, f"{conflict}; a gold item has one value"))
                continue
            seen[item_id].append(rec)
            copies.append((rec, item_id, len(seen[item_id])))
            report.warnings.append(f"{_where(rec)}: {conflict}; imported as annotation #{len(seen[item_id])}")
            continue
        seen[item_id] = [rec]
        first[item_id] = rec
        accepted.append((rec, item_id))
        if progress:
            progress(report.total)
    already = project.store.existing_ids([i for _, i in accepted])
    in_store = _stored_labels(project, already) if any(rec.value is not None for rec, i in accepted if i in already) \
        else {}
    fresh = []
    for rec, item_id in accepted:
        if item_id in already:
            report.rejections.append(Rejection(rec.source, rec.line, _already(project, rec, item_id, in_store)))
        else:
            fresh.append((rec, item_id))
    for rec, item_id, _k in copies:
        if item_id in already:
            report.rejections.append(Rejection(rec.source, rec.line, _already(project, rec, item_id, in_store)))
    copies = [c for c in copies if c[1] not in already]
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
    stored = set()
    for (rec, item_id), was_new in zip(fresh, inserted):
        if not was_new:  # a concurrent import stored it between our check and our write
            report.rejections.append(Rejection(rec.source, rec.line, f"already imported as item {item_id}"))
        else:
            stored.add(item_id)
            _store_labels(project, rec, item_id, annotator, as_gold)
    for rec, item_id, k in copies:
        if item_id in stored:
            _store_labels(project, rec, item_id, annotator, as_gold, copy=k)
            report.imported += 1
        else:  # its first copy lost a race with a concurrent import
            report.rejections.append(Rejection(rec.source, rec.line, f"already imported as item {item_id}"))
    return report
