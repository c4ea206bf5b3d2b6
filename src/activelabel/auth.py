"""Who may do what: annotator accounts, password hashes and the server-side checks of every UI action.

The API is deliberately small, because every write of the UI goes through it:

- ``hash_password`` / ``verify_password``: scrypt hashes (``scrypt$n$r$p$salt$hash``), compared in
  constant time.
- ``add_user(store, name, password, role)`` and ``authenticate(store, name, password) -> User | None``.
- ``oidc_user(store, identity)``: the account of someone signed in through ``st.login`` (OIDC); only
  people listed in the project's users table get in, with the role written there.
- ``Guard(project, user)``: the only object the UI writes through. Each method checks the user's
  role *before* it touches the store, and raises ``PermissionDeniedError`` otherwise; an answer
  needs the item's lease, checked in the transaction that stores it (``LeaseConflictError``).
  There are no anonymous writes: a Guard cannot be built without a ``User``, and a ``User`` only
  comes from ``authenticate`` or ``oidc_user``. It wraps the ``Project`` facade (claim, submit,
  undo, train) for the UI, so it is one of the few modules outside ``cli/`` and ``ui/`` that import
  ``activelabel.project``.

There are no default credentials: ``activelabel user add`` (or the demo, which generates a random
password) creates accounts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.errors import ActiveLabelError, PermissionDeniedError
from activelabel.types import AnnotationStatus, Payload

if TYPE_CHECKING:
    from activelabel.config import ProjectConfig
    from activelabel.project import Project, QueuedItem
    from activelabel.store import Store, SubmitResult

ROLES = ("annotator", "reviewer", "admin")  # each role can do everything the ones before it can
MIN_PASSWORD_LENGTH = 8
OIDC_HASH = "!oidc"  # marks an account that signs in only through OIDC (no password accepted)
_SCRYPT = (2**14, 8, 1)  # n, r, p: ~16 MiB and ~50 ms per hash
_DUMMY_HASH: list[str] = []  # computed once, so unknown names cost as much time as known ones


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in person. Built only by ``authenticate`` / ``oidc_user``."""

    name: str
    role: str

    def has(self, role: str) -> bool:
        """True when this user's role is ``role`` or above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


# ---- passwords ------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    n, r, p = _SCRYPT
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${n}${r}${p}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check; a malformed or OIDC-only hash never matches."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.urlsafe_b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.urlsafe_b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def write_secret(path: Path, text: str) -> Path:
    """Write a secret readable by its owner only (mode 0600 from the start, never wider)."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


# ---- accounts -------------------------------------------------------------------------------


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200 or name.startswith("model:") or any(c in name for c in "\n\r\t"):
        raise ActiveLabelError(f"invalid user name {name!r}: give 1-200 printable characters, not starting with 'model:'")
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ActiveLabelError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    return role


def add_user(store: Store, name: str, password: str | None, role: str = "annotator") -> User:
    """Create or replace an account. ``password=None`` makes an OIDC-only account."""
    name, role = _check_name(name), _check_role(role)
    if password is None:
        stored = OIDC_HASH
    else:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ActiveLabelError(f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters")
        stored = hash_password(password)
    store.add_user(name, stored, role)
    return User(name, role)


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user, if the name exists and the password matches; None otherwise (same cost either way)."""
    row = store.get_user(name.strip()) if name.strip() else None
    if row is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_password(secrets.token_hex(8)))
        verify_password(password, _DUMMY_HASH[0])
        return None
    if not verify_password(password, row["password_hash"]):
        return None
    return User(row["name"], _check_role(row["role"]))


def oidc_user(store: Store, identity: str) -> User | None:
    """The account of an OIDC-verified identity (email or name); None when the project does not list it."""
    row = store.get_user(identity) if identity else None
    return User(row["name"], _check_role(row["role"])) if row else None


def require(user: User | None, role: str) -> User:
    if user is None:
        raise PermissionDeniedError("sign in first")
    if not user.has(role):
        raise PermissionDeniedError(f"{user.name} is {user.role}; this needs the {role} role")
    return user


# ---- the guarded actions --------------------------------------------------------------------


class Guard:
    """A project as one signed-in user may use it; every method checks the role first."""

    def __init__(self, project: Project, user: User) -> None:
        if not isinstance(user, User):
            raise PermissionDeniedError("sign in first")
        self.project = project
        self.user = user

    # annotator actions

    def claim(self, n: int = 2) -> list[QueuedItem]:
        require(self.user, "annotator")
        return self.project.claim(self.user.name, n)

    def submit(self, item_id: str, value: Payload | None, *, status: AnnotationStatus | None = None,
               submission_id: str, duration_s: float | None = None) -> SubmitResult:
        """Store one answer. Annotators may answer only items leased to them (an expired lease of
        theirs counts while nobody else has claimed the item); reviewers and admins may answer any.

        The store checks the lease in the transaction that stores the answer; the early check here
        refuses an unleased (or guessed) id before the value is validated against the item.
        """
        require(self.user, "annotator")
        if status is AnnotationStatus.AUTO:
            raise PermissionDeniedError("only the model writes auto labels")
        needs_lease = not self.user.has("reviewer")
        if needs_lease:
            # a retried submit of an answer already stored (its lease is gone with it) is harmless
            self.project.store.check_lease(item_id=item_id, annotator=self.user.name, submission_id=submission_id)
        return self.project.submit(item_id, value, annotator=self.user.name, status=status,
                                   submission_id=submission_id, duration_s=duration_s, require_lease=needs_lease)

    def undo_last(self) -> str | None:
        """Revoke this user's last answer and lease its item back to them, so it shows again."""
        require(self.user, "annotator")
        item_id = self.project.undo_last(self.user.name)
        if item_id is not None:
            self.project.store.lease_back(item_id, self.user.name, self.project.config.loop.lease_seconds)
        return item_id

    def release(self, item_ids: list[str] | None = None) -> None:
        require(self.user, "annotator")
        self.project.store.release(self.user.name, item_ids)

    # reviewer actions

    def requeue(self, item_id: str) -> None:
        """Send an item back to the human queue, at its front. Its human labels are revoked (they
        stay in the history) so that it is answered again; an auto label stays until then."""
        require(self.user, "reviewer")
        self.project.store.get_item(item_id)  # raises ItemNotFoundError for a guessed id
        rnd = self.project.store.current_round()
        if rnd is None:
            raise ActiveLabelError("there is no round yet: pre-label the project first")
        self.project.store.requeue(item_id, rnd.id, by=self.user.name)

    def train(self) -> str:
        require(self.user, "reviewer")
        return self.project.train(wait=False)

    # admin actions

    def save_config(self, config: ProjectConfig) -> None:
        require(self.user, "admin")
        self.project.save_config(config)

    def add_user(self, name: str, password: str | None, role: str) -> User:
        require(self.user, "admin")
        return add_user(self.project.store, name, password, role)

    def revoke_sessions(self, name: str) -> None:
        """Sign ``name`` out of every browser (their session cookies stop working at once)."""
        from activelabel.sessions import revoke_user

        require(self.user, "admin")
        revoke_user(self.project.store, name)


def describe_roles() -> dict[str, Any]:
    return {"annotator": "label items leased to them, undo their own answers",
            "reviewer": "and answer any item, re-queue items, start training",
            "admin": "and change settings, add users, sign users out everywhere"}
