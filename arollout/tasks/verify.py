"""Typed, strict comparison of a run's answer with the ground truth.

The answer channel is the **last non-empty line of stdout**: code may print
anything while it works, and only its final line is graded. That line is
parsed according to the task's :class:`~arollout.tasks.base.Answer` kind and
compared with the gold value as a typed value, never as a substring of the
output. The rules follow the flaws catalogued for earlier graders (substring
hits on one-character answers, a tolerance written with ``or``, lists checked
on their first element only):

* ``number``: exactly one number on the line; correct iff
  ``|p - g| <= max(rel_tol * |g|, abs_tol)``. NaN and infinities never pass.
* ``integer``: exactly one number that is integral (``42`` and ``42.0``).
* ``text``: case-insensitive equality after whitespace normalization and
  stripping one pair of surrounding quotes.
* ``bool``: ``true/false/yes/no`` (any case), compared exactly. ``1`` and
  ``0`` are refused: they are the trivial outputs every numeric grader must
  reject, and accepting them here would let one constant pass both kinds.
* ``date``: ISO 8601 date or date-time (space or ``T``), compared as instants.
* ``set`` / ``list``: a JSON or Python list literal, or comma-separated values;
  elements are typed like the gold elements. A set must equal the gold set
  exactly (a superset, such as every candidate at once, fails); a list is
  order-sensitive.

A :class:`~arollout.tasks.base.Verdict` reason may be shown to the model, so
it says *why* a line failed to parse or that the answer is wrong, and never
reveals the gold value.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from arollout.errors import TaskError
from arollout.tasks.base import Answer, Verdict

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ("MAX_ANSWER_CHARS", "WRONG", "check", "gold_text", "last_line")

MAX_ANSWER_CHARS = 100_000
"""Longest answer line that is parsed; longer lines fail without parsing."""

WRONG = "the answer was checked and is not correct"
"""The reason of every wrong (but parsed) answer; it never names the gold value."""

_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?!\w|\.\d)")
# ``print(np.float64(3.5))`` shows ``3.5``, but ``repr`` (e.g. inside a list)
# shows ``np.float64(3.5)`` since numpy 2; pandas shows ``Timestamp('...')``.
_WRAPPER = re.compile(r"\b(?:np|numpy)\.\w+\(([^()]*)\)|\bTimestamp\(([^()]*)\)")
_QUOTES = ("'", '"', "`")
_TRUE = frozenset({"true", "yes"})
_FALSE = frozenset({"false", "no"})


class _ParseError(ValueError):
    """The answer line cannot be read as the expected kind (message is shown)."""


def last_line(stdout: str) -> str:
    """Return the last non-empty line of ``stdout``, stripped ('' when none)."""
    for line in reversed(stdout.splitlines()):
        stripped = line.strip()
        if stripped:
            return stripped
    return ""


def check(answer: Answer, stdout: str) -> Verdict:
    """Grade ``stdout`` against ``answer``.

    Args:
        answer: the typed ground truth of the task.
        stdout: everything the run printed; only its last non-empty line counts.

    Returns:
        A verdict whose ``parsed`` field holds the value read from the line
        (``None`` when it could not be parsed).

    Raises:
        TaskError: the gold answer itself is malformed (a suite bug, not a
            model mistake).
    """
    line = last_line(stdout)
    if not line:
        return Verdict(
            correct=False, reason="no output: print the answer as the last line of stdout"
        )
    if len(line) > MAX_ANSWER_CHARS:
        return Verdict(
            correct=False, reason=f"the last line is longer than {MAX_ANSWER_CHARS} characters"
        )
    line = _unwrap(line)
    try:
        if answer.kind in ("set", "list"):
            return _check_collection(answer, line)
        parse, equal = _scalar_ops(answer)
        gold = parse(gold_text(answer.value))
        try:
            parsed = parse(line)
        except _ParseError as exc:
            return Verdict(correct=False, reason=str(exc))
        ok = equal(parsed, gold)
        return Verdict(correct=ok, reason="" if ok else WRONG, parsed=parsed)
    except _ParseError as exc:  # only the gold value can get here
        raise TaskError(f"malformed gold answer of kind {answer.kind!r}: {exc}") from exc


# -- scalars -------------------------------------------------------------------------------


def _unwrap(line: str) -> str:
    """Replace ``np.float64(x)`` / ``Timestamp('x')`` reprs by their argument."""
    return _WRAPPER.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), line)


def _strip_quotes(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in _QUOTES:
        return text[1:-1].strip()
    return text


def gold_text(value: Any) -> str:
    """The canonical text of a gold value (``true``/``false``, ``repr`` of floats)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _one_number(text: str) -> str:
    text = _strip_quotes(text)
    found = _NUMBER.findall(text)
    if not found:
        raise _ParseError("could not parse a number from the last line")
    if len(found) > 1:
        raise _ParseError("the last line holds several numbers; print exactly one")
    return str(found[0])


def parse_number(text: str) -> float:
    """Parse exactly one finite number from ``text``."""
    value = float(_one_number(text))
    if not math.isfinite(value):
        raise _ParseError("the number on the last line is not finite")
    return value


