"""SGLang's native ``/generate`` API: token ids in, token ids and logprobs out.

This is the only client whose turns are fit for RL training data: the request
carries the exact prompt ids, and the reply's ids and logprobs are read from
``meta_info.output_token_logprobs`` (never by re-encoding ``text``) and checked
against ``completion_tokens`` and ``output_ids`` before they are trusted.

The wire contract (fields, defaults, version differences) is described in the
project's SGLang notes; :data:`GENERATE_FIELDS` and :data:`SAMPLING_FIELDS`
are what this module sends, and a contract test checks them against SGLang's
own ``GenerateReqInput`` and ``SamplingParams`` definitions.

Hot-path costs are kept low on purpose (thousands of episodes share one event
loop): request bodies are msgspec Structs encoded by one shared encoder,
replies are decoded by one typed decoder straight into Structs, and requests
go through :class:`arollout.llm.http1.Http1Pool` rather than httpx, whose
per-request CPU cost is several times the engine's whole per-turn budget.
"""

from __future__ import annotations

import enum
import random
from typing import TYPE_CHECKING, Any, Final, Literal, final

import anyio
import msgspec

from arollout.errors import EngineStateError, ProtocolError, ServerError
from arollout.llm.base import (
    Completion,
    FinishReason,
    GenerateRequest,
    SamplingParams,
    ids_json_parts,
)
from arollout.llm.http1 import open_backend
from arollout.llm.retry import (
    RetryPolicy,
    check_status,
    retrying,
    translate_error,
    translate_errors,
)
from arollout.tokens import Logprobs, TokenIds

if TYPE_CHECKING:
    import httpx

__all__ = ("GENERATE_FIELDS", "ROUTING_HEADER", "SAMPLING_FIELDS", "PauseMode", "SGLangClient")

#: Header a router (sgl-router / SMG) uses for per-episode stickiness.
ROUTING_HEADER: Final = "X-SMG-Routing-Key"


class _FixedSampling(msgspec.Struct, omit_defaults=True, gc=False):
    # The sampling parameters that stay the same from one request to the next;
    # encoded once per distinct value (see ``SGLangClient._sampling``). Fields
    # without a default are always sent; ``None`` ones are omitted.
    temperature: float
    top_p: float
    top_k: int
    stop_token_ids: list[int]
    skip_special_tokens: bool
    spaces_between_special_tokens: bool
    no_stop_trim: bool
    stop: list[str] | None = None


class _GenerateBody(msgspec.Struct, omit_defaults=True, gc=False):
    rid: str
    sampling_params: msgspec.Raw
    return_logprob: bool
    logprob_start_len: int
    stream: bool
    routing_key: str | None = None
    cache_salt: str | None = None


#: Top-level ``/generate`` fields this client may send (checked by the contract test);
#: ``input_ids`` is appended to the encoded body by ``_body``.
GENERATE_FIELDS: Final[tuple[str, ...]] = ("input_ids", *_GenerateBody.__struct_fields__)
#: ``sampling_params`` keys this client may send (checked by the contract test):
#: the two that change per request, then the fixed ones.
SAMPLING_FIELDS: Final[tuple[str, ...]] = (
    "max_new_tokens",
    "sampling_seed",
    *_FixedSampling.__struct_fields__,
)


class _Finish(msgspec.Struct, gc=False):
    type: str
    matched: int | str | None = None
    length: int | None = None
    message: str | None = None


class _Meta(msgspec.Struct, gc=False):
    # Only the keys read below are declared; msgspec skips the rest unparsed.
    finish_reason: _Finish | None
    completion_tokens: int
    id: str = ""
    prompt_tokens: int = 0
    cached_tokens: int = 0
    weight_version: str | None = None
    e2e_latency: float = 0.0
    output_token_logprobs: list[tuple[float, int, Any]] = []


class _Reply(msgspec.Struct, gc=False):
    meta_info: _Meta
    text: str = ""
    # Raw: compared as text with our own encoding of the logprob ids, so the
    # echo costs no decoding (see _completion).
    output_ids: msgspec.Raw = msgspec.Raw(b"null")
    token_ids: msgspec.Raw = msgspec.Raw(b"null")


#: Keys of ``meta_info`` that this client reads (checked by the contract test).
META_FIELDS: Final[tuple[str, ...]] = _Meta.__struct_fields__

