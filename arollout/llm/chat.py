"""Chat templates that render token ids incrementally, without drift.

Chat templates are not append-only in general: re-rendering a history, or
decoding sampled ids and encoding them again, can give different ids from the
ones the model produced. The engine therefore never re-renders: turn ``k+1``'s
prompt is ``prompt_k + output_k + render_continuation(new_messages)``, where
``output_k`` are the sampled ids and end with the stop token (SGLang is asked
for ``no_stop_trim``). A template is *prefix-stable* when that sum equals
``render(all_messages)``; :meth:`ChatTemplate.replay_check` proves it for a
stored trajectory.

Two implementations:

* :class:`ByteChatML`: a built-in byte-level tokenizer with a ChatML template.
  No model needs it; the emulator, the tests and the benchmarks do.
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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, final

from arollout.errors import ConfigError
from arollout.records import Message

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ("ByteChatML", "ChatTemplate", "HFChatTemplate")


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


class _ChatMLBase:
    """ChatML rendering shared by both implementations.

    Layout (Qwen2 style)::

        <|im_start|>{role}\\n{content}<|im_end|>\\n ... <|im_start|>assistant\\n

    The model's output is ``{content}<|im_end|>``; the newline after it belongs
    to the continuation, so ``prompt + output + continuation`` is exactly the
    full rendering.
    """

    im_start: int
    im_end: int

    def encode(self, text: str) -> list[int]:
        raise NotImplementedError

    @property
    def stop_token_ids(self) -> tuple[int, ...]:
        return (self.im_end,)

    def _message(self, message: Message) -> list[int]:
        ids = [self.im_start]
        ids += self.encode(f"{message.role}\n{message.content}")
        ids.append(self.im_end)
        ids += self._newline
        return ids

    @property
    def _newline(self) -> list[int]:
        return self.encode("\n")

    def _generation_prompt(self) -> list[int]:
        return [self.im_start, *self.encode("assistant\n")]

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
