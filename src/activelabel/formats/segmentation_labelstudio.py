"""Label Studio for segmentation: ``PolygonLabels`` on an ``Image``, both ways.

Points are in percent of the image, as Label Studio stores them. Label Studio has no object made of
several polygons, so an object in two pieces leaves as two regions of its label and comes back as two
objects (the only change a round trip makes). Human answers are annotations; a model's outlines
(``--include-predictions``) are predictions, never annotations, and read back as proposals. A task
whose region has no single label, fewer than three points, a point outside the image or an unknown
label is one rejection naming the task; the rest goes on.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import InvalidLabelError
from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.detection_base import ReadContext
from activelabel.formats.labelstudio import (
    LSConfig,
    copy_media,
    load_config,
    media_path,
    one_label,
    read_tasks,
    reject,
    tasks_file,
    write_labelstudio,
)
from activelabel.formats.media_names import original_name
from activelabel.types import MaskObject, Masks

if TYPE_CHECKING:
    from activelabel.workspace import Workspace


def export_labelstudio(project: Workspace, out: Path, rows: list[dict[str, Any]], *,
                       ls_config: Path | None = None) -> int:
    """tasks.json (or OUT itself when it ends in .json) with ``polygonlabels`` results, the images under
    images/ by their original names, and label_config.xml."""
    tasks = tasks_file(Path(out))
    items = project.store.get_items([r["id"] for r in rows])
    names = copy_media([(project.dir / r["path"], str(items[r["id"]].meta.get("file") or original_name(r["path"])))
                        for r in rows], tasks.parent / "images")
    sized = [{**r, "width": int(items[r["id"]].meta["width"]), "height": int(items[r["id"]].meta["height"])}
             for r in rows]
    cfg = load_config(ls_config, "polygonlabels", project.config.labels)
    return write_labelstudio(tasks, sized, cfg, [f"images/{n}" for n in names])


def pixel_objects(results: list[dict[str, Any]], width: int, height: int) -> list[MaskObject] | str:
    """Percent polygons -> one object each, in pixels, or the reason they cannot be read."""
    out = []
    for k, r in enumerate(results, 1):
        v = r["value"]
        label = one_label(v, "polygonlabels")
        if label is None:
            return f"polygon {k} has labels {v.get('polygonlabels')!r}; an object needs exactly one label"
        try:
            flat = [float(c) * (width if i % 2 == 0 else height) / 100 for p in v["points"] for i, c in enumerate(p)]
        except (KeyError, TypeError, ValueError):
            return f"polygon {k} needs points as [[x, y], ...] in percent of the image"
        if any(len(p) != 2 for p in v["points"]):
            return f"polygon {k}: each point is [x, y]"
        score = r.get("score")
        out.append(MaskObject.around(label, [flat], float(score) if isinstance(score, (int, float)) else None))
    return out


def read_polygons(path: Path, ctx: ReadContext, images_dir: Path | None = None,
                  cfg: LSConfig | None = None) -> RecordStream:
    """Segmentation tasks (``polygonlabels`` results, percent of the image) as image records."""
    json_path = tasks_file(path) if path.is_dir() else path
    source = str(json_path)
    key = cfg.data_key if cfg is not None else "image"
    for task in read_tasks(json_path, "polygonlabels", cfg):
        if isinstance(task, Rejection):
            yield task
            continue
        ref = task.data.get(key, next(iter(task.data.values()), None) if cfg is None else None)
        found = media_path(ref, json_path.parent, images_dir)
        if isinstance(found, str):
            yield reject(source, task, found)
            continue
        checked = ctx.check(found, source, task.n)
        if isinstance(checked, Rejection):
            yield reject(source, task, checked.reason)
            continue
        results, is_prediction = (task.answer, False) if task.answer is not None else (task.prediction, True)
        value = None
        if results is not None:
            objects = pixel_objects(results, checked.width, checked.height)
            if isinstance(objects, str):
                yield reject(source, task, objects)
                continue
            try:
                value = Masks(tuple(objects)).validate(ctx.labels, checked.width, checked.height)
            except InvalidLabelError as exc:
                yield reject(source, task, str(exc))
                continue
        meta = {"labelstudio_id": task.id} if task.id is not None else {}
        rec = ctx.stored(checked, value, source, task.n, meta)
        yield replace(rec, value=None, prediction=rec.value) if is_prediction else rec
