"""The emulator's model of an SGLang server: routes, scheduler state, timing.

Decisions (what to generate, which fault to inject, what the prefix cache
holds) are plain synchronous code; only the simulated compute time awaits.
With the instant latency model and no pause in force, ``/generate`` is
answered synchronously, so the HTTP layer creates no task for it.
"""

from __future__ import annotations

import math
import random
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Final, Literal, final

import anyio
import msgspec

from arollout.llm.chat import ByteChatML, PackedChatML
from arollout.records import Message
from arollout.testing.httpserver import DropConnection, Request, Response

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from arollout.testing.policies import Policy

__all__ = (
    "TEMPLATES",
    "EmulatorStatistics",
    "Faults",
    "LatencyModel",
    "ServerState",
    "TokenizerName",
)

_TICK_S: Final = 0.02  # decode progresses in steps of about this length
_ENCODER: Final = msgspec.json.Encoder()
_ANY: Final = msgspec.json.Decoder()

TokenizerName = Literal["packed", "byte"]
#: The built-in tokenizers the emulator can speak; the engine must render with
#: the same one (``PackedChatML`` unless configured otherwise).
TEMPLATES: Final[dict[str, type[PackedChatML] | type[ByteChatML]]] = {
    "packed": PackedChatML,
    "byte": ByteChatML,
}


def _logprob(token: int) -> float:
    """A deterministic, cheap stand-in for the model's logprob of a token id."""
    return -((token * 7919) % 1000) / 400.0 - 0.001


