from __future__ import annotations

import sys

import pytest
from hypothesis import given, strategies as st

from arollout.errors import ConfigError
from arollout.llm.chat import ByteChatML, HFChatTemplate
from arollout.records import Message

T = ByteChatML()
texts = st.text(max_size=60)
roles = st.sampled_from(["user", "tool", "system"])


@given(texts)
def test_decode_inverts_encode(text: str) -> None:
    ids = T.encode(text)
    assert all(0 <= i < 256 for i in ids)
    assert T.decode(ids) == text


@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=5), texts)
def test_incremental_rendering_equals_full_rendering(
    turns: list[tuple[str, str]], system: str
) -> None:
    """prompt + sampled ids + continuation + ... == render(whole conversation)."""
    messages = [Message("system", system), Message("user", turns[0][0])]
    ids = T.render(messages)
    for index, (_, answer) in enumerate(turns):
        output = [*T.encode(answer), *T.stop_token_ids]  # what the server returns
        ids += output
        messages.append(Message("assistant", answer))
        assert T.replay_check(messages, ids)
        if index + 1 < len(turns):
            new = [Message("user", turns[index + 1][0])]
            ids += T.render_continuation(new)
            messages += new
            assert ids == T.render(messages)
            assert T.replay_check(messages, ids)


@given(st.lists(st.tuples(roles, texts), max_size=6))
def test_parse_inverts_render(pairs: list[tuple[str, str]]) -> None:
    messages = [Message(role, content) for role, content in pairs]
    assert T.parse(T.render(messages)) == messages


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
def test_encode_with_specials_reads_a_rendered_prompt(pairs: list[tuple[str, str]]) -> None:
    ids = T.render([Message(role, content.replace("<|", "")) for role, content in pairs])
    assert T.encode_with_specials(T.decode(ids)) == ids
