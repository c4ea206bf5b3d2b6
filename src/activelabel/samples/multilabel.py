"""The multi-label sample: generated topic-word texts with one to three topics each, seeded.

Each topic has its own words; a text mixes one to three words of each of its topics (one word
makes a hard case) with filler words, and sometimes one stray word of a topic it does not have,
so no single word settles a label. Topics are drawn with unequal frequencies, as real topic sets are.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

TOPICS: dict[str, tuple[str, ...]] = {
    "sports": ("match", "goal", "league", "coach", "striker", "tournament", "referee", "season", "stadium",
               "keeper", "playoff", "medal"),
    "politics": ("election", "senate", "minister", "ballot", "campaign", "parliament", "policy", "vote",
                 "coalition", "mayor", "treaty", "debate"),
    "tech": ("software", "chip", "startup", "server", "algorithm", "laptop", "cloud", "app", "robot",
             "browser", "database", "network"),
    "health": ("doctor", "vaccine", "clinic", "diet", "symptom", "therapy", "hospital", "nurse", "virus",
               "fitness", "sleep", "allergy"),
    "finance": ("stocks", "bank", "loan", "inflation", "budget", "investor", "tax", "bond", "profit",
                "currency", "mortgage", "dividend"),
    "travel": ("flight", "hotel", "beach", "passport", "museum", "train", "island", "luggage", "tour",
               "airport", "cruise", "visa"),
}
LABELS = list(TOPICS)
FREQUENCY = (0.30, 0.22, 0.18, 0.13, 0.10, 0.07)  # how often each topic is drawn, in LABELS order
FILLER = ("the", "a", "new", "report", "says", "today", "after", "week", "people", "local", "big", "plan",
          "talk", "about", "latest", "news", "with", "more", "than", "expected", "again", "city", "year")


def _text(rng: np.random.Generator, topics: list[str]) -> str:
    words: list[str] = []
    for t in topics:
        words += rng.choice(TOPICS[t], size=int(rng.integers(1, 4)), replace=False).tolist()
    if rng.random() < 0.3:
        stray = [t for t in LABELS if t not in topics]
        words.append(str(rng.choice(TOPICS[str(rng.choice(stray))])))
    words += rng.choice(FILLER, size=int(rng.integers(3, 9))).tolist()
    return " ".join(words[i] for i in rng.permutation(len(words)))


def labeled_sample(n: int = 300, seed: int = 0) -> list[tuple[str, list[str]]]:
    """``n`` distinct (text, sorted topics) pairs, one to three topics each."""
    rng = np.random.default_rng(seed)
    p = np.asarray(FREQUENCY) / sum(FREQUENCY)
    seen: dict[str, list[str]] = {}
    attempts = 0
    while len(seen) < n and attempts < n * 50:
        attempts += 1
        k = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
        topics = sorted(rng.choice(LABELS, size=k, replace=False, p=p).tolist())
        seen.setdefault(_text(rng, topics), topics)
    return list(seen.items())


def make_sample(folder: Path, n: int = 300, seed: int = 0, with_labels: bool = False) -> Path:
    """Write ``n`` texts as JSONL to import into a project with ``LABELS`` (topics only ``with_labels``)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "multilabel_sample.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for text, topics in labeled_sample(n, seed):
            rec = {"text": text, "labels": topics} if with_labels else {"text": text}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return out
