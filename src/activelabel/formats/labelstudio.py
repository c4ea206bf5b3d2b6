"""Label Studio JSON (a list of tasks): read its answers and predictions, write ours.

One control tag per task kind: ``Choices`` (classification), ``Labels`` (NER), ``RectangleLabels``
(detection, percent coordinates of the image) and ``TextArea`` (transcription). A task is
``{"id": 1, "data": {<key>: ...}, "annotations": [{"id", "result": [...]}], "predictions": [...]}``
and each result names ``from_name`` (the control) and ``to_name`` (the object it labels), as the
project's labeling config says: ``--ls-config FILE``, or the defaults that ``default_config``
writes into ``label_config.xml`` beside the export.

Provenance: only human answers (source human or gold) become ``annotations``; auto and model
labels go to ``predictions``. On import the newest annotation that was not cancelled is the
answer; a task without one but with predictions carries the last prediction as
``ImportRecord.prediction``, never as a label. Records are numbered by task (1-based) and
rejections name the element index.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET  # noqa: S405 - the user's own labeling config
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from activelabel.errors import ConfigError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection
from activelabel.formats.detection_base import ReadContext
from activelabel.formats.json_array import read_array, where
from activelabel.formats.media_names import NameAllocator
from activelabel.formats.prodigy import HUMAN_SOURCES
from activelabel.formats.spans import Tokenizer, make_record
from activelabel.types import ClassLabel, Payload

TEXT_GUESSES = ("text", "sentence", "content", "body")

# result type -> (control tag, object tag, default data key, default control name)
KINDS: dict[str, tuple[str, str, str, str]] = {
    "choices": ("Choices", "Text", "text", "label"),
    "labels": ("Labels", "Text", "text", "label"),
    "rectanglelabels": ("RectangleLabels", "Image", "image", "label"),
    "polygonlabels": ("PolygonLabels", "Image", "image", "label"),
    "textarea": ("TextArea", "Audio", "audio", "transcription"),
}
Row = dict[str, Any]


@dataclass(frozen=True)
class LSConfig:
    """The names one result carries, and the data key its object reads."""

    result_type: str  # choices | labels | rectanglelabels | polygonlabels | textarea
    from_name: str
    to_name: str
    data_key: str
    xml: str  # the labeling config written beside the export


def default_config(result_type: str, labels: Sequence[str]) -> LSConfig:
    control, obj, key, name = KINDS[result_type]
    child = "Choice" if control == "Choices" else "Label"
    options = "".join(f"\n    <{child} value={quoteattr(lab)}/>" for lab in labels)
    extra = ' choice="single"' if control == "Choices" else (' editable="true" maxSubmissions="1"'
                                                            if control == "TextArea" else "")
    body = (f"  <{control} name=\"{name}\" toName=\"{key}\"{extra}>{options}\n  </{control}>" if options
            else f"  <{control} name=\"{name}\" toName=\"{key}\"{extra}/>")
    xml = f"<View>\n  <{obj} name=\"{key}\" value=\"${key}\"/>\n{body}\n</View>\n"
    return LSConfig(result_type, name, key, key, xml)


def parse_config(xml: str, result_type: str, source: str = "the labeling config") -> LSConfig:
    """The first control of the kind's tag in a Label Studio labeling config, and the object it labels."""
    control, _, _, _ = KINDS[result_type]
    try:
        root = ET.fromstring(xml)  # noqa: S314 - the user's own file
    except ET.ParseError as exc:
        raise ConfigError(f"{source} is not valid XML ({exc}); pass a Label Studio labeling config") from exc
    tags = list(root.iter())
    found = next((t for t in tags if t.tag == control and t.get("name") and t.get("toName")), None)
    if found is None:
        raise ConfigError(f"{source} has no <{control} name=... toName=...> tag; a {result_type} export needs one")
    to_name = str(found.get("toName")).split(",")[0]
    obj = next((t for t in tags if t.get("name") == to_name and t is not found), None)
    value = obj.get("value", "") if obj is not None else ""
    if not value.startswith("$"):
        raise ConfigError(f"{source}: the object {to_name!r} that <{control}> labels needs value=\"$key\"")
    return LSConfig(result_type, str(found.get("name")), to_name, value[1:], xml)


