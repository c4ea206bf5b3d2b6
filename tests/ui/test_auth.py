"""Accounts, passwords and the server-side checks of every UI action (activelabel.auth)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from activelabel.auth import Guard, User, add_user, authenticate, hash_password, oidc_user, verify_password
from activelabel.errors import ActiveLabelError, LeaseConflictError, PermissionDeniedError
from activelabel.project import Project
from activelabel.types import AnnotationStatus, ClassLabel
from tests.ui.conftest import USERS


def test_passwords_are_salted_scrypt_hashes() -> None:
    a, b = hash_password("correct horse"), hash_password("correct horse")
    assert a != b and a.startswith("scrypt$") and "correct" not in a
    assert verify_password("correct horse", a) and not verify_password("wrong horse", a)
    assert not verify_password("x", "!oidc") and not verify_password("x", "garbage")


def test_authenticate(cls_project: Project) -> None:
    assert authenticate(cls_project.store, "alice", USERS["alice"][1]) == User("alice", "annotator")
    assert authenticate(cls_project.store, "alice", "nope-nope") is None
    assert authenticate(cls_project.store, "nobody", "whatever1") is None
    assert authenticate(cls_project.store, "", "") is None
    with pytest.raises(ActiveLabelError, match="too short"):
        add_user(cls_project.store, "carl", "short", "annotator")
    with pytest.raises(ActiveLabelError, match="unknown role"):
        add_user(cls_project.store, "carl", "long-enough", "root")
    with pytest.raises(ActiveLabelError, match="invalid user name"):
        add_user(cls_project.store, "model:v1", "long-enough", "annotator")
    add_user(cls_project.store, "sso@example.org", None, "reviewer")
    assert authenticate(cls_project.store, "sso@example.org", "") is None  # OIDC-only: no password works
    assert oidc_user(cls_project.store, "sso@example.org") == User("sso@example.org", "reviewer")
    assert oidc_user(cls_project.store, "stranger@example.org") is None


def test_guard_checks_leases_and_roles(cls_project: Project) -> None:
    alice = Guard(cls_project, User("alice", "annotator"))
    bob = Guard(cls_project, User("bob", "annotator"))
    rita = Guard(cls_project, User("rita", "reviewer"))
    (mine,) = alice.claim(1)
    item = mine.entry.item.id
    with pytest.raises(LeaseConflictError):  # leased to alice
        bob.submit(item, ClassLabel("ham"), submission_id="b1")
    (other,) = bob.claim(1)
    assert other.entry.item.id != item
    with pytest.raises(LeaseConflictError):  # a guessed id never leased to anyone
        bob.submit(cls_project.queue(5)[-1].entry.item.id, ClassLabel("ham"), submission_id="b2")
    first = alice.submit(item, ClassLabel("spam"), submission_id="a1")
    again = alice.submit(item, ClassLabel("spam"), submission_id="a1")  # a retried click
    assert first.created and not again.created and first.annotation_id == again.annotation_id
    with pytest.raises(PermissionDeniedError):
        alice.submit(other.entry.item.id, ClassLabel("ham"), status=AnnotationStatus.AUTO, submission_id="a2")
    assert rita.submit(other.entry.item.id, ClassLabel("ham"), submission_id="r1").created  # reviewers may
    for action in (alice.train, lambda: alice.requeue(item), lambda: rita.save_config(cls_project.config),
                   lambda: alice.add_user("eve", "long-enough", "admin")):
        with pytest.raises(PermissionDeniedError):
            action()
    with pytest.raises(PermissionDeniedError):
        Guard(cls_project, None)  # type: ignore[arg-type]
    assert alice.undo_last() == item
    assert alice.claim(1)[0].entry.item.id == item  # undone: leased back to alice


def test_user_add_reads_the_password_from_stdin(cls_project: Project) -> None:
    import importlib

    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    runner = CliRunner()
    result = runner.invoke(app, ["user", "add", str(cls_project.dir), "carol", "--role", "reviewer"],
                           input="carol-password\n")
    assert result.exit_code == 0, result.output
    assert authenticate(cls_project.store, "carol", "carol-password") == User("carol", "reviewer")
    bad = runner.invoke(app, ["user", "add", str(cls_project.dir), "dan", "--role", "boss"], input="long-enough\n")
    assert bad.exit_code == 1 and "unknown role" in bad.output


def test_demo_password_is_generated_and_private(tmp_path: Path) -> None:
    from activelabel.demo import CREDENTIALS, build_demo, demo_password

    made = build_demo(tmp_path, ("classification",), n=30, say=lambda _m: None)
    password, new = demo_password(tmp_path)
    assert not new and len(password) >= 12
    mode = stat.S_IMODE((tmp_path / CREDENTIALS).stat().st_mode)
    assert mode == 0o600
    with Project.open(made[0].directory) as project:
        assert authenticate(project.store, "demo", password) == User("demo", "admin")
        assert project.store.current_round() is not None  # pre-labeled (cold start for text)
