"""NER import and export: CoNLL, JSONL spans (Prodigy), spaCy DocBin and Label Studio JSON.

``read_ner`` is the task's reader (``formats/registry.py``). Formats by suffix: ``.conll``,
``.iob``, ``.bio``, ``.bilou`` -> conll; ``.jsonl`` -> jsonl; ``.json`` -> labelstudio;
``.spacy`` -> docbin; ``.txt`` -> one unlabeled text per line. Every span goes through
``formats.spans.check_spans`` (one set of rules for every format).

Options (``activelabel import ... --option`` or keyword arguments): ``scheme`` (CoNLL: auto,
iob1, iob2, bilou), ``offsets`` (codepoint or utf16: how a JSON file counts characters),
``lang`` (the tokenizer for token-boundary checks, default en), ``text_field`` and
``spans_field`` for JSONL.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from activelabel.errors import FormatError
from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.conll import read_conll, write_conll
from activelabel.formats.spans import Tokenizer, make_record, spacy_tokenizer

FORMATS = ("conll", "jsonl", "labelstudio", "docbin", "txt")
SUFFIXES = {".conll": "conll", ".iob": "conll", ".bio": "conll", ".bilou": "conll", ".conllu": "conll",
            ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "labelstudio", ".spacy": "docbin", ".txt": "txt"}
PRODIGY_INTERNAL = ("_input_hash", "_task_hash", "_view_id", "_session_id", "_timestamp", "_annotator_id",
                    "answer", "tokens", "meta")


def detect_ner_format(path: Path) -> str:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise FormatError(f"{path}: cannot tell the NER format from the suffix {path.suffix!r}; pass --format "
                         f"({', '.join(FORMATS)})")
    return fmt


def read_ner(path: Path, fmt: str = "auto", *, labels: Sequence[str], project_dir: Path | None = None,
             **options: Any) -> RecordStream:
    """The NER reader in the registry's signature."""
    fmt = detect_ner_format(path) if fmt == "auto" else fmt
    offsets = str(options.get("offsets", "codepoint"))
    if offsets not in ("codepoint", "utf16"):
        raise FormatError(f"offsets must be codepoint or utf16, not {offsets!r}")
    if fmt == "conll":
        return read_conll(path, labels=labels, scheme=str(options.get("scheme", "auto")))
    if fmt == "docbin":
        from activelabel.formats.docbin import read_docbin

        return read_docbin(path, labels=labels, lang=str(options.get("lang", "en")))
    tokenizer = spacy_tokenizer(str(options.get("lang", "en")))
    if fmt == "jsonl":
        return _read_jsonl(path, labels, tokenizer, offsets, options.get("text_field") or "text",
                           options.get("spans_field") or options.get("label_field") or "spans")
    if fmt == "labelstudio":
        from activelabel.formats.labelstudio import read_labelstudio

        return read_labelstudio(path, labels=labels, tokenizer=tokenizer, offsets=offsets,
                                text_field=options.get("text_field"))
    if fmt == "txt":
        return _read_txt(path, labels, tokenizer)
    raise FormatError(f"unknown NER format {fmt!r}; use auto, {', '.join(FORMATS)}")


