"""Turn ``ServerConfig`` into a running client (and, in-process, a server).

``open_server`` is the single place that knows which client speaks which
protocol and which chat template goes with it:

========== ============================ =============================
url        client                       template (token in/out)
========== ============================ =============================
emulator   SGLangClient -> in-process   PackedChatML (built-in)
           emulator (oracle/noisy/
           replay policy from the suite)
http(s)    SGLangClient (kind=sglang)   HFChatTemplate(--tokenizer)
           LlamaCppClient (llamacpp)    HFChatTemplate(--tokenizer)
           (emulator by URL)            --tokenizer builtin:packed
           OpenAIClient (openai)        none: chat mode
local      LlamaCppClient (sglang,      HFChatTemplate from the GGUF
           llamacpp) -> llama-server    file's own vocabulary
           started here (llm/local.py)
           OpenAIClient (openai)        none: chat mode
========== ============================ =============================

The server is probed before any episode starts, so an unreachable URL is one
clear error instead of thousands of failed episodes.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Final, final

from arollout.errors import ConfigError, ServerError
from arollout.llm.chat import ByteChatML, HFChatTemplate, PackedChatML

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence

    from arollout.config import ServerConfig
    from arollout.episode import ChatRenderer
    from arollout.llm.base import LLMClient
    from arollout.llm.chat import ChatTemplate
    from arollout.tasks.base import Suite
    from arollout.testing.policies import Policy

__all__ = ("BUILTIN_PREFIX", "Server", "build_policy", "open_server", "serve_emulator_forever")

#: ``--tokenizer builtin:packed`` (or ``builtin:byte``): an emulator reached by URL.
BUILTIN_PREFIX: Final = "builtin:"

# The local model (SmolLM2-135M) was trained on 8192-token contexts: each of the
# local server's slots gets at most that; a few slots batch concurrent turns.
_LOCAL_TRAINED_CONTEXT: Final = 8192
_LOCAL_SLOTS: Final = 4


@final
class Server:
    """An open client plus what the engine needs to know about its server."""

    def __init__(
        self,
        client: LLMClient,
        template: ChatRenderer | None,
        info: dict[str, Any],
        *,
        context_len: int | None = None,
    ) -> None:
        self.client = client
        self.template = template
        self.info = info
        #: The context the server really has, when it is smaller than configured
        #: (the local model's slots); None: ``ServerConfig.context_len`` holds.
        self.context_len = context_len


def build_policy(
    policy: str,
    suite: Suite,
    *,
    noise_rate: float = 0.3,
    replay: str | None = None,
    seed: int = 0,
) -> Policy:
    """The emulator policy named ``policy``, knowing ``suite``'s reference solutions."""
    from arollout.testing.policies import NoisyPolicy, OraclePolicy, ReplayPolicy

    solutions = {task.question: task.reference_solution for task in suite.tasks(None)}
    if policy == "oracle":
        return OraclePolicy(solutions)
    if policy == "noisy":
        return NoisyPolicy(solutions, noise_rate, seed)
    if policy == "replay":
        if replay is None:
            raise ConfigError("--policy replay needs --replay RUN_DIR (a run to repeat)")
        return ReplayPolicy(_recorded_texts(replay))
    raise ConfigError(f"unknown emulator policy {policy!r}; use oracle, noisy or replay")


def _recorded_texts(run_dir: str) -> Mapping[str, Sequence[str]]:
    from arollout.store.reader import iter_trajectories

    texts: dict[str, list[str]] = {}
    for trajectory in iter_trajectories(run_dir):
        question = next((m.content for m in trajectory.messages if m.role == "user"), None)
        if question is not None and question not in texts:
            texts[question] = [turn.text for turn in trajectory.turns]
    if not texts:
        raise ConfigError(f"--replay {run_dir}: no trajectories found to replay")
    return texts


