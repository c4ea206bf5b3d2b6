"""Signed, expiring session tokens: a browser stays signed in across reloads without a schema change.

A token is ``base64url(json claims) "." base64url(HMAC-SHA256(secret, "activelabel-session." + claims))``.
The secret is per project (``<project>/secrets/session.key``, mode 0600, made on first use), so a
token of one project never opens another. Tokens are stateless; what the server must remember
lives in the store's ``project_state`` table:

- ``auth:rev:<jti>`` -> the token's expiry: one session signed out (dropped once expired);
- ``auth:revb:<hash of the name>`` -> a time: an admin signed that user out everywhere, so every
  token issued before it is refused.

Two kinds: a ``session`` token (hours; only ever in an HttpOnly cookie) and a ``handoff`` token
(a minute; what the page exchanges for that cookie right after the sign-in, see ``ui/asgi.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from activelabel.store import Store

SESSION_TTL_S = 12 * 3600
HANDOFF_TTL_S = 60
KINDS = ("session", "handoff")
_REVOKED = "auth:rev:"
_REVOKED_BEFORE = "auth:revb:"
_CONTEXT = b"activelabel-session."


@dataclass(frozen=True, slots=True)
class Claims:
    """What a valid token says: who, which kind, when it was issued and expires, its id."""

    name: str
    kind: str
    issued: float
    expires: float
    jti: str


def name_key(name: str) -> str:
    """A fixed-length stand-in for a user name in a state key (keys hold 64 characters)."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]


def secret_path(directory: Path) -> Path:
    return directory / "secrets" / "session.key"


def load_secret(directory: Path) -> bytes:
    """The project's signing key; made (0600, atomically: racing servers agree on one) if missing."""
    path = secret_path(directory)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".session.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # fails if another process linked its key first: then that one counts
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(secret: bytes, name: str, kind: str, *, ttl_s: float, jti: str | None = None,
          now: float | None = None) -> str:
    """A token for ``name``; ``jti`` names the session (a handoff and its session share one)."""
    if kind not in KINDS:
        raise ValueError(f"unknown token kind {kind!r}")
    now = time.time() if now is None else now
    claims = {"sub": name, "typ": kind, "iat": now, "exp": now + ttl_s, "jti": jti or secrets.token_urlsafe(16)}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    return f"{body}.{_b64(hmac.new(secret, _CONTEXT + body.encode('ascii'), hashlib.sha256).digest())}"


def verify(secret: bytes, token: str, kind: str, *, now: float | None = None) -> Claims | None:
    """The claims of a well-signed, unexpired token of ``kind``; None for anything else."""
    try:
        body, sig = token.split(".")
        want = hmac.new(secret, _CONTEXT + body.encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(want, _unb64(sig)):
            return None
        data = json.loads(_unb64(body))
        claims = Claims(str(data["sub"]), str(data["typ"]), float(data["iat"]), float(data["exp"]), str(data["jti"]))
    except (ValueError, KeyError, TypeError, UnicodeError):
        return None
    now = time.time() if now is None else now
    if claims.kind != kind or claims.expires <= now or not claims.name or len(claims.jti) > 40:
        return None
    return claims


def is_revoked(store: Store, name: str, jti: str, issued: float) -> bool:
    """Signed out (this session), or issued before an admin signed the user out everywhere."""
    if store.get_state(_REVOKED + jti) is not None:
        return True
    before = store.get_state(_REVOKED_BEFORE + name_key(name))
    return before is not None and issued <= float(before)


def revoke(store: Store, jti: str, expires: float, *, now: float | None = None) -> None:
    """Sign one session out; drops the marks of sessions that have expired anyway."""
    now = time.time() if now is None else now
    stale = [_REVOKED + k for k, v in store.states_with_prefix(_REVOKED).items() if float(v) <= now]
    store.delete_states(stale)
    store.set_state(_REVOKED + jti, repr(float(expires)))


def revoke_user(store: Store, name: str, *, now: float | None = None) -> None:
    """Sign ``name`` out of every session issued until now (in every browser)."""
    store.set_state(_REVOKED_BEFORE + name_key(name), repr(time.time() if now is None else now))
