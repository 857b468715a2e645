"""The contract between the engine and any inference server client.

Two modes exist because servers differ in what they can promise:

* token mode (``LLMClient.token_in``): the request carries ``input_ids`` and the
  reply carries the sampled ids and their logprobs. This is the only mode whose
  turns are fit for RL training data (SGLang ``/generate``, llama.cpp
  ``/completion``).
* chat mode: the request carries messages and the server renders them
  (OpenAI-compatible servers, API models). Used for evaluation and baselines.
"""

from __future__ import annotations

import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, NoReturn, Protocol, final

import msgspec

from arollout.records import Message
from arollout.tokens import Logprobs, TokenIds

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = (
    "Completion",
    "FinishReason",
    "GenerateRequest",
    "LLMClient",
    "PromptIds",
    "SamplingParams",
)

_IDS_ENCODER = msgspec.json.Encoder()

FinishReason = Literal["stop", "length", "abort"]


@final
class PromptIds(TokenIds):
    """An episode's token context: packed ids that only grow, with their JSON cached.

    A token-in request carries the whole context every turn, and encoding it
    again each time costs time linear in the context (tens of microseconds at
    a few thousand ids, per turn). Because this array can only be appended to,
    the JSON text of the ids already encoded stays valid, and :meth:`json_parts`
    encodes only the ids added since its last call. Every other mutation
    raises :class:`TypeError`, so the cache cannot go stale.

    The cache is a list of immutable pieces (``[``, each growth's ids, the
    commas between them), not one buffer: a request sends them as they are,
    in one ``writev``, and the context is never copied into a joined body
    (that copy, tens of KB per turn late in an episode, was 2 % of the
    engine's CPU per turn).
    """

    __slots__ = ("_encoded", "_parts")

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self._parts: list[bytes] = []
        self._encoded = 0

    def json_parts(self) -> list[bytes]:
        """The ids as a JSON array in pieces (a new list; the pieces are shared)."""
        n = len(self)
        if n == 0:
            return [b"[]"]
        done = self._encoded
        if done < n:
            tail = _IDS_ENCODER.encode(array.array.__getitem__(self, slice(done, n)).tolist())
            self._append_json(tail)
            self._encoded = n
        parts = self._parts.copy()
        parts.append(b"]")
        return parts

    def json(self) -> bytes:
        """The ids as one JSON array (:meth:`json_parts` joined)."""
        return b"".join(self.json_parts())

    def _append_json(self, array_json: bytes) -> None:
        """Append the items of the non-empty JSON array ``array_json`` to the cache."""
        self._parts.append(b"," if self._parts else b"[")
        self._parts.append(array_json[1:-1])

    def extend_encoded(self, ids: TokenIds, encoded: bytes) -> None:
        """Append ``ids`` whose JSON array text is ``encoded`` (e.g. a client's
        :attr:`Completion.ids_json`), so that :meth:`json_parts` need not encode them.

        ``encoded`` must be the JSON of exactly ``ids``; an empty ``encoded``
        falls back to :meth:`extend`.
        """
        if not encoded or not ids:
            self.extend(ids)
            return
        self.json_parts()  # bring the cache up to date first: it must cover self[:n]
        self._append_json(encoded)
        self.extend(ids)
        self._encoded = len(self)

    def _frozen(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise TypeError("PromptIds only grows: use append() or extend()")

    __setitem__ = __delitem__ = __imul__ = _frozen
    insert = pop = remove = reverse = byteswap = _frozen

    def __iadd__(self, other: Iterable[int]) -> PromptIds:  # type: ignore[misc]
        self.extend(other)
        return self


def ids_json(ids: Sequence[int]) -> bytes:
    """The JSON array of a request's ``input_ids``: a :class:`PromptIds`' cache,
    else a fresh encoding."""
    return ids.json() if type(ids) is PromptIds else _IDS_ENCODER.encode(list(ids))


def ids_json_parts(ids: Sequence[int]) -> list[bytes]:
    """:func:`ids_json` in pieces, for a body sent as parts (no copy of a cached context)."""
    return ids.json_parts() if type(ids) is PromptIds else [_IDS_ENCODER.encode(list(ids))]


class SamplingParams(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    max_new_tokens: int = 1024
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = -1
    seed: int | None = None
    stop_token_ids: tuple[int, ...] = ()
    stop: tuple[str, ...] = ()


class GenerateRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One generation. Exactly one of ``input_ids`` / ``messages`` is set.

    ``input_ids`` may be the episode's live context list: it is valid only
    during the ``generate`` call, which must not keep or mutate it (the engine
    appends to it afterwards instead of copying the context every turn).

    ``rid`` is unique per request (the server can abort it by id); ``routing_key``
    is stable per episode so that a router keeps all turns on one worker's
    prefix cache.
    """

    rid: str
    sampling: SamplingParams
    input_ids: Sequence[int] | None = None
    messages: list[Message] | None = None
    routing_key: str | None = None


class Completion(msgspec.Struct, kw_only=True, gc=False):
    """A validated reply: ``len(output_ids) == len(logprobs)`` when logprobs exist."""

    text: str
    output_ids: TokenIds
    logprobs: Logprobs
    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0
    weight_version: str | None = None
    latency_s: float = 0.0
    #: JSON array text of ``output_ids`` when the client already has it (empty
    #: otherwise): the next token-in request appends it instead of re-encoding.
    ids_json: bytes = b""


class LLMClient(Protocol):
    """What the engine needs from a server client."""

    @property
    def token_in(self) -> bool:
        """True when requests must carry ``input_ids`` (token-in/token-out)."""
        ...

    async def generate(self, request: GenerateRequest) -> Completion:
        """One generation; raises :class:`arollout.errors.ServerError` on failure
        after the client's bounded retries."""
        ...

    async def aclose(self) -> None: ...
