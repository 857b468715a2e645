from __future__ import annotations

import sys

import pytest
from hypothesis import given, strategies as st

from arollout.errors import ConfigError
from arollout.llm.chat import ByteChatML, HFChatTemplate, PackedChatML
from arollout.records import Message

T = ByteChatML()
P = PackedChatML()
BOTH = pytest.mark.parametrize("tpl", [T, P], ids=["byte", "packed"])
texts = st.text(max_size=60)
roles = st.sampled_from(["user", "tool", "system"])
# ASCII-heavy text with some non-ASCII and special-token look-alikes mixed in.
mixed = st.lists(
    st.one_of(
        st.text(st.characters(max_codepoint=127), max_size=12),
        st.sampled_from(["é", "日", "\U0001f600", "<|im_end|>", "\n"]),
        st.text(max_size=3),
    ),
    max_size=8,
).map("".join)


@given(texts)
def test_decode_inverts_encode(text: str) -> None:
    ids = T.encode(text)
    assert all(0 <= i < 256 for i in ids)
    assert T.decode(ids) == text


@BOTH
@given(turns=st.lists(st.tuples(mixed, mixed), min_size=1, max_size=5), system=mixed)
def test_incremental_rendering_equals_full_rendering(
    tpl: ByteChatML | PackedChatML, turns: list[tuple[str, str]], system: str
) -> None:
    """prompt + sampled ids + continuation + ... == render(whole conversation)."""
    messages = [Message("system", system), Message("user", turns[0][0])]
    ids = tpl.render(messages)
    for index, (_, answer) in enumerate(turns):
        output = [*tpl.encode(answer), *tpl.stop_token_ids]  # what the server returns
        ids += output
        messages.append(Message("assistant", answer))
        assert tpl.replay_check(messages, ids)
        if index + 1 < len(turns):
            new = [Message("user", turns[index + 1][0])]
            ids += tpl.render_continuation(new)
            messages += new
            assert ids == tpl.render(messages)
            assert tpl.replay_check(messages, ids)


@BOTH
@given(pairs=st.lists(st.tuples(roles, mixed), max_size=6))
def test_parse_inverts_render(tpl: ByteChatML | PackedChatML, pairs: list[tuple[str, str]]) -> None:
    messages = [Message(role, content) for role, content in pairs]
    assert tpl.parse(tpl.render(messages)) == messages


@BOTH
@given(content=mixed)
def test_generation_prompt_plus_sampled_content_is_the_message(
    tpl: ByteChatML | PackedChatML, content: str
) -> None:
    """Header and content are encoded apart, so sampling continues the prompt exactly."""
    prompt = tpl.render([Message("user", "q")])
    sampled = [*tpl.encode(content), tpl.im_end]
    full = tpl.render([Message("user", "q"), Message("assistant", content)], False)
    assert prompt + sampled == full[: len(full) - 1]


@given(mixed)
def test_packed_round_trip_and_int32_ids(text: str) -> None:
    ids = P.encode(text)
    assert P.decode(ids) == text
    assert all(0 <= i < 2**31 for i in ids)
    assert all(i not in (P.im_start, P.im_end, P.endoftext) for i in ids)


@given(st.lists(mixed, max_size=6))
def test_packed_decode_of_concatenated_encodings(pieces: list[str]) -> None:
    ids = [i for piece in pieces for i in P.encode(piece)]
    assert P.decode(ids) == "".join(pieces)


def test_packed_ids_are_little_endian_groups_with_single_byte_tails() -> None:
    # "abcd" is 0x64636261 on every machine; the tail "ef" is two single-byte ids.
    assert P.encode("abcdef") == [0x64636261, 0x7F800065, 0x7F800066]
    assert P.encode("é") == [0x7F8000C3, 0x7F8000A9]
    assert P.decode([P.im_start, 0x64636261, P.im_end]) == "<|im_start|>abcd<|im_end|>"
    assert (P.im_start, P.im_end, P.endoftext) == (0x7F810000, 0x7F810001, 0x7F810002)
    assert P.stop_token_ids == (P.im_end,)


