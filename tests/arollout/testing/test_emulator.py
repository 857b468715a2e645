from __future__ import annotations

import json
import random
import re

import anyio
import httpx
import pytest

from arollout.llm.chat import ByteChatML, PackedChatML
from arollout.records import Message
from arollout.testing import (
    EmulatorConfig,
    LatencyModel,
    NoisyPolicy,
    OraclePolicy,
    ReplayPolicy,
    open_emulator,
)

T = PackedChatML()  # the emulator's default tokenizer
ACTION = re.compile(r"\A```json\n(.*)\n```\Z", re.S)


def action(text: str) -> dict:
    match = ACTION.match(text)
    assert match is not None, text
    return json.loads(match.group(1))


def convo(question: str, turns: int = 0) -> list[Message]:
    messages = [Message("system", "s"), Message("user", question)]
    for _ in range(turns):
        messages += [Message("assistant", "x"), Message("user", "feedback")]
    return messages


def test_oracle_answers_with_the_reference_solution() -> None:
    policy = OraclePolicy({"q": "import pandas\nprint('a \"b\"')"})
    parsed = action(policy.reply(convo("q"), random.Random(0)))
    assert parsed == {
        "action": "validate_code",
        "params": {"code": "import pandas\nprint('a \"b\"')"},
    }
    unknown = action(policy.reply(convo("other"), random.Random(0)))
    assert unknown["action"] == "validate_code" and "print" in unknown["params"]["code"]


def test_noisy_policy_is_deterministic_and_converges() -> None:
    policy = NoisyPolicy({f"q{i}": "print(1)" for i in range(200)}, noise_rate=0.5, seed=1)
    kinds = [policy.noise_kind(f"q{i}", 0) for i in range(200)]
    assert kinds == [policy.noise_kind(f"q{i}", 0) for i in range(200)]
    noisy = [k for k in kinds if k is not None]
    assert 60 < len(noisy) < 140 and set(noisy) == {
        "bad_json",
        "unknown_action",
        "missing_code",
        "name_error",
    }
    oracle = '```json\n{"action": "validate_code", "params": {"code": "print(1)"}}\n```'
    for i in range(200):
        assert policy.reply(convo(f"q{i}", turns=2), random.Random(0)) == oracle
        if kinds[i] is not None:
            assert policy.reply(convo(f"q{i}"), random.Random(0)) != oracle


def test_replay_policy_replays_by_turn() -> None:
    policy = ReplayPolicy({"q": ["one", "two"]})
    assert [policy.reply(convo("q", t), random.Random(0)) for t in range(2)] == ["one", "two"]
    assert action(policy.reply(convo("q", 2), random.Random(0)))["action"] == "validate_code"


@pytest.mark.anyio
async def test_generate_with_text_and_raw_http_errors() -> None:
    async with open_emulator(policy=OraclePolicy({"q": "print(2)"})) as emu:
        async with httpx.AsyncClient(base_url=emu.url) as http:
            text = T.decode(T.render(convo("q")))
            reply = (
                await http.post(
                    "/generate", json={"text": text, "sampling_params": {"max_new_tokens": 400}}
                )
            ).json()
            assert "print(2)" in reply["text"] and reply["output_ids"][-1] == T.im_end
            meta = reply["meta_info"]
            assert meta["finish_reason"] == {"type": "stop", "matched": T.im_end}
            assert [x[1] for x in meta["output_token_logprobs"]] == reply["output_ids"]
            assert (
                await http.post("/generate", json={"stream": True, "input_ids": [1]})
            ).status_code == 400
            assert (await http.post("/generate", content=b"{nope")).status_code == 400
            assert (await http.get("/nope")).status_code == 404
            pause = await http.post("/pause_generation", json={"mode": "sideways"})
            assert pause.status_code == 400


