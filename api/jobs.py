"""The service's heavy work (runs, retraining, cluster suggestions), one job at a time per process.

Runs are long and memory-hungry; queueing keeps them apart. The JSON routes
and the pages hand work to the same :class:`Jobs`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ..services import RunOptions, execute_run, queue_run
from ..store import Store

__all__ = ["Jobs"]


class Jobs:
    """A one-thread executor for the service's heavy work.

    Parameters
    ----------
    store : Store
    settings : Settings
        Its ``allowed_schedulers``: the Dask schedulers a run may be sent to (``TIERMATCH_DASK_SCHEDULERS``).
    on_run_done : callable
        Called after each run ends (the service refreshes what it serves).
    """

    def __init__(self, store: Store, settings, on_run_done=None):
        self.store = store
        self.settings = settings
        self.on_run_done = on_run_done
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiermatch-job")

    def start_run(self, options: RunOptions) -> dict:
        """Record a run over the stored register and queue it; returns its record at once."""
        run = queue_run(self.store, options, self.settings.allowed_schedulers)
        self.executor.submit(self._execute, run["run_id"], options)
        return run

    def _execute(self, run_id: int, options: RunOptions) -> None:
        try:
            execute_run(self.store, run_id, options, on_done=self.on_run_done)
        except Exception:  # recorded in the run by execute_run; nobody waits on this thread
            pass

    def call(self, function, *args, **kwargs):
        """Run ``function`` after the jobs ahead of it, and wait for its answer (or its error)."""
        return self.executor.submit(function, *args, **kwargs).result()

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
