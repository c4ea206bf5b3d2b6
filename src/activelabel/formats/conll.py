"""CoNLL token-per-line files: read with IOB1 / IOB2 / BILOU detection, and write IOB2 or BILOU.

One token per line, the token in the first column and the tag in the last (tab- or
space-separated), a blank line between sentences, ``-DOCSTART-`` lines ignored, LF or CRLF line
ends. A sentence's text is its tokens joined by single spaces, so offsets are exact and a
CoNLL file survives an import/export round trip token for token.

Scheme detection over the whole file: any L-/U-/E-/S- tag means BILOU (BIOES); else an I- tag
that opens an entity (after O, at the start, or after another type) with no B- ever opening one
means IOB1; else IOB2. A sentence that breaks its file's scheme is rejected with the line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from activelabel.errors import FormatError
from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.spans import make_record

SCHEMES = ("iob1", "iob2", "bilou")
Token = tuple[str, str, int]  # (token, tag, line number)


class TagError(ValueError):
    """A tag sequence that breaks the scheme; the message names the line."""


def _sentences(path: Path) -> Iterator[tuple[int, list[Token]] | Rejection]:
    source = str(path)
    current: list[Token] = []
    bad: str | None = None
    first = 0
    for n, bline in enumerate(path.read_bytes().splitlines(), 1):
        try:
            line = bline.decode("utf-8-sig" if n == 1 else "utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            bad = bad or f"line {n}: not valid UTF-8 ({exc.reason} at byte {exc.start})"
            first = first or n
            continue
        if not line.strip():
            if current or bad:
                yield Rejection(source, first, bad) if bad else (first, current)
            current, bad, first = [], None, 0
            continue
        if line.startswith("-DOCSTART-"):
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        parts = [p.strip() for p in parts]
        first = first or n
        if len(parts) < 2 or not parts[0] or not parts[-1]:
            bad = bad or f"line {n}: expected a token and a tag, found {line!r}"
            continue
        current.append((parts[0], parts[-1], n))
    if current or bad:
        yield Rejection(source, first, bad) if bad else (first, current)


def _split_tag(tag: str, line: int) -> tuple[str, str]:
    if tag == "O":
        return "O", ""
    prefix, sep, label = tag.partition("-")
    if not sep or prefix not in ("B", "I", "L", "U", "E", "S") or not label:
        raise TagError(f"line {line}: tag {tag!r} is neither O nor PREFIX-label (B, I, L, U, E, S)")
    return {"E": "L", "S": "U"}.get(prefix, prefix), label


def detect_scheme(sentences: Sequence[Sequence[Token]]) -> str:
    """iob1, iob2 or bilou, from every tag of the file (see the module docstring)."""
    i_opens = b_opens = 0
    for sent in sentences:
        prev = ("O", "")
        for _tok, tag, line in sent:
            try:
                prefix, label = _split_tag(tag, line)
            except TagError:
                continue
            if prefix in ("L", "U"):
                return "bilou"
            opens = prev[0] == "O" or prev[1] != label
            if prefix == "I" and opens:
                i_opens += 1
            if prefix == "B" and opens:
                b_opens += 1
            prev = (prefix, label)
    return "iob1" if i_opens and not b_opens else "iob2"


def decode_tags(tokens: Sequence[Token], scheme: str) -> list[tuple[int, int, str]]:
    """Token-index spans [start, end) with labels; raises TagError on a sequence the scheme forbids."""
    spans: list[tuple[int, int, str]] = []
    open_start, open_label = -1, ""

    def close(at: int) -> None:
        nonlocal open_start, open_label
        if open_start >= 0:
            spans.append((open_start, at, open_label))
        open_start, open_label = -1, ""

    for i, (_tok, tag, line) in enumerate(tokens):
        prefix, label = _split_tag(tag, line)
        if prefix == "O":
            if scheme == "bilou" and open_start >= 0:
                raise TagError(f"line {line}: O inside an entity (BILOU entities end with L-)")
            close(i)
        elif scheme == "bilou":
            if prefix in ("B", "U"):
                if open_start >= 0:
                    raise TagError(f"line {line}: {tag} before the open {open_label} entity ended with L-")
                open_start, open_label = i, label
                if prefix == "U":
                    close(i + 1)
            else:  # I or L continue the open entity
                if open_start < 0 or open_label != label:
                    raise TagError(f"line {line}: {tag} does not continue a B-{label} entity")
                if prefix == "L":
                    close(i + 1)
        elif prefix == "B":
            if scheme == "iob1" and not (open_start >= 0 and open_label == label):
                raise TagError(f"line {line}: {tag} follows no {label} entity (in IOB1, B- only separates two "
                               "adjacent entities of the same type)")
            close(i)
            open_start, open_label = i, label
        else:  # I
            if open_start >= 0 and open_label == label:
                continue
            if scheme == "iob2":
                raise TagError(f"line {line}: {tag} opens an entity, but this file is IOB2 (entities start "
                               "with B-)")
            close(i)
            open_start, open_label = i, label
    if scheme == "bilou" and open_start >= 0:
        raise TagError(f"line {tokens[-1][2]}: the {open_label} entity never ends with L-")
    close(len(tokens))
    return spans


def read_conll(path: Path, *, labels: Sequence[str], scheme: str = "auto", **_options: Any) -> RecordStream:
    """Yield one record per sentence (labeled: a sentence with no entity is an answer too)."""
    if scheme not in ("auto", *SCHEMES):
        raise FormatError(f"unknown tag scheme {scheme!r}; use auto, {', '.join(SCHEMES)}")
    source = str(path)
    items = list(_sentences(path))
    if scheme == "auto":
        scheme = detect_scheme([s for _, s in (x for x in items if not isinstance(x, Rejection))])
    for entry in items:
        if isinstance(entry, Rejection):
            yield entry
            continue
        first, tokens = entry
        try:
            token_spans = decode_tags(tokens, scheme)
        except TagError as exc:
            yield Rejection(source, first, f"{exc} ({scheme.upper()} tags)")
            continue
        offsets: list[tuple[int, int]] = []
        pos = 0
        for tok, _tag, _line in tokens:
            offsets.append((pos, pos + len(tok)))
            pos += len(tok) + 1
        text = " ".join(t for t, _, _ in tokens)
        raw = [{"start": offsets[s][0], "end": offsets[e - 1][1], "label": lab} for s, e, lab in token_spans]
        yield make_record(text, raw, labels=labels, tokens=offsets, tokenizer=None, source=source, line=first)


def conll_tokens(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Whitespace tokens, split further at span ends, so every span is whole tokens."""
    cuts = sorted({c for s, e in spans for c in (s, e)})
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        start = i
        for c in cuts:
            if start < c < j:
                out.append((start, c))
                start = c
        out.append((start, j))
        i = j
    return out


def write_conll(path: Path, records: Sequence[tuple[str, Sequence[tuple[int, int, str]]]],
                scheme: str = "iob2") -> None:
    """One sentence per record, tab-separated token and tag, IOB2 (default) or BILOU."""
    if scheme not in ("iob2", "bilou"):
        raise FormatError(f"CoNLL export writes iob2 or bilou, not {scheme!r}")
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for text, spans in records:
            tokens = conll_tokens(text, [(s, e) for s, e, _ in spans])
            tags = ["O"] * len(tokens)
            for s, e, label in spans:
                idx = [k for k, (ts, te) in enumerate(tokens) if ts >= s and te <= e]
                if not idx:
                    continue
                if scheme == "bilou" and len(idx) == 1:
                    tags[idx[0]] = f"U-{label}"
                    continue
                tags[idx[0]] = f"B-{label}"
                for k in idx[1:]:
                    tags[k] = f"I-{label}"
                if scheme == "bilou":
                    tags[idx[-1]] = f"L-{label}"
            for (ts, te), tag in zip(tokens, tags, strict=True):
                fh.write(f"{text[ts:te]}\t{tag}\n")
            fh.write("\n")
