"""Suites by name, and a self-check that runs every reference solution.

``get_suite("ehr-demo", seed=1)`` is how configs, the CLI and library users
obtain a suite; unknown names and options raise :class:`ConfigError` naming
what is accepted. :func:`check_suite` proves a suite is gradable end to end:
each task's reference solution runs in a real sandbox with the suite's mounts,
and the verifier must accept its stdout.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final

import anyio

from arollout.errors import ConfigError, TaskError
from arollout.tasks.base import Suite, Task, Verdict
from arollout.tasks.demo import EhrDemoSuite
from sandboxes.api import DEFAULT_LIMITS, ExecRequest, ExecResult, Limits, Sandbox

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = ("check_suite", "get_suite", "list_suites")


def _int_option(name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"option {name!r} must be an integer >= {minimum}, got {value!r}")
    return value


def _ehr_demo(options: Mapping[str, Any]) -> Suite:
    cache_dir = options.get("cache_dir")
    if cache_dir is not None and not isinstance(cache_dir, str | os.PathLike):
        raise ConfigError(f"option 'cache_dir' must be a path, got {cache_dir!r}")
    data_root = options.get("data_root", "/data/ehr-demo")
    if not isinstance(data_root, str) or not data_root.startswith("/"):
        raise ConfigError(f"option 'data_root' must be an absolute path, got {data_root!r}")
    return EhrDemoSuite(
        seed=_int_option("seed", options.get("seed", 0), minimum=0),
        patients=_int_option("patients", options.get("patients", 200), minimum=10),
        per_category=_int_option("per_category", options.get("per_category", 40), minimum=1),
        cache_dir=cache_dir,
        data_root=data_root,
    )


_SUITES: Final[dict[str, tuple[Callable[[Mapping[str, Any]], Suite], frozenset[str]]]] = {
    "ehr-demo": (
        _ehr_demo,
        frozenset({"seed", "patients", "per_category", "cache_dir", "data_root"}),
    ),
}


def list_suites() -> tuple[str, ...]:
    """Names accepted by :func:`get_suite`, sorted."""
    return tuple(sorted(_SUITES))


def get_suite(name: str, **options: Any) -> Suite:
    """Build the suite registered as ``name``.

    Args:
        name: a name from :func:`list_suites`.
        **options: suite options (for ``ehr-demo``: ``seed``, ``patients``,
            ``per_category``, ``cache_dir``, ``data_root``).

    Raises:
        ConfigError: unknown suite or option, or an option of the wrong type.
    """
    entry = _SUITES.get(name)
    if entry is None:
        raise ConfigError(f"unknown task suite {name!r}; known suites: {', '.join(list_suites())}")
    factory, accepted = entry
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ConfigError(
            f"suite {name!r} has no option {', '.join(map(repr, unknown))}; accepted: {', '.join(sorted(accepted))}"
        )
    return factory(options)


async def check_suite(
    suite: Suite,
    pool: Sandbox,
    tasks: Iterable[Task] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    concurrency: int = 8,
) -> list[tuple[Task, Verdict, ExecResult]]:
    """Run every task's reference solution in ``pool`` and verify its stdout.

    A reference solution that does not end with status ``ok`` gets a failing
    verdict whose reason names the status, so one broken task never hides the
    others. Results come back in the order of ``tasks``.

    Args:
        suite: the suite whose mounts, tasks and verifier are used.
        pool: any sandbox backend (``sandboxes.SandboxPool`` or a test double).
        tasks: the tasks to check (default: every task of the suite).
        limits: per-run limits of the reference solutions.
        concurrency: how many runs are in flight at once.
    """
    if concurrency < 1:
        raise ConfigError(f"concurrency must be >= 1, got {concurrency}")
    todo = list(suite.tasks() if tasks is None else tasks)
    mounts = suite.mounts()
    results: list[tuple[Task, Verdict, ExecResult] | None] = [None] * len(todo)
    limiter = anyio.CapacityLimiter(concurrency)

    async def one(i: int, task: Task) -> None:
        async with limiter:
            run = await pool.exec(
                ExecRequest(code=task.reference_solution, mounts=mounts, limits=limits)
            )
        if run.ok:
            verdict = suite.verify(task, run.stdout)
        else:
            lines = run.stderr.strip().splitlines()
            detail = run.error or (lines[-1] if lines else "")
            verdict = Verdict(
                correct=False, reason=f"reference solution ended with {run.status.value}: {detail}"
            )
        results[i] = (task, verdict, run)

    async with anyio.create_task_group() as tg:
        for i, task in enumerate(todo):
            tg.start_soon(one, i, task)
    done = [r for r in results if r is not None]
    if len(done) != len(todo):  # pragma: no cover - the task group re-raises first
        raise TaskError("check_suite lost results")
    return done
