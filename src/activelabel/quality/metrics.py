"""Agreement arithmetic, free of the store: kappas, Krippendorff's alpha, span, box and word scores.

Every function takes plain Python values so it can be checked against hand-computed figures.
An undefined statistic (one category only, no pairs) is ``None``, never a made-up 0 or 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from itertools import combinations
from typing import Any

from activelabel.errors import MissingDependencyError

Unit = Sequence[Hashable]  # the ratings of one item, one per rater who rated it


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters over the same items: (p_o - p_e) / (1 - p_e)."""
    if len(a) != len(b):
        raise ValueError(f"cohen_kappa needs paired ratings, got {len(a)} and {len(b)}")
    n = len(a)
    if n == 0:
        return None
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[c] * cb[c] for c in ca) / (n * n)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def fleiss_kappa(units: Sequence[Unit]) -> float | None:
    """Fleiss' kappa; units with fewer than two ratings are left out.

    With a varying number of raters per unit, each unit's agreement P_i uses its own n_i (the usual
    generalisation); with a constant number it is Fleiss (1971) exactly.
    """
    rated = [u for u in units if len(u) >= 2]
    if not rated:
        return None
    p_units, totals = [], Counter[Hashable]()
    for u in rated:
        counts = Counter(u)
        n_i = len(u)
        p_units.append(sum(c * (c - 1) for c in counts.values()) / (n_i * (n_i - 1)))
        totals.update(counts)
    n_all = sum(totals.values())
    p_bar = sum(p_units) / len(p_units)
    p_e = sum((c / n_all) ** 2 for c in totals.values())
    if p_e >= 1.0:
        return None
    return (p_bar - p_e) / (1.0 - p_e)


def krippendorff_alpha(units: Sequence[Unit]) -> float | None:
    """Krippendorff's alpha for nominal data, missing ratings allowed (units with < 2 are not pairable)."""
    coincid: Counter[tuple[Hashable, Hashable]] = Counter()
    for u in units:
        m = len(u)
        if m < 2:
            continue
        for i, j in ((i, j) for i in range(m) for j in range(m) if i != j):
            coincid[(u[i], u[j])] += 1.0 / (m - 1)  # type: ignore[assignment]
    if not coincid:
        return None
    n_c: Counter[Hashable] = Counter()
    for (c, _k), v in coincid.items():
        n_c[c] += v  # type: ignore[assignment]
    n = sum(n_c.values())
    d_o = sum(v for (c, k), v in coincid.items() if c != k)
    d_e = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if d_e == 0:
        return None
    return 1.0 - (n - 1) * d_o / d_e


def observed_agreement(units: Sequence[Unit]) -> float | None:
    """Share of units on which every rater gave the same rating."""
    rated = [u for u in units if len(u) >= 2]
    return sum(len(set(u)) == 1 for u in rated) / len(rated) if rated else None


# ---- NER -------------------------------------------------------------------------------------

SpanKey = tuple[int, int, str]


def span_set(value: dict[str, Any] | None, label: str | None = None) -> set[SpanKey]:
    spans = (value or {}).get("spans", [])
    return {(int(s["start"]), int(s["end"]), str(s["label"])) for s in spans if label is None or s["label"] == label}


def f1_from_counts(matched: int, n_a: int, n_b: int) -> float | None:
    """Symmetric F1 between two annotators: 2 * matches / (|A| + |B|); both empty is undefined."""
    return 2.0 * matched / (n_a + n_b) if n_a + n_b else None


def token_tags(text: str, spans: set[SpanKey]) -> list[str]:
    """One tag per whitespace token: the label of the span covering its first character, or 'O'."""
    import re

    tags = []
    for m in re.finditer(r"\S+", text):
        tag = "O"
        for start, end, label in spans:
            if start <= m.start() < end:
                tag = label
                break
        tags.append(tag)
    return tags


# ---- detection -------------------------------------------------------------------------------


def iou(a: dict[str, Any], b: dict[str, Any]) -> float:
    ix = max(0.0, min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]))
    iy = max(0.0, min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]))
    inter = ix * iy
    union = (a["x1"] - a["x0"]) * (a["y1"] - a["y0"]) + (b["x1"] - b["x0"]) * (b["y1"] - b["y0"]) - inter
    return inter / union if union > 0 else 0.0


def match_boxes(a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]], threshold: float = 0.5) -> int:
    """Greedy one-to-one matching, best IoU first, labels must agree; returns the number of matches."""
    pairs = sorted(((iou(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)
                    if x["label"] == y["label"]), reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    for score, i, j in pairs:
        if score < threshold:
            break
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    return len(used_a)


def boxes_of(value: dict[str, Any] | None, label: str | None = None) -> list[dict[str, Any]]:
    return [b for b in (value or {}).get("boxes", []) if label is None or b["label"] == label]


# ---- transcription ---------------------------------------------------------------------------


def word_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> float | None:
    """Corpus WER with jiwer (lower-cased, punctuation kept as typed); None with no reference words."""
    try:
        import jiwer
    except ImportError as exc:  # pragma: no cover - jiwer ships with the audio extra
        raise MissingDependencyError("jiwer", "audio") from exc
    refs = [r.lower().strip() for r in references]
    hyps = [h.lower().strip() for h in hypotheses]
    keep = [(r, h) for r, h in zip(refs, hyps, strict=True) if r]
    if not keep:
        return None
    return float(jiwer.wer([r for r, _ in keep], [h for _, h in keep]))


def symmetric_wer(a: Sequence[str], b: Sequence[str]) -> float | None:
    """WER between two annotators, neither being the truth: the mean of both directions."""
    ab, ba = word_error_rate(a, b), word_error_rate(b, a)
    if ab is None or ba is None:
        return ab if ba is None else ba
    return (ab + ba) / 2.0


def pairs_of(names: Sequence[str]) -> list[tuple[str, str]]:
    return list(combinations(sorted(names), 2))
