"""Failed sign-ins, counted per name and per address: ten within a quarter of an hour throttle both.

Passwords are slow to check on purpose (scrypt), but a guesser may still try many; the counters
live in the store's ``project_state`` table (``auth:fail:n:<hash>`` and ``auth:fail:a:<hash>``,
JSON ``{"n", "since"}``), so every server process of a project shares them and a restart does not
reset them. While a counter is at the limit, sign-ins for that name or from that address are
refused without checking the password; a successful sign-in clears its name's counter (not its
address's, or one known account would unlock guessing at all the others).
"""

from __future__ import annotations

import json
import math
import time
from typing import TYPE_CHECKING

from activelabel.auth import User, authenticate
from activelabel.errors import ActiveLabelError
from activelabel.sessions import name_key

if TYPE_CHECKING:
    from activelabel.store import Store

MAX_FAILURES = 10
WINDOW_S = 15 * 60
LOCAL = "local"  # Streamlit gives no address for connections through localhost


class SignInThrottledError(ActiveLabelError):
    """Too many failed sign-ins for a name or from an address."""

    def __init__(self, wait_s: float) -> None:
        minutes = max(1, math.ceil(wait_s / 60))
        super().__init__(f"Too many failed sign-ins for this name or from this address: sign-in is paused for "
                         f"{minutes} minute{'s' if minutes > 1 else ''}. Try again then, or ask an admin to "
                         "run `activelabel user unlock`.")


_NAME, _ADDRESS = "auth:fail:n:", "auth:fail:a:"


def _keys(name: str, address: str | None) -> list[str]:
    return [_NAME + name_key(name.strip()), _ADDRESS + name_key(address or LOCAL)]


def check(store: Store, name: str, address: str | None, *, now: float | None = None) -> None:
    """Raise ``SignInThrottledError`` while the name or the address is at the limit."""
    now = time.time() if now is None else now
    for key in _keys(name, address):
        raw = store.get_state(key)
        if raw is None:
            continue
        data = json.loads(raw)
        left = float(data["since"]) + WINDOW_S - now
        if int(data["n"]) >= MAX_FAILURES and left > 0:
            raise SignInThrottledError(left)


def sign_in(store: Store, name: str, password: str, address: str | None, *, now: float | None = None) -> User | None:
    """``authenticate``, throttled: the user, None for a wrong name or password (counted), or
    ``SignInThrottledError`` (also on the failure that reaches the limit)."""
    now = time.time() if now is None else now
    check(store, name, address, now=now)
    user = authenticate(store, name, password)
    name_counter, address_counter = _keys(name, address)
    if user is not None:
        store.delete_states([name_counter])
        return user
    counts = [store.count_in_window(key, now, WINDOW_S) for key in (name_counter, address_counter)]
    worst = max(counts)
    if worst[0] >= MAX_FAILURES:
        raise SignInThrottledError(worst[1] + WINDOW_S - now)
    return None


def unlock(store: Store, name: str) -> None:
    """An admin's reset: clear the name's failed sign-ins and every address's."""
    store.delete_states([_keys(name, None)[0]] + [_ADDRESS + k for k in store.states_with_prefix(_ADDRESS)])
