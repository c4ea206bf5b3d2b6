"""The store contract: every backend (SQLite, PostgreSQL) must pass the same checks."""

from __future__ import annotations

from activelabel.store import Store
from activelabel.store.repository import NewItem
from activelabel.types import AnnotationStatus, Item


def _items(n: int) -> list[NewItem]:
    return [NewItem(Item(f"id{i:04d}", "text", f"text {i}")) for i in range(n)]


def test_items_are_stored_once(db_url):
    store = Store.open(db_url)
    assert store.add_items(_items(3)) == [True, True, True]
    assert store.add_items(_items(4)) == [False, False, False, True]
    assert store.item_count() == 4
    store.close()


def test_submit_is_idempotent_and_releases_the_lease(db_url):
    store = Store.open(db_url)
    store.add_items(_items(5))
    store.create_round(version=None, strategy="random",
                       entries=[dict(item_id=f"id{i:04d}", rank=i, reason="random", score=0.0, pool_rank=i)
                                for i in range(5)], auto=[], budget=5, stats={})
    claimed = store.claim("alice", 2, 60)
    assert [e.item.id for e in claimed] == ["id0000", "id0001"]
    other = store.claim("bob", 2, 60)
    assert [e.item.id for e in other] == ["id0002", "id0003"]
    for _ in range(5):
        r = store.submit(item_id="id0000", annotator="alice", status=AnnotationStatus.CORRECTED,
                         value={"label": "ham"}, submission_id="s1")
    assert len(store.all_annotations()) == 1
    assert not [le for le in store.live_leases() if le["item_id"] == "id0000"]
    assert r.created is False
    # alice's next claim: her remaining lease first, never bob's items
    again = [e.item.id for e in store.claim("alice", 3, 60)]
    assert again[0] == "id0001" and "id0002" not in again and "id0000" not in again
    store.close()


def test_expired_lease_returns_the_item(db_url):
    store = Store.open(db_url)
    store.add_items(_items(2))
    store.create_round(version=None, strategy="random",
                       entries=[dict(item_id=f"id{i:04d}", rank=i, reason="random", score=0.0, pool_rank=i)
                                for i in range(2)], auto=[], budget=2, stats={})
    assert [e.item.id for e in store.claim("alice", 1, -1)] == ["id0000"]  # expires at once
    assert [e.item.id for e in store.claim("bob", 1, 60)] == ["id0000"]
    store.close()


def test_labels_in_force_prefer_humans_and_respect_revocation(db_url):
    store = Store.open(db_url)
    store.add_items(_items(2))
    a = store.submit(item_id="id0000", annotator="alice", status=AnnotationStatus.CORRECTED,
                     value={"label": "spam"}, submission_id="a")
    store.submit(item_id="id0000", annotator="bob", status=AnnotationStatus.ACCEPTED, value={"label": "ham"},
                 submission_id="b")
    assert [r.value for r in store.current_labels()] == [{"label": "ham"}]
    snapshot = store.current_labels(upto_annotation_id=a.annotation_id)
    assert [r.value for r in snapshot] == [{"label": "spam"}]
    last = store.last_annotation("bob")
    store.revoke(last.annotation_id, by="bob")
    assert [r.value for r in store.current_labels()] == [{"label": "spam"}]
    store.close()


def test_promotion_is_atomic_and_rounds_refuse_retired_versions(db_url, tmp_path):
    store = Store.open(db_url)
    store.add_items(_items(1))
    v1 = store.create_version(base_version=None, path_for=lambda v: tmp_path / v)
    store.update_version(v1, status="ready")
    store.promote(v1)
    v2 = store.create_version(base_version=v1, path_for=lambda v: tmp_path / v)
    store.update_version(v2, status="ready")
    store.promote(v2)
    assert store.current_version() == v2
    statuses = {v.id: v.status for v in store.list_versions()}
    assert statuses == {v1: "retired", v2: "promoted"}
    import pytest

    with pytest.raises(ValueError, match="not the current version"):
        store.create_round(version=v1, strategy="margin", entries=[], auto=[], budget=1, stats={})
    store.close()


def _queued_store(db_url: str, n: int) -> Store:
    store = Store.open(db_url)
    store.add_items(_items(n))
    store.create_round(version=None, strategy="random",
                       entries=[dict(item_id=f"id{i:04d}", rank=i, reason="random", score=0.0, pool_rank=i)
                                for i in range(n)], auto=[], budget=n, stats={})
    return store


