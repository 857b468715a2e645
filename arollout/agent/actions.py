"""The agent's action space and a parser for what models actually emit.

The action space is MedAgentGym's (arXiv 2506.04405, ``ehr_gym/env/action``):
``request_info`` (data lookups), ``validate_code`` (run code; stdout is the
answer channel), ``debug`` (ask the debugger model) and ``terminal`` (a shell
command, only where a suite allows it). A model writes one JSON object::

    {"action": "validate_code", "params": {"code": "print(1)"}}

Real models wrap it in prose, fences and ``<think>`` blocks, so the parser looks
for the last well-formed action object anywhere in the text. It never raises:
a reply it cannot read becomes a :class:`ParseFailure` whose message tells the
model exactly what was wrong.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final, Literal

import msgspec
import orjson

__all__ = ("ACTIONS", "Action", "ParseFailure", "parse_action")

ActionName = Literal["request_info", "validate_code", "debug", "terminal"]

#: action name -> (required parameter, optional parameters)
ACTIONS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "request_info": ("query", ()),
    "validate_code": ("code", ()),
    "debug": ("code", ("error_msg",)),
    "terminal": ("cmd", ()),
}


class Action(msgspec.Struct, frozen=True, kw_only=True):
    name: ActionName
    params: dict[str, str]

    @property
    def argument(self) -> str:
        """The action's required parameter (code, query or command)."""
        return self.params[ACTIONS[self.name][0]]


class ParseFailure(msgspec.Struct, frozen=True, kw_only=True):
    message: str


