"""The harness that runs inside the sandbox, and the value codec it shares with the host.

This module is *embedded*: its source text, followed by one ``main(CONFIG)``
call, is the program a submission runs as (see ``harness.py``), so it uses the
standard library only (numpy is imported lazily, when a value needs it) and
imports nothing from arollout.

The harness imports the agent's file as a module, calls the function on every
hidden test input and prints one report line, ``ARESULT <nonce> <json>``, with
what each call *returned* (canonically encoded), raised, or that it timed out.
The expected values never enter the sandbox: the host compares the report with
them (``compare.py``), so code that finds the nonce, prints a forged report or
patches the harness still has to produce the right values to pass. The same
:func:`encode_output` turns the reference implementation's return values into
the expected values at build time, so both sides speak one canonical form.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import sys
import time
import traceback
from typing import Any

__all__ = ("MAX_VALUE_CHARS", "REPORT_TAG", "decode_input", "encode_input", "encode_output", "main")

REPORT_TAG = "ARESULT"
"""First word of the harness's report line."""

MAX_VALUE_CHARS = 200_000
"""Encoded return values longer than this are reported as too large."""


# -- the codec ---------------------------------------------------------------------------


def encode_input(value: Any) -> Any:
    """A JSON-able form of a test input that :func:`decode_input` restores exactly
    (tuples, arrays and dicts with non-string keys survive the trip)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple):
        return {"__tuple__": [encode_input(v) for v in value]}
    if isinstance(value, list):
        return [encode_input(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: encode_input(v) for k, v in value.items()}
        return {"__dict__": [[encode_input(k), encode_input(v)] for k, v in value.items()]}
    if type(value).__module__ == "numpy" and type(value).__name__ == "ndarray":
        return {"__nd__": value.tolist(), "dtype": str(value.dtype), "shape": list(value.shape)}
    raise TypeError(f"cannot encode a test input of type {type(value).__name__}")


def decode_input(obj: Any) -> Any:
    """The inverse of :func:`encode_input`."""
    if isinstance(obj, list):
        return [decode_input(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tuple__" in obj:
        return tuple(decode_input(v) for v in obj["__tuple__"])
    if "__dict__" in obj:
        return {decode_input(k): decode_input(v) for k, v in obj["__dict__"]}
    if "__nd__" in obj:
        import numpy

        return numpy.array(obj["__nd__"], dtype=obj["dtype"]).reshape(obj["shape"])
    return {k: decode_input(v) for k, v in obj.items()}


def _key(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, allow_nan=True)


def encode_output(value: Any, depth: int = 0) -> Any:
    """The canonical, JSON-able form of a return value.

    Lists and tuples become lists; dicts become ``{"__dict__": pairs}`` sorted by
    key, sets ``{"__set__": items}`` sorted; numpy scalars become Python numbers
    and arrays ``{"__nd__": data, "shape": ..., "kind": "b"|"i"|"f"|...}``.
    Anything else is ``{"__type__": name}``, which never equals an expected value.
    """
    if depth > 50:
        return {"__type__": "too deeply nested"}
    if value is None or isinstance(value, str):
        return None if value is None else str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, list | tuple):
        return [encode_output(v, depth + 1) for v in value]
    if isinstance(value, dict):
        pairs = [[encode_output(k, depth + 1), encode_output(v, depth + 1)] for k, v in value.items()]
        return {"__dict__": sorted(pairs, key=lambda kv: _key(kv[0]))}
    if isinstance(value, set | frozenset):
        return {"__set__": sorted((encode_output(v, depth + 1) for v in value), key=_key)}
    module = type(value).__module__
    if module == "numpy":
        name = type(value).__name__
        if name == "ndarray":
            kind = value.dtype.kind
            kind = "i" if kind == "u" else kind
            data = value.tolist() if kind in "bif" else [str(v) for v in value.ravel().tolist()]
            return {"__nd__": data, "shape": list(value.shape), "kind": kind}
        if hasattr(value, "item"):
            return encode_output(value.item(), depth + 1)
    return {"__type__": type(value).__name__}


# -- the harness -------------------------------------------------------------------------


class _Timeout(BaseException):
    """Raised by the alarm inside a call that ran past its time limit."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Timeout


class _Discard:
    """A text stream that swallows what the function prints during hidden tests."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _arm(seconds: float) -> None:
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))


def _disarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)


def _names(exc: BaseException) -> list[str]:
    return [cls.__name__ for cls in type(exc).__mro__ if cls is not object]


def _load(path: str, timeout_s: float, err: Any) -> tuple[Any, str | None]:
    """Import the agent's file; ``(module, None)`` or ``(None, why)``."""
    spec = importlib.util.spec_from_file_location("submission", path)
    if spec is None or spec.loader is None:
        return None, "the submission file could not be loaded"
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    try:
        _arm(timeout_s)
        try:
            spec.loader.exec_module(module)
        finally:
            _disarm()
    except _Timeout:
        return None, f"importing the code took longer than {timeout_s:g} s"
    except BaseException as exc:
        err.write("Importing your code failed:\n")
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=err)
        return None, f"importing the code raised {type(exc).__name__}"
    return module, None


def _call(fn: Any, args: list[Any], timeout_s: float) -> dict[str, Any]:
    """One hidden test: what the call returned, raised, or that it timed out."""
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = _Discard()
    try:
        _arm(timeout_s)
        try:
            value = fn(*[decode_input(a) for a in args])
            encoded = encode_output(value)
            text = json.dumps(encoded, allow_nan=True)
        finally:
            _disarm()
    except _Timeout:
        return {"t": 1}
    except BaseException as exc:
        return {"x": _names(exc), "tb": exc}
    finally:
        sys.stdout, sys.stderr = saved
    if len(text) > MAX_VALUE_CHARS:
        return {"big": 1}
    return {"v": encoded}


def main(config: dict[str, Any]) -> None:
    """Run the hidden tests of ``config`` and print the report line.

    ``config`` holds ``nonce``, ``path`` (the agent's file), ``function``,
    ``tests`` (``[label, encoded args]`` pairs), ``test_timeout_s``,
    ``budget_s`` (for all tests together) and ``import_timeout_s``.
    """
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    err = sys.stderr
    report: dict[str, Any] = {"results": []}
    module, why = _load(config["path"], config["import_timeout_s"], err)
    fn = None
    if why is not None:
        report["import"] = why
    else:
        fn = getattr(module, config["function"], None)
        if not callable(fn):
            report["missing"] = config["function"]
    shown = False
    if fn is not None:
        deadline = time.monotonic() + config["budget_s"]
        for label, args in config["tests"]:
            left = deadline - time.monotonic()
            if left <= 0:
                report["results"].append({"s": 1})
                continue
            outcome = _call(fn, args, min(config["test_timeout_s"], left))
            exc = outcome.pop("tb", None)
            if exc is not None and not shown:
                shown = True
                with contextlib.suppress(BaseException):
                    err.write(f"Hidden test {label!r} raised:\n")
                    traceback.print_exception(type(exc), exc, exc.__traceback__, file=err)
            report["results"].append(outcome)
    with contextlib.suppress(BaseException):
        sys.stdout.flush()
        err.flush()
    line = f"\n{REPORT_TAG} {config['nonce']} {json.dumps(report, allow_nan=True)}\n"
    out.write(line)
    out.flush()
    if why is not None or shown:
        # A traceback went to stderr: exit 1 so that the run counts as a runtime error
        # and the agent is shown it (the report is already out).
        raise SystemExit(1)
