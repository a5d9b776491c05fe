"""Errors as JSON, in one place: every error names its message and the field at fault.

Routes raise :class:`ApiError` (or let a domain error such as
:class:`~tiermatch.features.io.InvalidFileError` through); the handlers
registered by :func:`add_error_handlers` turn them into :class:`ErrorOut` bodies.
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

from ..features.io import InvalidFileError
from ..matcher.model import InsufficientHistoryError

__all__ = ["ApiError", "add_error_handlers", "error_responses"]

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


def _body(message: str, field: str | None = None, errors: list[dict] | None = None) -> dict[str, Any]:
    errors = errors if errors is not None else [{"field": field, "message": message, "found": None}]
    return {"message": message, "field": field, "errors": jsonable_encoder(errors)}


def _field(loc) -> str:
    return ".".join(str(part) for part in loc)


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(_body(exc.message, exc.field), status_code=exc.status_code, headers=exc.headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for problem in exc.errors():
        message = str(problem.get("msg", "invalid value")).removeprefix("Value error, ")
        found = problem.get("input")
        # Echo scalars only: a whole body echoed back helps nobody.
        errors.append({"field": _field(problem.get("loc", ())), "message": message,
                       "found": found if isinstance(found, (str, int, float, bool)) or found is None else None})
    first = errors[0] if errors else {"field": None, "message": "invalid request"}
    summary = f"{len(errors)} problem(s) in the request; first: {first['field']}: {first['message']}"
    return JSONResponse(_body(summary, first["field"], errors), status_code=422)


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
        return JSONResponse(_body(f"the request body cannot be read: {message}", "body"), status_code=422)
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
        message = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
    return JSONResponse(_body(message), status_code=exc.status_code, headers=headers or None)


async def _invalid_file(request: Request, exc: InvalidFileError) -> JSONResponse:
    return JSONResponse(_body(str(exc), "file"), status_code=422)


async def _insufficient_history(request: Request, exc: InsufficientHistoryError) -> JSONResponse:
    return JSONResponse(_body(f"the stored history cannot train a model: {exc}"), status_code=409)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(_body(f"internal error ({type(exc).__name__}); the request changed nothing it could not finish"),
                        status_code=500)


def add_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into an :class:`ErrorOut` JSON body."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(InvalidFileError, _invalid_file)
    app.add_exception_handler(InsufficientHistoryError, _insufficient_history)
    app.add_exception_handler(Exception, _unexpected)


def error_responses(*codes: int) -> dict[int | str, dict]:
    """OpenAPI ``responses`` entries for the given error statuses, all with the :class:`ErrorOut` body."""
    from .schemas import ErrorOut

    descriptions = {401: "no valid API key", 403: "the key's role may not do this", 404: "unknown id",
                    409: "conflict with the stored state", 422: "invalid request: every problem listed",
                    413: "upload too large"}
    return {code: {"model": ErrorOut, "description": descriptions.get(code, "error")} for code in codes}
