"""Chat templates that render token ids incrementally, without drift.

Chat templates are not append-only in general: re-rendering a history, or
decoding sampled ids and encoding them again, can give different ids from the
ones the model produced. The engine therefore never re-renders: turn ``k+1``'s
prompt is ``prompt_k + output_k + render_continuation(new_messages)``, where
``output_k`` are the sampled ids and end with the stop token (SGLang is asked
for ``no_stop_trim``). A template is *prefix-stable* when that sum equals
``render(all_messages)``; :meth:`ChatTemplate.replay_check` proves it for a
stored trajectory.

Three implementations:

* :class:`PackedChatML`: a built-in tokenizer that packs four ASCII bytes into
  one id, so token counts are close to a real BPE tokenizer's (about four
  characters per token on English and code). The emulator's and the
  benchmarks' default: costs that grow with the token count (JSON bodies,
  logprob lists, context copies) are then measured at a realistic size.
* :class:`ByteChatML`: one id per UTF-8 byte; the simplest possible tokenizer,
  for tests that want to reason about individual ids.
* :class:`HFChatTemplate`: a Hugging Face ``tokenizer.json`` (through the
  optional ``tokenizers`` package) with ChatML rendering built from the
  tokenizer's special tokens. Only ChatML-family templates (Qwen, SmolLM2,
  Hermes...) are supported: jinja templates are not executed, because a
  template that rewrites history (e.g. strips earlier ``<think>`` blocks)
  cannot be prefix-stable anyway.
"""

from __future__ import annotations

import json
import re
import sys
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, final

from arollout.errors import ConfigError
from arollout.records import Message

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ("ByteChatML", "ChatTemplate", "HFChatTemplate", "PackedChatML")


class ChatTemplate(Protocol):
    """Tokenizer plus chat template, as the engine needs them."""

    @property
    def stop_token_ids(self) -> tuple[int, ...]:
        """Ids that end an assistant turn (sent as ``stop_token_ids``)."""
        ...

    def encode(self, text: str) -> list[int]:
        """Plain text to ids; special-token strings are NOT given special ids."""
        ...

    def decode(self, ids: Sequence[int]) -> str:
        """Ids to text, special tokens spelled out."""
        ...

    def render(self, messages: Sequence[Message], add_generation_prompt: bool = True) -> list[int]:
        """The whole prompt for ``messages``."""
        ...

    def render_continuation(self, new_messages: Sequence[Message]) -> list[int]:
        """Ids to append after an assistant output that ends with a stop token."""
        ...

    def replay_check(self, messages: Sequence[Message], stored_ids: Sequence[int]) -> bool:
        """True when ``render(messages)`` reproduces ``stored_ids`` exactly."""
        ...


_SYSTEM_CACHE_SIZE: Final = 64  # distinct fixed strings and system prompts kept


