"""Turn what happened in the environment into one short, uniform message.

Models learn faster from feedback that points at their own code: a traceback is
reduced to the frames of the agent's file plus the final exception, sandbox
statuses become one sentence each, and long output is cut with a marker that
says how much was dropped. The wording never reveals the ground truth.
"""

from __future__ import annotations

import re
from typing import Final

from sandboxes.api import ExecResult, ExecStatus

__all__ = ("DEFAULT_MAX_CHARS", "exec_feedback", "ground_traceback", "truncate")

DEFAULT_MAX_CHARS: Final = 2000

_STATUS_TEXT: Final[dict[ExecStatus, str]] = {
    ExecStatus.TIMEOUT: "Execution timed out after {wall:.1f} s and was killed.",
    ExecStatus.OOM: "Execution ran out of memory and was killed.",
    ExecStatus.OUTPUT_LIMIT: "Execution printed more output than allowed and was killed.",
    ExecStatus.FILE_LIMIT: "Execution tried to write a file larger than allowed.",
    ExecStatus.KILLED_SIGNAL: "Execution was killed by signal {signal}.",
    ExecStatus.SANDBOX_ERROR: "The sandbox failed (not your fault); try again.",
}

_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)')
_USER_FILES: Final = ("<agent>", "main.py", "<string>", "<stdin>")


def truncate(text: str, limit: int = DEFAULT_MAX_CHARS) -> str:
    """Keep the head and the tail of ``text``; say how much was cut."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head
    cut = len(text) - head - tail
    return f"{text[:head]}\n... [{cut} characters truncated] ...\n{text[-tail:]}"


def ground_traceback(stderr: str) -> str:
    """Reduce a Python traceback to the agent's own frames and the exception.

    Frames from the sandbox runner and libraries are dropped, but the line of
    library code that raised is kept when the agent's code has no frame at all
    (e.g. a SyntaxError reported against the agent's file keeps its caret).
    """
    lines = stderr.rstrip().splitlines()
    start = max((i for i, ln in enumerate(lines) if ln.startswith("Traceback")), default=-1)
    if start < 0:
        return stderr.strip()
    body = lines[start + 1 :]
    kept: list[str] = []
    i = 0
    tail_start = len(body)
    while i < len(body):
        match = _FRAME.match(body[i])
        if match is None:
            tail_start = i
            break
        j = i + 1
        while j < len(body) and body[j].startswith("    ") and not _FRAME.match(body[j]):
            j += 1
        if match.group("file").endswith(_USER_FILES):
            kept.extend(body[i:j])
        i = j
    exception = body[tail_start:] if tail_start < len(body) else body[-1:]
    return "\n".join(["Traceback (most recent call last):", *kept, *exception]).strip()


def exec_feedback(result: ExecResult, *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """The observation for one code execution (before answer checking)."""
    parts: list[str] = []
    stdout = result.stdout.rstrip()
    if result.status is ExecStatus.OK:
        parts.append(f"Output:\n{truncate(stdout, max_chars)}" if stdout else "The code ran and printed nothing.")
        return "\n".join(parts)
    if result.status is ExecStatus.RUNTIME_ERROR:
        grounded = ground_traceback(result.stderr) or f"exit code {result.returncode}"
        if stdout:
            parts.append(f"Output before the error:\n{truncate(stdout, max_chars // 2)}")
        parts.append(f"Error:\n{truncate(grounded, max_chars)}")
        return "\n".join(parts)
    template = _STATUS_TEXT.get(result.status, "Execution failed ({status}).")
    parts.append(
        template.format(wall=result.wall_s, signal=result.signal, status=result.status.value)
    )
    if stdout:
        parts.append(f"Output before it stopped:\n{truncate(stdout, max_chars // 2)}")
    return "\n".join(parts)
