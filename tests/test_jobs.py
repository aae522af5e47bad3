"""The background job runner: state, progress, result, errors as sentences, a bounded history."""

from __future__ import annotations

import threading
import time

import pytest

from churn.core.errors import ModelError, SchemaError
from churn.workspace import jobs
from churn.workspace.jobs import DONE, FAILED, QUEUED, RUNNING, Job, JobRunner


def wait_for(condition, timeout: float = 5.0) -> None:
    """Poll until ``condition()`` holds (the worker thread updates the snapshot)."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_job_reports_progress_and_result():
    runner = jobs.JobRunner(keep=5)
    gate = threading.Event()

    def work(x, progress):
        progress(0.5, "half")
        gate.wait(5)
        return x * 2

    job_id = runner.submit(work, 21)
    wait_for(lambda: runner.get(job_id).progress >= 0.5)
    job = runner.get(job_id)
    assert job.state == jobs.RUNNING and job.progress == 0.5 and job.message == "half"
    assert job.active and not job.finished_ok
    gate.set()
    done = runner.wait(job_id, timeout=5)
    assert done.state == jobs.DONE and done.result == 42 and done.progress == 1.0
    assert done.finished_ok and not done.active


def test_job_errors_are_kept_as_sentences():
    runner = jobs.JobRunner()

    def user_mistake():
        raise ModelError("Load more data.")

    def bug():
        raise ZeroDivisionError("boom")

    first, second = runner.submit(user_mistake), runner.submit(bug)
    assert runner.wait(first).error == "Load more data." and runner.wait(first).user_error
    failed = runner.wait(second)
    assert failed.state == jobs.FAILED and not failed.user_error and "boom" in failed.error


@pytest.mark.parametrize(
    "error,message",
    [
        (ModelError("Only 3 customers left; load more data."), "Only 3 customers left; load more data."),
        (
            SchemaError("Column 'Churn' has only one value ('No')."),
            "Column 'Churn' has only one value ('No').",
        ),
    ],
)
def test_a_failing_churn_error_job_ends_failed_with_its_message(error, message):
    runner = JobRunner()

    def fail():
        raise error

    job = runner.wait(runner.submit(fail))
    assert (job.state, job.error, job.user_error, job.result) == (FAILED, message, True, None)
    assert job.finished is not None and not job.active


def test_a_bug_is_named_with_its_type(caplog):
    runner = JobRunner()

    def bug():
        return {}["missing"]

    job = runner.wait(runner.submit(bug))
    assert job.error == "KeyError: 'missing'" and not job.user_error
    assert "failed" in caplog.text  # the traceback goes to the log, not the screen


@pytest.mark.parametrize(
    "lang,expected",
    [
        (
            "en",
            "Column 'Kundenr' has 1,200 repeated ids (e.g. '17'); a customer table needs one row per customer.",
        ),
        (
            "nb",
            "Kolonnen 'Kundenr' har 1\xa0200 gjentatte ID-er (f.eks. '17'); en kundetabell må ha én rad per kunde.",
        ),
    ],
)
def test_a_failed_job_keeps_the_key_and_values_for_any_language(lang, expected):
    """A page shows ``job.error_message(lang)``: the same failure in the session's language."""
    runner = JobRunner()

    def fail():
        raise SchemaError("errors.repeated_ids", column="Kundenr", repeated=1200, example="17")

    job = runner.wait(runner.submit(fail))
    assert job.error_message(lang) == expected
    assert job.error == job.error_message("en")  # the English sentence stays for the log
    assert (job.failure.key, job.failure.values["repeated"]) == ("errors.repeated_ids", 1200)
    assert job.failure.__traceback__ is None  # the worker's frames are not kept with the job


@pytest.mark.parametrize(
    "lang,expected",
    [
        ("en", "Something went wrong on our side; try again, and if it happens again, tell us what you did."),
        ("nb", "Noe gikk galt hos oss; prøv igjen, og fortell oss hva du gjorde hvis det skjer igjen."),
    ],
)
def test_a_failed_bug_gives_the_generic_sentence(lang, expected):
    runner = JobRunner()

    def bug():
        return {}["missing"]

    job = runner.wait(runner.submit(bug))
    assert job.failure is None and job.error_message(lang) == expected


def test_a_job_that_did_not_fail_has_no_error_message():
    runner = JobRunner()
    assert runner.wait(runner.submit(lambda: 1)).error_message("nb") is None


def test_only_the_newest_jobs_are_kept():
    runner = jobs.JobRunner(keep=3)
    ids = [runner.submit(lambda i=i: i) for i in range(6)]
    for job_id in ids:
        runner.wait(job_id)
    runner.submit(lambda: 0)
    assert len(runner.jobs()) <= 4
    assert runner.get(ids[0]) is None


