"""The curator's loop over the stored register: words no concept knows, with the concept to file each under."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ..services import TermSuggestion, file_term, load_register, suggest_terms
from ..store import Store
from .auth import MATCHMAKER, Principal, require
from .deps import get_store
from .errors import error_responses

__all__ = ["FiledTermIn", "router"]

router = APIRouter()


@router.get("/vocabulary/suggestions", response_model=list[TermSuggestion], tags=["vocabulary"],
            responses=error_responses(401, 403, 422, 503))
def vocabulary_suggestions(request: Request, store: Annotated[Store, Depends(get_store)],
                           _: Annotated[Principal, Depends(require(MATCHMAKER))],
                           top: Annotated[int, Query(ge=1, le=1000)] = 50):
    """Words of the stored profiles no concept matches, most used first (filler left out), each with the
    concept the sentence encoder puts nearest (none below cosine 0.35). File a word under a concept with
    ``POST /vocabulary/terms``; the next run reads it."""
    return request.app.state.jobs.call(lambda: suggest_terms(load_register(store), top))


class FiledTermIn(BaseModel):
    """A word of the profiles, and the concept to read it as."""

    model_config = ConfigDict(extra="forbid")

    term: str = Field(min_length=1, max_length=100)
    concept_id: str = Field(min_length=1, max_length=100)


@router.post("/vocabulary/terms", status_code=201, tags=["vocabulary"],
             responses=error_responses(401, 403, 404, 409, 422))
def file_vocabulary_term(body: FiledTermIn, _: Annotated[Principal, Depends(require(MATCHMAKER))]) -> FiledTermIn:
    """File a word under a concept in the site's concepts file (``TIERMATCH_CONCEPTS_FILE``; 409 where the site
    has none): every later run reads the word as that concept."""
    file_term(body.term, body.concept_id)
    return body
