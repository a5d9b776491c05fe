"""The curator's loop over the stored register: words no concept knows, with the concept to file each under."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from ..services import load_register, suggest_terms
from ..store import Store
from .auth import MATCHMAKER, Principal, require
from .deps import get_store
from .errors import error_responses

__all__ = ["TermSuggestionOut", "router"]

router = APIRouter()


class TermSuggestionOut(BaseModel):
    """A word of the profiles that no concept matches, how many profiles use it, and the nearest concept."""

    term: str
    profiles: int
    concept_id: str | None
    name_en: str | None
    name_th: str | None
    cosine: float | None


@router.get("/vocabulary/suggestions", response_model=list[TermSuggestionOut], tags=["vocabulary"],
            responses=error_responses(401, 403, 422))
def vocabulary_suggestions(request: Request, store: Annotated[Store, Depends(get_store)],
                           _: Annotated[Principal, Depends(require(MATCHMAKER))],
                           top: Annotated[int, Query(ge=1, le=1000)] = 50):
    """Words of the stored profiles no concept matches, most used first (filler left out), each with the
    concept the sentence encoder puts nearest (none below cosine 0.35). File a word under a concept in the
    site's concepts file (``TIERMATCH_CONCEPTS_FILE``); the next run reads it."""
    found = request.app.state.jobs.call(lambda: suggest_terms(load_register(store), top))
    return [TermSuggestionOut(**s.as_dict()) for s in found]
