"""Label Studio for response ranking: a ``List`` of the responses and a ``Ranker`` on it.

Label Studio's ranking template stores a ranking as ``{"ranker": {"<Ranker name>": [ids best first]}}``
with one ``id`` per ``List`` item; a rating, when given, is a ``Rating`` result beside it. Human
answers are annotations; a model's ranking (``--include-predictions``) is a prediction, never an
annotation, so it cannot come back as a person's answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.formats.labelstudio import tasks_file
from activelabel.formats.prodigy import HUMAN_SOURCES
from activelabel.preferences import RankingItem
from activelabel.types import Ranking

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

RANKER, LIST, PROMPT, RATING = "rank", "responses", "prompt", "rating"
MAX_RATING = 10

LABEL_CONFIG = f"""<View>
  <Header value="Prompt"/>
  <Text name="{PROMPT}" value="$prompt"/>
  <List name="{LIST}" value="$items" title="Responses, best first"/>
  <Ranker name="{RANKER}" toName="{LIST}"/>
  <Rating name="{RATING}" toName="{PROMPT}" maxRating="{MAX_RATING}"/>
</View>
"""


def response_id(index: int) -> str:
    return f"r{index}"


def _results(row: Mapping[str, Any], n: int, responses: int) -> list[dict[str, Any]]:
    ranking = Ranking.from_json(row["value"]).validate(responses)
    out: list[dict[str, Any]] = [{"id": f"r{n}-1", "from_name": RANKER, "to_name": LIST, "type": "ranker",
                                  "value": {"ranker": {RANKER: [response_id(i) for i in ranking.order]}}}]
    if ranking.rating is not None:
        out.append({"id": f"r{n}-2", "from_name": RATING, "to_name": PROMPT, "type": "rating",
                    "value": {"rating": max(0, min(MAX_RATING, round(ranking.rating)))}})
    return out


def build_tasks(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    tasks = []
    for n, row in enumerate(rows, 1):
        item = RankingItem.parse(row["content"])
        data = {"prompt": item.prompt, "activelabel_id": row["id"],
                "items": [{"id": response_id(i), "title": f"Response {i + 1}", "body": text}
                          for i, text in enumerate(item.responses)]}
        task: dict[str, Any] = {"id": n, "data": data}
        if row.get("value") is not None:
            result = _results(row, n, len(item.responses))
            if row.get("source") in HUMAN_SOURCES:
                task["annotations"] = [{"id": n, "result": result, "was_cancelled": False,
                                        "ground_truth": row.get("source") == "gold",
                                        "meta": {"source": row.get("source"), "annotator": row.get("annotator"),
                                                 "status": row.get("status")}}]
            else:
                task["predictions"] = [{"id": n, "model_version": str(row.get("annotator") or ""),
                                        "score": row.get("confidence"), "result": result,
                                        "meta": {"source": row.get("source")}}]
        tasks.append(task)
    return tasks


def export_labelstudio(project: Workspace, out: Path, rows: list[dict[str, Any]]) -> int:
    """``export --format labelstudio``: ``tasks.json`` (or OUT itself when it ends in .json) and
    ``label_config.xml`` beside it, to paste into the project's Labeling Interface."""
    path = tasks_file(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(build_tasks(rows), ensure_ascii=False, indent=1), encoding="utf-8")
    (path.parent / "label_config.xml").write_text(LABEL_CONFIG, encoding="utf-8")
    return len(rows)
