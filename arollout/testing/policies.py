"""Scripted "models" for the emulator: what the assistant says next.

A policy sees the parsed conversation and answers with the assistant's text
(the emulator appends the stop token). Policies key their answers on the
EXACT content of the first user message, which is the task question in the
engine's prompts, and count turns by the assistant messages already present,
so the same conversation always gets the same reply regardless of how many
episodes run concurrently.

Replies use the agent's action format, a fenced JSON block::

    ```json
    {"action": "validate_code", "params": {"code": "<python code>"}}
    ```
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING, Final, Protocol, final

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from arollout.records import Message

__all__ = (
    "NoisyPolicy",
    "OraclePolicy",
    "Policy",
    "ReplayPolicy",
    "format_action",
    "question_of",
    "turn_of",
)

#: The reply to a question no policy knows: valid, runs, and solves nothing.
UNKNOWN_CODE: Final = 'print("no reference solution for this task")'


class Policy(Protocol):
    """Given the conversation so far, the assistant's next text."""

    def reply(self, conversation: Sequence[Message], rng: random.Random) -> str: ...


def format_action(action: str, params: Mapping[str, object]) -> str:
    """Render one action as the fenced JSON block the agent's parser reads."""
    payload = json.dumps({"action": action, "params": dict(params)}, ensure_ascii=False)
    return f"```json\n{payload}\n```"


def question_of(conversation: Sequence[Message]) -> str:
    """Content of the first user message ("" when there is none)."""
    for message in conversation:
        if message.role == "user":
            return message.content
    return ""


def turn_of(conversation: Sequence[Message]) -> int:
    """0-based index of the turn being generated (assistant messages so far)."""
    return sum(1 for message in conversation if message.role == "assistant")


@final
class OraclePolicy:
    """Answers every known question with its reference solution at once."""

    def __init__(self, solutions: Mapping[str, str]) -> None:
        self._solutions = dict(solutions)

    def reply(self, conversation: Sequence[Message], rng: random.Random) -> str:
        code = self._solutions.get(question_of(conversation), UNKNOWN_CODE)
        return format_action("validate_code", {"code": code})


_NOISE_KINDS: Final = ("bad_json", "unknown_action", "missing_code", "name_error")


@final
class NoisyPolicy:
    """An oracle that sometimes makes the mistakes real models make.

    On each of the first ``max_noisy_turns`` turns it emits, with probability
    ``noise_rate``, one of: a JSON block that does not parse, an unknown
    action, a ``validate_code`` without code, or code that raises NameError.
    Every later turn is the oracle's answer, so an episode with enough turns
    always converges. The draw depends only on (seed, question, turn), which
    keeps runs reproducible under any concurrency.
    """

    def __init__(
        self,
        solutions: Mapping[str, str],
        noise_rate: float,
        seed: int = 0,
        *,
        max_noisy_turns: int = 2,
    ) -> None:
        if not 0.0 <= noise_rate <= 1.0:
            raise ValueError(f"`noise_rate` must be in [0, 1], got {noise_rate}")
        self._oracle = OraclePolicy(solutions)
        self._noise_rate = noise_rate
        self._seed = seed
        self._max_noisy_turns = max_noisy_turns

    def noise_kind(self, question: str, turn: int) -> str | None:
        """Which mistake turn ``turn`` of ``question`` makes, or None."""
        if turn >= self._max_noisy_turns:
            return None
        draw = random.Random(f"{self._seed}\x00{question}\x00{turn}")
        if draw.random() >= self._noise_rate:
            return None
        return draw.choice(_NOISE_KINDS)

    def reply(self, conversation: Sequence[Message], rng: random.Random) -> str:
        kind = self.noise_kind(question_of(conversation), turn_of(conversation))
        if kind is None:
            return self._oracle.reply(conversation, rng)
        if kind == "bad_json":
            return '```json\n{"action": "validate_code", "params": {"code": "print(1)"\n```'
        if kind == "unknown_action":
            return format_action("run_everything", {"code": "print(1)"})
        if kind == "missing_code":
            return format_action("validate_code", {})
        return format_action("validate_code", {"code": "print(undefined_result)"})


@final
class ReplayPolicy:
    """Replays recorded assistant texts per question, by turn index.

    Past the recording's end (or for an unknown question) it answers with a
    harmless action that solves nothing.
    """

    def __init__(self, texts: Mapping[str, Sequence[str]]) -> None:
        self._texts = {question: list(replies) for question, replies in texts.items()}

    def reply(self, conversation: Sequence[Message], rng: random.Random) -> str:
        replies = self._texts.get(question_of(conversation), [])
        turn = turn_of(conversation)
        if turn < len(replies):
            return replies[turn]
        return format_action("validate_code", {"code": UNKNOWN_CODE})