class _ChatMLBase:
    """ChatML rendering shared by both implementations.

    Layout (Qwen2 style)::

        <|im_start|>{role}\\n{content}<|im_end|>\\n ... <|im_start|>assistant\\n

    The model's output is ``{content}<|im_end|>``; the newline after it belongs
    to the continuation, so ``prompt + output + continuation`` is exactly the
    full rendering. The role header ``{role}\\n`` and the content are encoded
    separately: the generation prompt ends with ``encode("assistant\\n")`` and
    the model then samples ``encode(content)``, so a rendering that encoded
    header and content as one string would differ from the sampled ids for any
    tokenizer whose pieces can span the newline (BPE merges, packed bytes).
    """

    im_start: int
    im_end: int

    def encode(self, text: str) -> list[int]:
        raise NotImplementedError

    @property
    def stop_token_ids(self) -> tuple[int, ...]:
        return (self.im_end,)

    def _fixed(self, text: str) -> list[int]:
        """``encode(text)`` for the template's own fixed strings, computed once.

        Role headers, the newline and the generation prompt recur in every
        message; caching them leaves one ``encode`` per message (its content).
        """
        cache: dict[str, list[int]] | None = self.__dict__.get("_fixed_cache")
        if cache is None:
            cache = self.__dict__["_fixed_cache"] = {}
        ids = cache.get(text)
        if ids is None:
            ids = cache[text] = self.encode(text)
        return ids

    def _message(self, message: Message) -> list[int]:
        """The ids of one message (callers copy them: cached lists are shared)."""
        if message.role == "system":  # one instruction text shared by thousands of episodes
            key = "\x00system\x00" + message.content
            cache = self.__dict__.get("_fixed_cache")
            cached = cache.get(key) if cache is not None else None
            if cached is None:
                cached = self._render_message(message)
                if cache is not None and len(cache) >= _SYSTEM_CACHE_SIZE:
                    cache.clear()
                self.__dict__.setdefault("_fixed_cache", {})[key] = cached
            return cached
        return self._render_message(message)

    def _render_message(self, message: Message) -> list[int]:
        ids = [self.im_start]
        ids += self._fixed(f"{message.role}\n")
        ids += self.encode(message.content)
        ids.append(self.im_end)
        ids += self._fixed("\n")
        return ids

    @property
    def _newline(self) -> list[int]:
        return self._fixed("\n")

    def _generation_prompt(self) -> list[int]:
        return [self.im_start, *self._fixed("assistant\n")]

    def render(self, messages: Sequence[Message], add_generation_prompt: bool = True) -> list[int]:
        ids: list[int] = []
        for message in messages:
            ids += self._message(message)
        if add_generation_prompt:
            ids += self._generation_prompt()
        return ids

    def render_continuation(self, new_messages: Sequence[Message]) -> list[int]:
        ids = list(self._newline)
        for message in new_messages:
            ids += self._message(message)
        ids += self._generation_prompt()
        return ids

    def replay_check(self, messages: Sequence[Message], stored_ids: Sequence[int]) -> bool:
        """Compare a stored trajectory's ids with a fresh full rendering.

        A conversation that ends with an assistant message was stored without
        the newline that would follow its stop token; one that ends with an
        environment message was stored with the generation prompt.
        """
        stored = list(stored_ids)
        if messages and messages[-1].role == "assistant":
            full = self.render(messages, add_generation_prompt=False)
            newline = self._newline
            return stored == full[: len(full) - len(newline)] or stored == full
        return stored == self.render(messages, add_generation_prompt=True)

    def parse(self, ids: Sequence[int]) -> list[Message]:
        """Split ChatML-rendered ids back into messages (an open final
        ``assistant`` header yields no message)."""
        messages: list[Message] = []
        start = self.im_start
        end = self.im_end
        i = 0
        n = len(ids)
        while i < n:
            if ids[i] != start:
                i += 1
                continue
            j = i + 1
            while j < n and ids[j] != end and ids[j] != start:
                j += 1
            if j >= n or ids[j] != end:
                i = j
                continue
            role, _, content = self.decode(ids[i + 1 : j]).partition("\n")
            messages.append(Message(role, content))
            i = j + 1
        return messages

    def decode(self, ids: Sequence[int]) -> str:
        raise NotImplementedError


_SPECIALS: Final = ("<|im_start|>", "<|im_end|>", "<|endoftext|>")
_SPECIAL_IDS: Final = {s: 256 + i for i, s in enumerate(_SPECIALS)}
_SPECIAL_SPLIT: Final = re.compile("(" + "|".join(re.escape(s) for s in _SPECIALS) + ")")
_BYTE_TABLE: Final[tuple[bytes, ...]] = (
    *(bytes((b,)) for b in range(256)),
    *(s.encode() for s in _SPECIALS),
)


@final
class ByteChatML(_ChatMLBase):
    """Deterministic byte tokenizer with a ChatML template.

    Ids 0..255 are UTF-8 bytes; 256 ``<|im_start|>``, 257 ``<|im_end|>``, 258
    ``<|endoftext|>``; the vocabulary has 259 entries. Encoding is
    ``list(text.encode())``, so it costs next to nothing and never drifts.
    """

    im_start = 256
    im_end = 257
    endoftext: Final = 258
    vocab_size: Final = 259

    _NEWLINE: Final = [10]

    def encode(self, text: str) -> list[int]:
        return list(text.encode())

    def encode_with_specials(self, text: str) -> list[int]:
        """Like :meth:`encode`, but special-token strings become their ids (as a
        server tokenizing a rendered prompt does)."""
        ids: list[int] = []
        for piece in _SPECIAL_SPLIT.split(text):
            special = _SPECIAL_IDS.get(piece)
            if special is not None:
                ids.append(special)
            else:
                ids += piece.encode()
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        table = _BYTE_TABLE
        try:
            raw = b"".join([table[i] for i in ids])
        except IndexError:
            raise ValueError(f"id out of range for a vocabulary of {self.vocab_size}") from None
        return raw.decode("utf-8", "replace")

    @property
    def _newline(self) -> list[int]:
        return self._NEWLINE


