from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from arollout.agent.actions import _PLACEHOLDERS, Action, ParseFailure, parse_action


def test_fenced_json_with_prose_and_think() -> None:
    text = (
        "<think>maybe {\"action\": \"terminal\"}</think>Let me query.\n```json\n"
        '{"action": "validate_code", "params": {"code": "print(1)"}}\n```\nDone.'
    )
    assert parse_action(text) == Action(name="validate_code", params={"code": "print(1)"})


def test_triple_quoted_code_and_trailing_comma() -> None:
    text = '{"action": "validate_code", "params": {"code": """x = 1\nprint(x)""",},}'
    action = parse_action(text)
    assert isinstance(action, Action)
    assert action.argument == "x = 1\nprint(x)"


def test_single_quotes() -> None:
    action = parse_action("{'action': 'request_info', 'params': {'query': 'patients'}}")
    assert action == Action(name="request_info", params={"query": "patients"})


def test_unknown_action_and_missing_parameter_messages() -> None:
    unknown = parse_action('{"action": "fly", "params": {}}')
    assert isinstance(unknown, ParseFailure) and "Unknown action 'fly'" in unknown.message
    missing = parse_action('{"action": "validate_code", "params": {}}')
    assert isinstance(missing, ParseFailure) and '"code"' in missing.message
    empty = parse_action("   ")
    assert isinstance(empty, ParseFailure) and "empty" in empty.message


_CODE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1).filter(
    lambda s: s.strip() != "" and s.strip().lower() not in _PLACEHOLDERS
)
_NOISE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80).filter(
    lambda s: "{" not in s and "}" not in s and "```" not in s and "<think>" not in s.lower()
)


@given(st.text())
def test_never_raises(text: str) -> None:
    assert isinstance(parse_action(text), Action | ParseFailure)


@given(code=_CODE, before=_NOISE, after=_NOISE, fenced=st.booleans())
def test_well_formed_action_survives_surrounding_text(code: str, before: str, after: str, fenced: bool) -> None:
    payload = json.dumps({"action": "validate_code", "params": {"code": code}})
    body = f"```json\n{payload}\n```" if fenced else payload
    parsed = parse_action(f"{before}\n{body}\n{after}")
    assert parsed == Action(name="validate_code", params={"code": code})


_FENCE_PIECES = st.sampled_from(["```", "json", "JSON", " ", "\t", "\n", "x", "{", "}", "``"])


@given(st.lists(_FENCE_PIECES, max_size=30).map("".join))
def test_fenced_blocks_match_the_reference_regex(text: str) -> None:
    # The split-based scanner must find exactly what the documented regex finds.
    from arollout.agent.actions import _FENCE, _fenced_blocks

    assert _fenced_blocks(text) == [m.group(1) for m in _FENCE.finditer(text)]


@pytest.mark.parametrize(
    ("reply", "needle"),
    [
        # Real SmolLM2-135M replies (from a local run): an unterminated string inside the fence.
        ('Here is: ```json\n{"action": "validate_code", "params": {"code": "print(42)}}\n```', "not valid JSON"),
        ('Here is a possible answer: ```json\n{"prescription_list": ["a", "b"]}\n```', 'no "action" key'),
        ('{"action": "validate_code", "params": {"code": "<python code>"}}', "placeholder"),
        ("The patient was 17310.", "No action found"),
    ],
)
def test_failures_name_the_most_specific_problem(reply: str, needle: str) -> None:
    parsed = parse_action(reply)
    assert isinstance(parsed, ParseFailure)
    assert needle in parsed.message


def test_decode_problem_says_where() -> None:
    broken = parse_action('```json\n{"action": "request_info", "params": {"query": "patients}}\n```')
    assert isinstance(broken, ParseFailure)
    assert "line 1 column" in broken.message and "near" in broken.message


def test_one_nested_action_object_is_accepted() -> None:
    reply = '``` { "json": { "action": "validate_code", "params": { "code": "print(42)" } } } ```'
    assert parse_action(reply) == Action(name="validate_code", params={"code": "print(42)"})
