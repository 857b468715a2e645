"""Self-check of a suite: the oracle must pass everything, trivial answers nothing.

``arollout tasks check`` is how a suite proves it is worth sampling from:

* every task's reference solution runs in a real sandbox, with the suite's
  mounts and through the same :mod:`~arollout.tasks.grading` path as an
  episode, and must be graded correct (``oracle_pass_rate`` 1.0);
* every data-free submission of :func:`~arollout.tasks.grading.trivial_submissions`
  (constants, nothing, an early exit, every answer of the category at once,
  a suite's own tricks) must be graded wrong (``trivial_pass_rate`` 0.0).

Trivial submissions whose output is known without running them are graded
directly for stdout-graded suites; harness suites run every one of them,
because there the harness, not the printed line, decides.

For an :class:`~arollout.tasks.base.EpisodeSuite` every check (each oracle
run, each trivial submission) gets a fresh episode environment of its own,
opened inside the concurrency limit, exactly as an episode of the engine would.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Final

import anyio
import msgspec

from arollout.errors import ConfigError, TaskError
from arollout.tasks import grading
from arollout.tasks.base import Verdict
from sandboxes.api import DEFAULT_LIMITS, ExecResult, ExecStatus

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from arollout.tasks.base import Suite, Task
    from sandboxes.api import Limits, Sandbox

__all__ = (
    "CheckFailure",
    "CheckReport",
    "check_suite",
    "check_trivial",
    "run_checks",
    "sample_tasks",
)

_MAX_LISTED: Final = 20


class CheckFailure(msgspec.Struct, frozen=True, kw_only=True):
    """One check that went the wrong way (an oracle that failed, a trivial answer that passed)."""

    task_id: str
    label: str
    status: str
    reason: str


class CheckReport(msgspec.Struct, frozen=True, kw_only=True):
    """What ``arollout tasks check --json`` prints."""

    suite: str
    checked: int
    oracle_passed: int
    oracle_pass_rate: float
    trivial_checked: int
    trivial_passed: int
    trivial_pass_rate: float
    elapsed_s: float
    failures: list[CheckFailure]
    trivial_passes: list[CheckFailure]

    @property
    def ok(self) -> bool:
        return self.oracle_passed == self.checked and self.trivial_passed == 0


def sample_tasks(tasks: Sequence[Task], n: int | None, seed: int = 0) -> list[Task]:
    """At most ``n`` tasks, spread evenly over categories (stable for a seed)."""
    if n is None or n >= len(tasks):
        return list(tasks)
    if n < 1:
        raise ConfigError(f"--sample must be >= 1, got {n}")
    by_category: dict[str, list[Task]] = {}
    for task in tasks:
        by_category.setdefault(task.category, []).append(task)
    rng = random.Random(seed)
    pools = [rng.sample(group, len(group)) for group in by_category.values()]
    picked: list[Task] = []
    while len(picked) < n:
        for pool in pools:
            if pool and len(picked) < n:
                picked.append(pool.pop())
    order = {task.id: i for i, task in enumerate(tasks)}
    return sorted(picked, key=lambda t: order[t.id])


def _failed_run(result: ExecResult) -> str:
    lines = result.stderr.strip().splitlines()
    return result.error or (lines[-1] if lines else "")


async def check_suite(
    suite: Suite,
    pool: Sandbox,
    tasks: Iterable[Task] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    concurrency: int = 8,
) -> list[tuple[Task, Verdict, ExecResult]]:
    """Run every task's reference solution in ``pool`` and grade it.

    A reference solution that does not pass gets a verdict whose reason names
    the run's status, so one broken task never hides the others. Results come
    back in the order of ``tasks``.

    Args:
        suite: the suite whose mounts, tasks and grader are used.
        pool: any sandbox backend (``sandboxes.SandboxPool`` or a test double).
        tasks: the tasks to check (default: every task of the suite).
        limits: per-run limits of the reference solutions.
        concurrency: how many runs are in flight at once.
    """
    if concurrency < 1:
        raise ConfigError(f"concurrency must be >= 1, got {concurrency}")
    todo = list(suite.tasks() if tasks is None else tasks)
    mounts = suite.mounts()
    harness = grading.is_harness(suite)
    episodic = grading.is_episodic(suite)
    results: list[tuple[Task, Verdict, ExecResult] | None] = [None] * len(todo)
    limiter = anyio.CapacityLimiter(concurrency)

    async def one(i: int, task: Task) -> None:
        nonce = grading.new_nonce()
        async with limiter, grading.open_episode(suite, task, episodic=episodic) as env:
            request = grading.exec_request(
                suite,
                task,
                task.reference_solution,
                mounts=mounts,
                limits=limits,
                nonce=nonce,
                harness=harness,
                episode=env,
            )
            run = await pool.exec(request)
            verdict = grading.grade(suite, task, run, nonce, harness=harness, episode=env)
        if not verdict.correct and run.status is not ExecStatus.OK:
            verdict = Verdict(
                correct=False,
                reason=f"reference solution ended with {run.status.value}: {_failed_run(run)}",
            )
        results[i] = (task, verdict, run)

    async with anyio.create_task_group() as tg:
        for i, task in enumerate(todo):
            tg.start_soon(one, i, task)
    done = [r for r in results if r is not None]
    if len(done) != len(todo):  # pragma: no cover - the task group re-raises first
        raise TaskError("check_suite lost results")
    return done


async def check_trivial(
    suite: Suite,
    pool: Sandbox,
    tasks: Sequence[Task],
    *,
    candidates_from: Sequence[Task] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    concurrency: int = 8,
) -> list[tuple[Task, str, Verdict]]:
    """Grade every trivial submission of every task; each ``(task, label, verdict)``.

    Args:
        suite: the suite.
        pool: the sandbox runs go to (harness suites, unknown outputs).
        tasks: the tasks to check.
        candidates_from: the tasks whose answers make up "every candidate of
            the category" (default: ``tasks``; pass the whole suite when
            ``tasks`` is a sample).
        limits: per-run limits.
        concurrency: runs in flight at once.
    """
    harness = grading.is_harness(suite)
    episodic = grading.is_episodic(suite)
    candidates = grading.category_candidates(
        candidates_from if candidates_from is not None else tasks
    )
    mounts = suite.mounts()
    out: list[tuple[Task, str, Verdict]] = []
    runs: list[tuple[Task, grading.Trivial]] = []
    for task in tasks:
        for trivial in grading.trivial_submissions(suite, task, candidates.get(task.category, ())):
            if not harness and not episodic and trivial.stdout is not None:
                result = ExecResult(status=ExecStatus.OK, returncode=0, stdout=trivial.stdout)
                out.append(
                    (task, trivial.label, grading.grade(suite, task, result, "", harness=False))
                )
            else:
                runs.append((task, trivial))
    limiter = anyio.CapacityLimiter(concurrency)

    async def one(task: Task, trivial: grading.Trivial) -> None:
        nonce = grading.new_nonce()
        async with limiter, grading.open_episode(suite, task, episodic=episodic) as env:
            if not harness and trivial.stdout is not None:  # known output: no run needed
                run = ExecResult(status=ExecStatus.OK, returncode=0, stdout=trivial.stdout)
            else:
                request = grading.exec_request(
                    suite,
                    task,
                    trivial.code,
                    mounts=mounts,
                    limits=limits,
                    nonce=nonce,
                    harness=harness,
                    episode=env,
                )
                run = await pool.exec(request)
            verdict = grading.grade(suite, task, run, nonce, harness=harness, episode=env)
        out.append((task, trivial.label, verdict))

    async with anyio.create_task_group() as tg:
        for task, trivial in runs:
            tg.start_soon(one, task, trivial)
    return out


async def run_checks(
    suite: Suite,
    pool: Sandbox,
    tasks: Sequence[Task] | None = None,
    *,
    sample: int | None = None,
    trivial: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    concurrency: int = 8,
) -> CheckReport:
    """Oracle and trivial checks of ``suite`` (or of a category-stratified sample)."""
    t0 = time.perf_counter()
    everything = list(suite.tasks() if tasks is None else tasks)
    todo = sample_tasks(everything, sample)
    oracle = await check_suite(suite, pool, todo, limits=limits, concurrency=concurrency)
    failures = [
        CheckFailure(
            task_id=t.id, label="reference solution", status=r.status.value, reason=v.reason
        )
        for t, v, r in oracle
        if not v.correct
    ]
    passes: list[CheckFailure] = []
    trivial_checked = 0
    if trivial:
        graded = await check_trivial(
            suite, pool, todo, candidates_from=everything, limits=limits, concurrency=concurrency
        )
        trivial_checked = len(graded)
        passes = [
            CheckFailure(
                task_id=t.id, label=label, status="passed", reason="a trivial answer was accepted"
            )
            for t, label, v in graded
            if v.correct
        ]
    passed = len(oracle) - len(failures)
    return CheckReport(
        suite=suite.name,
        checked=len(oracle),
        oracle_passed=passed,
        oracle_pass_rate=passed / len(oracle) if oracle else 0.0,
        trivial_checked=trivial_checked,
        trivial_passed=len(passes),
        trivial_pass_rate=len(passes) / trivial_checked if trivial_checked else 0.0,
        elapsed_s=round(time.perf_counter() - t0, 3),
        failures=failures[:_MAX_LISTED],
        trivial_passes=passes[:_MAX_LISTED],
    )