@pytest.mark.anyio
async def test_aggregate_token_cap_slows_a_batch_down() -> None:
    rate = 500.0
    latency = LatencyModel(decode_tok_s=rate, max_batch_tok_s=rate)
    async with open_emulator(policy=OraclePolicy({}), latency=latency) as emu:
        async with httpx.AsyncClient(base_url=emu.url) as http:
            body = {"input_ids": T.render(convo("q")), "sampling_params": {"max_new_tokens": 40}}
            tokens: list[int] = []

            async def one() -> None:
                reply = await http.post("/generate", json=body)
                tokens.append(reply.json()["meta_info"]["completion_tokens"])

            start = anyio.current_time()
            await one()
            alone = anyio.current_time() - start
            start = anyio.current_time()
            async with anyio.create_task_group() as tg:
                for _ in range(8):
                    tg.start_soon(one)
            batch = anyio.current_time() - start
    # One reply alone needs n / rate; eight share the cap and need about 8 n / rate
    # (less while the batch ramps up).
    n = tokens[0]
    assert tokens == [n] * 9 and n > 10
    assert alone < 2.5 * n / rate and batch >= 0.75 * 8 * n / rate


@pytest.mark.anyio
async def test_serves_many_keep_alive_connections() -> None:
    async with open_emulator(policy=OraclePolicy({})) as emu:
        limits = httpx.Limits(max_connections=300, max_keepalive_connections=300)
        # httpx's 5 s default is for latency; 300 connections opened at once by
        # a pure-Python client can take longer on a loaded 2-core machine.
        async with httpx.AsyncClient(base_url=emu.url, limits=limits, timeout=60) as http:
            codes: list[int] = []

            async def probe() -> None:
                codes.append((await http.get("/health")).status_code)

            async with anyio.create_task_group() as tg:
                for _ in range(300):
                    tg.start_soon(probe)
            assert codes == [200] * 300


@pytest.mark.anyio
async def test_client_disconnect_cancels_a_hanging_request() -> None:
    from arollout.testing import Faults

    async with open_emulator(policy=OraclePolicy({}), faults=Faults(hang_rate=1.0)) as emu:
        async with httpx.AsyncClient(base_url=emu.url, timeout=0.05) as http:
            with pytest.raises(httpx.ReadTimeout):
                await http.post("/generate", json={"input_ids": [1], "sampling_params": {}})
        # The hang lasts forever: only the disconnect can end it (polled, as a
        # loaded machine may take a while to notice the closed socket).
        for _ in range(500):  # up to 5 s
            if emu.statistics().in_flight == 0:
                break
            await anyio.sleep(0.01)
        assert emu.statistics().in_flight == 0


@pytest.mark.anyio
@pytest.mark.parametrize("name", ["byte", "packed"])
async def test_tokenizer_is_configurable(name: str) -> None:
    tpl = ByteChatML() if name == "byte" else PackedChatML()
    config = EmulatorConfig(policy=OraclePolicy({"q": "print(3)"}), tokenizer=name)  # type: ignore[arg-type]
    async with open_emulator(config=config) as emu:
        async with httpx.AsyncClient(base_url=emu.url) as http:
            body = {"input_ids": tpl.render(convo("q")), "sampling_params": {"max_new_tokens": 400}}
            reply = (await http.post("/generate", json=body)).json()
    out = reply["output_ids"]
    assert out[-1] == tpl.im_end and reply["meta_info"]["finish_reason"]["matched"] == tpl.im_end
    content = tpl.decode(out[:-1])
    assert (
        action(content)["params"]["code"] == "print(3)" and reply["text"] == content + "<|im_end|>"
    )
    assert out == [*tpl.encode(content), tpl.im_end]
    # Packed ids carry about four bytes each; byte ids exactly one.
    ratio = len(content.encode()) / (len(out) - 1)
    assert ratio == 1.0 if name == "byte" else ratio > 3.5
    assert reply["meta_info"]["prompt_tokens"] == len(body["input_ids"])


def test_unknown_tokenizer_is_refused() -> None:
    from arollout.testing.emulator import _make_state

    with pytest.raises(ValueError, match="unknown tokenizer"):
        _make_state(EmulatorConfig(policy=OraclePolicy({}), tokenizer="bpe"))  # type: ignore[arg-type]
