from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from arollout.errors import CorruptRecordError, StoreError
from arollout.store import ReadReport, iter_trajectories, read_run, scan_run
from arollout.store.reader import FRAME, HEADER, shard_name

from .conftest import make_trajectory, write_run

N = 5


def _record_offsets(path: Path) -> list[int]:
    data = path.read_bytes()
    pos, offsets = HEADER.size, []
    while pos < len(data):
        offsets.append(pos)
        pos += FRAME.size + FRAME.unpack_from(data, pos)[0]
    return offsets


@pytest.fixture(scope="module")
def good_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("good")
    write_run(root, [make_trajectory("t", i, turns=1) for i in range(N)])
    return root


def _check_cut(good_run: Path, cut: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        shutil.copytree(good_run, run)
        shard = run / shard_name(0)
        last = _record_offsets(shard)[-1]
        size = shard.stat().st_size
        with open(shard, "r+b") as f:
            f.truncate(cut)
        state = scan_run(run)
        assert state.keys == {("t", i) for i in range(N - 1)}
        assert state.dropped_bytes == cut - last
        assert shard.stat().st_size == last  # repaired back to the last good record
        assert cut < size
        again = scan_run(run)
        assert again.dropped_bytes == 0 and again.records == N - 1
        assert [t.key for t in read_run(run, strict=True)] == [("t", i) for i in range(N - 1)]


def test_torn_last_record_at_every_byte_offset(good_run: Path) -> None:
    shard = good_run / shard_name(0)
    last = _record_offsets(shard)[-1]
    for cut in range(last, shard.stat().st_size):
        _check_cut(good_run, cut)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_torn_tail_property(good_run: Path, data: st.DataObject) -> None:
    shard = good_run / shard_name(0)
    last = _record_offsets(shard)[-1]
    _check_cut(good_run, data.draw(st.integers(last, shard.stat().st_size - 1)))


def test_zero_filled_tail_counts_as_torn(tmp_path: Path) -> None:
    write_run(tmp_path, [make_trajectory("t", i) for i in range(3)])
    shard = tmp_path / shard_name(0)
    size = shard.stat().st_size
    with open(shard, "ab") as f:
        f.write(b"\0" * 100)  # what a crash can leave after delayed allocation
    state = scan_run(tmp_path)
    assert state.records == 3 and state.dropped_bytes == 100
    assert shard.stat().st_size == size


def test_corrupt_checksum_is_skipped_or_raised(tmp_path: Path) -> None:
    write_run(tmp_path, [make_trajectory("t", i) for i in range(3)])
    shard = tmp_path / shard_name(0)
    middle = _record_offsets(shard)[1]
    data = bytearray(shard.read_bytes())
    data[middle + FRAME.size + 10] ^= 0xFF
    shard.write_bytes(bytes(data))
    report = ReadReport()
    keys = [t.key for t in iter_trajectories(tmp_path, report=report)]
    assert keys == [("t", 0), ("t", 2)]
    assert report.corrupt == [(shard.name, middle, "checksum mismatch")]
    with pytest.raises(CorruptRecordError, match="checksum"):
        read_run(tmp_path, strict=True)
    state = scan_run(tmp_path)
    assert state.corrupt_records == 1 and state.records == 2
    assert shard.stat().st_size == len(data)  # a bad record mid-file is not truncated


def test_strict_read_refuses_a_torn_tail(tmp_path: Path) -> None:
    write_run(tmp_path, [make_trajectory("t", i) for i in range(2)])
    shard = tmp_path / shard_name(0)
    with open(shard, "r+b") as f:
        f.truncate(shard.stat().st_size - 3)
    with pytest.raises(CorruptRecordError, match="torn"):
        read_run(tmp_path, strict=True)
    report = ReadReport()
    assert len(list(iter_trajectories(tmp_path, report=report))) == 1
    assert report.torn and report.torn[0][0] == shard.name


def test_not_a_shard_is_refused(tmp_path: Path) -> None:
    (tmp_path / shard_name(0)).write_bytes(b"NOTASHARD" * 4)
    with pytest.raises(StoreError, match="bad magic"):
        scan_run(tmp_path)


def test_writer_resumes_after_repair_into_a_new_shard(tmp_path: Path) -> None:
    write_run(tmp_path, [make_trajectory("t", i) for i in range(3)])
    shard = tmp_path / shard_name(0)
    with open(shard, "r+b") as f:
        f.truncate(shard.stat().st_size - 5)  # the crash tore record ("t", 2)
    write_run(tmp_path, [make_trajectory("t", i) for i in range(5)])
    assert sorted(t.key for t in read_run(tmp_path, strict=True)) == [("t", i) for i in range(5)]
    assert [t.key for t in read_run(tmp_path / ".")][:2] == [("t", 0), ("t", 1)]
    assert (tmp_path / shard_name(1)).exists()