@pytest.mark.parametrize("job_id", ["job-does-not-exist", "", None])
def test_an_unknown_id_gives_none(job_id):
    runner = JobRunner()
    assert runner.get(job_id) is None
    assert runner.wait(job_id or "job-x", timeout=0.1) is None


@pytest.mark.parametrize("reported,expected", [(-0.5, 0.0), (0.0, 0.0), (0.3, 0.3), (1.7, 1.0)])
def test_progress_is_clamped_to_a_fraction(reported, expected):
    runner = JobRunner()
    gate = threading.Event()

    def work(progress):
        progress(reported, "step")
        gate.wait(5)

    job_id = runner.submit(work)
    wait_for(lambda: runner.get(job_id).message == "step")
    assert runner.get(job_id).progress == pytest.approx(expected)
    gate.set()
    runner.wait(job_id)


def test_a_function_without_progress_gets_no_progress_argument():
    """Only a callable with a ``progress`` parameter receives the callback."""
    runner = JobRunner()
    job = runner.wait(runner.submit(lambda *args, **kwargs: (args, sorted(kwargs)), 1, b=2))
    assert job.result == ((1,), ["b"])


def test_a_progress_argument_given_by_the_caller_is_kept():
    runner = JobRunner()
    seen = []

    def work(progress):
        progress(0.5, "mine")
        return "ok"

    job = runner.wait(runner.submit(work, progress=lambda f, m: seen.append((f, m))))
    assert job.result == "ok" and seen == [(0.5, "mine")]
    assert job.message == ""  # the runner's own callback was not installed


def test_one_worker_keeps_the_second_job_queued_until_the_first_ends():
    runner = JobRunner(max_workers=1)
    gate = threading.Event()
    first = runner.submit(lambda: gate.wait(5))
    second = runner.submit(lambda: "second")
    wait_for(lambda: runner.get(first).state == RUNNING)
    queued = runner.get(second)
    assert queued.state == QUEUED and queued.elapsed == 0.0 and queued.remaining is None
    gate.set()
    assert runner.wait(second).result == "second"
    assert [j.id for j in runner.jobs()] == [first, second]


def test_a_queued_job_knows_its_place_in_line():
    """One worker, four jobs: the first runs, the others see 1, 2 and 3 ahead; one done moves them up."""
    runner = JobRunner(max_workers=1)
    gates = [threading.Event() for _ in range(4)]
    ids = [runner.submit(gate.wait, 5) for gate in gates]
    wait_for(lambda: runner.get(ids[0]).state == RUNNING)
    assert [runner.get(i).ahead for i in ids] == [0, 1, 2, 3]
    gates[0].set()
    wait_for(lambda: runner.get(ids[1]).state == RUNNING)
    assert [runner.get(i).ahead for i in ids[1:]] == [0, 1, 2]
    for gate in gates:
        gate.set()
    assert runner.wait(ids[-1]).state == DONE


def test_elapsed_is_fixed_once_the_job_has_finished():
    runner = JobRunner()
    job = runner.wait(runner.submit(lambda: None))
    assert job.state == DONE
    assert job.elapsed == job.finished - job.started
    assert job.started >= job.submitted and job.elapsed >= 0.0


@pytest.mark.parametrize(
    "job,remaining",
    [
        # 8 s for a quarter: 8 × (1 − 0.25) / 0.25 = 24 s to go
        (Job(id="a", state=RUNNING, progress=0.25, started=100.0, finished=108.0), 24.0),
        # 30 s for 60 %: 30 × 0.4 / 0.6 = 20 s to go
        (Job(id="b", state=RUNNING, progress=0.6, started=0.0, finished=30.0), 20.0),
        (Job(id="c", state=RUNNING, progress=0.02, started=0.0, finished=1.0), None),  # too early to say
        (Job(id="d", state=DONE, progress=1.0, started=0.0, finished=5.0), None),
        (Job(id="e", state=QUEUED), None),
    ],
    ids=["quarter", "sixty-percent", "too-early", "done", "queued"],
)
def test_remaining_time_from_progress_so_far(job, remaining):
    if remaining is None:
        assert job.remaining is None
    else:
        assert job.remaining == pytest.approx(remaining, abs=1e-9)


def test_the_shared_runner_behind_submit_and_get():
    job_id = jobs.submit(lambda a, b: a + b, 2, 3)
    assert jobs.RUNNER.wait(job_id).result == 5
    assert jobs.get(job_id).state == DONE
    assert jobs.get(None) is None
