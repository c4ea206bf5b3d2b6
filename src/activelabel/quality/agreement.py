"""Inter-annotator agreement for a project, per task kind, per annotator pair, per label and over time.

- classification: Cohen's kappa per pair; Fleiss' kappa and Krippendorff's alpha over all raters;
- NER: exact-span F1 per pair and token-level kappa;
- detection: box F1 at IoU >= 0.5 with the same label;
- transcription: word error rate between annotators (lower is better).

Every figure carries the ids of the items behind it (``items``, and ``disagreements`` where that
is defined), so a number on the dashboard is one click from the evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from activelabel.quality import metrics as m
from activelabel.quality.answers import NOT_PEOPLE, Answer, canonical, people_answers
from activelabel.types import TaskKind

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

PairRow = tuple[str, dict[str, Any], dict[str, Any], str]  # item id, value of a, value of b, item text

MAIN_METRIC = {
    TaskKind.CLASSIFICATION: "cohen_kappa", TaskKind.AUDIO_CLASSIFICATION: "cohen_kappa",
    TaskKind.NER: "span_f1", TaskKind.DETECTION: "box_f1", TaskKind.TRANSCRIPTION: "wer",
}


def _is_class(task: TaskKind) -> bool:
    return task in (TaskKind.CLASSIFICATION, TaskKind.AUDIO_CLASSIFICATION)


def pair_score(task: TaskKind, rows: Sequence[PairRow], label: str | None = None,
               iou_threshold: float = 0.5) -> dict[str, Any]:
    """The agreement of two annotators over the items they both answered."""
    items = [r[0] for r in rows]
    differ = [r[0] for r in rows if canonical(task, r[1]) != canonical(task, r[2])]
    out: dict[str, Any] = {"n_items": len(rows), "items": items, "disagreements": differ}
    if _is_class(task):
        a = [r[1].get("label") for r in rows]
        b = [r[2].get("label") for r in rows]
        if label is not None:
            a, b = [x == label for x in a], [x == label for x in b]
        out["value"] = m.cohen_kappa(a, b)
        out["observed_agreement"] = (sum(x == y for x, y in zip(a, b, strict=True)) / len(rows)) if rows else None
    elif task is TaskKind.NER:
        matched = n_a = n_b = 0
        tags_a: list[str] = []
        tags_b: list[str] = []
        for _, va, vb, text in rows:
            sa, sb = m.span_set(va, label), m.span_set(vb, label)
            matched, n_a, n_b = matched + len(sa & sb), n_a + len(sa), n_b + len(sb)
            tags_a += m.token_tags(text, sa)
            tags_b += m.token_tags(text, sb)
        out["value"] = m.f1_from_counts(matched, n_a, n_b)
        out["token_kappa"] = m.cohen_kappa(tags_a, tags_b)
        out["spans"] = {"matched": matched, "a": n_a, "b": n_b}
    elif task is TaskKind.DETECTION:
        matched = n_a = n_b = 0
        for _, va, vb, _text in rows:
            ba, bb = m.boxes_of(va, label), m.boxes_of(vb, label)
            matched, n_a, n_b = matched + m.match_boxes(ba, bb, iou_threshold), n_a + len(ba), n_b + len(bb)
        out["value"] = m.f1_from_counts(matched, n_a, n_b)
        out["boxes"] = {"matched": matched, "a": n_a, "b": n_b}
    else:
        out["value"] = m.symmetric_wer([str(r[1].get("text", "")) for r in rows],
                                       [str(r[2].get("text", "")) for r in rows]) if rows else None
    return out


def _pair_rows(multi: dict[str, dict[str, Answer]], texts: dict[str, str], a: str, b: str) -> list[PairRow]:
    return [(iid, by[a].value, by[b].value, texts.get(iid, "")) for iid, by in multi.items() if a in by and b in by]


def _all_pair_rows(multi: dict[str, dict[str, Answer]], texts: dict[str, str]) -> list[PairRow]:
    rows: list[PairRow] = []
    for iid, by in multi.items():
        for a, b in m.pairs_of(list(by)):
            rows.append((iid, by[a].value, by[b].value, texts.get(iid, "")))
    return rows


def overall_score(task: TaskKind, multi: dict[str, dict[str, Answer]], texts: dict[str, str],
                  label: str | None = None) -> dict[str, Any]:
    """Agreement over every item with two or more answers, all raters together."""
    items = list(multi)
    if _is_class(task):
        units = [[a.value.get("label") for a in by.values()] for by in multi.values()]
        if label is not None:  # one label against the rest, over all items; the items shown are its own
            items = [items[i] for i, u in enumerate(units) if label in u]
            units = [[x == label for x in u] for u in units]
        out = {"krippendorff_alpha": m.krippendorff_alpha(units), "fleiss_kappa": m.fleiss_kappa(units),
               "observed_agreement": m.observed_agreement(units)}
        out["value"] = out["krippendorff_alpha"]
        differ = [iid for iid, by in multi.items() if len({canonical(task, a.value) for a in by.values()}) > 1]
        return {**out, "n_items": len(items), "items": items,
                "disagreements": [i for i in differ if i in set(items)]}
    pooled = pair_score(task, _all_pair_rows(multi, texts), label)
    if task is TaskKind.NER:  # token-level Fleiss over all raters of each token
        tokens: list[list[str]] = []
        for iid, by in multi.items():
            tag_lists = [m.token_tags(texts.get(iid, ""), m.span_set(a.value, label)) for a in by.values()]
            tokens += [list(col) for col in zip(*tag_lists, strict=True)]
        pooled["token_fleiss_kappa"] = m.fleiss_kappa(tokens)
    pooled["items"] = sorted(set(pooled["items"]), key=list(multi).index)
    pooled["disagreements"] = sorted(set(pooled["disagreements"]), key=list(multi).index)
    pooled["n_items"] = len(pooled["items"])
    return pooled


def _labels_of(task: TaskKind, labels: Sequence[str]) -> list[str]:
    return [] if task is TaskKind.TRANSCRIPTION else list(labels)


def agreement_report(project: Workspace, *, window: int = 50, exclude: Iterable[str] = NOT_PEOPLE) -> dict[str, Any]:
    """All agreement figures of a project as one JSON-ready dict."""
    task = project.task
    answers = people_answers(project, exclude)
    multi = {iid: by for iid, by in answers.items() if len(by) >= 2}
    texts = ({iid: it.content for iid, it in project.store.get_items(list(multi)).items()}
             if task is TaskKind.NER else {})
    annotators = sorted({a for by in multi.values() for a in by})
    pairs = []
    for a, b in m.pairs_of(annotators):
        rows = _pair_rows(multi, texts, a, b)
        if rows:
            pairs.append({"annotators": [a, b], **pair_score(task, rows)})
    per_annotator: dict[str, dict[str, Any]] = {}
    for name in annotators:
        mine = [p for p in pairs if name in p["annotators"] and p["value"] is not None]
        n = sum(p["n_items"] for p in mine)
        mean = sum(p["value"] * p["n_items"] for p in mine) / n if n else None
        per_annotator[name] = {"mean_pair_value": mean, "n_items": sum(name in by for by in multi.values()),
                               "pairs": len(mine)}
    per_label = [{"label": lab, **overall_score(task, multi, texts, lab)}
                 for lab in _labels_of(task, project.config.labels)]
    ordered = sorted(multi, key=lambda iid: max(a.created_at for a in multi[iid].values()))
    over_time = []
    for start in range(0, len(ordered), max(1, window)):
        chunk = {iid: multi[iid] for iid in ordered[start:start + window]}
        times = [a.created_at for by in chunk.values() for a in by.values()]
        over_time.append({"from": min(times), "to": max(times), **overall_score(task, chunk, texts)})
    return {
        "task": task.value, "metric": MAIN_METRIC[task], "better": "lower" if task is TaskKind.TRANSCRIPTION else "higher",
        "n_items_overlap": len(multi), "annotators": annotators, "overall": overall_score(task, multi, texts),
        "pairs": pairs, "per_annotator": per_annotator, "per_label": per_label, "over_time": over_time,
        "window": window,
    }
