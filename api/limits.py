"""Limits: on every request body, counted as it streams in, before any route reads it or asks for a key; and on
how fast one key may write outcomes (:func:`write_rate`).

uvicorn has no body-size setting: without this, anyone who can reach the port could send a gigabyte to any
route (spooled to disk by the multipart parser, or held in memory as JSON) before the key check refused it.
The ``Content-Length`` a client declares is checked first; a body that grows past the limit as it streams
(chunked, or lying about its length) is cut off there. Either way the answer is a 413 in the service's JSON
error form, and the connection is closed.
"""

from __future__ import annotations

import json

from fastapi import Depends, Request

from ..services import RateLimit
from .auth import BUYER, MATCHMAKER, Principal, require
from .errors import ApiError, error_body

__all__ = ["BodyLimit", "MAX_BODY_BYTES", "MAX_UPLOAD_BODY_BYTES", "WRITES_PER_MINUTE", "check_write_rate", "write_rate"]

# Outcomes a key may record a minute: a buyer clicks; a matchmaker enters a day's meetings by hand (files go
# through the import). Past it, 429 with Retry-After: one key cannot flood the outcome log or the targets.
WRITES_PER_MINUTE = {BUYER: 60, MATCHMAKER: 600}

MAX_BODY_BYTES = 1 << 20  # a profile, feedback, a form: far below this
MAX_UPLOAD_BODY_BYTES = 50 * 2**20 + (1 << 20)  # an imported file (api.profiles.MAX_UPLOAD_BYTES) and its multipart


class BodyLimit:
    """Pure ASGI middleware: ``upload_limit`` for paths ending in ``/import``, ``limit`` for the rest."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES, upload_limit: int = MAX_UPLOAD_BODY_BYTES):
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope["path"].endswith("/import") else self.limit
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        received = 0
        too_large = False

        async def counted_receive():
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # read no further: to the app, the client has gone
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        started = False

        async def watched_send(message):
            nonlocal started
            if not too_large:  # whatever the app answers a body cut short with, the client gets the 413
                started = started or message["type"] == "http.response.start"
                await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except Exception:
            if not too_large:
                raise
        if too_large and not started:  # (an answer already begun is left to end as the connection closes)
            await _refuse(send, limit)


async def _refuse(send, limit: int) -> None:
    body = json.dumps(error_body(f"the request body is larger than {limit // 2**20} MB", "body")).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def check_write_rate(rate: RateLimit, principal: Principal) -> None:
    """429 where ``principal``'s key has recorded :data:`WRITES_PER_MINUTE` outcomes in the last minute (admins
    unbounded); the JSON routes and the pages' buttons share one count per key."""
    limit = WRITES_PER_MINUTE.get(principal.role)
    if limit is not None:
        wait = rate.take(principal.key_id, limit)
        if wait:
            raise ApiError(429, f"more than {limit} outcomes a minute from this key; try again in {wait} s",
                           headers={"Retry-After": str(wait)})


async def write_rate(request: Request, principal: Principal = Depends(require(MATCHMAKER, BUYER))) -> Principal:
    """The caller, where its key is within its rate (:func:`check_write_rate`)."""
    check_write_rate(request.app.state.write_rate, principal)
    return principal
