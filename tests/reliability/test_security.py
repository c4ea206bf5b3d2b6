"""Who gets in and what may load: roles on every action, no default credentials, private secrets,
XSRF on, no HTML from data, models only from the project's own store.
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

from activelabel.auth import ROLES, Guard, add_user, authenticate, generate_password, write_secret
from activelabel.errors import ItemNotFoundError, LeaseConflictError, PermissionDeniedError
from activelabel.models.registry import load_model
from activelabel.types import ClassLabel

SRC = Path(__file__).resolve().parents[2] / "src" / "activelabel"

# every guarded action, the least role it needs, and how to call it
ACTIONS = {
    "claim": ("annotator", lambda g: g.claim(1)),
    "submit": ("annotator", lambda g: g.submit("guessed-id", ClassLabel("ham"), submission_id="x1")),
    "undo_last": ("annotator", lambda g: g.undo_last()),
    "release": ("annotator", lambda g: g.release()),
    "requeue": ("reviewer", lambda g: g.requeue("guessed-id")),
    "train": ("reviewer", lambda g: g.train()),
    "save_config": ("admin", lambda g: g.save_config(g.project.config)),
    "add_user": ("admin", lambda g: g.add_user("newbie", generate_password(), "annotator")),
}


@pytest.fixture()
def users(text_project):
    return {role: add_user(text_project.store, f"u_{role}", generate_password(), role) for role in ROLES}


def test_no_anonymous_guard(text_project):
    with pytest.raises(PermissionDeniedError):
        Guard(text_project, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_checks_the_role_on_the_server(text_project, users, action):
    need, call = ACTIONS[action]
    for role, user in users.items():
        guard = Guard(text_project, user)
        allowed = ROLES.index(role) >= ROLES.index(need)
        if not allowed:
            with pytest.raises(PermissionDeniedError):
                call(guard)
            continue
        try:
            call(guard)
        except PermissionDeniedError:  # pragma: no cover - the failure we test for
            pytest.fail(f"{role} was refused {action}")
        except (LeaseConflictError, ItemNotFoundError, RuntimeError, ValueError):
            pass  # allowed by role, refused for the guessed id or the empty project: that is the point


def test_guessed_item_ids_are_refused(text_project, users):
    with pytest.raises(LeaseConflictError):  # an annotator may answer only what is leased to them
        Guard(text_project, users["annotator"]).submit("0" * 24, ClassLabel("ham"), submission_id="g1")
    with pytest.raises(ItemNotFoundError):
        Guard(text_project, users["reviewer"]).requeue("0" * 24)
    assert not text_project.store.all_annotations()


def test_a_lease_taken_over_after_the_early_check_refuses_the_answer(text_project, users, monkeypatch):
    """The guard's early lease check is advisory: the store checks again in the submit's transaction."""
    from tests.reliability.scenarios import queue_all

    store = text_project.store
    queue_all(store, 2)
    alice, bob = users["annotator"], add_user(store, "bob", generate_password(), "annotator")
    (mine,) = store.claim(alice.name, 1, -1)  # her lease has already expired
    early_check = store.check_lease

    def check_then_lose_the_lease(**kwargs):  # noqa: ANN003, ANN202
        early_check(**kwargs)  # passes: nobody else has claimed the item yet
        assert [e.item.id for e in store.claim(bob.name, 1, 60)] == [mine.item.id]

    monkeypatch.setattr(store, "check_lease", check_then_lose_the_lease)
    with pytest.raises(LeaseConflictError):
        Guard(text_project, alice).submit(mine.item.id, ClassLabel("ham"), submission_id="late")
    assert not store.all_annotations()


def test_no_default_credentials(text_project):
    assert text_project.store.list_users() == [], "a new project must have no accounts"
    for name, password in [("admin", "admin"), ("admin", "password"), ("demo", "demo"), ("annotator", "annotator"),
                           ("admin", ""), ("", "")]:
        assert authenticate(text_project.store, name, password) is None
    stored = add_user(text_project.store, "alice", "correct horse battery", "annotator")
    assert stored.role == "annotator"
    row = text_project.store.get_user("alice")
    assert "correct horse" not in row["password_hash"]
    assert authenticate(text_project.store, "alice", "wrong password") is None


def test_secrets_are_random_per_install_and_private(tmp_path):
    assert len({generate_password() for _ in range(20)}) == 20
    path = write_secret(tmp_path / "secret.txt", "s3cret")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # rewriting an existing secret narrows it again
    assert stat.S_IMODE(write_secret(path, "again").stat().st_mode) == 0o600


def test_no_hard_coded_secret_keys_and_xsrf_stays_on():
    for py in SRC.rglob("*.py"):
        text = py.read_text(encoding="utf-8")
        assert not re.search(r"(?i)(secret_key|cookie_secret)\s*=\s*['\"][^'\"]+['\"]", text), py
        assert "enableXsrfProtection\", \"false\"" not in text and "enableXsrfProtection=false" not in text, py
    assert "\"--server.enableXsrfProtection\", \"true\"" in (SRC / "ui" / "launch.py").read_text(encoding="utf-8")


def test_unsafe_allow_html_is_never_used_with_data():
    """Only literal strings (our own markup) may go through unsafe_allow_html."""
    offenders = []
    for py in (SRC / "ui").rglob("*.py"):
        for n, line in enumerate(py.read_text(encoding="utf-8").splitlines(), 1):
            if "unsafe_allow_html=True" in line and not re.search(r"markdown\(\s*['\"][^{}]*['\"]\s*,", line):
                offenders.append(f"{py.name}:{n}: {line.strip()}")
    assert not offenders, offenders


def test_models_load_only_through_known_adapters(tmp_path):
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "adapter.json").write_text(json.dumps({"adapter": "os:system", "task": "classification"}))
    with pytest.raises(ValueError, match="refusing"):
        load_model(evil)
    (evil / "adapter.json").write_text(json.dumps({"adapter": "pickle:loads", "task": "classification"}))
    with pytest.raises(ValueError, match="refusing"):
        load_model(evil)


def test_version_folders_outside_the_model_store_are_flagged(text_project, tmp_path):
    from activelabel.store.integrity import check_project

    v = text_project.store.create_version(base_version=None, path_for=lambda vid: tmp_path / "elsewhere" / vid)
    text_project.store.update_version(v, status="ready")
    report = check_project(text_project)
    assert not report.ok and any("outside the project's model store" in p for p in report.problems)
