"""``tiermatch import``, ``export`` and ``generate``: the register into the store, its outcomes out of it, and
a demo register as files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (
    BuyerCountOption,
    DatabaseOption,
    SeedOption,
    SmeCountOption,
    StrictOption,
    boundary,
    console,
    open_store,
    print_imported,
    print_rejected,
    strict_exit,
)

__all__ = ["export", "generate", "import_", "register_commands"]


@boundary
def import_(
    suppliers: Annotated[Optional[Path], typer.Option(help="suppliers.csv")] = None,
    buyers: Annotated[Optional[Path], typer.Option(help="buyers.csv")] = None,
    history: Annotated[Optional[Path], typer.Option(help="partnerships.csv")] = None,
    rejected: Annotated[Path, typer.Option(help="where the rows left out (and warnings about rows kept) are listed; written every time")] = Path("rejected_rows.csv"),
    strict: StrictOption = False,
    database: DatabaseOption = None,
) -> None:
    """Load profiles and history into the store; rows with a known id are updated, never duplicated.

    All files land in one transaction: if any file cannot be used, nothing is stored.
    Rows left out are listed with file, line, field and value in --rejected.

    Example: tiermatch import --suppliers suppliers.csv --buyers buyers.csv --history partnerships.csv
    """
    from ..io import write_rejected_rows
    from ..services import import_files

    store = open_store(database)
    report = import_files(store, suppliers=suppliers, buyers=buyers, history=history)
    write_rejected_rows(rejected, report.rejected)  # every time: never an earlier import's list left standing
    print_rejected(report.rejected, written=rejected)
    print_imported(store, report)
    console.print(f"The store now holds {store.counts()}", highlight=False)
    strict_exit(report.rejected, strict)


@boundary
def export(
    history: Annotated[Path, typer.Option(help="partnerships.csv to write")],
    database: DatabaseOption = None,
) -> None:
    """Write every live outcome in the store's outcome log (imported, or recorded since as feedback and events;
    corrections applied) as an interchange partnerships.csv.

    Example: tiermatch export --history partnerships.csv
    """
    from ..io import write_partnerships
    from ..services import outcomes_from_log

    outcomes = outcomes_from_log(open_store(database))
    write_partnerships(history, outcomes)
    console.print(f"{len(outcomes)} outcomes written to {history}", highlight=False)


@boundary
def generate(
    out: Annotated[Path, typer.Option(help="folder for suppliers.csv, buyers.csv and partnerships.csv")] = Path("demo-register"),
    n_suppliers: SmeCountOption = 2000,
    n_buyers: BuyerCountOption = 200,
    seed: SeedOption = 0,
) -> None:
    """Write a synthetic but realistic Thai register in the interchange format.

    Example: tiermatch generate --out demo-register --suppliers 2000 --buyers 200 --seed 0
    """
    from ..datasets import make_register, write_register

    for kind, path in write_register(make_register(n_suppliers, n_buyers, random_state=seed), out).items():
        console.print(f"  {kind:<13} {path}", highlight=False)


def register_commands(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command()(export)
    app.command()(generate)
