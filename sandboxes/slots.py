"""The idle-slot queue both pools dispatch runs through.

The stream of idle slots is the queue and the semaphore at once: at most
``slots`` runs are in flight, and callers wait for a slot in FIFO order.
A slot is out of the queue while it runs and while its runner is being
replaced, so a caller never gets a runner that is not ready.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, ClassVar, Generic, Self, TypeVar, final

import anyio
import anyio.abc

from .errors import SandboxError

if TYPE_CHECKING:
    from .pool import ProtectionReport

__all__ = ("SlotPool", "SlotQueue")

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


def _only_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first SandboxError of a group of only those (slots failing to boot), else the group.

    Every slot boots at once, so one broken setting fails them all; the caller
    should see that one clear error, not a tree of identical ones.
    """
    errors, rest = group.split(SandboxError)
    if errors is None or rest is not None:
        return group
    first: BaseException = errors
    while isinstance(first, BaseExceptionGroup):
        first = first.exceptions[0]
    return first


class SlotPool(Generic[SlotT]):
    """What both pools share: entered once, every slot booted at once, strict refusal.

    Subclasses provide ``_boot`` (start one slot's runner), ``protections``
    and ``aclose``, and may do work before the slots boot in ``_prepare``.
    """

    _slots: list[SlotT]
    _idle: SlotQueue[SlotT]
    _tg: anyio.abc.TaskGroup | None
    _closed: bool
    _strict: bool
    #: What to change when ``strict=True`` refuses a degraded pool.
    _strict_hint: ClassVar[str] = "or pass strict=False"

    async def __aenter__(self) -> Self:
        if self._tg is not None or self._closed:
            raise SandboxError(f"a {type(self).__name__} can be entered only once")
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        try:
            await self._prepare()
            try:
                async with anyio.create_task_group() as tg:
                    for slot in self._slots:
                        tg.start_soon(self._boot, slot)
            except BaseExceptionGroup as group:
                raise _only_error(group) from None
            off = self.protections().inactive
            if self._strict and off:
                raise SandboxError(
                    f"strict=True but these protections are off: {', '.join(off)}"
                    f" ({self._strict_hint})"
                )
            for slot in self._slots:
                self._idle.put(slot)
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _prepare(self) -> None:
        """Work before the slots boot (the Docker pool checks its daemon and image)."""

    async def _boot(self, slot: SlotT) -> None:
        raise NotImplementedError

    def protections(self) -> ProtectionReport:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError
