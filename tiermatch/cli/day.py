"""``tiermatch day``: a matchmaking day's timetable from its accepted meetings and everyone's availability."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ._common import boundary, console, print_rejected

__all__ = ["day_app"]

day_app = typer.Typer(help="A matchmaking day: meetings at times and tables.", no_args_is_help=True,
                      rich_markup_mode=None)


def _blocked(text: str) -> list[tuple[int, int]]:
    """``"1:3,1:4"`` (slot:table, both from 1) as 0-based pairs."""
    from ..errors import InvalidInputError

    pairs = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        slot, _, table = part.partition(":")
        if not (slot.isdigit() and table.isdigit() and int(slot) >= 1 and int(table) >= 1):
            raise InvalidInputError(f"a blocked table is SLOT:TABLE, both from 1, found {part!r}", "blocked")
        pairs.append((int(slot) - 1, int(table) - 1))
    return pairs


@day_app.command("schedule")
@boundary
def schedule(
    meetings: Annotated[Path, typer.Option(help="accepted meetings: buyer_id, supplier_id (a run's assignment.csv will do)")],
    tables: Annotated[int, typer.Option(min=1, help="tables in the room")],
    availability: Annotated[Optional[Path], typer.Option(help="id, from, to (HH:MM): when each participant can meet; none listed: all day")] = None,
    sessions: Annotated[str, typer.Option(help="the day's sessions")] = "09:00-12:00,13:00-16:30",
    minutes: Annotated[int, typer.Option(min=5, max=240, help="length of a meeting")] = 30,
    blocked: Annotated[str, typer.Option(help="tables taken out, as SLOT:TABLE,... (from 1)")] = "",
    time_limit: Annotated[float, typer.Option(min=1, help="seconds the solver may search on a large day")] = 60.0,
    out: Annotated[Path, typer.Option(help="folder for timetable.csv and unplaced.csv")] = Path("day"),
) -> None:
    """Place every accepted meeting at a time and a table: nobody double-booked, nothing outside anyone's
    availability, no table holding two; the most meetings possible (CP-SAT, with the bound it proves).

    Example: tiermatch day schedule --meetings results/assignment.csv --tables 40 --availability availability.csv
    """
    from ..io import staged_folder, write_rejected_rows, write_rows
    from ..services import plan_day

    day = plan_day(meetings, tables=tables, availability=availability, sessions=sessions, minutes=minutes,
                   blocked=_blocked(blocked), time_limit=time_limit)
    print_rejected(day.rejected)
    with staged_folder(out, ["timetable.csv", "unplaced.csv", "rejected_rows.csv"]) as folder:
        write_rows(folder / "timetable.csv", ["from", "to", "table", "buyer_id", "supplier_id"], day.meetings)
        write_rows(folder / "unplaced.csv", ["buyer_id", "supplier_id", "why"], day.unplaced)
        write_rejected_rows(folder / "rejected_rows.csv", day.rejected)
    plan = day.plan
    table = Table(title=f"{len(day.slots)} slots of {minutes} minutes, {tables} tables")
    for column in ("", "placed", "of", "proven bound", "gap", "seconds"):
        table.add_column(column)
    n = len(day.meetings) + len(day.unplaced)
    table.add_row("timetable", f"{plan.placed:,}", f"{n:,}", f"{plan.bound:,}" + (" (optimal)" if plan.optimal else ""),
                  f"{plan.gap:.1%}", f"{plan.seconds:.1f}")
    table.add_row("first come (for comparison)", f"{day.first_come.placed:,}", f"{n:,}", "", "", "")
    console.print(table)
    if day.unplaced:
        console.print(f"{len(day.unplaced)} meeting(s) could not be placed; who and why in {out / 'unplaced.csv'}",
                      highlight=False)
    console.print(f"Timetable: {out / 'timetable.csv'}", highlight=False)
