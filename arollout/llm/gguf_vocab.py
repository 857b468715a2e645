"""The tokenizer of a GGUF model, read from the file's own metadata.

A GGUF file carries its tokenizer as metadata (``tokenizer.ggml.*``): the
vocabulary, the BPE merges, a type per token and the special ids. Reading it
from there means the token-id path needs no ``tokenizer.json`` beside the model
and no network: the ids are, by construction, the ones ``llama-server`` uses
(the local model's tests compare them with the server's ``/tokenize``).

Only the header and the metadata key/value section are parsed; tensors are
never touched. Layout (GGUF v2/v3, little-endian; the format is documented in
``docs/gguf.md`` of the ggml repository)::

    magic "GGUF" | version u32 | tensor_count u64 | kv_count u64
    kv_count times: key (u64 length + UTF-8) | value type u32 | value
    value: a scalar, a string (u64 length + bytes), or an array
           (item type u32 | count u64 | items)

Only GPT-2 style byte-level BPE vocabularies (``tokenizer.ggml.model ==
"gpt2"``: SmolLM2, Qwen2, Llama 3...) are converted; others are refused with a
:class:`arollout.errors.ConfigError` rather than tokenized wrongly.
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

from arollout.errors import ConfigError
from arollout.llm.chat import HFChatTemplate

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

__all__ = ("GGUFVocab", "chat_template_from_gguf", "read_gguf_metadata", "read_vocab")

_MAGIC: Final = b"GGUF"
_STRING: Final = 8
_ARRAY: Final = 9
# Fixed-size scalar types: type id -> struct format (little-endian).
_SCALARS: Final[dict[int, str]] = {
    0: "<B",  # uint8
    1: "<b",  # int8
    2: "<H",  # uint16
    3: "<h",  # int16
    4: "<I",  # uint32
    5: "<i",  # int32
    6: "<f",  # float32
    7: "<?",  # bool
    10: "<Q",  # uint64
    11: "<q",  # int64
    12: "<d",  # float64
}
# llama.cpp's token types (llama_token_type): 3 = control, 4 = user-defined.
_SPECIAL_TYPES: Final = (3, 4)
# llama.cpp's regex for the "smollm" pre-tokenizer splits every digit on its
# own before the GPT-2 split; "default"/"gpt2" do not.
_SPLIT_DIGITS: Final = frozenset({"smollm", "qwen2", "llama3", "llama-bpe", "deepseek-llm"})


class _Reader:
    """Little-endian cursor over the mapped file."""

    def __init__(self, buf: mmap.mmap) -> None:
        self.buf = buf
        self.pos = 0

    def scalar(self, fmt: str) -> Any:
        try:
            (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        except struct.error as exc:
            raise ConfigError("truncated GGUF metadata") from exc
        self.pos += struct.calcsize(fmt)
        return value

    def string(self) -> str:
        n = self.scalar("<Q")
        end = self.pos + n
        if end > len(self.buf):
            raise ConfigError("truncated GGUF metadata (string past the end of the file)")
        raw = self.buf[self.pos : end]
        self.pos = end
        return raw.decode("utf-8", "replace")

    def value(self, kind: int) -> Any:
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item = self.scalar("<I")
            count = self.scalar("<Q")
            if item == _STRING:
                return [self.string() for _ in range(count)]
            fmt = _SCALARS.get(item)
            if fmt is None:
                raise ConfigError(f"unsupported GGUF array item type {item}")
            size = struct.calcsize(fmt)
            end = self.pos + size * count
            if end > len(self.buf):
                raise ConfigError("truncated GGUF metadata (array past the end of the file)")
            values = list(struct.iter_unpack(fmt, self.buf[self.pos : end]))
            self.pos = end
            return [v for (v,) in values]
        fmt = _SCALARS.get(kind)
        if fmt is None:
            raise ConfigError(f"unsupported GGUF value type {kind}")
        return self.scalar(fmt)


def read_gguf_metadata(path: str | Path, keys: Collection[str] | None = None) -> dict[str, Any]:
    """The metadata of the GGUF file at ``path`` (all keys, or only ``keys``).

    Values are Python scalars, strings or lists. Parsing stops at the end of
    the metadata section; the file is memory-mapped, so the tensor data (most
    of the file) is never read.

    Raises:
        ConfigError: not a GGUF file, an unsupported version or big-endian
            file, or truncated metadata.
    """
    file = Path(path)
    try:
        with file.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return _parse(buf, keys, file)
    except (OSError, ValueError) as exc:  # ValueError: mmap of an empty file
        raise ConfigError(f"cannot read GGUF file {file}: {exc}") from exc


def _parse(buf: mmap.mmap, keys: Collection[str] | None, file: Path) -> dict[str, Any]:
    reader = _Reader(buf)
    if buf[:4] != _MAGIC:
        raise ConfigError(f"{file} is not a GGUF file (magic {bytes(buf[:4])!r})")
    reader.pos = 4
    version = reader.scalar("<I")
    if version not in (2, 3):
        hint = " (a big-endian file?)" if version > 0xFFFF else ""
        raise ConfigError(f"{file}: GGUF version {version} is not supported{hint}; use v2 or v3")
    reader.scalar("<Q")  # tensor count: not needed
    count = reader.scalar("<Q")
    wanted = None if keys is None else set(keys)
    metadata: dict[str, Any] = {}
    for _ in range(count):
        key = reader.string()
        value = reader.value(reader.scalar("<I"))
        if wanted is None or key in wanted:
            metadata[key] = value
            if wanted is not None and len(metadata) == len(wanted):
                break
    return metadata


@final
class GGUFVocab:
    """A byte-level BPE vocabulary as stored in a GGUF file.

    Attributes:
        tokens: token strings by id (GPT-2 byte-to-unicode spelling).
        merges: BPE merges, each ``"left right"``.
        token_types: llama.cpp token type per id (1 normal, 3 control, ...).
        pre: the pre-tokenizer name (``tokenizer.ggml.pre``), e.g. ``smollm``.
        chat_template: the embedded Jinja chat template, if any.
    """

    def __init__(
        self,
        *,
        tokens: list[str],
        merges: list[str],
        token_types: list[int],
        pre: str,
        chat_template: str | None,
    ) -> None:
        self.tokens = tokens
        self.merges = merges
        self.token_types = token_types
        self.pre = pre
        self.chat_template = chat_template

    @property
    def special_tokens(self) -> list[str]:
        """Control and user-defined tokens: matched whole in text, never split."""
        return [
            t
            for t, kind in zip(self.tokens, self.token_types, strict=False)
            if kind in _SPECIAL_TYPES
        ]

    def build_tokenizer(self) -> Any:
        """A ``tokenizers.Tokenizer`` equivalent to llama.cpp's for this vocabulary.

        Raises:
            ConfigError: the ``tokenizers`` package is missing.
        """
        try:
            from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers
        except ImportError as exc:
            raise ConfigError(
                "the local model's tokenizer needs the `tokenizers` package: "
                "bash scripts/setup-llm.sh (or pip install 'tokenizers>=0.15')"
            ) from exc
        vocab = {token: i for i, token in enumerate(self.tokens)}
        merges = [(left, right) for left, _, right in (m.partition(" ") for m in self.merges)]
        tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=False))
        byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        if self.pre in _SPLIT_DIGITS:
            digits = pre_tokenizers.Split(Regex(r"\p{N}"), behavior="isolated")
            tokenizer.pre_tokenizer = pre_tokenizers.Sequence([digits, byte_level])
        else:
            tokenizer.pre_tokenizer = byte_level
        tokenizer.decoder = decoders.ByteLevel()
        tokenizer.add_special_tokens(
            [AddedToken(t, special=True, normalized=False) for t in self.special_tokens]
        )
        return tokenizer


def read_vocab(path: str | Path) -> GGUFVocab:
    """The tokenizer metadata of the GGUF model at ``path``.

    Raises:
        ConfigError: the file is not GGUF, or its tokenizer is not byte-level BPE.
    """
    meta = read_gguf_metadata(path)
    model = meta.get("tokenizer.ggml.model")
    if model != "gpt2":
        raise ConfigError(
            f"{path}: tokenizer model {model!r} is not supported; only byte-level BPE "
            "('gpt2': SmolLM2, Qwen2, Llama 3) can be read from a GGUF file"
        )
    tokens = meta.get("tokenizer.ggml.tokens")
    merges = meta.get("tokenizer.ggml.merges")
    if not isinstance(tokens, list) or not isinstance(merges, list):
        raise ConfigError(f"{path}: the GGUF metadata has no tokenizer vocabulary or merges")
    types = meta.get("tokenizer.ggml.token_type")
    template = meta.get("tokenizer.chat_template")
    return GGUFVocab(
        tokens=tokens,
        merges=merges,
        token_types=types if isinstance(types, list) else [1] * len(tokens),
        pre=str(meta.get("tokenizer.ggml.pre", "default")),
        chat_template=template if isinstance(template, str) else None,
    )


def chat_template_from_gguf(path: str | Path) -> HFChatTemplate:
    """ChatML rendering with the tokenizer embedded in the GGUF model at ``path``.

    Reading and building take a few hundred milliseconds: call it from a
    worker thread in async code.

    Raises:
        ConfigError: see :func:`read_vocab`; also when the model's template is
            not ChatML or it lacks ``<|im_start|>``/``<|im_end|>``.
    """
    vocab = read_vocab(path)
    if vocab.chat_template is not None and "<|im_start|>" not in vocab.chat_template:
        raise ConfigError(
            f"{path}: only ChatML chat templates are supported "
            "(the embedded template does not use <|im_start|>)"
        )
    index: Callable[[str], int] = vocab.tokens.index
    try:
        start, end = index("<|im_start|>"), index("<|im_end|>")
    except ValueError:
        raise ConfigError(f"{path}: the vocabulary has no <|im_start|>/<|im_end|> tokens") from None
    return HFChatTemplate(vocab.build_tokenizer(), im_start=start, im_end=end)
