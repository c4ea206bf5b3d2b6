"""Multi-label text files: CSV/TSV/JSONL with a labels column, and the ``export --package`` writer.

- JSONL: ``{"text": ..., "labels": ["a", "b"]}``; ``[]`` is the empty set, a missing or null
  ``labels`` an unlabeled text. A ``value`` object (``{"labels": [...]}``, what ``export`` writes)
  works too, and so does a string written as in CSV (`"a|b"`).
- CSV/TSV: a labels cell ``a|b`` or ``a;b``; an empty cell is an unlabeled text and ``[]`` (or any
  JSON list) the empty set. A ``value`` column of JSON objects (``export --format csv``) works too.
- TXT: one unlabeled text per line.
- JSON arrays: Label Studio tasks (``Choices`` results, several choices each; see
  ``multilabel_labelstudio``), or flat objects read as the JSONL lines are.

Each line is read on its own, so a broken one becomes a Rejection with its line number.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import FormatError, InvalidLabelError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection, json_lines
from activelabel.formats.json_array import each_element, holds_array, read_array
from activelabel.formats.labelstudio import LSConfig, import_config
from activelabel.formats.multilabel_labelstudio import read_multi_choices
from activelabel.formats.prodigy import INTERNAL, is_prediction
from activelabel.formats.tabular import (
    TEXT_FIELD_GUESSES,
    delimited_rows,
    detect_format,
    write_csv,
    write_jsonl,
)
from activelabel.types import LabelSet

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

LABELS_FIELD_GUESSES = ("labels", "label", "topics", "tags", "categories", "intents")
SEPARATORS = re.compile(r"[|;]")
CSV_JOIN = "|"
META_COLS = ("source", "annotator", "status", "confidence", "n_answers")


def _field(fields: Sequence[str], wanted: str | None, guesses: Sequence[str], what: str,
           source: str) -> str | None:
    if wanted is not None:
        if wanted not in fields:
            raise FormatError(f"{source}: no {what} field {wanted!r}; the fields are {list(fields)}; "
                              f"pass --{what}-field")
        return wanted
    lower = {f.lower(): f for f in fields}
    return next((lower[g] for g in guesses if g in lower), None)


def _label_set(raw: object, labels: Sequence[str]) -> LabelSet | None:
    """A cell or JSON value as a label set; None for an unlabeled text. InvalidLabelError when wrong."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, Mapping):  # a stored value, as export writes it
        raw = raw.get("labels")
        if raw is None:
            return None
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("[") or text.startswith("{"):
            try:
                return _label_set(json.loads(text), labels)
            except json.JSONDecodeError as exc:
                raise InvalidLabelError(f"labels {text[:40]!r} are not valid JSON: {exc.msg}") from exc
            except RecursionError:
                raise InvalidLabelError("labels: JSON nested too deeply") from None
        raw = [part.strip() for part in SEPARATORS.split(text) if part.strip()]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise InvalidLabelError(f"labels must be a list of strings or 'a|b', got {raw!r}")
    return LabelSet(tuple(raw)).validate(labels)


def _record(text: object, raw_labels: object, labels: Sequence[str], source: str, line: int,
            extra: dict[str, Any]) -> ImportRecord | Rejection:
    if not isinstance(text, str):
        return Rejection(source, line, f"text must be a string, got {type(text).__name__}")
    if not text.strip():
        return Rejection(source, line, "empty text")
    try:
        text.encode("utf-8")
        value = _label_set(raw_labels, labels)
    except UnicodeEncodeError as exc:
        return Rejection(source, line, f"text holds an unpaired surrogate at character {exc.start}")
    except InvalidLabelError as exc:
        return Rejection(source, line, str(exc))
    return ImportRecord(content=text, media="text", value=value, meta=extra, source=source, line=line)


