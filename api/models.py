"""Learned scoring models: retrain from the stored feedback, list the versions.

Retraining (:func:`tiermatch.services.retrain`) learns from the stored
history as a run does and stores the model with its held-out figures and
whether it is used. Runs learn the same way, and reuse a stored model learned
from the same history (:func:`tiermatch.services.scorer_for`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from ..services import json_safe, retrain
from ..store import Store
from .auth import MATCHMAKER, Principal, require
from .deps import Page, get_store, page
from .errors import error_responses
from .schemas import ModelOut, ModelPage, RetrainOut

__all__ = ["router"]

router = APIRouter()

StoreDep = Annotated[Store, Depends(get_store)]
Matchmaker = Annotated[Principal, Depends(require(MATCHMAKER))]


def _scorer_name(record: dict | None) -> str:
    return "prior" if record is None else record["version"]


def _model_out(record: dict, in_use_id: int | None) -> ModelOut:
    return ModelOut(model_id=record["model_id"], version=record["version"], adopted=record["adopted"],
                    in_use=record["model_id"] == in_use_id, metrics=record["metrics"],
                    trained_at=record["trained_at"], created_at=record["created_at"])


@router.post("/models/retrain", response_model=RetrainOut, tags=["models"],
             responses=error_responses(401, 403, 409, 422, 503))
def retrain_model(request: Request, store: StoreDep, _: Matchmaker):
    """Learn a scorer from the stored feedback, as a run does; compare it with the prior on held-out buyers.

    Everyone's model is adopted only where it ranks held-out buyers' outcomes better than the
    prior by more than chance; each buyer's own preferences only where they rank each buyer's
    latest outcomes better still. The next run over the same history uses what this decided.
    Waits for a batch run in progress to end (one heavy job at a time per process). 409 where
    the history is too thin to train on.
    """
    report, stored, previous = request.app.state.jobs.call(retrain, store)
    in_use = store.models.in_use()
    in_use_id = None if in_use is None else in_use["model_id"]
    previous_out = {"scorer": "prior"} if previous is None else {
        "scorer": "model", "model_id": previous["model_id"], "version": previous["version"],
        "trained_at": previous["trained_at"].isoformat() + "Z",
        "metrics_at_its_training": previous["metrics"],
    }
    return RetrainOut(
        model=_model_out(stored, in_use_id), adopted=report.adopted, scorer=report.scorer, reason=report.reason,
        metric=report.metric, held_out=stored["report"]["held_out"],
        prior_metric=json_safe(report.prior_metric), new_metric=json_safe(report.model_metric),
        improvement=json_safe(report.improvement), p_value=json_safe(report.p_value), previous=previous_out,
        scorer_in_use=_scorer_name(in_use), n_rows=report.n_rows, n_buyers=report.n_buyers,
        n_buyers_scored=report.n_buyers_scored, skipped=list(report.skipped[:100]),
        folds=stored["report"]["folds"], text_space=stored["report"].get("text_space", ""),
    )


@router.get("/models", response_model=ModelPage, tags=["models"], responses=error_responses(401, 403, 422))
def list_models(store: StoreDep, _: Matchmaker, paging: Annotated[Page, Depends(page)]):
    """Stored scoring models, newest first; ``in_use`` marks the one runs score with (none: the prior)."""
    total, records = store.models.page(paging.limit, paging.offset)
    in_use = store.models.in_use()
    in_use_id = None if in_use is None else in_use["model_id"]
    return ModelPage(total=total, limit=paging.limit, offset=paging.offset, scorer_in_use=_scorer_name(in_use),
                     items=[_model_out(r, in_use_id) for r in records])
