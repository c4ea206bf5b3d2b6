"""Agreement between rankings: the share of preference pairs two annotators order the same way.

For two annotators, every pair of responses of every item both ranked counts once; ``value`` is
the share ordered alike (1 = same rankings, 0 = every pair reversed), beside the mean Kendall tau
per item. Over all raters the pairs of every two raters are pooled (no pooled form of its own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from activelabel.preferences import kendall_tau, pair_agreement
from activelabel.quality.agreement_metrics import Canonical, Multi, PairRow


def _order(value: Mapping[str, Any]) -> list[int]:
    return [int(i) for i in value.get("order", ())]


@dataclass(frozen=True)
class PairwiseAgreement:
    name: str = "pairwise_agreement"
    better: str = "higher"
    needs_text: bool = False
    per_label: bool = False

    def pair(self, rows: Sequence[PairRow], label: str | None, iou_threshold: float) -> dict[str, Any]:
        same = total = 0
        taus: list[float] = []
        for _, va, vb, _text in rows:
            a, b = _order(va), _order(vb)
            s, t = pair_agreement(a, b)
            same, total = same + s, total + t
            taus.append(kendall_tau(a, b))
        return {"value": same / total if total else None, "pairs": {"agreed": same, "compared": total},
                "kendall_tau": sum(taus) / len(taus) if taus else None}

    def overall(self, multi: Multi, texts: Mapping[str, str], label: str | None,
                canonical: Canonical) -> dict[str, Any] | None:
        return None

    def pooled_extra(self, multi: Multi, texts: Mapping[str, str], label: str | None) -> dict[str, Any]:
        return {}
