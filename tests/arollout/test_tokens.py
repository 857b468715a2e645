from __future__ import annotations

import copy
import gc
import pickle

import msgspec
import pytest
from hypothesis import given, strategies as st

from arollout.records import (
    EpisodeStatus,
    Trajectory,
    Turn,
    decode_trajectory,
    encode_trajectory,
    encode_trajectory_json,
)
from arollout.tokens import Logprobs, TokenIds

_IDS = st.lists(st.integers(min_value=-(2**31), max_value=2**31 - 1), max_size=50)
_LPS = st.lists(st.floats(allow_nan=False, width=64), max_size=50)


def _traj(turn: Turn) -> Trajectory:
    return Trajectory(
        episode_id="e", task_id="t", suite="s", status=EpisodeStatus.SOLVED, turns=[turn]
    )


@given(_IDS, _IDS, _LPS)
def test_packed_fields_round_trip_exactly(
    prompt: list[int], out: list[int], lps: list[float]
) -> None:
    turn = Turn(
        index=0,
        prompt_ids=TokenIds(prompt),
        output_ids=TokenIds(out),
        output_logprobs=Logprobs(lps),
    )
    back = decode_trajectory(encode_trajectory(_traj(turn))).turns[0]
    assert type(back.prompt_ids) is TokenIds and type(back.output_logprobs) is Logprobs
    assert back.prompt_ids == prompt and back.output_ids == out and back.output_logprobs == lps


def test_packed_fields_are_one_bin_each() -> None:
    turn = Turn(index=0, output_ids=TokenIds(range(1000)), output_logprobs=Logprobs([-0.5] * 1000))
    raw = msgspec.msgpack.decode(encode_trajectory(_traj(turn)))["turns"][0]
    assert isinstance(raw["output_ids"], bytes) and len(raw["output_ids"]) == 4000
    assert raw["output_ids"][:8] == b"\x00\x00\x00\x00\x01\x00\x00\x00"  # little-endian int32
    assert isinstance(raw["output_logprobs"], bytes) and len(raw["output_logprobs"]) == 8000


def test_a_schema_1_record_with_lists_still_decodes() -> None:
    old = msgspec.msgpack.encode(
        {
            "schema": 1,
            "episode_id": "e",
            "task_id": "t",
            "suite": "s",
            "status": "solved",
            "turns": [
                {
                    "index": 0,
                    "prompt_ids": [1, 2],
                    "output_ids": [300_000],
                    "output_logprobs": [-1.5],
                }
            ],
        }
    )
    turn = decode_trajectory(old).turns[0]
    assert type(turn.output_ids) is TokenIds and turn.output_ids == [300_000]
    assert turn.prompt_ids == [1, 2] and turn.output_logprobs == [-1.5]


@pytest.mark.parametrize("field", ["output_ids", "output_logprobs"])
def test_a_torn_bin_is_a_decode_error_naming_the_field(field: str) -> None:
    raw = msgspec.msgpack.encode(
        {
            "episode_id": "e",
            "task_id": "t",
            "suite": "s",
            "status": "solved",
            "turns": [{"index": 0, field: b"\x01\x02\x03"}],
        }
    )
    with pytest.raises(msgspec.ValidationError, match=field):
        decode_trajectory(raw)


def test_json_export_writes_plain_arrays() -> None:
    turn = Turn(index=0, output_ids=TokenIds([5, 6]), output_logprobs=Logprobs([-0.25, -0.5]))
    doc = msgspec.json.decode(encode_trajectory_json(_traj(turn)))
    assert doc["turns"][0]["output_ids"] == [5, 6] and doc["turns"][0]["output_logprobs"] == [
        -0.25,
        -0.5,
    ]


def test_the_collector_does_not_see_the_items() -> None:
    ids = TokenIds(range(100_000, 101_000))
    assert gc.get_referents(ids) == [TokenIds]  # only its type: no per-item traversal
    assert len(gc.get_referents(list(ids))) == 1000


def test_list_semantics_that_code_relies_on() -> None:
    ids = TokenIds([1, 2, 3])
    assert ids == [1, 2, 3] and ids == (1, 2, 3) and ids != [1, 2] and ids != [1, 2, 4]
    assert ids[1:] == [2, 3] and type(ids[1:]) is TokenIds and ids[-1] == 3
    assert ids + [4] == [1, 2, 3, 4] and type(ids + [4]) is list
    assert type(ids + ids) is TokenIds and ids + ids == [1, 2, 3, 1, 2, 3]
    row: list[int] = [0]
    alias = row
    row += ids  # extends in place, like list += list
    assert alias is row and row == [0, 1, 2, 3]
    with pytest.raises(TypeError):
        _ = [0] + ids  # type: ignore[operator]
    with pytest.raises(TypeError):
        hash(ids)
    with pytest.raises(OverflowError):
        TokenIds([2**31])


@pytest.mark.parametrize("value", [TokenIds([7, 8]), Logprobs([-0.5, -1.0])])
def test_copies_and_pickles_keep_the_type(value: TokenIds | Logprobs) -> None:
    for clone in (copy.copy(value), copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
        assert type(clone) is type(value) and clone == value and clone is not value
