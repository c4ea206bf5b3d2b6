"""NER import and export: CoNLL, JSONL spans (Prodigy), spaCy DocBin and Label Studio JSON.

``read_ner`` is the task's reader (``formats/registry.py``). Formats by suffix: ``.conll``,
``.iob``, ``.bio``, ``.bilou`` -> conll; ``.jsonl`` -> jsonl; ``.json`` -> labelstudio (a JSON
array: Label Studio tasks, LS JSON-min or a Prodigy ``data.json``);
``.spacy`` -> docbin; ``.txt`` -> one unlabeled text per line. Every span goes through
``formats.spans.check_spans`` (one set of rules for every format).

Options (``activelabel import ... --option`` or keyword arguments): ``scheme`` (CoNLL: auto,
iob1, iob2, bilou), ``offsets`` (codepoint or utf16: how a JSON file counts characters),
``lang`` (the tokenizer for token-boundary checks, default en), ``text_field`` and
``spans_field`` for JSONL, ``ls_config`` (a Label Studio labeling config: read its ``Labels``
control's results only, and its text field).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from activelabel.errors import FormatError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection, json_lines
from activelabel.formats.conll import read_conll, write_conll
from activelabel.formats.json_array import each_element, read_array
from activelabel.formats.prodigy import is_prediction, prodigy_fields
from activelabel.formats.spans import SOURCE_TOKENS, Tokenizer, make_record, spacy_tokenizer

FORMATS = ("conll", "jsonl", "labelstudio", "json", "docbin", "txt")
SUFFIXES = {".conll": "conll", ".iob": "conll", ".bio": "conll", ".bilou": "conll", ".conllu": "conll",
            ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "labelstudio", ".spacy": "docbin", ".txt": "txt"}
PRODIGY_INTERNAL = ("_input_hash", "_task_hash", "_view_id", "_session_id", "_timestamp", "_annotator_id",
                    "_source", "answer", "tokens", "meta")


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
                           options.get("spans_field") or options.get("label_field") or "spans",
                           allow_overlaps=bool(options.get("allow_overlaps", False)))
    if fmt in ("labelstudio", "json"):
        return _read_json(path, labels, tokenizer, offsets, options)
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
                spans_field: str, *, allow_overlaps: bool = False) -> RecordStream:
    """Prodigy-style lines: {"text", "spans": [{"start","end","label"[,"text"]}], "meta"?, "tokens"?}.

    A line without a spans field is an unlabeled text; ``"spans": []`` is an answer saying "no
    entity". Prodigy answers ``reject``/``ignore`` are not confirmed annotations: the text is
    imported unlabeled and the record says so.
    """
    source = str(path)
    for got in json_lines(path.read_bytes().splitlines(), source):
        if isinstance(got, Rejection):
            yield got
            continue
        n, obj = got
        yield _span_object(obj, n, labels, tokenizer, offsets, text_field, spans_field, source, "each line",
                           allow_overlaps=allow_overlaps)


def _span_object(obj: object, n: int, labels: Sequence[str], tokenizer: Tokenizer, offsets: str, text_field: str,
                 spans_field: str, source: str, what: str, *, allow_overlaps: bool = False) -> ImportRecord | Rejection:
    """One Prodigy-style object (a JSONL line or an array element) as a record."""
    if not isinstance(obj, dict):
        return Rejection(source, n, f"{what} must be a JSON object")
    if text_field not in obj:
        return Rejection(source, n, f"no {text_field!r} field; the fields are {sorted(obj)}")
    meta = {k: v for k, v in obj.items() if k not in (text_field, spans_field, *PRODIGY_INTERNAL)}
    if isinstance(obj.get("meta"), dict):
        meta.update(obj["meta"])
    raw = obj.get(spans_field)
    if isinstance(raw, list) and all(isinstance(r, dict) and "labels" in r and "label" not in r for r in raw):
        # Label Studio JSON-min: [{"start", "end", "text", "labels": [label]}]
        raw = [{**r, "label": r["labels"][0] if isinstance(r["labels"], list) and len(r["labels"]) == 1
                else r["labels"]} for r in raw]
    if obj.get("answer") in ("reject", "ignore") and raw is not None:
        meta["_warning"] = f"Prodigy answer {obj['answer']!r}: spans not taken as an annotation"
        raw = None
    return make_record(obj[text_field], raw, labels=labels, tokens=_prodigy_tokens(obj), tokenizer=tokenizer,
                       source=source, line=n, meta=meta, offsets=offsets, prediction=is_prediction(obj),
                       allow_overlaps=allow_overlaps)


def _read_json(path: Path, labels: Sequence[str], tokenizer: Tokenizer, offsets: str, options: dict[str, Any]
               ) -> RecordStream:
    """A ``.json`` array: Label Studio tasks (objects with ``data``), or flat objects (LS JSON-min with
    ``label`` spans, Prodigy ``data.json`` with ``spans``); rejections name the element index."""
    from activelabel.formats.labelstudio import import_config, read_labelstudio

    first = next((e for e in read_array(path) if not isinstance(e, Rejection)), None)
    if first is None or not isinstance(first[1], dict) or isinstance(first[1].get("data"), dict):
        yield from read_labelstudio(path, labels=labels, tokenizer=tokenizer, offsets=offsets,
                                    text_field=options.get("text_field"),
                                    cfg=import_config(options.get("ls_config"), "labels"),
                                    allow_overlaps=bool(options.get("allow_overlaps", False)))
        return
    text_field = options.get("text_field") or "text"
    spans_field = options.get("spans_field") or options.get("label_field") or (
        "spans" if "spans" in first[1] else "label")
    source = str(path)
    allow = bool(options.get("allow_overlaps", False))
    yield from each_element(path, lambda n, obj: _span_object(obj, n, labels, tokenizer, offsets, text_field,
                                                              spans_field, source, "each element",
                                                              allow_overlaps=allow))


# ---- export ---------------------------------------------------------------------------------

EXPORT_FORMATS = ("jsonl", "conll", "spacy", "labelstudio")


def _span_tuples(value: dict[str, Any] | None) -> list[tuple[int, int, str]]:
    return [(int(s["start"]), int(s["end"]), str(s["label"])) for s in (value or {}).get("spans", [])]


# the exporting.ExportWriter signature: (project, out, rows) -> number of records written
def export_jsonl(_project: Any, out: Path, rows: Sequence[dict[str, Any]]) -> int:
    """Prodigy-compatible lines: ``{"text", "spans", "answer", "_input_hash", "_task_hash", "_source"}``
    plus id, source, annotator, status and confidence (the JSONL reader keeps those as item meta).

    Only a human answer (source human or gold) says ``"answer": "accept"``; an auto or model label
    says ``"answer": null``, so a re-import keeps it a prediction."""
    with out.open("w", encoding="utf-8") as fh:
        for r in rows:
            spans = list((r.get("value") or {}).get("spans", []))
            rec = {"id": r["id"], "text": r["text"], "spans": spans,
                   **prodigy_fields(r, sorted(_span_tuples(r.get("value")))),  # confidences left out
                   **{k: r.get(k) for k in ("source", "annotator", "status", "confidence")}}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(rows)


def export_conll(_project: Any, out: Path, rows: Sequence[dict[str, Any]]) -> int:
    write_conll(out, [(r["text"], _span_tuples(r.get("value"))) for r in rows])
    return len(rows)


def export_docbin(project: Any, out: Path, rows: Sequence[dict[str, Any]]) -> int:
    """spaCy DocBin; an item imported with its own tokens (CoNLL, DocBin, Prodigy) keeps them."""
    from activelabel.formats.docbin import write_docbin

    items = project.store.get_items([r["id"] for r in rows])
    write_docbin(out, [(r["text"], _span_tuples(r.get("value"))) for r in rows],
                 tokens=[items[r["id"]].meta.get(SOURCE_TOKENS) for r in rows])
    return len(rows)


def export_labelstudio(project: Any, out: Path, rows: Sequence[dict[str, Any]], *,
                       ls_config: Path | None = None) -> int:
    """Label Studio tasks with ``labels`` results; the labeling config goes to label_config.xml beside OUT."""
    from activelabel.formats.labelstudio import load_config, write_labelstudio

    return write_labelstudio(out, rows, load_config(ls_config, "labels", project.config.labels))
