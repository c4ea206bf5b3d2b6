"""The ranking kind's values, spec, agreement, reader and DPO writer, without a project store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from activelabel.errors import InvalidLabelError
from activelabel.formats.base import ImportRecord, Rejection
from activelabel.formats.ranking import dpo_lines, read_ranking
from activelabel.preferences import RankingItem, implied_pairs, kendall_tau, order_from_pairs
from activelabel.tasks import get_task
from activelabel.types import Item, Ranking

SPEC = get_task("ranking")
ITEM = RankingItem("Say hi", ("hello", "hey there", "go away"))


def _item(item: RankingItem = ITEM) -> Item:
    return Item("x", "text", item.content())


def _read(tmp_path: Path, rows: list[object]) -> list[ImportRecord | Rejection]:
    path = tmp_path / "in.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return list(read_ranking(path, "auto", labels=[], project_dir=tmp_path))


def test_a_ranking_is_a_permutation_of_the_items_responses() -> None:
    assert SPEC.validate(Ranking((2, 0, 1)), [], _item()) == Ranking((2, 0, 1))
    for bad in [(0, 1), (0, 0, 1), (0, 1, 3), (1,)]:
        with pytest.raises(InvalidLabelError):
            SPEC.validate(Ranking(bad), [], _item())
    with pytest.raises(InvalidLabelError, match="not a ranking item"):
        SPEC.validate(Ranking((1, 0)), [], Item("x", "text", "plain text"))
    with pytest.raises(InvalidLabelError, match="finite"):
        SPEC.validate(Ranking((1, 0, 2), float("nan")), [], _item())


def test_json_and_cli_values() -> None:
    assert SPEC.payload({"order": [1, 0], "rating": 4}) == Ranking((1, 0), 4.0)
    assert Ranking((1, 0), 4.5).to_json() == {"order": [1, 0], "rating": 4.5}
    assert Ranking((1, 0)).to_json() == {"order": [1, 0]}
    for bad in [{"order": "10"}, {"order": [1.0, 0]}, {"order": [True, 0]}, {"order": [1, 0], "rating": "good"}, {}]:
        with pytest.raises(InvalidLabelError):
            SPEC.payload(bad)
    assert SPEC.parse_value("2,0,1") == Ranking((2, 0, 1))
    assert SPEC.parse_value('{"order": [1, 0], "rating": 3}') == Ranking((1, 0), 3.0)
    with pytest.raises(InvalidLabelError, match="best first"):
        SPEC.parse_value("b,a")


def test_canonical_ignores_the_rating_and_gold_is_kendall_tau_on_0_1() -> None:
    assert SPEC.same({"order": [1, 0], "rating": 5}, {"order": [1, 0]})
    assert not SPEC.same({"order": [1, 0]}, {"order": [0, 1]})
    assert SPEC.gold_score({"order": [0, 1, 2]}, {"order": [0, 1, 2]}) == 1.0
    assert SPEC.gold_score({"order": [2, 1, 0]}, {"order": [0, 1, 2]}) == 0.0
    assert SPEC.gold_score({"order": [1, 0, 2]}, {"order": [0, 1, 2]}) == pytest.approx(2 / 3)
    assert kendall_tau([0, 1, 2, 3], [0, 1, 3, 2]) == pytest.approx(4 / 6)
    assert SPEC.summarize({"order": [2, 0, 1], "rating": 4}) == "2 > 0 > 1 (rating 4)"
    assert SPEC.labels_in({"order": [1, 0]}) == ["rank"] and SPEC.min_labels == 0


def test_pairwise_agreement_counts_the_pairs_ordered_alike() -> None:
    rows = [("a", {"order": [0, 1, 2]}, {"order": [1, 0, 2]}, ""), ("b", {"order": [0, 1]}, {"order": [0, 1]}, "")]
    out = SPEC.agreement.pair(rows, None, 0.5)
    assert out["pairs"] == {"agreed": 3, "compared": 4} and out["value"] == 0.75
    assert SPEC.agreement.name == "pairwise_agreement"


def test_order_from_pairs_reads_back_only_a_complete_consistent_set() -> None:
    order = (2, 0, 3, 1)
    assert order_from_pairs(4, implied_pairs(order)) == order
    assert order_from_pairs(2, [(1, 0)]) == (1, 0)
    assert order_from_pairs(3, [(0, 1), (1, 2)]) is None  # (0, 2) left open
    assert order_from_pairs(3, [(0, 1), (1, 2), (2, 0)]) is None  # a cycle


def test_reader_takes_items_orders_and_chosen_rejected(tmp_path: Path) -> None:
    recs = _read(tmp_path, [
        {"prompt": "Say hi", "responses": ["hello", "hey there", "go away"], "order": [1, 0, 2], "rating": 4},
        {"prompt": "Q", "responses": ["a", "b"]},
        {"prompt": "Q2", "responses": ["a", "b"], "chosen": "b", "rejected": "a"},
        {"prompt": "Q3", "responses": ["a", "b", "c"], "chosen": 0, "rejected": 1},
        {"prompt": "Q4", "responses": ["only one"]},
        {"prompt": "Q5", "responses": ["a", "b"], "order": [0, 0]},
        "{broken",
        {"text": ITEM.content(), "value": {"order": [2, 1, 0]}},
    ])
    got = [(r.content, r.value) if isinstance(r, ImportRecord) else r.reason for r in recs]
    assert got[0] == (ITEM.content(), Ranking((1, 0, 2), 4.0))
    assert got[1] == (RankingItem("Q", ("a", "b")).content(), None)
    assert got[2] == (RankingItem("Q2", ("a", "b")).content(), Ranking((1, 0)))
    assert "give its full order" in got[3]
    assert "at least 2 responses" in got[4]
    assert isinstance(recs[5], ImportRecord)  # a malformed order is refused by the spec's check at import
    assert "broken JSON" in got[6]
    assert got[7] == (ITEM.content(), Ranking((2, 1, 0)))


def test_dpo_lines_read_back_as_the_ranking(tmp_path: Path) -> None:
    row = {"id": "x", "content": ITEM.content(), "value": {"order": [1, 2, 0]}, "source": "human", "annotator": "al"}
    lines = dpo_lines(row)
    assert [(r["chosen"], r["rejected"]) for r in lines] == [("hey there", "go away"), ("hey there", "hello"),
                                                             ("go away", "hello")]
    assert all(r["prompt"] == "Say hi" and r["source"] == "human" for r in lines)
    (rec,) = _read(tmp_path, lines)
    assert isinstance(rec, ImportRecord) and (rec.content, rec.value) == (ITEM.content(), Ranking((1, 2, 0)))


def test_plain_trl_pairs_group_by_prompt(tmp_path: Path) -> None:
    recs = _read(tmp_path, [
        {"prompt": "P", "chosen": "good", "rejected": "bad"},
        {"prompt": "R", "chosen": "x", "rejected": "y"},
        {"prompt": "R", "chosen": "y", "rejected": "z"},  # (x, z) missing: the order is open
        {"prompt": "S", "chosen": [{"role": "assistant", "content": "hi"}], "rejected": "no"},
    ])
    assert isinstance(recs[0], Rejection) and "strings" in recs[0].reason
    done = {r.content: r.value for r in recs if isinstance(r, ImportRecord)}
    assert done == {RankingItem("P", ("good", "bad")).content(): Ranking((0, 1))}
    assert any(isinstance(r, Rejection) and "do not state one order" in r.reason for r in recs)


def test_the_editor_reads_typed_orders() -> None:
    from activelabel.ui.editors.ranking import typed_order

    assert typed_order("213", 3) == (1, 0, 2)
    assert typed_order("2 1", 3) == (1, 0, 2)  # the last response is implied
    assert typed_order("3 > 1 > 2", 3) == (2, 0, 1)
    assert typed_order("10 1 2 3 4 5 6 7 8 9", 10)[0] == 9
    for bad in ("11", "14", "1", "ab"):
        with pytest.raises(InvalidLabelError):
            typed_order(bad, 3)


def test_items_refuse_empty_or_repeated_responses() -> None:
    with pytest.raises(InvalidLabelError, match="empty"):
        RankingItem("p", ("a", " "))
    with pytest.raises(InvalidLabelError, match="same text"):
        RankingItem("p", ("a", "b", "a"))
