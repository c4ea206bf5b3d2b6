"""Response ranking / pairwise preference (the human feedback behind RLHF).

An item is a prompt with 2..k responses (text media holding ``{"prompt", "responses"}`` JSON, see
``activelabel.preferences``); an answer is a ``Ranking``: the response indices best first, with an
optional rating. A chosen/rejected pair is the ranking of two. The project needs no labels: every
answer counts once under the one label ``rank`` (splits, dashboards).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence

from activelabel.errors import InvalidLabelError
from activelabel.preferences import RankingItem, kendall_tau
from activelabel.quality.pairwise_agreement import PairwiseAgreement
from activelabel.tasks.base import TaskSpec, Value
from activelabel.types import Item, Payload, Ranking

RANK_LABEL = "rank"


def check_ranking(value: Payload, labels: Sequence[str], item: Item) -> Payload:
    """A permutation of exactly the item's responses."""
    if not isinstance(value, Ranking):
        raise InvalidLabelError(f"a ranking answer is a Ranking, not {value!r}")
    return value.validate(len(RankingItem.parse(item.content).responses))


def ranking_canonical(value: Value | None) -> Hashable:
    """The order alone: the rating does not make two rankings different answers."""
    order = (value or {}).get("order")
    return None if order is None else tuple(int(i) for i in order)


def ranking_labels_in(value: Value) -> list[str]:
    return [RANK_LABEL]


def ranking_gold_score(answer: Value, gold: Value) -> float:
    """Kendall tau mapped to 0..1: 1 for the gold order, 0 for its reverse."""
    a, g = ranking_canonical(answer), ranking_canonical(gold)
    if not isinstance(a, tuple) or not isinstance(g, tuple):
        return 0.0
    return (kendall_tau(a, g) + 1.0) / 2.0


def parse_cli(text: str) -> Payload:
    """``2,0,1`` (best first), or a JSON object ``{"order": [...], "rating": 4}``."""
    text = text.strip()
    if text.startswith("{"):
        try:
            return Ranking.from_json(json.loads(text))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InvalidLabelError(f"malformed ranking value {text[:60]!r}: {exc}") from exc
    try:
        return Ranking(tuple(int(part) for part in text.split(",")))
    except ValueError as exc:
        raise InvalidLabelError(f"a ranking is the response indices best first, e.g. 2,0,1; got {text[:60]!r}") \
            from exc


def ranking_summary(value: Value) -> str:
    order = " > ".join(str(i) for i in value.get("order", ()))
    return order + (f" (rating {value['rating']:g})" if value.get("rating") is not None else "")


SPEC = TaskSpec(
    name="ranking", media="text", description="rank 2..k responses to a prompt, best first",
    payload_type=Ranking, from_json=Ranking.from_json, check=check_ranking,
    canonical=ranking_canonical, labels_in=ranking_labels_in, gold_score=ranking_gold_score,
    agreement=PairwiseAgreement(), default_model="reward-pairwise", default_adapter="reward-pairwise",
    reader="ranking", package_writer="ranking-dpo", editor="ranking",
    simulation_loader="activelabel.simulation.tasks.ranking:load", metric_name="pairwise accuracy",
    min_labels=0, cli_value=parse_cli, summary=ranking_summary,
    example={"order": [1, 0]},
    export_formats={"dpo": "ranking-dpo-jsonl", "labelstudio": "ranking-labelstudio"},
)
