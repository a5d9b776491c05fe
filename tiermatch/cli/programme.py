"""``tiermatch clusters`` and ``tiermatch targets``: cluster suggestions and the programme against its targets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..errors import InvalidInputError
from ._common import (
    BuyersOption,
    DatabaseOption,
    HistoryOption,
    SuppliersOption,
    boundary,
    console,
    open_store,
    print_rejected,
)

__all__ = ["clusters_app", "register_commands"]

clusters_app = typer.Typer(help="Industrial clusters: whom to invite into which cluster, and the programme's targets.",
                           no_args_is_help=True, rich_markup_mode=None)


@clusters_app.command("suggest")
@boundary
def clusters_suggest(
    suppliers: SuppliersOption = None,
    buyers: BuyersOption = None,
    history: HistoryOption = None,
    out: Annotated[Path, typer.Option(help="folder for clusters.csv, cluster_members.csv, cluster_buyers.csv, unclustered.csv")] = Path("tiermatch-clusters"),
    min_size: Annotated[int, typer.Option(min=1, help="fewest members of a suggested cluster")] = 5,
    max_size: Annotated[int, typer.Option(min=1, help="most members of a suggested cluster")] = 30,
    regroup: Annotated[bool, typer.Option("--regroup/--keep-existing", help="let SMEs already in a cluster be regrouped (each move is listed)")] = False,
    max_km: Annotated[float, typer.Option(min=1, help="longest distance between two linked SMEs")] = 100.0,
    buyers_per_cluster: Annotated[int, typer.Option(min=0, help="buyers listed per suggested cluster")] = 5,
    seed: Annotated[int, typer.Option(help="seed of the community search")] = 0,
    database: DatabaseOption = None,
) -> None:
    """Suggest industrial clusters: SMEs close by whose products are alike or feed one another.

    SMEs already in a cluster stay in it (a suggestion grows their cluster) unless --regroup.
    Each suggestion lists members, centre and spread, product concepts, combined capacity
    and the buyers the cluster could serve together; every SME left out has a reason.

    Example: tiermatch clusters suggest --min-size 5 --max-size 30 --out clusters/
    """
    from ..io import write_cluster_outputs
    from ..services import cluster_report, load_register

    if min_size > max_size:
        raise InvalidInputError(f"--min-size ({min_size}) must not exceed --max-size ({max_size})", "min_size")
    store = open_store(database) if suppliers is None and buyers is None else None
    register = load_register(store, suppliers=suppliers, buyers=buyers, history=history, whole=True)
    print_rejected(register.rejected)
    report = cluster_report(register, min_size=min_size, max_size=max_size, keep_existing=not regroup,
                            max_km=max_km, top_k_buyers=buyers_per_cluster, random_state=seed)
    paths = write_cluster_outputs(report, out)
    q = report.quality
    console.print(
        f"{q['smes']:,} SMEs, {q['in_existing_clusters']:,} already in a cluster. Suggested: {q['new_clusters']} new "
        f"cluster(s) and {q['grown_clusters']} existing one(s) grown, inviting {q['invited']:,} SMEs.\n"
        f"Modularity {q['modularity']:.3f}; median distance within a suggestion {q['median_km_within'] or 0:.1f} km; "
        f"{q['complementary_share']:.0%} of members have a complementary partner; "
        f"{q['unclustered']:,} SMEs ({q['unclustered_share']:.0%}) left unclustered: "
        + (", ".join(f"{k} {v}" for k, v in q["unclustered_reasons"].items()) or "none"),
        highlight=False)
    table = Table(title="Largest suggestions")
    for column in ("cluster", "members", "invited", "spread km", "capacity THB/month", "concepts", "buyers"):
        table.add_column(column, overflow="fold")
    for s in report.suggestions[:10]:
        table.add_row(s.cluster_id if s.kind == "new" else f"grow {s.cluster_id}", str(len(s.members)), str(len(s.added)),
                      f"{s.spread_km:.1f}", "" if s.capacity_thb_per_month is None else f"{s.capacity_thb_per_month:,.0f}",
                      ", ".join(s.concepts[:4]), ", ".join(b.buyer_id for b in s.buyers))
    console.print(table)
    console.print("Outputs:", highlight=False)
    for name, path in paths.items():
        console.print(f"  {name:<18} {path}", highlight=False)


def _targets(year, clustered_target, match_target, deal_target_thb, as_of, out, database) -> None:
    import datetime as dt
    import json

    from ..io import write_atomically
    from ..services import ProgrammeTargets, targets_report

    targets = ProgrammeTargets(year, clustered_smes=clustered_target, matches=match_target,
                               deal_value_thb=deal_target_thb)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise InvalidInputError(f"--as-of must be a date as YYYY-MM-DD, found {as_of!r}", "as_of") from exc
    report = targets_report(open_store(database), targets, as_of=day)

    def line(label, part, money=False):
        actual = f"{part['actual']:,.0f}" + (" THB" if money else "")
        if part["target"] is None:
            return f"{label}: {actual} (no target set)"
        pace = "on track" if part["on_track"] else "behind the pace of the year"
        return f"{label}: {actual} of {part['target']:,.0f} ({part['progress']:.0%}, {pace})"

    console.print(f"Programme {year}, as of {report['as_of']} ({report['year_elapsed']:.0%} of the year)", highlight=False)
    console.print(line("SMEs in clusters", report["clustered"]) + f" in {report['clustered']['clusters']:,} clusters", highlight=False)
    console.print(line("Matches (accepted or deal)", report["matches"]), highlight=False)
    console.print(line("Deal value", report["deal_value_thb"], money=True) +
                  f"; {report['deals']['count']:,} deals, {report['deals']['without_value']:,} without a value", highlight=False)
    if report["undated"] or report["unknown_suppliers"]:
        console.print(f"Not counted: {report['undated']} undated partnership(s), {report['unknown_suppliers']} "
                      "of SMEs not in the register", highlight=False)
    for key, title in (("by_sector", "sector"), ("by_region", "region"), ("by_month", "month")):
        table = Table(title=f"By {title}")
        columns = [title, "proposals", "matches", "deals", "deal value THB"] + (["SMEs in clusters"] if key == "by_sector" else [])
        for column in columns:
            table.add_column(column)
        for row in report[key]:
            table.add_row(str(row[title]), f"{row['proposals']:,}", f"{row['matches']:,}", f"{row['deals']:,}",
                          f"{row['deal_value_thb']:,.0f}", *([f"{row['clustered']:,}"] if key == "by_sector" else []))
        console.print(table)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(out, lambda f: json.dump(report, f, ensure_ascii=False, indent=2))
        console.print(f"Report: {out}", highlight=False)


YearOption = Annotated[int, typer.Option(help="the programme year (Gregorian)")]
ClusteredTargetOption = Annotated[Optional[int], typer.Option(min=1, help="SMEs in clusters the year aims at")]
MatchTargetOption = Annotated[Optional[int], typer.Option(min=1, help="matches (accepted or deal) the year aims at")]
DealTargetOption = Annotated[Optional[float], typer.Option(min=1, help="baht of deals the year aims at")]
AsOfOption = Annotated[Optional[str], typer.Option(help="report as of this day, YYYY-MM-DD [default: today]")]
TargetsOutOption = Annotated[Optional[Path], typer.Option(help="also write the report as JSON here")]


@clusters_app.command("targets")
@boundary
def clusters_targets(year: YearOption, clustered_target: ClusteredTargetOption = 2000,
                     match_target: MatchTargetOption = None, deal_target_thb: DealTargetOption = None,
                     as_of: AsOfOption = None, out: TargetsOutOption = None, database: DatabaseOption = None) -> None:
    """The programme against its targets: SMEs in clusters, matches and deal value by sector, region and month.

    Example: tiermatch clusters targets --year 2026 --clustered-target 2000 --deal-target-thb 500000000
    """
    _targets(year, clustered_target, match_target, deal_target_thb, as_of, out, database)


@boundary
def targets(year: YearOption, clustered_target: ClusteredTargetOption = 2000,
            match_target: MatchTargetOption = None, deal_target_thb: DealTargetOption = None,
            as_of: AsOfOption = None, out: TargetsOutOption = None, database: DatabaseOption = None) -> None:
    """The programme against its targets (the same as `tiermatch clusters targets`).

    Example: tiermatch targets --year 2026 --clustered-target 2000 --match-target 400
    """
    _targets(year, clustered_target, match_target, deal_target_thb, as_of, out, database)


def register_commands(app: typer.Typer) -> None:
    app.add_typer(clusters_app, name="clusters")
    app.command("targets")(targets)
