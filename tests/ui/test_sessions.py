"""Session tokens (activelabel.sessions) and throttled sign-ins (activelabel.signin_limits)."""

from __future__ import annotations

import contextlib
import stat
import time
from typing import Any

import pytest
from typer.testing import CliRunner

from activelabel.auth import Guard, User
from activelabel.errors import PermissionDeniedError
from activelabel.project import Project
from activelabel.sessions import (
    is_revoked,
    issue,
    load_secret,
    revoke,
    revoke_user,
    secret_path,
    verify,
)
from activelabel.signin_limits import MAX_FAILURES, WINDOW_S, SignInThrottledError, sign_in
from tests.ui.conftest import USERS


def test_tokens_are_signed_expiring_and_typed(cls_project: Project) -> None:
    secret = load_secret(cls_project.dir)
    assert load_secret(cls_project.dir) == secret and len(secret) == 32  # made once, then read
    assert stat.S_IMODE(secret_path(cls_project.dir).stat().st_mode) == 0o600
    token = issue(secret, "alice", "session", ttl_s=60, jti="j1", now=1000.0)
    claims = verify(secret, token, "session", now=1030.0)
    assert claims is not None and (claims.name, claims.jti, claims.issued, claims.expires) == ("alice", "j1", 1000, 1060)
    assert verify(secret, token, "session", now=1060.0) is None  # expired
    assert verify(secret, token, "handoff", now=1030.0) is None  # another kind
    assert verify(b"x" * 32, token, "session", now=1030.0) is None  # another project's key
    body, sig = token.split(".")
    forged = issue(b"y" * 32, "adam", "session", ttl_s=60, now=1000.0).split(".")[0]
    assert verify(secret, f"{forged}.{sig}", "session", now=1030.0) is None  # claims swapped under a signature
    assert verify(secret, "garbage", "session") is None and verify(secret, "a.b.c", "session") is None


def test_sessions_are_revoked_one_by_one_or_all_of_a_user(cls_project: Project) -> None:
    store = cls_project.store
    assert not is_revoked(store, "alice", "j1", 1000.0)
    revoke(store, "j1", expires=5000.0, now=1000.0)
    assert is_revoked(store, "alice", "j1", 1000.0) and not is_revoked(store, "alice", "j2", 1000.0)
    revoke(store, "j3", expires=9000.0, now=6000.0)  # j1 has expired by now: its mark is dropped
    assert store.get_state("auth:rev:j1") is None and is_revoked(store, "alice", "j3", 1000.0)
    revoke_user(store, "bob", now=2000.0)
    assert is_revoked(store, "bob", "j4", 1999.0) and not is_revoked(store, "bob", "j5", 2001.0)
    assert not is_revoked(store, "alice", "j4", 1999.0)


def test_only_admins_sign_others_out(cls_project: Project) -> None:
    with pytest.raises(PermissionDeniedError):
        Guard(cls_project, User("rita", "reviewer")).revoke_sessions("alice")
    Guard(cls_project, User("adam", "admin")).revoke_sessions("alice")
    assert is_revoked(cls_project.store, "alice", "any", issued=0.0)


def test_user_revoke_command(cls_project: Project) -> None:
    import importlib

    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    runner = CliRunner()
    result = runner.invoke(app, ["user", "revoke", str(cls_project.dir), "alice"])
    assert result.exit_code == 0, result.output
    assert is_revoked(cls_project.store, "alice", "any", issued=0.0)
    missing = runner.invoke(app, ["user", "revoke", str(cls_project.dir), "nobody"])
    assert missing.exit_code == 1 and "no account" in missing.output


def test_ten_failed_sign_ins_throttle_the_name(cls_project: Project) -> None:
    store, right = cls_project.store, USERS["alice"][1]
    for _ in range(MAX_FAILURES - 1):
        assert sign_in(store, "alice", "wrong-pass", "10.0.0.1", now=100.0) is None
    with pytest.raises(SignInThrottledError, match="Too many failed sign-ins.*15 minutes"):
        sign_in(store, "alice", "wrong-pass", "10.0.0.2", now=101.0)  # the tenth
    with pytest.raises(SignInThrottledError):  # the right password too, from another address
        sign_in(store, "alice", right, "10.0.0.3", now=102.0)
    assert sign_in(store, "bob", USERS["bob"][1], "10.0.0.3", now=102.0) == User("bob", "annotator")
    later = 100.0 + WINDOW_S
    assert sign_in(store, "alice", right, "10.0.0.3", now=later) == User("alice", "annotator")
    assert sign_in(store, "alice", "wrong-pass", "10.0.0.3", now=later) is None  # counting starts again


