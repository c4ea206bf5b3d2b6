"""Ranking items in and preference pairs out: the JSONL reader and the TRL/DPO writers.

A ``.json`` file or a folder is read as Label Studio tasks instead (``ranking_labelstudio``).

Each input line is one of:

- an item ``{"prompt": ..., "responses": [...]}`` with an optional answer: ``order`` (response
  indices, best first), or ``chosen``/``rejected`` (indices or response texts) for two responses,
  and an optional ``rating``;
- an activelabel JSONL export line: ``text`` holding the item's JSON and ``value`` its answer;
- a preference pair in TRL's standard preference shape ``{"prompt", "chosen", "rejected"}``. The
  pairs of one prompt (or of one ``id``, where the lines carry one) are read together as one item:
  its responses are the texts the pairs name (by ``chosen_index``/``rejected_index`` where given,
  else in order of appearance) and its order the one the pairs state. A single pair is the ranking of
  two; pairs that leave the order open or contradict each other are rejected.

The DPO writers emit one line per pair a ranking implies (best over each worse response, k(k-1)/2
lines for k responses) with ``prompt``, ``chosen`` and ``rejected`` strings -- what TRL's
``DPOTrainer`` reads -- plus the item ``id``, the two response indices and the label's provenance.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import FormatError, InvalidLabelError
from activelabel.formats.base import ImportRecord, RecordStream, Rejection
from activelabel.formats.tabular import write_jsonl
from activelabel.preferences import RankingItem, implied_pairs, order_from_pairs
from activelabel.types import Ranking

if TYPE_CHECKING:
    from activelabel.workspace import Workspace

FORMATS = ("auto", "jsonl", "dpo", "labelstudio")
PROVENANCE = ("source", "annotator", "status")


@dataclass
class _PairGroup:
    """The DPO lines of one prompt, gathered until the file ends."""

    prompt: str
    first_line: int
    responses: dict[int, str] = field(default_factory=dict)
    pairs: list[tuple[int, int]] = field(default_factory=list)
    indexed: bool = False

    def index_of(self, text: str, given: object) -> int:
        if isinstance(given, int) and not isinstance(given, bool):
            self.indexed = True
            known = self.responses.setdefault(given, text)
            if known != text:
                raise InvalidLabelError(f"response index {given} names two different texts")
            return given
        for i, known in self.responses.items():
            if known == text:
                return i
        i = len(self.responses)
        self.responses[i] = text
        return i


def _answer(row: Mapping[str, Any], item: RankingItem) -> Ranking | None:
    """The line's ranking, if it has one: ``order``, or ``chosen``/``rejected`` of two responses."""
    rating = row.get("rating")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, (int, float))):
        raise InvalidLabelError(f"rating must be a number, got {rating!r}")
    if "order" in row:
        return Ranking.from_json({"order": row["order"], "rating": rating})
    if "chosen" not in row and "rejected" not in row:
        return None
    if len(item.responses) != 2:
        raise InvalidLabelError(f"chosen/rejected rank two responses and this item has {len(item.responses)}; "
                                "give its full order as order=[best, ..., worst]")
    chosen = _response_index(row.get("chosen"), item, "chosen")
    rejected = _response_index(row.get("rejected"), item, "rejected")
    return Ranking((chosen, rejected), None if rating is None else float(rating))


def _response_index(given: object, item: RankingItem, key: str) -> int:
    if isinstance(given, int) and not isinstance(given, bool):
        return given
    if isinstance(given, str) and given in item.responses:
        return item.responses.index(given)
    raise InvalidLabelError(f"{key} must be a response index or one of the responses' texts, got {given!r}")


def _item_record(row: Mapping[str, Any], source: str, line: int) -> ImportRecord:
    if "prompt" in row:
        responses = row.get("responses")
        if not isinstance(responses, list):
            raise InvalidLabelError("responses must be a list of strings")
        item = RankingItem(row["prompt"], tuple(responses))
        value = _answer(row, item)
    else:  # an activelabel JSONL export line
        item = RankingItem.parse(row["text"])
        raw = row.get("value")
        value = Ranking.from_json(raw) if isinstance(raw, Mapping) and "order" in raw else None
    return ImportRecord(item.content(), "text", value, source=source, line=line)


def _is_pair_line(row: Mapping[str, Any]) -> bool:
    return "prompt" in row and "responses" not in row and "chosen" in row and "rejected" in row


def _group_key(row: Mapping[str, Any]) -> str:
    return f"id:{row['id']}" if row.get("id") is not None else f"prompt:{row['prompt']}"


