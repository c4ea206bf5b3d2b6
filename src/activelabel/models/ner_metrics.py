"""Entity-level scores as seqeval counts them: a prediction is right only if start, end and label match."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

SpanTuple = tuple[int, int, str]


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def span_f1(gold: Sequence[Sequence[SpanTuple]], pred: Sequence[Sequence[SpanTuple]]) -> dict[str, float]:
    """Micro precision/recall/F1 over exact spans, plus ``f1_<label>`` per gold or predicted label.

    ``metric`` is the micro F1. When neither side has any entity the F1 is 1.0 (nothing to miss).
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold documents but {len(pred)} predicted")
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(g), set(p)
        for s in gs:
            n_gold[s[2]] += 1
        for s in ps:
            n_pred[s[2]] += 1
        for s in gs & ps:
            tp[s[2]] += 1
    total_gold, total_pred = sum(n_gold.values()), sum(n_pred.values())
    if total_gold == 0 and total_pred == 0:
        precision = recall = f1 = 1.0
    else:
        precision, recall, f1 = _prf(sum(tp.values()), total_pred, total_gold)
    out = {"metric": f1, "f1": f1, "precision": precision, "recall": recall, "n_gold_entities": float(total_gold)}
    for label in sorted(set(n_gold) | set(n_pred)):
        out[f"f1_{label}"] = _prf(tp[label], n_pred[label], n_gold[label])[2]
    return out
