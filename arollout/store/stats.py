"""Summary statistics of a stored run (``arollout stats RUN_DIR [--json]``).

Statistics decode a partial view of each record (no token lists), so they read
a run several times faster than a full decode. Success rates leave infra
failures (``llm_error``, ``sandbox_error``, ``cancelled``, ``engine_error``)
out of the denominator: a sandbox crash is not the model's failure (DESIGN §5.3).
``raw_success_rate`` counts every episode.
"""

from __future__ import annotations

import os

import msgspec
import orjson

from ..records import EpisodeStatus
from .reader import ReadReport, iter_decoded

__all__ = ("INFRA_STATUSES", "GroupStats", "RunStats", "run_stats")

INFRA_STATUSES = frozenset(
    {
        EpisodeStatus.LLM_ERROR.value,
        EpisodeStatus.SANDBOX_ERROR.value,
        EpisodeStatus.CANCELLED.value,
        EpisodeStatus.ENGINE_ERROR.value,
    }
)


class _TurnView(msgspec.Struct, gc=False):
    """No fields: only the number of turns is counted."""


class _StatsView(msgspec.Struct, kw_only=True, gc=False):
    task_id: str
    sample_index: int = 0
    suite: str = ""
    category: str = ""
    status: str
    reward: float = 0.0
    turns: list[_TurnView] = []
    started_at: float = 0.0
    wall_s: float = 0.0
    llm_s: float = 0.0
    env_s: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0


_DECODER = msgspec.msgpack.Decoder(_StatsView)


class GroupStats(msgspec.Struct, frozen=True, kw_only=True):
    """Episodes, solved episodes and success rate of one suite or category."""

    episodes: int
    scored: int
    solved: int
    success_rate: float


class RunStats(msgspec.Struct, frozen=True, kw_only=True):
    """What a run produced. ``to_json()`` and ``table()`` print it.

    Attributes:
        episodes: unique stored trajectories.
        scored: episodes whose status is not an infra failure.
        success_rate: solved / scored.
        raw_success_rate: solved / episodes.
        turns: model turns in all episodes; ``mean_turns`` per episode.
        tokens_in, tokens_out: prompt and completion tokens, summed.
        wall_span_s: from the first episode's start to the last one's end.
        corrupt_records, duplicates: what the read skipped.
    """

    run_dir: str
    episodes: int
    scored: int
    solved: int
    success_rate: float
    raw_success_rate: float
    status_counts: dict[str, int]
    turns: int
    mean_turns: float
    tokens_in: int
    tokens_out: int
    mean_reward: float
    llm_s: float
    env_s: float
    started_at: float | None
    finished_at: float | None
    wall_span_s: float
    per_suite: dict[str, GroupStats]
    per_category: dict[str, GroupStats]
    corrupt_records: int = 0
    duplicates: int = 0

    def to_json(self) -> bytes:
        return orjson.dumps(msgspec.to_builtins(self), option=orjson.OPT_INDENT_2)

    def table(self) -> str:
        """A plain-text report: totals, statuses, then per-suite and per-category rates."""
        lines = [
            f"run             {self.run_dir}",
            f"episodes        {self.episodes} ({self.scored} scored)",
            f"success_rate    {self.success_rate:.4f} (raw {self.raw_success_rate:.4f})",
            f"turns           {self.turns} (mean {self.mean_turns:.2f})",
            f"tokens_in       {self.tokens_in}",
            f"tokens_out      {self.tokens_out}",
            f"mean_reward     {self.mean_reward:.4f}",
            f"wall_span_s     {self.wall_span_s:.1f}",
            "",
            "status          episodes",
        ]
        lines += [f"{k:<15} {v}" for k, v in sorted(self.status_counts.items())]
        for title, groups in (("suite", self.per_suite), ("category", self.per_category)):
            if not groups:
                continue
            width = max(len(title), *(len(k) for k in groups))
            lines += ["", f"{title:<{width}}  episodes  solved  success_rate"]
            lines += [
                f"{k:<{width}}  {g.episodes:>8}  {g.solved:>6}  {g.success_rate:>12.4f}"
                for k, g in sorted(groups.items())
            ]
        if self.corrupt_records or self.duplicates:
            lines += ["", f"skipped: {self.corrupt_records} corrupt, {self.duplicates} duplicate"]
        return "\n".join(lines)


def _groups(acc: dict[str, list[int]]) -> dict[str, GroupStats]:
    return {
        name: GroupStats(
            episodes=n,
            scored=scored,
            solved=solved,
            success_rate=solved / scored if scored else 0.0,
        )
        for name, (n, scored, solved) in acc.items()
    }


def run_stats(run_dir: str | os.PathLike[str]) -> RunStats:
    """Read a run directory once and summarize it."""
    report = ReadReport()
    counts: dict[str, int] = {}
    suites: dict[str, list[int]] = {}
    categories: dict[str, list[int]] = {}
    episodes = scored = solved = turns = tokens_in = tokens_out = 0
    reward = llm_s = env_s = 0.0
    first: float | None = None
    last: float | None = None
    for ep in iter_decoded(run_dir, _DECODER.decode, report=report):
        episodes += 1
        counts[ep.status] = counts.get(ep.status, 0) + 1
        is_scored = ep.status not in INFRA_STATUSES
        is_solved = ep.status == EpisodeStatus.SOLVED.value
        scored += is_scored
        solved += is_solved
        for acc, name in ((suites, ep.suite), (categories, ep.category)):
            if name:
                row = acc.setdefault(name, [0, 0, 0])
                row[0] += 1
                row[1] += is_scored
                row[2] += is_solved
        turns += len(ep.turns)
        tokens_in += ep.tokens_in
        tokens_out += ep.tokens_out
        reward += ep.reward
        llm_s += ep.llm_s
        env_s += ep.env_s
        if ep.started_at > 0:
            end = ep.started_at + ep.wall_s
            first = ep.started_at if first is None else min(first, ep.started_at)
            last = end if last is None else max(last, end)
    return RunStats(
        run_dir=os.fspath(run_dir),
        episodes=episodes,
        scored=scored,
        solved=solved,
        success_rate=solved / scored if scored else 0.0,
        raw_success_rate=solved / episodes if episodes else 0.0,
        status_counts=dict(sorted(counts.items())),
        turns=turns,
        mean_turns=turns / episodes if episodes else 0.0,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        mean_reward=reward / episodes if episodes else 0.0,
        llm_s=llm_s,
        env_s=env_s,
        started_at=first,
        finished_at=last,
        wall_span_s=(last - first) if first is not None and last is not None else 0.0,
        per_suite=_groups(suites),
        per_category=_groups(categories),
        corrupt_records=len(report.corrupt),
        duplicates=report.duplicates,
    )