@final
class LatencyModel(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Simulated compute time; 0 means instant for every rate.

    Attributes:
        prefill_tok_s: prompt tokens per second not served from the prefix cache.
        decode_tok_s: output tokens per second of one request alone.
        max_batch_tok_s: output tokens per second of all requests together; with
            ``n`` requests decoding, each gets ``min(decode, cap / n)``.
        overhead_s: fixed time per request (scheduling, network).
    """

    prefill_tok_s: float = 0.0
    decode_tok_s: float = 0.0
    max_batch_tok_s: float = 0.0
    overhead_s: float = 0.0

    @property
    def instant(self) -> bool:
        return not (self.prefill_tok_s or self.decode_tok_s or self.overhead_s)


@final
class Faults(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Per-request probabilities of injected failures (generation routes only)."""

    error_rate: float = 0.0  # HTTP 503
    hang_rate: float = 0.0  # never answers (until the client disconnects)
    drop_rate: float = 0.0  # closes the connection without an answer
    malformed_rate: float = 0.0  # invalid JSON or a short logprob list
    seed: int = 0


@final
class EmulatorStatistics(msgspec.Struct, frozen=True, kw_only=True):
    requests: int
    generated_tokens: int
    in_flight: int
    aborted: int
    faults: int
    weight_version: str
    paused: str | None


class _Sampling(msgspec.Struct, gc=False):
    max_new_tokens: int = 128
    stop_token_ids: list[int] | None = None


class _GenerateIn(msgspec.Struct, gc=False):
    rid: str | None = None
    text: str | None = None
    input_ids: list[int] | None = None
    sampling_params: _Sampling = msgspec.field(default_factory=_Sampling)
    stream: bool = False
    routing_key: str | None = None
    cache_salt: str | None = None


class _ChatIn(msgspec.Struct, gc=False):
    messages: list[Message]
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    logprobs: bool = False


_GENERATE_IN: Final = msgspec.json.Decoder(_GenerateIn)
_CHAT_IN: Final = msgspec.json.Decoder(_ChatIn)


def _json(status: int, payload: object) -> Response:
    return status, _ENCODER.encode(payload)


def _error(status: int, message: str) -> Response:
    return _json(status, {"error": {"message": message, "code": status}})


class _Flight:
    __slots__ = ("aborted", "produced", "retractions", "rid", "scope", "spans")

    def __init__(self, rid: str, version: str) -> None:
        self.rid = rid
        self.produced = 0
        self.aborted = False
        self.retractions = 0
        self.scope: anyio.CancelScope | None = None
        self.spans: list[tuple[str, int]] = [(version, 0)]


@final
class ServerState:
    """Routes and state of one emulated server."""

    def __init__(
        self,
        policy: Policy,
        *,
        latency: LatencyModel,
        faults: Faults,
        context_len: int,
        weight_version: str,
        model_path: str,
        seed: int,
        cache_entries: int,
        tokenizer: TokenizerName = "packed",
    ) -> None:
        factory = TEMPLATES.get(tokenizer)
        if factory is None:
            raise ValueError(
                f"unknown tokenizer {tokenizer!r}; expected one of {sorted(TEMPLATES)}"
            )
        self.template: PackedChatML | ByteChatML = factory()
        self._stop = self.template.im_end
        self.policy = policy
        self.latency = latency
        self.faults = faults
        self.context_len = context_len
        self.weight_version = weight_version
        self.model_path = model_path
        self._rng = random.Random(seed)
        self._fault_rng = random.Random(faults.seed)
        self._fault_p = faults.error_rate + faults.hang_rate + faults.drop_rate
        self._fault_p += faults.malformed_rate
        self._cache: OrderedDict[tuple[str, str | None], list[int]] = OrderedDict()
        self._cache_entries = cache_entries
        self._flights: dict[str, _Flight] = {}
        self._decoding = 0
        self._paused: str | None = None
        self._resumed = anyio.Event()
        self._resumed.set()
        self.requests = 0
        self.generated_tokens = 0
        self.aborted = 0
        self.fault_count = 0
        self._routes: dict[str, Callable[[Request], Response | Awaitable[Response]]] = {
            "/generate": self._generate,
            "/v1/chat/completions": self._chat,
            "/health": self._health,
            "/health_generate": self._health,
            "/model_info": self._model_info,
            "/get_model_info": self._model_info,
            "/server_info": self._server_info,
            "/get_server_info": self._server_info,
            "/get_weight_version": lambda _: _json(200, {"weight_version": self.weight_version}),
            "/flush_cache": self._flush_cache,
            "/abort_request": self._abort_request,
            "/pause_generation": self._pause,
            "/continue_generation": self._continue,
            "/update_weights_from_disk": self._update_weights,
        }

    def statistics(self) -> EmulatorStatistics:
        return EmulatorStatistics(
            requests=self.requests,
            generated_tokens=self.generated_tokens,
            in_flight=len(self._flights),
            aborted=self.aborted,
            faults=self.fault_count,
            weight_version=self.weight_version,
            paused=self._paused,
        )

    def handle(self, request: Request) -> Response | Awaitable[Response]:
        route = self._routes.get(request.path)
        if route is None:
            return _error(404, f"no route {request.path}")
        try:
            return route(request)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
            return _error(400, str(exc))

    # ------------------------------------------------------------------ generation

    def _draw_fault(self) -> str | None:
        if not self._fault_p:
            return None
        f = self.faults
        draw = self._fault_rng.random()
        for name, p in (
            ("error", f.error_rate),
            ("hang", f.hang_rate),
            ("drop", f.drop_rate),
            ("malformed", f.malformed_rate),
        ):
            if draw < p:
                self.fault_count += 1
                return name
            draw -= p
        return None

    def _plan(self, messages: Sequence[Message], budget: int, stops: list[int] | None) -> list[int]:
        text = self.policy.reply(messages, self._rng)
        ids = self.template.encode(text)
        ids.append(self._stop)
        if stops:
            extra = set(stops) - {self._stop}
            if extra:
                for index, token in enumerate(ids):
                    if token in extra:
                        del ids[index + 1 :]
                        break
        return ids[:budget] if len(ids) > budget else ids

    def _cached(self, key: tuple[str, str | None], prompt: list[int]) -> int:
        previous = self._cache.get(key)
        if previous is None:
            return 0
        self._cache.move_to_end(key)
        n = len(previous)
        if n <= len(prompt) and prompt[:n] == previous:
            return n
        hit = 0
        for a, b in zip(previous, prompt, strict=False):
            if a != b:
                break
            hit += 1
        return hit

    def _remember(self, key: tuple[str, str | None], sequence: list[int]) -> None:
        self._cache[key] = sequence
        if len(self._cache) > self._cache_entries:
            self._cache.popitem(last=False)

    def _generate(self, request: Request) -> Response | Awaitable[Response]:
        self.requests += 1
        body = _GENERATE_IN.decode(request.body)
        if body.stream:
            return _error(400, "the emulator does not stream; send stream=false")
        if body.input_ids is not None:
            prompt = body.input_ids
        elif body.text is not None:
            prompt = self.template.encode_with_specials(body.text)
        else:
            return _error(400, "one of `text` or `input_ids` is required")
        budget = body.sampling_params.max_new_tokens
        if budget < 1 or len(prompt) + budget > self.context_len:
            return _error(
                400,
                f"requested {len(prompt)} prompt + {budget} new tokens; "
                f"the context length is {self.context_len}",
            )
        rid = body.rid or f"emu-{self.requests}"
        fault = self._draw_fault()
        if fault == "error":
            return _error(503, "injected server error")
        if fault == "drop":
            raise DropConnection
        messages = self.template.parse(prompt)
        planned = self._plan(messages, budget, body.sampling_params.stop_token_ids)
        key = (
            request.headers.get("x-smg-routing-key") or body.routing_key or rid.rpartition("-")[0],
            body.cache_salt,
        )
        cached = self._cached(key, prompt)
        if fault is None and self.latency.instant and self._paused is None:
            self._remember(key, prompt + planned)
            flight = _Flight(rid, self.weight_version)
            flight.produced = len(planned)
            return self._generate_reply(flight, planned, prompt, cached, budget, 0.0, None)
        return self._generate_slow(rid, key, prompt, planned, cached, budget, fault)

    async def _generate_slow(
        self,
        rid: str,
        key: tuple[str, str | None],
        prompt: list[int],
        planned: list[int],
        cached: int,
        budget: int,
        fault: str | None,
    ) -> Response:
        started = anyio.current_time()
        if fault == "hang":
            await anyio.sleep_forever()
        flight = _Flight(rid, self.weight_version)
        self._flights[rid] = flight
        try:
            await self._simulate(flight, len(planned), len(prompt) - cached)
        finally:
            del self._flights[rid]
        if not flight.aborted:
            self._remember(key, prompt + planned)
        elapsed = anyio.current_time() - started
        return self._generate_reply(flight, planned, prompt, cached, budget, elapsed, fault)

    async def _simulate(self, flight: _Flight, n_out: int, uncached: int) -> None:
        """Wait the simulated time of one request; an abort ends it early."""
        lat = self.latency
        with anyio.CancelScope() as scope:
            flight.scope = scope
            while self._paused is not None:
                await self._resumed.wait()
            prefill = lat.overhead_s + (uncached / lat.prefill_tok_s if lat.prefill_tok_s else 0.0)
            if prefill:
                await anyio.sleep(prefill)
            if not lat.decode_tok_s:
                flight.produced = n_out
                return
            self._decoding += 1
            try:
                while flight.produced < n_out:
                    while self._paused is not None:
                        await self._resumed.wait()
                    rate = lat.decode_tok_s
                    if lat.max_batch_tok_s:
                        rate = min(rate, lat.max_batch_tok_s / self._decoding)
                    step = min(n_out - flight.produced, max(1, math.ceil(rate * _TICK_S)))
                    await anyio.sleep(step / rate)
                    if flight.spans[-1][0] != self.weight_version:
                        flight.spans.append((self.weight_version, flight.produced))
                    flight.produced += step
            finally:
                self._decoding -= 1
        flight.scope = None

    def _generate_reply(
        self,
        flight: _Flight,
        planned: list[int],
        prompt: list[int],
        cached: int,
        budget: int,
        elapsed: float,
        fault: str | None,
    ) -> Response:
        out = planned[: flight.produced]
        self.generated_tokens += len(out)
        if flight.aborted:
            self.aborted += 1
            finish: dict[str, Any] = {"type": "abort", "message": "Abort by request"}
        elif out and out[-1] == self._stop or (out and len(out) < budget):
            finish = {"type": "stop", "matched": out[-1]}
        else:
            finish = {"type": "length", "length": len(out)}
        # _logprob inlined: this list is built for every generated token.
        triples = [(-((t * 7919) % 1000) / 400.0 - 0.001, t, None) for t in out]
        if fault == "malformed" and triples and self._fault_rng.random() < 0.5:
            triples.pop()
        meta: dict[str, Any] = {
            "id": flight.rid,
            "finish_reason": finish,
            "prompt_tokens": len(prompt),
            "completion_tokens": len(out),
            "cached_tokens": cached,
            "weight_version": self.weight_version,
            "e2e_latency": elapsed,
            "num_retractions": flight.retractions,
            "output_token_logprobs": triples,
        }
        if len(flight.spans) > 1:
            spans = [*flight.spans, ("", len(out))]
            meta["weight_versions"] = [
                {"version": v, "start": s, "end": spans[i + 1][1]}
                for i, (v, s) in enumerate(spans[:-1])
            ]
        payload = _ENCODER.encode(
            {"text": self.template.decode(out), "output_ids": out, "meta_info": meta}
        )
        if fault == "malformed" and len(triples) == len(out):
            payload = payload[: len(payload) // 2]
        return 200, payload

    def _chat(self, request: Request) -> Response | Awaitable[Response]:
        self.requests += 1
        body = _CHAT_IN.decode(request.body)
        budget = body.max_completion_tokens or body.max_tokens or 1024
        fault = self._draw_fault()
        if fault == "error":
            return _error(503, "injected server error")
        if fault == "drop":
            raise DropConnection
        prompt = self.template.render(body.messages)
        planned = self._plan(body.messages, budget, None)
        if fault is None and self.latency.instant and self._paused is None:
            return self._chat_reply(planned, len(planned), len(prompt), body.logprobs)

        async def slow() -> Response:
            if fault == "hang":
                await anyio.sleep_forever()
            flight = _Flight(f"chat-{self.requests}", self.weight_version)
            self._flights[flight.rid] = flight
            try:
                await self._simulate(flight, len(planned), len(prompt))
            finally:
                del self._flights[flight.rid]
            status, payload = self._chat_reply(planned, flight.produced, len(prompt), body.logprobs)
            return status, payload[:-5] if fault == "malformed" else payload

        return slow()

    def _chat_reply(
        self, planned: list[int], produced: int, n_prompt: int, logprobs: bool
    ) -> Response:
        out = planned[:produced]
        self.generated_tokens += len(out)
        stopped = bool(out) and out[-1] == self._stop
        content_ids = out[:-1] if stopped else out
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": self.template.decode(content_ids)},
            "finish_reason": "stop" if stopped else "length",
        }
        if logprobs:
            choice["logprobs"] = {
                "content": [
                    {
                        "id": t,
                        "token": self.template.decode([t]),
                        "logprob": _logprob(t),
                        "top_logprobs": [],
                    }
                    for t in content_ids
                ]
            }
        return _json(
            200,
            {
                "id": f"chatcmpl-{self.requests}",
                "object": "chat.completion",
                "model": self.model_path,
                "choices": [choice],
                "usage": {
                    "prompt_tokens": n_prompt,
                    "completion_tokens": len(content_ids),
                    "total_tokens": n_prompt + len(content_ids),
                    "prompt_tokens_details": {"cached_tokens": 0},
                },
            },
        )

    # ------------------------------------------------------------------ control

    def _body(self, request: Request) -> dict[str, Any]:
        if not request.body:
            return {}
        data = _ANY.decode(request.body)
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data

    def _health(self, request: Request) -> Response:
        return 200, b"{}"

    def _model_info(self, request: Request) -> Response:
        return _json(
            200,
            {
                "model_path": self.model_path,
                "tokenizer_path": self.model_path,
                "is_generation": True,
                "preferred_sampling_params": None,
                "weight_version": self.weight_version,
            },
        )

    def _server_info(self, request: Request) -> Response:
        return _json(
            200,
            {
                "version": "arollout-emulator",
                "model_path": self.model_path,
                "context_length": self.context_len,
                "skip_tokenizer_init": False,
                "incremental_streaming_output": False,
                "internal_states": [{"paused": self._paused, "running": len(self._flights)}],
            },
        )

    def _flush_cache(self, request: Request) -> Response:
        if self._flights:
            return _error(400, f"{len(self._flights)} requests are running; pause first")
        self._cache.clear()
        return 200, b'{"success": true}'

    def _abort(self, flight: _Flight) -> None:
        flight.aborted = True
        if flight.scope is not None:
            flight.scope.cancel()

    def _abort_request(self, request: Request) -> Response:
        body = self._body(request)
        if body.get("abort_all"):
            for flight in list(self._flights.values()):
                self._abort(flight)
        else:
            target = self._flights.get(str(body.get("rid", "")))
            if target is not None:
                self._abort(target)
        return 200, b"{}"

    def _pause(self, request: Request) -> Response:
        mode = str(self._body(request).get("mode", "abort"))
        if mode not in ("abort", "retract", "in_place"):
            return _error(400, f"unknown pause mode {mode!r}")
        if self._paused is None:
            self._resumed = anyio.Event()
        self._paused = mode
        for flight in list(self._flights.values()):
            if mode == "abort":
                self._abort(flight)
            elif mode == "retract":
                flight.retractions += 1
        return _json(200, {"message": "Generation paused successfully.", "status": "ok"})

    def _continue(self, request: Request) -> Response:
        self._paused = None
        self._resumed.set()
        return _json(200, {"message": "Generation continued successfully.", "status": "ok"})

    def _update_weights(self, request: Request) -> Response:
        body = self._body(request)
        if not body.get("model_path"):
            return _json(400, {"success": False, "message": "model_path is required"})
        version = body.get("weight_version")
        if version is None:
            version = str(int(self.weight_version) + 1) if self.weight_version.isdigit() else "1"
        self.weight_version = str(version)
        self.model_path = str(body["model_path"])
        if body.get("flush_cache", True):
            self._cache.clear()
        return _json(
            200,
            {
                "success": True,
                "message": "Succeeded to update model weights.",
                "num_paused_requests": 0,
            },
        )