def load_config(path: Path | str | None, result_type: str, labels: Sequence[str]) -> LSConfig:
    """The labeling config in the file at ``path``; without one, the default for ``labels``."""
    if path is None:
        return default_config(result_type, labels)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the Label Studio config {path}: {exc}") from exc
    return parse_config(text, result_type, source=str(path))


def import_config(path: Any, result_type: str) -> LSConfig | None:
    """The reader option ``ls_config=FILE``: the config whose control's results are read."""
    return None if path in (None, "") else load_config(str(path), result_type, ())


# ---- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LSTask:
    """One task: its data, the chosen human result list, and the last prediction's results."""

    n: int  # 1-based task number
    index: int  # the element index in the array
    id: Any
    data: dict[str, Any]
    answer: list[dict[str, Any]] | None  # None: no annotation that was not cancelled
    prediction: list[dict[str, Any]] | None


def ls_results(entries: Any, rtype: str, from_name: str | None = None) -> list[list[dict[str, Any]]]:
    """Per annotation (or prediction) that was not cancelled, its results of type ``rtype``
    (and of the control ``from_name``, when given)."""
    out = []
    for a in entries if isinstance(entries, list) else []:
        if not isinstance(a, dict) or a.get("was_cancelled") or a.get("skipped"):
            continue
        res = a.get("result") or []
        out.append([r for r in res if isinstance(r, dict) and r.get("type", rtype) == rtype
                    and isinstance(r.get("value"), dict) and from_name in (None, r.get("from_name"))])
    return out


def read_tasks(path: Path, rtype: str, cfg: LSConfig | None = None) -> Iterator[LSTask | Rejection]:
    """Each task of a Label Studio export, or a rejection that names its element index; with the
    project's labeling config ``cfg``, only the results of its control count."""
    from_name = cfg.from_name if cfg is not None else None
    source = str(path)
    for got in read_array(path, "Label Studio tasks"):
        if isinstance(got, Rejection):
            yield Rejection(source, None, f"not a Label Studio JSON export: {got.reason}")
            return
        n, task = got
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            yield Rejection(source, n, f"{where(n - 1)}: task without a data object")
            continue
        answers = ls_results(task.get("annotations") or task.get("completions"), rtype, from_name)
        preds = ls_results(task.get("predictions"), rtype, from_name)
        yield LSTask(n, n - 1, task.get("id"), task["data"], answers[-1] if answers else None,
                     preds[-1] if preds else None)


def reject(source: str, task: LSTask, reason: str) -> Rejection:
    return Rejection(source, task.n, f"{where(task.index)}: {reason}")


def one_label(value: dict[str, Any], key: str) -> str | None:
    labs = value.get(key) or []
    return str(labs[0]) if isinstance(labs, list) and len(labs) == 1 else None


