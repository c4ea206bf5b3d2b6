"""Import a file into a project: every line is either imported or rejected with a reason.

``imported + rejected == total`` always holds. Duplicates (within the file or of items already
stored) are rejections that name the first copy. ``strict`` validates everything first and
writes nothing if anything was rejected.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import ImportFormatError, InvalidLabelError
from activelabel.formats.base import ImportRecord, ImportReport, Rejection, content_id
from activelabel.formats.registry import record_stream
from activelabel.store.repository import NewItem
from activelabel.types import AnnotationStatus, Item

if TYPE_CHECKING:
    from activelabel.workspace import Workspace


def _validate(project: Workspace, rec: ImportRecord) -> None:
    """An imported label meets the same checks as an answer (the task spec's)."""
    if rec.value is not None:
        project.spec.validate(rec.value, project.config.labels, Item("", rec.media, rec.content, rec.meta))


def import_path(project: Workspace, path: Path, *, fmt: str = "auto", as_gold: bool = False, strict: bool = False,
                annotator: str = "import", progress: Any = None, **options: Any) -> ImportReport:
    """Read ``path`` with the task's reader and store what is valid."""
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
        elif rec.value is not None and not as_gold:
            project.store.submit(item_id=item_id, annotator=annotator, status=AnnotationStatus.CORRECTED,
                                 value=rec.value.to_json(), submission_id=f"import:{item_id}", reason="import")
    return report
