"""A small background job runner so long work (model training) never freezes a page.

``submit(fn, *args, **kwargs)`` runs ``fn`` on a worker thread and returns a
job id at once; ``get(job_id)`` returns a snapshot of the job: its state, a
progress fraction with a message, the elapsed time and an estimate of the time
left, and finally the result or the error. When ``fn`` accepts a ``progress``
keyword it receives a callback ``progress(fraction, message)``.

Two runners share the server: :data:`RUNNER` trains and explains models, one
job at a time (the machine's two cores belong to one training at a time), and
:data:`INTAKE` reads and saves big uploads, also one at a time, so one person's
5 M-event upload neither freezes their page nor stalls everyone else's clicks.
Further jobs wait in line; a queued job's snapshot says how many are
ahead of it (``ahead``), so a page can show its place in the line. Only the
newest ``keep`` jobs are kept.

A failed job keeps its error twice: ``error`` is the English sentence (for logs),
``failure`` the :class:`~churn.core.errors.ChurnError` itself (its key and values,
without the traceback), so ``job.error_message(lang)`` says what went wrong in the
reader's language; a bug gets the generic sentence there.
"""

from __future__ import annotations

import inspect
import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from churn.core.errors import ChurnError, message

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class Job:
    """A snapshot of one job (safe to read from any thread)."""

    id: str
    state: str = QUEUED
    progress: float = 0.0
    message: str = ""
    result: object = None
    #: the failure in English: a ChurnError's sentence, or ``"<Type>: <text>"`` for a bug
    error: str | None = None
    #: True when the error is a ChurnError (a plain sentence for the user).
    user_error: bool = False
    #: the ChurnError a failed job raised (its key and values), None for a bug or no failure
    failure: ChurnError | None = None
    submitted: float = 0.0
    started: float | None = None
    finished: float | None = None
    #: jobs running or waiting before this one (0 once it runs); filled in by :meth:`JobRunner.get`
    ahead: int = 0

    @property
    def finished_ok(self) -> bool:
        return self.state == DONE

    def error_message(self, lang: str = "en") -> str | None:
        """Why the job failed, as one sentence in ``lang`` (None unless it failed).

        A ChurnError gives its own sentence; a bug the generic one (its details are in the log).

        Example
        -------
        >>> from churn.core.errors import ModelError
        >>> Job("job-1", state=FAILED, failure=ModelError("errors.model_not_trained")).error_message("nb")
        'Modellen er ikke trent ennå; tren den på Modell-siden først.'
        """
        if self.state != FAILED:
            return None
        return message(self.failure if self.failure is not None else RuntimeError(self.error), lang)

    @property
    def active(self) -> bool:
        return self.state in (QUEUED, RUNNING)

    @property
    def elapsed(self) -> float:
        """Seconds since the job started (0 while queued)."""
        if self.started is None:
            return 0.0
        return (self.finished or time.monotonic()) - self.started

    @property
    def remaining(self) -> float | None:
        """Estimated seconds left, from progress so far (None until there is progress)."""
        if self.state != RUNNING or self.progress <= 0.02:
            return None
        return self.elapsed * (1 - self.progress) / self.progress


class JobRunner:
    """Run callables on a thread pool and keep a bounded history of their state.

    Parameters
    ----------
    max_workers : int
        Jobs running at the same time (others wait in line).
    keep : int
        Number of jobs remembered; the oldest finished ones are forgotten first.
    name : str
        Starts every job id (and worker thread name), so ids of two runners never meet.
    """

    def __init__(self, max_workers: int = 1, keep: int = 20, name: str = "job"):
        self.name = name
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=f"churn-{name}")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.keep = keep

    def _update(self, job_id: str, **changes) -> None:
        with self._lock:
            if job_id in self._jobs:
                self._jobs[job_id] = replace(self._jobs[job_id], **changes)

    def _forget_old(self) -> None:
        while len(self._jobs) > self.keep:
            finished = [k for k, j in self._jobs.items() if not j.active]
            if not finished:
                break
            del self._jobs[finished[0]]

    def submit(self, fn: Callable, *args, **kwargs) -> str:
        """Start ``fn(*args, **kwargs)`` in the background; return the job id."""
        job_id = f"{self.name}-{next(self._ids)}-{int(time.time() * 1000) % 100000}"
        with self._lock:
            self._jobs[job_id] = Job(id=job_id, submitted=time.monotonic())
            self._forget_old()
        if _accepts_progress(fn) and "progress" not in kwargs:

            def report(fraction: float, message: str = "") -> None:
                self._update(job_id, progress=float(min(max(fraction, 0.0), 1.0)), message=message)

            kwargs["progress"] = report
        self._pool.submit(self._run, job_id, fn, args, kwargs)
        return job_id

    def _run(self, job_id: str, fn: Callable, args, kwargs) -> None:
        self._update(job_id, state=RUNNING, started=time.monotonic())
        try:
            result = fn(*args, **kwargs)
        except ChurnError as error:
            # a fresh copy: the traceback (and the frames it holds) is not kept with the job
            failure = type(error)(error.key, **error.values)
            self._update(
                job_id,
                state=FAILED,
                error=str(error),
                user_error=True,
                failure=failure,
                finished=time.monotonic(),
            )
        except Exception as error:  # a bug: keep the traceback in the log, a sentence for the user
            log.exception("background job %s failed", job_id)
            self._update(
                job_id, state=FAILED, error=f"{type(error).__name__}: {error}", finished=time.monotonic()
            )
        else:
            self._update(job_id, state=DONE, progress=1.0, result=result, finished=time.monotonic())

    def get(self, job_id: str | None) -> Job | None:
        """The job's current snapshot, or None when it is unknown (or forgotten)."""
        with self._lock:
            job = self._jobs.get(job_id) if job_id else None
            if job is None or job.state != QUEUED:
                return job
            ahead = 0
            for other in self._jobs.values():  # in the order they were submitted
                if other.id == job_id:
                    break
                ahead += other.active
            return replace(job, ahead=ahead)

    def jobs(self) -> list[Job]:
        """All remembered jobs, oldest first."""
        with self._lock:
            return list(self._jobs.values())

    def wait(self, job_id: str, timeout: float = 60.0, poll: float = 0.05) -> Job | None:
        """Block until the job has finished or ``timeout`` seconds passed (for the CLI and tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(job_id)
            if job is None or not job.active:
                return job
            time.sleep(poll)
        return self.get(job_id)


def _accepts_progress(fn: Callable) -> bool:
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "progress" in parameters


#: The process-wide runner of trainings and explanations (module state survives Streamlit reruns).
RUNNER = JobRunner()
#: The process-wide runner of heavy intake work: reading and saving big uploads.
INTAKE = JobRunner(name="intake")
_RUNNERS = {runner.name: runner for runner in (RUNNER, INTAKE)}


def submit(fn: Callable, *args, **kwargs) -> str:
    """Submit to the shared runner of models; see :meth:`JobRunner.submit`."""
    return RUNNER.submit(fn, *args, **kwargs)


def submit_intake(fn: Callable, *args, **kwargs) -> str:
    """Submit heavy intake work (a big upload) to its own runner; see :meth:`JobRunner.submit`."""
    return INTAKE.submit(fn, *args, **kwargs)


def get(job_id: str | None) -> Job | None:
    """Read a job of either shared runner (the id says which); see :meth:`JobRunner.get`."""
    runner = _RUNNERS.get(str(job_id).split("-", 1)[0]) if job_id else None
    return None if runner is None else runner.get(job_id)
