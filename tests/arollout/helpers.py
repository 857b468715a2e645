"""A tiny in-memory suite for engine and episode tests."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from arollout.tasks.base import Answer, Task, Verdict
from arollout.tasks.verify import check
from sandboxes.api import ExecRequest, ExecResult, ExecStatus, Mount

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path


class TinySuite:
    """``count`` tasks; task i's answer is the integer 100 + i."""

    allow_terminal = False

    def __init__(self, count: int = 4) -> None:
        self._tasks = [
            Task(
                id=f"tiny/{i}",
                suite="tiny",
                category=f"cat{i % 2}",
                split="test",
                question=f"What is 100 + {i}?",
                answer=Answer(kind="integer", value=100 + i),
                reference_solution=f"print(100 + {i})",
            )
            for i in range(count)
        ]

    @property
    def name(self) -> str:
        return "tiny"

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        return self._tasks

    def mounts(self) -> tuple[Mount, ...]:
        return ()

    def instructions(self) -> str:
        return "Answer with code. Print the answer on the last line."

    def request_info(self, task: Task, query: str) -> str:
        return f"info about {query}"

    def verify(self, task: Task, stdout: str) -> Verdict:
        return check(task.answer, stdout)

    def solutions(self) -> dict[str, str]:
        return {t.question: t.reference_solution for t in self._tasks}


def action(name: str, **params: str) -> str:
    return "```json\n" + json.dumps({"action": name, "params": params}) + "\n```"


def python_eval_sandbox(request: ExecRequest) -> ExecResult:
    """Runs ``print(<expr>)`` programs by evaluating the expression (no real isolation)."""
    code = request.code.strip()
    if code.startswith("print(") and code.endswith(")"):
        try:
            value = eval(code[6:-1], {"__builtins__": {}})  # test-only, fixed inputs
        except Exception as exc:
            return ExecResult(
                status=ExecStatus.RUNTIME_ERROR,
                returncode=1,
                stderr=f'Traceback (most recent call last):\n  File "<agent>", line 1, in <module>\n{type(exc).__name__}: {exc}\n',
            )
        return ExecResult(status=ExecStatus.OK, returncode=0, stdout=f"{value}\n")
    return ExecResult(status=ExecStatus.OK, returncode=0, stdout="")


class SubprocessPool:
    """A stand-in sandbox: one plain ``python`` subprocess per request, no isolation
    (like the real sandbox, the workdir comes first on ``sys.path``).

    It honours ``files`` (written to ``workdir``) so harness suites can be
    checked without the real jail; tests of isolation use ``SandboxPool``.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.requests: list[ExecRequest] = []

    async def exec(self, request: ExecRequest) -> ExecResult:
        import anyio

        self.requests.append(request)
        for name, data in request.files.items():
            (self.workdir / name).write_bytes(data)
        done = await anyio.run_process(
            [sys.executable, "-E", "-s", "-c", request.code], cwd=self.workdir, check=False
        )
        return ExecResult(
            status=ExecStatus.OK if done.returncode == 0 else ExecStatus.RUNTIME_ERROR,
            returncode=done.returncode,
            stdout=done.stdout.decode(),
            stderr=done.stderr.decode(),
        )

    async def aclose(self) -> None:
        return None


def process_alive(pid: int) -> bool:
    """A running (not zombie) process with this pid."""
    from pathlib import Path

    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
