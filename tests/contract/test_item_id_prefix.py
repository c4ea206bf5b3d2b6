"""A shortened item id (what people type from ``queue``) resolves to one item, on every backend."""

from __future__ import annotations

import pytest

from activelabel.errors import AmbiguousItemIdError, ItemNotFoundError
from activelabel.store import Store
from activelabel.store.repository import NewItem
from activelabel.types import Item

IDS = ["ab12cd", "ab12ef", "ab9", "AB77", "a%_x", "ab"]


@pytest.fixture()
def store(db_url: str):  # noqa: ANN201
    st = Store.open(db_url)
    st.add_items([NewItem(Item(i, "text", f"text {i}")) for i in IDS])
    yield st
    st.close()


def test_a_unique_prefix_or_a_full_id_gives_the_item(store: Store) -> None:
    assert store.resolve_item_id("ab12c") == "ab12cd"
    assert store.resolve_item_id("ab12ef") == "ab12ef"
    assert store.resolve_item_id("ab9") == "ab9"
    assert store.resolve_item_id("ab") == "ab"  # an exact id wins over the longer ids it starts
    assert store.resolve_item_id("AB") == "AB77"  # case-sensitive on every backend
    assert store.resolve_item_id("a%") == "a%_x"  # LIKE wildcards are plain characters here


def test_an_ambiguous_prefix_names_candidates_and_asks_for_more(store: Store) -> None:
    with pytest.raises(AmbiguousItemIdError, match=r"'ab1' starts several item ids \(ab12cd, ab12ef\): give more"):
        store.resolve_item_id("ab1")


@pytest.mark.parametrize("prefix", ["zz", "ab12cdX", "%", "_b", ""])
def test_an_unknown_prefix_is_not_found(store: Store, prefix: str) -> None:
    with pytest.raises(ItemNotFoundError):
        store.resolve_item_id(prefix)
