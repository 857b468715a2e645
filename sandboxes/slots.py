"""The idle-slot queue both pools dispatch runs through.

The stream of idle slots is the queue and the semaphore at once: at most
``slots`` runs are in flight, and callers wait for a slot in FIFO order.
A slot is out of the queue while it runs and while its runner is being
replaced, so a caller never gets a runner that is not ready.
"""

from __future__ import annotations

import contextlib
import time
from typing import Generic, TypeVar, final

import anyio

__all__ = ("SlotQueue",)

SlotT = TypeVar("SlotT")


@final
class SlotQueue(Generic[SlotT]):
    """Idle slots, FIFO."""

    def __init__(self, size: int) -> None:
        self._send, self._recv = anyio.create_memory_object_stream[SlotT](size)

    def put(self, slot: SlotT) -> None:
        """Hand a ready slot back (a no-op once the pool is closing)."""
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            self._send.send_nowait(slot)

    async def get(self) -> tuple[SlotT, float]:
        """The next idle slot, and how long the caller waited for it (seconds)."""
        t0 = time.monotonic()
        slot = await self._recv.receive()
        return slot, time.monotonic() - t0
