"""Label Studio for response ranking: a ``List`` of the responses and a ``Ranker`` on it.

Label Studio's ranking template stores a ranking as ``{"ranker": {"<Ranker name>": [ids best first]}}``
with one ``id`` per ``List`` item; a rating, when given, is a ``Rating`` result beside it (Label
Studio's ratings are whole numbers from 0; any other rating travels unchanged in the annotation's
``meta``, never rounded). Human answers are annotations; a model's ranking (``--include-predictions``)
is a prediction, never an annotation, so it cannot come back as a person's answer. The reader takes
the same shape back: the first annotation not cancelled is the answer, else the first prediction
is a proposal; a task that cannot be read is one rejection, naming the task, and the rest goes on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import InvalidLabelError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection
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


def _as_ls_rating(rating: float | None) -> int | None:
    """The rating as Label Studio's Rating holds it, or None when it is not a whole number in 0..MAX."""
    if rating is None or rating != int(rating) or not 0 <= rating <= MAX_RATING:
        return None
    return int(rating)


def _results(ranking: Ranking, n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"id": f"r{n}-1", "from_name": RANKER, "to_name": LIST, "type": "ranker",
                                  "value": {"ranker": {RANKER: [response_id(i) for i in ranking.order]}}}]
    rating = _as_ls_rating(ranking.rating)
    if rating is not None:
        out.append({"id": f"r{n}-2", "from_name": RATING, "to_name": PROMPT, "type": "rating",
                    "value": {"rating": rating}})
    return out


def _meta(row: Mapping[str, Any], ranking: Ranking) -> dict[str, Any]:
    meta = {"source": row.get("source"), "annotator": row.get("annotator"), "status": row.get("status")}
    if ranking.rating is not None and _as_ls_rating(ranking.rating) is None:
        meta["rating"] = ranking.rating
    return meta


def build_tasks(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    tasks = []
    for n, row in enumerate(rows, 1):
        item = RankingItem.parse(row["content"])
        data = {"prompt": item.prompt, "activelabel_id": row["id"],
                "items": [{"id": response_id(i), "title": f"Response {i + 1}", "body": text}
                          for i, text in enumerate(item.responses)]}
        task: dict[str, Any] = {"id": n, "data": data}
        if row.get("value") is not None:
            ranking = Ranking.from_json(row["value"]).validate(len(item.responses))
            result = _results(ranking, n)
            if row.get("source") in HUMAN_SOURCES:
                task["annotations"] = [{"id": n, "result": result, "was_cancelled": False,
                                        "ground_truth": row.get("source") == "gold", "meta": _meta(row, ranking)}]
            else:
                task["predictions"] = [{"id": n, "model_version": str(row.get("annotator") or ""),
                                        "score": row.get("confidence"), "result": result, "meta": _meta(row, ranking)}]
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


def _ranking_of(obj: Mapping[str, Any], ids: list[str]) -> Ranking | None:
    """An annotation's or prediction's ranking (None when it holds no ranker result)."""
    results = obj.get("result")
    if not isinstance(results, list):
        raise InvalidLabelError("'result' must be a list")
    ranked = [r for r in results if isinstance(r, Mapping) and r.get("type") == "ranker"]
    if not ranked:
        return None
    inner = (ranked[0].get("value") or {}).get("ranker")
    if not isinstance(inner, Mapping) or len(inner) != 1:
        raise InvalidLabelError(f"a ranker result holds one list of ids, got {inner!r} (buckets are not read)")
    (order_ids,) = inner.values()
    unknown = [x for x in order_ids if x not in ids]
    if unknown:
        raise InvalidLabelError(f"the ranking names ids {unknown} that are not in the task's items {ids}")
    rating: float | None = None
    for r in results:
        if isinstance(r, Mapping) and r.get("type") == "rating":
            rating = float((r.get("value") or {})["rating"])
    meta = obj.get("meta") or {}
    if rating is None and isinstance(meta, Mapping) and meta.get("rating") is not None:
        rating = float(meta["rating"])
    return Ranking(tuple(ids.index(x) for x in order_ids), rating).validate(len(ids))


def _task_record(task: Mapping[str, Any], source: str, n: int) -> ImportRecord:
    data = task.get("data")
    if not isinstance(data, Mapping) or not isinstance(data.get("items"), list):
        raise InvalidLabelError("a ranking task has data.prompt and data.items (a List of {id, body})")
    items = data["items"]
    ids = [str(i["id"]) for i in items]
    if len(set(ids)) != len(ids):
        raise InvalidLabelError(f"the task's item ids repeat: {ids}")
    item = RankingItem(data.get("prompt", ""), tuple(i["body"] for i in items))
    value = prediction = None
    for ann in task.get("annotations") or []:
        if not ann.get("was_cancelled"):
            value = _ranking_of(ann, ids)
            break
    if value is None:
        for pred in task.get("predictions") or []:
            prediction = _ranking_of(pred, ids)
            break
    return ImportRecord(item.content(), "text", value, source=source, line=n, prediction=prediction)


def read_labelstudio(path: Path) -> RecordStream:
    """Label Studio tasks (a JSON array, or a folder with ``tasks.json``) as ranking items and answers."""
    path = path / "tasks.json" if path.is_dir() else path
    source = str(path)
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield Rejection(source, None, f"not a Label Studio tasks file: {exc}")
        return
    if not isinstance(tasks, list):
        yield Rejection(source, None, "a Label Studio tasks file is a JSON array of tasks")
        return
    for n, task in enumerate(tasks, 1):
        try:
            if not isinstance(task, Mapping):
                raise InvalidLabelError("each task must be a JSON object")
            yield _task_record(task, source, n)
        except (InvalidLabelError, KeyError, TypeError, ValueError) as exc:
            yield Rejection(source, n, f"task {n}: {exc}")
