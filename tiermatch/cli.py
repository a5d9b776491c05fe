"""The ``tiermatch`` command line."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .features.io import (
    InvalidFileError,
    ReadResult,
    RowError,
    drop_unknown_partners,
    read_buyers,
    read_partnerships,
    read_suppliers,
)
from .features.partitions import SupplierSource, open_suppliers
from .matcher import MatchEngine, MatchResult
from .matcher.batch import dask_client, run_batch
from .outputs import PartitionWriter, write_outputs
from .settings import get_settings
from .store import Store
from .training import load_scoring_model, retrain as retrain_model

app = typer.Typer(
    help="tiermatch: match Thai SMEs to first-tier buyers, exporters, importers and retailers.\n\n"
    "Example: tiermatch demo",
    no_args_is_help=True,
    rich_markup_mode=None,
)
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


def _store(database: str | None) -> Store:
    return Store(database or get_settings().database_url)


@contextmanager
def _progress():
    """A progress display whose callback fits :data:`tiermatch.matcher.Progress`."""
    with Progress(SpinnerColumn(), TextColumn("{task.description:<12}"), BarColumn(), TimeElapsedColumn(),
                  console=errors, transient=False) as bar:
        tasks = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield report


def _fail(message: str) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code=1)


def _read_files(suppliers: Path | None, buyers: Path | None, history: Path | None) -> dict[str, ReadResult | None]:
    """Read whichever files are given (None for the others); a file that cannot be used stops the command."""
    results = {}
    for kind, path, reader in (("suppliers", suppliers, read_suppliers), ("buyers", buyers, read_buyers),
                               ("partnerships", history, read_partnerships)):
        try:
            results[kind] = None if path is None else reader(path)
        except InvalidFileError as exc:
            raise _fail(str(exc)) from exc
    return results


def _records(results: dict[str, ReadResult | None], kind: str) -> list:
    return results[kind].records if results[kind] else []


def _rejected(results: dict[str, ReadResult | None]) -> list[RowError]:
    return [error for result in results.values() if result for error in result.errors]


def _load_register(suppliers: Path | None, buyers: Path | None, history: Path | None, database: str | None):
    """The register to work on: from the files given, else from the store; an extra history file
    is checked against it. Returns the store (None for files), the read files, suppliers, buyers, history."""
    if (suppliers is None) != (buyers is None):
        raise _fail("give both --suppliers and --buyers, or neither to use the stored register")
    files = _read_files(suppliers, buyers, history)
    store = None
    if suppliers is None:
        store = _store(database)
        supplier_records, buyer_records, history_records = store.suppliers(), store.buyers(), store.partnerships()
    else:
        supplier_records, buyer_records, history_records = _records(files, "suppliers"), _records(files, "buyers"), []
    if files["partnerships"]:
        files["partnerships"] = drop_unknown_partners(
            files["partnerships"], {s.supplier_id for s in supplier_records}, {b.buyer_id for b in buyer_records})
        history_records += files["partnerships"].records
    return store, files, supplier_records, buyer_records, history_records


def _print_rejected(rejected: list[RowError], limit: int = 10) -> None:
    if not rejected:
        return
    errors.print(f"[yellow]{len(rejected)} problem(s) in the input; those rows were left out:[/]", highlight=False)
    for error in rejected[:limit]:
        errors.print(f"  {error}", highlight=False, markup=False)
    if len(rejected) > limit:
        errors.print(f"  ... and {len(rejected) - limit} more (see rejected_rows.csv)", highlight=False)


def _print_summary(result: MatchResult, paths: dict[str, Path]) -> None:
    s = result.summary
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


def _run_engine(suppliers, buyers, history, out: Path, rejected: list[RowError], engine: MatchEngine, *,
                source: SupplierSource | None = None, scheduler: str | None = None,
                partition_size: int | None = None) -> MatchResult:
    """Match and write the outputs: the suppliers given, or those of ``source`` read a partition at a time."""
    if source is None:
        source = SupplierSource.from_records(suppliers, partition_size)
    if not source.n_rows or not buyers:
        raise _fail(f"nothing to match: {source.n_rows} supplier(s) and {len(buyers)} buyer(s)")
    partitioned = source.n_partitions > 1
    write_part = PartitionWriter(out / "recommendations") if partitioned else None
    try:
        with _progress() as report, dask_client(scheduler) as client:
            if client is not None:
                workers = len(client.scheduler_info(n_workers=-1)["workers"])
                errors.print(f"Dask: scheduler {client.scheduler.address}, {workers} worker(s)", highlight=False)
            result = run_batch(engine, source, buyers, history, client=client, progress=report,
                               on_recommendations=write_part)
    except InvalidFileError as exc:
        raise _fail(str(exc)) from exc
    except OSError as exc:  # a scheduler that cannot be reached, or was lost mid-run
        raise _fail(f"Dask: {exc}") from exc
    paths = write_outputs(result, out, rejected + result.rejected_rows,
                          recommendations=write_part.directory if partitioned else None)
    _print_rejected(rejected + result.rejected_rows)
    _print_summary(result, paths)
    return result


@app.command()
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
    database: DatabaseOption = None,
) -> None:
    """Match suppliers to buyers and write shortlists, an assignment and a summary.

    Reads interchange CSV files (UTF-8, UTF-8 with BOM or Windows-874) or Parquet files
    with the same columns; with no files, matches the register in the store. Invalid rows
    are reported with file, line and field, and left out. The suppliers are read and
    matched --partition-size at a time, on a Dask cluster with --scheduler.

    Example: tiermatch run --suppliers suppliers.csv --buyers buyers.csv --history partnerships.csv --out results/

    A matchmaking day (fair exposure on, agenda in 8 slots): tiermatch run --out day/ --slots 8

    On a cluster: tiermatch run --suppliers suppliers.parquet --buyers buyers.csv --scheduler tcp://10.0.0.5:8786
    """
    engine_options = dict(top_k=top_k, min_score=min_score, n_slots=slots, fair=slots is not None if fair is None else fair)
    if suppliers is None:
        store, files, supplier_records, buyer_records, history_records = _load_register(None, buyers, history, database)
        # The stored register is scored by the store's latest adopted model; files by the prior.
        model, scorer = load_scoring_model(store)
        console.print(f"Scoring with {'model ' + scorer['version'] if model else 'the prior'}"
                      + (f" ({scorer['not_used']})" if "not_used" in scorer else ""), highlight=False)
        _run_engine(supplier_records, buyer_records, history_records, out, _rejected(files),
                    MatchEngine(model=model, **engine_options), scheduler=scheduler, partition_size=partition_size)
        return
    if buyers is None:
        raise _fail("give both --suppliers and --buyers, or neither to use the stored register")
    try:
        source = open_suppliers(suppliers, partition_size)
    except InvalidFileError as exc:
        raise _fail(str(exc)) from exc
    files = _read_files(None, buyers, history)
    buyer_records = _records(files, "buyers")
    if files["partnerships"]:
        known = set(source.scan(lambda row, supplier_id: False).ids)
        files["partnerships"] = drop_unknown_partners(files["partnerships"], known, {b.buyer_id for b in buyer_records})
    _run_engine([], buyer_records, _records(files, "partnerships"), out, _rejected(files), MatchEngine(**engine_options),
                source=source, scheduler=scheduler)


@app.command("import")
def import_(
    suppliers: Annotated[Optional[Path], typer.Option(help="suppliers.csv")] = None,
    buyers: Annotated[Optional[Path], typer.Option(help="buyers.csv")] = None,
    history: Annotated[Optional[Path], typer.Option(help="partnerships.csv")] = None,
    database: DatabaseOption = None,
) -> None:
    """Load profiles and history into the store; rows with a known id are updated, never duplicated.

    All files land in one transaction: if any file cannot be used, nothing is stored.

    Example: tiermatch import --suppliers suppliers.csv --buyers buyers.csv --history partnerships.csv
    """
    if suppliers is None and buyers is None and history is None:
        raise _fail("nothing to import: give --suppliers, --buyers and/or --history")
    files = _read_files(suppliers, buyers, history)
    supplier_records, buyer_records = _records(files, "suppliers"), _records(files, "buyers")
    store = _store(database)
    if files["partnerships"]:
        files["partnerships"] = drop_unknown_partners(
            files["partnerships"],
            store.known_ids("suppliers") | {s.supplier_id for s in supplier_records},
            store.known_ids("buyers") | {b.buyer_id for b in buyer_records},
        )
    history_records, rejected = _records(files, "partnerships"), _rejected(files)
    counts = store.import_register(supplier_records, buyer_records, history_records)
    _print_rejected(rejected)
    console.print(f"Imported into {store.engine.url.render_as_string(hide_password=True)}: {counts}", highlight=False)
    console.print(f"The store now holds {store.counts()}", highlight=False)



@app.command()
def retrain(database: DatabaseOption = None) -> None:
    """Learn a scoring model from the stored history; runs use it only if it beats the prior on held-out buyers.

    The model is cross-validated by buyer (a buyer's rows never cross folds), calibrated and
    versioned; it is stored whether adopted or not, with its metrics.

    Example: tiermatch retrain
    """
    from .matcher import InsufficientHistoryError

    store = _store(database)
    try:
        with console.status("Training on the stored history (cross-validated by buyer)..."):
            report, stored, previous = retrain_model(store)
    except InsufficientHistoryError as exc:
        raise _fail(f"cannot train a model yet: {exc}") from exc
    console.print(f"Model {report.version}: {report.reason}", highlight=False)
    console.print(f"Runs now score with {'model ' + report.version if report.adopted else ('model ' + previous['version'] if previous else 'the prior')}.",
                  highlight=False)

@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="folder for suppliers.csv, buyers.csv and partnerships.csv")] = Path("demo-register"),
    n_suppliers: Annotated[int, typer.Option("--suppliers", min=1, help="how many SMEs")] = 2000,
    n_buyers: Annotated[int, typer.Option("--buyers", min=1, help="how many buyers")] = 200,
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives the same register")] = 0,
) -> None:
    """Write a synthetic but realistic Thai register in the interchange format.

    Example: tiermatch generate --out demo-register --suppliers 2000 --buyers 200 --seed 0
    """
    from .features.demo import generate_register, write_register

    register = generate_register(n_suppliers, n_buyers, random_state=seed)
    for kind, path in write_register(register, out).items():
        console.print(f"  {kind:<13} {path}", highlight=False)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="folder for the demo register and the run's outputs")] = Path("tiermatch-out"),
    n_suppliers: Annotated[int, typer.Option("--suppliers", min=1, help="how many SMEs")] = 2000,
    n_buyers: Annotated[int, typer.Option("--buyers", min=1, help="how many buyers")] = 200,
    seed: Annotated[int, typer.Option(help="random seed of the demo register")] = 0,
    database: DatabaseOption = None,
) -> None:
    """Generate a demo register, import it into the store, match it and summarise the result.

    Example: tiermatch demo --suppliers 2000 --buyers 200
    """
    from .features.demo import generate_register, write_register

    console.print(f"Generating a demo register: {n_suppliers:,} SMEs, {n_buyers:,} buyers (seed {seed})", highlight=False)
    register = generate_register(n_suppliers, n_buyers, random_state=seed)
    paths = write_register(register, out / "register")
    files = _read_files(paths["suppliers"], paths["buyers"], paths["partnerships"])
    store = _store(database)
    counts = store.import_register(_records(files, "suppliers"), _records(files, "buyers"), _records(files, "partnerships"))
    console.print(f"Imported into {store.engine.url.render_as_string(hide_password=True)}: {counts}", highlight=False)
    model, _ = load_scoring_model(store)
    _run_engine(store.suppliers(), store.buyers(), store.partnerships(), out, _rejected(files), MatchEngine(model=model))



@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="address to listen on [default: $TIERMATCH_HOST or 127.0.0.1]")] = None,
    port: Annotated[Optional[int], typer.Option(help="port [default: $TIERMATCH_PORT or 8000]")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="worker processes [default: $TIERMATCH_WORKERS or 1]")] = None,
    database: DatabaseOption = None,
) -> None:
    """Start the HTTP service (uvicorn) over the store; interactive docs at /docs.

    Every request needs an API key: create the first with `tiermatch keys create --role admin`.

    Example: tiermatch serve --host 0.0.0.0 --port 8000 --workers 2
    """
    import os

    import uvicorn

    settings = get_settings()
    if database:
        # Worker processes read the settings afresh: hand them the URL through the environment.
        os.environ["TIERMATCH_DATABASE_URL"] = database
        get_settings.cache_clear()
        settings = get_settings()
    host, port, workers = host or settings.host, port or settings.port, workers or settings.workers
    _store(settings.database_url)  # creates the tables once, before workers race to
    url = f"http://{host}:{port}"
    errors.print(f"tiermatch serving {Store(settings.database_url).engine.url.render_as_string(hide_password=True)} "
                 f"at {url} (docs: {url}/docs), {workers} worker(s)", highlight=False, markup=False)
    uvicorn.run("tiermatch.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


keys_app = typer.Typer(help="API keys of the service: create, list, revoke.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin, matchmaker or buyer")],
    buyer_id: Annotated[Optional[str], typer.Option(help="the buyer a buyer key is bound to")] = None,
    name: Annotated[str, typer.Option(help="who or what the key is for")] = "",
    database: DatabaseOption = None,
) -> None:
    """Create an API key and print it once; only its hash is stored.

    Example: tiermatch keys create --role admin --name "DIP admin"
    """
    from .api import create_key

    if role not in ("admin", "matchmaker", "buyer"):
        raise _fail(f"--role must be admin, matchmaker or buyer, not {role!r}")
    if (role == "buyer") != (buyer_id is not None):
        raise _fail("--buyer-id is required for --role buyer and not allowed for other roles")
    try:
        created = create_key(_store(database), role, buyer_id, name)
    except LookupError as exc:
        raise _fail(str(exc)) from exc
    errors.print(f"Created {role} key {created['key_id']}" + (f" for buyer {buyer_id}" if buyer_id else "") +
                 ". It is shown only now; keep it safe:", highlight=False, markup=False)
    print(created["key"])


@keys_app.command("list")
def keys_list(database: DatabaseOption = None) -> None:
    """List API keys (ids, roles, buyers; never the keys)."""
    table = Table()
    for column in ("key_id", "role", "buyer_id", "name", "created", "revoked"):
        table.add_column(column)
    for key in _store(database).api_keys():
        table.add_row(key["key_id"], key["role"], key["buyer_id"] or "", key["name"], str(key["created_at"])[:19],
                      str(key["revoked_at"] or "")[:19])
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key's id, from `tiermatch keys list`")],
                database: DatabaseOption = None) -> None:
    """Revoke an API key: it stops working at once."""
    if not _store(database).revoke_api_key(key_id):
        raise _fail(f"no active key with id {key_id!r}")
    console.print(f"Revoked key {key_id}", highlight=False)


# ----------------------------------------------------------------------------- clusters and programme targets

clusters_app = typer.Typer(help="Industrial clusters: whom to invite into which cluster, and the programme's targets.",
                           no_args_is_help=True, rich_markup_mode=None)
app.add_typer(clusters_app, name="clusters")


@clusters_app.command("suggest")
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
    from .programme import write_cluster_outputs
    from .matcher.clusters import suggest_clusters

    if min_size > max_size:
        raise _fail(f"--min-size ({min_size}) must not exceed --max-size ({max_size})")
    _, files, supplier_records, buyer_records, history_records = _load_register(suppliers, buyers, history, database)
    if not supplier_records or not buyer_records:
        raise _fail(f"nothing to cluster: {len(supplier_records)} SME(s) and {len(buyer_records)} buyer(s)")
    _print_rejected(_rejected(files))
    engine = MatchEngine()
    context = engine.prepare(supplier_records, buyer_records, history_records)
    report = suggest_clusters(context, engine=engine, min_size=min_size, max_size=max_size, keep_existing=not regroup,
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

    from .matcher.targets import ProgrammeTargets
    from .programme import store_targets_report

    try:
        targets = ProgrammeTargets(year, clustered_smes=clustered_target, matches=match_target,
                                   deal_value_thb=deal_target_thb)
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    report = store_targets_report(_store(database), targets, as_of=day)

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
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        console.print(f"Report: {out}", highlight=False)


YearOption = Annotated[int, typer.Option(help="the programme year (Gregorian)")]
ClusteredTargetOption = Annotated[Optional[int], typer.Option(min=1, help="SMEs in clusters the year aims at")]
MatchTargetOption = Annotated[Optional[int], typer.Option(min=1, help="matches (accepted or deal) the year aims at")]
DealTargetOption = Annotated[Optional[float], typer.Option(min=1, help="baht of deals the year aims at")]
AsOfOption = Annotated[Optional[str], typer.Option(help="report as of this day, YYYY-MM-DD [default: today]")]
TargetsOutOption = Annotated[Optional[Path], typer.Option(help="also write the report as JSON here")]


@clusters_app.command("targets")
def clusters_targets(year: YearOption, clustered_target: ClusteredTargetOption = 2000,
                     match_target: MatchTargetOption = None, deal_target_thb: DealTargetOption = None,
                     as_of: AsOfOption = None, out: TargetsOutOption = None, database: DatabaseOption = None) -> None:
    """The programme against its targets: SMEs in clusters, matches and deal value by sector, region and month.

    Example: tiermatch clusters targets --year 2026 --clustered-target 2000 --deal-target-thb 500000000
    """
    _targets(year, clustered_target, match_target, deal_target_thb, as_of, out, database)


@app.command("targets")
def targets(year: YearOption, clustered_target: ClusteredTargetOption = 2000,
            match_target: MatchTargetOption = None, deal_target_thb: DealTargetOption = None,
            as_of: AsOfOption = None, out: TargetsOutOption = None, database: DatabaseOption = None) -> None:
    """The programme against its targets (the same as `tiermatch clusters targets`).

    Example: tiermatch targets --year 2026 --clustered-target 2000 --match-target 400
    """
    _targets(year, clustered_target, match_target, deal_target_thb, as_of, out, database)
