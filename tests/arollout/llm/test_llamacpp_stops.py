"""How ``LlamaCppClient`` reads llama.cpp's stops (shapes seen from ``llama-server`` 7e4c0a9)."""

from __future__ import annotations

import httpx
import pytest

from arollout.errors import ProtocolError
from arollout.llm.base import Completion, GenerateRequest, SamplingParams
from arollout.llm.llamacpp import LlamaCppClient

pytestmark = pytest.mark.anyio


def _entry(token: int) -> dict[str, object]:
    return {"id": token, "token": "t", "bytes": [], "logprob": -0.5, "top_logprobs": []}


async def generate(reply: dict[str, object]) -> Completion:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=reply)

    request = GenerateRequest(
        rid="r", sampling=SamplingParams(max_new_tokens=40, stop=("m her",)), input_ids=[1, 2]
    )
    async with LlamaCppClient("http://x", transport=httpx.MockTransport(handler)) as client:
        return await client.generate(request)


async def test_eos_stop_keeps_the_end_id() -> None:
    ids = [19556, 665, 2]
    result = await generate(
        {
            "content": "Hello there",
            "tokens": ids,
            "stop_type": "eos",
            "tokens_predicted": 3,
            "completion_probabilities": [_entry(t) for t in ids],
        }
    )
    assert result.output_ids == ids and result.finish_reason == "stop"
    assert result.completion_tokens == 3


async def test_word_stop_drops_the_ids_that_carried_the_stop_string() -> None:
    # Real reply for stop "m her": 6 sampled ids, probabilities for the 4 whose
    # text is in `content`; "m" and " here" carried the stop string.
    result = await generate(
        {
            "content": "Hello there. I'",
            "tokens": [19556, 665, 30, 339, 5248, 1535],
            "stop_type": "word",
            "stopping_word": "m her",
            "tokens_predicted": 6,
            "completion_probabilities": [_entry(t) for t in (19556, 665, 30, 339)],
        }
    )
    assert result.output_ids == [19556, 665, 30, 339]
    assert result.logprobs == [-0.5] * 4 and result.completion_tokens == 4
    assert result.finish_reason == "stop" and result.text == "Hello there. I'"


async def test_word_stop_in_the_first_token_gives_an_empty_output() -> None:
    result = await generate(
        {"content": "", "tokens": [7], "stop_type": "word", "completion_probabilities": []}
    )
    assert result.output_ids == [] and result.logprobs == []


async def test_ids_that_disagree_with_their_probabilities_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError, match="differ"):
        await generate(
            {
                "tokens": [5, 6],
                "stop_type": "limit",
                "completion_probabilities": [_entry(5), _entry(7)],
            }
        )


async def test_a_missing_probability_outside_word_stops_is_still_an_error() -> None:
    with pytest.raises(ProtocolError, match="1 probabilities for 2 tokens"):
        await generate(
            {"tokens": [5, 6], "stop_type": "limit", "completion_probabilities": [_entry(5)]}
        )
