"""Audio segments on disk: RTTM (read and written), a folder of recordings, and the package writer.

RTTM (NIST Rich Transcription Time Marked) is one segment per line::

    SPEAKER <file> <channel> <start_s> <duration_s> <NA> <NA> <label> <NA> <NA>

Only ``SPEAKER`` lines carry segments (``SPKR-INFO`` and other types are skipped, ``;;`` starts a
comment). The ``<file>`` field names the recording: ``<file>.wav`` (any audio suffix) beside the
RTTM file or under ``audio/`` there. Import accepts:

- a folder of recordings, each optionally with ``<name>.rttm`` beside it (what ``export --format
  rttm`` writes); a recording without one is unlabeled;
- one ``.rttm`` file for many recordings;
- Label Studio JSON with audio regions (``segments_labelstudio``), or a folder holding ``tasks.json``.

A line that cannot be parsed, or a recording's segments that break the task's rules (overlap, past
the end, an unknown label), reject that recording, named with the RTTM file and line; the rest goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import InvalidLabelError
from activelabel.formats.audio import AUDIO_SUFFIXES, _clip, _project_extra
from activelabel.formats.base import ImportRecord, RecordStream, Rejection
from activelabel.formats.media_names import original_name
from activelabel.formats.prodigy import MACHINE_SOURCES
from activelabel.formats.segments_labelstudio import read_audio_regions
from activelabel.formats.tabular import write_jsonl
from activelabel.types import Segment, Segments

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

SAFE_ID = re.compile(r"\s+")


# ---- RTTM ---------------------------------------------------------------------------------------


def parse_rttm(text: str, source: str) -> Iterator[tuple[int, str, Segment] | Rejection]:
    """(line, file id, segment) per SPEAKER line, or that line's Rejection."""
    for n, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith(";;") or fields[0] != "SPEAKER":
            continue
        if len(fields) < 8:
            yield Rejection(source, n, f"an RTTM SPEAKER line has 10 fields, this one {len(fields)}: {line[:60]!r}")
            continue
        try:
            start, dur = float(fields[3]), float(fields[4])
        except ValueError:
            yield Rejection(source, n, f"start {fields[3]!r} and duration {fields[4]!r} must be seconds")
            continue
        yield n, fields[1], Segment(round(start, 4), round(start + dur, 4), fields[7])


def rttm_text(file_id: str, segments: Sequence[dict[str, Any]]) -> str:
    """RTTM lines for one recording; the file id may hold no whitespace (it is one field)."""
    fid = SAFE_ID.sub("_", file_id)
    return "".join(f"SPEAKER {fid} 1 {float(s['start']):.4f} {float(s['end']) - float(s['start']):.4f} <NA> <NA> "
                   f"{s['label']} <NA> <NA>\n" for s in sorted(segments, key=lambda s: float(s["start"])))


def _audio_for(folder: Path, file_id: str) -> Path | None:
    for base in (folder, folder / "audio"):
        for suffix in AUDIO_SUFFIXES:
            if (base / f"{file_id}{suffix}").is_file():
                return base / f"{file_id}{suffix}"
    return None


def _labeled(src: Path, segs: list[Segment], source: str, line: int | None, labels: Sequence[str],
             project_dir: Path, max_seconds: float | None) -> ImportRecord | Rejection:
    rec = _clip(src, None, {}, project_dir=project_dir, source=source, line=line, max_seconds=max_seconds)
    if isinstance(rec, Rejection) or not segs:
        return rec
    try:
        value = Segments(tuple(segs)).validate(labels, float(rec.meta["duration"]), where=f"recording {src.name}")
    except InvalidLabelError as exc:
        return Rejection(source, line, str(exc))
    return ImportRecord(rec.content, rec.media, value, rec.meta, source, line, rec.item_id)


def _rttm_file(path: Path, labels: Sequence[str], project_dir: Path, max_seconds: float | None) -> RecordStream:
    source = str(path)
    by_file: dict[str, tuple[int, list[Segment]]] = {}
    for got in parse_rttm(path.read_text(encoding="utf-8", errors="replace"), source):
        if isinstance(got, Rejection):
            yield got
            continue
        n, fid, seg = got
        by_file.setdefault(fid, (n, []))[1].append(seg)
    for fid, (n, segs) in by_file.items():
        src = _audio_for(path.parent, fid)
        if src is None:
            yield Rejection(source, n, f"no recording {fid}.wav (or another audio suffix) beside the RTTM file "
                                       "or under audio/")
            continue
        yield _labeled(src, segs, source, n, labels, project_dir, max_seconds)


