from __future__ import annotations

import httpx
import msgspec
import pytest

from arollout.errors import ProtocolError, ServerError
from arollout.llm.base import GenerateRequest, SamplingParams
from arollout.llm.chat import PackedChatML
from arollout.llm.openai import OpenAIClient
from arollout.llm.retry import RetryPolicy
from arollout.records import Message
from arollout.testing import OraclePolicy, open_emulator

pytestmark = pytest.mark.anyio

MESSAGES = [Message("system", "s"), Message("user", "q")]


def chat(max_new: int = 256) -> GenerateRequest:
    return GenerateRequest(
        rid="r",
        sampling=SamplingParams(max_new_tokens=max_new, seed=3, stop=("</s>",)),
        messages=MESSAGES,
    )


async def test_chat_against_the_emulator() -> None:
    async with open_emulator(policy=OraclePolicy({"q": "print(1)"})) as emu:
        async with OpenAIClient(emu.url, model="m") as client:
            assert client.token_in is False
            result = await client.generate(chat())
            assert result.finish_reason == "stop" and "print(1)" in result.text
            # ids given as llama.cpp does, in the emulator's default tokenizer
            assert result.output_ids == PackedChatML().encode(result.text)
            assert len(result.logprobs) == len(result.output_ids) == result.completion_tokens
            assert result.prompt_tokens > 0
            truncated = await client.generate(chat(max_new=4))
            assert truncated.finish_reason == "length" and truncated.completion_tokens == 4


async def test_body_key_and_missing_logprobs() -> None:
    seen: list[httpx.Request] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        return httpx.Response(
            200,
            json={
                "choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}],
                "usage": {
                    "prompt_tokens": 5,
                    "completion_tokens": 1,
                    "prompt_tokens_details": {"cached_tokens": 4},
                },
            },
        )

    client = OpenAIClient(
        "https://api.test/v1", model="gpt-x", api_key="k1", transport=httpx.MockTransport(handler)
    )
    async with client:
        result = await client.generate(chat())
    assert result.text == "hi" and result.output_ids == [] and result.logprobs == []
    assert result.cached_tokens == 4 and result.prompt_tokens == 5
    req = seen[0]
    assert req.url.path == "/v1/chat/completions"
    assert req.headers["authorization"] == "Bearer k1"
    body = msgspec.json.decode(req.content)
    assert body == {
        "model": "gpt-x",
        "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}],
        "max_tokens": 256,
        "temperature": 1.0,
        "top_p": 1.0,
        "seed": 3,
        "stop": ["</s>"],
        "logprobs": True,
        "top_logprobs": 1,
    }


async def test_logprobs_without_ids_are_dropped_and_errors_typed() -> None:
    replies = iter(
        [
            httpx.Response(
                200,
                json={
                    "choices": [
                        {
                            "message": {"content": "a"},
                            "finish_reason": "length",
                            "logprobs": {"content": [{"token": "a", "logprob": -1.0}]},
                        }
                    ]
                },
            ),
            httpx.Response(200, json={"choices": []}),
            httpx.Response(401, json={"error": "bad key"}),
        ]
    )
    client = OpenAIClient(
        "http://x",
        model="m",
        retry=RetryPolicy(attempts=2, base_s=0.0),
        transport=httpx.MockTransport(lambda req: next(replies)),
    )
    async with client:
        result = await client.generate(chat())
        assert (
            result.finish_reason == "length" and result.logprobs == [] and result.output_ids == []
        )
        with pytest.raises(ProtocolError):
            await client.generate(chat())
        with pytest.raises(ServerError) as info:
            await client.generate(chat())
        assert info.value.status_code == 401


async def test_needs_messages() -> None:
    async with OpenAIClient("http://x", model="m") as client:
        with pytest.raises(ValueError, match="messages"):
            await client.generate(
                GenerateRequest(rid="r", sampling=SamplingParams(), input_ids=[1])
            )
