"""Ranking items and the preference pairs a ranking implies (values only: no store, no models).

A ranking item is stored as text media whose content is the JSON ``{"prompt": ..., "responses":
[...]}`` written canonically (sorted keys, no ASCII escaping). Text media keeps every text path of
the store working (content ids, search, CSV/JSONL exports, TF-IDF cold starts) and the item stays
one row; the response order inside the content is what an answer's indices refer to.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from activelabel.errors import InvalidLabelError

MIN_RESPONSES = 2


@dataclass(frozen=True, slots=True)
class RankingItem:
    prompt: str
    responses: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.responses) < MIN_RESPONSES:
            raise InvalidLabelError(f"a ranking item needs at least {MIN_RESPONSES} responses, "
                                    f"got {len(self.responses)}")
        if not all(isinstance(r, str) for r in self.responses) or not isinstance(self.prompt, str):
            raise InvalidLabelError("a ranking item's prompt and responses must be strings")
        for i, r in enumerate(self.responses):
            if not r.strip():
                raise InvalidLabelError(f"response {i} is empty")
            if r in self.responses[:i]:
                raise InvalidLabelError(f"responses {self.responses.index(r)} and {i} are the same text; "
                                        "a preference between them says nothing")

    def content(self) -> str:
        """The stored item content: the same item always gives the same text (and content id)."""
        return json.dumps({"prompt": self.prompt, "responses": list(self.responses)}, ensure_ascii=False,
                          sort_keys=True)

    @classmethod
    def parse(cls, content: str) -> RankingItem:
        """An item's content back as a ranking item; InvalidLabelError when it is not one."""
        try:
            data = json.loads(content)
        except (json.JSONDecodeError, TypeError) as exc:
            raise InvalidLabelError(f"not a ranking item (expected JSON with prompt and responses): {exc}") from exc
        if not isinstance(data, dict) or "prompt" not in data or not isinstance(data.get("responses"), list):
            raise InvalidLabelError("not a ranking item: expected a JSON object with prompt and a responses list")
        return cls(data["prompt"], tuple(data["responses"]))


def implied_pairs(order: Sequence[int]) -> list[tuple[int, int]]:
    """Every (preferred, other) pair of response indices that a best-first order implies."""
    return [(order[a], order[b]) for a, b in combinations(range(len(order)), 2)]


def pair_agreement(a: Sequence[int], b: Sequence[int]) -> tuple[int, int]:
    """(pairs both orders rank the same way, pairs compared) over the responses both rank."""
    pos_b = {r: i for i, r in enumerate(b)}
    shared = [r for r in a if r in pos_b]
    same = sum(pos_b[x] < pos_b[y] for x, y in combinations(shared, 2))  # x before y in a
    return same, len(shared) * (len(shared) - 1) // 2


def kendall_tau(a: Sequence[int], b: Sequence[int]) -> float:
    """Kendall's tau between two orders of the same responses: 1 equal, -1 reversed."""
    same, total = pair_agreement(a, b)
    if total == 0 or sorted(a) != sorted(b):
        return 1.0 if list(a) == list(b) else -1.0
    return (2 * same - total) / total


def order_from_pairs(n: int, pairs: Sequence[tuple[int, int]]) -> tuple[int, ...] | None:
    """The one best-first order that ``pairs`` (preferred, other) state completely, else None.

    A ranking written as all its implied pairs reads back here; a lone chosen/rejected pair is the
    ranking of two. Pairs that leave the order open or contradict each other give None.
    """
    wins = [0] * n
    seen: set[frozenset[int]] = set()
    for w, lose in pairs:
        if w == lose or not (0 <= w < n and 0 <= lose < n):
            return None
        seen.add(frozenset((w, lose)))
        wins[w] += 1
    order = tuple(sorted(range(n), key=lambda i: -wins[i]))
    if len(seen) != n * (n - 1) // 2 or len(pairs) != len(seen):
        return None
    return order if set(implied_pairs(order)) == set(pairs) else None
