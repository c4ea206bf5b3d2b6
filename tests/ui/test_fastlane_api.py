"""The fast lane's JSON routes (ui/fastlane_api.py) over HTTP: who may call them, and what they store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from activelabel.project import Project
from activelabel.sessions import SESSION_TTL_S, issue, load_secret
from activelabel.ui.common import cookie_name
from activelabel.ui.fastlane_api import ANSWER_ROUTE, CLAIM_ROUTE, UNDO_ROUTE, fastlane_routes

ORIGIN = {"origin": "http://testserver"}


@pytest.fixture()
def client(cls_project: Project, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("ACTIVELABEL_PROJECT", str(cls_project.dir))
    with TestClient(Starlette(routes=fastlane_routes())) as c:
        yield c


def _sign_in(client: TestClient, project: Project, name: str) -> str:
    """Put ``name``'s session cookie in the client, as the sign-in's /_al/session answer does."""
    cookie = cookie_name(project.dir)
    client.cookies.set(cookie, issue(load_secret(project.dir), name, "session", ttl_s=SESSION_TTL_S))
    return cookie


def _post(client: TestClient, route: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return client.post(route, json=body, headers=ORIGIN if headers is None else headers)


def _human(project: Project, name: str) -> list[dict[str, Any]]:
    return [a for a in project.store.all_annotations() if a["annotator"] == name and a["status"] != "auto"]


def test_no_cookie_or_another_origin_is_refused(client: TestClient, cls_project: Project) -> None:
    cookie = cookie_name(cls_project.dir)
    assert _post(client, CLAIM_ROUTE, {"project": cookie, "n": 2}).status_code == 401
    client.cookies.set(cookie, "forged.token")
    assert _post(client, CLAIM_ROUTE, {"project": cookie, "n": 2}).status_code == 401
    _sign_in(client, cls_project, "alice")
    assert _post(client, CLAIM_ROUTE, {"project": cookie, "n": 2}, {"origin": "http://evil.example"}).status_code == 403
    assert _post(client, CLAIM_ROUTE, {"project": cookie, "n": 2}, {}).status_code == 403  # no Origin at all
    assert _post(client, CLAIM_ROUTE, {"project": "al_session_000000000000", "n": 2}).status_code == 403
    assert _post(client, CLAIM_ROUTE, {"n": 2}).status_code == 400
    assert not cls_project.store.live_leases()  # nothing was claimed by any of them


def test_claim_answer_replay_and_undo(client: TestClient, cls_project: Project) -> None:
    cookie = _sign_in(client, cls_project, "alice")
    got = _post(client, CLAIM_ROUTE, {"project": cookie, "have": [], "n": 3})
    assert got.status_code == 200
    items, rnd = got.json()["items"], got.json()["round"]
    assert len(items) == 3 and rnd == cls_project.store.current_round().id  # type: ignore[union-attr]
    assert {"id", "content", "proposed", "confidence", "strategy", "reason", "rank", "sid"} <= set(items[0])
    leases = {le["item_id"]: le["annotator"] for le in cls_project.store.live_leases()}
    assert all(leases[it["id"]] == "alice" for it in items)
    more = _post(client, CLAIM_ROUTE, {"project": cookie, "have": [it["id"] for it in items], "n": 2}).json()["items"]
    assert len(more) == 2 and not {it["id"] for it in more} & {it["id"] for it in items}  # beyond what the page holds

    first = items[0]
    body = {"project": cookie, "item": first["id"], "sid": first["sid"], "value": {"label": "spam"}, "status": None,
            "duration_s": 1.5}
    assert _post(client, ANSWER_ROUTE, body).json() == {"ok": True, "created": True, "round": rnd}
    assert _post(client, ANSWER_ROUTE, body).json()["created"] is False  # a replayed POST stores nothing more
    skip = {"project": cookie, "item": items[1]["id"], "sid": items[1]["sid"], "value": None, "status": "skipped"}
    assert _post(client, ANSWER_ROUTE, skip).status_code == 200
    answers = _human(cls_project, "alice")
    assert [(a["item_id"], a["value"], a["status"]) for a in answers] == [
        (first["id"], {"label": "spam"}, "corrected"), (items[1]["id"], None, "skipped")]

    bad = dict(body, item=items[2]["id"], sid=items[2]["sid"], value={"label": "eggs"})
    assert _post(client, ANSWER_ROUTE, bad).status_code == 422  # not one of the project's labels
    assert _post(client, ANSWER_ROUTE, dict(bad, value=None, status="accepted")).status_code == 400

    back = _post(client, UNDO_ROUTE, {"project": cookie}).json()["item"]
    assert back["id"] == items[1]["id"] and back["sid"] != items[1]["sid"]  # a new answer gets a new id
    live = [a for a in _human(cls_project, "alice") if a["revoked_at"] is None]
    assert [a["item_id"] for a in live] == [first["id"]]


def test_an_annotator_cannot_answer_an_item_leased_to_another(client: TestClient, cls_project: Project) -> None:
    bob_item = cls_project.claim("bob", 1)[0].entry.item.id
    cookie = _sign_in(client, cls_project, "alice")
    body = {"project": cookie, "item": bob_item, "sid": "alice-guess-1", "value": {"label": "ham"}}
    refused = _post(client, ANSWER_ROUTE, body)
    assert refused.status_code == 409 and "error" in refused.json()
    assert not _human(cls_project, "alice")
    assert _post(client, UNDO_ROUTE, {"project": cookie}).json()["item"] is None  # nothing of alice's to undo


def test_a_removed_or_signed_out_user_is_refused(client: TestClient, cls_project: Project) -> None:
    from activelabel.sessions import revoke_user

    cookie = _sign_in(client, cls_project, "alice")
    assert _post(client, CLAIM_ROUTE, {"project": cookie, "n": 1}).status_code == 200
    revoke_user(cls_project.store, "alice")
    assert _post(client, CLAIM_ROUTE, {"project": cookie, "n": 1}).status_code == 401


def test_accepting_a_trained_models_proposal(client: TestClient, trained_project: Project) -> None:
    cookie = _sign_in(client, trained_project, "bob")
    (item,) = _post(client, CLAIM_ROUTE, {"project": cookie, "n": 1}).json()["items"]
    assert item["proposed"] is not None and item["model_version"] == trained_project.store.current_version()
    body = {"project": cookie, "item": item["id"], "sid": item["sid"], "value": item["proposed"]}
    assert _post(client, ANSWER_ROUTE, body).status_code == 200
    (answer,) = _human(trained_project, "bob")
    assert answer["status"] == "accepted" and answer["value"] == item["proposed"]
    assert answer["submission_id"] == item["sid"]


def test_ner_answers_come_as_token_spans_or_the_proposal(ner_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIVELABEL_PROJECT", str(ner_project.dir))
    with TestClient(Starlette(routes=fastlane_routes())) as client:
        cookie = _sign_in(client, ner_project, "alice")
        first, second = _post(client, CLAIM_ROUTE, {"project": cookie, "n": 2}).json()["items"]
        assert first["segments"] and first["spans"] and first["cause"].startswith("Model confidence")
        accept = {"project": cookie, "item": first["id"], "sid": first["sid"], "value": first["proposed"]}
        assert _post(client, ANSWER_ROUTE, accept).status_code == 200
        edited = {"project": cookie, "item": second["id"], "sid": second["sid"],
                  "value": {"token_spans": [{"first": 0, "last": 0, "label": "LOC"}]}}
        assert _post(client, ANSWER_ROUTE, edited).status_code == 200
        bad = dict(edited, sid="another-sid-1", value={"token_spans": [{"first": 0, "last": 99, "label": "LOC"}]})
        assert _post(client, ANSWER_ROUTE, bad).status_code == 422
    answers = _human(ner_project, "alice")
    assert [a["status"] for a in answers] == ["accepted", "corrected"]
    assert answers[1]["value"] == {"spans": [{"start": 0, "end": 5, "label": "LOC"}]}


def test_detection_answers_come_as_drawn_boxes_or_the_proposal(detection_project: Project,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIVELABEL_PROJECT", str(detection_project.dir))
    with TestClient(Starlette(routes=fastlane_routes())) as client:
        cookie = _sign_in(client, detection_project, "alice")
        first, second = _post(client, CLAIM_ROUTE, {"project": cookie, "n": 2}).json()["items"]
        assert first["image"].startswith("data:image/png;base64,") and first["boxes"][0]["confidence"] == 0.5
        accept = {"project": cookie, "item": first["id"], "sid": first["sid"], "value": first["proposed"]}
        assert _post(client, ANSWER_ROUTE, accept).status_code == 200
        drawn = {"project": cookie, "item": second["id"], "sid": second["sid"],
                 "value": {"drawn_boxes": [{"x0": 1, "y0": 2, "x1": 30, "y1": 40, "label": "circle"}]}}
        unknown = dict(drawn, value={"drawn_boxes": [{"x0": 1, "y0": 2, "x1": 30, "y1": 40, "label": "star"}]})
        assert _post(client, ANSWER_ROUTE, unknown).status_code == 422  # an unknown label, said and not stored
        assert _post(client, ANSWER_ROUTE, drawn).status_code == 200
    answers = _human(detection_project, "alice")
    assert [a["status"] for a in answers] == ["accepted", "corrected"]
    assert answers[1]["value"] == {"boxes": [{"x0": 1.0, "y0": 2.0, "x1": 30.0, "y1": 40.0, "label": "circle"}]}
