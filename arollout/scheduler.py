"""Admission bookkeeping: which (task, sample) runs next, and which groups are done.

Pure decisions, no I/O (the shape of httpcore's connection pool and h11's state
machine): the engine's driver calls these sync methods and does the awaiting
itself, so every invariant can be checked by a stateful property test without
an event loop:

* never more than ``concurrency`` episodes in flight;
* every (task, sample) is admitted at most once, and exactly once overall
  unless it was already finished before the run (resume);
* a group is released when all its samples have finished, and only then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar, final

from arollout.errors import EngineStateError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ("Admission", "Scheduler")

T = TypeVar("T")


@final
class Admission(Generic[T]):
    """One episode to start: the task, its sample index and its group."""

    __slots__ = ("group_index", "sample_index", "task")

    def __init__(self, task: T, group_index: int, sample_index: int) -> None:
        self.task = task
        self.group_index = group_index
        self.sample_index = sample_index


@final
class Scheduler(Generic[T]):
    """Admits samples group by group so that groups complete early.

    Samples of one task are admitted consecutively: a GRPO group's samples run
    side by side and the group can be handed to a trainer as soon as possible,
    instead of all groups finishing together at the end of the run.

    Args:
        tasks: the tasks, in admission order.
        n: samples per task.
        concurrency: the in-flight bound.
        done: (group index, sample index) pairs already finished (resume); they
            are never admitted again but still count towards their group.
    """

    def __init__(
        self,
        tasks: Sequence[T],
        n: int,
        concurrency: int,
        done: Iterable[tuple[int, int]] = (),
    ) -> None:
        if n < 1 or concurrency < 1:
            raise ValueError("n and concurrency must be >= 1")
        self._tasks = tasks
        self._n = n
        self.concurrency = concurrency
        self._done_before = set(done)
        self._remaining = [n] * len(tasks)  # samples of each group not yet finished
        for group, _sample in self._done_before:
            self._remaining[group] -= 1
        self._cursor = 0  # next (group * n + sample) position to consider
        self.in_flight = 0
        self.admitted = 0
        self.finished = 0

    @property
    def total(self) -> int:
        """Episodes this run will execute (resumed ones excluded)."""
        return len(self._tasks) * self._n - len(self._done_before)

    @property
    def exhausted(self) -> bool:
        """Nothing left to admit."""
        return self._cursor >= len(self._tasks) * self._n

    @property
    def idle(self) -> bool:
        """Nothing left to admit and nothing in flight: the run is over."""
        return self.exhausted and self.in_flight == 0

    def admit(self) -> list[Admission[T]]:
        """Admissions that fit under the bound right now (possibly none)."""
        out: list[Admission[T]] = []
        limit = len(self._tasks) * self._n
        while self.in_flight < self.concurrency and self._cursor < limit:
            group, sample = divmod(self._cursor, self._n)
            self._cursor += 1
            if (group, sample) in self._done_before:
                continue
            self.in_flight += 1
            self.admitted += 1
            out.append(Admission(self._tasks[group], group, sample))
        return out

    def complete(self, admission: Admission[T]) -> bool:
        """Record a finished episode; True when its group just became complete."""
        if self.in_flight <= 0:
            raise EngineStateError("complete() called with nothing in flight")
        self.in_flight -= 1
        self.finished += 1
        self._remaining[admission.group_index] -= 1
        return self._remaining[admission.group_index] == 0

    def release(self, admission: Admission[T]) -> None:
        """Forget an admission that will not finish (cancelled): not counted as done."""
        self.in_flight -= 1

    def group_complete_before_run(self) -> list[int]:
        """Groups whose samples were all finished before this run (resume)."""
        return [i for i, left in enumerate(self._remaining) if left == 0]
