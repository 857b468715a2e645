"""arollout: high-throughput rollouts of LLM coding agents on biomedical data.

General layout (one concept per module):

* ``engine`` (:class:`Engine`), ``scheduler`` (admission decisions, no I/O),
  ``episode`` (one episode's loop), ``fairness`` (a per-iteration CPU budget),
  ``run`` (``arollout sample``: a resumable run directory), ``metrics``;
* ``records`` (everything stored, as msgspec Structs), ``config`` (TOML
  configuration), ``errors`` (the one exception hierarchy);
* ``agent/`` (action parsing and feedback), ``llm/`` (server clients and chat
  templates), ``tasks/`` (suites and verifiers), ``store/`` (writer, reader,
  export, stats), ``testing/`` (the SGLang emulator and test doubles);
* ``cli`` (the ``arollout`` command) and ``servers`` (config -> client).

Everything a library user needs is importable from here.
"""

from __future__ import annotations

import msgspec as _msgspec

from arollout.config import (
    Budgets as Budgets,
    RunConfig as RunConfig,
    SamplingConfig as SamplingConfig,
    SandboxConfig as SandboxConfig,
    ServerConfig as ServerConfig,
    load_config as load_config,
)
from arollout.engine import Engine as Engine
from arollout.errors import (
    ArolloutError as ArolloutError,
    ConfigError as ConfigError,
    CorruptRecordError as CorruptRecordError,
    EngineStateError as EngineStateError,
    ProtocolError as ProtocolError,
    ServerError as ServerError,
    ServerTimeout as ServerTimeout,
    ServerUnavailable as ServerUnavailable,
    StoreError as StoreError,
    TaskError as TaskError,
)
from arollout.llm import (
    ByteChatML as ByteChatML,
    Completion as Completion,
    GenerateRequest as GenerateRequest,
    HFChatTemplate as HFChatTemplate,
    LlamaCppClient as LlamaCppClient,
    LLMClient as LLMClient,
    OpenAIClient as OpenAIClient,
    PromptIds as PromptIds,
    SamplingParams as SamplingParams,
    SGLangClient as SGLangClient,
)
from arollout.records import (
    EpisodeStatus as EpisodeStatus,
    Group as Group,
    Message as Message,
    Step as Step,
    Trajectory as Trajectory,
    Turn as Turn,
)
from arollout.run import sample as sample
from arollout.store import (
    TrajectoryWriter as TrajectoryWriter,
    export_dpo as export_dpo,
    export_rl as export_rl,
    export_sft as export_sft,
    read_run as read_run,
    run_stats as run_stats,
    scan_run as scan_run,
)
from arollout.tasks.base import (
    Answer as Answer,
    HarnessSuite as HarnessSuite,
    Program as Program,
    Suite as Suite,
    Task as Task,
    Verdict as Verdict,
)
from arollout.tasks.registry import get_suite as get_suite, list_suites as list_suites
from arollout.tokens import Logprobs as Logprobs, TokenIds as TokenIds

__version__ = "0.1.0"

__all__ = (
    "Answer",
    "ArolloutError",
    "Budgets",
    "ByteChatML",
    "Completion",
    "ConfigError",
    "CorruptRecordError",
    "Engine",
    "EngineStateError",
    "EpisodeStatus",
    "GenerateRequest",
    "Group",
    "HFChatTemplate",
    "HarnessSuite",
    "LLMClient",
    "LlamaCppClient",
    "Logprobs",
    "Message",
    "OpenAIClient",
    "Program",
    "PromptIds",
    "ProtocolError",
    "RunConfig",
    "SGLangClient",
    "SamplingConfig",
    "SamplingParams",
    "SandboxConfig",
    "ServerConfig",
    "ServerError",
    "ServerTimeout",
    "ServerUnavailable",
    "Step",
    "StoreError",
    "Suite",
    "Task",
    "TaskError",
    "TokenIds",
    "Trajectory",
    "TrajectoryWriter",
    "Turn",
    "Verdict",
    "export_dpo",
    "export_rl",
    "export_sft",
    "get_suite",
    "list_suites",
    "load_config",
    "read_run",
    "run_stats",
    "sample",
    "scan_run",
)

# Tracebacks and reprs say ``arollout.Engine``, not the private module path.
# msgspec Structs keep theirs: msgspec resolves their (string) annotations in the
# namespace of the module named by ``__module__``.
for _name in __all__:
    _obj = globals()[_name]
    if (
        isinstance(_obj, type)
        and _obj.__module__.startswith("arollout.")
        and not issubclass(_obj, _msgspec.Struct)
    ):
        _obj.__module__ = "arollout"
del _name, _obj
