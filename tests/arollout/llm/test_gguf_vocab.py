"""The GGUF metadata reader and the tokenizer built from it, on synthetic files."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings, strategies as st

from arollout.errors import ConfigError
from arollout.llm.gguf_vocab import chat_template_from_gguf, read_gguf_metadata, read_vocab
from arollout.records import Message

if TYPE_CHECKING:
    from pathlib import Path

# (type id, struct format) of the fixed-size GGUF scalar types.
SCALARS = {
    "u8": (0, "<B"),
    "i8": (1, "<b"),
    "u16": (2, "<H"),
    "i16": (3, "<h"),
    "u32": (4, "<I"),
    "i32": (5, "<i"),
    "f32": (6, "<f"),
    "bool": (7, "<?"),
    "u64": (10, "<Q"),
    "i64": (11, "<q"),
    "f64": (12, "<d"),
}


def _string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def _value(kind: str, value: Any) -> bytes:
    if kind == "str":
        return struct.pack("<I", 8) + _string(value)
    if kind.startswith("[") and kind.endswith("]"):
        item = kind[1:-1]
        if item == "str":
            body = b"".join(_string(v) for v in value)
            return struct.pack("<IIQ", 9, 8, len(value)) + body
        code, fmt = SCALARS[item]
        body = b"".join(struct.pack(fmt, v) for v in value)
        return struct.pack("<IIQ", 9, code, len(value)) + body
    code, fmt = SCALARS[kind]
    return struct.pack("<I", code) + struct.pack(fmt, value)


def write_gguf(path: Path, kvs: list[tuple[str, str, Any]], *, version: int = 3) -> Path:
    """A GGUF file with the given (key, type, value) metadata and no tensors."""
    out = b"GGUF" + struct.pack("<IQQ", version, 0, len(kvs))
    for key, kind, value in kvs:
        out += _string(key) + _value(kind, value)
    path.write_bytes(out + b"\0" * 32)  # alignment padding, as real files have
    return path


# A byte-level BPE vocabulary in GPT-2 spelling ("Ġ" is the space byte, "Ċ" the newline).
TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "Ċ", "a", "b", "Ġ", "h", "i"]
TOKENS += ["u", "s", "e", "r", "t", "n", "Ġa", "hi", "us", "er", "user", "Ġab", "ab", "ai"]
MERGES = ["Ġ a", "h i", "u s", "e r", "us er", "Ġa b", "a b"]


def vocab_kvs(
    pre: str = "smollm", template: str | None = "<|im_start|>..."
) -> list[tuple[str, str, Any]]:
    kvs: list[tuple[str, str, Any]] = [
        ("general.architecture", "str", "llama"),
        ("llama.context_length", "u32", 8192),
        ("tokenizer.ggml.model", "str", "gpt2"),
        ("tokenizer.ggml.pre", "str", pre),
        ("tokenizer.ggml.tokens", "[str]", TOKENS),
        ("tokenizer.ggml.token_type", "[i32]", [3, 3, 3] + [1] * (len(TOKENS) - 3)),
        ("tokenizer.ggml.merges", "[str]", MERGES),
        ("tokenizer.ggml.eos_token_id", "u32", 2),
    ]
    if template is not None:
        kvs.append(("tokenizer.chat_template", "str", template))
    return kvs


def test_reads_every_value_type(tmp_path: Path) -> None:
    kvs = [
        ("a.u8", "u8", 255),
        ("a.i8", "i8", -3),
        ("a.u16", "u16", 65535),
        ("a.i16", "i16", -2),
        ("a.u32", "u32", 2**32 - 1),
        ("a.i32", "i32", -(2**31)),
        ("a.f32", "f32", 0.5),
        ("a.bool", "bool", True),
        ("a.u64", "u64", 2**64 - 1),
        ("a.i64", "i64", -(2**63)),
        ("a.f64", "f64", 1e-300),
        ("a.str", "str", "héllo"),
        ("a.arr", "[f32]", [1.0, -2.5]),
        ("a.strs", "[str]", ["x", "", "ÿ"]),
    ]
    meta = read_gguf_metadata(write_gguf(tmp_path / "m.gguf", kvs))
    assert meta == {key: value for key, _, value in kvs}
    assert read_gguf_metadata(tmp_path / "m.gguf", keys=["a.str", "a.i8"]) == {
        "a.str": "héllo",
        "a.i8": -3,
    }


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=12),
            st.one_of(
                st.tuples(st.just("str"), st.text(max_size=20)),
                st.tuples(st.just("i64"), st.integers(-(2**63), 2**63 - 1)),
                st.tuples(st.just("[u32]"), st.lists(st.integers(0, 2**32 - 1), max_size=5)),
                st.tuples(st.just("[str]"), st.lists(st.text(max_size=5), max_size=5)),
            ),
        ),
        max_size=8,
        unique_by=lambda kv: kv[0],
    )
)
def test_metadata_round_trips(
    tmp_path_factory: pytest.TempPathFactory, items: list[tuple[str, tuple[str, Any]]]
) -> None:
    kvs = [(key, kind, value) for key, (kind, value) in items]
    path = write_gguf(tmp_path_factory.mktemp("g") / "m.gguf", kvs)
    assert read_gguf_metadata(path) == {key: value for key, _, value in kvs}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GGML" + b"\0" * 40, "not a GGUF file"),
        (b"GGUF" + struct.pack("<IQQ", 1, 0, 0), "version 1"),
        (b"GGUF" + struct.pack(">IQQ", 3, 0, 0), "big-endian"),
        (
            b"GGUF"
            + struct.pack("<IQQ", 3, 0, 1)
            + _string("k")
            + struct.pack("<I", 8)
            + struct.pack("<Q", 99),
            "truncated",
        ),
        (
            b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + _string("k") + struct.pack("<I", 42),
            "value type 42",
        ),
        (b"", "cannot read"),
    ],
)
def test_bad_files_are_config_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.gguf"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        read_gguf_metadata(path)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        read_gguf_metadata(tmp_path / "absent.gguf")


def test_vocab_builds_a_prefix_stable_chatml_template(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "m.gguf", vocab_kvs())
    vocab = read_vocab(path)
    assert vocab.pre == "smollm" and vocab.special_tokens == TOKENS[:3]
    template = chat_template_from_gguf(path)
    assert (template.im_start, template.im_end) == (1, 2)
    assert template.stop_token_ids == (2,)
    assert template.encode("hi ab") == [TOKENS.index("hi"), TOKENS.index("Ġab")]
    assert template.encode("user") == [TOKENS.index("user")]
    assert template.decode(template.encode("hi ab\nuser")) == "hi ab\nuser"
    # Special tokens are matched whole, as llama.cpp's /tokenize does.
    assert template.encode("a<|im_end|>b") == [4, 2, 5]
    messages = [Message("user", "hi"), Message("assistant", "ab")]
    ids = template.render(messages[:1]) + [*template.encode("ab"), template.im_end]
    assert template.replay_check(messages, ids + template.encode("\n"))


def test_digits_are_split_one_by_one_for_smollm(tmp_path: Path) -> None:
    tokens = [*TOKENS, "1", "2", "12"]
    kvs = [
        kv
        for kv in vocab_kvs()
        if kv[0]
        not in ("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges")
    ]
    kvs += [
        ("tokenizer.ggml.tokens", "[str]", tokens),
        ("tokenizer.ggml.token_type", "[i32]", [3, 3, 3] + [1] * (len(tokens) - 3)),
        ("tokenizer.ggml.merges", "[str]", [*MERGES, "1 2"]),
    ]
    smollm = chat_template_from_gguf(write_gguf(tmp_path / "s.gguf", kvs))
    assert smollm.encode("12") == [tokens.index("1"), tokens.index("2")]
    kvs = [kv if kv[0] != "tokenizer.ggml.pre" else (kv[0], "str", "gpt2") for kv in kvs]
    gpt2 = chat_template_from_gguf(write_gguf(tmp_path / "g.gguf", kvs))
    assert gpt2.encode("12") == [tokens.index("12")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("tokenizer.ggml.model", "str", "llama"), "not supported"),
        (("tokenizer.chat_template", "str", "[INST] {{ m }} [/INST]"), "ChatML"),
    ],
)
def test_unsupported_vocabularies_are_refused(
    tmp_path: Path, change: tuple[str, str, Any], message: str
) -> None:
    kvs = [kv for kv in vocab_kvs() if kv[0] != change[0]] + [change]
    with pytest.raises(ConfigError, match=message):
        chat_template_from_gguf(write_gguf(tmp_path / "m.gguf", kvs))


def test_vocab_without_chatml_tokens_is_refused(tmp_path: Path) -> None:
    kvs = [kv for kv in vocab_kvs(template=None) if kv[0] != "tokenizer.ggml.tokens"]
    kvs.append(("tokenizer.ggml.tokens", "[str]", ["<|endoftext|>", "<s>", "</s>", *TOKENS[3:]]))
    with pytest.raises(ConfigError, match="no <|im_start|>"):
        chat_template_from_gguf(write_gguf(tmp_path / "m.gguf", kvs))
