"""``tiermatch retrain``: learn a scoring model from the stored history."""

from __future__ import annotations

import typer

from ._common import DatabaseOption, boundary, console, open_store

__all__ = ["register_commands", "retrain"]


@boundary
def retrain(database: DatabaseOption = None) -> None:
    """Learn a scoring model from the stored history; runs use it only if it beats the prior on held-out buyers.

    The model is cross-validated by buyer (a buyer's rows never cross folds), calibrated and
    versioned; it is stored whether adopted or not, with its metrics.

    Example: tiermatch retrain
    """
    from ..errors import InsufficientHistoryError
    from ..services import retrain as retrain_model

    store = open_store(database)
    try:
        with console.status("Training on the stored history (cross-validated by buyer)..."):
            report, stored, previous = retrain_model(store)
    except InsufficientHistoryError as exc:
        raise InsufficientHistoryError(f"cannot train a model yet: {exc}") from exc
    console.print(f"Model {report.version}: {report.reason}", highlight=False)
    in_use = report.version if report.adopted else (previous["version"] if previous else None)
    console.print(f"Runs now score with {'model ' + in_use if in_use else 'the prior'}.", highlight=False)


def register_commands(app: typer.Typer) -> None:
    app.command()(retrain)
