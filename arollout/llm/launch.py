"""``arollout serve sglang``: start SGLang on a GPU node with the flags rollouts need.

SGLang stays an external process behind HTTP (the style guide's rule for it):
arollout never imports ``sglang.srt``. This module only builds the
``python -m sglang.launch_server`` command line and replaces the current
process with it, so signals, exit status and logs are SGLang's own.

Flags chosen for trajectory sampling (more with ``--sglang-arg``):

* ``--skip-tokenizer-init``: the engine sends and receives token ids
  (token-in/token-out) and renders chat templates itself;
* ``--enable-metrics``: ``/metrics`` for admission and the GPU-node benchmark.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import TYPE_CHECKING

from arollout.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ("serve_sglang", "sglang_command")


def sglang_command(
    model: str,
    *,
    host: str = "127.0.0.1",
    port: int = 30000,
    tp: int = 1,
    dp: int = 1,
    extra: Sequence[str] = (),
    python: str | None = None,
) -> list[str]:
    """The ``sglang.launch_server`` command line for ``model``."""
    if not model:
        raise ConfigError("serve sglang needs --model (a local model directory or a hub id)")
    if tp < 1 or dp < 1:
        raise ConfigError(f"--tp and --dp must be >= 1, got tp={tp} dp={dp}")
    if not 0 < port < 65536:
        raise ConfigError(f"--port must be between 1 and 65535, got {port}")
    return [
        python or sys.executable,
        "-m",
        "sglang.launch_server",
        "--model-path",
        model,
        "--host",
        host,
        "--port",
        str(port),
        "--tp-size",
        str(tp),
        "--dp-size",
        str(dp),
        "--skip-tokenizer-init",
        "--enable-metrics",
        *extra,
    ]


def serve_sglang(model: str, **options: object) -> None:
    """Exec SGLang in place of this process (never returns on success).

    Raises:
        ConfigError: SGLang is not installed in this interpreter, or a flag is invalid.
    """
    command = sglang_command(model, **options)  # type: ignore[arg-type]
    if importlib.util.find_spec("sglang") is None:
        raise ConfigError(
            "SGLang is not installed in this environment: install it on the GPU node with "
            "`pip install 'arollout[sglang]'` (or point --server at an SGLang server started elsewhere)"
        )
    sys.stderr.write("arollout: exec " + " ".join(command) + "\n")
    sys.stderr.flush()
    os.execv(command[0], command)