def _decoded(raw: bytes, source: str) -> Iterator[tuple[int, str] | Rejection]:
    """(1-based line, text) per line, or that line's Rejection when it is not UTF-8."""
    for n, bline in enumerate(raw.splitlines(), 1):
        try:
            yield n, bline.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield Rejection(source, n, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")


def _object_record(obj: object, n: int, text_field: str | None, label_field: str | None,
                   labels: Sequence[str], source: str, what: str) -> ImportRecord | Rejection:
    """One JSON object (a JSONL line or an array element) with a text and maybe its labels."""
    if not isinstance(obj, dict):
        return Rejection(source, n, f"{what} must be a JSON object")
    try:
        tf = _field(list(obj), text_field, TEXT_FIELD_GUESSES, "text", source)
        lf = _field(list(obj), label_field, LABELS_FIELD_GUESSES, "label", source)
    except FormatError as exc:
        return Rejection(source, n, str(exc).split(": ", 1)[-1])
    if tf is None:
        return Rejection(source, n, f"no text field among {list(obj)}; pass --text-field")
    if lf is None and isinstance(obj.get("value"), Mapping):
        lf = "value"
    extra = {k: v for k, v in obj.items() if k not in (tf, lf, "meta", "value", *INTERNAL)}
    if isinstance(obj.get("meta"), dict):
        extra.update(obj["meta"])
    rec = _record(obj[tf], obj.get(lf) if lf else None, labels, source, n, extra)
    if isinstance(rec, ImportRecord) and rec.value is not None and is_prediction(obj):
        rec = replace(rec, value=None, prediction=rec.value)
    return rec


def _jsonl(path: Path, text_field: str | None, label_field: str | None, labels: Sequence[str]) -> RecordStream:
    source = str(path)
    for got in json_lines(path.read_bytes().splitlines(), source):
        yield got if isinstance(got, Rejection) else _object_record(got[1], got[0], text_field, label_field, labels,
                                                                   source, "each line")


def _array(path: Path, text_field: str | None, label_field: str | None, labels: Sequence[str],
           cfg: LSConfig | None) -> RecordStream:
    """A JSON array: Label Studio tasks (objects with ``data``), or flat objects."""
    first = next((e for e in read_array(path) if not isinstance(e, Rejection)), None)
    if first is not None and isinstance(first[1], dict) and isinstance(first[1].get("data"), dict):
        return read_multi_choices(path, labels=labels, text_field=text_field, cfg=cfg)
    return each_element(path, lambda n, obj: _object_record(obj, n, text_field, label_field, labels, str(path),
                                                            "each element"))


def _delimited(path: Path, delimiter: str, text_field: str | None, label_field: str | None,
               labels: Sequence[str]) -> RecordStream:
    source = str(path)
    good: list[tuple[int, str]] = []
    for got in _decoded(path.read_bytes(), source):
        if isinstance(got, Rejection):
            if got.line == 1:
                raise FormatError(f"{source}:1: the header is not valid UTF-8")
            yield got
        else:
            good.append(got)
    if not good:
        return
    header = next(csv.reader([good[0][1]], delimiter=delimiter))
    tf = _field(header, text_field, TEXT_FIELD_GUESSES, "text", source)
    if tf is None:
        raise FormatError(f"{source}: cannot find the text field among {header}; pass --text-field")
    lf = _field(header, label_field, LABELS_FIELD_GUESSES, "label", source)
    if lf is None and "value" in header:
        lf = "value"
    for row in delimited_rows(good[1:], header, delimiter, source):
        if isinstance(row, Rejection):
            yield row
            continue
        n, rec = row
        extra: dict[str, Any] = {k: v for k, v in rec.items() if k not in (tf, lf)}
        yield _record(rec[tf], rec[lf] if lf else None, labels, source, n, extra)


def read_multilabel(path: Path, fmt: str = "auto", *, labels: Sequence[str], project_dir: Path,
                    text_field: str | None = None, label_field: str | None = None,
                    ls_config: str | None = None, **_options: object) -> RecordStream:
    """The multilabel reader in the registry's signature; dispatches on ``fmt`` (or the suffix). A
    ``.json`` array (or ``fmt`` json or labelstudio) is read as a whole; ``ls_config=FILE`` reads the
    results of that Label Studio config's ``Choices`` control only."""
    path = Path(path)
    cfg = import_config(ls_config, "choices")
    if fmt == "labelstudio":
        return read_multi_choices(path, labels=labels, text_field=text_field, cfg=cfg)
    if fmt == "json" or (fmt == "auto" and path.suffix.lower() == ".json" and holds_array(path)):
        return _array(path, text_field, label_field, labels, cfg)
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "jsonl":
        return _jsonl(path, text_field, label_field, labels)
    if fmt in ("csv", "tsv"):
        return _delimited(path, "\t" if fmt == "tsv" else ",", text_field, label_field, labels)
    if fmt == "txt":
        return (got if isinstance(got, Rejection) else _record(got[1], None, labels, str(path), got[0], {})
                for got in _decoded(path.read_bytes(), str(path)))
    raise FormatError(f"unknown format {fmt!r} for multilabel; use auto, jsonl, csv, tsv or txt")


def write_multilabel_package(project: Workspace, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    """``<split>.jsonl`` (text and its label list) and ``<split>.csv`` (labels joined by ``|``) per split.

    In the CSV an empty set is written ``[]``, so that it reads back as the empty set, not as unlabeled.
    """
    files = []
    for sp, rows in parts.items():
        recs = [{"id": r["id"], "text": r["content"], "labels": sorted(r["value"].get("labels") or []),
                 **{k: r[k] for k in META_COLS}} for r in rows]
        write_jsonl(out / f"{sp}.jsonl", recs)
        write_csv(out / f"{sp}.csv", [{**r, "labels": CSV_JOIN.join(r["labels"]) or "[]"} for r in recs],
                  ["id", "text", "labels", *META_COLS])
        files += [f"{sp}.jsonl", f"{sp}.csv"]
    return files
