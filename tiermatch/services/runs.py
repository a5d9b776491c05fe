"""Batch runs, one way for every door: the CLI, the JSON service and the pages all call these.

A run over the stored register is recorded in the store (queued, its stages,
then its results in one transaction, or why it failed) whoever starts it; a
run over files writes its results as files. Both score with the same rule
(:func:`~tiermatch.services.models.scorer_for`): learned from the history
where held-out outcomes say it ranks better, else the prior.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..errors import ConflictError, InvalidInputError, RunInProgressError
from ..io import RUN_OUTPUTS, PartitionWriter, pid_alive, staged_folder, write_outputs
from ..matcher import CANDIDATES_PER_BUYER, MatchEngine, MatchResult, Progress, no_progress
from ..matcher.batch import dask_client, run_batch
from ..settings import get_settings
from ..store import Store
from ..store.engine import now
from .encoders import text_encoder
from .models import SCORER_CHOICES, keep_model, scorer_for
from .register import Register, load_register
from .vocabulary import site_vocabulary

__all__ = [
    "CANDIDATES_PER_BUYER",
    "SHORTLIST_DEPTH",
    "RunOptions",
    "RunOutcome",
    "build_result_rows",
    "execute_run",
    "is_worker_alive",
    "match_register",
    "queue_run",
    "run_register",
    "worker_name",
]

# Each buyer's shortlist is stored this deep, whatever the run's top_k, so that a filtered
# shortlist (sector, place, certification) still has SMEs to show; a page shows top_k by default.
SHORTLIST_DEPTH = 50


@dataclass(frozen=True)
class RunOptions:
    """What a run is asked for, as the CLI, the API and the runs page take it.

    Examples
    --------
    >>> RunOptions(slots=8).recorded()  # doctest: +NORMALIZE_WHITESPACE
    {'top_k': 10, 'min_score': 0.3, 'fair': True, 'slots': 8, 'scheduler': None, 'partition_size': None,
     'candidates_per_buyer': 100, 'show_past': False, 'scorer': 'auto', 'shortlist_depth': 50}
    >>> RunOptions(top_k=80, slots=8, fair=False).recorded()["fair"], RunOptions(top_k=80).recorded()["shortlist_depth"]
    (False, 80)
    """

    top_k: int = 10
    min_score: float = 0.3
    fair: bool | None = None  # None: on for a matchmaking day (slots), else off
    slots: int | None = None
    scheduler: str | None = None
    partition_size: int | None = None
    candidates_per_buyer: int = CANDIDATES_PER_BUYER
    show_past: bool = False  # show pairs that met before, marked; never proposed anew
    scorer: str = "auto"  # learned where the history shows it ranks better (services.models.scorer_for)

    def __post_init__(self):
        if self.top_k < 1:
            raise InvalidInputError(f"top_k must be at least 1, found {self.top_k}", "top_k")
        if not 0 <= self.min_score <= 1:
            raise InvalidInputError(f"min_score must lie in [0, 1], found {self.min_score}", "min_score")
        if self.slots is not None and self.slots < 1:
            raise InvalidInputError(f"slots must be at least 1, found {self.slots}", "slots")
        if self.scorer not in SCORER_CHOICES:
            raise InvalidInputError(f"scorer must be one of {', '.join(SCORER_CHOICES)}, found {self.scorer!r}",
                                    "scorer")
        if not 10 <= self.candidates_per_buyer <= 2000:
            raise InvalidInputError(f"candidates_per_buyer must lie in [10, 2000], found {self.candidates_per_buyer}",
                                    "candidates_per_buyer")
        if self.partition_size is not None and self.partition_size < 1:
            raise InvalidInputError(f"partition_size must be at least 1, found {self.partition_size}", "partition_size")

    @property
    def is_fair(self) -> bool:
        return self.slots is not None if self.fair is None else self.fair

    def recorded(self) -> dict:
        """The options as a run records them: ``fair`` resolved, the stored shortlist depth added."""
        return {**asdict(self), "fair": self.is_fair, "shortlist_depth": max(self.top_k, SHORTLIST_DEPTH)}

    def engine(self, model=None, *, deep: bool = False, encoder=None) -> MatchEngine:
        """The engine these options ask for; ``deep``: shortlists as deep as the store keeps them."""
        top_k = max(self.top_k, SHORTLIST_DEPTH) if deep else self.top_k
        return MatchEngine(top_k=top_k, n_per_buyer=max(self.candidates_per_buyer, top_k), min_score=self.min_score,
                           fair=self.is_fair, n_slots=self.slots, model=model, show_past=self.show_past,
                           encoder=encoder, vocabulary=site_vocabulary())


def worker_name() -> str:
    """``host:pid`` of this process, recorded with each run it executes."""
    return f"{socket.gethostname()}:{os.getpid()}"


def is_worker_alive(worker: str) -> bool:
    """Whether the process that recorded ``worker`` may still be running (unknown hosts count as alive)."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return bool(worker) and host != socket.gethostname()
    return pid_alive(int(pid))


