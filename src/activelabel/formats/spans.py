"""Validating character-offset spans against their text: one place for every NER reader.

Offsets are code points (Python string indices). A span is rejected, with the record's line and
a reason, when it lies outside the text, names an unknown label, overlaps another span, or its
``text`` does not equal ``text[start:end]`` (when the offsets look like UTF-16 code units, as
JavaScript tools count them, the reason says so and how to convert). A span whose ends fall
inside a token is snapped outward to the token's ends, and the record carries a warning naming
the old and the new offsets; nothing is moved silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from activelabel.errors import MissingDependencyError
from activelabel.formats.base import ImportRecord, Rejection
from activelabel.types import Span, Spans

TokenOffsets = list[tuple[int, int]]
Tokenizer = Callable[[str], TokenOffsets]


class SpanError(ValueError):
    """One span of one record is unusable; the message says which and why."""


@lru_cache(maxsize=4)
def _blank_tokenizer(lang: str) -> Any:
    """spaCy's tokenizer for ``lang``; cached because building a blank pipeline takes a moment."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise MissingDependencyError("spacy", "text") from exc
    return spacy.blank(lang).tokenizer


def spacy_tokenizer(lang: str = "en") -> Tokenizer:
    """Token offsets from spaCy's rule-based tokenizer for ``lang`` (the one the model trains on)."""
    tokenizer = _blank_tokenizer(lang)

    def tokens(text: str) -> TokenOffsets:
        return [(t.idx, t.idx + len(t)) for t in tokenizer(text) if not t.is_space]

    return tokens


def utf16_to_codepoints(text: str, offset: int) -> int:
    """Convert a UTF-16 code-unit offset (JavaScript's string index) to a code-point offset."""
    units = 0
    for i, ch in enumerate(text):
        if units >= offset:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def _quote(text: str, start: int, end: int) -> str:
    return repr(text[start:end]) if 0 <= start <= end <= len(text) else "(outside the text)"


def _utf16_hint(text: str, start: int, end: int, want: object, offsets: str) -> str:
    """Say so when the offsets make sense as UTF-16 code units (JavaScript string indices)."""
    if offsets != "codepoint" or len(text.encode("utf-16-le")) // 2 == len(text):
        return ""
    if not 0 <= start < end <= len(text.encode("utf-16-le")) // 2:
        return ""
    s16, e16 = utf16_to_codepoints(text, start), utf16_to_codepoints(text, end)
    if want is not None and text[s16:e16] != want:
        return ""
    return (" -- these offsets look like UTF-16 code units (as JavaScript counts); activelabel counts code "
            "points: import with offsets=utf16 to convert them")


