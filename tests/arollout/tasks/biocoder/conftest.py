from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest

from arollout.tasks.biocoder import BiocoderSuite
from sandboxes.api import ExecResult, ExecStatus

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from arollout.tasks.base import Task


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def biocoder_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("biocoder-cache")


@pytest.fixture(scope="session")
def full_suite(biocoder_cache: Path) -> BiocoderSuite:
    """The default-size suite, built once per test session into a private cache."""
    suite = BiocoderSuite(cache_dir=biocoder_cache)
    suite.tasks()
    return suite


@pytest.fixture(scope="session")
def small_suite(biocoder_cache: Path) -> BiocoderSuite:
    """Two instances per family."""
    suite = BiocoderSuite(per_family=2, cache_dir=biocoder_cache)
    suite.tasks()
    return suite


@pytest.fixture
def run_here(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> Callable[[BiocoderSuite, Task, str], tuple[ExecResult, str]]:
    """``run_here(suite, task, code)``: the real harness program, run in this process."""

    def run(suite: BiocoderSuite, task: Task, code: str) -> tuple[ExecResult, str]:
        return run_in_process(suite, task, code, tmp_path, capfd)

    return run


def run_in_process(suite: BiocoderSuite, task: Task, code: str, workdir: Path, capfd: pytest.CaptureFixture[str]) -> tuple[ExecResult, str]:
    """Run the real harness program of ``code`` in this process (cwd ``workdir``).

    Only for code that does not exit the process; returns the result and its nonce.
    """
    from arollout.tasks import grading

    nonce = grading.new_nonce()
    program = suite.program(task, code, nonce)
    for name, data in program.files.items():
        (workdir / name).write_bytes(data)
    capfd.readouterr()
    old = os.getcwd()
    os.chdir(workdir)
    status, rc = ExecStatus.OK, 0
    try:
        exec(compile(program.code, "<harness>", "exec"), {"__name__": "__main__"})
    except SystemExit as exc:  # the harness exits 1 after printing a traceback
        status, rc = ExecStatus.RUNTIME_ERROR, int(exc.code or 0)
    finally:
        os.chdir(old)
        import sys

        sys.modules.pop("submission", None)
    out, err = capfd.readouterr()
    return ExecResult(status=status, returncode=rc, stdout=out, stderr=err), nonce


@pytest.fixture
def parse_report() -> Callable[[str, str], dict[str, object]]:
    return report_of


def report_of(stdout: str, nonce: str) -> dict[str, object]:
    line = next(ln for ln in stdout.splitlines() if ln.startswith(f"ARESULT {nonce} "))
    data = json.loads(line.split(" ", 2)[2])
    assert isinstance(data, dict)
    return data