def raw_spans(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in results:
        v = r["value"]
        labs = v.get("labels") or []
        out.append({"start": v.get("start"), "end": v.get("end"), "label": labs[0] if len(labs) == 1 else labs,
                    **({"text": v["text"]} if "text" in v else {})})
    return out


def choice(results: list[dict[str, Any]]) -> str | None:
    """The one chosen class, or None when no choice was made; ValueError when it is not one."""
    picked = [c for r in results for c in (r["value"].get("choices") or [])]
    if not picked:
        return None
    if len(set(picked)) != 1:
        raise ValueError(f"choices {picked!r}: a classification answer is exactly one choice")
    return str(picked[0])


def transcript(results: list[dict[str, Any]]) -> str | None:
    texts = [t for r in results for t in (r["value"].get("text") or [])]
    return " ".join(str(t) for t in texts) if texts else None


def pixel_boxes(results: list[dict[str, Any]], width: int, height: int
                ) -> list[tuple[float, float, float, float, str]] | str:
    """Percent rectangles -> pixel boxes (x0, y0, x1, y1, label), or the reason they cannot be."""
    out = []
    for k, r in enumerate(results, 1):
        v = r["value"]
        label = one_label(v, "rectanglelabels")
        if label is None:
            return f"rectangle {k} has labels {v.get('rectanglelabels')!r}; a box needs exactly one label"
        try:
            x, y, w, h = (float(v[c]) for c in ("x", "y", "width", "height"))
        except (KeyError, TypeError, ValueError):
            return f"rectangle {k} needs numeric x, y, width and height (percent)"
        if float(v.get("rotation") or 0) != 0:
            return f"rectangle {k} is rotated; rotated boxes are not supported"
        out.append((x * width / 100, y * height / 100, (x + w) * width / 100, (y + h) * height / 100, label))
    return out


LOCAL_PREFIX = re.compile(r"^/data/(?:upload/(?:\d+/)?|local-files/\?d=)")


def media_path(ref: Any, json_dir: Path, media_dir: Path | None) -> Path | str:
    """The file a task's ``data`` reference names, or the reason it cannot be found."""
    if not isinstance(ref, str) or not ref.strip():
        return "the task names no file"
    if re.match(r"^[a-z][a-z0-9+.-]*://", ref, re.I):
        return f"{ref!r} is a URL; download the files and pass images_dir=FOLDER"
    rel = LOCAL_PREFIX.sub("", ref.strip())
    cands = [Path(rel)] if Path(rel).is_absolute() else []
    for base in ([media_dir] if media_dir else []) + [json_dir, json_dir / "images", json_dir / "audio"]:
        cands += [base / rel, base / Path(rel).name]
    found = next((c for c in cands if c.is_file()), None)
    return found if found is not None else f"file {ref!r} not found beside the JSON file (pass images_dir=FOLDER)"


def read_labelstudio(path: Path, *, labels: Sequence[str], tokenizer: Tokenizer, offsets: str = "codepoint",
                     text_field: str | None = None, cfg: LSConfig | None = None,
                     allow_overlaps: bool = False) -> RecordStream:
    """NER tasks (``labels`` results) as text records."""
    source = str(path)
    text_field = text_field or (cfg.data_key if cfg is not None else None)
    for task in read_tasks(path, "labels", cfg):
        if isinstance(task, Rejection):
            yield task
            continue
        field = text_field or next((f for f in TEXT_GUESSES if f in task.data), None)
        if field is None or field not in task.data:
            yield reject(source, task, f"task has no text field; its data keys are {sorted(task.data)}")
            continue
        results, is_prediction = (task.answer, False) if task.answer is not None else (task.prediction, True)
        raw = raw_spans(results) if results is not None else None
        bad = [r for r in raw or [] if not isinstance(r["label"], str)]
        if bad:
            yield reject(source, task, f"span {bad[0]['start']}-{bad[0]['end']} has labels {bad[0]['label']!r}; "
                         "NER spans need exactly one label")
            continue
        meta = {"labelstudio_id": task.id} if task.id is not None else {}
        rec = make_record(task.data[field], raw, labels=labels, tokens=None, tokenizer=tokenizer, source=source,
                          line=task.n, meta=meta, offsets=offsets, prediction=is_prediction,
                          allow_overlaps=allow_overlaps)
        yield reject(source, task, rec.reason) if isinstance(rec, Rejection) else rec


@dataclass(frozen=True)
class ChoiceTask:
    """A text task with ``choices`` results: the human answer's, else the last prediction's."""

    task: LSTask
    text: str
    results: list[dict[str, Any]] | None
    is_prediction: bool

    def record(self, source: str, value: Payload | None) -> ImportRecord:
        """The task as a text record; a prediction's value stays a prediction."""
        meta = {"labelstudio_id": self.task.id} if self.task.id is not None else {}
        return ImportRecord(content=self.text, media="text", value=None if self.is_prediction else value, meta=meta,
                            source=source, line=self.task.n, prediction=value if self.is_prediction else None)


def choice_tasks(path: Path, text_field: str | None, cfg: LSConfig | None) -> Iterator[ChoiceTask | Rejection]:
    """Each text task with ``choices`` results, or the rejection of one without text."""
    source = str(path)
    text_field = text_field or (cfg.data_key if cfg is not None else None)
    for task in read_tasks(path, "choices", cfg):
        if isinstance(task, Rejection):
            yield task
            continue
        field = text_field or next((f for f in TEXT_GUESSES if f in task.data), None)
        text = task.data.get(field) if field else None
        if not isinstance(text, str) or not text.strip():
            yield reject(source, task, f"task has no text; its data keys are {sorted(task.data)}")
            continue
        results, is_prediction = (task.answer, False) if task.answer is not None else (task.prediction, True)
        yield ChoiceTask(task, text, results, is_prediction)


def read_choices(path: Path, *, labels: Sequence[str], text_field: str | None = None,
                 cfg: LSConfig | None = None) -> RecordStream:
    """Classification tasks (``choices`` results) as text records."""
    source = str(path)
    for got in choice_tasks(path, text_field, cfg):
        if isinstance(got, Rejection):
            yield got
            continue
        task, results = got.task, got.results
        try:
            label = choice(results) if results is not None else None
        except ValueError as exc:
            yield reject(source, task, str(exc))
            continue
        if label is not None and label not in labels:
            yield reject(source, task, f"unknown label {label!r}; the project's labels are {list(labels)}")
            continue
        yield got.record(source, ClassLabel(label) if label is not None else None)


def read_rectangles(path: Path, ctx: ReadContext, images_dir: Path | None = None,
                    cfg: LSConfig | None = None) -> RecordStream:
    """Detection tasks (``rectanglelabels`` results, percent of the image) as image records."""
    json_path = tasks_file(path) if path.is_dir() else path
    source = str(json_path)
    key = cfg.data_key if cfg is not None else "image"
    for task in read_tasks(json_path, "rectanglelabels", cfg):
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
        boxes = pixel_boxes(results, checked.width, checked.height) if results is not None else None
        if isinstance(boxes, str):
            yield reject(source, task, boxes)
            continue
        rec = ctx.record(checked, boxes, source, task.n)
        if isinstance(rec, Rejection):
            yield reject(source, task, rec.reason)
        else:
            yield replace(rec, value=None, prediction=rec.value) if is_prediction else rec


# ---- writing ----------------------------------------------------------------------------------

ResultBuilder = Callable[[Row, LSConfig], list[dict[str, Any]]]


def span_results(row: Row, cfg: LSConfig) -> list[dict[str, Any]]:
    text = row["text"]
    return [{"value": {"start": s["start"], "end": s["end"], "text": text[s["start"]:s["end"]],
                       "labels": [s["label"]]},
             **({"score": s["confidence"]} if s.get("confidence") is not None else {})}
            for s in (row.get("value") or {}).get("spans", [])]


def choice_results(row: Row, cfg: LSConfig) -> list[dict[str, Any]]:
    value = row["value"]  # one class, or a multi-label set
    return [{"value": {"choices": list(value["labels"]) if "labels" in value else [value["label"]]}}]


def textarea_results(row: Row, cfg: LSConfig) -> list[dict[str, Any]]:
    return [{"value": {"text": [row["value"].get("text", "")]}}]


def rectangle_results(row: Row, cfg: LSConfig) -> list[dict[str, Any]]:
    w, h = row["width"], row["height"]
    return [{"original_width": w, "original_height": h, "image_rotation": 0,
             "value": {"x": 100 * b["x0"] / w, "y": 100 * b["y0"] / h, "width": 100 * (b["x1"] - b["x0"]) / w,
                       "height": 100 * (b["y1"] - b["y0"]) / h, "rotation": 0, "rectanglelabels": [b["label"]]},
             **({"score": b["confidence"]} if b.get("confidence") is not None else {})}
            for b in (row.get("value") or {}).get("boxes", [])]


def polygon_results(row: Row, cfg: LSConfig) -> list[dict[str, Any]]:
    """One ``polygonlabels`` region per polygon, points in percent of the image (an object in two
    pieces is two regions of its label: Label Studio has no object of several polygons)."""
    w, h = row["width"], row["height"]
    return [{"original_width": w, "original_height": h, "image_rotation": 0,
             "value": {"points": [[100 * x / w, 100 * y / h] for x, y in zip(poly[0::2], poly[1::2])],
                       "closed": True, "polygonlabels": [o["label"]]},
             **({"score": o["confidence"]} if o.get("confidence") is not None else {})}
            for o in (row.get("value") or {}).get("objects", []) for poly in o.get("polygons", [])]


BUILDERS: dict[str, ResultBuilder] = {"labels": span_results, "choices": choice_results,
                                      "rectanglelabels": rectangle_results, "polygonlabels": polygon_results,
                                      "textarea": textarea_results}


def build_tasks(rows: Sequence[Row], cfg: LSConfig, data_values: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One task per row, with integer task, annotation and prediction ids and named result ids."""
    tasks = []
    build = BUILDERS[cfg.result_type]
    for n, r in enumerate(rows, 1):
        result = [{"id": f"r{n}-{k}", "from_name": cfg.from_name, "to_name": cfg.to_name,
                   "type": cfg.result_type, **res} for k, res in enumerate(build(r, cfg), 1)]
        value = data_values[n - 1] if data_values is not None else r.get("content", r.get("text"))
        task: dict[str, Any] = {"id": n, "data": {cfg.data_key: value, "activelabel_id": r["id"]}}
        if r.get("source") in HUMAN_SOURCES:
            task["annotations"] = [{"id": n, "result": result, "was_cancelled": False,
                                    "ground_truth": r.get("source") == "gold",
                                    "meta": {"source": r.get("source"), "annotator": r.get("annotator"),
                                             "status": r.get("status")}}]
        else:
            task["predictions"] = [{"id": n, "model_version": str(r.get("annotator") or ""),
                                    "score": r.get("confidence"), "result": result,
                                    "meta": {"source": r.get("source")}}]
        tasks.append(task)
    return tasks


def write_labelstudio(path: Path, rows: Sequence[Row], cfg: LSConfig | None = None,
                      data_values: Sequence[str] | None = None) -> int:
    """Write the tasks to ``path`` and the labeling config to ``label_config.xml`` beside it."""
    cfg = cfg or default_config("labels", sorted({s["label"] for r in rows
                                                  for s in (r.get("value") or {}).get("spans", [])}))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(build_tasks(rows, cfg, data_values), ensure_ascii=False, indent=1), encoding="utf-8")
    (path.parent / "label_config.xml").write_text(cfg.xml, encoding="utf-8")
    return len(rows)


def tasks_file(out: Path) -> Path:
    """Where a media export's tasks go: OUT itself when it ends in .json, else OUT/tasks.json."""
    return out if out.suffix.lower() == ".json" else out / "tasks.json"


def copy_media(files: Sequence[tuple[Path, str]], dest: Path) -> list[str]:
    """Copy each (file, original name) into ``dest`` under its original name, a suffix only on a clash."""
    dest.mkdir(parents=True, exist_ok=True)
    names = NameAllocator()
    out = []
    for src, original in files:
        name = names.take(original)
        shutil.copy2(src, dest / name)
        out.append(name)
    return out