def _answer(store: Store, item_id: str, annotator: str, submission_id: str):  # noqa: ANN202
    return store.submit(item_id=item_id, annotator=annotator, status=AnnotationStatus.CORRECTED,
                        value={"label": "ham"}, submission_id=submission_id, require_lease=True)


def test_submit_with_a_required_lease_refuses_items_leased_to_others(db_url):
    import pytest

    from activelabel.errors import LeaseConflictError

    store = _queued_store(db_url, 3)
    assert [e.item.id for e in store.claim("alice", 1, -1)] == ["id0000"]  # expires at once
    assert _answer(store, "id0000", "alice", "a0").created  # her expired lease counts while nobody claimed it
    assert [e.item.id for e in store.claim("alice", 1, -1)] == ["id0001"]
    assert [e.item.id for e in store.claim("bob", 1, 60)] == ["id0001"]  # bob takes the expired lease over
    with pytest.raises(LeaseConflictError):
        _answer(store, "id0001", "alice", "a1")
    with pytest.raises(LeaseConflictError):  # never leased to anyone, and a guessed id alike
        _answer(store, "id0002", "alice", "a2")
    with pytest.raises(LeaseConflictError):
        _answer(store, "no-such-item", "alice", "a3")
    assert not _answer(store, "id0000", "alice", "a0").created  # a retry of a stored answer is harmless
    assert [(r["item_id"], r["annotator"]) for r in store.all_annotations()] == [("id0000", "alice")]
    assert _answer(store, "id0001", "bob", "b1").created
    store.close()


def test_the_lease_check_and_the_insert_share_one_transaction(db_url):
    from sqlalchemy import event

    store = _queued_store(db_url, 1)
    store.claim("alice", 1, 60)
    begun = [0]
    statements: list[tuple[int, str]] = []

    def on_begin(_conn):  # noqa: ANN001, ANN202
        begun[0] += 1

    def on_sql(_conn, _cursor, statement, *_args):  # noqa: ANN001, ANN202
        statements.append((begun[0], " ".join(statement.split()).lower()))

    event.listen(store.engine, "begin", on_begin)
    event.listen(store.engine, "before_cursor_execute", on_sql)
    assert _answer(store, "id0000", "alice", "a0").created
    event.remove(store.engine, "before_cursor_execute", on_sql)
    event.remove(store.engine, "begin", on_begin)
    lease_reads = {tx for tx, sql in statements if sql.startswith("select") and "from leases" in sql}
    inserts = {tx for tx, sql in statements if sql.startswith("insert into annotations")}
    assert len(inserts) == 1 and lease_reads == inserts, statements
    store.close()


def test_the_evaluation_set_only_grows(db_url):
    store = Store.open(db_url)
    store.add_items(_items(4))
    assert store.evaluation_set() == {}
    assert store.extend_evaluation_set({"id0000": "answer", "id0001": "gold"}) == 2
    assert store.extend_evaluation_set({"id0001": "answer", "id0002": "answer"}) == 1  # a member keeps its kind
    assert store.evaluation_set() == {"id0000": "answer", "id0001": "gold", "id0002": "answer"}
    store.set_state("current_round", "1")  # other project state is not part of it
    assert set(store.evaluation_set()) == {"id0000", "id0001", "id0002"}
    store.close()


def test_labeled_items_up_to_an_answer_include_revoked_ones(db_url):
    store = Store.open(db_url)
    store.add_items(_items(4))
    ids = [store.submit(item_id=f"id000{i}", annotator="alice", status=status, value=value,
                        submission_id=f"s{i}").annotation_id
           for i, (status, value) in enumerate([(AnnotationStatus.CORRECTED, {"label": "spam"}),
                                                (AnnotationStatus.SKIPPED, None),
                                                (AnnotationStatus.ACCEPTED, {"label": "ham"}),
                                                (AnnotationStatus.ACCEPTED, {"label": "ham"})])]
    store.revoke(ids[0], by="alice")
    assert store.labeled_items(upto_annotation_id=ids[2]) == {"id0000", "id0002"}
    assert store.labeled_items(upto_annotation_id=0) == set()
    store.close()