def _int32_array_code() -> str:
    for code in ("I", "L"):
        if array(code).itemsize == 4:
            return code
    raise ImportError("no 4-byte unsigned array type on this platform")  # pragma: no cover


_U32: Final = _int32_array_code()
_SWAP: Final = sys.byteorder != "little"
_GROUP: Final = 4
#: Marker ids: the third little-endian byte is >= 0x80, which no packed group
#: (ASCII bytes only) has, and the top byte 0x7F keeps them below 2**31.
_SINGLE_BASE: Final = 0x7F80_0000
_SPECIAL_BASE: Final = 0x7F81_0000
_SINGLES: Final[tuple[int, ...]] = tuple(_SINGLE_BASE | b for b in range(256))
_NON_ASCII: Final = re.compile(rb"[\x80-\xff]+")
_MARKER: Final = re.compile(rb"(.)\x00([\x80\x81])\x7f", re.S)


def _pack_ascii(data: bytes) -> list[int]:
    """ASCII bytes to ids: whole groups of four, then the tail byte by byte."""
    whole = len(data) - len(data) % _GROUP
    packed = array(_U32, data[:whole])
    if _SWAP:
        packed.byteswap()
    ids = packed.tolist()
    if whole != len(data):
        singles = _SINGLES
        ids += [singles[b] for b in data[whole:]]
    return ids


@final
class PackedChatML(_ChatMLBase):
    """Deterministic tokenizer with BPE-like token counts and a ChatML template.

    Four consecutive ASCII bytes ``b0 b1 b2 b3`` are one id, their
    little-endian value ``b0 | b1 << 8 | b2 << 16 | b3 << 24`` (always
    ``<= 0x7F7F7F7F``: every byte is below 0x80). The byte order is part of
    the definition, not the machine's, so an engine and an emulator on
    different machines agree. Bytes left over at the end of an ASCII run
    (at most three) and every non-ASCII byte are single ids ``0x7F800000 | b``;
    ``<|im_start|>``, ``<|im_end|>`` and ``<|endoftext|>`` are ``0x7F810000``,
    ``0x7F810001`` and ``0x7F810002``. Every id is below ``2**31``, so trainers
    can hold them in int32 tensors.

    English prose and code average 4 bytes per token in the packed runs (a
    real BPE tokenizer gives about 3.5 to 4.5 characters per token); non-ASCII
    text costs one token per UTF-8 byte. Encoding an ASCII string is one
    ``array`` conversion, at C speed. Each encoded string decodes back to
    itself, and the decoding of concatenated encodings is the concatenation
    of the strings, which is all that prefix-stable rendering needs (the
    encoding of ``a + b`` may differ from ``encode(a) + encode(b)``, as with
    any subword tokenizer).
    """

    im_start = _SPECIAL_BASE
    im_end = _SPECIAL_BASE + 1
    endoftext: Final = _SPECIAL_BASE + 2
    #: Ids are sparse: every valid id is below this bound (not a dense vocabulary).
    id_bound: Final = _SPECIAL_BASE + len(_SPECIALS)

    _NEWLINE: Final = [_SINGLE_BASE | 10]

    def encode(self, text: str) -> list[int]:
        data = text.encode()
        if data.isascii():
            return _pack_ascii(data)
        ids: list[int] = []
        singles = _SINGLES
        start = 0
        for match in _NON_ASCII.finditer(data):
            if match.start() > start:
                ids += _pack_ascii(data[start : match.start()])
            ids += [singles[b] for b in match.group()]
            start = match.end()
        if start < len(data):
            ids += _pack_ascii(data[start:])
        return ids

    def encode_with_specials(self, text: str) -> list[int]:
        """Like :meth:`encode`, but special-token strings become their ids (as a
        server tokenizing a rendered prompt does)."""
        ids: list[int] = []
        for piece in _SPECIAL_SPLIT.split(text):
            if piece in _SPECIAL_IDS:
                ids.append(_SPECIAL_BASE + _SPECIALS.index(piece))
            elif piece:
                ids += self.encode(piece)
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        """Ids to text; raises :class:`ValueError` for an id outside the vocabulary."""
        try:
            cells = array(_U32, ids)
        except (OverflowError, TypeError):
            raise ValueError("id out of range for PackedChatML") from None
        if _SWAP:
            cells.byteswap()
        raw = cells.tobytes()
        if raw.isascii():  # packed groups only
            return raw.decode()
        parts = _MARKER.split(raw)
        # parts: [run, byte, kind, run, byte, kind, ..., run]; every run must be
        # whole ASCII groups, or the markers were not aligned to id boundaries.
        out: list[bytes] = []
        for k in range(0, len(parts) - 1, 3):
            run = parts[k]
            if len(run) % _GROUP or not run.isascii():
                raise ValueError("id out of range for PackedChatML")
            out.append(run)
            value = parts[k + 1]
            if parts[k + 2] == b"\x80":
                out.append(value)
            elif value[0] < len(_SPECIALS):
                out.append(_BYTE_TABLE[256 + value[0]])
            else:
                raise ValueError("id out of range for PackedChatML")
        last = parts[-1]
        if len(last) % _GROUP or not last.isascii():
            raise ValueError("id out of range for PackedChatML")
        out.append(last)
        return b"".join(out).decode("utf-8", "replace")

    @property
    def _newline(self) -> list[int]:
        return self._NEWLINE


