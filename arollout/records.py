"""Everything arollout stores or sends across a boundary, as msgspec Structs.

Schema evolution follows msgspec's rules: new fields get defaults, existing
annotations never change, and ``SCHEMA_VERSION`` is bumped when a reader must
know the difference. Encoders and decoders are built once, at import.

Token layout of a trajectory (token-in/token-out):

    full_ids = turns[0].prompt_ids + turns[0].output_ids
             + turns[1].prompt_ids + turns[1].output_ids + ...

``Turn.prompt_ids`` holds only the ids *appended* to the context before that
generation (the whole rendered prompt for the first turn of a segment, the
rendered observation afterwards), so earlier turns are never re-tokenized and
the loss mask is 1 exactly on ``output_ids``. When a chat template cannot extend
the previous context by appending (a "prefix break"), the turn starts a new
segment (``Turn.segment_start``) and its ``prompt_ids`` hold the full prompt.

Ids and logprobs are packed arrays (:mod:`arollout.tokens`): schema 2 stores
them as msgpack ``bin``; schema-1 records (plain lists) still decode.
"""

from __future__ import annotations

import enum
from typing import Any

import msgspec

from arollout.tokens import Logprobs, TokenIds, dec_hook, json_enc_hook, msgpack_enc_hook

__all__ = (
    "SCHEMA_VERSION",
    "EpisodeStatus",
    "Group",
    "Message",
    "Step",
    "Trajectory",
    "Turn",
    "decode_trajectory",
    "encode_trajectory",
    "encode_trajectory_json",
)

SCHEMA_VERSION = 2


class EpisodeStatus(enum.StrEnum):
    """How an episode ended. ``solved``/``unsolved`` are normal endings."""

    SOLVED = "solved"  # the verifier accepted an answer
    MAX_TURNS = "max_turns"  # the turn budget ran out without a correct answer
    TOKEN_BUDGET = "token_budget"  # the per-episode token budget ran out
    CONTEXT_FULL = "context_full"  # the next prompt would not fit the context
    TIMEOUT = "timeout"  # the per-episode wall deadline passed
    LLM_ERROR = "llm_error"  # the server failed after bounded retries
    SANDBOX_ERROR = "sandbox_error"  # the sandbox failed (not the model's fault)
    CANCELLED = "cancelled"  # the run was shut down mid-episode
    ENGINE_ERROR = "engine_error"  # a bug in arollout; recorded, never silent


class Message(msgspec.Struct, frozen=True, gc=False):
    role: str
    content: str


class Step(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What the environment did with one model turn.

    Attributes:
        action: parsed action name (``validate_code``, ``request_info``,
            ``debug``, ``terminal``) or ``parse_error``.
        exec_status: sandbox status when code ran (``sandboxes.ExecStatus`` value).
        correct: the verifier's verdict when an answer was checked, else ``None``.
        observation: the text fed back to the model.
        env_s: seconds spent in the environment (sandbox, lookup, verifier).
    """

    action: str
    exec_status: str | None = None
    correct: bool | None = None
    observation: str = ""
    env_s: float = 0.0


class Turn(msgspec.Struct, kw_only=True, gc=False):
    """One model generation and what it cost."""

    index: int
    prompt_ids: TokenIds = msgspec.field(default_factory=TokenIds)
    output_ids: TokenIds = msgspec.field(default_factory=TokenIds)
    output_logprobs: Logprobs = msgspec.field(default_factory=Logprobs)
    text: str = ""
    finish_reason: str = "stop"
    segment_start: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    weight_version: str | None = None
    temperature: float = 1.0
    llm_s: float = 0.0
    step: Step | None = None


class Trajectory(msgspec.Struct, kw_only=True, gc=False):
    """One finished episode: the unit the store writes and trainers read."""

    schema: int = SCHEMA_VERSION
    run_id: str = ""
    episode_id: str
    task_id: str
    suite: str
    category: str = ""
    split: str = ""
    sample_index: int = 0
    group_id: str = ""
    seed: int = 0
    status: EpisodeStatus
    reward: float = 0.0
    error: str = ""
    messages: list[Message] = []
    turns: list[Turn] = []
    started_at: float = 0.0
    wall_s: float = 0.0
    llm_s: float = 0.0
    env_s: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    weight_version: str | None = None
    meta: dict[str, Any] = {}

    @property
    def key(self) -> tuple[str, int]:
        """Identity used for resume: each (task, sample) is stored exactly once."""
        return (self.task_id, self.sample_index)

    @property
    def solved(self) -> bool:
        return self.status is EpisodeStatus.SOLVED


class Group(msgspec.Struct, kw_only=True, gc=False):
    """All samples of one task, yielded together (GRPO's unit)."""

    task_id: str
    group_id: str
    trajectories: list[Trajectory]

    @property
    def rewards(self) -> list[float]:
        return [t.reward for t in self.trajectories]


_ENCODER = msgspec.msgpack.Encoder(enc_hook=msgpack_enc_hook)
_DECODER = msgspec.msgpack.Decoder(Trajectory, dec_hook=dec_hook)
_JSON_ENCODER = msgspec.json.Encoder(enc_hook=json_enc_hook)


def encode_trajectory(trajectory: Trajectory) -> bytes:
    """msgpack bytes of one trajectory (encoder built once)."""
    return _ENCODER.encode(trajectory)


def encode_trajectory_json(trajectory: Trajectory) -> bytes:
    """JSON bytes of one trajectory, ids and logprobs as plain arrays."""
    return _JSON_ENCODER.encode(trajectory)


def decode_trajectory(data: bytes | memoryview) -> Trajectory:
    """Inverse of :func:`encode_trajectory`; raises ``msgspec.DecodeError``."""
    return _DECODER.decode(data)
