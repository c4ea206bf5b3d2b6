"""``activelabel export DIR OUT --package``: a training-ready folder in the task's native format.

What ships is each item's final label (``labels.resolve_labels``: adjudicated >
gold > people's majority > auto), split into train / validation / test, stratified by label
and seeded, so the same project and seed give the same split. Per task:

- classification: ``train.csv``, ``validation.csv``, ``test.csv`` (id, text, label, source, ...);
- audio classification: the same CSVs with ``path``, the audio copied under ``audio/<split>/``;
- NER: ``<split>.spacy`` (spaCy DocBin) and ``<split>.jsonl`` (text and character spans);
- detection: a YOLO folder: ``images/<split>/``, ``labels/<split>/*.txt`` and ``data.yaml``;
- keypoints: the same layout in YOLO-pose form (``kpt_shape`` in ``data.yaml``);
- image classification: ImageNet-style ``train/<label>/``, ``val/<label>/``, ``test/<label>/`` folders
  (human and gold labels only; auto labels go to ``auto/<label>/``) and ``labels.csv``;
- transcription: ``<split>.jsonl`` and ``<split>.csv`` (path, transcript), audio under ``audio/``;
- audio segments: ``<split>/rttm/<name>.rttm`` per recording, ``<split>.jsonl`` (the manifest) and the
  recordings under ``<split>/audio/``; people's answers only (``TaskSpec.package_human_only``).

Every package also holds ``REPORT.md``, ``report.json`` and ``manifest.json`` (split sizes, seed).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from activelabel.errors import ActiveLabelError, UsageError
from activelabel.formats.media_names import free_name, label_folder, original_name
from activelabel.formats.tabular import write_csv, write_jsonl
from activelabel.labels import resolve_labels
from activelabel.quality.report import build_report, render_markdown
from activelabel.registry import registry

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

SPLITS = ("train", "validation", "test")
Parts = dict[str, list[dict[str, Any]]]  # split -> package rows
PackageWriter = Callable[["Workspace", Path, Parts], list[str]]  # writes the native files, returns their names


def stratified_split(keys: Sequence[str], strata: Sequence[str], shares: tuple[float, float, float],
                     seed: int) -> dict[str, str]:
    """key -> split. Each stratum is shuffled with ``seed``; validation and test get their share of
    the whole set (rounded), given out stratum by stratum by largest remainder, so small strata
    still reach the small splits and the label mix of every split follows the whole.
    """
    if len(shares) != 3 or any(x < 0 for x in shares) or abs(sum(shares) - 1.0) > 1e-6:
        raise UsageError(f"split shares must be three non-negative numbers summing to 1, got {shares}")
    rng = np.random.default_rng(seed)
    groups: dict[str, list[str]] = {}
    for k, st in zip(keys, strata, strict=True):
        groups.setdefault(st, []).append(k)
    names = sorted(groups)
    members = {st: [sorted(groups[st])[i] for i in rng.permutation(len(groups[st]))] for st in names}
    left = {st: len(members[st]) for st in names}
    quota: dict[str, dict[str, int]] = {st: {} for st in names}
    for split, share in (("test", shares[2]), ("validation", shares[1])):
        ideal = {st: len(members[st]) * share for st in names}
        got = {st: min(left[st], int(ideal[st])) for st in names}
        extra = round(len(keys) * share) - sum(got.values())
        tiebreak = rng.random(len(names))
        for j in sorted(range(len(names)), key=lambda j: (-(ideal[names[j]] - int(ideal[names[j]])), tiebreak[j])):
            if extra <= 0:
                break
            if got[names[j]] < left[names[j]]:
                got[names[j]] += 1
                extra -= 1
        for st in names:
            quota[st][split] = got[st]
            left[st] -= got[st]
    out: dict[str, str] = {}
    for st in names:
        n_test, n_val = quota[st]["test"], quota[st]["validation"]
        for rank, k in enumerate(members[st]):
            out[k] = "test" if rank < n_test else ("validation" if rank < n_test + n_val else "train")
    return out


def _media_path(project: Workspace, content: str) -> Path:
    p = Path(content)
    return p if p.is_absolute() else project.dir / p


def _copy(src: Path, dest_dir: Path, item_id: str) -> str:
    """Copy a media file under its original name; a ``-k`` suffix only when that name is taken already."""
    if not src.is_file():
        raise ActiveLabelError(f"item {item_id}: its file {src} is missing; restore it or revoke the item")
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / free_name(dest_dir, original_name(src.name))
    shutil.copy2(src, dest)
    return dest.name


def package_rows(project: Workspace, *, include_auto: bool = True) -> list[dict[str, Any]]:
    final = resolve_labels(project, include_auto=include_auto)
    items = project.store.get_items(list(final))
    rows = []
    for iid, f in sorted(final.items()):
        it = items[iid]
        rows.append({"id": iid, "media": it.media, "content": it.content, "meta": dict(it.meta), "value": f.value,
                     "source": f.source, "annotator": f.annotator, "status": f.status, "confidence": f.confidence,
                     "n_answers": f.n_answers})
    return rows


def package_project(project: Workspace, out: Path, *, seed: int | None = None,
                    shares: tuple[float, float, float] = (0.8, 0.1, 0.1), include_auto: bool = True) -> dict[str, Any]:
    """Write the package; returns its manifest (split sizes, label counts per split, files)."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ActiveLabelError(f"{out} exists and is not an empty folder; choose a new folder for the package")
    out.mkdir(parents=True, exist_ok=True)
    spec = project.spec
    seed = project.config.loop.seed if seed is None else seed
    include_auto = include_auto and not spec.package_human_only
    rows = package_rows(project, include_auto=include_auto)
    frequency = Counter(label for r in rows for label in spec.labels_in(r["value"]))
    split_of = stratified_split([r["id"] for r in rows], [spec.stratum(r["value"], frequency) for r in rows],
                                shares, seed)
    parts = {sp: [r for r in rows if split_of[r["id"]] == sp] for sp in SPLITS}
    writer: PackageWriter = registry("writers").load(spec.package_writer)
    files = writer(project, out, parts)
    report = build_report(project)
    (out / "report.json").write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    (out / "REPORT.md").write_text(render_markdown(report), encoding="utf-8")
    manifest = {
        "project": project.config.name, "task": spec.name, "labels": project.config.labels, "seed": seed,
        "shares": dict(zip(SPLITS, shares, strict=True)), "include_auto": include_auto,
        "splits": {sp: len(p) for sp, p in parts.items()},
        "labels_per_split": {sp: dict(Counter(lab for r in p for lab in spec.labels_in(r["value"])))
                             for sp, p in parts.items()},
        "sources": dict(Counter(r["source"] for r in rows)),
        "files": sorted(files + ["report.json", "REPORT.md", "manifest.json"]),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


_META_COLS = ["source", "annotator", "status", "confidence", "n_answers"]


def write_classes_package(project: Workspace, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    files = []
    text = project.spec.media == "text"
    for sp, rows in parts.items():
        recs = []
        for r in rows:
            rec = {"id": r["id"], "label": r["value"].get("label"), **{k: r[k] for k in _META_COLS}}
            if text:
                rec["text"] = r["content"]
            else:
                rec["path"] = f"audio/{sp}/" + _copy(_media_path(project, r["content"]), out / "audio" / sp, r["id"])
            recs.append(rec)
        cols = ["id", "text" if text else "path", "label", *_META_COLS]
        write_csv(out / f"{sp}.csv", recs, cols)
        files.append(f"{sp}.csv")
    return files


def write_ner_package(project: Workspace, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    """DocBin and JSONL per split; an item imported with its own tokens (CoNLL, DocBin, Prodigy) keeps them."""
    from activelabel.formats.docbin import write_docbin
    from activelabel.formats.spans import SOURCE_TOKENS

    files = []
    for sp, rows in parts.items():
        spans = [[(int(s["start"]), int(s["end"]), str(s["label"])) for s in r["value"].get("spans", [])] for r in rows]
        write_docbin(out / f"{sp}.spacy", [(r["content"], sp_) for r, sp_ in zip(rows, spans, strict=True)],
                     tokens=[r["meta"].get(SOURCE_TOKENS) for r in rows])
        write_jsonl(out / f"{sp}.jsonl", [{"id": r["id"], "text": r["content"], "spans": r["value"].get("spans", []),
                                           **{k: r[k] for k in _META_COLS}} for r in rows])
        files += [f"{sp}.spacy", f"{sp}.jsonl"]
    return files


def _image_size(project: Workspace, r: dict[str, Any]) -> tuple[int, int]:
    meta = r["meta"]
    if meta.get("width") and meta.get("height"):
        return int(meta["width"]), int(meta["height"])
    from PIL import Image

    with Image.open(_media_path(project, r["content"])) as im:
        return im.size


def write_yolo_package(project: Workspace, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    import yaml

    from activelabel.formats.yolo_txt import yolo_lines
    from activelabel.types import Box

    labels = project.config.labels
    for sp, rows in parts.items():
        (out / "labels" / sp).mkdir(parents=True, exist_ok=True)
        (out / "images" / sp).mkdir(parents=True, exist_ok=True)
        for r in rows:
            name = _copy(_media_path(project, r["content"]), out / "images" / sp, r["id"])
            w, h = _image_size(project, r)
            boxes = [Box(float(b["x0"]), float(b["y0"]), float(b["x1"]), float(b["y1"]), str(b["label"]))
                     for b in r["value"].get("boxes", [])]
            lines = yolo_lines(boxes, labels, w, h)  # the detection formats' own writer
            (out / "labels" / sp / f"{Path(name).stem}.txt").write_text("".join(x + "\n" for x in lines),
                                                                       encoding="utf-8")
    # no "path" key: Ultralytics then resolves the folders against the yaml's own folder
    data = {"train": "images/train", "val": "images/validation", "test": "images/test",
            "nc": len(labels), "names": dict(enumerate(labels))}
    (out / "data.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return ["data.yaml", "images/", "labels/"]


def write_keypoints_package(project: Workspace, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    """A YOLO-pose folder: images/<split>, labels/<split>/*.txt (box, then x y v per keypoint), data.yaml
    with ``kpt_shape``, the keypoint names and, given ``[extra] flip_pairs``, ``flip_idx``."""
    from activelabel.formats.yolo_pose import pose_data_yaml, pose_lines
    from activelabel.tasks.keypoints import flip_pairs, keypoint_names
    from activelabel.types import Poses

    labels = project.config.labels
    for sp, rows in parts.items():
        (out / "labels" / sp).mkdir(parents=True, exist_ok=True)
        (out / "images" / sp).mkdir(parents=True, exist_ok=True)
        for r in rows:
            name = _copy(_media_path(project, r["content"]), out / "images" / sp, r["id"])
            w, h = _image_size(project, r)
            lines = pose_lines(Poses.from_json(r["value"]).objects, labels, w, h)
            (out / "labels" / sp / f"{Path(name).stem}.txt").write_text("".join(x + "\n" for x in lines),
                                                                       encoding="utf-8")
    extra = project.config.extra
    pose_data_yaml(out, labels, keypoint_names(extra), flip_pairs(extra),
                   {"train": "images/train", "val": "images/validation", "test": "images/test"})
    return ["data.yaml", "images/", "labels/"]


def write_segmentation_package(project: Workspace, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    """A YOLO-seg folder: images/<split>, labels/<split>/*.txt (class, then the normalised polygon, one
    line per polygon) and data.yaml, as Ultralytics' segment task reads it."""
    from activelabel.formats.yolo_seg import seg_data_yaml, seg_lines
    from activelabel.types import Masks

    labels = project.config.labels
    for sp, rows in parts.items():
        (out / "labels" / sp).mkdir(parents=True, exist_ok=True)
        (out / "images" / sp).mkdir(parents=True, exist_ok=True)
        for r in rows:
            name = _copy(_media_path(project, r["content"]), out / "images" / sp, r["id"])
            w, h = _image_size(project, r)
            lines = seg_lines(Masks.from_json(r["value"]).objects, labels, w, h)
            (out / "labels" / sp / f"{Path(name).stem}.txt").write_text("".join(x + "\n" for x in lines),
                                                                       encoding="utf-8")
    seg_data_yaml(out, labels, {"train": "images/train", "val": "images/validation", "test": "images/test"})
    return ["data.yaml", "images/", "labels/"]


def write_tracking_package(project: Workspace, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    """A MOT Challenge folder per video and split, as TrackEval and py-motmetrics read them:
    ``<split>/<name>/img1/000001.jpg...`` (the frames decoded and saved as JPEG, quality 95),
    ``<split>/<name>/gt/gt.txt`` (frames from 1, class index from 1 in ``labels.txt`` order, conf and
    visibility 1) and ``<split>/<name>/seqinfo.ini``; at the top ``labels.txt`` (one label per line,
    class 1 first) and ``seqmaps/<split>.txt`` (TrackEval's list of a split's sequences). A video that
    decodes to another size or frame count than it was imported with is refused by name: its boxes
    would not match the frames."""
    from PIL import Image

    from activelabel.formats.mot import mot_text, seqinfo_text
    from activelabel.formats.tracking import export_videos, write_labels_file
    from activelabel.video import read_frames

    labels = project.config.labels
    write_labels_file(out, labels)
    (out / "seqmaps").mkdir(parents=True, exist_ok=True)
    for sp, rows in parts.items():
        (out / sp).mkdir(parents=True, exist_ok=True)
        videos = export_videos(project, rows, reserved=())
        for v in videos:
            seq = out / sp / v.stem
            (seq / "img1").mkdir(parents=True, exist_ok=True)
            n = 0  # frames written
            for frame, rgb in read_frames(v.path):
                if rgb.shape[:2] != (v.height, v.width):
                    raise ActiveLabelError(f"item {v.item_id}: frame {frame} of {v.name} is {rgb.shape[1]}x"
                                           f"{rgb.shape[0]}, but it was imported as {v.width}x{v.height}")
                Image.fromarray(rgb).save(seq / "img1" / f"{frame + 1:06d}.jpg", quality=95)  # MOT counts from 1
                n = frame + 1
            if n != v.n_frames:
                raise ActiveLabelError(f"item {v.item_id}: {v.name} decodes to {n} frames, but it was imported with "
                                       f"{v.n_frames}; re-import the video")
            (seq / "gt").mkdir(exist_ok=True)
            (seq / "gt" / "gt.txt").write_text(mot_text(v.value, labels), encoding="utf-8")
            (seq / "seqinfo.ini").write_text(seqinfo_text(v.stem, v.fps, n, v.width, v.height), encoding="utf-8")
        (out / "seqmaps" / f"{sp}.txt").write_text("name\n" + "".join(f"{v.stem}\n" for v in videos),
                                                  encoding="utf-8")
    return ["labels.txt", "seqmaps/", *(f"{sp}/" for sp in parts)]


def write_transcripts_package(project: Workspace, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    files = []
    for sp, rows in parts.items():
        recs = [{"id": r["id"], "path": f"audio/{sp}/" + _copy(_media_path(project, r["content"]), out / "audio" / sp,
                                                                r["id"]),
                 "transcript": str(r["value"].get("text", "")), **{k: r[k] for k in _META_COLS}} for r in rows]
        write_jsonl(out / f"{sp}.jsonl", recs)
        write_csv(out / f"{sp}.csv", recs, ["id", "path", "transcript", *_META_COLS])
        files += [f"{sp}.jsonl", f"{sp}.csv"]
    return files


IMAGENET_DIRS = {"train": "train", "validation": "val", "test": "test"}  # the folder names Ultralytics reads
AUTO_DIR = "auto"


def write_imagenet_package(project: Workspace, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    """``train/``, ``val/`` and ``test/`` with one folder per project label (empty ones too, so every
    split has every class) holding the images people (or gold) labeled; ``auto/<label>/`` holds the
    auto-accepted ones, which no trainer reading train/val/test picks up. ``labels.csv`` lists every
    image with its split folder, label and provenance."""
    from activelabel.formats.prodigy import HUMAN_SOURCES

    labels = project.config.labels
    listed = []
    for sp, rows in parts.items():
        for lab in labels:
            (out / IMAGENET_DIRS[sp] / label_folder(lab)).mkdir(parents=True, exist_ok=True)
        for r in rows:
            label = str(r["value"].get("label"))
            where = IMAGENET_DIRS[sp] if r["source"] in HUMAN_SOURCES else AUTO_DIR
            name = _copy(_media_path(project, r["content"]), out / where / label_folder(label), r["id"])
            listed.append({"path": f"{where}/{label}/{name}", "label": label, "split": where, "id": r["id"],
                           **{k: r[k] for k in _META_COLS}})
    write_csv(out / "labels.csv", listed, ["path", "label", "split", "id", *_META_COLS])
    auto = [f"{AUTO_DIR}/"] if (out / AUTO_DIR).exists() else []
    return ["train/", "val/", "test/", *auto, "labels.csv"]
