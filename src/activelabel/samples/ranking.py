"""The ranking sample: seeded prompts with 2..4 responses whose quality is a hidden, learnable function.

Each prompt asks about a topic and names the points a good answer covers. A response covers some of
those points, carries some filler, and may hedge. Its hidden quality is
``2 * coverage + 0.6 * min(words, 40) / 40 - 1.0 * hedges - 0.3 * filler sentences``, which a
reward model can learn from the prompt-fit features (coverage, length) and the response's words
(hedges, filler). The true order sorts responses by that quality, best first; ties cannot happen
(a seeded jitter below the smallest step breaks them).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from activelabel.preferences import RankingItem

LABELS: list[str] = []  # a ranking project needs no labels

TOPICS: dict[str, tuple[str, ...]] = {
    "brew coffee": ("grind", "water", "temperature", "filter", "ratio", "bloom"),
    "plant tomatoes": ("sunlight", "compost", "spacing", "watering", "stakes", "seedlings"),
    "back up a laptop": ("external", "schedule", "encryption", "cloud", "restore", "versions"),
    "train for a marathon": ("mileage", "recovery", "hydration", "tempo", "taper", "shoes"),
    "write a cover letter": ("company", "achievements", "concise", "tailored", "closing", "proofread"),
    "bake sourdough": ("starter", "hydration", "folding", "proofing", "scoring", "oven"),
    "learn a language": ("vocabulary", "speaking", "listening", "grammar", "routine", "immersion"),
    "fix a flat tyre": ("levers", "patch", "pressure", "valve", "inspect", "pump"),
    "save for retirement": ("compound", "pension", "diversify", "fees", "budget", "index"),
    "paint a room": ("primer", "tape", "roller", "ventilation", "coats", "sanding"),
}
FILLER = ("That is a great question.", "Many people wonder about this.", "There are lots of opinions here.",
          "It depends on many things.", "Let me think about that.")
HEDGES = ("maybe", "possibly", "not sure")


def _response(rng: np.random.Generator, points: tuple[str, ...]) -> tuple[str, float]:
    covered = [p for p in points if rng.random() < rng.uniform(0.1, 0.9)]
    n_filler = int(rng.integers(0, 3))
    hedge = rng.random() < 0.3
    parts = list(rng.choice(FILLER, size=n_filler, replace=False)) if n_filler else []
    parts += [f"Pay attention to the {p}." for p in covered]
    if hedge:
        parts.append(f"But {rng.choice(HEDGES)} this is wrong.")
    if not covered:
        parts.append("Just try it and see.")
    order = rng.permutation(len(parts))
    text = " ".join(parts[i] for i in order)
    n_words = len(text.split())
    quality = (2.0 * len(covered) / len(points) + 0.6 * min(n_words, 40) / 40 - 1.0 * hedge - 0.3 * n_filler
               + rng.uniform(0, 1e-3))
    return text, quality


def make_items(n: int, seed: int = 0, k_range: tuple[int, int] = (2, 4)) -> list[tuple[RankingItem, tuple[int, ...]]]:
    """``n`` distinct items with their true orders (best first), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    names = list(TOPICS)
    out: list[tuple[RankingItem, tuple[int, ...]]] = []
    seen: set[str] = set()
    while len(out) < n:
        topic = names[int(rng.integers(len(names)))]
        points = tuple(rng.choice(TOPICS[topic], size=4, replace=False))
        prompt = f"How do I {topic}? Cover the {', '.join(points[:-1])} and {points[-1]}."
        k = int(rng.integers(k_range[0], k_range[1] + 1))
        drawn = [_response(rng, points) for _ in range(k)]
        if len({t for t, _ in drawn}) < k:
            continue
        item = RankingItem(prompt, tuple(t for t, _ in drawn))
        if item.content() in seen:
            continue
        seen.add(item.content())
        out.append((item, tuple(int(i) for i in np.argsort([-q for _, q in drawn], kind="stable"))))
    return out


def make_sample(folder: Path, n: int = 80, seed: int = 0, with_labels: bool = False) -> Path:
    """Write ``n`` ranking items as JSONL to import (with their true ``order`` if ``with_labels``)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "ranking_sample.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for item, order in make_items(n, seed):
            row: dict[str, object] = {"prompt": item.prompt, "responses": list(item.responses)}
            if with_labels:
                row["order"] = list(order)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return out