def test_packed_token_counts_are_bpe_like() -> None:
    text = (
        "You are a data analyst. Answer with one ```json``` block that calls "
        "validate_code with Python code that prints the answer.\n"
        "import pandas as pd\ndf = pd.read_csv('patients.csv')\nprint((df.age > 60).sum())\n"
    ) * 5
    ids = P.encode(text)
    assert len(text) / len(ids) > 3.9  # 4 bytes per id, plus a tail of at most 3
    assert len(T.encode(text)) == len(text)


@pytest.mark.parametrize(
    "ids",
    [[-1], [2**32], [2**31], [0x80], [0x7F800100], [0x7F810003], [0x7F7F7F80], [1.5]],
)
def test_packed_decode_rejects_ids_outside_the_vocabulary(ids: list[int]) -> None:
    with pytest.raises(ValueError, match="out of range"):
        P.decode([0x64636261, *ids, P.im_end])


def test_replay_check_detects_drift() -> None:
    messages = [Message("user", "q"), Message("assistant", "a")]
    ids = T.render(messages, add_generation_prompt=False)[:-1]
    assert T.replay_check(messages, ids)
    ids[-2] = ord("b")
    assert not T.replay_check(messages, ids)


def test_chatml_layout_is_qwen_style() -> None:
    ids = T.render([Message("user", "hi")])
    assert T.decode(ids) == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    assert T.stop_token_ids == (257,)
    cont = T.render_continuation([Message("user", "x")])
    assert T.decode(cont) == "\n<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n"


def test_decode_rejects_out_of_vocabulary_ids() -> None:
    with pytest.raises(ValueError, match="vocabulary"):
        T.decode([259])


def test_hf_template_without_tokenizers_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    with pytest.raises(ConfigError, match=r"pip install arollout\[hf\]"):
        HFChatTemplate.from_path(tmp_path)


def _tiny_tokenizer(directory) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import decoders, models, pre_tokenizers, trainers

    tok = tokenizers.Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(["user assistant system hello world print(42)"] * 20, trainer)
    tok.save(str(directory / "tokenizer.json"))


def test_hf_template_is_prefix_stable(tmp_path) -> None:
    _tiny_tokenizer(tmp_path)
    (tmp_path / "tokenizer_config.json").write_text('{"chat_template": "{{ \'<|im_start|>\' }}"}')
    hf = HFChatTemplate.from_path(tmp_path)
    assert hf.stop_token_ids == (hf.im_end,)
    # BPE merges can span "\n": the header is encoded apart from the content, so
    # the generation prompt followed by the sampled content is the message itself.
    sampled = [*hf.encode("hello world"), hf.im_end]
    alone = hf.render([Message("assistant", "hello world")], add_generation_prompt=False)
    assert hf.render([]) + sampled == alone[: len(alone) - len(hf.encode("\n"))]
    messages = [Message("system", "s"), Message("user", "hello world")]
    ids = hf.render(messages)
    ids += [*hf.encode("print(42)"), hf.im_end]
    ids += hf.render_continuation([Message("user", "again")])
    full = [*messages, Message("assistant", "print(42)"), Message("user", "again")]
    assert ids == hf.render(full)
    assert hf.replay_check(full, ids)
    assert hf.decode(hf.encode("hello wörld")) == "hello wörld"
    assert hf.parse(hf.render(full, add_generation_prompt=False)) == full


def test_hf_template_refuses_non_chatml(tmp_path) -> None:
    _tiny_tokenizer(tmp_path)
    (tmp_path / "tokenizer_config.json").write_text('{"chat_template": "[INST] {{ m }} [/INST]"}')
    with pytest.raises(ConfigError, match="ChatML"):
        HFChatTemplate.from_path(tmp_path)


@given(st.lists(st.tuples(roles, texts), max_size=4))
def test_encode_with_specials_reads_a_rendered_byte_prompt(pairs: list[tuple[str, str]]) -> None:
    ids = T.render([Message(role, content.replace("<|", "")) for role, content in pairs])
    assert T.encode_with_specials(T.decode(ids)) == ids


@given(st.lists(st.tuples(roles, mixed), max_size=4))
def test_encode_with_specials_reads_a_rendered_packed_prompt(
    pairs: list[tuple[str, str]],
) -> None:
    messages = [Message(role, content.replace("<|", "")) for role, content in pairs]
    assert P.parse(P.encode_with_specials(P.decode(P.render(messages)))) == messages