def _folder(path: Path, labels: Sequence[str], project_dir: Path, max_seconds: float | None) -> RecordStream:
    for src in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES):
        rttm = src.with_suffix(".rttm")
        if not rttm.is_file():
            yield _clip(src, None, {}, project_dir=project_dir, source=str(src), line=None, max_seconds=max_seconds)
            continue
        segs: list[Segment] = []
        bad: Rejection | None = None
        for got in parse_rttm(rttm.read_text(encoding="utf-8", errors="replace"), str(rttm)):
            if isinstance(got, Rejection):
                bad = bad or got
            else:
                segs.append(got[2])
        yield bad if bad is not None else _labeled(src, segs, str(rttm), None, labels, project_dir, max_seconds)


def read_segments(path: Path, fmt: str = "auto", *, labels: Sequence[str] = (), project_dir: Path,
                  **options: Any) -> RecordStream:
    """Recordings with or without segments: a folder, an RTTM file, Label Studio JSON, or one audio file."""
    from activelabel.audio import DEFAULT_MAX_SECONDS

    extra = _project_extra(project_dir)
    max_seconds = options.get("max_audio_seconds", extra.get("max_audio_seconds", DEFAULT_MAX_SECONDS))
    path = Path(path)
    if fmt == "labelstudio" or (path.is_dir() and (path / "tasks.json").is_file()) or path.suffix.lower() == ".json":
        tasks = path / "tasks.json" if path.is_dir() else path
        return read_audio_regions(tasks, labels=labels, project_dir=project_dir, max_seconds=max_seconds,
                                  ls_config=options.get("ls_config"))
    if path.is_dir():
        return _folder(path, labels, project_dir, max_seconds)
    if fmt == "rttm" or path.suffix.lower() == ".rttm":
        return _rttm_file(path, labels, project_dir, max_seconds)
    return iter([_clip(path, None, {}, project_dir=project_dir, source=str(path), line=None,
                       max_seconds=max_seconds)])


# ---- writing ------------------------------------------------------------------------------------


def _recording_names(project: Workspace, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Each row's recording under its original name (a ``-k`` suffix only on a clash), without whitespace."""
    from activelabel.formats.media_names import NameAllocator

    items = project.store.get_items([r["id"] for r in rows])
    names = NameAllocator()
    out = []
    for r in rows:
        original = str(items[r["id"]].meta.get("original") or original_name(r.get("path") or r["content"]))
        out.append(names.take(SAFE_ID.sub("_", original)))
    return out


def _write_recordings(project: Workspace, folder: Path, rows: Sequence[dict[str, Any]],
                      rttm_dir: Path) -> list[tuple[dict[str, Any], str]]:
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    rttm_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for r, name in zip(rows, _recording_names(project, rows)):
        src = project.dir / (r.get("path") or r["content"])
        shutil.copy2(src, folder / name)
        stem = Path(name).stem
        (rttm_dir / f"{stem}.rttm").write_text(rttm_text(stem, (r["value"] or {}).get("segments") or []),
                                               encoding="utf-8")
        out.append((r, name))
    return out


def export_rttm(project: Workspace, out: Path, rows: list[dict[str, Any]]) -> int:
    """``export --format rttm``: OUT/<name>.wav and OUT/<name>.rttm per labeled recording (imports back)."""
    out = Path(out)
    _write_recordings(project, out, rows, out)
    return len(rows)


def write_segments_package(project: Workspace, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Per split: ``<split>/audio/`` (the recordings), ``<split>/rttm/<name>.rttm`` and ``<split>.jsonl``
    (one line per recording: audio and RTTM paths, duration, segments, who answered). Human answers
    only (the spec's ``package_human_only``); a machine-labeled row here is a bug, refused by name."""
    files = []
    for sp, rows in parts.items():
        machine = [r["id"] for r in rows if r["source"] in MACHINE_SOURCES]
        if machine:
            raise InvalidLabelError(f"items {machine[:3]} carry only machine labels; the segments package ships "
                                    "human answers only")
        recs = []
        for r, name in _write_recordings(project, out / sp / "audio", rows, out / sp / "rttm"):
            stem = Path(name).stem
            recs.append({"id": r["id"], "audio": f"{sp}/audio/{name}", "rttm": f"{sp}/rttm/{stem}.rttm",
                         "file_id": stem, "duration": r["meta"].get("duration"),
                         "segments": [{k: s[k] for k in ("start", "end", "label")}
                                      for s in (r["value"] or {}).get("segments") or []],
                         **{k: r[k] for k in ("source", "annotator", "status", "n_answers")}})
        write_jsonl(out / f"{sp}.jsonl", recs)
        files += [f"{sp}.jsonl", f"{sp}/audio", f"{sp}/rttm"]
    return files
