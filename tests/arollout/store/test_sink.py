"""The worker-thread half of the writer: chunks, shard cuts, write-behind.

The shard layout is checked byte for byte against the rule the format has
always followed (a record joins the current shard when it fits or when the
shard holds none yet), so packing records into reusable chunks can never move
a shard boundary or change a byte.
"""

from __future__ import annotations

import binascii
import os
from typing import TYPE_CHECKING

import anyio
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from arollout.records import EpisodeStatus, Trajectory, encode_trajectory
from arollout.store import _sink, open_writer, read_run, scan_run
from arollout.store._sink import Chunk, ChunkPool, ShardSink, open_run
from arollout.store.reader import FORMAT_VERSION, FRAME, HEADER, MAGIC, list_shards

from .conftest import make_trajectory

if TYPE_CHECKING:
    from pathlib import Path

    from arollout.store.writer import FsyncPolicy


def _items(sizes: list[int]) -> list[Trajectory]:
    return [
        make_trajectory(
            f"t{i}",
            i,
            status=EpisodeStatus.SOLVED if i % 3 else EpisodeStatus.MAX_TURNS,
            turns=1,
            error="e" * n,
            run_id="run",
        )
        for i, n in enumerate(sizes)
    ]


def _reference_shards(payloads: list[bytes], shard_max: int) -> list[bytes]:
    """The shards the format's rule makes of these payloads, written naively."""
    header = HEADER.pack(MAGIC, FORMAT_VERSION, 0)
    shards: list[bytearray] = []
    records = 0
    for p in payloads:
        frame = FRAME.pack(len(p), binascii.crc32(p)) + p
        if not shards or (records and len(shards[-1]) + len(frame) > shard_max):
            shards.append(bytearray(header))
            records = 0
        shards[-1] += frame
        records += 1
    return [bytes(s) for s in shards]


def _write_with_sink(
    root: Path,
    batches: list[list[Trajectory]],
    *,
    shard_max: int,
    chunk_bytes: int,
    in_thread: bool,
    fsync: FsyncPolicy = "close",
) -> None:
    _, _, manifest, lock_fd = open_run(
        root, run_id="run", meta={}, shard_max_bytes=shard_max, fsync=fsync
    )
    sink = ShardSink(
        root, next_index=0, shard_max_bytes=shard_max, fsync=fsync, chunk_bytes=chunk_bytes
    )
    pool = ChunkPool(chunk_bytes, keep=2)
    try:
        for batch in batches:
            parts: list[Chunk | Trajectory] = []
            chunk: Chunk | None = None
            for t in batch:
                if in_thread:
                    parts.append(t)
                    continue
                payload = encode_trajectory(t)
                if chunk is None or not chunk.add(payload, t.status.value):
                    chunk = pool.chunk_with(payload, t.status.value)
                    parts.append(chunk)
            sink.write_batch(parts, manifest)
            pool.release(parts)  # reused by the next batch, as the writer does
        sink.close(manifest, complete=True)
    finally:
        os.close(lock_fd)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), sizes=st.lists(st.integers(0, 1500), min_size=1, max_size=30))
def test_shards_match_the_naive_layout(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, sizes: list[int]
) -> None:
    items = _items(sizes)
    frames = [FRAME.size + len(encode_trajectory(t)) for t in items]

    def near_a_boundary(base: int) -> int:
        # Sizes that land exactly on (or one byte either side of) a record end.
        k = data.draw(st.integers(1, len(frames)))
        return max(1, base + sum(frames[:k]) + data.draw(st.sampled_from([-1, 0, 1])))

    shard_max = near_a_boundary(HEADER.size)
    chunk_bytes = near_a_boundary(0)
    cuts = data.draw(st.lists(st.integers(1, 8), max_size=10))
    in_thread = data.draw(st.booleans())
    batches, start = [], 0
    for n in [*cuts, len(items)]:
        if start < len(items):
            batches.append(items[start : start + n])
            start += n
    root = tmp_path_factory.mktemp("sink")
    _write_with_sink(
        root, batches, shard_max=shard_max, chunk_bytes=chunk_bytes, in_thread=in_thread
    )
    expected = _reference_shards([encode_trajectory(t) for t in items], shard_max)
    assert [p.read_bytes() for _, p in list_shards(root)] == expected
    assert read_run(root, strict=True) == items


