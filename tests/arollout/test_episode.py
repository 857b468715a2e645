from __future__ import annotations

from typing import TYPE_CHECKING

import anyio
import pytest

from arollout.config import Budgets
from arollout.episode import EpisodeContext, run_episode
from arollout.errors import ServerUnavailable
from arollout.llm.base import SamplingParams
from arollout.metrics import Metrics
from arollout.records import EpisodeStatus, Message
from arollout.testing.fakes import FakeSandbox, ScriptedClient
from sandboxes.api import DEFAULT_LIMITS, ExecResult, ExecStatus

from .helpers import TinySuite, action, python_eval_sandbox

if TYPE_CHECKING:
    from collections.abc import Sequence

pytestmark = pytest.mark.anyio


def make_ctx(client, sandbox=None, *, budgets: Budgets | None = None, context_len: int = 32768):
    suite = TinySuite()
    return EpisodeContext(
        client=client,
        template=client.template if getattr(client, "token_in", False) else None,
        sandbox=sandbox or FakeSandbox(python_eval_sandbox),
        suite=suite,
        sampling=SamplingParams(max_new_tokens=256, temperature=1.0),
        budgets=budgets or Budgets(max_turns=4),
        context_len=context_len,
        metrics=Metrics(),
        run_id="r",
        exec_limits=DEFAULT_LIMITS,
    ), suite


def oracle(conversation: Sequence[Message]) -> str:
    question = conversation[1].content
    n = int(question.split("+ ")[1].rstrip("?"))
    return "Let me compute.\n" + action("validate_code", code=f"print(100 + {n})")


async def test_solved_first_turn_and_token_layout() -> None:
    client = ScriptedClient(oracle)
    ctx, suite = make_ctx(client)
    task = suite.tasks()[2]
    traj = await run_episode(ctx, task, 0, group_id="g", seed=7)
    assert traj.status is EpisodeStatus.SOLVED and traj.reward == 1.0
    assert len(traj.turns) == 1
    turn = traj.turns[0]
    assert turn.step is not None and turn.step.correct is True
    assert len(turn.output_logprobs) == len(turn.output_ids) == turn.completion_tokens
    # Token ids sent equal the rendering of the messages (no re-tokenization drift).
    full = turn.prompt_ids + turn.output_ids
    rendered = client.template.render(traj.messages, add_generation_prompt=False)
    assert full == rendered[: len(full)] and len(rendered) == len(full) + 1  # + final newline
    assert client.requests[0].sampling.seed == 7


async def test_parse_error_then_wrong_answer_then_solved_keeps_prefix() -> None:
    replies = iter(
        [
            "I think the answer is 5",  # no action
            action("validate_code", code="print(1 + 1)"),  # runs, wrong
            action("request_info", query="patients"),
            action("validate_code", code="print(100 + 1)"),
        ]
    )
    client = ScriptedClient(lambda _c: next(replies))
    ctx, suite = make_ctx(client, budgets=Budgets(max_turns=6))
    traj = await run_episode(ctx, suite.tasks()[1], 3, group_id="g", seed=0)
    assert traj.status is EpisodeStatus.SOLVED
    actions = [t.step.action for t in traj.turns if t.step]
    assert actions == ["parse_error", "validate_code", "request_info", "validate_code"]
    wrong = traj.turns[1].step
    assert wrong is not None and wrong.correct is False
    assert "not correct" in wrong.observation and "101" not in wrong.observation
    # Each request's input ids extend the previous request's ids plus its output.
    ids = [r.input_ids for r in client.requests]
    for turn_index in range(1, len(ids)):
        prev = ids[turn_index - 1]
        assert prev is not None and ids[turn_index] is not None
        assert ids[turn_index][: len(prev)] == prev
    stitched = [i for t in traj.turns for i in (*t.prompt_ids, *t.output_ids)]
    last = client.requests[-1].input_ids
    assert last is not None and stitched == [*last, *traj.turns[-1].output_ids]
    rendered = client.template.render(traj.messages, add_generation_prompt=False)
    assert stitched == rendered[: len(stitched)]


async def test_max_turns_when_never_right() -> None:
    client = ScriptedClient(lambda _c: action("validate_code", code="print(3)"))
    ctx, suite = make_ctx(client, budgets=Budgets(max_turns=3))
    traj = await run_episode(ctx, suite.tasks()[0], 0, group_id="g", seed=0)
    assert traj.status is EpisodeStatus.MAX_TURNS
    assert len(traj.turns) == 3 and traj.reward == 0.0


