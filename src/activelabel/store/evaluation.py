"""The fixed evaluation set: the held-out items every version is scored on, kept in ``project_state``.

One key per item (``eval:<item id>``, valued by where the item came from: ``gold`` or ``answer``).
Items are only ever added, never removed or replaced, so the set grows monotonically and two
versions trained rounds apart can be compared on exactly the same items.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import insert, select

from activelabel.store import schema as s
from activelabel.store.sql import HUMAN_LABELED, chunks, serialize
from activelabel.store.transactions import Transactions

EVAL_PREFIX = "eval:"
MEMBER_KINDS = ("gold", "answer")


class EvaluationMixin(Transactions):
    """Store methods for the evaluation set (mixed into ``Store``)."""

    def evaluation_set(self) -> dict[str, str]:
        """Item id -> ``gold`` | ``answer`` for every item in the evaluation set."""
        ps = s.project_state
        with self.read() as conn:
            rows = conn.execute(select(ps.c.key, ps.c.value).where(ps.c.key.startswith(EVAL_PREFIX, autoescape=True)))
            return {r.key[len(EVAL_PREFIX):]: r.value for r in rows}

    def extend_evaluation_set(self, members: Mapping[str, str]) -> int:
        """Add items to the evaluation set; ones already in it keep their kind. Returns how many were new."""
        bad = sorted({kind for kind in members.values() if kind not in MEMBER_KINDS})
        if bad:
            raise ValueError(f"evaluation set members are {' or '.join(MEMBER_KINDS)}, not {bad}")
        ps = s.project_state
        added = 0
        with self.write() as conn:
            serialize(conn, "project_state")
            for chunk in chunks(sorted(members), 500):
                keys = [EVAL_PREFIX + item_id for item_id in chunk]
                have = set(conn.scalars(select(ps.c.key).where(ps.c.key.in_(keys))))
                rows = [{"key": k, "value": members[k[len(EVAL_PREFIX):]]} for k in keys if k not in have]
                if rows:
                    conn.execute(insert(ps), rows)
                    added += len(rows)
        return added

    def labeled_items(self, *, upto_annotation_id: int) -> set[str]:
        """Items that got a human label at or before the given answer id, revoked ones included:
        every item a version trained up to that snapshot may have seen."""
        a = s.answers_table
        with self.read() as conn:
            return set(conn.scalars(select(a.c.item_id).distinct().where(
                a.c.id <= upto_annotation_id, a.c.status.in_(HUMAN_LABELED))))