def test_records_larger_than_a_chunk_or_a_shard(tmp_path: Path) -> None:
    items = _items([10, 9000, 20, 30, 6000])
    for in_thread in (False, True):
        root = tmp_path / str(in_thread)
        _write_with_sink(root, [items], shard_max=4096, chunk_bytes=512, in_thread=in_thread)
        expected = _reference_shards([encode_trajectory(t) for t in items], 4096)
        assert [p.read_bytes() for _, p in list_shards(root)] == expected
        assert read_run(root, strict=True) == items


def test_chunk_refuses_what_does_not_fit_and_resets() -> None:
    chunk = Chunk(40)
    assert chunk.add(b"a" * 20, "solved")
    assert not chunk.add(b"b" * 20, "solved")  # 8 + 20 + 8 + 20 > 40
    assert (chunk.size, chunk.ends, chunk.statuses) == (28, [28], ["solved"])
    assert bytes(chunk.buf[:28]) == FRAME.pack(20, binascii.crc32(b"a" * 20)) + b"a" * 20
    chunk.reset()
    assert chunk.add(b"b" * 32, "timeout") and chunk.size == 40


def test_pool_reuses_written_chunks_up_to_its_bound() -> None:
    pool = ChunkPool(100, keep=1)
    first, second = pool.chunk_with(b"x", "solved"), pool.chunk_with(b"y", "solved")
    big = pool.chunk_with(b"z" * 200, "solved")  # its own size, never pooled
    assert len(big.buf) == FRAME.size + 200 and not big.pooled
    pool.release([first, second, big])
    assert (pool.idle, pool.allocated) == (1, 2)
    again = pool.chunk_with(b"w", "solved")
    assert again is first and again.ends == [FRAME.size + 1]


@pytest.mark.anyio
async def test_writer_reuses_chunks_across_batches(tmp_path: Path) -> None:
    items = [make_trajectory("t", i, turns=3, run_id="run") for i in range(60)]
    async with open_writer(tmp_path, run_id="run") as w:
        for i, t in enumerate(items):
            await w.put(t)
            if i % 7 == 0:
                await anyio.sleep(0.01)  # let the flusher write a batch
        batches = w.statistics().batches
        assert batches > 2
        assert w._chunks.allocated < batches  # later batches reused written chunks
    assert read_run(tmp_path, strict=True) == items


@pytest.mark.anyio
async def test_a_cancelled_put_accepts_nothing(tmp_path: Path) -> None:
    async with open_writer(tmp_path, run_id="run") as w:
        with anyio.CancelScope() as scope:
            scope.cancel()
            await w.put(make_trajectory("t", 0))
        assert scope.cancelled_caught
        assert ("t", 0) not in w
        assert await w.put(make_trajectory("t", 0))
    assert scan_run(tmp_path).records == 1


@pytest.mark.parametrize(("fsync", "hinted"), [("close", True), ("never", False)])
def test_write_behind_hints_cover_the_shard_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fsync: FsyncPolicy, hinted: bool
) -> None:
    calls: list[tuple[int, int]] = []
    real = os.posix_fadvise

    def spy(fd: int, offset: int, length: int, advice: int) -> None:
        calls.append((offset, length))
        real(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", spy)
    monkeypatch.setattr(_sink, "WRITE_BEHIND_BYTES", 2048)
    items = _items([300] * 30)
    _write_with_sink(
        tmp_path,
        [items[i : i + 3] for i in range(0, 30, 3)],
        shard_max=1 << 20,
        chunk_bytes=4096,
        in_thread=False,
        fsync=fsync,
    )
    assert read_run(tmp_path, strict=True) == items
    if not hinted:
        assert calls == []
        return
    assert calls and calls[0][0] == 0
    for (o1, n1), (o2, _) in zip(calls, calls[1:], strict=False):
        assert o1 + n1 == o2  # contiguous, never twice the same bytes
    assert all(n >= 2048 for _, n in calls)
