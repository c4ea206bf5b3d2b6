"""spaCy's binary training format (``.spacy`` DocBin): read its docs' entities, write ours.

A DocBin carries its own tokenization, so its entities are whole tokens by construction; they
still go through the same label and overlap checks as every other format.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from activelabel.errors import MissingDependencyError
from activelabel.formats.base import RecordStream, Rejection
from activelabel.formats.spans import make_record


def _spacy():  # type: ignore[no-untyped-def]
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise MissingDependencyError("spacy", "text") from exc
    return spacy


def read_docbin(path: Path, *, labels: Sequence[str], lang: str = "en") -> RecordStream:
    """One record per doc (numbered from 1); a doc with no entity is a labeled "no entity" answer."""
    spacy = _spacy()
    from spacy.tokens import DocBin

    source = str(path)
    try:
        docs = list(DocBin().from_bytes(path.read_bytes()).get_docs(spacy.blank(lang).vocab))
    except Exception as exc:  # a truncated or foreign file: msgpack/zlib raise many kinds
        yield Rejection(source, None, f"not a spaCy DocBin file: {type(exc).__name__}: {exc}")
        return
    for n, doc in enumerate(docs, 1):
        tokens = [(t.idx, t.idx + len(t)) for t in doc if not t.is_space]
        raw = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents]
        yield make_record(doc.text, raw, labels=labels, tokens=tokens, tokenizer=None, source=source, line=n)


def write_docbin(path: Path, records: Sequence[tuple[str, Sequence[tuple[int, int, str]]]],
                 lang: str = "en", tokens: Sequence[Sequence[Sequence[int]] | None] | None = None) -> None:
    """Docs with their source ``tokens`` where given (so they match the CoNLL they came from), else
    tokenized by spaCy's ``lang`` tokenizer; entities snapped out to whole tokens."""
    spacy = _spacy()
    from spacy.tokens import Doc, DocBin
    from spacy.util import filter_spans

    nlp = spacy.blank(lang)
    db = DocBin(store_user_data=False)
    for n, (text, spans) in enumerate(records):
        given = tokens[n] if tokens is not None else None
        words = _words(text, given) if given else None
        doc = nlp.make_doc(text) if words is None else Doc(nlp.vocab, words=words[0], spaces=words[1])
        ents = [sp for s, e, label in spans
                if (sp := doc.char_span(s, e, label=label, alignment_mode="expand")) is not None]
        doc.ents = filter_spans(ents)
        db.add(doc)
    path.write_bytes(db.to_bytes())


def _words(text: str, tokens: Sequence[Sequence[int]]) -> tuple[list[str], list[bool]] | None:
    """spaCy's (words, spaces) for ``text`` split at ``tokens``; whitespace between them beyond one
    space becomes whitespace tokens, as spaCy's own tokenizer makes. None when the tokens do not
    cover the text's non-space characters in order."""
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for start, end in [(int(t[0]), int(t[1])) for t in tokens] + [(len(text), len(text))]:
        gap = text[pos:start]
        if start < pos or gap.strip() or end < start or end > len(text):
            return None
        if gap.startswith(" ") and words and not spaces[-1]:
            spaces[-1], gap = True, gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)
        if end > start:
            words.append(text[start:end])
            spaces.append(False)
        pos = end
    return words, spaces
