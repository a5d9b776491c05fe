"""A limit on every request body, counted as it streams in, before any route reads it or asks for a key.

uvicorn has no body-size setting: without this, anyone who can reach the port could send a gigabyte to any
route (spooled to disk by the multipart parser, or held in memory as JSON) before the key check refused it.
The ``Content-Length`` a client declares is checked first; a body that grows past the limit as it streams
(chunked, or lying about its length) is cut off there. Either way the answer is a 413 in the service's JSON
error form, and the connection is closed.
"""

from __future__ import annotations

import json

from .errors import error_body

__all__ = ["BodyLimit", "MAX_BODY_BYTES", "MAX_UPLOAD_BODY_BYTES"]

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

        async def watched_send(message):
            if not too_large:  # whatever the app answers a body cut short with, the client gets the 413
                await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except Exception:
            if not too_large:
                raise
        if too_large:
            await _refuse(send, limit)


async def _refuse(send, limit: int) -> None:
    body = json.dumps(error_body(f"the request body is larger than {limit // 2**20} MB", "body")).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
