"""Tracking import and export: videos in, with their tracks as MOT text or CVAT for video XML; MOT
and CVAT out, and the MOT Challenge package (``packaging.write_tracking_package``).

A video is a video file (.mp4, .mkv, .avi, .mov, .webm, .m4v) or a folder of frame images, in name
order (a MOT sequence's ``img1/``). Import formats (``auto`` tells them apart):

- ``videos``: a folder of videos and frame folders (searched recursively), or one video; unlabeled;
- ``mot``: ``<name>.mp4`` (or a frame folder ``<name>/``) with ``<name>.txt`` beside it (the sample's
  layout and what ``export --format mot`` writes), and MOT Challenge sequences, ``SEQ/img1/*.jpg``
  with ``SEQ/gt/gt.txt`` and ``SEQ/seqinfo.ini`` (for frameRate; its seqLength and image size must
  match the frames), one or a folder of them (a package imports back as is). A video without its
  ``.txt``, or a sequence without ``gt/gt.txt`` (a test sequence), is imported unlabeled; an empty
  one is a video labeled as holding no object. Lines and classes: ``formats.mot``;
- ``cvat``: CVAT for video 1.1 XML (``formats.cvat_video``), one file or a folder searched for
  ``*.xml``; each XML's video is the one ``<source>`` names beside it, else the single video (file or
  frame folder, e.g. CVAT's ``images/``) beside it.

Each video is one record, or one rejection that names the file and the line or track: a video that
cannot be decoded or has no frames, a box outside the frame, a frame the video does not have, an
unknown class or label, a malformed line. A box that sticks out of the frame is rejected unless
``clip_boxes`` (a reader option, or ``[extra] clip_boxes``) clips it, with a warning.

The video is copied into the project's ``media/`` as ``<16 hex of its id>_<name>`` (a frame folder as
a folder of its frames); the item id is ``content_id`` of the file's bytes, or of a frame folder's
frames one after another in order (``video_files``; read in chunks, never held whole in memory), so
the same video imported twice is stored once. ``meta`` holds width, height, n_frames, fps and the original file name.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import ActiveLabelError, ImportFormatError, InvalidLabelError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection, content_id
from activelabel.formats.cvat_video import cvat_tracks, cvat_xml, parse_cvat
from activelabel.formats.detection import _project_extra
from activelabel.formats.detection_base import _safe_name
from activelabel.formats.media_names import original_name
from activelabel.formats.mot import (
    DEFAULT_IM_DIR,
    LABELS_FILE,
    SEQINFO,
    ClassNames,
    class_names_for,
    is_sequence,
    mot_text,
    parse_mot,
    read_seqinfo,
    sequence_dirs,
)
from activelabel.images import is_image_name
from activelabel.types import Tracks
from activelabel.video import VIDEO_SUFFIXES, InvalidVideoError, VideoInfo, frame_files, probe

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

FORMATS = ("auto", "videos", "mot", "cvat")
FRAME_FOLDER_NAMES = (DEFAULT_IM_DIR, "images")  # a MOT sequence's and a CVAT export's: named by the folder above


# ---- videos -------------------------------------------------------------------------------------


def is_video_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in VIDEO_SUFFIXES


def has_frames(folder: Path) -> bool:
    """A frame folder: a folder that holds image files."""
    return folder.is_dir() and any(p.is_file() and is_image_name(p) for p in folder.iterdir())


def video_files(path: Path) -> tuple[Path, ...]:
    """What a video's id hashes (``content_id`` reads them in chunks): the file, or a frame folder's
    frames in frame order."""
    path = Path(path)
    return tuple(frame_files(path)) if path.is_dir() else (path,)


def video_name(path: Path) -> str:
    """A video's name: the file's; a frame folder's own, or the sequence's for ``SEQ/img1`` (and a CVAT
    export's ``images/``)."""
    path = Path(path)
    if path.is_dir() and (path.name in FRAME_FOLDER_NAMES or (path.parent / SEQINFO).is_file()):
        return path.parent.name
    return path.name


def videos_in(folder: Path) -> list[Path]:
    """The videos directly in ``folder``: video files and frame folders (hidden ones skipped)."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and (is_video_file(p) or has_frames(p)))


def video_items(root: Path) -> list[Path]:
    """Every video under ``root`` (or ``root`` itself): video files and frame folders, not looking
    inside a frame folder; hidden files and folders skipped."""
    root = Path(root)
    if root.is_file():
        return [root] if is_video_file(root) else []
    if has_frames(root):
        return [root]
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            if has_frames(here / d):
                out.append(here / d)
            else:
                keep.append(d)
        dirnames[:] = keep
        out += [here / f for f in filenames if not f.startswith(".") and Path(f).suffix.lower() in VIDEO_SUFFIXES]
    return sorted(out)


@dataclass(frozen=True)
class CheckedVideo:
    """A video that decodes: where it is, its name, size, frame count and rate, and the files its id hashes."""

    path: Path
    name: str
    info: VideoInfo
    files: tuple[Path, ...]


@dataclass(frozen=True)
class VideoContext:
    """What every tracking reader needs: the labels, where media go, and whether to clip boxes."""

    labels: Sequence[str]
    project_dir: Path
    clip: bool = False

    @property
    def media_dir(self) -> Path:
        return self.project_dir / "media"

    def check(self, path: Path, source: str, line: int | None = None, *, fps: float = 0.0) -> CheckedVideo | Rejection:
        """Probe the video (``fps``: a frame folder's rate); a frame folder's frames must all have the
        first one's size."""
        try:
            files = video_files(path)
            if not sum(f.stat().st_size for f in files):
                return Rejection(source, line, "an empty file" if path.is_file() else "frame images without bytes")
            info = probe(path, fps)
        except InvalidVideoError as exc:
            return Rejection(source, line, str(exc).removeprefix(f"{path}: "))
        except OSError as exc:
            return Rejection(source, line, f"cannot read the video: {exc}")
        if info.n_frames <= 0 or info.width <= 0 or info.height <= 0:
            return Rejection(source, line, f"a video without frames to show ({info.width}x{info.height}, "
                                           f"{info.n_frames} frames)")
        if path.is_dir():
            bad = _odd_frame(path, info)
            if bad:
                return Rejection(source, line, bad)
        return CheckedVideo(path, video_name(path), info, files)

    def stored(self, video: CheckedVideo, value: Tracks | None, source: str, line: int | None = None,
               warnings: Sequence[str] = ()) -> ImportRecord | Rejection:
        """Check the tracks against the video, copy the video into media/ (under a content-hash name)
        and build its record."""
        info = video.info
        if value is not None:
            try:
                value = value.validate(self.labels, info.width, info.height, info.n_frames, where=video.name)
            except InvalidLabelError as exc:
                return Rejection(source, line, str(exc))
        item_hash = content_id("video", video.files)
        target = self.media_dir / f"{item_hash[:16]}_{_safe_name(video.name)}"
        if not target.exists():
            _copy_in(video.path, target)
        meta: dict[str, Any] = {"width": info.width, "height": info.height, "n_frames": info.n_frames,
                                "fps": round(info.fps, 3), "file": video.name}
        if warnings:
            meta["_warning"] = "; ".join(warnings)
        return ImportRecord(content=target.relative_to(self.project_dir).as_posix(), media="video", value=value,
                            meta=meta, source=source, line=line, item_id=item_hash)


def _odd_frame(folder: Path, info: VideoInfo) -> str:
    """The first frame of a frame folder that cannot be read or differs in size, said; "" if none."""
    from PIL import Image

    for f in frame_files(folder):
        try:
            with Image.open(io.BytesIO(f.read_bytes())) as im:
                size = im.size
        except OSError as exc:
            return f"frame {f.name} cannot be read ({exc})"
        if size != (info.width, info.height):
            return f"frame {f.name} is {size[0]}x{size[1]}; the first frame is {info.width}x{info.height}"
    return ""


def _copy_in(src: Path, target: Path) -> None:
    """Copy a video file, or a frame folder's frames, to ``target`` (through a temporary name, so a
    half-copied video is never taken for a stored one)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    if src.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for f in frame_files(src):
            shutil.copyfile(f, tmp / f.name)
    else:
        shutil.copyfile(src, tmp)
    try:
        os.replace(tmp, target)
    except OSError:
        if not target.exists():  # not a concurrent import storing the same video first
            raise
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


# ---- reading ------------------------------------------------------------------------------------


def detect_format(path: Path) -> str:
    if path.is_file():
        if path.suffix.lower() == ".xml":
            return "cvat"
        if is_video_file(path):
            return "mot" if path.with_suffix(".txt").is_file() else "videos"
        raise ImportFormatError(f"cannot tell the format from the suffix {path.suffix!r}; give a video, a CVAT XML "
                                "or a folder, or pass --format videos|mot|cvat", source=str(path))
    if has_frames(path):
        return "mot" if is_sequence(path.parent) else "videos"
    if any(not any(part.startswith(".") for part in p.relative_to(path).parts) for p in path.rglob("*.xml")):
        return "cvat"
    if sequence_dirs(path) or any(_mot_file(v).is_file() for v in video_items(path)):
        return "mot"
    return "videos"


def read_tracking(path: Path, fmt: str = "auto", *, labels: Sequence[str], project_dir: Path,
                  extra: dict[str, Any] | None = None, class_names: Sequence[str] | None = None,
                  clip_boxes: bool | None = None, **_options: Any) -> RecordStream:
    """The tracking reader in the registry's signature; ``fmt`` is auto, videos, mot or cvat.
    ``class_names``: MOT class ``k`` is its ``k``-th name (else ``labels.txt``, else the project's
    labels; see ``formats.mot``)."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown tracking format {fmt!r}; use one of {', '.join(FORMATS)}", source=str(path))
    extra = dict(extra or _project_extra(project_dir))
    clip = bool(extra.get("clip_boxes", False) if clip_boxes is None else clip_boxes)
    ctx = VideoContext(list(labels), Path(project_dir), clip)
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "videos":
        return _read_videos(path, ctx)
    if fmt == "mot":
        return _read_mot(path, ctx, class_names)
    return _read_cvat(path, ctx)


def _read_videos(path: Path, ctx: VideoContext) -> RecordStream:
    items = video_items(path)
    if not items:
        raise ImportFormatError("no video files or frame folders here", source=str(path))
    for item in items:
        checked = ctx.check(item, str(item))
        yield checked if isinstance(checked, Rejection) else ctx.stored(checked, None, str(item))


def _mot_file(video: Path) -> Path:
    """``<name>.txt`` beside a video file (``clip.mp4`` -> ``clip.txt``) or a frame folder (``seq/`` -> ``seq.txt``)."""
    return video.parent / f"{video.name if video.is_dir() else video.stem}.txt"


def _read_mot(path: Path, ctx: VideoContext, class_names: Sequence[str] | None) -> RecordStream:
    if path.is_dir() and has_frames(path) and is_sequence(path.parent):  # a sequence's img1/ itself
        path = path.parent
    if path.is_dir():
        sequences = sequence_dirs(path)
        top = path.parent if path in sequences else path
    else:
        sequences, top = [], path.parent
    loose = [v for v in video_items(path) if not any(s == v or s in v.parents for s in sequences)]
    if not sequences and not loose:
        raise ImportFormatError("no videos, frame folders or MOT sequences here", source=str(path))
    for seq in sequences:
        yield _read_sequence(seq, ctx, class_names_for(seq, top, ctx.labels, class_names))
    for video in loose:
        txt = _mot_file(video)
        checked = ctx.check(video, str(video))
        if isinstance(checked, Rejection) or not txt.is_file():
            yield checked if isinstance(checked, Rejection) else ctx.stored(checked, None, str(video))
            continue
        yield _labeled(checked, txt, ctx, class_names_for(txt.parent, top, ctx.labels, class_names))


def _labeled(video: CheckedVideo, txt: Path, ctx: VideoContext, classes: ClassNames) -> ImportRecord | Rejection:
    source = str(txt)
    try:
        text = txt.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Rejection(source, None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        return Rejection(source, None, f"cannot read the file: {exc}")
    info = video.info
    got = parse_mot(text, source, classes=classes, labels=ctx.labels, width=info.width, height=info.height,
                    n_frames=info.n_frames, video=video.name, clip=ctx.clip)
    if isinstance(got, Rejection):
        return got
    value, warnings = got
    return ctx.stored(video, value, source, None, warnings)


def _read_sequence(seq: Path, ctx: VideoContext, classes: ClassNames) -> ImportRecord | Rejection:
    """One MOT Challenge sequence: its frames, ``gt/gt.txt`` when there is one, ``seqinfo.ini`` checked."""
    info_file = seq / SEQINFO
    seqinfo = read_seqinfo(info_file) if info_file.is_file() else None
    if isinstance(seqinfo, str):
        return Rejection(str(info_file), None, seqinfo)
    frames = seq / (seqinfo.im_dir if seqinfo else DEFAULT_IM_DIR)
    if not has_frames(frames):
        return Rejection(str(seq), None, f"no frame images in {frames.name}/ (the sequence's imDir)")
    checked = ctx.check(frames, str(frames), fps=seqinfo.frame_rate if seqinfo else 0.0)
    if isinstance(checked, Rejection):
        return checked
    checked = CheckedVideo(checked.path, seq.name, checked.info, checked.files)
    got = checked.info
    if seqinfo is not None:
        if seqinfo.seq_length is not None and seqinfo.seq_length != got.n_frames:
            return Rejection(str(info_file), None, f"seqLength={seqinfo.seq_length}, but {frames.name}/ holds "
                                                   f"{got.n_frames} frames")
        if (seqinfo.width, seqinfo.height) not in ((None, None), (got.width, got.height)):
            return Rejection(str(info_file), None, f"imWidth x imHeight {seqinfo.width}x{seqinfo.height}, but the "
                                                   f"frames are {got.width}x{got.height}")
    gt = seq / "gt" / "gt.txt"
    if not gt.is_file():
        return ctx.stored(checked, None, str(seq))
    return _labeled(checked, gt, ctx, classes)


def _cvat_video(xml: Path, source: str) -> Path | str:
    """The video an XML annotates: the one ``<source>`` names beside it, else the only one there."""
    if source:
        for name in (source, Path(source).name):  # CVAT 1 wrote the server's path
            if (xml.parent / name).exists():
                return xml.parent / name
        return f"the video {source!r} (<source>) is not beside the XML"
    found = videos_in(xml.parent)
    if len(found) == 1:
        return found[0]
    if not found:
        return "no video file or frame folder beside the XML (and no <source> naming one)"
    return f"{len(found)} videos beside the XML ({', '.join(v.name for v in found[:3])}) and no <source> naming one"


def _read_cvat(path: Path, ctx: VideoContext) -> RecordStream:
    xmls = [path] if path.is_file() else sorted(
        p for p in path.rglob("*.xml") if not any(part.startswith(".") for part in p.relative_to(path).parts))
    if not xmls:
        raise ImportFormatError("no CVAT XML (*.xml) here", source=str(path))
    for xml in xmls:
        source = str(xml)
        task = parse_cvat(xml)
        if isinstance(task, str):
            yield Rejection(source, None, task)
            continue
        video = _cvat_video(xml, task.source)
        if isinstance(video, str):
            yield Rejection(source, None, video)
            continue
        checked = ctx.check(video, str(video))
        if isinstance(checked, Rejection):
            yield checked
            continue
        info = checked.info
        if (task.width, task.height) not in ((None, None), (info.width, info.height)):
            yield Rejection(source, None, f"original_size {task.width}x{task.height} is not the size of "
                                          f"{checked.name} ({info.width}x{info.height})")
            continue
        got = cvat_tracks(task, ctx.labels, info.width, info.height, info.n_frames, ctx.clip)
        if isinstance(got, str):
            yield Rejection(source, None, got)
            continue
        value, warnings = got
        yield ctx.stored(checked, value, source, None, warnings)


# ---- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportVideo:
    """One labeled video to write: its stored media, the name to write it under, its size and tracks."""

    item_id: str
    path: Path
    name: str  # the original name; a frame folder's folder name
    stem: str  # the name without the suffix: ``<stem>.txt``, ``<stem>/``
    width: int
    height: int
    n_frames: int
    fps: float
    value: Tracks


def export_videos(project: Workspace, rows: Sequence[dict[str, Any]], reserved: Sequence[str] = ("labels",)
                  ) -> list[ExportVideo]:
    """Each row's video under its original name, with a ``-k`` suffix on the stem when two videos share
    one (their ``.txt`` or folders would clash); ``reserved`` stems are never given (``labels``)."""
    items = project.store.get_items([r["id"] for r in rows])
    labels = project.config.labels
    taken = {s.lower() for s in reserved}
    out = []
    for r in rows:
        meta = r.get("meta") or items[r["id"]].meta
        missing = [k for k in ("width", "height", "n_frames", "fps") if not meta.get(k)]
        if missing:
            raise ActiveLabelError(f"item {r['id']}: its record lacks {', '.join(missing)} (the tracking reader "
                                   "stores them); re-import the video")
        value = Tracks.from_json(r.get("value") or {"tracks": []})
        unknown = sorted({t.label for t in value.tracks} - set(labels))
        if unknown:
            raise InvalidLabelError(f"item {r['id']}: labels {unknown} are not the project's labels {labels}; "
                                    "relabel those tracks to export them")
        content = r.get("path") or r["content"]
        src = Path(content) if Path(content).is_absolute() else project.dir / content
        if not src.exists():
            raise ActiveLabelError(f"item {r['id']}: its video {src} is missing; restore it or revoke the item")
        original = str(meta.get("file") or original_name(content))
        stem, suffix = (original, "") if src.is_dir() else (Path(original).stem or "video", Path(original).suffix)
        name, k = stem, 1
        while name.lower() in taken:
            k += 1
            name = f"{stem}-{k}"
        taken.add(name.lower())
        out.append(ExportVideo(r["id"], src, name + suffix, name, int(meta["width"]), int(meta["height"]),
                               int(meta["n_frames"]), float(meta["fps"]), value))
    return out


def copy_video(src: Path, dest: Path) -> None:
    """A video file, or a frame folder's frames, copied to ``dest`` (replacing what is there)."""
    if dest.is_dir() and not dest.is_symlink():
        shutil.rmtree(dest)
    elif dest.exists() or dest.is_symlink():
        dest.unlink()
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        dest.mkdir()
        for f in frame_files(src):
            shutil.copy2(f, dest / f.name)
    else:
        shutil.copy2(src, dest)


def write_labels_file(out: Path, labels: Sequence[str]) -> None:
    """``labels.txt``: one label per line, in class-index order (class 1 first)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / LABELS_FILE).write_text("".join(f"{lab}\n" for lab in labels), encoding="utf-8")


def export_mot(project: Workspace, out: Path, rows: list[dict[str, Any]]) -> int:
    """``export --format mot``: ``OUT/<name>`` (the video, or frame folder, under its original name) and
    ``OUT/<stem>.txt`` (MOT lines: frames from 1, class index from 1 in the project's label order) per
    labeled video, and ``OUT/labels.txt`` (the labels in class order): imports back as ``mot``."""
    out = Path(out)
    labels = project.config.labels
    write_labels_file(out, labels)
    for v in export_videos(project, rows):
        copy_video(v.path, out / v.name)
        (out / f"{v.stem}.txt").write_text(mot_text(v.value, labels), encoding="utf-8")
    return len(rows)


def export_cvat(project: Workspace, out: Path, rows: list[dict[str, Any]]) -> int:
    """``export --format cvat``: a folder per labeled video, ``OUT/<stem>/annotations.xml`` (CVAT for video
    1.1, what CVAT uploads as a task's annotations) with the video beside it under its original name
    (``<source>`` names it): imports back as ``cvat``."""
    out = Path(out)
    labels = project.config.labels
    for k, v in enumerate(export_videos(project, rows, reserved=()), 1):
        folder = out / v.stem
        copy_video(v.path, folder / v.name)
        xml = cvat_xml(v.value, task_id=k, name=v.stem, source=v.name, width=v.width, height=v.height,
                       n_frames=v.n_frames, labels=labels)
        (folder / "annotations.xml").write_bytes(xml)
    return len(rows)

