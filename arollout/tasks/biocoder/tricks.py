"""Data-free submissions that a sound harness must fail (``arollout tasks check``).

Beyond the suite-independent ones of :mod:`arollout.tasks.grading` (constants,
empty code, exits), these aim at the harness itself: a function that returns
nothing useful, reports forged with a made-up nonce (carrying the true expected
values, so only the nonce check can reject them), exits before or during the
tests, and a report forged with the run's *real* nonce read from the harness's
own frame, which still fails because the values are compared on the host.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from arollout.tasks.biocoder import compare, runtime
from arollout.tasks.grading import Trivial

if TYPE_CHECKING:
    from arollout.tasks.base import Task

__all__ = ("trivial_codes",)

_FAKE_NONCE = "0123456789abcdef0123456789abcdef"


def _forged_report(task: Task) -> str:
    """A report line that would pass if its nonce were right."""
    results = [
        {"x": [t["expect"][compare.RAISES], "Exception", "BaseException"]}
        if isinstance(t["expect"], dict) and compare.RAISES in t["expect"]
        else {"v": t["expect"]}
        for t in task.meta["tests"]
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
