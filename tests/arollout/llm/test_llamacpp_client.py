from __future__ import annotations

import math

import httpx
import msgspec
import pytest

from arollout.errors import ProtocolError
from arollout.llm.base import GenerateRequest, SamplingParams
from arollout.llm.llamacpp import LlamaCppClient

pytestmark = pytest.mark.anyio


def req() -> GenerateRequest:
    return GenerateRequest(
        rid="r",
        sampling=SamplingParams(max_new_tokens=8, temperature=0.0, seed=1),
        input_ids=[1, 2, 3],
    )


async def run(reply: dict) -> tuple:
    bodies: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/completion"
        bodies.append(msgspec.json.decode(request.content))
        return httpx.Response(200, json=reply)

    async with LlamaCppClient("http://x", transport=httpx.MockTransport(handler)) as client:
        assert client.token_in is True
        return await client.generate(req()), bodies[0]


async def test_current_layout_with_id_and_logprob() -> None:
    result, body = await run(
        {
            "content": "Hi!",
            "tokens": [7042, 30],
            "stop_type": "eos",
            "tokens_evaluated": 3,
            "completion_probabilities": [
                {"id": 7042, "token": "Hi", "logprob": -0.1, "top_logprobs": []},
                {"id": 30, "token": "!", "logprob": -0.2, "top_logprobs": []},
            ],
            "timings": {"cache_n": 2, "prompt_ms": 1.0, "predicted_ms": 3.0},
        }
    )
    assert body == {
        "prompt": [1, 2, 3],
        "n_predict": 8,
        "temperature": 0.0,
        "top_p": 1.0,
        "top_k": 0,
        "return_tokens": True,
        "n_probs": 1,
        "cache_prompt": True,
        "seed": 1,
    }
    assert result.output_ids == [7042, 30] and result.logprobs == [-0.1, -0.2]
    assert (
        result.finish_reason == "stop" and result.prompt_tokens == 3 and result.cached_tokens == 2
    )
    assert result.latency_s == pytest.approx(0.004)


async def test_post_sampling_prob_layout_and_ids_from_entries() -> None:
    result, _ = await run(
        {
            "content": "a",
            "stop_type": "limit",
            "completion_probabilities": [{"id": 5, "token": "a", "prob": 0.5}],
        }
    )
    assert result.output_ids == [5] and result.logprobs == [pytest.approx(math.log(0.5))]
    assert result.finish_reason == "length"


async def test_old_probs_layout_picks_the_sampled_token() -> None:
    result, _ = await run(
        {
            "content": "ab",
            "tokens": [9, 10],
            "stop_type": "word",
            "completion_probabilities": [
                {
                    "content": "a",
                    "probs": [{"tok_str": "z", "prob": 0.9}, {"tok_str": "a", "prob": 0.25}],
                },
                {"content": "b", "probs": [{"tok_str": "b", "prob": 1.0}]},
            ],
        }
    )
    assert result.logprobs == [pytest.approx(math.log(0.25)), 0.0]
    assert result.finish_reason == "stop"


@pytest.mark.parametrize(
    "reply",
    [
        {
            "tokens": [1, 2],
            "stop_type": "eos",
            "completion_probabilities": [{"id": 1, "logprob": -1.0}],
        },
        {"stop_type": "eos", "completion_probabilities": [{"token": "x", "logprob": -1.0}]},
        {"tokens": [1], "stop_type": "eos", "completion_probabilities": [{"weird": 1}]},
    ],
)
async def test_inconsistent_replies_are_protocol_errors(reply: dict) -> None:
    with pytest.raises(ProtocolError):
        await run(reply)