def match_register(register: Register, options: RunOptions, *, deep: bool = False, progress: Progress = no_progress,
                   on_recommendations=None) -> MatchResult:
    """Match a register with these options: the one call every run goes through.

    Scores as :func:`~tiermatch.services.models.scorer_for` decides (``options.scorer``); the summary's
    ``scoring`` says with what, and why. A scorer learned over the store is kept there.

    Raises
    ------
    ConflictError
        Where there is nothing to match (no supplier or no buyer).
    SchedulerError
        Where the Dask scheduler asked for cannot be reached.
    """
    if not register.n_suppliers or not register.buyers:
        raise ConflictError(f"nothing to match: {register.n_suppliers} supplier(s) and {len(register.buyers)} buyer(s)")
    model, note = scorer_for(register, options.scorer)
    with dask_client(options.scheduler) as client:
        result = run_batch(options.engine(model, deep=deep, encoder=text_encoder(register.store)), register.source,
                           register.buyers, register.history, client=client, progress=progress,
                           on_recommendations=on_recommendations, road_factor=get_settings().road_factor)
    if note is not None:
        result.summary["scoring"] = note
    if result.learned is not None and register.store is not None:
        stored = keep_model(register.store, result.learned, register.history)
        result.summary["scoring"]["model_id"] = stored["model_id"]
    return result


def build_result_rows(result: MatchResult, register: Register,
                      recommendations_top_k: int | None = None) -> tuple[list[dict], list[dict]]:
    """A run's matches and unmatched as store rows, each with the profile fields the filters use.

    Returns
    -------
    matches : list of dict
        Rows for ``run_matches`` (shortlist, recommendation, assignment).
    unmatched : list of dict
        Rows for ``run_unmatched``.
    """
    supplier_by_id = {s.supplier_id: s for s in register.suppliers}
    buyer_by_id = {b.buyer_id: b for b in register.buyers}
    profile_of_supplier, profile_of_buyer = {}, {}

    def supplier_fields(supplier_id: str) -> dict:
        if supplier_id not in profile_of_supplier:
            s = supplier_by_id[supplier_id]
            profile_of_supplier[supplier_id] = {
                "supplier_name": s.name, "supplier_sector": s.sector, "supplier_province": s.province,
                "supplier_region": s.region, "supplier_certifications": ";" + ";".join(s.certifications) + ";",
                "supplier_capacity_thb_per_month": s.capacity_thb_per_month,
            }
        return profile_of_supplier[supplier_id]

    def buyer_fields(buyer_id: str) -> dict:
        if buyer_id not in profile_of_buyer:
            b = buyer_by_id[buyer_id]
            profile_of_buyer[buyer_id] = {"buyer_name": b.name, "buyer_type": b.buyer_type,
                                          "buyer_sector": b.sector, "buyer_province": b.province,
                                          "buyer_demand_thb_per_month": b.demand_thb_per_month}
        return profile_of_buyer[buyer_id]

    rows = []
    assignment_rank: dict[str, int] = {}
    for kind, matches in (("shortlist", result.shortlists), ("recommendation", result.recommendations),
                          ("assignment", result.assignment)):
        for m in matches:
            rank = m.rank
            if kind == "recommendation" and recommendations_top_k is not None and rank > recommendations_top_k:
                continue
            if kind == "assignment":
                # The engine lists each buyer's partnerships best first; number them so.
                rank = assignment_rank[m.buyer_id] = assignment_rank.get(m.buyer_id, 0) + 1
            rows.append({"kind": kind, "buyer_id": m.buyer_id, "supplier_id": m.supplier_id, "rank": rank,
                         "score": float(m.score), "reasons": m.reasons, "reasons_th": m.reasons_th,
                         "features": dict(m.features), "group_id": m.group_id or "",
                         "volume_thb_per_month": m.volume_thb_per_month, "slot": m.slot, "distance_km": m.distance_km,
                         **supplier_fields(m.supplier_id), **buyer_fields(m.buyer_id)})
    unmatched = [{"kind": "buyer", "id": key, "reason": reason} for key, reason in result.unmatched_buyers.items()]
    unmatched += [{"kind": "supplier", "id": key, "reason": reason}
                  for key, reason in result.unmatched_suppliers.items()]
    return rows, unmatched


