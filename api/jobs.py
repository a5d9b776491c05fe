"""The service's heavy work (runs, retraining, cluster suggestions), one job at a time per process.

Runs are long and memory-hungry; queueing keeps them apart. The queue is bounded: past
:data:`MAX_PENDING` jobs waiting, a new one is refused with :class:`~tiermatch.errors.BusyError`
(503 and ``Retry-After``) instead of queueing hours of work behind the next run. The JSON routes
and the pages hand work to the same :class:`Jobs`.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from ..errors import BusyError
from ..services import RunOptions, execute_run, queue_run
from ..store import Store

__all__ = ["Jobs", "MAX_PENDING"]

MAX_PENDING = 8


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
        self.max_pending = MAX_PENDING
        self._pending = 0  # submitted and not finished, the one running included
        self._lock = threading.Lock()

    def _reserve(self) -> None:
        """Take a place in the queue, or raise :class:`BusyError` where :attr:`max_pending` are taken."""
        with self._lock:
            if self._pending >= self.max_pending:
                raise BusyError(f"{self._pending} jobs are queued or running already; try again in a minute", 60)
            self._pending += 1

    def _release(self) -> None:
        with self._lock:
            self._pending -= 1

    def _submit_reserved(self, function, *args, **kwargs):
        """Queue ``function`` in the place :meth:`_reserve` took; the place is freed when it ends."""
        try:
            future = self.executor.submit(function, *args, **kwargs)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(lambda _: self._release())
        return future

    def _submit(self, function, *args, **kwargs):
        """Queue ``function`` in a place of its own (:class:`BusyError` where there is none)."""
        self._reserve()
        return self._submit_reserved(function, *args, **kwargs)

    def start_run(self, options: RunOptions) -> dict:
        """Record a run over the stored register and queue it; returns its record at once. The place in the
        queue is taken first, so that no run is recorded that could not be queued."""
        self._reserve()
        try:
            run = queue_run(self.store, options, self.settings.allowed_schedulers)
        except BaseException:
            self._release()
            raise
        self._submit_reserved(self._execute, run["run_id"], options)
        return run

    def _execute(self, run_id: int, options: RunOptions) -> None:
        try:
            execute_run(self.store, run_id, options, on_done=self.on_run_done)
        except Exception:  # recorded in the run by execute_run; nobody waits on this thread
            pass

    def call(self, function, *args, **kwargs):
        """Run ``function`` after the jobs ahead of it, and wait for its answer (or its error)."""
        return self._submit(function, *args, **kwargs).result()

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