def parse_integer(text: str) -> int:
    """Parse exactly one integral number (``42`` or ``42.0``, not ``42.5``)."""
    try:
        value = Decimal(_one_number(text))
    except InvalidOperation:  # pragma: no cover - the regex only yields decimals
        raise _ParseError("could not parse an integer from the last line") from None
    if value.adjusted() > 100:
        raise _ParseError("the number on the last line is too large")
    if value != value.to_integral_value():
        raise _ParseError("the number on the last line is not an integer")
    return int(value)


def parse_text(text: str) -> str:
    """Normalize text: one pair of quotes stripped, whitespace collapsed, casefolded."""
    normalized = " ".join(_strip_quotes(text).split()).casefold()
    if not normalized:
        raise _ParseError("the last line holds no text")
    return normalized


def parse_bool(text: str) -> bool:
    """Map ``true/false/yes/no`` (any case) to a bool."""
    word = _strip_quotes(text).casefold().rstrip(".")
    word = re.sub(r"^(?:np|numpy)\.", "", word).rstrip("_")  # numpy 2 shows np.True_
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    if word in ("1", "0"):
        raise _ParseError("print true or false, not 1 or 0")
    raise _ParseError("could not parse a boolean (true/false) from the last line")


def parse_date(text: str) -> dt.datetime:
    """Parse an ISO 8601 date or date-time; a bare date means midnight."""
    raw = _strip_quotes(text)
    try:
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        raise _ParseError(
            "could not parse an ISO date or date-time (YYYY-MM-DD[ HH:MM:SS]) from the last line"
        ) from None


def _exact(a: Any, b: Any) -> bool:
    return bool(a == b)


def _tolerance(answer: Answer) -> Callable[[Any, Any], bool]:
    rel_tol, abs_tol = answer.rel_tol, answer.abs_tol
    if not (rel_tol >= 0 and abs_tol >= 0):
        raise TaskError("tolerances must be non-negative numbers")

    def close(p: Any, g: Any) -> bool:
        return bool(abs(p - g) <= max(rel_tol * abs(g), abs_tol))

    return close


def _scalar_ops(answer: Answer) -> tuple[Callable[[str], Any], Callable[[Any, Any], bool]]:
    kind = answer.kind
    if kind == "number":
        return parse_number, _tolerance(answer)
    if kind == "integer":
        return parse_integer, _exact
    if kind == "text":
        return parse_text, _exact
    if kind == "bool":
        return parse_bool, _exact
    if kind == "date":
        return parse_date, _exact
    raise TaskError(f"unknown answer kind {kind!r}")


# -- collections -----------------------------------------------------------------------------


def _element_answer(answer: Answer, gold: list[Any]) -> Answer:
    """Type the elements like the gold elements (bool, integer, number, date or text)."""
    if all(isinstance(v, bool) for v in gold):
        kind = "bool"
    elif all(isinstance(v, int) and not isinstance(v, bool) for v in gold):
        kind = "integer"
    elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in gold):
        kind = "number"
    elif all(isinstance(v, str) and _looks_like_date(v) for v in gold):
        kind = "date"
    else:
        kind = "text"
    return Answer(kind=kind, value=None, rel_tol=answer.rel_tol, abs_tol=answer.abs_tol)  # type: ignore[arg-type]


def _looks_like_date(value: str) -> bool:
    return (
        re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?", value.strip())
        is not None
    )


def _split_items(line: str) -> list[str]:
    """Read a list literal (JSON or Python) or comma-separated values as strings."""
    text = line.strip()
    if text[:1] in "[({" and text[-1:] in "])}":
        for loader in (json.loads, ast.literal_eval):
            try:
                value = loader(text)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if isinstance(value, list | tuple | set | frozenset):
                return [gold_text(v) for v in value]
        inner = text[1:-1]
    else:
        inner = text
    return [part for part in (p.strip() for p in inner.split(",")) if part]


def _check_collection(answer: Answer, line: str) -> Verdict:
    if not isinstance(answer.value, list | tuple) or not answer.value:
        raise TaskError("a set/list gold answer must be a non-empty list")
    elem = _element_answer(answer, list(answer.value))
    parse, equal = _scalar_ops(elem)
    gold = [parse(gold_text(v)) for v in answer.value]
    try:
        parsed = [parse(item) for item in _split_items(line)]
    except _ParseError as exc:
        return Verdict(correct=False, reason=f"could not parse every element of the list: {exc}")
    if not parsed:
        return Verdict(correct=False, reason="could not parse a list from the last line")
    if answer.kind == "list":
        ok = len(parsed) == len(gold) and all(
            equal(p, g) for p, g in zip(parsed, gold, strict=True)
        )
    else:
        ok = _same_set(parsed, gold, equal, numeric=elem.kind == "number")
    return Verdict(correct=ok, reason="" if ok else WRONG, parsed=parsed)


def _same_set(
    parsed: list[Any], gold: list[Any], equal: Callable[[Any, Any], bool], *, numeric: bool
) -> bool:
    """Set equality; numbers match pairwise after sorting, within tolerance."""
    if not numeric:
        return set(parsed) == set(gold)
    mine, theirs = sorted(set(parsed)), sorted(set(gold))
    return len(mine) == len(theirs) and all(equal(p, g) for p, g in zip(mine, theirs, strict=True))
