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
                 lang: str = "en") -> None:
    """Docs tokenized by spaCy's ``lang`` tokenizer, entities snapped out to whole tokens."""
    spacy = _spacy()
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    nlp = spacy.blank(lang)
    db = DocBin(store_user_data=False)
    for text, spans in records:
        doc = nlp.make_doc(text)
        ents = [sp for s, e, label in spans
                if (sp := doc.char_span(s, e, label=label, alignment_mode="expand")) is not None]
        doc.ents = filter_spans(ents)
        db.add(doc)
    path.write_bytes(db.to_bytes())
