"""The label page's fast lane: JSON routes the page calls in the background, beside ``/_al/session``.

The next item is drawn in the browser from its own buffer the moment a key is pressed
(``ui/fastlane.py``); these routes store the answer after that and top the buffer up, so no
Streamlit rerun sits between a key press and the next item. Every write goes through the same
``Guard`` as the page (the role, and the item's lease, checked in the transaction that stores the
answer), and an answer carries the submission id made when its item was handed out, so a retried
POST stores one answer. Each route answers with the round (model ranking) in force, so the page
sees a re-ranking and re-claims its buffer.

- ``POST /_al/claim`` ``{"project", "have": [ids], "n", "release": [ids]}``: lease up to ``n`` items
  beyond those the page holds (``have``), after giving back ``release``.
- ``POST /_al/answer`` ``{"project", "item", "sid", "value" | null, "status" | null, "duration_s"}``:
  store one answer; ``status`` is ``rejected`` or ``skipped``, else the value is the answer given,
  read by the editor's ``fast_value`` (accepted or corrected is decided against the proposal, as on
  the page).
- ``POST /_al/undo`` ``{"project"}``: revoke this person's last answer; its item comes back.

``project`` is the name of the project's session cookie (``ui.common.cookie_name``). Answers:
200 with ``round``; 400 for a malformed body; 401 without a valid session (sign in again); 403
from another origin or for a role that may not; 404 for an unknown item; 409 when the item is
leased to someone else; 422 for a value the task does not accept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from activelabel.auth import Guard
from activelabel.errors import (
    ActiveLabelError,
    InvalidLabelError,
    ItemNotFoundError,
    LeaseConflictError,
    PermissionDeniedError,
)
from activelabel.types import AnnotationStatus
from activelabel.ui.editors import editor_for
from activelabel.ui.queue_items import item_view, queued_json, why_line
from activelabel.ui.route_auth import Refusal, signed_in_guard

if TYPE_CHECKING:
    from activelabel.project import Project

CLAIM_ROUTE, ANSWER_ROUTE, UNDO_ROUTE = "/_al/claim", "/_al/answer", "/_al/undo"
MAX_CLAIM = 20  # items one request may lease beyond those the page holds
_STATUSES = {"rejected": AnnotationStatus.REJECTED, "skipped": AnnotationStatus.SKIPPED}
_HTTP = ((PermissionDeniedError, 403), (ItemNotFoundError, 404), (LeaseConflictError, 409),
         (InvalidLabelError, 422), (ActiveLabelError, 422))


class BadRequest(ValueError):
    """A body the route cannot read; answered with 400 and what was expected."""


def fast_item(project: Project, item: dict[str, Any]) -> dict[str, Any]:
    """A queued item as the browser draws it: the why line as plain text, plus what its editor adds."""
    return {**item, "why": why_line(item, markdown=False), **editor_for(project.spec).fast_view(project, item)}


def _round(g: Guard) -> int | None:
    rnd = g.project.store.current_round()
    return rnd.id if rnd else None


def _ids(body: dict[str, Any], key: str) -> list[str]:
    raw = body.get(key) or []
    if not isinstance(raw, list) or not all(isinstance(i, str) for i in raw):
        raise BadRequest(f"{key!r} must be a list of item ids")
    return list(raw)


def claim(g: Guard, body: dict[str, Any]) -> dict[str, Any]:
    """Lease up to ``n`` items the page does not hold yet (the queue's order, under this user's lease)."""
    have, release = _ids(body, "have"), _ids(body, "release")
    n = body.get("n", 2)
    if not isinstance(n, int) or not 0 <= n <= MAX_CLAIM:
        raise BadRequest(f"'n' must be a whole number from 0 to {MAX_CLAIM}")
    if release:
        g.release(release)
    held = set(have)
    fresh = [q for q in g.claim(len(held) + n) if q.entry.item.id not in held] if n else []
    extra = [q.entry.item.id for q in fresh[n:]]
    if extra:
        g.release(extra)
    return {"items": [fast_item(g.project, queued_json(q)) for q in fresh[:n]], "round": _round(g)}


def answer(g: Guard, body: dict[str, Any]) -> dict[str, Any]:
    """Store one answer through the Guard, idempotent on its submission id."""
    item, sid = body.get("item"), body.get("sid")
    if not isinstance(item, str) or not item or not isinstance(sid, str) or not 8 <= len(sid) <= 64:
        raise BadRequest("an answer needs 'item' (an item id) and 'sid' (its submission id, 8-64 characters)")
    raw_status, raw_value, duration = body.get("status"), body.get("value"), body.get("duration_s")
    if raw_status is not None and raw_status not in _STATUSES:
        raise BadRequest(f"'status' must be one of {', '.join(_STATUSES)} or null")
    if raw_value is not None and not isinstance(raw_value, dict):
        raise BadRequest("'value' must be the answer's JSON object or null")
    if duration is not None and not isinstance(duration, int | float):
        raise BadRequest("'duration_s' must be a number or null")
    status = _STATUSES.get(raw_status) if raw_status else None
    editor = editor_for(g.project.spec)
    value = editor.fast_value(g.project, item, raw_value) if raw_value is not None and status is None else None
    if status is None and value is None:
        raise InvalidLabelError("give a value, or a status of rejected or skipped")
    result = g.submit(item, value, status=status, submission_id=sid,
                      duration_s=float(duration) if duration is not None else None)
    return {"ok": True, "created": result.created, "round": _round(g)}


def undo(g: Guard, body: dict[str, Any]) -> dict[str, Any]:
    """Revoke this person's last answer; the item comes back, leased to them, with a new submission id."""
    item_id = g.undo_last()
    return {"item": fast_item(g.project, item_view(g.project, item_id)) if item_id else None, "round": _round(g)}


def _route(work: Callable[[Guard, dict[str, Any]], dict[str, Any]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            body: Any = await request.json()
        except ValueError:
            return JSONResponse({"error": "expected a JSON object"}, status_code=400)
        if not isinstance(body, dict) or not isinstance(body.get("project"), str):
            return JSONResponse({"error": "expected a JSON object with 'project'"}, status_code=400)
        g = await run_in_threadpool(signed_in_guard, request, body["project"])
        if isinstance(g, Refusal):
            return JSONResponse({"error": g.error}, status_code=g.status)
        try:
            return JSONResponse(await run_in_threadpool(work, g, body))
        except BadRequest as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except ActiveLabelError as exc:
            code = next(c for kind, c in _HTTP if isinstance(exc, kind))
            return JSONResponse({"error": str(exc)}, status_code=code)

    endpoint.__name__ = f"fastlane_{work.__name__}"
    return endpoint


def fastlane_routes() -> list[Route]:
    """The routes ``ui/asgi.py`` mounts."""
    return [Route(CLAIM_ROUTE, _route(claim), methods=["POST"]),
            Route(ANSWER_ROUTE, _route(answer), methods=["POST"]),
            Route(UNDO_ROUTE, _route(undo), methods=["POST"])]
