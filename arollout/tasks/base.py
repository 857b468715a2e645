"""Tasks, answers and suites.

A :class:`Task` is plain data (it is sent to worker processes, stored in
manifests and hashed into stable ids). A :class:`Suite` owns a family of tasks
and what they need at run time: the prompt text, the read-only data the
sandbox mounts, ``request_info`` lookups and the verifier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol

import msgspec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sandboxes.api import Mount

__all__ = ("Answer", "AnswerKind", "Suite", "Task", "Verdict")

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
    correct: bool
    reason: str = ""
    parsed: Any = None


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