def test_ten_failed_sign_ins_throttle_the_address(cls_project: Project) -> None:
    store = cls_project.store
    for i in range(MAX_FAILURES - 1):
        assert sign_in(store, f"guess{i}", "wrong-pass", "10.9.9.9", now=100.0) is None
    with pytest.raises(SignInThrottledError):
        sign_in(store, "guess-last", "wrong-pass", "10.9.9.9", now=100.0)
    with pytest.raises(SignInThrottledError):
        sign_in(store, "bob", USERS["bob"][1], "10.9.9.9", now=200.0)
    assert sign_in(store, "bob", USERS["bob"][1], "10.1.1.1", now=200.0) == User("bob", "annotator")


def test_user_unlock_lifts_the_pause(cls_project: Project) -> None:
    import importlib

    from activelabel.cli import COMMAND_MODULES, app

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    store, now = cls_project.store, time.time()
    for i in range(MAX_FAILURES):
        with contextlib.suppress(SignInThrottledError):
            sign_in(store, "alice", "wrong-pass", "10.0.0.1", now=now + i)
    with pytest.raises(SignInThrottledError, match="activelabel user unlock"):
        sign_in(store, "alice", USERS["alice"][1], "10.0.0.1", now=now + 20)
    result = CliRunner().invoke(app, ["user", "unlock", str(cls_project.dir), "alice"])
    assert result.exit_code == 0, result.output
    assert sign_in(store, "alice", USERS["alice"][1], "10.0.0.1", now=now + 30) == User("alice", "annotator")


def test_a_success_clears_the_names_count(cls_project: Project) -> None:
    store, right = cls_project.store, USERS["alice"][1]
    for _ in range(MAX_FAILURES - 1):
        sign_in(store, "alice", "wrong-pass", None, now=100.0)
    assert sign_in(store, "alice", right, "10.0.0.7", now=100.0) is not None
    assert sign_in(store, "alice", "wrong-pass", "10.0.0.8", now=100.0) is None  # not the tenth any more



def test_settings_page_signs_a_user_out_everywhere(cls_project: Project, app_for: Any) -> None:
    at = app_for(cls_project, page="settings", user="adam")
    at.run()
    assert not at.exception
    at.selectbox(key="al_revoke_name").set_value("alice")
    next(b for b in at.button if b.label == "Sign out everywhere").click().run()
    assert not at.exception
    assert any("alice is signed out of every browser" in s.value for s in at.success)
    assert is_revoked(cls_project.store, "alice", "any", issued=0.0)
    assert not is_revoked(cls_project.store, "bob", "any", issued=0.0)


def test_counters_and_revocations_on_every_backend(db_url: str, tmp_path: Any) -> None:
    """The store methods under them (count_in_window, delete_states) on SQLite and PostgreSQL."""
    from activelabel.auth import add_user
    from activelabel.config import parse_config

    cfg = parse_config({"name": "s", "task": "classification", "labels": ["ham", "spam"], "db": db_url})
    with Project.init(tmp_path / "proj", cfg) as project:
        store = project.store
        add_user(store, "alice", USERS["alice"][1], "annotator")
        assert store.count_in_window("auth:fail:n:x", 100.0, 60.0) == (1, 100.0)
        assert store.count_in_window("auth:fail:n:x", 130.0, 60.0) == (2, 100.0)
        assert store.count_in_window("auth:fail:n:x", 161.0, 60.0) == (1, 161.0)  # the window passed
        store.delete_states(["auth:fail:n:x", "absent"])
        assert store.get_state("auth:fail:n:x") is None
        for _ in range(MAX_FAILURES - 1):
            assert sign_in(store, "alice", "wrong-pass", "10.0.0.1", now=100.0) is None
        with pytest.raises(SignInThrottledError):
            sign_in(store, "alice", "wrong-pass", "10.0.0.1", now=100.0)
        revoke(store, "j1", expires=500.0, now=100.0)
        revoke_user(store, "alice", now=200.0)
        assert is_revoked(store, "alice", "j1", 300.0) and is_revoked(store, "alice", "j2", 150.0)
        assert not is_revoked(store, "alice", "j2", 250.0)


def test_concurrent_failures_are_all_counted(db_url: str, tmp_path: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from activelabel.config import parse_config

    cfg = parse_config({"name": "s", "task": "classification", "labels": ["ham", "spam"], "db": db_url})
    with Project.init(tmp_path / "proj", cfg) as project:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _i: project.store.count_in_window("auth:fail:a:x", 100.0, 600.0), range(40)))
        assert project.store.count_in_window("auth:fail:a:x", 100.0, 600.0)[0] == 41
