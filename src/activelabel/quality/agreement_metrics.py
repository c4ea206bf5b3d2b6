"""Agreement metrics, one per answer shape; a task spec names the one that fits its answers.

- classes: Cohen's kappa per pair; Krippendorff's alpha and Fleiss' kappa over all raters;
- spans: exact-span F1 per pair and token-level kappa (token-level Fleiss over all raters);
- boxes: box F1 at IoU >= 0.5 with the same label;
- transcripts: word error rate between annotators (lower is better).

Each metric works on stored JSON values and knows nothing of projects or stores, so a task kind
from another package can reuse one or bring its own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from activelabel.quality import metrics as m

PairRow = tuple[str, dict[str, Any], dict[str, Any], str]  # item id, value of a, value of b, item text
Canonical = Callable[[Mapping[str, Any] | None], Hashable]


class RaterAnswer(Protocol):
    @property
    def value(self) -> dict[str, Any]: ...


Multi = Mapping[str, Mapping[str, RaterAnswer]]  # item id -> annotator -> answer


class AgreementMetric(Protocol):
    @property
    def name(self) -> str:
        """The headline figure, e.g. "cohen_kappa"."""

    @property
    def better(self) -> str:
        """ "higher" or "lower"."""

    @property
    def needs_text(self) -> bool:
        """Whether the item text is needed (token-level figures)."""

    @property
    def per_label(self) -> bool:
        """Whether per-label figures make sense."""

    def pair(self, rows: Sequence[PairRow], label: str | None, iou_threshold: float) -> dict[str, Any]:
        """The metric's figures for two annotators over the items they both answered."""

    def overall(self, multi: Multi, texts: Mapping[str, str], label: str | None,
                canonical: Canonical) -> dict[str, Any] | None:
        """All raters together, where the metric has its own pooled form; None pools the pairs."""

    def pooled_extra(self, multi: Multi, texts: Mapping[str, str], label: str | None) -> dict[str, Any]:
        """Extra all-rater figures added to the pooled pair figures."""


@dataclass(frozen=True)
class PooledPairs:
    """A metric whose all-rater figure is its pair figure over every pair of raters, pooled."""

    def overall(self, multi: Multi, texts: Mapping[str, str], label: str | None,
                canonical: Canonical) -> dict[str, Any] | None:
        return None

    def pooled_extra(self, multi: Multi, texts: Mapping[str, str], label: str | None) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class ClassAgreement:
    name: str = "cohen_kappa"
    better: str = "higher"
    needs_text: bool = False
    per_label: bool = True

    def pair(self, rows: Sequence[PairRow], label: str | None, iou_threshold: float) -> dict[str, Any]:
        a = [r[1].get("label") for r in rows]
        b = [r[2].get("label") for r in rows]
        if label is not None:
            a, b = [x == label for x in a], [x == label for x in b]
        observed = (sum(x == y for x, y in zip(a, b, strict=True)) / len(rows)) if rows else None
        return {"value": m.cohen_kappa(a, b), "observed_agreement": observed}

    def overall(self, multi: Multi, texts: Mapping[str, str], label: str | None,
                canonical: Canonical) -> dict[str, Any] | None:
        items = list(multi)
        units = [[a.value.get("label") for a in by.values()] for by in multi.values()]
        if label is not None:  # one label against the rest, over all items; the items shown are its own
            items = [items[i] for i, u in enumerate(units) if label in u]
            units = [[x == label for x in u] for u in units]
        out: dict[str, Any] = {"krippendorff_alpha": m.krippendorff_alpha(units),
                               "fleiss_kappa": m.fleiss_kappa(units),
                               "observed_agreement": m.observed_agreement(units)}
        out["value"] = out["krippendorff_alpha"]
        differ = [iid for iid, by in multi.items() if len({canonical(a.value) for a in by.values()}) > 1]
        shown = set(items)
        return {**out, "n_items": len(items), "items": items, "disagreements": [i for i in differ if i in shown]}

    def pooled_extra(self, multi: Multi, texts: Mapping[str, str], label: str | None) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class SpanAgreement(PooledPairs):
    name: str = "span_f1"
    better: str = "higher"
    needs_text: bool = True
    per_label: bool = True

    def pair(self, rows: Sequence[PairRow], label: str | None, iou_threshold: float) -> dict[str, Any]:
        matched = n_a = n_b = 0
        tags_a: list[str] = []
        tags_b: list[str] = []
        for _, va, vb, text in rows:
            sa, sb = m.span_set(va, label), m.span_set(vb, label)
            matched, n_a, n_b = matched + len(sa & sb), n_a + len(sa), n_b + len(sb)
            tags_a += m.token_tags(text, sa)
            tags_b += m.token_tags(text, sb)
        return {"value": m.f1_from_counts(matched, n_a, n_b), "token_kappa": m.cohen_kappa(tags_a, tags_b),
                "spans": {"matched": matched, "a": n_a, "b": n_b}}

    def pooled_extra(self, multi: Multi, texts: Mapping[str, str], label: str | None) -> dict[str, Any]:
        tokens: list[list[str]] = []  # token-level Fleiss over all raters of each token
        for iid, by in multi.items():
            tag_lists = [m.token_tags(texts.get(iid, ""), m.span_set(a.value, label)) for a in by.values()]
            tokens += [list(col) for col in zip(*tag_lists, strict=True)]
        return {"token_fleiss_kappa": m.fleiss_kappa(tokens)}


@dataclass(frozen=True)
class BoxAgreement(PooledPairs):
    name: str = "box_f1"
    better: str = "higher"
    needs_text: bool = False
    per_label: bool = True

    def pair(self, rows: Sequence[PairRow], label: str | None, iou_threshold: float) -> dict[str, Any]:
        matched = n_a = n_b = 0
        for _, va, vb, _text in rows:
            ba, bb = m.boxes_of(va, label), m.boxes_of(vb, label)
            matched, n_a, n_b = matched + m.match_boxes(ba, bb, iou_threshold), n_a + len(ba), n_b + len(bb)
        return {"value": m.f1_from_counts(matched, n_a, n_b), "boxes": {"matched": matched, "a": n_a, "b": n_b}}


@dataclass(frozen=True)
class TranscriptAgreement(PooledPairs):
    name: str = "wer"
    better: str = "lower"
    needs_text: bool = False
    per_label: bool = False

    def pair(self, rows: Sequence[PairRow], label: str | None, iou_threshold: float) -> dict[str, Any]:
        value = m.symmetric_wer([str(r[1].get("text", "")) for r in rows],
                                [str(r[2].get("text", "")) for r in rows]) if rows else None
        return {"value": value}
