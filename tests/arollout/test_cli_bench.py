from __future__ import annotations

import pytest

from arollout.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["engine", "--levels", "64,x"], "--levels must be comma-separated integers"),
        (["engine", "--repeats", "0"], "--repeats must be >= 1"),
        (["sandbox", "--backend", "docker", "--allocator", "malloc"], "host backend only"),
        (["sandbox", "--repeats", "0"], "repeats must be >= 1"),
    ],
)
def test_bench_bad_flags_are_a_clear_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused before anything starts: no emulator, no pool, no traceback."""
    assert main(["bench", *argv, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("arollout: error:") and message in captured.err
    assert "Traceback" not in captured.err and captured.out == ""
