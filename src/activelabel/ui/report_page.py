"""The report page: the same QA report as REPORT.md, with the items behind each number one click away.

Shows counts by label and source, agreement (per pair, per label, over time), gold accuracy with
the flag, audits of auto-accepted items, model versions and the labeling cost; any item's label
history; and, for reviewers, the resolution of disagreements and flagged items.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from activelabel.errors import ActiveLabelError
from activelabel.quality.adjudication import history, resolve, review_queue
from activelabel.quality.report import build_report, render_markdown
from activelabel.types import ClassLabel
from activelabel.ui.common import md_escape
from activelabel.ui.dashboard_data import SOURCE_NAMES, count_tiles
from activelabel.ui.page_refresh import follow

if TYPE_CHECKING:
    from activelabel.auth import User
    from activelabel.project import Project


def _num(x: Any, pct: bool = False) -> str:
    if x is None:
        return "-"
    return f"{x:.1%}" if pct else f"{x:.3f}"


def _items_table(project: Project, ids: list[str], limit: int = 200) -> None:
    """The items behind a number: id and content (first ``limit``)."""
    items = project.store.get_items(ids[:limit])
    st.dataframe(pd.DataFrame([{"id": i, "content": items[i].content[:200]} for i in ids[:limit] if i in items]),
                 hide_index=True, width="stretch")
    if len(ids) > limit:
        st.caption(f"... and {len(ids) - limit} more (see report.json)")


def _agreement(project: Project, ag: dict[str, Any]) -> None:
    st.markdown(f"#### Agreement · {ag['metric']} ({ag['better']} is better)")
    ov = ag["overall"]
    cols = st.columns(3)
    cols[0].metric("Items with 2+ annotators", ag["n_items_overlap"])
    if "krippendorff_alpha" in ov:
        cols[1].metric("Krippendorff's alpha", _num(ov["krippendorff_alpha"]))
        cols[2].metric("Fleiss' kappa", _num(ov["fleiss_kappa"]))
    else:
        cols[1].metric(f"Overall {ag['metric']}", _num(ov.get("value")))
        if "token_fleiss_kappa" in ov:
            cols[2].metric("Token-level kappa", _num(ov["token_fleiss_kappa"]))
    if not ag["pairs"]:
        st.info("No item has answers from two people yet: set `quality.overlap_share` in the settings.")
        return
    st.dataframe(pd.DataFrame([{"pair": " / ".join(p["annotators"]), "items": p["n_items"],
                                ag["metric"]: p["value"], "disagreements": len(p["disagreements"])}
                               for p in ag["pairs"]]), hide_index=True, width="stretch")
    for p in ag["pairs"]:
        with st.expander(f"{md_escape(' / '.join(p['annotators']))}: the {len(p['disagreements'])} disagreements"):
            _items_table(project, p["disagreements"])
    if ag["per_label"]:
        st.markdown("Per label")
        st.dataframe(pd.DataFrame([{"label": lab["label"], "items": lab["n_items"], "agreement": lab["value"]}
                                   for lab in ag["per_label"]]), hide_index=True, width="stretch")
    if len(ag["over_time"]) > 1:
        st.markdown(f"Over time (windows of {ag['window']} items)")
        chart = pd.DataFrame({"window": range(1, len(ag["over_time"]) + 1),
                              "agreement": [w["value"] for w in ag["over_time"]]})
        st.line_chart(chart, x="window", y="agreement")
        st.caption("Windows in the order the items were completed; report.json gives each window's times and items.")


def _gold(project: Project, gold: dict[str, Any]) -> None:
    st.markdown("#### Gold accuracy")
    for name in gold["flagged"]:
        st.error(f"**{md_escape(name)}**: {gold['annotators'][name]['reason']}", icon=":material/flag:")
    if not gold["annotators"]:
        st.info(f"{gold['n_gold_items']} gold items; no answers on them yet (`import --as-gold`, "
                "`quality.gold_rate`).")
        return
    st.dataframe(pd.DataFrame([{"annotator": n, "gold answers": a["n_gold"], "accuracy": a["accuracy"],
                                "recent": a["recent_accuracy"], "flag": "FLAGGED" if a["flagged"] else "ok"}
                               for n, a in gold["annotators"].items()]), hide_index=True, width="stretch")
    for n, a in gold["annotators"].items():
        if a["wrong"]:
            with st.expander(f"{md_escape(n)}: {len(a['wrong'])} gold items answered wrongly"):
                _items_table(project, a["wrong"])


def _history(project: Project) -> None:
    st.markdown("#### Label history")
    item_id = st.text_input("Item id", key="al_report_history_id").strip()
    if not item_id:
        return
    try:
        events = history(project, item_id)
    except ActiveLabelError as exc:
        st.warning(str(exc))
        return
    st.dataframe(pd.DataFrame([{"when (UTC)": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(e["at"])),
                                "who": e["who"], "event": e["event"], "value": json.dumps(e["value"]),
                                "changed": e["changed"]} for e in events]), hide_index=True, width="stretch")


def _resolve(project: Project, user: User, flagged: list[str]) -> None:
    st.markdown("#### Resolve disagreements and flagged items")
    queue = review_queue(project, flagged)
    if not queue:
        st.success("Nothing to resolve.")
        return
    rows = {r["item_id"]: r for r in queue[:200]}
    order = list(rows)
    choice = st.selectbox("Item", order, key="al_report_resolve_item",
                          format_func=lambda i: f"#{order.index(i) + 1} · {', '.join(rows[i]['reasons'])} · "
                                                f"{' '.join(rows[i]['content'].split())[:60]}")
    row = rows[choice]
    st.caption(f"item {row['item_id']}")
    st.text(row["content"])  # item text is data: never rendered as Markdown
    st.json(row["answers"], expanded=False)
    if project.spec.single_label:
        value: Any = st.radio("Resolved label", project.config.labels, horizontal=True, key="al_report_resolve_label")
    else:
        first: dict[str, Any] = next(iter(row["answers"].values()), {})
        value = st.text_area("Resolved value (JSON, or a transcript)", json.dumps(first), key="al_report_resolve_json")
    note = st.text_input("Note", key="al_report_resolve_note")
    if st.button("Resolve", type="primary", key="al_report_resolve_btn"):
        try:
            payload = ClassLabel(value) if isinstance(value, str) and value in project.config.labels \
                else project.spec.parse_value(value)
            resolve(project, row["item_id"], payload, user.name, note)
        except ActiveLabelError as exc:
            st.error(str(exc))
        else:
            st.success(f"Resolved {row['item_id']}; this label is the one exported.")


def render(project: Project, user: User | None) -> None:
    """The report page; any signed-in user may read it, reviewers may resolve."""
    if user is None:
        st.info("Sign in to see the report.")
        return
    follow(project, "report")  # a promotion or a new ranking redraws the report
    report = build_report(project)
    c, cost, au = report["counts"], report["cost"], report["audits"]
    st.markdown(f"#### Report · {md_escape(project.config.name)}")
    tiles = count_tiles(project)  # the dashboard's counts, by the same definition
    for col, (title, value, what) in zip(st.columns(len(tiles)), tiles):
        col.metric(title, value, help=what)
    cols = st.columns(len(tiles))  # a second row, so that no title is cut short
    cols[0].metric("Hours spent", f"{cost['seconds'] / 3600:.2f}", help="the sum of the answers' recorded durations")
    cols[1].metric("Audit precision", _num(au["precision"], pct=True),
                    help="audited auto-accepted items whose label the person confirmed")
    cols[2].metric("Flagged annotators", len(report["gold"]["flagged"]), help="below the gold accuracy bar")
    st.download_button("REPORT.md", render_markdown(report), file_name="REPORT.md", key="al_report_md")
    st.download_button("report.json", json.dumps(report, indent=1, default=str), file_name="report.json",
                       key="al_report_json")
    st.markdown("#### Counts by label and source")
    by_label = pd.DataFrame(c["by_label"]).T.fillna(0).astype(int)
    st.dataframe(by_label.rename(columns=SOURCE_NAMES).rename_axis("label"), width="stretch")
    _agreement(project, report["agreement"])
    _gold(project, report["gold"])
    st.markdown(f"#### Audits of auto-accepted items: {au['agree']} of {au['audited']} confirmed")
    if au["per_version"]:
        st.dataframe(pd.DataFrame([{"version": v, **{k: d[k] for k in ("audited", "agree", "precision")}}
                                   for v, d in sorted(au["per_version"].items())]), hide_index=True)
    st.markdown("#### Model versions")
    st.dataframe(pd.DataFrame([{"version": v["id"], "status": v["status"], "trained on": v["n_train"],
                                "metric": (v["metrics"] or {}).get("metric")} for v in report["model_versions"]]),
                 hide_index=True)
    st.markdown("#### Labeling cost")
    st.dataframe(pd.DataFrame([{"annotator": n, "answers": p["answers"], "of them skipped": p["skipped"],
                                "of them undone": p["revoked"], "hours": p["seconds"] / 3600} for n, p in cost["per_annotator"].items()]),
                 hide_index=True)
    _history(project)
    if user.has("reviewer"):
        _resolve(project, user, report["gold"]["flagged"])
