"""OpenAI-compatible ``/v1/chat/completions``: API models, vLLM, llama.cpp.

The server renders the chat history itself, so turns from this client are for
evaluation and baselines, not RL training data (``token_in`` is False). Token
ids are reported only when the server adds them to the logprobs (llama.cpp's
``id``); logprobs without ids are dropped so that a :class:`Completion` always
has one logprob per output id. A server that ignores ``logprobs`` yields empty
lists, which means "not supported", never an error.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Final, final

import msgspec

from arollout.errors import EngineStateError, ProtocolError
from arollout.llm.base import Completion, FinishReason, GenerateRequest
from arollout.llm.http1 import open_backend
from arollout.llm.retry import RetryPolicy, check_status, retrying, translate_errors
from arollout.records import Message
from arollout.tokens import Logprobs, TokenIds

if TYPE_CHECKING:
    import httpx

__all__ = ("OpenAIClient",)


class _Body(msgspec.Struct, omit_defaults=True, gc=False):
    model: str
    messages: list[Message]
    max_tokens: int
    temperature: float
    top_p: float
    seed: int | None = None
    stop: list[str] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None


class _TokenLogprob(msgspec.Struct, gc=False):
    logprob: float
    id: int | None = None


class _Logprobs(msgspec.Struct, gc=False):
    content: list[_TokenLogprob] | None = None


class _ReplyMessage(msgspec.Struct, gc=False):
    content: str | None = None


class _Choice(msgspec.Struct, gc=False):
    message: _ReplyMessage
    finish_reason: str | None = None
    logprobs: _Logprobs | None = None


class _PromptDetails(msgspec.Struct, gc=False):
    cached_tokens: int | None = 0


class _Usage(msgspec.Struct, gc=False):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt_tokens_details: _PromptDetails | None = None


class _Reply(msgspec.Struct, gc=False):
    choices: list[_Choice]
    usage: _Usage | None = None


_ENCODER: Final = msgspec.json.Encoder()
_DECODER: Final = msgspec.json.Decoder(_Reply)
_WHAT: Final = "POST /v1/chat/completions"
_FINISH: Final[dict[str, FinishReason]] = {"length": "length", "abort": "abort"}


@final
class OpenAIClient:
    """Client of an OpenAI-compatible chat endpoint.

    Args:
        base_url: the server root, e.g. ``http://127.0.0.1:8080`` or
            ``https://api.example.com``; ``/v1/chat/completions`` is appended.
        model: the model name the server expects.
        api_key: bearer token; only from this argument, never from the
            environment, so a key cannot leak into sandboxes by accident.
        logprobs: ask for per-token logprobs.
        concurrency, timeout_s, retry, transport, seed: as for
            :class:`arollout.llm.sglang.SGLangClient`.
    """

    token_in: Final = False

    def __init__(
        self,
        base_url: str,
        *,
        model: str,
        api_key: str | None = None,
        logprobs: bool = True,
        concurrency: int = 256,
        timeout_s: float = 600.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        seed: int | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else None
        root = base_url.rstrip("/")
        self._path = "/chat/completions" if root.endswith("/v1") else "/v1/chat/completions"
        self._http = open_backend(
            root, concurrency=concurrency, headers=headers, timeout=timeout_s, transport=transport
        )
        self._model = model
        self._logprobs = logprobs
        self._retry = retry if retry is not None else RetryPolicy()
        self._rng = random.Random(seed)
        self._closed = False

    async def __aenter__(self) -> OpenAIClient:
        if self._closed:
            raise EngineStateError("OpenAIClient is closed; create a new one")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        await self._http.aclose()

    async def generate(self, request: GenerateRequest) -> Completion:
        """One chat completion, retried on transient failures."""
        if self._closed:
            raise EngineStateError("OpenAIClient is closed")
        if request.messages is None:
            raise ValueError("OpenAIClient needs `messages` (the server renders the chat)")
        sampling = request.sampling
        body = _ENCODER.encode(
            _Body(
                model=self._model,
                messages=request.messages,
                max_tokens=sampling.max_new_tokens,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                seed=sampling.seed,
                stop=list(sampling.stop) if sampling.stop else None,
                logprobs=True if self._logprobs else None,
                # 1, not 0: llama.cpp's server (7e4c0a9) drops all logprobs at 0.
                top_logprobs=1 if self._logprobs else None,
            )
        )

        async def attempt(_: int) -> Completion:
            with translate_errors(_WHAT):
                status, data = await self._http.request("POST", self._path, body)
                check_status(status, data, _WHAT)
                reply = _DECODER.decode(data)
            return _completion(reply)

        return await retrying(self._retry, self._rng, attempt)


def _completion(reply: _Reply) -> Completion:
    if not reply.choices:
        raise ProtocolError(f"{_WHAT} returned no choices")
    choice = reply.choices[0]
    usage = reply.usage or _Usage()
    entries = choice.logprobs.content if choice.logprobs is not None else None
    ids: list[int] = []
    logprobs: list[float] = []
    if entries and all(e.id is not None for e in entries):
        ids = [e.id for e in entries if e.id is not None]
        logprobs = [e.logprob for e in entries]
    details = usage.prompt_tokens_details
    return Completion(
        text=choice.message.content or "",
        output_ids=TokenIds(ids),
        logprobs=Logprobs(logprobs),
        finish_reason=_FINISH.get(choice.finish_reason or "stop", "stop"),
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cached_tokens=(details.cached_tokens or 0) if details is not None else 0,
    )
