"""10 concurrent claimers over 1,000 items, on SQLite and PostgreSQL.

Pass criteria: an item is never held by two live leases at once (no item is handed to two
claimers while the first still holds it); an expired lease returns its item to the pool; and
"no items left" is never the final answer while unleased items remain.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import update

from activelabel.errors import LeaseConflictError
from activelabel.store import Store
from activelabel.store import schema as s
from activelabel.store.integrity import check_store
from activelabel.types import AnnotationStatus
from tests.reliability.scenarios import queue_all

N_ITEMS = 1000
N_CLAIMERS = 10


def _run_claimers(url: str, n_claimers: int, body) -> list:  # noqa: ANN001 - body(store, name, rng) -> list
    stores = [Store.open(url, migrate=False) for _ in range(n_claimers)]
    results: list[list] = [[] for _ in range(n_claimers)]
    errors: list[BaseException] = []
    start = threading.Barrier(n_claimers)

    def run(k: int) -> None:
        try:
            start.wait()
            results[k] = body(stores[k], f"claimer{k}", random.Random(k))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n_claimers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    for st in stores:
        st.close()
    assert not errors, errors
    return results


def _claim_until_empty(store: Store, name: str, rng: random.Random, start: tuple[str, ...] = ()) -> list[str]:
    """Claim more and more; a claim also hands back one's own live leases (``start``), so ask for held + k.

    Returns the items this claimer newly got."""
    got: list[str] = list(start)
    while True:
        entries = store.claim(name, len(got) + rng.randint(20, 50), lease_seconds=600)
        held = set(got)
        new = [e.item.id for e in entries if e.item.id not in held]
        if not new:
            return got[len(start):]
        got.extend(new)


@pytest.mark.slow
def test_claimers_never_share_an_item_and_expired_leases_return(db_url):
    store = Store.open(db_url)
    queue_all(store, N_ITEMS)

    # phase 1: everyone claims until told "no items left"
    held = _run_claimers(db_url, N_CLAIMERS, _claim_until_empty)
    handed_out = Counter(i for h in held for i in h)
    assert max(handed_out.values()) == 1, "an item was handed to two claimers while leased"
    assert len(handed_out) == N_ITEMS, "'no items left' while unleased items remained"
    leases = {le["item_id"]: le["annotator"] for le in store.live_leases()}
    assert leases == {i: f"claimer{k}" for k, h in enumerate(held) for i in h}

    # phase 2: the leases of half the claimers that hold items run out (the clock jumps past them);
    # fast claims can leave some claimers with nothing, so pick among those that hold items
    holders = [k for k in range(N_CLAIMERS) if held[k]]
    expired = {i for k in holders[0::2] for i in held[k]}
    assert expired
    with store.write() as conn:
        conn.execute(update(s.leases).where(s.leases.c.item_id.in_(list(expired))).values(expires_at=time.time() - 1))
    still = {f"claimer{k}": tuple(held[k]) for k in holders[1::2]}  # their leases stay live
    again = _run_claimers(db_url, N_CLAIMERS, lambda st, name, rng: _claim_until_empty(st, name, rng,
                                                                                       still.get(name, ())))
    reclaimed = Counter(i for h in again for i in h)
    assert set(reclaimed) == expired, "expired leases must come back, live ones must not"
    assert max(reclaimed.values()) == 1
    leases = {le["item_id"]: le["annotator"] for le in store.live_leases()}
    assert len(leases) == N_ITEMS and all(leases[i] == name for name, items in still.items() for i in items)
    assert check_store(store).ok, check_store(store).problems
    store.close()


def _claim_and_answer(store: Store, name: str, rng: random.Random) -> list[str]:
    answered: list[str] = []
    for i in range(15):
        entries = store.claim(name, 1, lease_seconds=600)
        if not entries:
            break
        item = entries[0].item.id
        if rng.random() < 0.2:  # gives up on it: the item goes back to the pool
            store.release(name, [item])
            continue
        store.submit(item_id=item, annotator=name, status=AnnotationStatus.CORRECTED, value={"label": "ham"},
                     submission_id=f"{name}-{i}")
        answered.append(item)
    return answered


def test_claim_answer_release_races_never_give_an_answered_item_again(db_url):
    store = Store.open(db_url)
    queue_all(store, N_ITEMS)
    answered = _run_claimers(db_url, N_CLAIMERS, _claim_and_answer)
    counts = Counter(i for a in answered for i in a)
    assert counts and max(counts.values()) == 1, "an item was answered twice: it was handed out twice"
    stored = Counter(r["item_id"] for r in store.all_annotations())
    assert stored == counts
    assert not store.live_leases(), "answered or released items keep no lease"
    assert check_store(store).ok, check_store(store).problems
    store.close()


def test_a_claim_that_keeps_losing_races_looks_again_until_it_wins(db_url, monkeypatch):
    """Ten annotators on two cores lost ten races in a row; a claim must not call that an empty queue."""
    from activelabel.store import queue

    store = Store.open(db_url)
    queue_all(store, 5)
    real, lost = queue._take_leases, []

    def lose_the_first_fifteen(conn, ids, annotator, now, expires):  # noqa: ANN001, ANN202 - same as the real one
        if len(lost) < 15:
            lost.append(ids[0])
            return set()
        return real(conn, ids, annotator, now, expires)

    monkeypatch.setattr(queue, "_take_leases", lose_the_first_fifteen)
    won = store.claim("alice", 1, 60)
    assert len(lost) == 15 and [e.item.id for e in won] == ["item000000"]

    monkeypatch.setattr(queue, "_take_leases", lambda *a: set())  # noqa: ARG005 - every race lost
    monkeypatch.setattr(queue, "CLAIM_PATIENCE_S", 0.0)
    with pytest.raises(LeaseConflictError, match="ask again"):
        store.claim("bob", 1, 60)
    store.close()
