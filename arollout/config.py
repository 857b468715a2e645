"""Run configuration: frozen, keyword-only Structs loaded from TOML.

One :class:`RunConfig` describes a sampling run completely; it is written,
resolved, to ``config.toml`` in the run directory so a run can be reproduced
and resumed. Unknown keys are errors (typos must not silently become
defaults), and every error names the key and how to fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import msgspec
import orjson

from arollout.errors import ConfigError

__all__ = (
    "DEFAULT_CONFIG",
    "Budgets",
    "RunConfig",
    "SamplingConfig",
    "SandboxConfig",
    "ServerConfig",
    "dump_config",
    "load_config",
)

ServerKind = Literal["sglang", "openai", "llamacpp"]
Policy = Literal["oracle", "noisy", "replay"]


class _Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class ServerConfig(_Config, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where completions come from.

    Attributes:
        url: ``emulator`` (in-process SGLang emulator), ``local`` (the embedded
            llama.cpp model) or an ``http(s)://`` base URL.
        kind: protocol spoken at ``url``: SGLang ``/generate`` (token in/out),
            OpenAI chat completions, or llama.cpp ``/completion``.
        model: model name sent to OpenAI-compatible servers.
        tokenizer: local tokenizer directory for token-in/token-out servers
            (``None``: the built-in byte tokenizer, which only the emulator uses).
        context_len: the server's context length in tokens.
        policy / noise_rate / replay: the emulator's scripted policy.
        latency: the emulator's latency preset (``instant``, ``gpu-7b``, ``cpu-small``).
        request_timeout_s: deadline of one generation request.
        retries: bounded retries for connection errors and 5xx.
    """

    url: str = "emulator"
    kind: ServerKind = "sglang"
    model: str = "default"
    tokenizer: str | None = None
    context_len: int = 32768
    policy: Policy = "oracle"
    noise_rate: float = 0.3
    replay: str | None = None
    latency: str = "instant"
    request_timeout_s: float = 600.0
    retries: int = 3


class SamplingConfig(_Config, frozen=True, kw_only=True, forbid_unknown_fields=True):
    max_new_tokens: int = 2048
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = -1


class Budgets(_Config, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Per-episode budgets; exhausting one ends the episode with its status."""

    max_turns: int = 10
    max_tokens: int = 32768
    episode_timeout_s: float = 1800.0
    observation_chars: int = 4000


class SandboxConfig(_Config, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where agent code runs.

    ``backend = "host"`` is the namespace jail on this machine
    (``sandboxes.SandboxPool``); ``"docker"`` is one long-lived container per
    slot (``sandboxes.DockerPool``, image from ``scripts/setup-docker.sh``
    unless ``image`` names another), with the suite's data bound read-only
    when the pool starts. ``lean`` (host backend, zygote mode) keeps a second,
    numpy/pandas/sqlite3-only zygote per slot for the runs that import nothing
    else, which costs each such run less CPU (see ``SandboxPool(lean=...)``).
    """

    backend: Literal["host", "docker"] = "host"
    image: str | None = None
    slots: int | None = None
    mode: Literal["zygote", "cold"] = "zygote"
    strict: bool = False
    wall_s: float = 30.0
    memory_mb: int = 2048
    python: str | None = None
    lean: bool = True


class RunConfig(_Config, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Everything ``arollout sample`` needs."""

    suite: str = "ehr-demo"
    suite_options: dict[str, Any] = {}
    split: str | None = None
    limit: int | None = None
    n: int = 1
    concurrency: int = 256
    seed: int = 0
    out: str = "runs/latest"
    metrics_interval_s: float = 5.0
    progress: bool = True
    server: ServerConfig = ServerConfig()
    sampling: SamplingConfig = SamplingConfig()
    budgets: Budgets = Budgets()
    sandbox: SandboxConfig = SandboxConfig()

    def __post_init__(self) -> None:
        _positive("n", self.n)
        _positive("concurrency", self.concurrency)
        if self.limit is not None:
            _positive("limit", self.limit)
        _positive("budgets.max_turns", self.budgets.max_turns)
        _positive("sampling.max_new_tokens", self.sampling.max_new_tokens)
        if not 0.0 <= self.server.noise_rate <= 1.0:
            raise ConfigError(
                f"server.noise_rate must be within [0, 1], got {self.server.noise_rate}"
            )
        url = self.server.url
        if url not in ("emulator", "local") and not url.startswith(("http://", "https://")):
            raise ConfigError(
                f"server.url must be 'emulator', 'local' or an http(s):// URL, got {url!r}"
            )


def _positive(key: str, value: int) -> None:
    if value < 1:
        raise ConfigError(f"{key} must be >= 1, got {value}")


DEFAULT_CONFIG = RunConfig()


def load_config(path: str | Path | None = None, **overrides: Any) -> RunConfig:
    """Load a TOML file (or the defaults) and apply dotted-key overrides.

    ``overrides`` use dotted keys for nested tables, e.g.
    ``load_config("configs/sample.toml", **{"server.url": "http://gpu:30000"})``.
    ``None`` values are ignored so CLI flags that were not given keep the file's value.
    """
    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        try:
            data = msgspec.toml.decode(p.read_bytes())
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {p}") from None
        except msgspec.DecodeError as exc:
            raise ConfigError(f"{p}: not valid TOML: {exc}") from exc
    for dotted, value in overrides.items():
        if value is None:
            continue
        node = data
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    try:
        return msgspec.convert(data, RunConfig)
    except msgspec.ValidationError as exc:
        where = f"{path}: " if path else ""
        raise ConfigError(f"{where}invalid configuration: {exc}") from exc


def dump_config(config: RunConfig) -> str:
    """TOML of the resolved configuration (written into each run directory).

    A small writer of our own: the config holds only scalars, lists of scalars
    and tables, and msgspec's TOML encoder needs an extra dependency.
    """
    return _toml_table(msgspec.to_builtins(config), prefix="")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return orjson.dumps(value).decode()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ConfigError(f"cannot write {type(value).__name__} to TOML")


def _toml_table(table: dict[str, Any], prefix: str) -> str:
    scalars: list[str] = []
    tables: list[str] = []
    for key, value in table.items():
        if value is None:
            continue  # TOML has no null: absent means the default
        if isinstance(value, dict):
            name = f"{prefix}.{key}" if prefix else key
            tables.append(f"\n[{name}]\n" + _toml_table(value, name))
        else:
            scalars.append(f"{key} = {_toml_value(value)}\n")
    return "".join(scalars) + "".join(tables)
