"""Stopping advice for ``status`` and the dashboard: is labeling more still likely to pay?

The rule is that of ``strategies/stopping.py``, measured against learning curves: stop only when
Cohen's kappa between what successive current versions predicted on the same pool items is high
in each of the last rounds (stabilizing predictions) *and* the versions had already predicted
most of the answers people gave to the items they handed out (selected accuracy, the estimated
remaining gain). The current round's mean pool uncertainty is shown beside them. Only the versions that ranked the pool count (promoted, then
retired); one the promotion gate refused never scored it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from activelabel.strategies.stopping import (
    KAPPA_WINDOW,
    SELECTED_WINDOW,
    advise,
    cohen_kappa,
    pooled_accuracy,
)

if TYPE_CHECKING:
    from activelabel.store.records import Version
    from activelabel.workspace import Workspace

STOP_SET = 2000  # pool items compared between two versions


@dataclass(frozen=True)
class Advice:
    stop: bool  # labeling more is unlikely to pay
    text: str  # "stop: " and the signals that say so, or "continue: " and what is still missing
    kappa: float | None  # agreement of the current version with the one before it
    mean_uncertainty: float | None
    selected_accuracy: float | None = None  # share of the recent answers the versions had predicted

    @property
    def figures(self) -> str:
        kappa = "-" if self.kappa is None else f"{self.kappa:.3f}"
        sel = "-" if self.selected_accuracy is None else f"{self.selected_accuracy:.2f}"
        unc = "-" if self.mean_uncertainty is None else f"{self.mean_uncertainty:.3f}"
        return (f"kappa with the previous version {kappa}; recent answers predicted {sel}; "
                f"mean pool uncertainty {unc}")

    @property
    def line(self) -> str:
        """The dashboard's line: the strategy lab's wording and the figures."""
        return f"{self.text} ({self.figures})"

    @property
    def summary(self) -> str:
        """The advice in words for people deciding whether to label on (``status``)."""
        if self.stop:
            return f"labeling more is unlikely to pay: {self.text.removeprefix('stop: ')} ({self.figures})"
        return f"labeling more still pays: {self.text.removeprefix('continue: ')} ({self.figures})"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary}


def stopping_advice(ws: Workspace) -> Advice | None:
    """The advice after the latest round; None while no trained version has ranked the pool."""
    ranked = [v for v in ws.store.list_versions() if v.status in ("promoted", "retired")]
    if not ranked:
        return None
    versions = [v.id for v in ranked]
    rnd = ws.store.current_round()
    mean_conf = rnd.stats.get("mean_confidence") if rnd else None
    found = advise(_recent_kappas(ws, versions), selected_accuracy=pooled_accuracy(_selected(ws, ranked)),
                   mean_uncertainty=None if mean_conf is None else 1.0 - float(mean_conf))
    return Advice(found.stop, found.text, found.kappa, found.mean_uncertainty, found.selected_accuracy)


def _selected(ws: Workspace, ranked: list[Version]) -> list[tuple[int, int] | None]:
    """Per version that ranked the pool (the last ``SELECTED_WINDOW``): of the human answers given after
    its snapshot and up to the next one's, how many it had predicted, of how many it had scored.
    A version that got no answer it had scored gives None."""
    labels = ws.store.current_labels()
    out: list[tuple[int, int] | None] = []
    for n in range(max(0, len(ranked) - SELECTED_WINDOW), len(ranked)):
        start = int(ranked[n].trained_on_annotation_id or 0)
        end = int(ranked[n + 1].trained_on_annotation_id or 0) if n + 1 < len(ranked) else None
        given = {r.item_id: r.value for r in labels
                 if r.annotation_id > start and (end is None or r.annotation_id <= end) and r.value is not None}
        predicted = ws.store.predicted_values(ranked[n].id, item_ids=list(given)) if given else {}
        hits = [ws.spec.same(predicted[i], given[i]) for i in given if i in predicted]
        out.append((sum(hits), len(hits)) if hits else None)
    return out


def _recent_kappas(ws: Workspace, versions: list[str]) -> list[float | None]:
    """One kappa per version (None for the first); only the last ``KAPPA_WINDOW`` are computed,
    the only ones the advice reads."""
    out: list[float | None] = [None] * len(versions)
    for n in range(max(1, len(versions) - KAPPA_WINDOW), len(versions)):
        out[n] = _kappa(ws, versions[n - 1], versions[n])
    return out


def _kappa(ws: Workspace, prev: str, cur: str) -> float | None:
    """Kappa between the values two versions predicted on up to ``STOP_SET`` items both scored."""
    a = ws.store.predicted_values(prev, limit=STOP_SET * 4)
    b = ws.store.predicted_values(cur, item_ids=list(a))
    common = sorted(set(a) & set(b))[:STOP_SET]
    if not common:
        return None
    codes: dict[Hashable, int] = {}

    def code(value: Mapping[str, Any]) -> int:
        return codes.setdefault(ws.spec.canonical(value), len(codes))

    return cohen_kappa(np.array([code(a[i]) for i in common]), np.array([code(b[i]) for i in common]))