def queue_run(store: Store, options: RunOptions, allowed_schedulers=frozenset()) -> dict:
    """Record a queued run over the stored register; returns its record (execute it with :func:`execute_run`).

    Raises
    ------
    InvalidInputError
        For a scheduler not among ``allowed_schedulers`` (no caller may point a service at another host).
    ConflictError
        Where the store holds no supplier or no buyer, or a run with the same options is queued or running.
    """
    if options.scheduler is not None and options.scheduler not in allowed_schedulers:
        raise InvalidInputError(f"scheduler {options.scheduler} is not one this service may use "
                                f"({', '.join(sorted(allowed_schedulers)) or 'none is configured: set TIERMATCH_DASK_SCHEDULERS'})",
                                "scheduler")
    counts = store.counts()
    if not counts["suppliers"] or not counts["buyers"]:
        raise ConflictError(f"nothing to match: the store holds {counts['suppliers']} supplier(s) and "
                            f"{counts['buyers']} buyer(s)")
    store.runs.fail_interrupted(is_worker_alive)  # a run whose process was killed is not "already running"
    same = store.runs.active(options.recorded())
    if same is not None:  # a second click, or a second terminal: one run is enough
        raise RunInProgressError(f"run {same['run_id']} with the same options is already {same['status']}; "
                                 "follow it rather than starting another", same["run_id"])
    return store.runs.create(options.recorded(), worker=worker_name())


def execute_run(store: Store, run_id: int, options: RunOptions, *, register: Register | None = None,
                progress: Progress = no_progress, on_done: Callable[[], None] | None = None) -> MatchResult:
    """Run a recorded run over the stored register and store its results; on failure, record why.

    Parameters
    ----------
    store : Store
    run_id : int
        A run recorded by :func:`queue_run`.
    options : RunOptions
    register : Register, optional
        The stored register, already loaded (with an extra history file, from the CLI); loaded here if None.
    progress : callable, optional
        Also told every stage, beside the run's record in the store.
    on_done : callable, optional
        Called once the run has ended, completed or failed (the service refreshes what it serves).

    Returns
    -------
    MatchResult
        With the scorer in its summary. A failure is recorded in the run, then raised.
    """
    try:
        store.runs.update(run_id, status="running", stage="loading", started_at=now())
        register = register or load_register(store, partition_size=options.partition_size)

        def report(stage: str, done: int, total: int) -> None:
            store.runs.update(run_id, stage=stage, stage_done=done, stage_total=total)
            progress(stage, done, total)

        result = match_register(register, options, deep=True, progress=report)
        report("saving", 0, 1)
        matches, unmatched = build_result_rows(result, register, options.top_k)
        if result.text_space is not None:  # retraining reads features in it (services.models.retrain)
            store.runs.keep_text_space(run_id, result.text_space.to_bytes())
        store.runs.complete(run_id, matches, unmatched, result.summary)
        return result
    except Exception as exc:  # a run must end recorded, whatever went wrong
        store.runs.fail(run_id, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        if on_done is not None:
            on_done()


@dataclass
class RunOutcome:
    """A run started from the command line: its result, the rows left out, the files written, the run's id."""

    result: MatchResult
    rejected: list
    paths: dict[str, Path]
    run_id: int | None = None
    scorer: dict | None = None


def run_register(register: Register, options: RunOptions, out: Path, *,
                 progress: Progress = no_progress) -> RunOutcome:
    """Run a register and write its results into ``out``: the command line's run.

    A register from the store is recorded there as a run (as one started
    through the service). Either way it is scored as
    :func:`~tiermatch.services.models.scorer_for` decides. Each partition's recommendations are
    written where it runs when the suppliers are read in several.
    """
    store = register.store
    run_id = None
    with staged_folder(out, RUN_OUTPUTS) as folder:  # the folder keeps the last complete run's files until now
        if store is None:
            writer = PartitionWriter(folder / "recommendations") if register.source.n_partitions > 1 else None
            result = match_register(register, options, progress=progress, on_recommendations=writer)
            written = writer.directory if writer else None
        else:
            run_id = queue_run(store, options, {options.scheduler} - {None})["run_id"]
            result = execute_run(store, run_id, options, register=register, progress=progress)
            # The files hold top_k per buyer and per SME, as a run over files writes them; the store keeps more.
            result = replace(result, shortlists=[m for m in result.shortlists if m.rank <= options.top_k],
                             recommendations=[m for m in result.recommendations if m.rank <= options.top_k])
            written = None
        rejected = register.rejected + result.rejected_rows
        paths = write_outputs(result, folder, rejected, recommendations=written)
    paths = {name: Path(out) / path.relative_to(folder) for name, path in paths.items()}
    return RunOutcome(result, rejected, paths, run_id, result.summary["scoring"])