def _snap(text: str, start: int, end: int, tokens: TokenOffsets) -> tuple[int, int]:
    """Grow (start, end) to whole tokens; trim whitespace at the ends first."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise SpanError("covers only whitespace")
    covering = [(s, e) for s, e in tokens if s < end and e > start]
    if not covering:
        raise SpanError("covers no token")
    return min(start, covering[0][0]), max(end, covering[-1][1])


def check_spans(text: str, raw: Sequence[Mapping[str, Any]], labels: Sequence[str], tokens: TokenOffsets,
                *, offsets: str = "codepoint", allow_overlaps: bool = False) -> tuple[Spans, list[str]]:
    """Validate raw ``{"start","end","label"[, "text"]}`` dicts; returns the spans and the warnings.

    Exact duplicates in the input (the same span and label twice, as Label Studio exports can hold)
    merge into one, with a warning; spans that overlap otherwise, also after snapping to tokens, are
    rejected (an NER answer has no overlaps) unless ``allow_overlaps`` (a task kind whose answers may overlap)."""
    spans: list[Span] = []
    given: set[tuple[int, int, str]] = set()
    warnings: list[str] = []
    token_starts = {s for s, _ in tokens}
    token_ends = {e for _, e in tokens}
    for n, r in enumerate(raw, 1):
        try:
            start, end, label = r["start"], r["end"], r["label"]
        except (KeyError, TypeError):
            raise SpanError(f"span #{n} needs start, end and label: {r!r}") from None
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
            raise SpanError(f"span #{n}: start and end must be integers, got {start!r} and {end!r}")
        if not isinstance(label, str) or label not in labels:
            raise SpanError(f"span {start}-{end}: unknown label {label!r}; the project's labels are {list(labels)}")
        if offsets == "utf16":
            start, end = utf16_to_codepoints(text, start), utf16_to_codepoints(text, end)
        if (start, end, label) in given:
            warnings.append(f"span {start}-{end} {_quote(text, start, end)} ({label}) given twice: merged")
            continue
        given.add((start, end, label))
        want = r.get("text")
        if not 0 <= start < end <= len(text):
            raise SpanError(f"span {start}-{end} ({label}): outside the text of {len(text)} code points "
                            f"or empty{_utf16_hint(text, start, end, want, offsets)}")
        if want is not None and text[start:end] != want:
            raise SpanError(f"span {start}-{end} ({label}): text[{start}:{end}] is {_quote(text, start, end)} "
                            f"but the span says {want!r}{_utf16_hint(text, start, end, want, offsets)}")
        if start not in token_starts or end not in token_ends:
            new_start, new_end = _snap(text, start, end, tokens)
            if (new_start, new_end) != (start, end):
                warnings.append(f"span {start}-{end} {_quote(text, start, end)} snapped to token boundaries "
                                f"{new_start}-{new_end} {_quote(text, new_start, new_end)}")
            start, end = new_start, new_end
        spans.append(Span(start, end, label))
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start < a.end and not allow_overlaps:
            raise SpanError(f"spans {a.start}-{a.end} {_quote(text, a.start, a.end)} ({a.label}) and "
                            f"{b.start}-{b.end} {_quote(text, b.start, b.end)} ({b.label}) overlap")
    return Spans(tuple(ordered)), warnings


SOURCE_TOKENS = "source_tokens"  # item meta: [[start, end], ...] of the tokens the imported file gave


def make_record(text: object, raw_spans: Sequence[Mapping[str, Any]] | None, *, labels: Sequence[str],
                tokens: TokenOffsets | None, tokenizer: Tokenizer | None, source: str, line: int,
                meta: dict[str, Any] | None = None, offsets: str = "codepoint",
                prediction: bool = False, allow_overlaps: bool = False) -> ImportRecord | Rejection:
    """An ImportRecord for one text (labeled when ``raw_spans`` is a list, even an empty one).

    With ``prediction``, the spans are a model's (``ImportRecord.prediction``), not a person's label."""
    if not isinstance(text, str):
        return Rejection(source, line, f"text must be a string, got {type(text).__name__}")
    if not text.strip():
        return Rejection(source, line, "empty text")
    meta = dict(meta or {})
    if tokens is not None:  # the source's own tokens: the DocBin export keeps them
        meta[SOURCE_TOKENS] = [[int(s), int(e)] for s, e in tokens]
    if raw_spans is None:
        return ImportRecord(content=text, media="text", value=None, meta=meta, source=source, line=line)
    if not isinstance(raw_spans, list):
        return Rejection(source, line, f"spans must be a list, got {type(raw_spans).__name__}")
    if tokens is None:
        if tokenizer is None:
            raise ValueError("make_record needs tokens or a tokenizer")
        tokens = tokenizer(text)
    try:
        value, warnings = check_spans(text, raw_spans, labels, tokens, offsets=offsets, allow_overlaps=allow_overlaps)
    except SpanError as exc:
        return Rejection(source, line, str(exc))
    if warnings:
        meta["_warning"] = "; ".join(warnings)
    if prediction:
        return ImportRecord(content=text, media="text", meta=meta, source=source, line=line, prediction=value)
    return ImportRecord(content=text, media="text", value=value, meta=meta, source=source, line=line)
