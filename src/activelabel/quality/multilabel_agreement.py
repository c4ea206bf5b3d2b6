"""Agreement between two annotators' label sets: micro-F1 over the (item, label) decisions.

Each item gives every label a yes or no per annotator; micro-F1 counts the labels both said yes to
against the yeses of each (2 |A and B| / (|A| + |B|)), so it ignores the many labels both left out.
Per-label figures restrict the count to one label. Items where both chose nothing carry no yes and
do not move the figure; ``exact_match`` (the share of items with the same set) counts them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from activelabel.quality import metrics as m
from activelabel.quality.agreement_metrics import PairRow, PooledPairs


def label_set(value: Mapping[str, Any], label: str | None = None) -> set[str]:
    """The labels of a stored multi-label value, or only ``label`` when given."""
    found = {str(x) for x in value.get("labels") or ()}
    return found & {label} if label is not None else found


@dataclass(frozen=True)
class LabelSetAgreement(PooledPairs):
    name: str = "micro_f1"
    better: str = "higher"
    needs_text: bool = False
    per_label: bool = True

    def pair(self, rows: Sequence[PairRow], label: str | None, iou_threshold: float) -> dict[str, Any]:
        matched = n_a = n_b = 0
        per: dict[str, list[int]] = {}  # label -> [both, a, b]
        same = 0
        for _, va, vb, _text in rows:
            sa, sb = label_set(va, label), label_set(vb, label)
            matched, n_a, n_b = matched + len(sa & sb), n_a + len(sa), n_b + len(sb)
            same += sa == sb
            for lab in sa | sb:
                c = per.setdefault(lab, [0, 0, 0])
                c[0] += lab in sa and lab in sb
                c[1] += lab in sa
                c[2] += lab in sb
        f1s = {lab: m.f1_from_counts(*c) for lab, c in sorted(per.items())}
        defined = [f for f in f1s.values() if f is not None]
        return {"value": m.f1_from_counts(matched, n_a, n_b),
                "macro_f1": sum(defined) / len(defined) if defined else None,
                "exact_match": same / len(rows) if rows else None,
                "label_f1": f1s, "labels": {"matched": matched, "a": n_a, "b": n_b}}
