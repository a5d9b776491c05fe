"""Every error tiermatch raises on purpose, under one base.

Each domain error subclasses :class:`TiermatchError` and the built-in it is a
kind of (``InvalidFileError(ValueError)``, ``NotFoundError(LookupError)``), so
that callers may catch either. The edges map them once: the JSON service in
one handler table (``api/errors.py``), the command line in one boundary
(``tiermatch/cli/_common.py``), the pages in their error handler. Nothing
here knows of HTTP or of the terminal.

Examples
--------
>>> issubclass(NotFoundError, LookupError) and issubclass(NotFoundError, TiermatchError)
True
>>> str(NotFoundError("buyer", "B9"))
"no buyer with id 'B9'"
"""

from __future__ import annotations

__all__ = [
    "BusyError",
    "ConflictError",
    "ForbiddenError",
    "InfeasibleFlowError",
    "InsufficientHistoryError",
    "InvalidCandidateGraphError",
    "InvalidFileError",
    "InvalidInputError",
    "InvalidVocabularyError",
    "NotFoundError",
    "RunInProgressError",
    "SchedulerError",
    "TiermatchError",
]


class TiermatchError(Exception):
    """The base of every error tiermatch raises on purpose.

    ``field`` names the input at fault where there is one (``"supplier_id"``,
    ``"file"``); the edges show it beside the message.
    """

    field: str | None = None


class InvalidInputError(TiermatchError, ValueError):
    """A value given by a user that tiermatch cannot use; ``field`` names it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidFileError(InvalidInputError):
    """A whole file cannot be used: unreadable, a required column missing, or no valid row."""

    def __init__(self, message: str, field: str | None = "file"):
        super().__init__(message, field)


class NotFoundError(TiermatchError, LookupError):
    """A record asked for by id is not stored.

    Parameters
    ----------
    kind : str
        What was asked for: ``"buyer"``, ``"supplier"``, ``"run"``, ``"key"``...
    key : object
        The id asked for.
    field : str, optional
        The input that named it.
    """

    def __init__(self, kind: str, key, field: str | None = None, message: str | None = None):
        self.kind, self.key, self.field = kind, key, field
        super().__init__(message or f"no {kind} with id {key!r}")

    def __str__(self) -> str:  # LookupError would repr a single argument
        return self.args[0]


class ForbiddenError(TiermatchError, PermissionError):
    """The caller's role may not do this (a buyer asking about another buyer, or acting on an SME it was not shown)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ConflictError(TiermatchError):
    """What was asked clashes with what is stored (a run not finished, an id that exists, nothing to match)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class RunInProgressError(ConflictError):
    """A run with the same options is queued or running already (``run_id``): follow it, start no other."""

    def __init__(self, message: str, run_id: int):
        super().__init__(message)
        self.run_id = run_id
        self.field = "run_id"


class InsufficientHistoryError(ConflictError, ValueError):
    """The history cannot train or fairly judge a model (too few rows, buyers or outcomes of a kind)."""


class InvalidVocabularyError(InvalidInputError):
    """A concepts file that cannot be used: a missing column, a duplicate id, a link to an unknown concept."""


class InvalidCandidateGraphError(InvalidInputError):
    """Candidate arrays that do not describe a bipartite graph (lengths, positions, NaN scores)."""


class InfeasibleFlowError(TiermatchError, ValueError):
    """A flow problem with no feasible solution (supplies and demands that cannot be balanced)."""


class BusyError(TiermatchError):
    """Too much work is waiting already: try again later (``retry_after`` seconds is a fair guess)."""

    def __init__(self, message: str, retry_after: int = 30):
        super().__init__(message)
        self.retry_after = retry_after


class SchedulerError(TiermatchError, ConnectionError):
    """A Dask scheduler that cannot be reached, or was lost during a run."""
