"""Tasks, answers and suites.

A :class:`Task` is plain data (it is sent to worker processes, stored in
manifests and hashed into stable ids). A :class:`Suite` owns a family of tasks
and what they need at run time: the prompt text, the read-only data the
sandbox mounts, ``request_info`` lookups and the verifier.

Most suites grade the answer a run prints (``Suite.verify`` on stdout). Suites
whose grading must run code next to the agent's (hidden unit tests, assertions
after an analysis, predictions scored on hidden labels) also implement
:class:`HarnessSuite`: ``program`` wraps the agent's code into what actually
runs, with a per-run nonce the agent never sees, and ``grade`` reads the whole
:class:`~sandboxes.api.ExecResult`. :mod:`arollout.tasks.grading` is the one
place that decides which path a suite takes.

Suites whose tasks need a live environment per episode (a server the agent's
code talks to, a store its writes land in) also implement
:class:`EpisodeSuite`: ``open_episode`` yields an :class:`EpisodeEnv` that
adds mounts and environment variables to every run of that episode and grades
runs with access to the episode's state. It is optional; suites without it
behave exactly as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import msgspec

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from contextlib import AbstractAsyncContextManager

    from sandboxes.api import ExecResult, Mount

__all__ = (
    "Answer",
    "AnswerKind",
    "EpisodeEnv",
    "EpisodeSuite",
    "HarnessSuite",
    "Program",
    "Suite",
    "Task",
    "Verdict",
)

AnswerKind = Literal["number", "integer", "text", "set", "list", "bool", "date"]


class Answer(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Typed ground truth.

    Attributes:
        kind: how stdout is parsed and compared (see ``tasks.verify``).
        value: the expected value: a number, a string, a bool, or a list of
            scalars for ``set``/``list``.
        rel_tol: relative tolerance for ``number`` (``|p - g| <= rel_tol * |g|``).
        abs_tol: absolute tolerance for ``number`` (also accepted).
    """

    kind: AnswerKind
    value: Any
    rel_tol: float = 1e-6
    abs_tol: float = 0.0


class Task(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One task instance; ``id`` is stable across runs and machines."""

    id: str
    suite: str
    category: str
    split: str
    question: str
    answer: Answer
    reference_solution: str
    meta: dict[str, Any] = {}


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of grading one run.

    Attributes:
        correct: whether the task counts as solved (ends the episode).
        reason: why not, in words that may be shown to the model (never the
            gold value).
        parsed: the value read from the answer, for diagnostics.
        score: the reward in ``[0, 1]`` when it is not simply ``correct``
            (a prediction task's AUROC, the share of hidden tests passed);
            ``None`` means 1.0 when correct, else 0.0.
    """

    correct: bool
    reason: str = ""
    parsed: Any = None
    score: float | None = None

    @property
    def reward(self) -> float:
        if self.score is not None:
            return self.score
        return 1.0 if self.correct else 0.0


class Program(msgspec.Struct, frozen=True, kw_only=True):
    """What runs in the sandbox for one submission of a :class:`HarnessSuite`.

    Attributes:
        code: the Python source to run (the agent's code spliced into a harness).
        files: files placed in the run's workdir first (relative path -> bytes).
        collect: workdir files whose contents the grader needs back.
        env: extra environment variables of the run.
    """

    code: str
    files: dict[str, bytes] = {}
    collect: tuple[str, ...] = ()
    env: dict[str, str] = {}


class Suite(Protocol):
    """A family of tasks plus what they need at run time."""

    @property
    def name(self) -> str: ...

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        """Every task (of one split), in a stable order."""
        ...

    def mounts(self) -> tuple[Mount, ...]:
        """Read-only data the sandbox must see for this suite's tasks."""
        ...

    def instructions(self) -> str:
        """The system prompt: role, data description, actions and output format."""
        ...

    def request_info(self, task: Task, query: str) -> str:
        """Answer a data lookup (schema, columns, values) without running code."""
        ...

    def verify(self, task: Task, stdout: str) -> Verdict:
        """Compare the run's stdout (the answer channel) with the ground truth."""
        ...


@runtime_checkable
class HarnessSuite(Suite, Protocol):
    """A suite whose grading runs code of its own around the agent's.

    The nonce is fresh for every run and only the harness knows it, so output
    that merely looks like a passing harness (printed by the agent, or left
    behind by ``sys.exit(0)`` before the checks ran) cannot pass.
    """

    def program(self, task: Task, code: str, nonce: str) -> Program:
        """The program that runs the agent's ``code`` and then the checks."""
        ...

    def grade(self, task: Task, result: ExecResult, nonce: str) -> Verdict:
        """Grade a finished run of :meth:`program` (any status)."""
        ...


class EpisodeEnv(Protocol):
    """The live environment of one episode of an :class:`EpisodeSuite`.

    Every run of the episode gets :attr:`mounts` and :attr:`env` on top of the
    suite's own, and is graded by :meth:`grade`, which may read state the
    episode's runs changed (a server's store of posted orders). The runs of
    one episode share the environment; two episodes never do.
    """

    @property
    def mounts(self) -> tuple[Mount, ...]:
        """Extra read-only mounts of each run (e.g. a directory holding a socket)."""
        ...

    @property
    def env(self) -> Mapping[str, str]:
        """Extra environment variables of each run."""
        ...

    def grade(self, task: Task, result: ExecResult, nonce: str) -> Verdict:
        """Grade a finished run (any status) against the episode's state."""
        ...


@runtime_checkable
class EpisodeSuite(Suite, Protocol):
    """A suite whose episodes each need an environment of their own.

    The engine and ``tasks check`` open one episode per episode (per oracle
    or trivial check) through :func:`arollout.tasks.grading.open_episode`,
    which bounds and shields the cleanup.
    """

    def open_episode(self, task: Task) -> AbstractAsyncContextManager[EpisodeEnv]:
        """An async context manager that sets up ``task``'s environment and
        tears it down on exit (also on cancellation)."""
        ...
