"""Submissions that must fail: the tricks ``arollout tasks check`` adds for this suite.

:func:`arollout.tasks.grading.trivial_submissions` already tries constants,
an empty program, ``sys.exit(0)`` and ``os._exit(0)``. A harness suite can
be fooled in more ways, and each of these must be graded wrong:

* a printed copy of a passing report (right values, made-up nonce);
* a forged report with the run's real nonce, dug out of the harness's
  frame, followed by ``os._exit(0)`` so the real report never appears (it
  cannot carry the right values without solving the task);
* every output defined, with wrong values (just outside the tolerance);
* for plot tasks, the right values with a 1 x 1 pixel PNG, a blank image
  or bytes that are not a PNG.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from arollout.tasks.biods.harness import MARK
from arollout.tasks.grading import Trivial

if TYPE_CHECKING:
    from arollout.tasks.base import Task

__all__ = ("trivial_codes_for", "wrong_value")

_TINY_PNG = (
    "import struct, zlib\n"
    "def _chunk(kind, body):\n"
    "    return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))\n"
    "def _png(width, height, pixel):\n"
    "    raw = b''.join(b'\\x00' + pixel * width for _ in range(height))\n"
    "    head = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)\n"
    "    return b'\\x89PNG\\r\\n\\x1a\\n' + _chunk(b'IHDR', head) + _chunk(b'IDAT', zlib.compress(raw)) + _chunk(b'IEND', b'')\n"
)


def wrong_value(output: dict[str, Any]) -> Any:
    """A value of the right type that the output's check must reject."""
    kind, value = output["kind"], output["value"]
    if kind == "number":
        tol = max(abs(value) * output.get("rel_tol", 0.0), output.get("abs_tol", 0.0))
        return value + 10 * tol + 0.05 * abs(value) + 1e-3
    if kind == "integer":
        return int(value) + 1
    if kind == "text":
        return f"{value}_x"
    if kind in ("list", "set"):
        return [*value[:-1], "NOT_A_GENE"] if value else ["NOT_A_GENE"]
    return value


def _assignments(task: Task, wrong: bool) -> str:
    lines = []
    for out in task.meta["outputs"]:
        if out["kind"] == "png":
            continue
        value = wrong_value(out) if wrong else out["value"]
        lines.append(f"{out['name']} = {value!r}")
    return "\n".join(lines) + "\n"


def _report(task: Task) -> dict[str, Any]:
    outputs = task.meta["outputs"]
    return {
        "values": {o["name"]: {"value": o["value"]} for o in outputs if o["kind"] != "png"},
        "files": {o["name"]: True for o in outputs if o["kind"] == "png"},
        "error": None,
    }


def _forged_with_real_nonce(task: Task) -> str:
    wrong = {
        o["name"]: {"value": wrong_value(o)} for o in task.meta["outputs"] if o["kind"] != "png"
    }
    report = json.dumps({"values": wrong, "files": {}, "error": None})
    return (
        "import os, sys\n"
        "frame = sys._getframe()\n"
        "nonce = None\n"
        "while frame is not None and nonce is None:\n"
        "    if frame.f_code.co_name == '_biods_run':\n"
        "        nonce = frame.f_locals.get('nonce')\n"
        "    frame = frame.f_back\n"
        f"print({MARK!r}, nonce, {report!r}, flush=True)\n"
        "os._exit(0)\n"
    )


def trivial_codes_for(task: Task) -> list[Trivial]:
    """The suite's own tricks for ``task`` (see the module docstring)."""
    fake = json.dumps(_report(task))
    tricks = [
        Trivial("printed passing report", f"print({MARK!r}, 'deadbeef' * 4, {fake!r})"),
        Trivial("forged report with the real nonce", _forged_with_real_nonce(task)),
        Trivial("wrong values", _assignments(task, wrong=True)),
    ]
    files = [o["name"] for o in task.meta["outputs"] if o["kind"] == "png"]
    if files:
        right = _assignments(task, wrong=False)
        writes = {
            "1 x 1 pixel PNG": "_png(1, 1, b'\\x00\\x00\\x00')",
            "blank 640 x 480 PNG": "_png(640, 480, b'\\xff\\xff\\xff')",
            "not a PNG": "b'not an image'",
        }
        for label, expr in writes.items():
            body = "".join(f"open({name!r}, 'wb').write({expr})\n" for name in files)
            tricks.append(Trivial(f"right values, {label}", right + _TINY_PNG + body))
    return tricks
