"""CSV, TSV, JSONL and JSON-array readers for text items, with or without a label column.

Each line is read on its own, so one broken line (bad JSON, non-UTF-8 bytes, an empty text, an
unknown label) becomes a Rejection with its line number and the rest of the file goes on. A
``.json`` file that holds an array (a Label Studio export, LS JSON-min, a Prodigy ``data.json``)
is read as one array, and its rejections name the element index. A line or element that says
``"answer": null`` (or ``_source`` auto/model) carries a prediction, not a person's label.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import FormatError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection, json_lines
from activelabel.formats.json_array import each_element, holds_array, read_array
from activelabel.formats.labelstudio import (
    LSConfig,
    import_config,
    load_config,
    read_choices,
    write_labelstudio,
)
from activelabel.formats.prodigy import INTERNAL, is_prediction
from activelabel.types import ClassLabel

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

TEXT_FIELD_GUESSES = ("text", "sms", "sentence", "content", "message", "body")
LABEL_FIELD_GUESSES = ("label", "class", "category", "target")


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".tsv":
        return "tsv"
    if suffix == ".csv":
        return "csv"
    if suffix == ".txt":
        return "txt"
    raise FormatError(f"{path}: cannot tell the format from the suffix {suffix!r}; pass --format")


def _pick(fields: Sequence[str], wanted: str | None, guesses: Sequence[str], what: str,
          source: str) -> str | None:
    if wanted is not None:
        if wanted not in fields:
            raise FormatError(f"{source}: no {what} field {wanted!r}; the fields are {list(fields)}")
        return wanted
    lower = {f.lower(): f for f in fields}
    for g in guesses:
        if g in lower:
            return lower[g]
    return None


def _pick_required(fields: Sequence[str], wanted: str | None, guesses: Sequence[str], what: str, source: str) -> str:
    found = _pick(fields, wanted, guesses, what, source)
    if found is None:
        raise FormatError(f"{source}: cannot find the {what} field among {list(fields)}; pass --{what}-field")
    return found


def _record(text: object, label: object, labels: Sequence[str] | None, source: str, line: int,
            extra: dict[str, object]) -> ImportRecord | Rejection:
    if not isinstance(text, str):
        return Rejection(source, line, f"text must be a string, got {type(text).__name__}")
    if not text.strip():
        return Rejection(source, line, "empty text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # JSON can spell a lone surrogate ("\ud800"); no store can keep it
        return Rejection(source, line, f"text holds an unpaired surrogate at character {exc.start}")
    value = None
    if label is not None and label != "":
        label = str(label)
        if labels is not None and label not in labels:
            return Rejection(source, line, f"unknown label {label!r}; the project's labels are {list(labels)}")
        value = ClassLabel(label)
    return ImportRecord(content=text, media="text", value=value, meta=extra, source=source, line=line)


def read_text_records(path: Path, fmt: str = "auto", *, text_field: str | None = None,
                      label_field: str | None = None, labels: Sequence[str] | None = None) -> RecordStream:
    """Yield one ImportRecord or Rejection per data line of a CSV/TSV/JSONL/TXT file."""
    fmt = detect_format(path) if fmt == "auto" else fmt
    source = str(path)
    raw = path.read_bytes()
    lines = raw.splitlines()
    if fmt == "txt":
        for n, bline in enumerate(lines, 1):
            try:
                text = bline.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Rejection(source, n, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            yield _record(text, None, labels, source, n, {})
        return
    if fmt == "jsonl":
        for got in json_lines(lines, source):
            if isinstance(got, Rejection):
                yield got
                continue
            n, obj = got
            yield _object_record(obj, n, text_field, label_field, labels, source, "each line")
        return
    if fmt not in ("csv", "tsv"):
        raise FormatError(f"unknown format {fmt!r}; use auto, jsonl, csv, tsv or txt")
    delimiter = "\t" if fmt == "tsv" else ","
    if not lines:
        return
    try:
        header_text = lines[0].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{source}:1: the header is not valid UTF-8") from exc
    header = next(csv.reader([header_text], delimiter=delimiter))
    tf_n = _pick_required(header, text_field, TEXT_FIELD_GUESSES, "text", source)
    lf_n = _pick(header, label_field, LABEL_FIELD_GUESSES, "label", source)
    # decode line by line, then let csv handle quoting across the good lines
    good: list[tuple[int, str]] = []
    for n, bline in enumerate(lines[1:], 2):
        try:
            good.append((n, bline.decode("utf-8")))
        except UnicodeDecodeError as exc:
            yield Rejection(source, n, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
    for got in delimited_rows(good, header, delimiter, source):
        if isinstance(got, Rejection):
            yield got
            continue
        n, rec = got
        extra: dict[str, object] = {k: v for k, v in rec.items() if k not in (tf_n, lf_n)}
        yield _record(rec[tf_n], rec[lf_n] if lf_n else None, labels, source, n, extra)


def delimited_rows(lines: Sequence[tuple[int, str]], header: Sequence[str], delimiter: str,
                   source: str) -> Iterator[tuple[int, dict[str, str]] | Rejection]:
    """(line, field -> cell) per data row of decoded, numbered lines; a row of the wrong width is rejected.

    csv handles quoting across the lines (TSV has none), so a row's number is the line it ends on."""
    reader = csv.reader(io.StringIO("\n".join(t for _, t in lines)), delimiter=delimiter,
                        quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL)
    numbers = [n for n, _ in lines]
    for row in reader:
        n = numbers[min(reader.line_num - 1, len(numbers) - 1)] if numbers else 0
        if not row:
            continue
        if len(row) != len(header):
            yield Rejection(source, n, f"expected {len(header)} fields, found {len(row)}")
            continue
        yield n, dict(zip(header, row))


