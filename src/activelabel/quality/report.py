"""The QA report of a project: what the data set holds, how it was made and how far to trust it.

``build_report`` gathers counts by label and by source (human, gold, auto, model), agreement,
gold accuracy, the audits of auto-accepted items, model versions and the labeling cost into one
JSON-ready dict; ``render_markdown`` turns it into ``REPORT.md``. The UI's report page shows the
same dict.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from activelabel.labels import resolve_labels
from activelabel.quality.adjudication import review_queue
from activelabel.quality.agreement import agreement_report
from activelabel.quality.answers import canonical, is_person
from activelabel.quality.counts import headline_counts
from activelabel.quality.gold import gold_report
from activelabel.store.repository import HUMAN_ANSWERED, HUMAN_LABELED

if TYPE_CHECKING:
    from activelabel.workspace import Workspace


def label_counts(project: Workspace, include_model: bool = True) -> dict[str, Any]:
    """Items by source, and label occurrences by source (spans and boxes count one each)."""
    task_spec = project.spec
    final = resolve_labels(project)
    by_source: Counter[str] = Counter(f.source for f in final.values())
    by_label: dict[str, Counter[str]] = {}
    for f in final.values():
        for lab in task_spec.labels_in(f.value):
            by_label.setdefault(lab, Counter())[f.source] += 1
    version = project.store.current_version()
    if include_model and version:
        pool = [it.id for page in project.store.iter_pool(exclude_human_labeled=False) for it in page]
        rest = [i for i in pool if i not in final]
        for p in project.store.predictions_for(version, rest).values():
            by_source["model"] += 1
            for lab in task_spec.labels_in(p["value"]):
                by_label.setdefault(lab, Counter())["model"] += 1
    return {"items": project.store.item_count(), "by_source": dict(by_source),
            "by_label": {k: dict(v) for k, v in sorted(by_label.items())},
            "adjudicated": sum(f.status == "adjudicated" for f in final.values()),
            "agreed": sum(f.status == "agreed" for f in final.values()),
            "majority_vote": sum(f.status == "majority" for f in final.values()),
            "unresolved_ties": sum(f.status == "tie" for f in final.values())}


def audit_results(project: Workspace) -> dict[str, Any]:
    """Audited auto-accepted items: the person's answer against the auto label, per model version."""
    task = project.task
    store = project.store
    audits = store.audit_entries()
    audited = sorted({item_id for item_id, _ in audits})
    autos = {(r.item_id, r.round_id): r for r in store.answer_records(item_ids=audited, statuses=["auto"])}
    humans = [r for r in store.answer_records(item_ids=audited, statuses=HUMAN_ANSWERED, live_only=True)
              if is_person(r.annotator)]
    checked: dict[str, dict[str, Any]] = {}
    for item_id, round_id in audits:
        auto = autos.get((item_id, round_id))
        answer = next((h for h in humans if h.item_id == item_id and h.created_at >= (auto.created_at if auto else 0)),
                      None)
        if auto is None or answer is None or item_id in checked:
            continue
        agree = answer.status in HUMAN_LABELED and canonical(task, answer.value) == canonical(task, auto.value)
        checked[item_id] = {"item_id": item_id, "model_version": auto.model_version, "auto": auto.value,
                            "human": answer.value, "annotator": answer.annotator, "agree": bool(agree)}
    per_version: dict[str, dict[str, Any]] = {}
    for c in checked.values():
        v = per_version.setdefault(c["model_version"] or "-", {"audited": 0, "agree": 0, "wrong_items": []})
        v["audited"] += 1
        v["agree"] += c["agree"]
        if not c["agree"]:
            v["wrong_items"].append(c["item_id"])
    for v in per_version.values():
        v["precision"] = v["agree"] / v["audited"]
    n = len(checked)
    return {"audited": n, "agree": sum(c["agree"] for c in checked.values()),
            "precision": (sum(c["agree"] for c in checked.values()) / n) if n else None,
            "per_version": per_version, "items": list(checked.values())}


def labeling_cost(project: Workspace) -> dict[str, Any]:
    """People's answers and time spent (from each answer's duration), per annotator.

    ``answers`` counts as the headline "Answers" does (skips and undone answers included, imports not);
    ``skipped`` and ``revoked`` say how many of them were skips and undone."""
    per: dict[str, dict[str, Any]] = {}
    for r in project.store.all_annotations():
        if not is_person(r["annotator"]) or r["status"] not in HUMAN_ANSWERED + ("skipped",):
            continue
        p = per.setdefault(r["annotator"], {"answers": 0, "skipped": 0, "revoked": 0, "seconds": 0.0,
                                            "answers_without_duration": 0})
        p["answers"] += 1
        p["skipped"] += r["status"] == "skipped"
        p["revoked"] += r["revoked_at"] is not None
        if r["duration_s"] is None:
            p["answers_without_duration"] += 1
        else:
            p["seconds"] += float(r["duration_s"])
    return {"answers": sum(p["answers"] for p in per.values()),
            "seconds": sum(p["seconds"] for p in per.values()),
            "answers_without_duration": sum(p["answers_without_duration"] for p in per.values()),
            "per_annotator": per}


