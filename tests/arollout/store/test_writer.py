from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

import anyio
import anyio.lowlevel
import orjson
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from arollout.errors import EngineStateError, StoreError
from arollout.records import EpisodeStatus, Message, Step, Trajectory, Turn
from arollout.store import open_writer, read_run, scan_run
from arollout.store.reader import shard_name

from .conftest import make_trajectory, write_run

pytestmark = pytest.mark.anyio

_texts = st.text(max_size=60)
_turns = st.builds(
    lambda n, ids, prompt, text, step: Turn(
        index=n,
        prompt_ids=prompt,
        output_ids=ids,
        output_logprobs=[-(i % 7) / 3.0 for i in range(len(ids))],
        text=text,
        step=step,
    ),
    st.integers(0, 50),
    st.lists(st.integers(0, 2**31 - 1), max_size=3000),
    st.lists(st.integers(0, 2**31 - 1), max_size=200),
    _texts,
    st.none() | st.builds(Step, action=_texts, observation=_texts, correct=st.booleans()),
)
_trajectories = st.builds(
    lambda task, status, turns, msgs, reward: Trajectory(
        episode_id=task,
        task_id=task,
        suite="s",
        status=status,
        turns=turns,
        messages=[Message(role="user", content=m) for m in msgs],
        reward=reward,
        meta={"note": task},
    ),
    _texts,
    st.sampled_from(list(EpisodeStatus)),
    st.lists(_turns, max_size=4),
    st.lists(_texts, max_size=3),
    st.floats(allow_nan=False, allow_infinity=False),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_trajectories, max_size=12, unique_by=lambda t: t.task_id))
def test_roundtrip_through_writer_and_reader(trajectories: list[Trajectory]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_run(Path(tmp), trajectories, shard_max_bytes=8192)
        back = read_run(tmp, strict=True)
    for t in trajectories:
        t.run_id = "run"  # the writer stamps the run id on records that lack one
    assert back == trajectories


async def test_put_from_many_tasks_with_backpressure(tmp_path: Path) -> None:
    async with open_writer(tmp_path, run_id="run", max_buffer_bytes=2048) as w:

        async def producer(p: int) -> None:
            for i in range(25):
                assert await w.put(make_trajectory(f"task{p}", i))

        async with anyio.create_task_group() as tg:
            for p in range(40):
                tg.start_soon(producer, p)
        stats = w.statistics()
    assert stats.stalls > 0  # the tiny buffer forced producers to wait
    back = read_run(tmp_path, strict=True)
    assert sorted(t.key for t in back) == sorted(
        (f"task{p}", i) for p in range(40) for i in range(25)
    )


async def test_writes_happen_off_the_event_loop_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_blocking: None
) -> None:
    threads: list[int] = []
    real_writev = os.writev

    def spy(fd: int, buffers: list[bytes]) -> int:
        threads.append(threading.get_ident())
        return real_writev(fd, buffers)

    monkeypatch.setattr(os, "writev", spy)
    loop_thread = threading.get_ident()
    async with open_writer(tmp_path, run_id="run") as w:
        for i in range(50):
            w.put_nowait(make_trajectory("t", i))
            await anyio.lowlevel.checkpoint()
    assert threads, "nothing was written"
    assert loop_thread not in threads
    state = await anyio.to_thread.run_sync(scan_run, tmp_path)  # blocking: off the loop
    assert state.records == 50


async def test_manifest_counts_and_atomic_rename(tmp_path: Path) -> None:
    statuses = [EpisodeStatus.SOLVED] * 5 + [EpisodeStatus.MAX_TURNS] * 3 + [EpisodeStatus.TIMEOUT]
    async with open_writer(tmp_path, run_id="r1", shard_max_bytes=4096, meta={"model": "m"}) as w:
        for i, status in enumerate(statuses):
            await w.put(make_trajectory("t", i, status=status))
    doc = orjson.loads((tmp_path / "manifest.json").read_bytes())
    assert doc["run_id"] == "r1"
    assert doc["complete"] is True
    assert doc["records"] == 9
    assert doc["status_counts"] == {"max_turns": 3, "solved": 5, "timeout": 1}
    assert doc["meta"] == {"model": "m"}
    assert len(doc["shards"]) > 1  # 4 KiB shards rotate
    for shard in doc["shards"]:
        assert (tmp_path / shard["name"]).stat().st_size == shard["bytes"]
    assert sum(s["records"] for s in doc["shards"]) == 9
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


