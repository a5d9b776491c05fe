"""``tiermatch run`` and ``tiermatch demo``: match a register, write the results, show a summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table

from ._common import (
    BuyerCountOption,
    BuyersOption,
    DatabaseOption,
    HistoryOption,
    SeedOption,
    SmeCountOption,
    StrictOption,
    boundary,
    console,
    errors,
    open_store,
    print_imported,
    print_rejected,
    progress,
    strict_exit,
)

if TYPE_CHECKING:  # the services (and the matcher behind them) are imported when a command runs, not for --help
    from ..services import RunOptions, RunOutcome

__all__ = ["demo", "register_commands", "run"]


def _print_summary(outcome: RunOutcome) -> None:
    from ..services import describe_scoring

    result, paths = outcome.result, outcome.paths
    s = result.summary
    console.print(describe_scoring(outcome.scorer or {"scorer": "prior"})
                  + (f"; recorded in the store as run {outcome.run_id}" if outcome.run_id else ""), highlight=False)
    console.print(
        f"[bold]{s['suppliers']:,}[/] suppliers, [bold]{s['buyers']:,}[/] buyers, {s['history_rows']:,} past proposals; "
        f"{s['candidate_pairs']:,} candidate pairs scored.\n"
        f"Shortlists for {s['buyers_with_shortlist']:,} of {s['buyers']:,} buyers; "
        f"assignment: {s['assigned_pairs']:,} partnerships, {s['buyers_matched']:,} buyers and "
        f"{s['suppliers_matched']:,} suppliers matched.",
        highlight=False,
    )
    if s["unmatched_terms"]:
        terms = ", ".join(f"{term} ({n})" for term, n in list(s["unmatched_terms"].items())[:8])
        console.print(f"Words no product concept knows yet (grow features/data/concepts.csv): {terms}", highlight=False)
    if s["groups"]:
        console.print(f"{s['groups']} group(s) of SMEs jointly meet a buyer's demand (group_id in assignment.csv).", highlight=False)
    exposure = s["exposure"]
    if exposure["fair"]:
        plain, fair = exposure["plain"], exposure["with_fairness"]
        console.print(f"Fair exposure: total score {fair['total_score']:.1f} (plain {plain['total_score']:.1f}), "
                      f"exposure Gini {fair['gini']:.3f} (plain {plain['gini']:.3f}), "
                      f"{fair['suppliers_matched']} SMEs matched (plain {plain['suppliers_matched']}).", highlight=False)
    if s["agenda"]:
        agenda = s["agenda"]
        console.print(f"Agenda: {agenda['slots_needed']} slot(s) needed, {agenda['slots']} given; "
                      f"{agenda['unscheduled_meetings']} meeting(s) unscheduled.", highlight=False)
    if result.shortlists:
        buyer_id = result.shortlists[0].buyer_id
        table = Table(title=f"Shortlist of buyer {buyer_id}", show_lines=False)
        for column in ("rank", "supplier", "score", "reasons"):
            table.add_column(column, overflow="fold")
        for m in (m for m in result.shortlists if m.buyer_id == buyer_id):
            table.add_row(str(m.rank), m.supplier_id, f"{m.score:.3f}", m.reasons)
        console.print(table)
    if result.unmatched_buyers:
        console.print(f"{len(result.unmatched_buyers)} buyer(s) unmatched; reasons in {paths['unmatched']}", highlight=False)
    console.print("Outputs:", highlight=False)
    for name, path in paths.items():
        console.print(f"  {name:<16} {path}", highlight=False)


def _run_and_report(register, options: RunOptions, out: Path) -> RunOutcome:
    with progress() as report:
        if options.scheduler is not None:
            errors.print(f"Dask: scheduler {options.scheduler}", highlight=False)
        from ..services import run_register

        outcome = run_register(register, options, out, progress=report)
    print_rejected(outcome.rejected, written=outcome.paths.get("rejected_rows"))
    _print_summary(outcome)
    return outcome


@boundary
def run(
    suppliers: Annotated[Optional[Path], typer.Option(help="suppliers.csv or .parquet (read a partition at a time); omit to use the stored register")] = None,
    buyers: BuyersOption = None,
    history: HistoryOption = None,
    out: Annotated[Path, typer.Option(help="folder for shortlists.csv, assignment.csv and summary.json")] = Path("tiermatch-out"),
    top_k: Annotated[int, typer.Option(min=1, help="shortlist length per buyer")] = 10,
    min_score: Annotated[float, typer.Option(min=0, max=1, help="pairs scoring less are never proposed")] = 0.3,
    slots: Annotated[Optional[int], typer.Option(min=1, help="a matchmaking day: schedule the assignment as one-to-one meetings in this many time slots")] = None,
    fair: Annotated[Optional[bool], typer.Option("--fair/--no-fair", help="diminishing returns for an SME's 2nd and 3rd partnership [default: on with --slots, else off]")] = None,
    scheduler: Annotated[Optional[str], typer.Option(help="run the partitions on a Dask cluster: its scheduler's address (tcp://host:8786), or 'local' for the cores of this machine [default: in this process]")] = None,
    partition_size: Annotated[int, typer.Option(min=1, help="suppliers matched per task; each partition's recommendations go to recommendations/part-N.csv when there are several")] = 100_000,
    candidates_per_buyer: Annotated[Optional[int], typer.Option(min=10, max=2000, help="SMEs retrieved per buyer before scoring: more finds more partners, slower [default: the engine's, 100]")] = None,
    show_past: Annotated[bool, typer.Option("--show-past/--hide-past", help="show pairs that met before (rejected, or already partners) in the shortlists, marked; never proposed anew")] = False,
    scorer: Annotated[str, typer.Option(help="auto: learned from the history where held-out outcomes say it ranks better, else the prior; or force prior, global (everyone's model) or personal (each buyer's own preferences)")] = "auto",
    strict: StrictOption = False,
    database: DatabaseOption = None,
) -> None:
    """Match suppliers to buyers and write shortlists, an assignment and a summary.

    Reads interchange CSV files (UTF-8, UTF-16 or Windows-874; comma, semicolon or tab),
    Excel workbooks or Parquet files with the same columns; with no files, matches the register in the store and records
    the run there (the pages and the service then show it). Invalid rows are reported
    with file, line and field, and left out. The suppliers are read and matched
    --partition-size at a time, on a Dask cluster with --scheduler.

    Example: tiermatch run --suppliers suppliers.csv --buyers buyers.csv --history partnerships.csv --out results/

    A matchmaking day (fair exposure on, agenda in 8 slots): tiermatch run --out day/ --slots 8

    On a cluster: tiermatch run --suppliers suppliers.parquet --buyers buyers.csv --scheduler tcp://10.0.0.5:8786
    """
    from ..services import CANDIDATES_PER_BUYER, RunOptions, load_register

    candidates_per_buyer = candidates_per_buyer or CANDIDATES_PER_BUYER
    options = RunOptions(top_k=top_k, min_score=min_score, fair=fair, slots=slots, scheduler=scheduler,
                         partition_size=partition_size, candidates_per_buyer=candidates_per_buyer, show_past=show_past,
                         scorer=scorer)
    store = open_store(database) if suppliers is None and buyers is None else None
    register = load_register(store, suppliers=suppliers, buyers=buyers, history=history, partition_size=partition_size)
    strict_exit(_run_and_report(register, options, out).rejected, strict)


@boundary
def demo(
    out: Annotated[Path, typer.Option(help="folder for the demo register and the run's outputs")] = Path("tiermatch-out"),
    n_suppliers: SmeCountOption = 2000,
    n_buyers: BuyerCountOption = 200,
    seed: SeedOption = 0,
    database: DatabaseOption = None,
) -> None:
    """Generate a demo register, import it into the store, match it and summarise the result.

    The run is recorded in the store, so that `tiermatch serve` shows its shortlists at once.

    Example: tiermatch demo --suppliers 2000 --buyers 200
    """
    from ..datasets import make_register, write_register
    from ..services import RunOptions, import_files, load_register

    console.print(f"Generating a demo register: {n_suppliers:,} SMEs, {n_buyers:,} buyers (seed {seed})", highlight=False)
    paths = write_register(make_register(n_suppliers, n_buyers, random_state=seed), out / "register")
    store = open_store(database)
    report = import_files(store, suppliers=paths["suppliers"], buyers=paths["buyers"], history=paths["partnerships"])
    print_imported(store, report)
    register = load_register(store)
    register.rejected = report.rejected + register.rejected
    _run_and_report(register, RunOptions(), out)


def register_commands(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(demo)