def build_report(project: Workspace) -> dict[str, Any]:
    """Everything REPORT.md and the report page show, as one JSON-ready dict."""
    gold = gold_report(project)
    versions = [{k: getattr(v, k) for k in ("id", "status", "n_train", "n_validation", "metrics", "created_at",
                                             "finished_at", "message")} for v in project.store.list_versions()]
    return {
        "project": project.config.name, "task": project.task, "labels": project.config.labels,
        "generated_at": time.time(), "current_version": project.store.current_version(),
        "headline": [{"title": title, "count": n, "what": what} for title, n, what in headline_counts(project.store)],
        "counts": label_counts(project), "agreement": agreement_report(project), "gold": gold,
        "audits": audit_results(project), "model_versions": versions, "cost": labeling_cost(project),
        "open_reviews": len(review_queue(project, gold["flagged"])),
        "quality_settings": project.config.quality.model_dump(),
    }


def _fmt(x: Any, pct: bool = False) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.1%}" if pct else f"{x:.3f}"
    return str(x)


def render_markdown(report: dict[str, Any]) -> str:
    """REPORT.md: the same figures as report.json, for people."""
    c, ag, gold, au, cost = report["counts"], report["agreement"], report["gold"], report["audits"], report["cost"]
    out = [f"# Data set report: {report['project']}", "",
           f"Task: **{report['task']}**. Labels: {', '.join(report['labels']) or '-'}. "
           f"Current model: {report['current_version'] or 'none'}. "
           f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(report['generated_at']))}.", "",
           "## Counts", "", " · ".join(f"{h['title']} {'many' if h['count'] < 0 else h['count']}"
                                        for h in report["headline"]) + " (as on the dashboard).", "",
           f"{c['items']} items. By source: "
           + (", ".join(f"{k} {v}" for k, v in sorted(c["by_source"].items())) or "none")
           + f". Several people agreed on {c['agreed']}; adjudicated {c['adjudicated']}; decided by majority vote "
           f"{c['majority_vote']}; unresolved ties (the latest answer ships) {c['unresolved_ties']}.", "",
           "| label | " + " | ".join(("human", "gold", "auto", "model")) + " |", "|---|---|---|---|---|"]
    for lab, per in c["by_label"].items():
        out.append(f"| {lab} | " + " | ".join(str(per.get(k, 0)) for k in ("human", "gold", "auto", "model")) + " |")
    ov = ag["overall"]
    out += ["", "## Agreement", "",
            f"{ag['n_items_overlap']} items answered by two or more people ({', '.join(ag['annotators']) or '-'}); "
            f"metric {ag['metric']} ({ag['better']} is better)."]
    if "krippendorff_alpha" in ov:  # the class metric pools all raters its own way
        out.append(f"Krippendorff's alpha {_fmt(ov.get('krippendorff_alpha'))}, Fleiss' kappa "
                   f"{_fmt(ov.get('fleiss_kappa'))}, observed agreement {_fmt(ov.get('observed_agreement'), True)}.")
    else:
        out.append(f"Overall {ag['metric']}: {_fmt(ov.get('value'))}"
                   + (f", token-level kappa {_fmt(ov.get('token_fleiss_kappa'))}" if "token_fleiss_kappa" in ov else "")
                   + ".")
    out += ["", "| pair | items | value | disagreements |", "|---|---|---|---|"]
    out += [f"| {' / '.join(p['annotators'])} | {p['n_items']} | {_fmt(p['value'])} | {len(p['disagreements'])} |"
            for p in ag["pairs"]]
    out += ["", "## Gold accuracy", "",
            f"{gold['n_gold_items']} gold items, mixed in at {gold['gold_rate']:.0%}; flag below "
            f"{gold['threshold']:.0%} after {gold['min_answers']} gold answers.", "",
            "| annotator | gold answers | accuracy | recent | flag |", "|---|---|---|---|---|"]
    out += [f"| {n} | {a['n_gold']} | {_fmt(a['accuracy'], True)} | {_fmt(a['recent_accuracy'], True)} | "
            f"{'**FLAGGED**: ' + a['reason'] if a['flagged'] else 'ok'} |" for n, a in gold["annotators"].items()]
    out += ["", "## Audits of auto-accepted items", "",
            f"{au['audited']} audited, {au['agree']} confirmed (precision {_fmt(au['precision'], True)})."]
    out += [f"- {v}: {d['agree']}/{d['audited']} confirmed" for v, d in sorted(au["per_version"].items())]
    out += ["", "## Model versions", "", "| version | status | trained on | held-out metric |", "|---|---|---|---|"]
    out += [f"| {v['id']} | {v['status']} | {v['n_train']} | {_fmt((v['metrics'] or {}).get('metric'))} |"
            for v in report["model_versions"]]
    out += ["", "## Labeling cost", "",
            f"{cost['answers']} answers by people (skips and undone ones included), "
            f"{cost['seconds'] / 3600:.2f} hours recorded"
            + (f" ({cost['answers_without_duration']} answers without a duration)"
               if cost["answers_without_duration"] else "") + ".", "",
            "| annotator | answers | of them skipped | of them undone | hours |", "|---|---|---|---|---|"]
    out += [f"| {n} | {p['answers']} | {p['skipped']} | {p['revoked']} | {p['seconds'] / 3600:.2f} |"
            for n, p in sorted(cost["per_annotator"].items())]
    out += ["", f"Open review items: {report['open_reviews']}.", ""]
    return "\n".join(out)