async def test_sandbox_error_twice_is_recorded_not_scored() -> None:
    sandbox = FakeSandbox(lambda _r: ExecResult(status=ExecStatus.SANDBOX_ERROR, error="runner died"))
    client = ScriptedClient(oracle)
    ctx, suite = make_ctx(client, sandbox)
    traj = await run_episode(ctx, suite.tasks()[0], 0, group_id="g", seed=0)
    assert traj.status is EpisodeStatus.SANDBOX_ERROR
    assert "runner died" in traj.error
    assert len(sandbox.requests) == 2  # retried once


async def test_llm_error_is_recorded() -> None:
    def fail(_c):
        raise ServerUnavailable("connection refused", retryable=True)

    ctx, suite = make_ctx(ScriptedClient(fail))
    traj = await run_episode(ctx, suite.tasks()[0], 0, group_id="g", seed=0)
    assert traj.status is EpisodeStatus.LLM_ERROR
    assert "connection refused" in traj.error


async def test_engine_bug_is_recorded() -> None:
    def boom(_c):
        raise KeyError("bug")

    ctx, suite = make_ctx(ScriptedClient(boom))
    traj = await run_episode(ctx, suite.tasks()[0], 0, group_id="g", seed=0)
    assert traj.status is EpisodeStatus.ENGINE_ERROR and "KeyError" in traj.error


async def test_context_full_and_token_budget() -> None:
    client = ScriptedClient(lambda _c: action("validate_code", code="print(3)"))
    ctx, suite = make_ctx(client, context_len=80)
    traj = await run_episode(ctx, suite.tasks()[0], 0, group_id="g", seed=0)
    assert traj.status is EpisodeStatus.CONTEXT_FULL
    ctx, suite = make_ctx(client, budgets=Budgets(max_turns=10, max_tokens=100))
    traj = await run_episode(ctx, suite.tasks()[0], 0, group_id="g", seed=0)
    assert traj.status is EpisodeStatus.TOKEN_BUDGET
    assert traj.tokens_out <= 100


async def test_truncated_turn_is_closed_before_the_observation() -> None:
    long_reply = "x" * 400
    client = ScriptedClient(lambda _c: long_reply)
    ctx, suite = make_ctx(client, budgets=Budgets(max_turns=2))
    traj = await run_episode(ctx, suite.tasks()[0], 0, group_id="g", seed=0)
    first, second = traj.turns
    assert first.finish_reason == "length"
    assert second.prompt_ids[0] == client.template.im_end


async def test_episode_timeout() -> None:
    async def hang(_c):
        await anyio.sleep(10)
        return ""

    ctx, suite = make_ctx(ScriptedClient(hang), budgets=Budgets(episode_timeout_s=0.05))
    traj = await run_episode(ctx, suite.tasks()[0], 0, group_id="g", seed=0)
    assert traj.status is EpisodeStatus.TIMEOUT


async def test_terminal_refused_where_not_allowed() -> None:
    replies = iter([action("terminal", cmd="ls /"), action("validate_code", code="print(100 + 0)")])
    sandbox = FakeSandbox(python_eval_sandbox)
    ctx, suite = make_ctx(ScriptedClient(lambda _c: next(replies)), sandbox)
    traj = await run_episode(ctx, suite.tasks()[0], 0, group_id="g", seed=0)
    assert traj.status is EpisodeStatus.SOLVED
    assert traj.turns[0].step is not None and "not available" in traj.turns[0].step.observation
    assert all(r.language == "python" for r in sandbox.requests)


async def test_wrong_answer_is_said_once_and_parse_problems_are_kept() -> None:
    replies = iter([action("validate_code", code="print(1 + 1)"), action("validate_code", code="print('x')")])
    ctx, suite = make_ctx(ScriptedClient(lambda _c: next(replies)), budgets=Budgets(max_turns=2))
    traj = await run_episode(ctx, suite.tasks()[0], 0, group_id="g", seed=0)
    wrong, unparsable = (t.step.observation for t in traj.turns if t.step)
    assert wrong.lower().count("is not correct") == 1
    assert "could not parse" in unparsable  # the grader's reason says more than "wrong": kept
