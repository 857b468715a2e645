"""The program that runs the agent's code, and how its run is graded.

BioDSBench grades by running the agent's code and then assertions on the
variables it defined. MedAgentGym's copy never ran the assertions (and would
have let ``sys.exit(0)`` pass, since code and asserts shared a process; see
the data-sources notes, section 10). Here:

1. The agent's code is written to ``solution.py`` and executed by the harness
   as a module named ``__main__`` (so ``if __name__ == "__main__":`` blocks
   run) in a namespace the harness keeps. ``SystemExit`` and every exception
   are caught; the traceback goes to stderr for the agent to read.
2. The harness then checks what the question asked for: each variable is read
   with :func:`~arollout.tasks.biods.extract.extract_output` (defined,
   readable as its type) and each requested file is looked up.
3. It prints ONE report line, the last line of stdout, carrying a per-run
   nonce: ``BIODS-RESULT <nonce> <json>``.
4. On the host, :func:`grade` accepts only that line, and compares every
   reported value with the expected value (typed comparison with the stated
   tolerance, :func:`arollout.tasks.verify.check`) and every file with the
   bytes the sandbox collected (:func:`~arollout.tasks.biods.png.png_problem`).

Expected values never enter the sandbox: code that digs the harness's source
or frames out of the interpreter finds the nonce but no answers, and a forged
report still has to carry the right values, i.e. solve the task. An early
``os._exit``, an exit before the checks, output printed after the report, or
a report with another nonce all fail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from arollout.tasks import verify
from arollout.tasks.base import Answer, Program, Verdict
from arollout.tasks.biods.png import png_problem
from sandboxes.api import ExecStatus

if TYPE_CHECKING:
    from arollout.tasks.base import Task
    from sandboxes.api import ExecResult

__all__ = ("MARK", "SOLUTION_FILE", "answer_of", "build_program", "grade_run", "value_line")

MARK: Final = "BIODS-RESULT"
SOLUTION_FILE: Final = "solution.py"

_EXTRACT_SOURCE: Final = "".join(
    line
    for line in Path(__file__).with_name("extract.py").read_text(encoding="utf-8").splitlines(True)
    if not line.startswith("from __future__ import")  # only legal at the top of a file
)

_HARNESS: Final = """\
import atexit as _atexit
import json as _json
import os as _os
import sys as _sys
import traceback as _traceback
import types as _types

{extract}

def _biods_run(nonce, outputs, files):
    stdout = _sys.stdout
    cwd = _os.getcwd()
    module = _types.ModuleType("__main__")
    module.__file__ = _os.path.join(cwd, {solution!r})
    module.__builtins__ = __builtins__
    harness_main = _sys.modules.get("__main__")
    error = None
    try:
        with open({solution!r}, encoding="utf-8") as handle:
            source = handle.read()
        _sys.modules["__main__"] = module
        exec(compile(source, {solution!r}, "exec"), module.__dict__)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            error = "it exited with status " + repr(exc.code)
    except BaseException as exc:
        error = "it raised " + type(exc).__name__
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == "<string>":
            tb = tb.tb_next
        _traceback.print_exception(type(exc), exc, tb)
    finally:
        _sys.modules["__main__"] = harness_main
    try:
        _os.chdir(cwd)
        _atexit._run_exitfuncs()
        _atexit._clear()
    except BaseException:
        pass
    values = {{name: extract_output(module.__dict__, name, kind) for name, kind in outputs}}
    found = {{name: _os.path.isfile(_os.path.join(cwd, name)) for name in files}}
    report = _json.dumps({{"values": values, "files": found, "error": error}})
    for stream in (_sys.stdout, _sys.stderr, stdout):
        try:
            stream.flush()
        except BaseException:
            pass
    _os.write(1, ("\\n{mark} " + nonce + " " + report + "\\n").encode("utf-8"))


