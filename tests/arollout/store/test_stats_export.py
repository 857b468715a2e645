from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
import pytest

from arollout.records import EpisodeStatus as S, Message, Turn
from arollout.store import export_dpo, export_rl, export_sft, run_stats

from .conftest import make_trajectory, write_run

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def run(tmp_path: Path) -> Path:
    root = tmp_path / "run"
    write_run(
        root,
        [
            make_trajectory(
                "a",
                0,
                status=S.SOLVED,
                turns=2,
                tokens_in=100,
                tokens_out=16,
                started_at=10.0,
                wall_s=5.0,
            ),
            make_trajectory(
                "a",
                1,
                status=S.MAX_TURNS,
                turns=4,
                tokens_in=300,
                tokens_out=40,
                started_at=11.0,
                wall_s=20.0,
            ),
            make_trajectory(
                "b",
                0,
                status=S.SANDBOX_ERROR,
                turns=1,
                suite="medcalc",
                category="calc",
                tokens_in=50,
                tokens_out=8,
            ),
            make_trajectory(
                "b",
                1,
                status=S.SOLVED,
                turns=3,
                suite="medcalc",
                category="calc",
                tokens_in=70,
                tokens_out=24,
                started_at=12.0,
                wall_s=1.0,
            ),
        ],
    )
    return root


def test_stats_on_a_known_run(run: Path) -> None:
    stats = run_stats(run)
    assert stats.episodes == 4
    assert stats.scored == 3  # the sandbox error is not the model's failure
    assert stats.success_rate == pytest.approx(2 / 3)
    assert stats.raw_success_rate == pytest.approx(0.5)
    assert stats.status_counts == {"max_turns": 1, "sandbox_error": 1, "solved": 2}
    assert stats.turns == 10 and stats.mean_turns == 2.5
    assert (stats.tokens_in, stats.tokens_out) == (520, 88)
    assert stats.mean_reward == pytest.approx(0.5)
    assert stats.wall_span_s == pytest.approx(21.0)  # 10.0 -> 31.0
    assert stats.per_suite["ehr"].success_rate == pytest.approx(0.5)
    assert stats.per_suite["medcalc"].success_rate == 1.0
    assert stats.per_category["calc"].episodes == 2
    doc = orjson.loads(stats.to_json())
    for key in ("episodes", "success_rate", "turns", "tokens_in", "tokens_out"):
        assert key in doc
    table = stats.table()
    assert "success_rate    0.6667" in table and "medcalc" in table


def test_export_sft_keeps_solved_chats(run: Path, tmp_path: Path) -> None:
    out = tmp_path / "sft.jsonl"
    report = export_sft(run, out)
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert report.written == 2 and report.skipped == {"not_solved": 2}
    assert {(r["task_id"], r["sample_index"]) for r in rows} == {("a", 0), ("b", 1)}
    assert rows[0]["messages"][-1] == {"role": "assistant", "content": "answer 0"}
    assert export_sft(run, out, only_solved=False).written == 4


def test_export_dpo_pairs_solved_with_unsolved(run: Path, tmp_path: Path) -> None:
    out = tmp_path / "dpo.jsonl"
    report = export_dpo(run, out)
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    # Task "b" has only an infra failure besides its solved sample: no pair.
    assert report.written == 1 and report.skipped == {"infra_failure": 1}
    (row,) = rows
    assert row["task_id"] == "a"
    assert row["prompt"] == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "question a"},
    ]
    assert row["chosen"] == [{"role": "assistant", "content": "answer 0"}]
    assert row["rejected"] == [{"role": "assistant", "content": "answer 1"}]
    assert (row["chosen_reward"], row["rejected_reward"]) == (1.0, 0.0)


def test_export_rl_masks_align_with_ids(run: Path, tmp_path: Path) -> None:
    out = tmp_path / "rl.jsonl"
    report = export_rl(run, out)
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert report.written == 3 and report.skipped == {"infra_failure": 1}
    for row in rows:
        n = len(row["input_ids"])
        assert len(row["loss_mask"]) == n == len(row["logprobs"])
        for tok, m, lp in zip(row["input_ids"], row["loss_mask"], row["logprobs"], strict=True):
            assert (m == 1) == (tok >= 1000)  # output ids are >= 1000 in make_trajectory
            assert m == 1 or lp == 0.0
        assert row["group_id"] == row["task_id"]
    first = next(r for r in rows if (r["task_id"], r["sample_index"]) == ("a", 0))
    assert first["input_ids"][:13] == [0, 1, 2, 3, 4, *range(1000, 1008)]
    assert first["logprobs"][5:13] == [-0.25 * (j + 1) for j in range(8)]
    assert first["reward"] == 1.0


def test_export_rl_starts_a_row_at_a_segment_break(tmp_path: Path) -> None:
    turns = [
        Turn(
            index=0,
            prompt_ids=[1, 2],
            output_ids=[1001],
            output_logprobs=[-0.5],
            weight_version="v1",
        ),
        Turn(index=1, prompt_ids=[1, 2, 1001, 3], output_ids=[1002, 1003], segment_start=True),
    ]
    traj = make_trajectory("seg", 0, turns=0, messages=[Message(role="user", content="q")])
    traj.turns = turns
    write_run(tmp_path / "r3", [traj])
    out = tmp_path / "rl.jsonl"
    export_rl(tmp_path / "r3", out)
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [r["segment"] for r in rows] == [0, 1]
    assert rows[0]["input_ids"] == [1, 2, 1001] and rows[0]["loss_mask"] == [0, 0, 1]
    assert rows[0]["weight_versions"] == [[2, 3, "v1"]]
    assert rows[1]["input_ids"] == [1, 2, 1001, 3, 1002, 1003]
    assert rows[1]["loss_mask"] == [0, 0, 0, 0, 1, 1]
    assert rows[1]["logprobs"] == [0.0] * 6  # no logprobs were recorded for that turn
