"""Agreement between two tracking answers: IDF1 pooled over the videos both answered (``tracking.identity``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from activelabel.quality.agreement_metrics import PairRow, PooledPairs


@dataclass(frozen=True)
class TrackAgreement(PooledPairs):
    name: str = "idf1"
    better: str = "higher"
    needs_text: bool = False
    per_label: bool = True

    def pair(self, rows: Sequence[PairRow], label: str | None, iou_threshold: float) -> dict[str, Any]:
        from activelabel.tracking.identity import idf1_counts

        tp = na = nb = 0
        for _, va, vb, _text in rows:
            if label is not None:
                va = {"tracks": [t for t in (va or {}).get("tracks", []) if t["label"] == label]}
                vb = {"tracks": [t for t in (vb or {}).get("tracks", []) if t["label"] == label]}
            x, y, z = idf1_counts(va, vb, iou_threshold)
            tp, na, nb = tp + x, na + y, nb + z
        value = 2.0 * tp / (na + nb) if na + nb else (1.0 if rows else None)
        return {"value": value, "boxes": {"a": na, "b": nb}, "identity_matches": tp}
