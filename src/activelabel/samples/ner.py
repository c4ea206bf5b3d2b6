"""The NER sample: short generated news-style sentences with people, organisations, places and
products (fictional product names, so that "product" is a label the pretrained pipeline lacks).

Written for activelabel from templates; no external data. ``make_sample`` writes the texts without
answers (JSONL, one ``{"text"}`` per line, ready to import); ``labeled_sample`` returns the same
sentences with their true spans, for scripted demo rounds, oracles and tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

LABELS = ["person", "org", "location", "product"]
LABEL_MAP = {"PERSON": "person", "ORG": "org", "GPE": "location", "LOC": "location"}

PEOPLE = ["Maria Lopez", "John Smith", "Aisha Khan", "Tom Becker", "Yuki Tanaka", "Carlos Silva", "Emma Dubois",
          "Ravi Sharma", "Olga Petrova", "David Cohen", "Grace Okafor", "Liam Murphy", "Sofia Rossi", "Ahmed Hassan"]
ORGS = ["Siemens", "the United Nations", "Google", "Toyota", "Oxfam", "Barclays", "Nestle", "the World Bank",
        "Microsoft", "Reuters", "Unilever", "the Red Cross"]
PLACES = ["Berlin", "Paris", "Nairobi", "Tokyo", "Chicago", "Madrid", "Mumbai", "Toronto", "Cairo", "Sydney",
          "Lisbon", "Seoul"]
PRODUCTS = ["Zorbix 3000", "Kramtek Z9", "Velora Mini", "Quillo Pad", "Nexdrive X", "Brimble Go", "Tandora Pro",
            "Lumexa 7", "Orvik Air", "Pellucid One"]

# {P} person, {O} org, {L} location, {X} product
TEMPLATES = [
    "{P} joined {O} in {L} last year.",
    "{O} will sell the {X} in {L} from next month.",
    "{P} said the {X} was the best device she had tried.",
    "Reporters in {L} asked {P} about the {X}.",
    "{O} opened a new office in {L} on Monday.",
    "The {X} made by {O} sold out in {L} within hours.",
    "{P} met officials from {O} during a visit to {L}.",
    "Shops in {L} ran out of the {X} before noon.",
    "{P} reviewed the {X} for a magazine.",
    "{O} hired {P} to run its team in {L}.",
    "Customers in {L} complained that the {X} overheats.",
    "{P} left {O} after ten years.",
]


def _fill(template: str, rng: np.random.Generator) -> tuple[str, list[dict[str, object]]]:
    text, spans = "", []
    pools = {"P": ("person", PEOPLE), "O": ("org", ORGS), "L": ("location", PLACES), "X": ("product", PRODUCTS)}
    rest = template
    while "{" in rest:
        before, _, after = rest.partition("{")
        key, _, rest = after.partition("}")
        text += before
        label, names = pools[key]
        name = str(names[int(rng.integers(len(names)))])
        start = len(text)
        if name.startswith("the "):  # "the United Nations": the article is not part of the entity
            text += "the "
            start, name = len(text), name[4:]
        text += name
        spans.append({"start": start, "end": len(text), "label": label})
    return text + rest, spans


def labeled_sample(n: int = 200, seed: int = 0) -> list[tuple[str, list[dict[str, object]]]]:
    """``n`` distinct (text, spans) pairs; spans are code-point offsets with project labels."""
    rng = np.random.default_rng(seed)
    seen: dict[str, list[dict[str, object]]] = {}
    attempts = 0
    while len(seen) < n and attempts < n * 50:
        attempts += 1
        text, spans = _fill(TEMPLATES[int(rng.integers(len(TEMPLATES)))], rng)
        seen.setdefault(text, spans)
    return list(seen.items())


def make_sample(folder: Path, n: int = 200, seed: int = 0) -> Path:
    """Write ``n`` unlabeled sentences as JSONL to import into a project with ``LABELS``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "ner_sample.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for text, _spans in labeled_sample(n, seed):
            fh.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    return out


def answer_key(n: int = 200, seed: int = 0) -> dict[str, list[dict[str, object]]]:
    """text -> true spans, for scripted demo rounds and oracle replays."""
    return dict(labeled_sample(n, seed))