@contextlib.asynccontextmanager
async def open_server(
    config: ServerConfig, *, suite: Suite, concurrency: int, seed: int = 0
) -> AsyncIterator[Server]:
    """Open the client for ``config`` (starting the emulator when asked)."""
    from arollout.llm.llamacpp import LlamaCppClient
    from arollout.llm.openai import OpenAIClient
    from arollout.llm.sglang import SGLangClient

    async with contextlib.AsyncExitStack() as stack:
        if config.url == "emulator":
            from arollout.testing.emulator import LATENCY_PRESETS, EmulatorConfig, open_emulator

            if config.latency not in LATENCY_PRESETS:
                known = ", ".join(sorted(LATENCY_PRESETS))
                raise ConfigError(f"unknown emulator latency {config.latency!r}; use one of {known}")
            policy = build_policy(
                config.policy, suite, noise_rate=config.noise_rate, replay=config.replay, seed=seed
            )
            emulator = await stack.enter_async_context(
                open_emulator(
                    config=EmulatorConfig(
                        policy=policy,
                        context_len=config.context_len,
                        latency=LATENCY_PRESETS[config.latency],
                    )
                )
            )
            client = await stack.enter_async_context(
                SGLangClient(
                    emulator.url,
                    concurrency=concurrency,
                    context_len=config.context_len,
                    timeout_s=config.request_timeout_s,
                )
            )
            info: dict[str, Any] = {"kind": "emulator", "policy": config.policy, "url": emulator.url}
            yield Server(client, PackedChatML(), info)
            return
        if config.url == "local":
            import anyio

            from arollout.llm.gguf_vocab import chat_template_from_gguf
            from arollout.llm.local import find_model_file, open_local_server

            local_template = None
            if config.kind != "openai":  # built first: a missing package fails before the start
                local_template = await anyio.to_thread.run_sync(
                    chat_template_from_gguf, find_model_file()
                )
            local = await stack.enter_async_context(
                open_local_server(
                    context_len=min(config.context_len, _LOCAL_TRAINED_CONTEXT),
                    slots=max(1, min(_LOCAL_SLOTS, concurrency)),
                )
            )
            local_client: LlamaCppClient | OpenAIClient
            if local_template is None:
                local_client = OpenAIClient(
                    local.url,
                    model=local.alias,
                    concurrency=concurrency,
                    timeout_s=config.request_timeout_s,
                )
            else:
                local_client = LlamaCppClient(
                    local.url, concurrency=concurrency, timeout_s=config.request_timeout_s
                )
            await stack.enter_async_context(local_client)
            kind = "openai" if local_template is None else "llamacpp"
            yield Server(
                local_client,
                local_template,
                {"kind": kind, "local": local.info()},
                context_len=min(config.context_len, _LOCAL_TRAINED_CONTEXT),
            )
            return
        if config.kind in ("openai", "llamacpp"):
            await _probe(config.url, "/v1/models" if config.kind == "openai" else "/health")
        if config.kind == "openai":
            chat = await stack.enter_async_context(
                OpenAIClient(
                    config.url,
                    model=config.model,
                    concurrency=concurrency,
                    timeout_s=config.request_timeout_s,
                )
            )
            yield Server(chat, None, {"kind": "openai", "url": config.url, "model": config.model})
            return
        if config.tokenizer is None:
            raise ConfigError(
                f"--server-kind {config.kind} is token-in/token-out: pass --tokenizer DIR "
                "(the model's tokenizer.json directory), or use --server-kind openai"
            )
        template = _url_template(config.tokenizer)
        if config.kind == "llamacpp":
            token_client: LlamaCppClient | SGLangClient = await stack.enter_async_context(
                LlamaCppClient(
                    config.url, concurrency=concurrency, timeout_s=config.request_timeout_s
                )
            )
            yield Server(token_client, template, {"kind": "llamacpp", "url": config.url})
            return
        sglang = await stack.enter_async_context(
            SGLangClient(
                config.url,
                concurrency=concurrency,
                context_len=config.context_len,
                timeout_s=config.request_timeout_s,
            )
        )
        try:
            info = {
                "kind": "sglang",
                "url": config.url,
                "model_info": await sglang.model_info(),
                "server_info": _small(await sglang.server_info()),
            }
        except ServerError as exc:
            raise ConfigError(f"cannot reach the SGLang server at {config.url}: {exc}") from exc
        yield Server(sglang, template, info)


def _url_template(tokenizer: str) -> ChatTemplate:
    """The chat template for a token-in/token-out URL.

    ``builtin:packed`` / ``builtin:byte`` select the emulator's own tokenizers,
    so an emulator started with ``arollout serve emulator`` can be driven over
    its URL exactly like a real SGLang server; anything else is a tokenizer
    directory.
    """
    if tokenizer.startswith(BUILTIN_PREFIX):
        name = tokenizer.removeprefix(BUILTIN_PREFIX)
        builtin = {"packed": PackedChatML, "byte": ByteChatML}.get(name)
        if builtin is None:
            raise ConfigError(
                f"unknown built-in tokenizer {tokenizer!r}; use builtin:packed or builtin:byte"
            )
        return builtin()
    return HFChatTemplate.from_path(tokenizer)


async def _probe(url: str, path: str) -> None:
    """One request before any episode starts: an unreachable server is a config error."""
    import httpx

    try:
        async with httpx.AsyncClient(timeout=10.0) as http:
            response = await http.get(url.rstrip("/") + path)
    except httpx.HTTPError as exc:
        raise ConfigError(f"cannot reach the server at {url}: {exc!r}") from exc
    if response.status_code >= 500:
        raise ConfigError(f"the server at {url} answered {path} with HTTP {response.status_code}")


def _small(info: dict[str, Any]) -> dict[str, Any]:
    """The server facts worth keeping in a manifest (not every ServerArgs field)."""
    keys = ("version", "model_path", "tp_size", "dp_size", "context_length", "chunked_prefill_size")
    return {k: info[k] for k in keys if k in info}


def serve_emulator_forever(
    *,
    host: str,
    port: int,
    suite: str,
    policy: str,
    noise_rate: float,
    latency: str,
) -> None:
    """``arollout serve emulator``: the emulator as its own process."""
    from arollout.tasks.registry import get_suite
    from arollout.testing.emulator import LATENCY_PRESETS, EmulatorConfig, serve

    presets = {"instant": "instant", "gpu": "gpu-7b"}
    model = LATENCY_PRESETS[presets.get(latency, latency)]
    config = EmulatorConfig(
        policy=build_policy(policy, get_suite(suite), noise_rate=noise_rate), latency=model
    )
    serve(config, host=host, port=port)
