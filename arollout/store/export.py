"""Training data from a run: SFT chat JSONL, DPO pairs, RL token sequences.

All three write JSON Lines with orjson, to a temporary file renamed into place
at the end, so an interrupted export never leaves a half file that looks whole.

Infra failures (``llm_error``, ``sandbox_error``, ``cancelled``,
``engine_error``) are never used as negative examples or RL samples: the model
did not fail there (DESIGN §5.3).

RL layout (see ``arollout.records``)::

    input_ids = turns[0].prompt_ids + turns[0].output_ids + turns[1].prompt_ids + ...
    loss_mask = 0 on prompt/observation ids, 1 on output ids
    logprobs  = the sampler's logprob on output ids, 0.0 elsewhere

A turn with ``segment_start`` (the chat template could not extend the previous
context) begins a new row with the same ``group_id`` and reward, so every row
is a sequence the policy actually saw.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import orjson

from ..errors import StoreError
from .reader import iter_trajectories
from .stats import INFRA_STATUSES

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from ..records import Message, Trajectory

__all__ = ("ExportReport", "export_dpo", "export_rl", "export_sft", "rl_rows")


class ExportReport(msgspec.Struct, frozen=True, kw_only=True):
    """What an export wrote, and why other trajectories were left out."""

    path: str
    written: int
    skipped: dict[str, int]


def _write_jsonl(out_path: str | os.PathLike[str], rows: Iterable[dict[str, Any]]) -> int:
    out = Path(out_path)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    count = 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            for row in rows:
                f.write(orjson.dumps(row))
                f.write(b"\n")
                count += 1
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {out}: {exc.strerror}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def _messages(messages: list[Message]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


def _skip(skipped: dict[str, int], reason: str) -> None:
    skipped[reason] = skipped.get(reason, 0) + 1


def export_sft(
    run_dir: str | os.PathLike[str], out_path: str | os.PathLike[str], *, only_solved: bool = True
) -> ExportReport:
    """Chat JSONL (``{"messages": [...], ...}``) of solved (or all) trajectories."""
    skipped: dict[str, int] = {}

    def rows() -> Iterator[dict[str, Any]]:
        for t in iter_trajectories(run_dir):
            if only_solved and not t.solved:
                _skip(skipped, "not_solved")
            elif not t.messages:
                _skip(skipped, "no_messages")
            else:
                yield {
                    "messages": _messages(t.messages),
                    "task_id": t.task_id,
                    "sample_index": t.sample_index,
                    "episode_id": t.episode_id,
                    "suite": t.suite,
                    "category": t.category,
                    "status": t.status.value,
                    "reward": t.reward,
                }

    written = _write_jsonl(out_path, rows())
    return ExportReport(path=os.fspath(out_path), written=written, skipped=skipped)


def _split_prompt(messages: list[Message]) -> tuple[list[Message], list[Message]]:
    """Prompt = everything before the first assistant message."""
    for i, m in enumerate(messages):
        if m.role == "assistant":
            return messages[:i], messages[i:]
    return messages, []


def export_dpo(run_dir: str | os.PathLike[str], out_path: str | os.PathLike[str]) -> ExportReport:
    """Preference pairs per task: a solved trajectory (chosen) vs an unsolved one.

    Each trajectory is used in at most one pair (solved and unsolved samples are
    paired in ``sample_index`` order), so a task with many failures does not
    dominate. A pair is kept only when both start from the same prompt.
    """
    skipped: dict[str, int] = {}
    solved: dict[str, list[Trajectory]] = {}
    unsolved: dict[str, list[Trajectory]] = {}
    for t in iter_trajectories(run_dir):
        if t.status.value in INFRA_STATUSES:
            _skip(skipped, "infra_failure")
        elif not t.messages:
            _skip(skipped, "no_messages")
        else:
            (solved if t.solved else unsolved).setdefault(t.task_id, []).append(t)

    def rows() -> Iterator[dict[str, Any]]:
        for task_id in sorted(solved.keys() & unsolved.keys()):
            good = sorted(solved[task_id], key=lambda t: t.sample_index)
            bad = sorted(unsolved[task_id], key=lambda t: t.sample_index)
            for chosen, rejected in zip(good, bad, strict=False):
                prompt, chosen_tail = _split_prompt(chosen.messages)
                rejected_prompt, rejected_tail = _split_prompt(rejected.messages)
                if prompt != rejected_prompt or not chosen_tail or not rejected_tail:
                    _skip(skipped, "prompt_mismatch")
                    continue
                yield {
                    "task_id": task_id,
                    "prompt": _messages(prompt),
                    "chosen": _messages(chosen_tail),
                    "rejected": _messages(rejected_tail),
                    "chosen_episode_id": chosen.episode_id,
                    "rejected_episode_id": rejected.episode_id,
                    "chosen_reward": chosen.reward,
                    "rejected_reward": rejected.reward,
                }

    written = _write_jsonl(out_path, rows())
    return ExportReport(path=os.fspath(out_path), written=written, skipped=skipped)


def rl_rows(trajectory: Trajectory) -> list[dict[str, Any]]:
    """Token rows of one trajectory (one per segment); see the module docstring.

    Raises:
        StoreError: a turn's logprobs are neither empty nor aligned with its
            output ids (the writer refuses such records, so this means a
            record written by something else).
    """
    rows: list[dict[str, Any]] = []
    row: dict[str, Any] | None = None
    for turn in trajectory.turns:
        if row is None or turn.segment_start:
            row = {
                "episode_id": trajectory.episode_id,
                "task_id": trajectory.task_id,
                "group_id": trajectory.group_id or trajectory.task_id,
                "sample_index": trajectory.sample_index,
                "segment": len(rows),
                "input_ids": [],
                "loss_mask": [],
                "logprobs": [],
                "weight_versions": [],
                "reward": trajectory.reward,
                "status": trajectory.status.value,
            }
            rows.append(row)
        n_out = len(turn.output_ids)
        logprobs = turn.output_logprobs or [0.0] * n_out
        if len(logprobs) != n_out:
            raise StoreError(
                f"{trajectory.key} turn {turn.index}: {len(logprobs)} logprobs for {n_out} ids"
            )
        ids, mask, lps = row["input_ids"], row["loss_mask"], row["logprobs"]
        ids += turn.prompt_ids
        mask += [0] * len(turn.prompt_ids)
        lps += [0.0] * len(turn.prompt_ids)
        start = len(ids)
        ids += turn.output_ids
        mask += [1] * n_out
        lps += logprobs
        if n_out:
            # [start, end, version] spans of output ids, for staleness masking.
            row["weight_versions"].append([start, len(ids), turn.weight_version])
    return rows


def export_rl(
    run_dir: str | os.PathLike[str], out_path: str | os.PathLike[str], *, only_scored: bool = True
) -> ExportReport:
    """Token rows for RL (``input_ids``, ``loss_mask``, ``logprobs``, reward, group)."""
    skipped: dict[str, int] = {}

    def rows() -> Iterator[dict[str, Any]]:
        for t in iter_trajectories(run_dir):
            if only_scored and t.status.value in INFRA_STATUSES:
                _skip(skipped, "infra_failure")
            elif not any(turn.output_ids for turn in t.turns):
                _skip(skipped, "no_tokens")
            else:
                try:
                    made = rl_rows(t)
                except StoreError:
                    _skip(skipped, "misaligned_logprobs")
                    continue
                yield from made

    written = _write_jsonl(out_path, rows())
    return ExportReport(path=os.fspath(out_path), written=written, skipped=skipped)
