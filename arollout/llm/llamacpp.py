"""llama.cpp ``llama-server``'s native ``/completion`` with a token-id prompt.

The closest llama.cpp has to SGLang's ``/generate``: the prompt is a list of
ids, ``return_tokens`` gives the sampled ids and ``n_probs: 1`` the per-token
probabilities, so a local CPU model can produce trajectories with token ids.
``completion_probabilities`` changed layout across llama.cpp versions; each
entry is read as one of:

* ``{"id", "logprob", ...}`` (current servers);
* ``{"id", "prob", ...}`` (``post_sampling_probs``: a probability);
* ``{"content", "probs": [{"tok_str" | "id", "prob"}, ...]}`` (older servers:
  the sampled token's probability is the entry matching it, else the first).

``stop_type`` ``eos``/``word`` map to ``stop``, ``limit`` to ``length``;
anything else (``none``) to ``abort``.

Stops, as ``llama-server`` 7e4c0a9 reports them: on an end-of-generation token
(``eos``: SmolLM2's ``<|im_end|>``) ``tokens`` and the probabilities both end
with that id, so the output already closes the turn. On a stop *string*
(``word``) ``tokens`` holds every sampled id but the probabilities cover only
the ids whose text is in ``content``; the ids that carried the stop string are
dropped, so ids, logprobs and text stay aligned (the engine then closes the
turn itself, as after a truncated one).
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any, Final, final

import msgspec

from arollout.errors import EngineStateError, ProtocolError
from arollout.llm.base import Completion, FinishReason, GenerateRequest, ids_json
from arollout.llm.http1 import open_backend
from arollout.llm.retry import RetryPolicy, check_status, retrying, translate_errors
from arollout.tokens import Logprobs, TokenIds

if TYPE_CHECKING:
    import httpx

__all__ = ("LlamaCppClient",)


class _Body(msgspec.Struct, omit_defaults=True, gc=False):
    prompt: msgspec.Raw  # base.ids_json: a PromptIds' cached JSON
    n_predict: int
    temperature: float
    top_p: float
    top_k: int
    return_tokens: bool
    n_probs: int
    cache_prompt: bool
    seed: int | None = None
    stop: list[str] | None = None


class _Reply(msgspec.Struct, gc=False):
    content: str = ""
    tokens: list[int] | None = None
    completion_probabilities: list[dict[str, Any]] | None = None
    stop_type: str = "none"
    tokens_evaluated: int | None = None
    tokens_predicted: int | None = None
    timings: dict[str, Any] | None = None


_ENCODER: Final = msgspec.json.Encoder()
_DECODER: Final = msgspec.json.Decoder(_Reply)
_WHAT: Final = "POST /completion"
_FINISH: Final[dict[str, FinishReason]] = {"eos": "stop", "word": "stop", "limit": "length"}


def _entry_logprob(entry: dict[str, Any]) -> tuple[int | None, float]:
    """(token id if given, logprob) of one ``completion_probabilities`` entry."""
    token = entry.get("id")
    if "logprob" in entry:
        return token, float(entry["logprob"])
    if "prob" in entry:
        return token, _log(entry["prob"])
    probs = entry.get("probs")
    if isinstance(probs, list) and probs:
        chosen = probs[0]
        for candidate in probs:
            if ("id" in candidate and candidate["id"] == token) or (
                candidate.get("tok_str") == entry.get("content")
            ):
                chosen = candidate
                break
        return token, _log(chosen.get("prob", 0.0))
    raise ProtocolError(f"{_WHAT}: unknown completion_probabilities entry {entry!r:.200}")


def _log(p: Any) -> float:
    value = float(p)
    return math.log(value) if value > 0.0 else -math.inf


@final
class LlamaCppClient:
    """Token-in/token-out client of ``llama-server``.

    Args:
        base_url: e.g. ``http://127.0.0.1:8080``.
        Others: as for :class:`arollout.llm.sglang.SGLangClient`.
    """

    token_in: Final = True

    def __init__(
        self,
        base_url: str,
        *,
        concurrency: int = 8,
        timeout_s: float = 600.0,
        retry: RetryPolicy | None = None,
        api_key: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        seed: int | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else None
        self._http = open_backend(
            base_url,
            concurrency=concurrency,
            headers=headers,
            timeout=timeout_s,
            transport=transport,
        )
        self._retry = retry if retry is not None else RetryPolicy()
        self._rng = random.Random(seed)
        self._closed = False

    async def __aenter__(self) -> LlamaCppClient:
        if self._closed:
            raise EngineStateError("LlamaCppClient is closed; create a new one")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        await self._http.aclose()

    async def generate(self, request: GenerateRequest) -> Completion:
        """One generation from prompt ids; retried on transient failures."""
        if self._closed:
            raise EngineStateError("LlamaCppClient is closed")
        if request.input_ids is None:
            raise ValueError("LlamaCppClient needs `input_ids` (token-in)")
        sampling = request.sampling
        body = _ENCODER.encode(
            _Body(
                prompt=msgspec.Raw(ids_json(request.input_ids)),
                n_predict=sampling.max_new_tokens,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                top_k=sampling.top_k if sampling.top_k > 0 else 0,
                return_tokens=True,
                n_probs=1,
                cache_prompt=True,
                seed=sampling.seed,
                stop=list(sampling.stop) if sampling.stop else None,
            )
        )
        n_prompt = len(request.input_ids)

        async def attempt(_: int) -> Completion:
            with translate_errors(_WHAT):
                status, data = await self._http.request("POST", "/completion", body)
                check_status(status, data, _WHAT)
                reply = _DECODER.decode(data)
            return _completion(reply, n_prompt)

        return await retrying(self._retry, self._rng, attempt)


def _completion(reply: _Reply, n_prompt: int) -> Completion:
    pairs = [_entry_logprob(e) for e in reply.completion_probabilities or []]
    ids = reply.tokens
    if ids is None:
        if any(token is None for token, _ in pairs):
            raise ProtocolError(f"{_WHAT}: no `tokens` and no ids in completion_probabilities")
        ids = [token for token, _ in pairs if token is not None]
    logprobs = [lp for _, lp in pairs]
    trimmed = False
    if reply.stop_type == "word" and reply.completion_probabilities is not None:
        trimmed = len(logprobs) < len(ids)
        ids = ids[: len(logprobs)]  # the ids past `content` carried the stop string
    if len(logprobs) != len(ids):
        raise ProtocolError(f"{_WHAT}: {len(logprobs)} probabilities for {len(ids)} tokens")
    if any(token is not None and token != id_ for (token, _), id_ in zip(pairs, ids, strict=True)):
        raise ProtocolError(f"{_WHAT}: completion_probabilities ids differ from `tokens`")
    if not trimmed and reply.tokens_predicted is not None and reply.tokens_predicted != len(ids):
        raise ProtocolError(
            f"{_WHAT}: tokens_predicted={reply.tokens_predicted} but {len(ids)} tokens returned"
        )
    timings = reply.timings or {}
    cached = timings.get("cache_n", 0)
    return Completion(
        text=reply.content,
        output_ids=TokenIds(ids),
        logprobs=Logprobs(logprobs),
        finish_reason=_FINISH.get(reply.stop_type, "abort"),
        prompt_tokens=reply.tokens_evaluated if reply.tokens_evaluated is not None else n_prompt,
        completion_tokens=len(ids),
        cached_tokens=int(cached) if isinstance(cached, int) else 0,
        latency_s=float(timings.get("predicted_ms", 0.0) + timings.get("prompt_ms", 0.0)) / 1000,
    )