def _object_record(obj: object, n: int, text_field: str | None, label_field: str | None,
                   labels: Sequence[str] | None, source: str, what: str) -> ImportRecord | Rejection:
    """One JSON object (a JSONL line or an array element) with a text and maybe a label."""
    if not isinstance(obj, dict):
        return Rejection(source, n, f"{what} must be a JSON object")
    try:
        tf_n = _pick_required(list(obj), text_field, TEXT_FIELD_GUESSES, "text", source)
        lf_n = _pick(list(obj), label_field, LABEL_FIELD_GUESSES, "label", source)
    except ValueError as exc:
        return Rejection(source, n, str(exc).split(": ", 1)[-1])
    extra = {k: v for k, v in obj.items() if k not in (tf_n, lf_n, "meta", *INTERNAL)}
    if isinstance(obj.get("meta"), dict):
        extra.update(obj["meta"])
    rec = _record(obj[tf_n], obj.get(lf_n) if lf_n else None, labels, source, n, extra)
    if isinstance(rec, ImportRecord) and rec.value is not None and is_prediction(obj):
        return replace(rec, value=None, prediction=rec.value)
    return rec


def _read_array(path: Path, text_field: str | None, label_field: str | None,
                labels: Sequence[str], cfg: LSConfig | None) -> RecordStream:
    """A JSON array: Label Studio tasks (objects with ``data``), or flat objects (LS JSON-min, Prodigy)."""
    first = next((e for e in read_array(path) if not isinstance(e, Rejection)), None)
    if first is not None and isinstance(first[1], dict) and isinstance(first[1].get("data"), dict):
        yield from read_choices(path, labels=labels, text_field=text_field, cfg=cfg)
        return
    source = str(path)
    yield from each_element(path, lambda n, obj: _object_record(obj, n, text_field, label_field, labels, source,
                                                                "each element"))


def write_jsonl(path: Path, rows: Sequence[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_csv(path: Path, rows: Sequence[dict[str, object]], columns: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in r.items()})


def read_classification(path: Path, fmt: str, *, labels: Sequence[str], project_dir: Path,
                        text_field: str | None = None, label_field: str | None = None,
                        ls_config: str | None = None, **_options: object) -> RecordStream:
    """The classification reader in the registry's signature: a ``.json`` array, or ``fmt`` labelstudio
    or json, is read as a whole; every other format line by line. ``ls_config=FILE``: read the
    results of that Label Studio config's ``Choices`` control only, and its text field."""
    cfg = import_config(ls_config, "choices")
    if fmt == "labelstudio":
        return read_choices(path, labels=labels, text_field=text_field, cfg=cfg)
    if fmt == "json" or (fmt == "auto" and path.suffix.lower() == ".json" and holds_array(path)):
        return _read_array(path, text_field, label_field, labels, cfg)
    return read_text_records(path, fmt, text_field=text_field, label_field=label_field, labels=labels)


def export_labelstudio(project: Workspace, out: Path, rows: Sequence[dict[str, Any]], *,
                       ls_config: Path | None = None) -> int:
    """Label Studio tasks with ``choices`` results; the labeling config goes to label_config.xml beside OUT."""
    return write_labelstudio(out, rows, load_config(ls_config, "choices", project.config.labels))