_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```(?:json|JSON)?[ \t]*\n?(.*?)```", re.DOTALL)
_TRIPLE = re.compile(r'("""|\'\'\')(.*?)\1', re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_ACTION_KEY = re.compile(r"""["']action["']""")
# Parameter values copied from the instructions' examples instead of filled in.
_PLACEHOLDERS: Final = frozenset({"<python code>", "<code>", "<shell command>", "<the error you got>"})

_FORMAT_HINT = (
    'Reply with exactly one JSON object, e.g. ```json\n{"action": "validate_code", '
    '"params": {"code": "print(42)"}}\n```'
)


def parse_action(text: str) -> Action | ParseFailure:
    """Read the model's action from ``text``; never raises.

    Fenced blocks are tried first (last one wins, as models often show an
    example before the real action); the character-level scan for bare
    ``{...}`` objects only runs when no fenced block holds a valid action.
    An action object nested one level down (``{"json": {"action": ...}}``) is
    accepted too.

    When nothing valid is found the message names the most specific problem:
    an action with a bad parameter, then a block that mentions ``"action"``
    but is not valid JSON (with the decoder's position), then a JSON object
    without an ``"action"`` key, and only then "no action found".
    """
    body = _THINK.sub("", text) if "<think>" in text.lower() else text
    invalid = undecodable = keyless = ""
    for finder in (_fenced_blocks, _balanced_objects):
        for candidate in reversed(finder(body)):
            obj = _loads_lenient(candidate)
            if obj is None:
                if not undecodable and _ACTION_KEY.search(candidate):
                    undecodable = _decode_problem(candidate)
                continue
            if isinstance(obj, dict) and "action" not in obj:
                obj = _nested_action(obj) or obj
            if not isinstance(obj, dict) or "action" not in obj:
                if not keyless and isinstance(obj, dict):
                    keys = ", ".join(map(repr, list(obj)[:5])) or "none"
                    keyless = f'Your JSON object has no "action" key (its keys: {keys}). ' + _FORMAT_HINT
                continue
            result = _validate(obj)
            if isinstance(result, Action):
                return result
            invalid = invalid or result.message
    problem = invalid or undecodable or keyless
    if problem:
        return ParseFailure(message=problem)
    if not body.strip():
        return ParseFailure(message="Your reply was empty. " + _FORMAT_HINT)
    return ParseFailure(message="No action found in your reply. " + _FORMAT_HINT)


def _decode_problem(candidate: str) -> str:
    """Where the decoder stopped in a block that looks like an action."""
    try:
        json.loads(candidate)
    except json.JSONDecodeError as exc:
        near = candidate[max(0, exc.pos - 20) : exc.pos + 20].replace("\n", " ")
        return (
            f"Your action is not valid JSON: {exc.msg.removesuffix(' at')} at line {exc.lineno} "
            f"column {exc.colno} "
            f"(near {near!r}). Check the quotes and braces; inside a string write newlines as \\n. "
            + _FORMAT_HINT
        )
    return "Your action could not be read as JSON. " + _FORMAT_HINT  # pragma: no cover - decodes


def _nested_action(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The one action object directly inside ``obj``, if there is exactly one."""
    found = [v for v in obj.values() if isinstance(v, dict) and "action" in v]
    return found[0] if len(found) == 1 else None


def _fenced_blocks(text: str) -> list[str]:
    """Bodies of ```-fenced blocks, an optional ``json`` tag removed.

    Same result as ``_FENCE.finditer`` (pairs of fences, left to right), by
    splitting: the lazy regex costs ~10 us on a typical reply, this ~1 us.
    """
    if "```" not in text:
        return []
    parts = text.split("```")
    blocks = []
    for i in range(1, len(parts) - 1, 2):
        body = parts[i]
        if body.startswith(("json", "JSON")):
            body = body[4:]
        body = body.lstrip(" \t")
        blocks.append(body[1:] if body.startswith("\n") else body)
    return blocks


def _validate(obj: dict[str, Any]) -> Action | ParseFailure:
    name = obj.get("action")
    if not isinstance(name, str) or name not in ACTIONS:
        known = ", ".join(sorted(ACTIONS))
        return ParseFailure(message=f"Unknown action {name!r}. Known actions: {known}.")
    required, optional = ACTIONS[name]
    params = obj.get("params", {})
    if not isinstance(params, dict):
        return ParseFailure(message=f'"params" of {name} must be an object.')
    # Accept the parameter at top level too ({"action": ..., "code": ...}).
    value = params.get(required, obj.get(required))
    if not isinstance(value, str) or not value.strip():
        return ParseFailure(
            message=f'Action {name} needs a non-empty string parameter "{required}".'
        )
    if value.strip().lower() in _PLACEHOLDERS:
        return ParseFailure(
            message=f'"{required}" still holds the placeholder {value.strip()!r} from the instructions; '
            f"write your own {required} there."
        )
    clean = {required: value}
    for key in optional:
        extra = params.get(key, params.get(key.removesuffix("_msg")))
        if isinstance(extra, str):
            clean[key] = extra
    return Action(name=name, params=clean)  # type: ignore[arg-type]


def _balanced_objects(text: str) -> list[str]:
    """Top-level ``{...}`` spans, aware of JSON strings (quotes and escapes)."""
    spans: list[str] = []
    depth = 0
    start = -1
    in_string: str | None = None
    escaped = False
    for i, ch in enumerate(text):
        if in_string is not None:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == in_string:
                in_string = None
            continue
        if ch == '"' and depth > 0:
            in_string = ch
        elif ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                spans.append(text[start : i + 1])
    return spans


def _loads_lenient(candidate: str) -> Any:
    """json.loads, then with the common model mistakes repaired.

    orjson first: it is several times faster and agrees with ``json.loads``
    wherever it accepts a document; what it refuses (NaN, huge ints) goes
    through ``json.loads`` as before.
    """
    try:
        return orjson.loads(candidate)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(candidate)
    except ValueError:
        pass
    repaired = _TRIPLE.sub(lambda m: json.dumps(m.group(2)), candidate)
    repaired = _TRAILING_COMMA.sub(r"\1", repaired)
    try:
        return json.loads(repaired, strict=False)
    except ValueError:
        pass
    if "'" in repaired and '"' not in repaired:
        try:
            return json.loads(repaired.replace("'", '"'), strict=False)
        except ValueError:
            return None
    return None
