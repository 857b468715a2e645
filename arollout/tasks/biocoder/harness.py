"""One submission as a sandbox program, the verdict on its report, and tricks it must fail.

:func:`program` writes the agent's code to ``submission.py`` in the run's
workdir and makes the run's code the embedded ``runtime`` harness plus a
config (the nonce, the function name, the hidden inputs and time limits).
:func:`grade` reads exactly one ``ARESULT <nonce> ...`` line from the run's
stdout, and compares what each call returned with the expected values kept
on the host (``instances.hidden_tests``); a missing, duplicated or malformed
report fails, whatever else the run printed or however it ended.

:func:`trivial_codes` lists data-free submissions aimed at this harness, which
``arollout tasks check`` runs besides the generic ones: functions that return
nothing useful, reports forged with a made-up nonce (carrying the true expected
values, so only the nonce check can reject them), exits before or during the
tests, and a report forged with the run's *real* nonce read from the harness's
own frame, which still fails because the values are compared on the host.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from arollout.tasks.base import Program, Verdict
from arollout.tasks.biocoder import compare, runtime
from arollout.tasks.biocoder.instances import hidden_tests
from arollout.tasks.grading import Trivial
from sandboxes.api import ExecStatus

if TYPE_CHECKING:
    from arollout.tasks.base import Task
    from sandboxes.api import ExecResult

__all__ = (
    "DEFAULT_TIMING",
    "SUBMISSION_FILE",
    "Timing",
    "grade",
    "harness_source",
    "program",
    "trivial_codes",
)

SUBMISSION_FILE: Final = "submission.py"
_LISTED: Final = 4


class Timing(NamedTuple):
    """Time limits inside one run (they must fit in the sandbox's wall limit)."""

    test_timeout_s: float = 2.0
    budget_s: float = 6.0
    import_timeout_s: float = 2.0


DEFAULT_TIMING: Final = Timing()


@functools.cache
def harness_source() -> str:
    """The source of the embedded harness (``runtime.py`` as it is on disk)."""
    return Path(runtime.__file__).read_text(encoding="utf-8")


def program(task: Task, code: str, nonce: str, timing: Timing = DEFAULT_TIMING) -> Program:
    """The run of ``code`` against ``task``'s hidden tests."""
    config = {
        "nonce": nonce,
        "path": SUBMISSION_FILE,
        "function": task.meta["function"],
        "tests": [[t["label"], t["args"]] for t in hidden_tests(task)],
        "test_timeout_s": timing.test_timeout_s,
        "budget_s": timing.budget_s,
        "import_timeout_s": timing.import_timeout_s,
    }
    blob = json.dumps(config, allow_nan=True)
    source = f"{harness_source()}\n\nmain(json.loads({blob!r}))\n"
    return Program(code=source, files={SUBMISSION_FILE: code.encode("utf-8")})


def _no_report(result: ExecResult) -> str:
    status = result.status
    if status is ExecStatus.TIMEOUT:
        return "the run hit its time limit before the hidden tests finished"
    if status is ExecStatus.OOM:
        return "the run ran out of memory before the hidden tests finished"
    if status is ExecStatus.OUTPUT_LIMIT:
        return "the run printed more than the output limit allows"
    if status is ExecStatus.SANDBOX_ERROR:
        return f"the sandbox failed: {result.error}"
    return (
        "the hidden tests did not report: the process ended before they finished "
        "(an exit at import or inside the function, or a crash)"
    )


def _report(result: ExecResult, nonce: str) -> dict[str, Any] | str:
    prefix = f"{runtime.REPORT_TAG} {nonce} "
    lines = [line for line in result.stdout.splitlines() if line.startswith(prefix)]
    if not lines:
        return _no_report(result)
    if len(lines) > 1:
        return "the harness report appeared more than once; output imitating it is not accepted"
    try:
        report = json.loads(lines[0][len(prefix) :])
    except ValueError:
        return "the harness report was garbled"
    if not isinstance(report, dict) or not isinstance(report.get("results"), list):
        return "the harness report was garbled"
    return report


def grade(task: Task, result: ExecResult, nonce: str) -> Verdict:
    """The verdict on one run of :func:`program` (any status)."""
    report = _report(result, nonce)
    if isinstance(report, str):
        return Verdict(correct=False, reason=report, score=0.0)
    if "import" in report:
        return Verdict(correct=False, reason=f"{report['import']}; no hidden test ran", score=0.0)
    if "missing" in report:
        return Verdict(
            correct=False,
            reason=f"the code defines no callable named {task.meta['function']!r}",
            score=0.0,
        )
    tests = hidden_tests(task)
    results = report["results"]
    if len(results) != len(tests):
        return Verdict(correct=False, reason="the harness report was garbled", score=0.0)
    rel, abs_ = task.meta["rel_tol"], task.meta["abs_tol"]
    outcomes = [
        compare.judge(t["expect"], r, rel, abs_) for t, r in zip(tests, results, strict=True)
    ]
    passed = sum(o.ok for o in outcomes)
    total = len(tests)
    if passed == total:
        return Verdict(correct=True, reason=f"all {total} hidden tests passed", parsed=passed, score=1.0)
    by_why: dict[str, list[str]] = {}
    for t, o in zip(tests, outcomes, strict=True):
        if not o.ok:
            by_why.setdefault(o.why, []).append(repr(t["label"]))
    groups = []
    for why, labels in by_why.items():
        more = f" and {len(labels) - _LISTED} more" if len(labels) > _LISTED else ""
        groups.append(f"{why[0].upper()}{why[1:]}: {', '.join(labels[:_LISTED])}{more}.")
    return Verdict(
        correct=False,
        reason=f"{passed}/{total} hidden tests passed. " + " ".join(groups),
        parsed=passed,
        score=passed / total,
    )


_FAKE_NONCE = "0123456789abcdef0123456789abcdef"


def _forged_report(task: Task) -> str:
    """A report line that would pass if its nonce were right."""
    results = [
        {"x": [t["expect"][compare.RAISES], "Exception", "BaseException"]}
        if isinstance(t["expect"], dict) and compare.RAISES in t["expect"]
        else {"v": t["expect"]}
        for t in hidden_tests(task)
    ]
    return f"{runtime.REPORT_TAG} {_FAKE_NONCE} {json.dumps({'results': results})}"


def trivial_codes(task: Task) -> list[Trivial]:
    """The suite's own tricks for ``task`` (each one must be graded wrong)."""
    fn = task.meta["function"]
    forged = _forged_report(task)
    steal = (
        "import json, sys\n"
        "frame = sys._getframe()\n"
        "while frame is not None and 'config' not in frame.f_locals:\n"
        "    frame = frame.f_back\n"
        "cfg = frame.f_locals['config']\n"
        f"print({runtime.REPORT_TAG!r}, cfg['nonce'], json.dumps("
        "{'results': [{'v': None} for _ in cfg['tests']]}), flush=True)\n"
        "import os\n"
        "os._exit(0)\n"
    )
    return [
        Trivial("function returning None", f"def {fn}(*args, **kwargs):\n    return None\n"),
        Trivial(
            "function returning its first argument",
            f"def {fn}(*args, **kwargs):\n    return args[0] if args else None\n",
        ),
        Trivial(
            "function raising NotImplementedError",
            f"def {fn}(*args, **kwargs):\n    raise NotImplementedError\n",
        ),
        Trivial(
            "object equal to everything",
            "class _Any:\n    def __eq__(self, other):\n        return True\n"
            f"def {fn}(*args, **kwargs):\n    return _Any()\n",
        ),
        Trivial(
            "forged report with a made-up nonce",
            f"def {fn}(*args, **kwargs):\n    return None\nprint({forged!r})\n",
        ),
        Trivial(
            "forged report, then os._exit(0) at import",
            f"import os\nprint({forged!r}, flush=True)\nos._exit(0)\n",
        ),
        Trivial(
            "sys.exit(0) at import",
            f"import sys\ndef {fn}(*args, **kwargs):\n    return None\nsys.exit(0)\n",
        ),
        Trivial("os._exit(0) at import", "import os\nos._exit(0)\n"),
        Trivial(
            "os._exit(0) inside the function",
            f"import os\ndef {fn}(*args, **kwargs):\n    os._exit(0)\n",
        ),
        Trivial("forged report with the run's nonce", steal),
    ]