_biods_run({nonce!r}, {outputs!r}, {files!r})
"""


def _outputs(task: Task) -> list[dict[str, Any]]:
    outputs: list[dict[str, Any]] = task.meta["outputs"]
    return outputs


def build_program(task: Task, code: str, nonce: str) -> Program:
    """The harness around ``code`` for ``task``, reporting under ``nonce``."""
    outputs = _outputs(task)
    variables = [(o["name"], o["kind"]) for o in outputs if o["kind"] != "png"]
    files = [o["name"] for o in outputs if o["kind"] == "png"]
    source = _HARNESS.format(
        extract=_EXTRACT_SOURCE,
        solution=SOLUTION_FILE,
        mark=MARK,
        nonce=nonce,
        outputs=variables,
        files=files,
    )
    return Program(code=source, files={SOLUTION_FILE: code.encode("utf-8")}, collect=tuple(files))


def answer_of(output: dict[str, Any]) -> Answer:
    """The typed answer one output is compared with."""
    kind = output["kind"]
    return Answer(
        kind=kind if kind != "png" else "bool",
        value=output["value"],
        rel_tol=float(output.get("rel_tol", 0.0)),
        abs_tol=float(output.get("abs_tol", 0.0)),
    )


def value_line(kind: str, value: Any) -> str | None:
    """A reported value as the one answer line :func:`verify.check` parses (None: unusable)."""
    if kind in ("number", "integer"):
        return repr(float(value)) if isinstance(value, int | float) else None
    if kind == "text":
        return value if isinstance(value, str) and "\n" not in value and "\r" not in value else None
    if kind in ("list", "set"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None
        return json.dumps(value)
    return None


def _report(stdout: str, nonce: str) -> dict[str, Any] | str:
    line = verify.last_line(stdout)
    prefix = f"{MARK} {nonce} "
    if not nonce or not line.startswith(prefix):
        return "the checks did not run to the end (the run must not exit early or print after it)"
    try:
        report = json.loads(line[len(prefix) :])
    except ValueError:
        return "the checks' report is unreadable"
    if not isinstance(report, dict) or not isinstance(report.get("values"), dict):
        return "the checks' report is unreadable"
    return report


def _tolerance(output: dict[str, Any]) -> str:
    if output["kind"] != "number":
        return ""
    return f" (checked within relative tolerance {output.get('rel_tol', 0.0):g})"


def grade_run(task: Task, result: ExecResult, nonce: str) -> Verdict:
    """Grade one harness run of ``task`` (any status)."""
    if result.status is not ExecStatus.OK:
        return Verdict(correct=False, reason=f"the run ended with {result.status.value}")
    report = _report(result.stdout, nonce)
    if isinstance(report, str):
        return Verdict(correct=False, reason=report)
    problems: list[str] = []
    parsed: dict[str, Any] = {}
    values = report["values"]
    files = report.get("files")
    found: dict[str, Any] = files if isinstance(files, dict) else {}
    for output in _outputs(task):
        name, kind = output["name"], output["kind"]
        if kind == "png":
            data = result.files.get(name)
            if not found.get(name) or data is None:
                problems.append(f"the file `{name}` was not written")
                continue
            why = png_problem(data)
            if why is not None:
                problems.append(f"`{name}`: {why}")
            continue
        entry = values.get(name)
        if not isinstance(entry, dict) or "value" not in entry:
            why = entry.get("error") if isinstance(entry, dict) else None
            problems.append(f"`{name}` {why or 'was not reported'}")
            continue
        parsed[name] = entry["value"]
        line = value_line(kind, entry["value"])
        verdict = verify.check(answer_of(output), line) if line is not None else None
        if verdict is None or not verdict.correct:
            problems.append(f"`{name}` is not correct{_tolerance(output)}")
    if problems:
        reason = "; ".join(problems)
        if report.get("error"):
            reason = f"your code did not finish ({report['error']}); {reason}"
        return Verdict(correct=False, reason=reason, parsed=parsed or None)
    return Verdict(correct=True, parsed=parsed)
