"""What every command shares: the consoles, the one error boundary, progress, the store and register options."""

from __future__ import annotations

import functools
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..errors import TiermatchError

__all__ = [
    "BuyerCountOption",
    "BuyersOption",
    "DatabaseOption",
    "HistoryOption",
    "SeedOption",
    "SmeCountOption",
    "StrictOption",
    "SuppliersOption",
    "boundary",
    "console",
    "errors",
    "fail",
    "open_store",
    "print_imported",
    "print_rejected",
    "strict_exit",
    "progress",
]

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

DatabaseOption = Annotated[
    Optional[str],
    typer.Option("--database", help="SQLAlchemy URL of the store [default: $TIERMATCH_DATABASE_URL or sqlite:///tiermatch.sqlite]"),
]
# The register to work on: files, or the store where none are given.
SuppliersOption = Annotated[Optional[Path], typer.Option(help="suppliers.csv; omit to use the stored register")]
BuyersOption = Annotated[Optional[Path], typer.Option(help="buyers.csv; omit to use the stored register")]
HistoryOption = Annotated[Optional[Path], typer.Option(help="partnerships.csv: past proposals and outcomes")]
# The size and seed of a demo register.
SmeCountOption = Annotated[int, typer.Option("--suppliers", min=1, help="how many SMEs")]
BuyerCountOption = Annotated[int, typer.Option("--buyers", min=1, help="how many buyers")]
SeedOption = Annotated[int, typer.Option(help="random seed of the demo register; the same seed gives the same register")]
# Exit code 3 where any input row was left out (after keeping the valid ones), for scripts that must notice.
REJECTED_EXIT_CODE = 3
StrictOption = Annotated[bool, typer.Option("--strict", help=f"exit with code {REJECTED_EXIT_CODE} if any row was left out (the valid rows are still used)")]


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error; returns the exit to raise."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code=1)


def boundary(command):
    """The one place a command's errors become messages: a domain error, or a file that cannot be
    written, ends the command with its message and exit code 1, never a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except TiermatchError as exc:
            raise fail(str(exc)) from exc
        except OSError as exc:  # a folder or file that cannot be written
            where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            raise fail(f"cannot read or write{where}: {exc.strerror or exc}") from exc

    return wrapper


def open_store(database: str | None):
    """The store at ``database``, or the configured one."""
    from ..settings import get_settings
    from ..store import Store

    return Store(database or get_settings().database_url)


@contextmanager
def progress():
    """A progress display whose callback fits :data:`tiermatch.matcher.Progress`."""
    with Progress(SpinnerColumn(), TextColumn("{task.description:<12}"), BarColumn(), TimeElapsedColumn(),
                  console=errors, transient=False) as bar:
        tasks = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield report


def print_imported(store, report) -> None:
    """What an import stored, and how many of its product items the encoder read anew."""
    embedded = report.embedded
    console.print(f"Imported into {store.url}: {report.counts}"
                  + (f"; {embedded['items']:,} product items read by the encoder, {embedded['computed']:,} of them new"
                     if embedded else ""), highlight=False)


def print_rejected(rejected, limit: int = 10, written: Path | None = None) -> None:
    """The first problems of the rows left out, the first warnings about rows kept, and where the rest are."""
    where = f"see {written}" if written else "run with fewer bad rows to see them all"
    for kept, heading in ((False, "problem(s) in the input; those rows were left out"),
                          (True, "warning(s) about rows kept as written; check them")):
        found = [error for error in rejected if error.kept == kept]
        if not found:
            continue
        errors.print(f"[yellow]{len(found)} {heading}:[/]", highlight=False)
        for error in found[:limit]:
            errors.print(f"  {error}", highlight=False, markup=False)
        if len(found) > limit:
            errors.print(f"  ... and {len(found) - limit} more ({where})", highlight=False, markup=False)


def strict_exit(rejected, strict: bool) -> None:
    """End with :data:`REJECTED_EXIT_CODE` under ``--strict`` where any row was left out."""
    from ..services import rejected_lines

    if strict and rejected_lines(rejected):
        errors.print(f"--strict: {rejected_lines(rejected)} row(s) left out", highlight=False)
        raise typer.Exit(code=REJECTED_EXIT_CODE)