def _read_txt(path: Path, labels: Sequence[str], tokenizer: Tokenizer) -> RecordStream:
    source = str(path)
    for n, bline in enumerate(path.read_bytes().splitlines(), 1):
        try:
            text = bline.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Rejection(source, n, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
            continue
        yield make_record(text, None, labels=labels, tokens=None, tokenizer=tokenizer, source=source, line=n)


def _prodigy_tokens(obj: dict[str, Any]) -> list[tuple[int, int]] | None:
    toks = obj.get("tokens")
    if not isinstance(toks, list) or not toks:
        return None
    try:
        return [(int(t["start"]), int(t["end"])) for t in toks]
    except (KeyError, TypeError, ValueError):
        return None


def _read_jsonl(path: Path, labels: Sequence[str], tokenizer: Tokenizer, offsets: str, text_field: str,
                spans_field: str) -> RecordStream:
    """Prodigy-style lines: {"text", "spans": [{"start","end","label"[,"text"]}], "meta"?, "tokens"?}.

    A line without a spans field is an unlabeled text; ``"spans": []`` is an answer saying "no
    entity". Prodigy answers ``reject``/``ignore`` are not confirmed annotations: the text is
    imported unlabeled and the record says so.
    """
    source = str(path)
    for n, bline in enumerate(path.read_bytes().splitlines(), 1):
        if not bline.strip():
            continue
        try:
            obj = json.loads(bline.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Rejection(source, n, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
            continue
        except json.JSONDecodeError as exc:
            yield Rejection(source, n, f"broken JSON: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            yield Rejection(source, n, "JSON nested too deeply")
            continue
        if not isinstance(obj, dict):
            yield Rejection(source, n, "each line must be a JSON object")
            continue
        if text_field not in obj:
            yield Rejection(source, n, f"no {text_field!r} field; the fields are {sorted(obj)}")
            continue
        meta = {k: v for k, v in obj.items() if k not in (text_field, spans_field, *PRODIGY_INTERNAL)}
        if isinstance(obj.get("meta"), dict):
            meta.update(obj["meta"])
        raw = obj.get(spans_field)
        if obj.get("answer") in ("reject", "ignore") and raw is not None:
            meta["_warning"] = f"Prodigy answer {obj['answer']!r}: spans not taken as an annotation"
            raw = None
        yield make_record(obj[text_field], raw, labels=labels, tokens=_prodigy_tokens(obj), tokenizer=tokenizer,
                          source=source, line=n, meta=meta, offsets=offsets)


# ---- export ---------------------------------------------------------------------------------

EXPORT_FORMATS = ("jsonl", "conll", "spacy", "labelstudio")


def _span_tuples(value: dict[str, Any] | None) -> list[tuple[int, int, str]]:
    return [(int(s["start"]), int(s["end"]), str(s["label"])) for s in (value or {}).get("spans", [])]


def write_ner(path: Path, rows: Sequence[dict[str, Any]], fmt: str) -> int:
    """Write export rows (``exporting.export_rows``) as CoNLL, spaCy DocBin or Label Studio JSON.

    JSONL export is ``export_jsonl`` (spans at the top level, as Prodigy writes them).
    """
    if fmt == "conll":
        write_conll(path, [(r["text"], _span_tuples(r.get("value"))) for r in rows])
    elif fmt == "spacy":
        from activelabel.formats.docbin import write_docbin

        write_docbin(path, [(r["text"], _span_tuples(r.get("value"))) for r in rows])
    elif fmt == "labelstudio":
        from activelabel.formats.labelstudio import write_labelstudio

        write_labelstudio(path, rows)
    else:
        raise FormatError(f"unknown NER export format {fmt!r}; use {', '.join(EXPORT_FORMATS)}")
    return len(rows)


# the exporting.TASK_WRITERS signature: (project, out, rows) -> number of records written
def export_jsonl(_project: Any, out: Path, rows: Sequence[dict[str, Any]]) -> int:
    """Prodigy-compatible lines: ``{"text", "spans", "answer": "accept"}`` plus id, source, annotator,
    status and confidence at the top level (the JSONL reader keeps those as item meta)."""
    with out.open("w", encoding="utf-8") as fh:
        for r in rows:
            rec = {"id": r["id"], "text": r["text"], "spans": list((r.get("value") or {}).get("spans", [])),
                   "answer": "accept", **{k: r.get(k) for k in ("source", "annotator", "status", "confidence")}}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(rows)


def export_conll(_project: Any, out: Path, rows: Sequence[dict[str, Any]]) -> int:
    return write_ner(out, rows, "conll")


def export_docbin(_project: Any, out: Path, rows: Sequence[dict[str, Any]]) -> int:
    return write_ner(out, rows, "spacy")


def export_labelstudio(_project: Any, out: Path, rows: Sequence[dict[str, Any]]) -> int:
    return write_ner(out, rows, "labelstudio")
