"""Agreement between two people's segments of the same recordings: the share of time they gave the same label.

For each recording, the time that either person covered with a segment is the base; the time where
both covered it with the same label counts as agreed. Pooled over recordings (seconds, not a mean
of shares), so a long recording weighs more than a short one. A per-label figure restricts both the
base and the agreed time to that label. ``boundary_iou`` reports how well the segment extents match
regardless of label (intersection over union of the covered time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from activelabel.quality.agreement_metrics import PairRow, PooledPairs

Interval = tuple[float, float, str]


def intervals(value: Mapping[str, Any] | None, label: str | None = None) -> list[Interval]:
    """(start, end, label) of a stored segments value, sorted; only ``label``'s when given."""
    out = [(float(s["start"]), float(s["end"]), str(s.get("label"))) for s in (value or {}).get("segments") or ()]
    return sorted(iv for iv in out if label is None or iv[2] == label)


def covered(ivs: Sequence[Interval]) -> list[tuple[float, float]]:
    """The union of the intervals, as disjoint sorted (start, end) pairs."""
    merged: list[tuple[float, float]] = []
    for start, end, _ in sorted(ivs):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def length(pairs: Sequence[tuple[float, float]]) -> float:
    return sum(e - s for s, e in pairs)


def overlap(a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]) -> float:
    """Total time in both unions (each given as disjoint sorted pairs)."""
    total, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0.0, hi - lo)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def agreed_time(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[float, float]:
    """(seconds both gave the same label, seconds either covered)."""
    base = length(covered([*a, *b]))
    same = sum(overlap(covered([iv for iv in a if iv[2] == lab]), covered([iv for iv in b if iv[2] == lab]))
               for lab in {iv[2] for iv in a} & {iv[2] for iv in b})
    return same, base


def time_agreement(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> float:
    """The share of covered time with the same label (1 when neither covered any time)."""
    same, base = agreed_time(intervals(a), intervals(b))
    return same / base if base > 0 else 1.0


@dataclass(frozen=True)
class SegmentAgreement(PooledPairs):
    name: str = "time_agreement"
    better: str = "higher"
    needs_text: bool = False
    per_label: bool = True

    def pair(self, rows: Sequence[PairRow], label: str | None, iou_threshold: float) -> dict[str, Any]:
        same = base = both = either = 0.0
        per: dict[str, list[float]] = {}
        for _, va, vb, _text in rows:
            a, b = intervals(va, label), intervals(vb, label)
            s, t = agreed_time(a, b)
            same, base = same + s, base + t
            ca, cb = covered(a), covered(b)
            both, either = both + overlap(ca, cb), either + length(covered([*a, *b]))
            for lab in {iv[2] for iv in a} | {iv[2] for iv in b}:
                ls, lt = agreed_time([iv for iv in a if iv[2] == lab], [iv for iv in b if iv[2] == lab])
                acc = per.setdefault(lab, [0.0, 0.0])
                acc[0] += ls
                acc[1] += lt
        return {"value": same / base if base > 0 else None,
                "boundary_iou": both / either if either > 0 else None,
                "label_time_agreement": {lab: (s / t if t > 0 else None) for lab, (s, t) in sorted(per.items())},
                "seconds": {"agreed": round(same, 3), "covered": round(base, 3)}}
