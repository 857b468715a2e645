"""How one submission of code becomes a sandbox run and a verdict.

Two kinds of suites exist (see :mod:`arollout.tasks.base`): those that grade
the answer a run prints, and :class:`~arollout.tasks.base.HarnessSuite`\\ s that
wrap the agent's code into a harness of their own. The episode loop, the
suite self-check and the benchmarks all go through :func:`exec_request` and
:func:`grade`, so the two kinds are handled in exactly one place.

It also defines what a *trivial* submission is. A suite is only worth
training on if no answer that ignores the data passes: the constants every
lazy grader accepts ("0", "1", any digit, "True False yes no"), nothing at
all, an exit before the checks run, and every answer of the task's category
printed at once. :func:`guessable` lets suites drop instances whose gold
value one of those constants would hit, and :func:`trivial_submissions` lists
what ``arollout tasks check`` runs to prove the rate is zero.

An :class:`~arollout.tasks.base.EpisodeSuite` needs a live environment per
episode; :func:`open_episode` opens it (or yields ``None`` for other suites)
and closes it shielded from cancellation, within a bound, so a cancelled or
timed-out episode never leaks a server, a socket or a directory. Passing the
environment to :func:`exec_request` and :func:`grade` adds its mounts and
variables to the run and lets it grade with the episode's state.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import anyio
import msgspec

from arollout.tasks import verify
from arollout.tasks.base import Answer, EpisodeSuite, HarnessSuite, Verdict
from sandboxes.api import ExecRequest, ExecResult, ExecStatus

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Sequence

    from arollout.tasks.base import EpisodeEnv, Suite, Task
    from sandboxes.api import Limits, Mount

__all__ = (
    "EPISODE_CLOSE_TIMEOUT_S",
    "TRIVIAL_OUTPUTS",
    "Trivial",
    "category_candidates",
    "exec_request",
    "grade",
    "guessable",
    "is_episodic",
    "is_harness",
    "new_nonce",
    "open_episode",
    "trivial_submissions",
    "visible_result",
)

TRIVIAL_OUTPUTS: Final[tuple[str, ...]] = (
    "0",
    "1",
    *(str(d) for d in range(2, 10)),
    "True False yes no",
    "true",
    "false",
    "None",
    "[]",
)
"""Answer lines that ignore the data; no instance of any suite may accept one
(``true``/``false`` alone are excluded from this rule for ``bool`` answers,
where a coin flip is the floor: see :func:`guessable`)."""


class Trivial(NamedTuple):
    """One data-free submission.

    ``stdout`` is what the code prints when run as it is, so a stdout-graded
    suite can be checked without a sandbox run; ``None`` when only a run tells.
    """

    label: str
    code: str
    stdout: str | None = None


EPISODE_CLOSE_TIMEOUT_S: Final = 10.0
"""How long an episode environment may take to close before its cleanup is cut short."""

_EXITS: Final = (
    Trivial("empty program", "pass", ""),
    Trivial("sys.exit(0)", "import sys\nsys.exit(0)", ""),
    Trivial("os._exit(0)", "import os\nos._exit(0)", ""),
)


def new_nonce() -> str:
    """A fresh per-run secret (128 bits, hex)."""
    return secrets.token_hex(16)


def is_harness(suite: Suite) -> bool:
    """Whether ``suite`` wraps submissions in a harness (checked once per engine)."""
    return isinstance(suite, HarnessSuite)


def is_episodic(suite: Suite) -> bool:
    """Whether ``suite`` opens an environment per episode (checked once per engine)."""
    return isinstance(suite, EpisodeSuite)


@contextlib.asynccontextmanager
async def open_episode(
    suite: Suite,
    task: Task,
    *,
    episodic: bool | None = None,
    close_timeout_s: float = EPISODE_CLOSE_TIMEOUT_S,
) -> AsyncIterator[EpisodeEnv | None]:
    """The environment of one episode of ``task``, or ``None`` for suites without one.

    The suite's cleanup runs shielded and bounded by ``close_timeout_s``: an
    episode cancelled by a shut-down or its own timeout still closes what it
    opened, and a cleanup that hangs cannot hold the caller forever. Whatever
    ended the episode (an error, a timeout, a cancellation) is raised again
    after the cleanup, even when the cleanup was cut short.
    """
    if not (episodic if episodic is not None else is_episodic(suite)):
        yield None
        return
    manager = suite.open_episode(task)  # type: ignore[attr-defined]
    # The scope is entered *before* the suite's manager, so that manager may keep
    # a cancel scope (a task group) open from enter to exit. It is shielded and
    # given a deadline only for the cleanup, and unshielded again before it
    # closes, so a cancellation from outside is never taken for its own.
    scope = anyio.CancelScope()
    failure: BaseException | None = None
    with scope:
        try:
            async with manager as env:
                try:
                    yield env
                except BaseException as exc:
                    failure = exc
                    raise
                finally:
                    scope.shield = True
                    scope.deadline = anyio.current_time() + close_timeout_s
        finally:
            scope.shield = False
    if failure is not None:  # the cleanup ran out of time and its cancellation was swallowed
        raise failure


def exec_request(
    suite: Suite,
    task: Task,
    code: str,
    *,
    mounts: tuple[Mount, ...],
    limits: Limits,
    nonce: str,
    harness: bool | None = None,
    episode: EpisodeEnv | None = None,
) -> ExecRequest:
    """The sandbox request that runs ``code`` as a submission for ``task``
    (with ``episode``'s mounts and variables added when it has one)."""
    extra_env: dict[str, str] = {}
    if episode is not None:
        mounts = (*mounts, *episode.mounts)
        extra_env = dict(episode.env)
    if harness if harness is not None else is_harness(suite):
        program = suite.program(task, code, nonce)  # type: ignore[attr-defined]
        return ExecRequest(
            code=program.code,
            files=program.files,
            collect=program.collect,
            env={**program.env, **extra_env},
            mounts=mounts,
            limits=limits,
            nonce=nonce,
        )
    return ExecRequest(code=code, mounts=mounts, limits=limits, nonce=nonce, env=extra_env)


def grade(
    suite: Suite,
    task: Task,
    result: ExecResult,
    nonce: str,
    *,
    harness: bool | None = None,
    episode: EpisodeEnv | None = None,
) -> Verdict:
    """Grade a finished run of :func:`exec_request`.

    Stdout-graded suites only see runs that ended ``ok``; a harness suite
    grades every run itself (a timeout inside hidden tests is a failed test,
    not a crash of the grader), and so does an episode environment (a run
    that crashed after its writes still changed the episode's state).
    """
    if episode is not None:
        return episode.grade(task, result, nonce)
    if harness if harness is not None else is_harness(suite):
        verdict: Verdict = suite.grade(task, result, nonce)  # type: ignore[attr-defined]
        return verdict
    if result.status is not ExecStatus.OK:
        return Verdict(correct=False, reason=f"the run ended with {result.status.value}")
    return suite.verify(task, result.stdout)


def visible_result(result: ExecResult, nonce: str) -> ExecResult:
    """``result`` as the agent may see it: every output line that carries the
    run's nonce (the harness's own report) removed."""
    if not nonce or (nonce not in result.stdout and nonce not in result.stderr):
        return result

    def scrub(text: str) -> str:
        return "".join(line for line in text.splitlines(keepends=True) if nonce not in line)

    return msgspec.structs.replace(result, stdout=scrub(result.stdout), stderr=scrub(result.stderr))


def guessable(answer: Answer, extra: Iterable[str] = ()) -> bool:
    """Whether a data-free answer line would pass ``answer``.

    ``true`` and ``false`` are not held against ``bool`` answers (one of them
    is right by construction; suites balance their true/false instances).
    """
    lines: Iterable[str] = TRIVIAL_OUTPUTS
    if answer.kind == "bool":
        lines = (line for line in TRIVIAL_OUTPUTS if line not in ("true", "false"))
    return any(verify.check(answer, line).correct for line in (*lines, *extra))


def _printing(label: str, line: str) -> Trivial:
    return Trivial(label, f"print({line!r})", line + "\n")


def _answer_text(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [verify.gold_text(v) for v in value]
    return [verify.gold_text(value)]


def category_candidates(tasks: Sequence[Task]) -> dict[str, list[str]]:
    """Every distinct gold answer element of each category, in first-seen order."""
    out: dict[str, dict[str, None]] = {}
    for task in tasks:
        seen = out.setdefault(task.category, {})
        for item in _answer_text(task.answer.value):
            seen.setdefault(item, None)
    return {category: list(items) for category, items in out.items()}


def trivial_submissions(suite: Suite, task: Task, candidates: Sequence[str] = ()) -> list[Trivial]:
    """Data-free submissions for ``task``.

    Args:
        suite: the task's suite; a suite may add its own tricks with a
            ``trivial_codes(task) -> Sequence[Trivial]`` method (e.g. printing
            a harness's expected output).
        task: the task.
        candidates: every answer of the task's category (see
            :func:`category_candidates`); they are printed all at once, as a
            JSON list and comma-separated.
    """
    lines = TRIVIAL_OUTPUTS
    if task.answer.kind == "bool":
        lines = tuple(line for line in lines if line not in ("true", "false"))
    subs = [_printing(f"print {line!r}", line) for line in lines]
    subs.extend(_EXITS)
    if len(candidates) > 1:
        subs.append(_printing("every candidate (JSON)", json.dumps(list(candidates))))
        subs.append(_printing("every candidate (comma-separated)", ", ".join(candidates)))
    extra = getattr(suite, "trivial_codes", None)
    if extra is not None:
        subs.extend(extra(task))
    return subs