_ENCODER: Final = msgspec.json.Encoder()
_REPLY_DECODER: Final = msgspec.json.Decoder(_Reply)
_ANY_DECODER: Final = msgspec.json.Decoder()
_IDS_DECODER: Final = msgspec.json.Decoder(list[int])
_FINISH: Final[dict[str, FinishReason]] = {"stop": "stop", "length": "length", "abort": "abort"}
_GENERATE: Final = "POST /generate"
_SAMPLING_CACHE_SIZE: Final = 256
_SamplingKey = tuple[float, float, int, tuple[int, ...], tuple[str, ...]]

PauseMode = Literal["abort", "retract", "in_place"]


class _State(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


@final
class SGLangClient:
    """Async client of one SGLang worker (or a router in front of several).

    Use it as ``async with SGLangClient(url, concurrency=2048) as client``.

    Args:
        base_url: e.g. ``http://10.0.0.5:30000``.
        concurrency: requests in flight at once; sizes the connection pool.
        context_len: the model's context length; when known, ``max_new_tokens``
            is clamped so prompt + output fit.
        timeout_s: deadline of one ``/generate`` attempt (retries get their own).
        control_timeout_s: deadline of control calls (health, pause, ...).
        retry: backoff policy for timeouts, dropped connections and 5xx.
        cache_salt: sent as ``cache_salt`` so prefix-cache entries of another
            policy version are never reused; :meth:`update_weights_from_disk`
            sets it to the new version.
        api_key: optional bearer token (``--api-key`` of the server).
        transport: an httpx transport (tests); by default ``http://`` URLs use
            the lean keep-alive pool of :mod:`arollout.llm.http1`.
        seed: seeds the backoff jitter.
    """

    token_in: Final = True

    def __init__(
        self,
        base_url: str,
        *,
        concurrency: int = 256,
        context_len: int | None = None,
        timeout_s: float = 600.0,
        control_timeout_s: float = 60.0,
        retry: RetryPolicy | None = None,
        cache_salt: str | None = None,
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
        self._control_timeout = control_timeout_s
        self._retry = retry if retry is not None else RetryPolicy()
        self._rng = random.Random(seed)
        self.context_len = context_len
        self.cache_salt = cache_salt
        self._state = _State.OPEN
        self._sampling_cache: dict[_SamplingKey, bytes] = {}

    async def __aenter__(self) -> SGLangClient:
        if self._state is _State.CLOSED:
            raise EngineStateError("SGLangClient is closed; create a new one")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (idempotent)."""
        self._state = _State.CLOSED
        await self._http.aclose()

    # ------------------------------------------------------------------ generate

    def _sampling(self, sampling: SamplingParams, budget: int) -> msgspec.Raw:
        """``sampling_params`` as JSON; the fixed part is encoded once per value.

        The engine builds a fresh :class:`SamplingParams` every turn (the seed
        and the budget change), so the cache is keyed on the values that do not.
        """
        key = (
            sampling.temperature,
            sampling.top_p,
            sampling.top_k,
            sampling.stop_token_ids,
            sampling.stop,
        )
        fixed = self._sampling_cache.get(key)
        if fixed is None:
            if len(self._sampling_cache) >= _SAMPLING_CACHE_SIZE:
                self._sampling_cache.clear()
            fixed = _ENCODER.encode(
                _FixedSampling(
                    temperature=sampling.temperature,
                    top_p=sampling.top_p,
                    top_k=sampling.top_k,
                    stop_token_ids=list(sampling.stop_token_ids),
                    skip_special_tokens=False,
                    spaces_between_special_tokens=False,
                    no_stop_trim=True,
                    stop=list(sampling.stop) if sampling.stop else None,
                )
            )[1:]  # without "{": the per-request keys go first
            self._sampling_cache[key] = fixed
        seed = sampling.seed
        if seed is None:
            return msgspec.Raw(b'{"max_new_tokens":%d,%b' % (budget, fixed))
        return msgspec.Raw(b'{"max_new_tokens":%d,"sampling_seed":%d,%b' % (budget, seed, fixed))

    def _body(self, request: GenerateRequest, rid: str) -> list[bytes]:
        """The request body as parts: the fixed fields, then ``input_ids`` last.

        The context ids are the bulk of every body (tens of KB late in an
        episode); sent as their own parts (a
        :class:`PromptIds`' cached pieces) they are copied only into the
        socket buffer, not into the encoded body or a joined request.
        """
        ids = request.input_ids
        if ids is None:
            raise ValueError("SGLangClient needs `input_ids` (token-in); render the prompt first")
        sampling = request.sampling
        budget = sampling.max_new_tokens
        if self.context_len is not None:
            room = self.context_len - len(ids)
            if room < 1:
                raise ServerError(
                    f"prompt of {len(ids)} tokens leaves no room in a context of "
                    f"{self.context_len}; start a new segment or end the episode"
                )
            budget = min(budget, room)
        if budget < 1:
            # A zero budget makes SGLang return a phantom logprob entry.
            raise ValueError(f"`max_new_tokens` must be >= 1, got {sampling.max_new_tokens}")
        body = _GenerateBody(
            rid=rid,
            sampling_params=self._sampling(sampling, budget),
            return_logprob=True,
            logprob_start_len=-1,
            stream=False,
            routing_key=request.routing_key,
            cache_salt=self.cache_salt,
        )
        fixed = _ENCODER.encode(body)  # '{...}': reopened to append input_ids
        return [fixed[:-1], b',"input_ids":', *ids_json_parts(ids), b"}"]

    async def generate(self, request: GenerateRequest) -> Completion:
        """One token-in/token-out generation, retried on transient failures.

        A retried attempt uses the request id ``{rid}.r{n}``: the first attempt
        may still be running on the server after a client-side timeout, and the
        server refuses duplicate ids. The timed-out attempt is aborted
        best-effort before the retry so it does not keep decoding.

        Raises:
            ProtocolError: the reply violates the contract (not retried).
            ServerError: the server failed after the bounded retries.
        """
        if self._state is _State.CLOSED:
            raise EngineStateError("SGLangClient is closed")
        headers = {ROUTING_HEADER: request.routing_key} if request.routing_key else None
        # The retry loop is written out (rather than ``retrying`` with a
        # closure) so that a successful first attempt costs one coroutine call.
        policy = self._retry
        index = 0
        while True:
            rid = request.rid if index == 0 else f"{request.rid}.r{index}"
            try:
                return await self._attempt(request, rid, headers)
            except ServerError as exc:
                index += 1
                if not exc.retryable or index >= policy.attempts:
                    raise
            await anyio.sleep(policy.delay(index - 1, self._rng))

    async def _attempt(
        self, request: GenerateRequest, rid: str, headers: dict[str, str] | None
    ) -> Completion:
        content = self._body(request, rid)
        try:
            status, data = await self._http.request("POST", "/generate", content, headers)
            if status >= 300:
                check_status(status, data, _GENERATE)
            reply = _REPLY_DECODER.decode(data)
        except ServerError:
            raise  # an HTTP status: the server answered, nothing to abort
        except Exception as exc:
            error = translate_error(exc, _GENERATE)
            if error is None:
                raise
            if error.retryable:  # timed out or dropped: the request may still run
                await self._abort_quietly(rid)
            raise error from exc
        return _completion(reply)

    async def _abort_quietly(self, rid: str) -> None:
        try:
            await self._call(
                "POST", "/abort_request", {"rid": rid, "abort_all": False}, retry=False
            )
        except ServerError:
            pass

    # ------------------------------------------------------------------ control

    async def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, retry: bool = True
    ) -> Any:
        what = f"{method} {path}"

        async def attempt(_: int) -> Any:
            with translate_errors(what):
                status, data = await self._http.request(
                    method,
                    path,
                    None if body is None else _ENCODER.encode(body),
                    timeout_s=self._control_timeout,
                )
            check_status(status, data, what)
            if not data:
                return None
            try:
                return _ANY_DECODER.decode(data)
            except msgspec.DecodeError:
                return data.decode("utf-8", "replace")

        policy = self._retry if retry else RetryPolicy(attempts=1)
        return await retrying(policy, self._rng, attempt)

    async def _get_first(self, *paths: str) -> dict[str, Any]:
        """GET the first path that exists (servers renamed several routes)."""
        last: ServerError | None = None
        for path in paths:
            try:
                result = await self._call("GET", path)
            except ServerError as exc:
                if exc.status_code != 404:
                    raise
                last = exc
                continue
            if not isinstance(result, dict):
                raise ProtocolError(f"GET {path} did not return a JSON object")
            return result
        assert last is not None
        raise last

    async def health(self) -> bool:
        """True when ``/health`` answers 200 (no retries: this is a probe)."""
        try:
            await self._call("GET", "/health", retry=False)
        except ServerError:
            return False
        return True

    async def health_generate(self) -> bool:
        """True when a 1-token probe generation succeeds; gate start-up on it."""
        try:
            await self._call("GET", "/health_generate", retry=False)
        except ServerError:
            return False
        return True

    async def model_info(self) -> dict[str, Any]:
        """``{model_path, tokenizer_path, weight_version, ...}``, for the manifest."""
        return await self._get_first("/model_info", "/get_model_info")

    async def server_info(self) -> dict[str, Any]:
        """Every server argument plus scheduler state, for the manifest."""
        return await self._get_first("/server_info", "/get_server_info")

    async def abort(self, rid: str | None = None) -> None:
        """Abort one request by id, or every request when ``rid`` is None.

        Send it to the worker, not a router: routers do not forward it.
        """
        body: dict[str, Any] = {"rid": rid or "", "abort_all": rid is None}
        await self._call("POST", "/abort_request", body)

    async def pause(self, mode: PauseMode = "in_place") -> None:
        """Pause generation; the mode is always sent (old servers default to abort)."""
        await self._call("POST", "/pause_generation", {"mode": mode})

    async def resume(self) -> None:
        """Continue after :meth:`pause`."""
        await self._call("POST", "/continue_generation", {})

    async def flush_cache(self) -> None:
        """Drop the prefix cache (the server refuses while requests run)."""
        await self._call("POST", "/flush_cache")

    async def update_weights_from_disk(self, path: str, version: str) -> dict[str, Any]:
        """Load new weights and tag them ``version``; later requests are salted with it.

        Raises:
            ServerError: the server reported ``success: false``.
        """
        result = await self._call(
            "POST",
            "/update_weights_from_disk",
            {"model_path": path, "weight_version": version},
            retry=False,
        )
        if not isinstance(result, dict) or not result.get("success", False):
            raise ServerError(f"update_weights_from_disk({path!r}) failed: {result!r}")
        self.cache_salt = version
        return result


def _completion(reply: _Reply) -> Completion:
    """Validate a decoded reply and turn it into a :class:`Completion`."""
    meta = reply.meta_info
    finish = meta.finish_reason
    if finish is None:
        raise ProtocolError(f"request {meta.id!r}: reply has no finish_reason")
    reason = _FINISH.get(finish.type)
    if reason is None:
        raise ProtocolError(f"request {meta.id!r}: unknown finish_reason {finish.type!r}")
    triples = meta.output_token_logprobs
    if len(triples) != meta.completion_tokens:
        raise ProtocolError(
            f"request {meta.id!r}: {len(triples)} output logprobs for "
            f"{meta.completion_tokens} completion tokens"
        )
    # One transposition (C) into tuples, then one packed copy each: a third
    # less CPU than two passes of itemgetter over the triples.
    logprobs, ids, _ = zip(*triples, strict=True) if triples else ((), (), ())
    encoded = _ENCODER.encode(ids)
    echoed = bytes(reply.output_ids)
    if echoed == b"null":
        echoed = bytes(reply.token_ids)
    if echoed != b"null" and echoed != encoded and not _same_ids(echoed, ids):
        raise ProtocolError(f"request {meta.id!r}: output_ids differ from the logprob token ids")
    return Completion(
        text=reply.text,
        output_ids=TokenIds(ids),
        logprobs=Logprobs(logprobs),
        finish_reason=reason,
        prompt_tokens=meta.prompt_tokens,
        completion_tokens=meta.completion_tokens,
        cached_tokens=meta.cached_tokens,
        weight_version=meta.weight_version,
        latency_s=meta.e2e_latency,
        ids_json=encoded,
    )


def _same_ids(echoed: bytes, ids: tuple[int, ...]) -> bool:
    """Slow path of the echo check: ``echoed`` is not byte-equal to our compact
    encoding (a server that puts spaces in its JSON), so decode and compare."""
    try:
        return tuple(_IDS_DECODER.decode(echoed)) == ids
    except msgspec.DecodeError:
        return False
