"""Label Studio audio regions, both ways: ``<Labels>`` on ``<Audio>``, results of type ``labels``.

A region is ``{"type": "labels", "value": {"start": s, "end": e, "channel": 0, "labels": [label]}}``
with start and end in seconds. The newest annotation that was not cancelled is the answer; a task
with only predictions imports the last prediction's regions as a model's proposal, not a person's.
The default config (``label_config.xml`` beside the export) is::

    <View><Audio name="audio" value="$audio"/><Labels name="label" toName="audio">...</Labels></View>
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

from activelabel.errors import InvalidLabelError
from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.labelstudio import LSConfig, copy_media, load_config, read_tasks, reject, tasks_file
from activelabel.formats.media_names import original_name
from activelabel.formats.prodigy import HUMAN_SOURCES
from activelabel.types import Segment, Segments

if TYPE_CHECKING:
    from activelabel.workspace import Workspace


def regions_config(labels: Sequence[str]) -> LSConfig:
    options = "".join(f"\n    <Label value={quoteattr(lab)}/>" for lab in labels)
    xml = (f"<View>\n  <Audio name=\"audio\" value=\"$audio\"/>\n  <Labels name=\"label\" toName=\"audio\">{options}"
           "\n  </Labels>\n</View>\n")
    return LSConfig("labels", "label", "audio", "audio", xml)


def _segments(results: list[dict[str, Any]]) -> Segments:
    segs = []
    for r in results:
        v = r["value"]
        labs = v.get("labels") or []
        if len(labs) != 1 or not isinstance(labs[0], str):
            raise InvalidLabelError(f"region {v.get('start')}-{v.get('end')} s: give exactly one label, got {labs!r}")
        if not all(isinstance(v.get(k), (int, float)) for k in ("start", "end")):
            raise InvalidLabelError(f"region {v.get('start')!r}-{v.get('end')!r}: start and end must be seconds")
        segs.append(Segment(round(float(v["start"]), 4), round(float(v["end"]), 4), labs[0]))
    return Segments(tuple(segs))


def read_audio_regions(path: Path, *, labels: Sequence[str], project_dir: Path, max_seconds: float | None,
                       ls_config: str | None = None) -> RecordStream:
    """Each task's recording (``data.audio``, relative to the JSON) with its regions as segments."""
    from activelabel.formats.audio import _clip
    from activelabel.formats.labelstudio import import_config

    source = str(path)
    cfg = import_config(ls_config, "labels")
    for got in read_tasks(path, "labels", cfg):
        if isinstance(got, Rejection):
            yield got
            continue
        ref = got.data.get(cfg.data_key if cfg is not None else "audio")
        if not isinstance(ref, str) or not ref.strip():
            yield reject(source, got, "no data.audio path")
            continue
        rel = re.sub(r"^/data/(upload|local-files/\?d=)/?", "", ref.strip())
        src = Path(rel) if Path(rel).is_absolute() else path.parent / rel
        rec = _clip(src, None, {}, project_dir=project_dir, source=source, line=got.n, max_seconds=max_seconds)
        if isinstance(rec, Rejection):
            yield rec
            continue
        try:
            duration = float(rec.meta["duration"])
            where = f"recording {src.name}"
            if got.answer is not None:
                rec = replace(rec, value=_segments(got.answer).validate(labels, duration, where=where))
            elif got.prediction:
                rec = replace(rec, prediction=_segments(got.prediction).validate(labels, duration, where=where))
        except InvalidLabelError as exc:
            yield reject(source, got, str(exc))
            continue
        yield rec


def export_labelstudio(project: Workspace, out: Path, rows: list[dict[str, Any]], *,
                       ls_config: Path | None = None) -> int:
    """tasks.json (or OUT when it ends in .json) with audio regions, the recordings under audio/, and
    label_config.xml; human answers as annotations, machine labels as predictions."""
    tasks_path = tasks_file(Path(out))
    items = project.store.get_items([r["id"] for r in rows])
    names = copy_media([(project.dir / r["path"], str(items[r["id"]].meta.get("original") or original_name(r["path"])))
                        for r in rows], tasks_path.parent / "audio")
    cfg = load_config(ls_config, "labels", ()) if ls_config is not None else regions_config(project.config.labels)
    tasks = []
    for n, (r, name) in enumerate(zip(rows, names), 1):
        duration = items[r["id"]].meta.get("duration")
        result = [{"id": f"r{n}-{k}", "from_name": cfg.from_name, "to_name": cfg.to_name, "type": "labels",
                   "original_length": duration,
                   "value": {"start": s["start"], "end": s["end"], "channel": 0, "labels": [s["label"]]},
                   **({"score": s["confidence"]} if s.get("confidence") is not None else {})}
                  for k, s in enumerate((r.get("value") or {}).get("segments") or [], 1)]
        task: dict[str, Any] = {"id": n, "data": {cfg.data_key: f"audio/{name}", "activelabel_id": r["id"]}}
        if r.get("source") in HUMAN_SOURCES:
            task["annotations"] = [{"id": n, "result": result, "was_cancelled": False,
                                    "ground_truth": r.get("source") == "gold",
                                    "meta": {"source": r.get("source"), "annotator": r.get("annotator")}}]
        else:
            task["predictions"] = [{"id": n, "model_version": str(r.get("annotator") or ""),
                                    "score": r.get("confidence"), "result": result}]
        tasks.append(task)
    tasks_path.parent.mkdir(parents=True, exist_ok=True)
    tasks_path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    (tasks_path.parent / "label_config.xml").write_text(cfg.xml, encoding="utf-8")
    return len(rows)
