"""The one label policy: the value an item trains with, exports with and ships with.

``resolve_labels`` decides, per item: a reviewer's adjudication > the gold value > people's
majority (the latest of the tied on a tie; one person's latest answer is a majority of one) >
the model's auto label. Training, ``export`` and ``export --package`` all read it, so they can
never disagree about an item's label.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from activelabel.quality.answers import ADJUDICATED
from activelabel.store.repository import HUMAN_LABELED

if TYPE_CHECKING:
    from activelabel.workspace import Workspace


@dataclass(frozen=True, slots=True)
class FinalLabel:
    item_id: str
    value: dict[str, Any]
    source: str  # human | auto | gold
    annotator: str
    status: str  # adjudicated | gold | agreed | majority | tie | accepted | corrected | auto
    confidence: float | None
    n_answers: int
    annotation_id: int | None  # the answer that carries the value (None for a gold value)


def resolve_labels(ws: Workspace, *, include_auto: bool = True,
                   upto_annotation_id: int | None = None) -> dict[str, FinalLabel]:
    """Each labeled item's final label; ``upto_annotation_id`` sees the answers up to that id only."""
    canonical = ws.spec.canonical
    gold = {it.id: v for it, v in ws.store.gold_items()}
    resolved: dict[str, dict[str, Any]] = {}
    by_item: dict[str, list[dict[str, Any]]] = {}
    for row in ws.store.all_annotations():
        if row["revoked_at"] is not None or (upto_annotation_id is not None and row["id"] > upto_annotation_id):
            continue
        if row["reason"] == ADJUDICATED:
            resolved[row["item_id"]] = row
        if row["status"] in HUMAN_LABELED + ("auto",) and row["value"] is not None:
            by_item.setdefault(row["item_id"], []).append(row)
    out: dict[str, FinalLabel] = {}
    for iid in set(by_item) | set(gold):
        rows = by_item.get(iid, [])
        people = {r["annotator"]: r for r in rows if r["status"] != "auto" and r["reason"] != ADJUDICATED}
        if iid in resolved:
            r = resolved[iid]
            out[iid] = FinalLabel(iid, r["value"], "human", r["annotator"], "adjudicated", None, len(people), r["id"])
        elif iid in gold:
            out[iid] = FinalLabel(iid, gold[iid], "gold", "gold", "gold", None, len(people), None)
        elif people:
            latest = sorted(people.values(), key=lambda r: r["id"])
            votes = Counter(canonical(r["value"]) for r in latest)
            top = max(votes.values())
            winner = [r for r in latest if votes[canonical(r["value"])] == top][-1]
            status = winner["status"]
            if len(people) > 1:  # agreed: all the same; majority: most agree; tie: the latest of the tied
                status = "agreed" if len(votes) == 1 else ("tie" if list(votes.values()).count(top) > 1 else "majority")
            out[iid] = FinalLabel(iid, winner["value"], "human", winner["annotator"], status, winner["confidence"],
                                  len(people), winner["id"])
        elif include_auto:
            autos = [r for r in rows if r["status"] == "auto"]
            if autos:
                r = autos[-1]
                out[iid] = FinalLabel(iid, r["value"], "auto", r["annotator"], "auto", r["confidence"], 0, r["id"])
    # in the order the values were given (gold values last), so exports and training splits are stable
    order = sorted(out.values(), key=lambda f: (f.annotation_id is None, f.annotation_id or 0, f.item_id))
    return {f.item_id: f for f in order}