@final
class HFChatTemplate(_ChatMLBase):
    """ChatML rendering over a Hugging Face ``tokenizers`` tokenizer.

    Each message is encoded on its own between the special ids, so a rendering
    is a concatenation of per-message pieces and therefore prefix-stable. A
    model whose ``tokenizer_config.json`` declares a non-ChatML chat template
    is refused rather than rendered wrongly.
    """

    def __init__(self, tokenizer: Any, *, im_start: int, im_end: int) -> None:
        self._tokenizer = tokenizer
        self.im_start = im_start
        self.im_end = im_end
        self._nl = self.encode("\n")

    @classmethod
    def from_path(cls, path: str | Path) -> HFChatTemplate:
        """Load ``tokenizer.json`` (and ``tokenizer_config.json`` if present).

        Raises:
            ConfigError: ``tokenizers`` is not installed, the files are missing,
                or the template is not ChatML.
        """
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ConfigError(
                "HFChatTemplate needs the `tokenizers` package: pip install arollout[hf]"
            ) from exc
        directory = Path(path)
        file = directory / "tokenizer.json"
        if not file.is_file():
            raise ConfigError(f"{file} not found: point the template at a model directory")
        config_file = directory / "tokenizer_config.json"
        if config_file.is_file():
            config = json.loads(config_file.read_text())
            template = config.get("chat_template")
            if isinstance(template, str) and "<|im_start|>" not in template:
                raise ConfigError(
                    f"{config_file}: only ChatML chat templates are supported "
                    "(the template does not use <|im_start|>)"
                )
        tokenizer = Tokenizer.from_file(str(file))
        start = tokenizer.token_to_id("<|im_start|>")
        end = tokenizer.token_to_id("<|im_end|>")
        if start is None or end is None:
            raise ConfigError(f"{file}: the tokenizer has no <|im_start|>/<|im_end|> tokens")
        return cls(tokenizer, im_start=int(start), im_end=int(end))

    def encode(self, text: str) -> list[int]:
        ids: list[int] = self._tokenizer.encode(text, add_special_tokens=False).ids
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        text: str = self._tokenizer.decode(list(ids), skip_special_tokens=False)
        return text

    @property
    def _newline(self) -> list[int]:
        return self._nl
