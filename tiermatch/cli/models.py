"""``tiermatch retrain``: learn a scoring model from the stored history."""

from __future__ import annotations

import typer

from ._common import DatabaseOption, boundary, console, open_store

__all__ = ["register_commands", "retrain"]


@boundary
def retrain(database: DatabaseOption = None) -> None:
    """Learn a scorer from the stored history as a run does, and store it with its held-out figures.

    Everyone's model is judged against the prior on held-out buyers (a buyer's rows never
    cross folds), each buyer's own preferences on each buyer's latest outcomes; the next run
    over the same history uses what this decided, without learning again.

    Example: tiermatch retrain
    """
    from ..errors import InsufficientHistoryError
    from ..services import describe_scoring
    from ..services import retrain as retrain_model

    store = open_store(database)
    try:
        with console.status("Training on the stored history (cross-validated by buyer)..."):
            report, stored, _ = retrain_model(store)
    except InsufficientHistoryError as exc:
        raise InsufficientHistoryError(f"cannot train a model yet: {exc}") from exc
    console.print(f"Model {report.version} (stored as model {stored['model_id']}), features read in "
                  f"{stored['report']['text_space']}: {report.reason}", highlight=False)
    console.print("Runs over this history now score with "
                  + describe_scoring(report.summary()).removeprefix("Scoring with "), highlight=False)


def register_commands(app: typer.Typer) -> None:
    app.command()(retrain)
