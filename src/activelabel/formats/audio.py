"""Audio readers: a folder of clips, or a manifest (CSV/JSONL ``path,text``, NeMo, Label Studio ASR).

Every clip is probed (header only) and copied into the project's ``media/`` folder under a name
that starts with its content hash; ``Item.content`` is that path relative to the project folder,
and ``meta`` holds duration, sample rate and channels. A file that cannot be used (empty, not
audio, longer than the limit, missing) is a rejection naming the file, and the rest goes on.

Labels from file names: ``label_from_filename="{label}_{speaker}_{take}.wav"`` (a reader option,
or ``[extra] label_from_filename`` in activelabel.toml) takes the label (audio classification) or
the transcript (transcription) from the ``{label}`` field, and keeps the other named fields in
``meta``. ``[extra] max_audio_seconds`` is the duration limit (default 600). Paths in a manifest
are relative to the manifest's folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.audio import DEFAULT_MAX_SECONDS, AudioError, check_duration, probe
from activelabel.errors import FormatError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection, content_id
from activelabel.formats.labelstudio import (
    copy_media,
    load_config,
    ls_results,
    tasks_file,
    transcript,
    write_labelstudio,
)
from activelabel.formats.media_names import original_name
from activelabel.types import ClassLabel, Payload, Transcript

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".webm", ".aiff", ".aif")
PATH_KEYS = ("path", "audio", "audio_filepath", "file", "filename", "audio_path")
TEXT_KEYS = ("text", "transcript", "transcription", "sentence")
LABEL_KEYS = ("label", "class", "category")


def filename_pattern(pattern: str) -> re.Pattern[str]:
    """``{label}_{speaker}_{take}.wav`` -> a regex with one named group per field."""
    parts = re.split(r"\{(\w+)\}", pattern)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    compiled = re.compile(regex + r"\Z")
    if "label" not in compiled.groupindex:
        raise FormatError(f"label_from_filename {pattern!r} needs a {{label}} field")
    return compiled


def _copy_into_media(src: Path, project_dir: Path) -> tuple[str, bytes]:
    data = src.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    media = project_dir / "media"
    media.mkdir(parents=True, exist_ok=True)
    name = f"{digest[:16]}_{src.name}"
    dst = media / name
    if not dst.exists():
        shutil.copyfile(src, dst)
    return f"media/{name}", data


def _clip(src: Path, value: Payload | None, meta: dict[str, Any], *, project_dir: Path, source: str,
          line: int | None, max_seconds: float | None) -> ImportRecord | Rejection:
    try:
        info = probe(src)
        check_duration(src, info, max_seconds)
    except AudioError as exc:
        return Rejection(source, line, str(exc))
    except OSError as exc:
        return Rejection(source, line, f"{src}: cannot read the file: {exc}")
    content, data = _copy_into_media(src, project_dir)
    meta = {**meta, "duration": round(info.duration, 3), "sample_rate": info.sample_rate,
            "channels": info.channels, "original": src.name}
    return ImportRecord(content=content, media="audio", value=value, meta=meta, source=source, line=line,
                        item_id=content_id("audio", data))


def _value(task: str, raw: str | None, labels: Sequence[str]) -> Payload | None:
    if raw is None:
        return None
    if task == "transcription":
        return Transcript(raw)
    return ClassLabel(raw) if raw != "" else None


def _from_filename(name: str, pattern: re.Pattern[str] | None) -> tuple[str | None, dict[str, Any], str | None]:
    """(label, other fields, error)"""
    if pattern is None:
        return None, {}, None
    m = pattern.match(name)
    if m is None:
        return None, {}, f"file name {name!r} does not match the label_from_filename pattern {pattern.pattern!r}"
    fields = m.groupdict()
    return fields.pop("label"), fields, None


def _folder(path: Path, task: str, labels: Sequence[str], project_dir: Path, pattern: re.Pattern[str] | None,
            max_seconds: float | None) -> RecordStream:
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
    for src in files:
        source = str(src)
        label, fields, error = _from_filename(src.name, pattern)
        if error:
            yield Rejection(source, None, error)
            continue
        yield _clip(src, _value(task, label, labels), fields, project_dir=project_dir, source=source, line=None,
                    max_seconds=max_seconds)


def _manifest_rows(path: Path, fmt: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line, row) per record, or (line, reason) for a record that cannot be parsed."""
    raw = path.read_bytes()
    if fmt == "auto":
        fmt = "csv" if path.suffix.lower() in (".csv", ".tsv") else "json"
    if fmt in ("csv", "tsv"):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            yield 1, f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
            return
        reader = csv.DictReader(io.StringIO(text), delimiter="\t" if fmt == "tsv" or path.suffix == ".tsv" else ",")
        for n, row in enumerate(reader, 2):
            yield n, dict(row)
        return
    stripped = raw.lstrip()
    if stripped.startswith(b"["):  # Label Studio export: one JSON list of tasks
        try:
            tasks = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield 1, f"broken JSON: {exc}"
            return
        except RecursionError:
            yield 1, "JSON nested too deeply"
            return
        for n, task in enumerate(tasks, 1):
            yield n, _label_studio_row(task) if isinstance(task, dict) else "a task must be a JSON object"
        return
    for n, bline in enumerate(raw.splitlines(), 1):
        if not bline.strip():
            continue
        try:
            row = json.loads(bline.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            yield n, f"broken JSON line: {exc}"
            continue
        yield n, row if isinstance(row, dict) else "a line must be a JSON object"


def _label_studio_row(task: dict[str, Any]) -> dict[str, Any]:
    """A Label Studio ASR task: data.audio and a textarea (transcript) or choices (class) result.

    The newest annotation that was not cancelled is the answer; without one, the last
    prediction's fields are kept under ``_prediction`` (never a human label)."""
    data = task.get("data", {})
    row: dict[str, Any] = {"path": data.get("audio") or data.get("audio_filepath") or data.get("path")}
    human = _ls_fields(task.get("annotations") or task.get("completions"))
    row.update(human)
    if not human:
        row["_prediction"] = _ls_fields(task.get("predictions"))
    return row


def _ls_fields(entries: Any) -> dict[str, str]:
    """The transcript and the class of the newest annotation (or prediction) list that is not cancelled."""
    out: dict[str, str] = {}
    texts = ls_results(entries, "textarea")
    said = transcript(texts[-1]) if texts else None
    if said is not None:
        out["text"] = said
    choices = ls_results(entries, "choices")
    picked = [c for r in (choices[-1] if choices else []) for c in (r["value"].get("choices") or [])]
    if picked:
        out["label"] = str(picked[0])
    return out


def _first(row: dict[str, Any], keys: Sequence[str], wanted: str | None) -> Any:
    if wanted is not None:
        return row.get(wanted)
    for k in keys:
        if k in row and row[k] not in (None, ""):
            return row[k]
    return None


def _manifest(path: Path, fmt: str, task: str, labels: Sequence[str], project_dir: Path,
              pattern: re.Pattern[str] | None, max_seconds: float | None, text_field: str | None,
              label_field: str | None) -> RecordStream:
    source = str(path)
    for n, row in _manifest_rows(path, fmt):
        if isinstance(row, str):
            yield Rejection(source, n, row)
            continue
        rel = _first(row, PATH_KEYS, None)
        if not isinstance(rel, str) or not rel.strip():
            yield Rejection(source, n, f"no audio path (one of {', '.join(PATH_KEYS)})")
            continue
        rel = re.sub(r"^/data/(upload|local-files/\?d=)/?", "", rel.strip())
        src = Path(rel) if Path(rel).is_absolute() else path.parent / rel
        keys = TEXT_KEYS if task == "transcription" else LABEL_KEYS
        raw = _first(row, keys, text_field if task == "transcription" else label_field)
        label, fields, error = _from_filename(src.name, pattern)
        if error:
            yield Rejection(source, n, error)
            continue
        raw = raw if raw is not None else label
        if task == "transcription" and raw is not None and not isinstance(raw, str):
            yield Rejection(source, n, f"the transcript must be a string, got {type(raw).__name__}")
            continue
        meta = {**fields, **{k: v for k, v in row.items() if k in ("speaker", "id") and v is not None}}
        rec = _clip(src, _value(task, None if raw is None else str(raw), labels), meta, project_dir=project_dir,
                    source=source, line=n, max_seconds=max_seconds)
        predicted = (row.get("_prediction") or {}).get("text" if task == "transcription" else "label")
        if isinstance(rec, ImportRecord) and rec.value is None and isinstance(predicted, str):
            rec = replace(rec, prediction=_value(task, predicted, labels))
        yield rec


def _read(task: str, path: Path, fmt: str, labels: Sequence[str], project_dir: Path,
          options: dict[str, Any]) -> RecordStream:
    extra = _project_extra(project_dir)
    pattern_text = options.get("label_from_filename") or extra.get("label_from_filename")
    pattern = filename_pattern(pattern_text) if pattern_text else None
    max_seconds = options.get("max_audio_seconds", extra.get("max_audio_seconds", DEFAULT_MAX_SECONDS))
    path = Path(path)
    if path.is_dir() and (path / "tasks.json").is_file():  # a Label Studio export folder (ours)
        return _manifest(path / "tasks.json", "json", task, labels, project_dir, pattern, max_seconds,
                         options.get("text_field"), options.get("label_field"))
    if path.is_dir():
        return _folder(path, task, labels, project_dir, pattern, max_seconds)
    if path.suffix.lower() in AUDIO_SUFFIXES:
        label, fields, error = _from_filename(path.name, pattern)
        single: list[ImportRecord | Rejection] = [
            Rejection(str(path), None, error) if error else
            _clip(path, _value(task, label, labels), fields, project_dir=project_dir, source=str(path), line=None,
                  max_seconds=max_seconds)]
        return iter(single)
    return _manifest(path, fmt, task, labels, project_dir, pattern, max_seconds, options.get("text_field"),
                     options.get("label_field"))


def _project_extra(project_dir: Path) -> dict[str, Any]:
    """``[extra]`` of the project's activelabel.toml: label_from_filename, max_audio_seconds."""
    from activelabel.config import CONFIG_NAME, load_config

    if not (Path(project_dir) / CONFIG_NAME).exists():
        return {}
    return dict(load_config(Path(project_dir)).extra)


def read_transcription(path: Path, fmt: str = "auto", *, labels: Sequence[str] = (), project_dir: Path,
                       **options: Any) -> RecordStream:
    """An audio folder or file, or a manifest with optional transcripts."""
    return _read("transcription", path, fmt, labels, project_dir, options)


def read_audio_classification(path: Path, fmt: str = "auto", *, labels: Sequence[str] = (), project_dir: Path,
                              **options: Any) -> RecordStream:
    """An audio folder or file, or a manifest with optional labels (or labels from file names)."""
    return _read("audio_classification", path, fmt, labels, project_dir, options)


def export_labelstudio(project: Workspace, out: Path, rows: list[dict[str, Any]], *,
                       ls_config: Path | None = None) -> int:
    """Label Studio: tasks.json (or OUT itself when it ends in .json) with ``textarea`` results, the clips
    under audio/ by their original names, and label_config.xml."""
    tasks = tasks_file(Path(out))
    items = project.store.get_items([r["id"] for r in rows])
    names = copy_media([(project.dir / r["path"], str(items[r["id"]].meta.get("original") or original_name(r["path"])))
                        for r in rows], tasks.parent / "audio")
    cfg = load_config(ls_config, "textarea", project.config.labels)
    return write_labelstudio(tasks, rows, cfg, [f"audio/{n}" for n in names])
