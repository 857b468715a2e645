"""One episode: prompt -> model turn -> action -> sandbox -> feedback -> verdict.

The loop is a plain coroutine whose every ending becomes a status on the
trajectory: a server that keeps failing, a sandbox that breaks, a budget that
runs out or a bug in this very module are recorded, never raised to the
siblings that share the engine (rollout-anchors.md, "failed episode is data").
Only cancellation propagates, so a shut-down run does not store half episodes
and a resumed run redoes exactly those.

Token-in/token-out: the context is kept as the exact ids sent and received.
The first turn sends the rendered system+task prompt; later turns append only
the rendered observation (``ChatTemplate.render_continuation``), so earlier
turns are never re-tokenized.

A suite with a live environment per episode (``EpisodeSuite``) gets it opened
around the whole episode by ``grading.open_episode``: every run of the episode
carries its mounts and variables and is graded against its state, and the
environment is closed (shielded, bounded) however the episode ends.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Final, Protocol, final

import anyio

from arollout.agent.actions import Action, ParseFailure, parse_action
from arollout.agent.feedback import exec_feedback, truncate
from arollout.errors import ServerError
from arollout.fairness import IterationGate
from arollout.llm.base import GenerateRequest, PromptIds, SamplingParams
from arollout.records import EpisodeStatus, Message, Step, Trajectory, Turn
from arollout.tasks import grading
from arollout.tasks.verify import WRONG
from arollout.tokens import TokenIds
from sandboxes.api import ExecRequest, ExecResult, ExecStatus, Limits

if TYPE_CHECKING:
    from collections.abc import Sequence

    from arollout.config import Budgets
    from arollout.llm.base import Completion, LLMClient
    from arollout.metrics import Metrics
    from arollout.tasks.base import EpisodeEnv, Suite, Task
    from sandboxes.api import Sandbox

__all__ = ("EpisodeContext", "run_episode")

_END_MARKERS: Final = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "</s>")

_DEBUG_SYSTEM: Final = (
    "You are a debugging assistant for Python data-analysis code. Explain the most likely "
    "cause of the error in two or three sentences and show the corrected lines."
)


class ChatRenderer(Protocol):
    """The part of ``arollout.llm.chat.ChatTemplate`` an episode uses."""

    @property
    def stop_token_ids(self) -> Sequence[int]: ...

    def render(self, messages: Sequence[Message], add_generation_prompt: bool = True) -> list[int]: ...

    def render_continuation(self, messages: Sequence[Message]) -> list[int]: ...


@final
class EpisodeContext:
    """What every episode of one engine shares (built once per engine)."""

    def __init__(
        self,
        *,
        client: LLMClient,
        template: ChatRenderer | None,
        sandbox: Sandbox,
        suite: Suite,
        sampling: SamplingParams,
        budgets: Budgets,
        context_len: int,
        metrics: Metrics,
        run_id: str,
        exec_limits: Limits,
        debugger: LLMClient | None = None,
        gate: IterationGate | None = None,
    ) -> None:
        self.client = client
        self.template = template
        self.sandbox = sandbox
        self.suite = suite
        self.sampling = sampling
        self.budgets = budgets
        self.context_len = context_len
        self.metrics = metrics
        self.run_id = run_id
        self.exec_limits = exec_limits
        self.debugger = debugger or client
        self.gate = gate or IterationGate()
        self.mounts = suite.mounts()
        self.instructions = suite.instructions()
        self.allow_terminal = bool(getattr(suite, "allow_terminal", False))
        self.harness = grading.is_harness(suite)
        self.episodic = grading.is_episodic(suite)


async def run_episode(
    ctx: EpisodeContext, task: Task, sample_index: int, *, group_id: str, seed: int
) -> Trajectory:
    """Run one episode to its end and return its trajectory (never raises but
    for cancellation)."""
    episode = _Episode(ctx, task, sample_index, group_id=group_id, seed=seed)
    try:
        if ctx.episodic:
            async with grading.open_episode(ctx.suite, task, episodic=True) as env:
                episode.env = env
                status = await _run_with_deadline(episode, ctx.budgets.episode_timeout_s)
        else:  # no per-episode environment: skip the context manager on the hot path
            status = await _run_with_deadline(episode, ctx.budgets.episode_timeout_s)
    except TimeoutError:
        status = EpisodeStatus.TIMEOUT
    except anyio.get_cancelled_exc_class():
        raise
    except ServerError as exc:
        episode.error = f"{type(exc).__name__}: {exc}"
        status = EpisodeStatus.LLM_ERROR
    except _SandboxBroken as exc:
        episode.error = f"sandbox: {exc}"
        status = EpisodeStatus.SANDBOX_ERROR
    except Exception as exc:  # a bug here must not take down sibling episodes
        episode.error = f"{type(exc).__name__}: {exc}"
        status = EpisodeStatus.ENGINE_ERROR
    return episode.finish(status)


def _wrong_answer_text(reason: str) -> str:
    """One sentence that the answer was graded wrong, plus the grader's reason
    when it says more than that (e.g. why the line could not be parsed)."""
    text = "The answer was checked and is not correct."
    if reason and reason.strip().rstrip(".").casefold() != WRONG.casefold():
        text += f" {reason.strip()}"
    return text


async def _run_with_deadline(episode: _Episode, seconds: float) -> EpisodeStatus:
    # asyncio's own timeout: a third of anyio.fail_after's cost, per episode.
    async with asyncio.timeout(seconds):
        return await episode.run()


class _Episode:
    def __init__(
        self, ctx: EpisodeContext, task: Task, sample_index: int, *, group_id: str, seed: int
    ) -> None:
        self.ctx = ctx
        self.task = task
        self.sample_index = sample_index
        self.group_id = group_id
        self.seed = seed
        self.episode_id = f"{ctx.run_id}:{task.id}:{sample_index}"
        self.messages = [
            Message("system", ctx.instructions),
            Message("user", task.question),
        ]
        self.turns: list[Turn] = []
        self.context = PromptIds()  # grows only; its JSON is encoded incrementally
        self.pending_ids: list[int] = []  # rendered but not yet sent
        self.error = ""
        self.started = time.time()
        self.t0 = time.perf_counter()
        self.llm_s = 0.0
        self.env_s = 0.0
        self.tokens_in = 0
        self.tokens_out = 0
        self.weight_version: str | None = None
        self.reward = 0.0
        self.env: EpisodeEnv | None = None  # the suite's per-episode environment, if any

    async def run(self) -> EpisodeStatus:
        ctx = self.ctx
        budgets = ctx.budgets
        template = ctx.template
        if template is not None:
            async with ctx.gate:  # thousands of episodes start in the same iteration
                self.pending_ids = template.render(self.messages)
        for index in range(budgets.max_turns):
            prompt_len = len(self.context) + len(self.pending_ids)
            room = min(ctx.context_len - prompt_len, budgets.max_tokens - self.tokens_out)
            if ctx.context_len - prompt_len < 1:
                return EpisodeStatus.CONTEXT_FULL
            if room < 1:
                return EpisodeStatus.TOKEN_BUDGET
            completion = await self._generate(index, min(room, ctx.sampling.max_new_tokens))
            turn = self.turns[-1]
            async with ctx.gate:
                text = _strip_end_marker(completion.text)
                self.messages.append(Message("assistant", text))
                parsed = parse_action(text)
            step, solved = await self._act(parsed)
            turn.step = step
            if solved:
                return EpisodeStatus.SOLVED
            async with ctx.gate:
                observation = Message("user", step.observation)
                self.messages.append(observation)
                if template is not None:
                    closing: list[int] = []
                    stops = template.stop_token_ids
                    if not completion.output_ids or completion.output_ids[-1] not in stops:
                        closing = [stops[0]]  # a truncated turn still needs its end marker
                    self.pending_ids = closing + template.render_continuation([observation])
        return EpisodeStatus.MAX_TURNS

    async def _generate(self, index: int, max_new_tokens: int) -> Completion:
        ctx = self.ctx
        sampling = ctx.sampling
        params = SamplingParams(
            max_new_tokens=max_new_tokens,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            top_k=sampling.top_k,
            seed=self.seed + index,
            stop_token_ids=tuple(ctx.template.stop_token_ids) if ctx.template else (),
        )
        rid = f"{self.episode_id}:t{index}"
        if ctx.template is not None:
            prompt_ids = TokenIds(self.pending_ids)
            self.context.extend(prompt_ids)
            self.pending_ids = []
            request = GenerateRequest(
                rid=rid, sampling=params, input_ids=self.context, routing_key=self.episode_id
            )
        else:
            prompt_ids = TokenIds()
            request = GenerateRequest(
                rid=rid, sampling=params, messages=list(self.messages), routing_key=self.episode_id
            )
        t = time.perf_counter()
        completion = await ctx.client.generate(request)
        llm_s = time.perf_counter() - t
        ctx.metrics.llm.add(llm_s)
        ctx.metrics.turns += 1
        ctx.metrics.tokens_in += completion.prompt_tokens
        ctx.metrics.tokens_out += completion.completion_tokens
        self.llm_s += llm_s
        self.tokens_in += completion.prompt_tokens
        self.tokens_out += completion.completion_tokens
        self.weight_version = completion.weight_version or self.weight_version
        if ctx.template is not None:
            self.context.extend_encoded(completion.output_ids, completion.ids_json)
        self.turns.append(
            Turn(
                index=index,
                prompt_ids=prompt_ids,
                output_ids=completion.output_ids,
                output_logprobs=completion.logprobs,
                text=completion.text,
                finish_reason=completion.finish_reason,
                segment_start=index == 0,
                prompt_tokens=completion.prompt_tokens,
                completion_tokens=completion.completion_tokens,
                cached_tokens=completion.cached_tokens,
                weight_version=completion.weight_version,
                temperature=sampling.temperature,
                llm_s=llm_s,
            )
        )
        return completion

    async def _act(self, parsed: Action | ParseFailure) -> tuple[Step, bool]:
        """Carry out the model's action; returns the step and whether it solved the task."""
        t = time.perf_counter()
        if isinstance(parsed, ParseFailure):
            return Step(action="parse_error", observation=parsed.message), False
        step, solved = await self._dispatch(parsed)
        env_s = time.perf_counter() - t
        self.env_s += env_s
        return Step(
            action=step.action,
            exec_status=step.exec_status,
            correct=step.correct,
            observation=step.observation,
            env_s=env_s,
        ), solved

    async def _dispatch(self, action: Action) -> tuple[Step, bool]:
        ctx = self.ctx
        limit = ctx.budgets.observation_chars
        if action.name == "validate_code":
            nonce = grading.new_nonce()
            request = grading.exec_request(
                ctx.suite,
                self.task,
                action.argument,
                mounts=ctx.mounts,
                limits=ctx.exec_limits,
                nonce=nonce,
                harness=ctx.harness,
                episode=self.env,
            )
            result = await self._exec(request)
            observation = exec_feedback(grading.visible_result(result, nonce), max_chars=limit)
            correct: bool | None = None
            if ctx.harness or self.env is not None or result.status is ExecStatus.OK:
                verdict = grading.grade(
                    ctx.suite, self.task, result, nonce, harness=ctx.harness, episode=self.env
                )
                correct = verdict.correct
                if correct:
                    self.reward = verdict.reward
                    return Step(action=action.name, exec_status=result.status.value, correct=True), True
                observation += "\n" + _wrong_answer_text(verdict.reason)
            return Step(
                action=action.name,
                exec_status=result.status.value,
                correct=correct,
                observation=observation,
            ), False
        if action.name == "request_info":
            info = ctx.suite.request_info(self.task, action.argument)
            return Step(action=action.name, observation=truncate(info, limit)), False
        if action.name == "terminal":
            if not ctx.allow_terminal:
                return Step(
                    action=action.name,
                    observation="The terminal action is not available for this task; use validate_code.",
                ), False
            env = self.env
            result = await self._exec(
                ExecRequest(
                    code=action.argument,
                    language="shell",
                    mounts=ctx.mounts + (env.mounts if env is not None else ()),
                    limits=ctx.exec_limits,
                    env=dict(env.env) if env is not None else {},
                )
            )
            return Step(
                action=action.name,
                exec_status=result.status.value,
                observation=exec_feedback(result, max_chars=limit),
            ), False
        return await self._debug(action), False

    async def _exec(self, request: ExecRequest) -> ExecResult:
        ctx = self.ctx
        result = await ctx.sandbox.exec(request)
        if result.status is ExecStatus.SANDBOX_ERROR:
            result = await ctx.sandbox.exec(request)  # once more, on a fresh runner
            if result.status is ExecStatus.SANDBOX_ERROR:
                raise _SandboxBroken(result.error)
        ctx.metrics.sandbox.add(result.wall_s + result.queue_s)
        return result

    async def _debug(self, action: Action) -> Step:
        ctx = self.ctx
        prompt = (
            f"Task:\n{self.task.question}\n\nCode:\n{action.argument}\n\n"
            f"Error:\n{action.params.get('error_msg', '(not given)')}"
        )
        messages = [Message("system", _DEBUG_SYSTEM), Message("user", prompt)]
        params = SamplingParams(max_new_tokens=512, temperature=0.0, seed=self.seed)
        rid = f"{self.episode_id}:debug{len(self.turns)}"
        if ctx.template is not None and ctx.debugger is ctx.client:
            request = GenerateRequest(
                rid=rid,
                sampling=SamplingParams(
                    max_new_tokens=512,
                    temperature=0.0,
                    seed=self.seed,
                    stop_token_ids=tuple(ctx.template.stop_token_ids),
                ),
                input_ids=ctx.template.render(messages),
            )
        else:
            request = GenerateRequest(rid=rid, sampling=params, messages=messages)
        reply = await ctx.debugger.generate(request)
        text = _strip_end_marker(reply.text).strip() or "(the debugger had no advice)"
        return Step(action="debug", observation=truncate(f"Debugger: {text}", ctx.budgets.observation_chars))

    def finish(self, status: EpisodeStatus) -> Trajectory:
        ctx = self.ctx
        ctx.metrics.episode_done(status.value, status is EpisodeStatus.SOLVED)
        task = self.task
        return Trajectory(
            run_id=ctx.run_id,
            episode_id=self.episode_id,
            task_id=task.id,
            suite=task.suite,
            category=task.category,
            split=task.split,
            sample_index=self.sample_index,
            group_id=self.group_id,
            seed=self.seed,
            status=status,
            reward=self.reward if status is EpisodeStatus.SOLVED else 0.0,
            error=self.error,
            messages=self.messages,
            turns=self.turns,
            started_at=self.started,
            wall_s=time.perf_counter() - self.t0,
            llm_s=self.llm_s,
            env_s=self.env_s,
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
            weight_version=self.weight_version,
        )


def _strip_end_marker(text: str) -> str:
    """The message content without the end-of-turn marker a server may echo
    (``no_stop_trim`` keeps it in SGLang's text; the ids keep it regardless)."""
    for marker in _END_MARKERS:
        if text.endswith(marker):
            return text[: -len(marker)]
    return text


class _SandboxBroken(Exception):
    """The sandbox failed twice in a row for one request."""
