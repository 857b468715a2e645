"""Test doubles that ship with arollout (trio.testing-style).

* :class:`ScriptedClient`: an ``LLMClient`` that answers from a function of the
  conversation, speaking token-in/token-out through a :class:`ByteChatML`
  template, so episode logic can be tested without HTTP.
* :class:`FakeSandbox`: a ``Sandbox`` whose results come from a function of
  the request, for tests that are about the engine, not about isolation.

Both record what they were asked, so tests can assert on the traffic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import final

import anyio
import msgspec

from arollout.llm.base import Completion, FinishReason, GenerateRequest
from arollout.llm.chat import ByteChatML
from arollout.records import Message
from arollout.tokens import Logprobs, TokenIds
from sandboxes.api import ExecRequest, ExecResult, ExecStatus

__all__ = ("FakeSandbox", "ScriptedClient")

Reply = Callable[[Sequence[Message]], str | Awaitable[str]]


@final
class ScriptedClient:
    """An in-memory token-in/token-out "server".

    ``reply`` receives the parsed conversation and returns the assistant text;
    the client appends ``<|im_end|>`` like a server run with ``no_stop_trim``,
    and gives every sampled token the logprob -0.5.
    """

    def __init__(self, reply: Reply, *, weight_version: str = "v0") -> None:
        self.template = ByteChatML()
        self._reply = reply
        self.weight_version = weight_version
        self.requests: list[GenerateRequest] = []

    @property
    def token_in(self) -> bool:
        return True

    async def generate(self, request: GenerateRequest) -> Completion:
        # The engine reuses its context list across turns (no per-turn copy):
        # keep a snapshot of what was sent.
        snapshot = list(request.input_ids) if request.input_ids is not None else None
        self.requests.append(msgspec.structs.replace(request, input_ids=snapshot))
        await anyio.lowlevel.checkpoint()
        if request.input_ids is not None:
            conversation = self.template.parse(request.input_ids)
        else:
            conversation = list(request.messages or [])
        text = self._reply(conversation)
        if not isinstance(text, str):
            text = await text
        ids = self.template.encode(text)
        budget = request.sampling.max_new_tokens
        finish: FinishReason
        if len(ids) + 1 > budget:
            ids = ids[:budget]
            finish = "length"
        else:
            ids = [*ids, self.template.im_end]
            finish = "stop"
        return Completion(
            text=self.template.decode(ids),
            output_ids=TokenIds(ids),
            logprobs=Logprobs([-0.5] * len(ids)),
            finish_reason=finish,
            prompt_tokens=len(request.input_ids or ()),
            completion_tokens=len(ids),
            weight_version=self.weight_version,
        )

    async def aclose(self) -> None:
        return None


@final
class FakeSandbox:
    """Answers every request with ``handler(request)``."""

    def __init__(self, handler: Callable[[ExecRequest], ExecResult] | None = None) -> None:
        self._handler = handler or (lambda _req: ExecResult(status=ExecStatus.OK))
        self.requests: list[ExecRequest] = []

    async def exec(self, request: ExecRequest) -> ExecResult:
        self.requests.append(request)
        await asyncio.sleep(0)  # a real sandbox always yields to the loop
        return self._handler(request)

    async def aclose(self) -> None:
        return None
