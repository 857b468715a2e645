"""Test doubles shipped with arollout.

Layout: ``emulator`` (an SGLang-protocol server: :func:`open_emulator` in
process, :func:`serve` as a process), ``server_state`` (its routes, latency
model and fault injection), ``httpserver`` (the minimal HTTP/1.1 server under
it), ``policies`` (scripted assistants: oracle, noisy, replay) and ``fakes``
(an in-memory token-in/token-out client and a scripted sandbox).
"""

from __future__ import annotations

from arollout.testing.emulator import (
    LATENCY_PRESETS as LATENCY_PRESETS,
    Emulator as Emulator,
    EmulatorConfig as EmulatorConfig,
    EmulatorStatistics as EmulatorStatistics,
    Faults as Faults,
    LatencyModel as LatencyModel,
    open_emulator as open_emulator,
    serve as serve,
)
from arollout.testing.fakes import FakeSandbox as FakeSandbox, ScriptedClient as ScriptedClient
from arollout.testing.policies import (
    NoisyPolicy as NoisyPolicy,
    OraclePolicy as OraclePolicy,
    Policy as Policy,
    ReplayPolicy as ReplayPolicy,
    format_action as format_action,
)

__all__ = (
    "Emulator",
    "EmulatorConfig",
    "EmulatorStatistics",
    "FakeSandbox",
    "Faults",
    "LATENCY_PRESETS",
    "LatencyModel",
    "NoisyPolicy",
    "OraclePolicy",
    "Policy",
    "ReplayPolicy",
    "ScriptedClient",
    "format_action",
    "open_emulator",
    "serve",
)