async def test_resume_appends_a_new_shard_and_refuses_stored_keys(tmp_path: Path) -> None:
    async with open_writer(tmp_path, run_id="run") as w:
        for i in range(10):
            await w.put(make_trajectory("t", i))
    first = (tmp_path / shard_name(0)).read_bytes()
    async with open_writer(tmp_path, run_id="run", meta={"session": 2}) as w:
        assert w.resume_state.records == 10
        assert ("t", 3) in w
        assert await w.put(make_trajectory("t", 3)) is False
        for i in range(10, 15):
            assert await w.put(make_trajectory("t", i)) is True
        assert w.statistics().duplicates == 1
    assert (tmp_path / shard_name(0)).read_bytes() == first  # never rewritten
    assert (tmp_path / shard_name(1)).exists()
    keys = [t.key for t in read_run(tmp_path)]
    assert sorted(keys) == [("t", i) for i in range(15)]
    doc = orjson.loads((tmp_path / "manifest.json").read_bytes())
    assert doc["records"] == 15
    assert len(doc["sessions"]) == 2


def test_reader_yields_a_key_once_after_a_crash_copy(tmp_path: Path) -> None:
    write_run(tmp_path, [make_trajectory("t", i) for i in range(4)])
    # A crash between a write and the bookkeeping can leave the same record twice.
    shutil.copy(tmp_path / shard_name(0), tmp_path / shard_name(1))
    state = scan_run(tmp_path)
    assert state.records == 4
    assert state.duplicates == 4
    assert [t.key for t in read_run(tmp_path)] == [("t", i) for i in range(4)]


async def test_second_writer_on_the_same_directory_is_refused(tmp_path: Path) -> None:
    async with open_writer(tmp_path, run_id="run"):
        with pytest.raises(StoreError, match="another writer"):
            async with open_writer(tmp_path, run_id="run"):
                pass


async def test_other_run_id_is_refused(tmp_path: Path) -> None:
    async with open_writer(tmp_path, run_id="a") as w:
        await w.put(make_trajectory())
    with pytest.raises(StoreError, match="holds run 'a'"):
        async with open_writer(tmp_path, run_id="b"):
            pass


async def test_write_failure_is_a_store_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, buffers: list[bytes]) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(StoreError, match=r"traj-00000\.msgpack.*No space left"):
        async with open_writer(tmp_path, run_id="run") as w:
            monkeypatch.setattr(os, "writev", full)  # the disk fills after the open
            await w.put(make_trajectory("t", 0))
            await anyio.sleep(0.05)
            await w.put(make_trajectory("t", 1))


async def test_close_is_shielded_from_cancellation(tmp_path: Path) -> None:
    with anyio.CancelScope() as scope:
        async with open_writer(tmp_path, run_id="run") as w:
            for i in range(200):
                w.put_nowait(make_trajectory("t", i))
            scope.cancel()
            await anyio.sleep(1)  # cancelled here; close must still write all 200
    assert scope.cancelled_caught
    assert scan_run(tmp_path).records == 200
    assert orjson.loads((tmp_path / "manifest.json").read_bytes())["complete"] is True


async def test_misuse_and_invariants(tmp_path: Path) -> None:
    w = open_writer(tmp_path, run_id="run")
    with pytest.raises(EngineStateError):
        w.put_nowait(make_trajectory())
    async with w:
        bad = make_trajectory()
        bad.turns[0].output_logprobs = [0.0]
        with pytest.raises(StoreError, match="logprobs"):
            w.put_nowait(bad)
    with pytest.raises(EngineStateError):
        await w.put(make_trajectory())
    with pytest.raises(EngineStateError):
        async with w:
            pass


async def test_encode_in_thread_writes_identical_records(tmp_path: Path) -> None:
    items = [make_trajectory("t", i, turns=3) for i in range(20)]
    for sub, in_thread in (("loop", False), ("thread", True)):
        async with open_writer(tmp_path / sub, run_id="run", encode_in_thread=in_thread) as w:
            for t in items:
                await w.put(t)
    digest = [
        hashlib.sha256((tmp_path / s / shard_name(0)).read_bytes()).hexdigest()
        for s in ("loop", "thread")
    ]
    assert digest[0] == digest[1]
