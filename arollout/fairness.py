"""A per-iteration budget for CPU-bound sections on the event loop.

asyncio runs every callback that is ready at the start of a loop iteration
before it polls for I/O or fires a timer again. When thousands of episodes
become ready at once (a burst of server replies), one iteration runs all of
their CPU-bound steps back to back and everything else on the loop waits:
timers, heartbeats, the store's handoff, the HTTP deadlines. That wait is the
event-loop lag the metrics report.

:class:`IterationGate` lets at most ``width`` sections start per loop
iteration; later arrivals park on a future and are released ``width`` at a
time on following iterations. The total work is unchanged, it is only spread
so that no iteration grows past about ``width`` sections. The fast path (a
free slot) costs a counter increment and does not yield.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import TYPE_CHECKING, Final, final

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ("DEFAULT_WIDTH", "IterationGate")

#: Sections per iteration. At ~100 us per section this bounds an iteration's
#: gated work to a few milliseconds.
DEFAULT_WIDTH: Final = 32


@final
class IterationGate:
    """``async with gate:`` around a CPU-bound section without awaits."""

    __slots__ = ("_loop", "_reset_pending", "_used", "_waiters", "width")

    def __init__(self, width: int = DEFAULT_WIDTH) -> None:
        if width < 1:
            raise ValueError(f"width must be >= 1, got {width}")
        self.width = width
        self._used = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._reset_pending = False
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> None:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        if not self._reset_pending:
            self._reset_pending = True
            loop.call_soon(self._next_iteration)
        if self._used < self.width and not self._waiters:
            self._used += 1
            return
        waiter = loop.create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.cancelled():
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            else:
                # Granted a slot, then cancelled before using it: pass it on.
                self._release_one()
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def _next_iteration(self) -> None:
        """Runs once per iteration in which the gate was used: refill the budget."""
        self._used = 0
        self._reset_pending = False
        while self._waiters and self._used < self.width:
            self._release_one()
        if self._waiters and self._loop is not None:
            self._reset_pending = True
            self._loop.call_soon(self._next_iteration)

    def _release_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._used += 1
                waiter.set_result(None)
                return