def _add_pair(groups: dict[str, _PairGroup], row: Mapping[str, Any], line: int) -> None:
    prompt, chosen, rejected = row["prompt"], row["chosen"], row["rejected"]
    if not all(isinstance(x, str) for x in (prompt, chosen, rejected)):
        raise InvalidLabelError("prompt, chosen and rejected must be strings (conversational messages are "
                                "not read; flatten them to text first)")
    group = groups.setdefault(_group_key(row), _PairGroup(prompt, line))
    if group.prompt != prompt:
        raise InvalidLabelError(f"id {row.get('id')!r} appears with two different prompts")
    group.pairs.append((group.index_of(chosen, row.get("chosen_index")),
                        group.index_of(rejected, row.get("rejected_index"))))


def _group_record(group: _PairGroup, source: str) -> ImportRecord | Rejection:
    n = len(group.responses)
    if sorted(group.responses) != list(range(n)):
        return Rejection(source, group.first_line, f"the pairs of this prompt name response indices "
                                                   f"{sorted(group.responses)}, not 0..{n - 1}")
    order = order_from_pairs(n, group.pairs)
    if order is None:
        return Rejection(source, group.first_line, f"the {len(group.pairs)} pairs of this prompt do not state one "
                                                   f"order of its {n} responses (give every pair, consistently)")
    try:
        item = RankingItem(group.prompt, tuple(group.responses[i] for i in range(n)))
    except InvalidLabelError as exc:
        return Rejection(source, group.first_line, str(exc))
    return ImportRecord(item.content(), "text", Ranking(order), source=source, line=group.first_line)


def read_ranking(path: Path, fmt: str = "auto", *, labels: Sequence[str], project_dir: Path,
                 **_options: object) -> RecordStream:
    """Ranking items (and their answers) from a JSONL file; see the module docstring for the shapes."""
    if fmt not in FORMATS:
        raise FormatError(f"unknown ranking format {fmt!r}; use {', '.join(FORMATS)}")
    path = Path(path)
    if fmt == "labelstudio" or (fmt == "auto" and (path.suffix.lower() == ".json" or path.is_dir())):
        from activelabel.formats.ranking_labelstudio import read_labelstudio

        return read_labelstudio(path)
    return _read(path)


def _read(path: Path) -> Iterator[ImportRecord | Rejection]:
    source = str(path)
    groups: dict[str, _PairGroup] = {}
    for n, raw in enumerate(path.read_bytes().splitlines(), 1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Rejection(source, n, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
            continue
        except (json.JSONDecodeError, RecursionError) as exc:
            yield Rejection(source, n, f"broken JSON: {exc}")
            continue
        if not isinstance(row, dict):
            yield Rejection(source, n, "each line must be a JSON object")
            continue
        try:
            if _is_pair_line(row):
                _add_pair(groups, row, n)
            elif "prompt" in row or "text" in row:
                yield _item_record(row, source, n)
            else:
                yield Rejection(source, n, "expected prompt and responses (or prompt, chosen and rejected)")
        except (InvalidLabelError, KeyError, TypeError, ValueError) as exc:
            yield Rejection(source, n, f"not a ranking line: {exc}")
    for group in groups.values():
        yield _group_record(group, source)


def dpo_lines(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The preference pairs one labeled row implies, in TRL's standard preference shape."""
    item = RankingItem.parse(row["content"])
    order = Ranking.from_json(row["value"]).validate(len(item.responses)).order
    extra = {k: row[k] for k in PROVENANCE if row.get(k) is not None}
    return [{"prompt": item.prompt, "chosen": item.responses[w], "rejected": item.responses[lose],
             "id": row["id"], "chosen_index": w, "rejected_index": lose, **extra}
            for w, lose in implied_pairs(order)]


def export_dpo(project: Workspace, out: Path, rows: Sequence[dict[str, Any]]) -> int:
    """``export --format dpo``: the pairs of every labeled item in one JSONL file; returns the items written."""
    write_jsonl(out, [line for r in rows for line in dpo_lines(r)])
    return len(rows)


def write_dpo_package(project: Workspace, out: Path, parts: dict[str, list[dict[str, Any]]]) -> list[str]:
    """``export --package``: ``train/validation/test.jsonl`` of preference pairs, split by item (no prompt
    lands in two splits), loadable with ``datasets.load_dataset("json", data_files=...)``."""
    files = []
    for split, rows in parts.items():
        write_jsonl(out / f"{split}.jsonl", [line for r in rows for line in dpo_lines(r)])
        files.append(f"{split}.jsonl")
    return files
