"""Errors as JSON, in one place: every error names its message and the field at fault.

Services raise the domain errors of :mod:`tiermatch.errors`; :data:`STATUS`
is the one table of what each becomes in HTTP. Routes raise :class:`ApiError`
only for what is HTTP's own (no key, an unknown query parameter, an upload
too large). The handlers registered by :func:`add_error_handlers` turn both
into :class:`ErrorOut` bodies.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..errors import (
    BusyError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    SchedulerError,
    TiermatchError,
)

__all__ = ["ApiError", "STATUS", "add_error_handlers", "error_body", "error_responses", "status_of"]

logger = logging.getLogger("tiermatch.api")


class ApiError(Exception):
    """An error with an HTTP status, a clear message and the field at fault.

    Parameters
    ----------
    status_code : int
    message : str
    field : str, optional
        e.g. ``"path.buyer_id"`` or ``"body.outcome"``.
    """

    def __init__(self, status_code: int, message: str, field: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.field = field
        self.headers = headers


def error_body(message: str, field: str | None = None, errors: list[dict] | None = None) -> dict[str, Any]:
    errors = errors if errors is not None else [{"field": field, "message": message, "found": None}]
    return {"message": message, "field": field, "errors": jsonable_encoder(errors)}


def _field(loc) -> str:
    return ".".join(str(part) for part in loc)


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(error_body(exc.message, exc.field), status_code=exc.status_code, headers=exc.headers)


MAX_ERRORS = 100  # problems listed in one answer; the count says how many there were
MAX_FOUND = 200  # characters of a value echoed back


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    problems = exc.errors()
    for problem in problems[:MAX_ERRORS]:
        message = str(problem.get("msg", "invalid value")).removeprefix("Value error, ")
        found = problem.get("input")
        # Echo short scalars only: a whole body (or a megabyte of one field) echoed back helps nobody.
        if isinstance(found, str) and len(found) > MAX_FOUND:
            found = found[:MAX_FOUND] + "…"
        errors.append({"field": _field(problem.get("loc", ())), "message": message,
                       "found": found if isinstance(found, (str, int, float, bool)) or found is None else None})
    first = errors[0] if errors else {"field": None, "message": "invalid request"}
    summary = f"{len(problems)} problem(s) in the request; first: {first['field']}: {first['message']}"
    return JSONResponse(error_body(summary, first["field"], errors), status_code=422)


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods = set()
    for route in request.app.routes:
        match, _ = route.matches({**request.scope, "method": "GET"}) if hasattr(route, "methods") else (None, None)
        if match is not None and match != Match.NONE:
            methods |= set(route.methods or ())
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    headers = dict(getattr(exc, "headers", None) or {})
    message = str(exc.detail)
    if exc.status_code == 400:
        # A body that cannot even be parsed (bad JSON bytes, broken multipart) is invalid input like any other.
        return JSONResponse(error_body(f"the request body cannot be read: {message}", "body"), status_code=422)
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
        message = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
    return JSONResponse(error_body(message), status_code=exc.status_code, headers=headers or None)


# What each domain error is in HTTP; the first class an error is an instance of decides.
STATUS: tuple[tuple[type[TiermatchError], int], ...] = (
    (NotFoundError, 404),
    (ForbiddenError, 403),
    (ConflictError, 409),
    (InvalidInputError, 422),
    (SchedulerError, 503),
    (BusyError, 503),
)


def status_of(exc: TiermatchError) -> int:
    """The HTTP status of a domain error (500 for one no entry names: a fault, not the caller's)."""
    return next((status for kind, status in STATUS if isinstance(exc, kind)), 500)


def locate(request: Request, field: str | None) -> str | None:
    """Where a field a service named lies in this request: ``path.``, ``query.``, or the ``body.``."""
    if field is None or "." in field:
        return field
    if field in request.path_params:
        return f"path.{field}"
    if field in request.query_params:
        return f"query.{field}"
    return field if field == "file" else f"body.{field}"


async def _domain_error(request: Request, exc: TiermatchError) -> JSONResponse:
    status = status_of(exc)
    if status == 500:
        return await _unexpected(request, exc)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, BusyError) else None
    return JSONResponse(error_body(str(exc), locate(request, exc.field)), status_code=status, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(error_body(f"internal error ({type(exc).__name__}); the request changed nothing it could not finish"),
                        status_code=500)


def add_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into an :class:`ErrorOut` JSON body."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(TiermatchError, _domain_error)
    app.add_exception_handler(Exception, _unexpected)


def error_responses(*codes: int) -> dict[int | str, dict]:
    """OpenAPI ``responses`` entries for the given error statuses, all with the :class:`ErrorOut` body."""
    from .schemas import ErrorOut

    descriptions = {401: "no valid API key", 403: "the key's role may not do this", 404: "unknown id",
                    409: "conflict with the stored state", 422: "invalid request: every problem listed",
                    413: "upload too large"}
    return {code: {"model": ErrorOut, "description": descriptions.get(code, "error")} for code in codes}
