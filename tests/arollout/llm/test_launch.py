"""``arollout serve sglang``: the command line it execs, and a clear error without SGLang."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from arollout.cli import main
from arollout.errors import ConfigError
from arollout.llm.launch import sglang_command


def test_command_has_the_rollout_flags_and_the_extras_last() -> None:
    cmd = sglang_command("/models/qwen", port=31000, tp=2, extra=["--mem-fraction-static", "0.8"])
    assert cmd[:3] == [sys.executable, "-m", "sglang.launch_server"]
    assert cmd[cmd.index("--model-path") + 1] == "/models/qwen"
    assert cmd[cmd.index("--port") + 1] == "31000" and cmd[cmd.index("--tp-size") + 1] == "2"
    assert "--skip-tokenizer-init" in cmd  # token-in/token-out: the engine tokenizes
    assert cmd[-2:] == ["--mem-fraction-static", "0.8"]


@pytest.mark.parametrize(("kwargs", "needle"), [({"tp": 0}, "--tp"), ({"port": 70000}, "--port")])
def test_bad_flags_are_config_errors(kwargs: dict[str, int], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        sglang_command("/m", **kwargs)


def test_cli_without_sglang_installed_says_how_to_fix(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "sglang" else real(name))
    assert main(["serve", "sglang", "--model", "/models/x", "--sglang-arg=--log-level=info"]) == 2
    err = capsys.readouterr().err
    assert "SGLang is not installed" in err and "arollout[sglang]" in err


def test_cli_without_model_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "sglang"]) == 2
    assert "--model" in capsys.readouterr().err
