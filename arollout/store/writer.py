"""The trajectory writer: sharded, checksummed, append-only, never blocks the loop.

The event loop only encodes a record, frames it (``reader.FRAME``: length and
CRC-32) and copies it into a reusable 1 MiB chunk (:meth:`TrajectoryWriter.put_nowait`,
about 8 us per turn record; ``_sink`` says why chunks, not one ``bytes`` per record).
One flusher task hands the filled chunks to one worker thread, which writes
them with one ``writev(2)`` per shard (no GIL held, so the loop keeps
running), rotates shards by size and refreshes ``manifest.json``. While the
thread writes batch *n* the loop fills batch *n + 1*. Only when
``max_buffer_bytes`` of records wait in memory does :meth:`TrajectoryWriter.put`
wait, and that wait is counted as a stall.

Encoding and the checksum happen on the loop by default: both hold the GIL
(msgspec always; ``binascii.crc32`` by choice), so moving them to the thread
saves the loop no CPU and makes it wait for the GIL (up to
``sys.getswitchinterval()``) instead. The thread then only calls ``writev``,
which drops the GIL once per batch. ``bench/store.py`` measures both
placements (``encode_in_thread``).

Resume: opening a writer on an existing run directory scans it
(:func:`reader.scan_run`), truncates torn tails, and appends to a *new* shard;
old shards are never rewritten. Keys already stored are refused by
:meth:`~TrajectoryWriter.put_nowait` (it returns ``False``), so each
``(task_id, sample_index)`` is stored once.
"""

from __future__ import annotations

import enum
import math
import os
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self, final

import anyio
import anyio.lowlevel
import msgspec

from ..errors import ConfigError, EngineStateError, StoreError
from ..records import Trajectory, encode_trajectory
from ._sink import Chunk, ChunkPool, Manifest, ShardSink, open_run
from .reader import FRAME

if TYPE_CHECKING:
    from types import TracebackType

    from .reader import Key, RunState

__all__ = (
    "DEFAULT_MAX_BUFFER_BYTES",
    "DEFAULT_SHARD_MAX_BYTES",
    "FsyncPolicy",
    "TrajectoryWriter",
    "WriterStatistics",
    "open_writer",
)

FsyncPolicy = Literal["never", "close", "batch"]
DEFAULT_SHARD_MAX_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_BUFFER_BYTES = 64 * 1024 * 1024
_LINGER_S = 0.002


class WriterStatistics(msgspec.Struct, frozen=True, kw_only=True):
    """Point-in-time counters of a writer session.

    Attributes:
        records_written: records handed to the kernel this session.
        bytes_written: shard bytes written this session (headers included).
        records_pending: records accepted but not yet written.
        pending_bytes: their (encoded or estimated) size, bounded by
            ``max_buffer_bytes``.
        shards: shards opened this session.
        duplicates: ``put`` calls refused because the key was already stored.
        batches: batches written by the worker thread.
        stalls: ``put`` calls that had to wait for buffer space.
        stall_s_total: total time ``put`` spent waiting.
        stall_s_max: the longest single wait.
        write_s_total: time the worker thread spent framing and writing.
    """

    records_written: int
    bytes_written: int
    records_pending: int
    pending_bytes: int
    shards: int
    duplicates: int
    batches: int
    stalls: int
    stall_s_total: float
    stall_s_max: float
    write_s_total: float


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSING = "closing"
    CLOSED = "closed"


def _estimate_size(trajectory: Trajectory) -> int:
    """Rough msgpack size, used to bound the buffer when encoding in the thread."""
    size = 512 + sum(len(m.content) for m in trajectory.messages)
    for turn in trajectory.turns:
        size += 256 + 4 * len(turn.prompt_ids) + 4 * len(turn.output_ids)
        size += 8 * len(turn.output_logprobs) + len(turn.text)
    return size


