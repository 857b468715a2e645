"""An SGLang-protocol inference server for tests and benchmarks.

It speaks the subset of SGLang's HTTP API that arollout uses (``/generate``
token-in/token-out with logprobs, the control endpoints, and
``/v1/chat/completions``), tokenizes with a built-in tokenizer
(:class:`~arollout.llm.chat.PackedChatML` by default, whose token counts are
close to a real model's; :class:`~arollout.llm.chat.ByteChatML` on request),
and lets a scripted :class:`~arollout.testing.policies.Policy` decide what the
assistant says. Three knobs make it useful beyond unit tests:

* a latency model: prefill rate, per-request decode rate and an aggregate
  token-rate cap that slows every request down as the batch grows, like a
  GPU's continuous batching; ``LatencyModel()`` (the ``instant`` preset)
  answers synchronously without creating a task;
* fault injection from a seeded RNG: HTTP 5xx, hangs, dropped connections and
  malformed bodies (invalid JSON, or a logprob list shorter than
  ``completion_tokens``);
* control-plane state: a per-routing-key prefix cache (``cached_tokens``),
  abort by rid with partial tokens, pause in ``abort``/``retract``/``in_place``
  modes, and weight updates that bump ``weight_version`` (requests decoding
  across an update report ``weight_versions`` spans).

In-process: ``async with open_emulator(policy=...) as emu: emu.url``.
Out of process: :func:`serve` blocks under uvloop.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from typing import TYPE_CHECKING, Final, final

import anyio
import msgspec

from arollout.testing.httpserver import serve_http
from arollout.testing.policies import OraclePolicy, Policy
from arollout.testing.server_state import (
    EmulatorStatistics,
    Faults,
    LatencyModel,
    ServerState,
    TokenizerName,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

__all__ = (
    "LATENCY_PRESETS",
    "Emulator",
    "EmulatorConfig",
    "EmulatorStatistics",
    "Faults",
    "LatencyModel",
    "open_emulator",
    "serve",
)

log = logging.getLogger(__name__)

#: Illustrative settings, not measurements: ``gpu-7b`` is the order of
#: magnitude of a 7B model on one H100 (thousands of prefill tokens per
#: millisecond-scale step, tens of decode tokens/s per request, a few thousand
#: decode tokens/s for the whole batch).
LATENCY_PRESETS: Final[dict[str, LatencyModel]] = {
    "instant": LatencyModel(),
    "gpu-7b": LatencyModel(
        prefill_tok_s=20000.0, decode_tok_s=80.0, max_batch_tok_s=6000.0, overhead_s=0.005
    ),
    "cpu-small": LatencyModel(prefill_tok_s=2000.0, decode_tok_s=40.0, max_batch_tok_s=200.0),
}


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class EmulatorConfig:
    """Everything the emulator needs; policy objects make it code, not TOML.

    Attributes:
        policy: what the assistant says.
        latency: the timing model (default: instant).
        faults: injected failures (default: none).
        context_len: requests with prompt + ``max_new_tokens`` above it get 400.
        weight_version: the initial version reported.
        model_path: reported by ``/get_model_info``.
        seed: seeds the fault and policy RNG.
        cache_entries: how many routing keys the prefix cache remembers.
        tokenizer: ``"packed"`` (:class:`~arollout.llm.chat.PackedChatML`) or
            ``"byte"`` (:class:`~arollout.llm.chat.ByteChatML`); clients must
            render their ``input_ids`` with the same one.
    """

    policy: Policy
    latency: LatencyModel = LatencyModel()
    faults: Faults = Faults()
    context_len: int = 32768
    weight_version: str = "0"
    model_path: str = "arollout/byte-chatml-emulator"
    seed: int = 0
    cache_entries: int = 100_000
    tokenizer: TokenizerName = "packed"


@final
class Emulator:
    """A running in-process emulator (see :func:`open_emulator`)."""

    def __init__(self, state: ServerState, host: str, port: int) -> None:
        self.state = state
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def statistics(self) -> EmulatorStatistics:
        return self.state.statistics()


@contextlib.asynccontextmanager
async def open_emulator(
    *,
    policy: Policy | None = None,
    latency: LatencyModel | None = None,
    faults: Faults | None = None,
    config: EmulatorConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
) -> AsyncIterator[Emulator]:
    """Serve an emulator in the current event loop for the block's duration.

    Either pass ``config`` or the individual pieces (``policy`` defaults to an
    :class:`OraclePolicy` that knows no question).
    """
    if config is None:
        config = EmulatorConfig(
            policy=policy if policy is not None else OraclePolicy({}),
            latency=latency if latency is not None else LatencyModel(),
            faults=faults if faults is not None else Faults(),
        )
    elif policy is not None or latency is not None or faults is not None:
        raise ValueError("pass either `config` or policy/latency/faults, not both")
    state = _make_state(config)
    async with anyio.create_task_group() as tg:
        bound_host, bound_port = await tg.start(serve_http, state.handle, host, port)
        try:
            yield Emulator(state, bound_host, bound_port)
        finally:
            tg.cancel_scope.cancel()


def _make_state(config: EmulatorConfig) -> ServerState:
    return ServerState(
        config.policy,
        latency=config.latency,
        faults=config.faults,
        context_len=config.context_len,
        weight_version=config.weight_version,
        model_path=config.model_path,
        seed=config.seed,
        cache_entries=config.cache_entries,
        tokenizer=config.tokenizer,
    )


def serve(config: EmulatorConfig, host: str = "127.0.0.1", port: int = 30000) -> None:
    """Run the emulator in this process, under uvloop, until interrupted."""

    async def main() -> None:
        state = _make_state(config)
        async with anyio.create_task_group() as tg:
            bound = await tg.start(serve_http, state.handle, host, port)
            log.info(
                "emulator listening on http://%s:%d (%s)",
                bound[0],
                bound[1],
                msgspec.json.encode(config.latency).decode(),
            )

    with contextlib.suppress(KeyboardInterrupt):
        anyio.run(main, backend="asyncio", backend_options={"use_uvloop": True})