def _check_invariants(trajectory: Trajectory) -> None:
    for turn in trajectory.turns:
        n = len(turn.output_logprobs)
        if n and n != len(turn.output_ids):
            raise StoreError(
                f"refusing to store {trajectory.key}: turn {turn.index} has {n} logprobs "
                f"for {len(turn.output_ids)} output ids (the engine must keep them aligned)"
            )


@final
class TrajectoryWriter:
    """Append trajectories of one run to a run directory; an async context manager.

    Args:
        run_dir: the run directory (created when missing; resumed when it has shards).
        run_id: the run's id; a directory made by another run is refused.
        meta: free-form provenance for the manifest (config, server info,
            suite hashes); merged over the meta of earlier sessions.
        shard_max_bytes: a new shard starts before one would pass this size.
        max_buffer_bytes: records waiting in memory before ``put`` waits.
        fsync: ``"close"`` syncs each shard when it is finished and at close;
            ``"batch"`` also after every batch; ``"never"`` leaves it to the OS.
        encode_in_thread: encode in the worker thread instead of on the loop.
    """

    def __init__(
        self,
        run_dir: str | os.PathLike[str],
        *,
        run_id: str,
        meta: dict[str, Any] | None = None,
        shard_max_bytes: int = DEFAULT_SHARD_MAX_BYTES,
        max_buffer_bytes: int = DEFAULT_MAX_BUFFER_BYTES,
        fsync: FsyncPolicy = "close",
        encode_in_thread: bool = False,
    ) -> None:
        if not run_id:
            raise ConfigError("run_id must be a non-empty string")
        if shard_max_bytes < 4096:
            raise ConfigError(f"shard_max_bytes must be at least 4096, got {shard_max_bytes}")
        if max_buffer_bytes < 1:
            raise ConfigError(f"max_buffer_bytes must be positive, got {max_buffer_bytes}")
        if fsync not in ("never", "close", "batch"):
            raise ConfigError(f"fsync must be 'never', 'close' or 'batch', got {fsync!r}")
        self.run_dir = Path(run_dir)
        self.run_id = run_id
        self._meta = dict(meta or {})
        self._shard_max_bytes = shard_max_bytes
        self._max_buffer_bytes = max_buffer_bytes
        self._fsync: FsyncPolicy = fsync
        self._encode_in_thread = encode_in_thread
        self._state = _State.UNOPENED
        self._limiter = anyio.CapacityLimiter(1)
        self._stack = AsyncExitStack()
        self._keys: set[Key] = set()
        # Filled chunks (or, encoding in the thread, trajectories) in write order;
        # ``_chunk`` is the last of them while it still has room.
        self._pending: list[Chunk | Trajectory] = []
        self._chunk: Chunk | None = None
        self._chunks = ChunkPool()  # 16 idle 1 MiB chunks at most
        self._pending_records = 0
        self._pending_cost = 0  # bytes of the records in ``_pending``
        self._pending_bytes = 0  # the same, plus the batch being written
        self._wake = anyio.Event()
        self._space = anyio.Event()
        self._flusher_done = anyio.Event()
        self._closed = anyio.Event()
        self._error: StoreError | None = None
        self._sink: ShardSink | None = None
        self._manifest: Manifest | None = None
        self._lock_fd = -1
        self._resume_state: RunState | None = None
        self._duplicates = 0
        self._stalls = 0
        self._stall_total = 0.0
        self._stall_max = 0.0

    # -- lifecycle -----------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._state is not _State.UNOPENED:
            raise EngineStateError(
                f"a TrajectoryWriter cannot be reopened (it is {self._state.value})"
            )
        self._state = _State.CLOSED  # until fully open, a failure leaves it unusable
        opened = await anyio.to_thread.run_sync(self._open_sync, limiter=self._limiter)
        self._resume_state, self._sink, self._manifest, self._lock_fd = opened
        self._keys = set(self._resume_state.keys)
        try:
            task_group = await self._stack.enter_async_context(anyio.create_task_group())
            task_group.start_soon(self._flush_loop)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._finish_sync, limiter=self._limiter)
            raise
        self._state = _State.OPENED
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.aclose()
        except StoreError:
            if exc is None:
                raise
            # The body's own exception is the one to see; the store error is chained.

    def _open_sync(self) -> tuple[RunState, ShardSink, Manifest, int]:
        return open_run(
            self.run_dir,
            run_id=self.run_id,
            meta=self._meta,
            shard_max_bytes=self._shard_max_bytes,
            fsync=self._fsync,
        )

    async def aclose(self) -> None:
        """Write everything accepted, fsync, and write the final manifest.

        Shielded from cancellation: records accepted by ``put`` reach the disk
        even when the surrounding scope is being cancelled.

        Raises:
            StoreError: a write failed during the session or while closing.
        """
        if self._state is _State.UNOPENED:
            self._state = _State.CLOSED
        if self._state is _State.CLOSED:
            return
        if self._state is _State.CLOSING:
            await self._closed.wait()
            return
        self._state = _State.CLOSING
        try:
            with anyio.CancelScope(shield=True):
                self._wake.set()
                await self._flusher_done.wait()
                if self._pending and self._error is None:
                    await self._write(*self._take_batch())
                await anyio.to_thread.run_sync(self._finish_sync, limiter=self._limiter)
        finally:
            self._state = _State.CLOSED
            self._closed.set()
            await self._stack.aclose()
        if self._error is not None:
            raise StoreError(f"{self.run_dir}: records were lost: {self._error}") from self._error

    def _finish_sync(self) -> None:
        try:
            if self._sink is not None and self._manifest is not None:
                self._sink.close(self._manifest, complete=self._error is None)
        except StoreError as exc:
            if self._error is None:
                self._error = exc
        finally:
            if self._lock_fd >= 0:
                os.close(self._lock_fd)  # closing the descriptor releases the flock
                self._lock_fd = -1

    # -- producing -----------------------------------------------------------------

    def __contains__(self, key: object) -> bool:
        """Whether ``(task_id, sample_index)`` is stored or accepted for writing."""
        return key in self._keys

    @property
    def resume_state(self) -> RunState:
        """What the run directory held when the writer opened (after repair)."""
        if self._resume_state is None:
            raise EngineStateError("the writer has not been opened yet")
        return self._resume_state

    def put_nowait(self, trajectory: Trajectory) -> bool:
        """Accept a trajectory for writing without waiting.

        Returns:
            ``True`` when accepted, ``False`` when its key is already stored.

        Raises:
            anyio.WouldBlock: the buffer is full; use :meth:`put` to wait.
            StoreError: an earlier write failed, or the trajectory breaks an
                invariant (logprobs not aligned with output ids).
            EngineStateError: the writer is not open.
        """
        if self._state is not _State.OPENED:
            raise EngineStateError(f"cannot put into a writer that is {self._state.value}")
        if self._error is not None:
            raise StoreError(f"{self.run_dir}: the writer failed earlier: {self._error}")
        key = trajectory.key
        if key in self._keys:
            self._duplicates += 1
            return False
        if self._pending_bytes >= self._max_buffer_bytes:
            raise anyio.WouldBlock
        _check_invariants(trajectory)
        if not trajectory.run_id:
            trajectory.run_id = self.run_id
        if self._encode_in_thread:
            cost = _estimate_size(trajectory)
            self._pending.append(trajectory)
        else:
            payload = encode_trajectory(trajectory)
            cost = FRAME.size + len(payload)
            chunk = self._chunk
            if chunk is None or not chunk.add(payload, trajectory.status.value):
                chunk = self._chunks.chunk_with(payload, trajectory.status.value)
                self._chunk = chunk
                self._pending.append(chunk)
        self._keys.add(key)
        self._pending_records += 1
        self._pending_cost += cost
        self._pending_bytes += cost
        self._wake.set()
        return True

    async def put(self, trajectory: Trajectory) -> bool:
        """Like :meth:`put_nowait`, but waits while the buffer is full.

        The wait is the writer's only backpressure; its duration is recorded in
        :meth:`statistics` as a stall.
        """
        # The only checkpoint comes before the record is accepted, so a
        # cancellation always means "not accepted"; it also lets the flusher run.
        await anyio.lowlevel.checkpoint()
        if self._pending_bytes >= self._max_buffer_bytes and trajectory.key not in self._keys:
            start = time.perf_counter()
            while (
                self._pending_bytes >= self._max_buffer_bytes
                and self._state is _State.OPENED
                and self._error is None
            ):
                await self._space.wait()
            waited = time.perf_counter() - start
            self._stalls += 1
            self._stall_total += waited
            self._stall_max = max(self._stall_max, waited)
        return self.put_nowait(trajectory)

    def statistics(self) -> WriterStatistics:
        sink = self._sink
        return WriterStatistics(
            records_written=sink.session_records if sink else 0,
            bytes_written=sink.session_bytes if sink else 0,
            records_pending=self._pending_records,
            pending_bytes=self._pending_bytes,
            shards=sink.session_shards if sink else 0,
            duplicates=self._duplicates,
            batches=sink.batches if sink else 0,
            stalls=self._stalls,
            stall_s_total=self._stall_total,
            stall_s_max=self._stall_max,
            write_s_total=sink.write_s if sink else math.nan,
        )

    # -- background flushing ---------------------------------------------------------

    async def _flush_loop(self) -> None:
        try:
            while True:
                if not self._pending:
                    if self._state is not _State.OPENED:
                        return
                    await self._wake.wait()
                    self._wake = anyio.Event()
                    if self._state is _State.OPENED:
                        # Linger so a batch holds many records: each hand-off to
                        # the thread costs a GIL round trip, whatever its size.
                        await anyio.sleep(_LINGER_S)
                    continue
                await self._write(*self._take_batch())
                if self._error is not None:
                    return
        finally:
            self._notify_space()
            self._flusher_done.set()

    def _take_batch(self) -> tuple[list[Chunk | Trajectory], int]:
        """Everything pending, as one batch; later records go to a new chunk."""
        batch, cost = self._pending, self._pending_cost
        self._pending, self._chunk = [], None
        self._pending_records = self._pending_cost = 0
        return batch, cost

    async def _write(self, batch: list[Chunk | Trajectory], cost: int) -> None:
        assert self._sink is not None and self._manifest is not None
        try:
            # Shielded: once taken off the list, a batch must reach the file even
            # if the flusher is being cancelled, or those records would vanish.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(
                    self._sink.write_batch, batch, self._manifest, limiter=self._limiter
                )
        except StoreError as exc:
            self._error = exc
        finally:
            self._pending_bytes -= cost
            self._chunks.release(batch)
            self._notify_space()

    def _notify_space(self) -> None:
        self._space.set()
        self._space = anyio.Event()


def open_writer(
    run_dir: str | os.PathLike[str],
    *,
    run_id: str,
    meta: dict[str, Any] | None = None,
    shard_max_bytes: int = DEFAULT_SHARD_MAX_BYTES,
    max_buffer_bytes: int = DEFAULT_MAX_BUFFER_BYTES,
    fsync: FsyncPolicy = "close",
    encode_in_thread: bool = False,
) -> TrajectoryWriter:
    """A writer for ``run_dir``, to be used as ``async with open_writer(...) as w:``."""
    return TrajectoryWriter(
        run_dir,
        run_id=run_id,
        meta=meta,
        shard_max_bytes=shard_max_bytes,
        max_buffer_bytes=max_buffer_bytes,
        fsync=fsync,
        encode_in_thread=encode_in_thread,
    )
