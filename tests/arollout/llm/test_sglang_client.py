from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import msgspec
import orjson
import pytest

from arollout.errors import ProtocolError, ServerError, ServerTimeout, ServerUnavailable
from arollout.llm.base import GenerateRequest, SamplingParams
from arollout.llm.chat import PackedChatML
from arollout.llm.retry import RetryPolicy
from arollout.llm.sglang import GENERATE_FIELDS, SAMPLING_FIELDS, SGLangClient
from arollout.records import Message
from arollout.testing import Faults, LatencyModel, OraclePolicy, format_action, open_emulator

pytestmark = pytest.mark.anyio

T = PackedChatML()  # the emulator's default tokenizer
QUESTION = "How many patients are older than 60?"
SOLUTION = "print(42)"
FAST_RETRY = RetryPolicy(attempts=3, base_s=0.001, max_s=0.002)


def request(
    rid: str = "run-ep1-t0", *, max_new: int = 512, ids: list[int] | None = None
) -> GenerateRequest:
    prompt = (
        ids if ids is not None else T.render([Message("system", "sys"), Message("user", QUESTION)])
    )
    return GenerateRequest(
        rid=rid,
        sampling=SamplingParams(max_new_tokens=max_new, stop_token_ids=T.stop_token_ids, seed=7),
        input_ids=prompt,
        routing_key="ep1",
    )


def emulator(**kwargs):
    return open_emulator(policy=OraclePolicy({QUESTION: SOLUTION}), **kwargs)


async def test_token_round_trip_and_prefix_cache() -> None:
    async with emulator() as emu, SGLangClient(emu.url, concurrency=4) as client:
        first = await client.generate(request())
        assert first.finish_reason == "stop"
        assert first.output_ids[-1] == T.im_end  # no_stop_trim keeps the stop token
        assert T.decode(first.output_ids[:-1]) == first.text.removesuffix("<|im_end|>")
        assert SOLUTION in first.text and '"validate_code"' in first.text
        assert len(first.logprobs) == first.completion_tokens == len(first.output_ids)
        assert all(lp < 0 for lp in first.logprobs)
        assert first.cached_tokens == 0 and first.weight_version == "0"

        prompt = request().input_ids
        assert prompt is not None
        ids = [*prompt, *first.output_ids, *T.render_continuation([Message("user", "wrong")])]
        second = await client.generate(request("run-ep1-t1", ids=ids))
        assert second.prompt_tokens == len(ids)
        assert second.cached_tokens == len(prompt) + len(first.output_ids)


async def test_length_finish_and_context_clamp() -> None:
    async with emulator() as emu:
        async with SGLangClient(emu.url) as client:
            short = await client.generate(request(max_new=5))
            assert short.finish_reason == "length" and len(short.output_ids) == 5
        prompt_len = len(request().input_ids or [])
        async with SGLangClient(emu.url, context_len=prompt_len + 3) as client:
            clamped = await client.generate(request(max_new=10_000))
            assert clamped.finish_reason == "length" and clamped.completion_tokens == 3
        async with SGLangClient(emu.url, context_len=prompt_len) as client:
            with pytest.raises(ServerError, match="no room"):
                await client.generate(request())


async def test_no_retry_on_4xx() -> None:
    # Without a known context length the emulator refuses the budget with 400.
    async with emulator() as emu, SGLangClient(emu.url, retry=FAST_RETRY) as client:
        with pytest.raises(ServerError) as info:
            await client.generate(request(max_new=10**6))
        assert info.value.status_code == 400 and not info.value.retryable
        assert emu.statistics().requests == 1


async def test_retries_5xx_with_a_bound() -> None:
    async with emulator(faults=Faults(error_rate=1.0)) as emu:
        async with SGLangClient(emu.url, retry=FAST_RETRY) as client:
            with pytest.raises(ServerUnavailable) as info:
                await client.generate(request())
        assert info.value.status_code == 503
        assert emu.statistics().requests == 3


async def test_retries_dropped_connections_then_succeeds() -> None:
    # Seeded faults: about half the requests are dropped; retries get through.
    async with emulator(faults=Faults(drop_rate=0.5, seed=3)) as emu:
        async with SGLangClient(emu.url, retry=RetryPolicy(attempts=8, base_s=0.001)) as client:
            results = [await client.generate(request(f"r{i}-t0")) for i in range(20)]
        assert all(r.finish_reason == "stop" for r in results)
        stats = emu.statistics()
        assert stats.faults > 0 and stats.requests == 20 + stats.faults


async def test_malformed_bodies_are_protocol_errors_and_not_retried() -> None:
    async with emulator(faults=Faults(malformed_rate=1.0, seed=1)) as emu:
        async with SGLangClient(emu.url, retry=FAST_RETRY) as client:
            for i in range(6):  # both kinds: short logprob list and broken JSON
                with pytest.raises(ProtocolError):
                    await client.generate(request(f"m{i}-t0"))
        assert emu.statistics().requests == 6


async def test_timeout_is_typed_and_bounded() -> None:
    async with emulator(faults=Faults(hang_rate=1.0)) as emu:
        async with SGLangClient(emu.url, timeout_s=0.05, retry=FAST_RETRY) as client:
            with anyio.fail_after(5):
                with pytest.raises(ServerTimeout):
                    await client.generate(request())
        assert emu.statistics().requests == 3


async def test_connection_refused_is_unavailable() -> None:
    async with SGLangClient("http://127.0.0.1:9", retry=FAST_RETRY) as client:
        with pytest.raises(ServerUnavailable):
            await client.generate(request())
        assert not await client.health()


async def test_abort_returns_partial_tokens() -> None:
    slow = LatencyModel(decode_tok_s=50.0)
    planned = len(T.encode(format_action("validate_code", {"code": SOLUTION}))) + 1
    async with emulator(latency=slow) as emu, SGLangClient(emu.url) as client:
        result = None

        async def run() -> None:
            nonlocal result
            result = await client.generate(request("slow-t0"))

        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            await anyio.sleep(0.1)
            assert emu.statistics().in_flight == 1
            await client.abort("slow-t0")
        assert result is not None
        assert result.finish_reason == "abort"
        assert 0 < result.completion_tokens < planned
        assert len(result.logprobs) == len(result.output_ids) == result.completion_tokens


async def test_pause_in_place_then_continue_spans_weight_versions() -> None:
    slow = LatencyModel(decode_tok_s=100.0)
    async with emulator(latency=slow) as emu, SGLangClient(emu.url) as client:
        result = None

        async def run() -> None:
            nonlocal result
            result = await client.generate(request("p-t0"))

        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            await anyio.sleep(0.05)
            await client.pause("in_place")
            assert emu.statistics().paused == "in_place"
            info = await client.update_weights_from_disk("/ckpt/step-1", "step-1")
            assert info["success"]
            await anyio.sleep(0.1)
            assert result is None  # frozen while paused
            await client.resume()
        assert result is not None and result.finish_reason == "stop"
        assert result.weight_version == "step-1"
        assert client.cache_salt == "step-1"
        model = await client.model_info()
        assert model["weight_version"] == "step-1" and model["model_path"] == "/ckpt/step-1"


async def test_pause_abort_mode_aborts_in_flight() -> None:
    async with emulator(latency=LatencyModel(decode_tok_s=100.0)) as emu:
        async with SGLangClient(emu.url) as client:
            results = []

            async def run(i: int) -> None:
                results.append(await client.generate(request(f"a{i}-t0")))

            async with anyio.create_task_group() as tg:
                for i in range(3):
                    tg.start_soon(run, i)
                await anyio.sleep(0.05)
                await client.pause("abort")
            assert [r.finish_reason for r in results] == ["abort"] * 3
            await client.resume()
            assert (await client.generate(request("after-t0"))).finish_reason == "stop"


async def test_control_endpoints() -> None:
    async with emulator() as emu, SGLangClient(emu.url) as client:
        assert await client.health() and await client.health_generate()
        assert (await client.server_info())["context_length"] == 32768
        await client.flush_cache()
        await client.abort()  # abort_all with nothing running


async def test_server_info_falls_back_to_old_path() -> None:
    seen: list[str] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req.url.path)
        if req.url.path == "/get_server_info":
            return httpx.Response(200, json={"version": "0.4"})
        return httpx.Response(404, json={"detail": "Not Found"})

    async with SGLangClient("http://x", transport=httpx.MockTransport(handler)) as client:
        assert await client.server_info() == {"version": "0.4"}
    assert seen == ["/server_info", "/get_server_info"]


async def test_request_body_matches_the_contract() -> None:
    bodies: list[dict] = []

    def handler(req: httpx.Request) -> httpx.Response:
        bodies.append(msgspec.json.decode(req.content))
        assert req.headers["x-smg-routing-key"] == "ep1"
        return httpx.Response(
            200,
            json={
                "text": "ab",
                "token_ids": [97, 98],
                "meta_info": {
                    "id": "x",
                    "finish_reason": {"type": "stop", "matched": 98},
                    "prompt_tokens": 3,
                    "completion_tokens": 2,
                    "output_token_logprobs": [[-0.5, 97, None], [-0.25, 98, None]],
                },
            },
        )

    async with SGLangClient(
        "http://x", transport=httpx.MockTransport(handler), context_len=100, cache_salt="v3"
    ) as client:
        result = await client.generate(request(ids=[1, 2, 3]))
    assert result.output_ids == [97, 98] and result.logprobs == [-0.5, -0.25]
    body = bodies[0]
    assert set(body) <= set(GENERATE_FIELDS) and set(body["sampling_params"]) <= set(
        SAMPLING_FIELDS
    )
    assert body["input_ids"] == [1, 2, 3] and body["rid"] == "run-ep1-t0"
    assert body["return_logprob"] is True and body["logprob_start_len"] == -1
    assert body["stream"] is False and body["cache_salt"] == "v3"
    sp = body["sampling_params"]
    assert sp["max_new_tokens"] == 97  # clamped to the context
    assert sp["no_stop_trim"] is True and sp["skip_special_tokens"] is False
    assert sp["spaces_between_special_tokens"] is False
    assert sp["stop_token_ids"] == [T.im_end] and sp["sampling_seed"] == 7


@pytest.mark.parametrize(
    "meta_patch",
    [
        {"completion_tokens": 3},
        {"finish_reason": None},
        {"finish_reason": {"type": "mystery"}},
    ],
)
async def test_contract_violations(meta_patch: dict) -> None:
    meta = {
        "finish_reason": {"type": "stop"},
        "completion_tokens": 1,
        "output_token_logprobs": [[-0.1, 5, None]],
        **meta_patch,
    }

    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"output_ids": [5], "meta_info": meta})

    async with SGLangClient("http://x", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ProtocolError):
            await client.generate(request())


@pytest.mark.parametrize("dumps", [orjson.dumps, lambda d: json.dumps(d).encode()])
@pytest.mark.parametrize("echo", [[5, 7], [6, 7], [5], "57"])
async def test_output_ids_must_match_logprob_ids(dumps: Any, echo: object) -> None:
    """Compact (orjson, SGLang) and spaced (json.dumps) echoes are both checked."""

    def handler(req: httpx.Request) -> httpx.Response:
        meta = {
            "finish_reason": {"type": "stop"},
            "completion_tokens": 2,
            "output_token_logprobs": [[-0.1, 5, None], [-0.2, 7, None]],
        }
        return httpx.Response(200, content=dumps({"output_ids": echo, "meta_info": meta}))

    async with SGLangClient("http://x", transport=httpx.MockTransport(handler)) as client:
        if echo == [5, 7]:
            result = await client.generate(request())
            assert result.output_ids == [5, 7] and result.ids_json == b"[5,7]"
        else:
            with pytest.raises(ProtocolError, match="differ"):
                await client.generate(request())


async def test_many_concurrent_requests_share_a_bounded_pool() -> None:
    async with emulator() as emu, SGLangClient(emu.url, concurrency=16) as client:
        done = 0

        async def one(i: int) -> None:
            nonlocal done
            result = await client.generate(request(f"c{i}-t0"))
            assert result.finish_reason == "stop"
            done += 1

        async with anyio.create_task_group() as tg:
            for i in range(200):
                tg.start_soon(one, i)
        assert done == 200


async def test_sampling_params_follow_each_request() -> None:
    """The fixed part of ``sampling_params`` is cached per value, never reused wrongly."""
    bodies: list[dict] = []

    def handler(req: httpx.Request) -> httpx.Response:
        bodies.append(msgspec.json.decode(req.content))
        meta = {
            "finish_reason": {"type": "length"},
            "completion_tokens": 1,
            "output_token_logprobs": [[-0.1, 5, None]],
        }
        return httpx.Response(200, json={"text": "x", "output_ids": [5], "meta_info": meta})

    variants = [
        SamplingParams(max_new_tokens=9, seed=1, stop_token_ids=(7,)),
        SamplingParams(max_new_tokens=8, seed=None, temperature=0.5, stop=("</s>",)),
        SamplingParams(max_new_tokens=7, seed=2, stop_token_ids=(7,)),
    ]
    async with SGLangClient("http://x", transport=httpx.MockTransport(handler)) as client:
        for index, sampling in enumerate(variants):
            await client.generate(
                GenerateRequest(rid=f"s{index}", sampling=sampling, input_ids=[1])
            )
    sent = [body["sampling_params"] for body in bodies]
    assert [sp["max_new_tokens"] for sp in sent] == [9, 8, 7]
    assert [sp.get("sampling_seed") for sp in sent] == [1, None, 2]
    assert [sp["temperature"] for sp in sent] == [1.0, 0.5, 1.0]
    assert [sp["stop_token_ids"] for sp in sent] == [[7], [], [7]]
    assert "stop" not in sent[0] and sent[1]["stop"] == ["</s>"]
    assert all(set(sp) <= set(SAMPLING_FIELDS) and sp["no_stop_trim"] for sp in sent)
    assert all("routing_key" not in body and "cache_salt" not in body for body in bodies)


def test_translate_error_maps_once_and_passes_the_rest() -> None:
    from arollout.llm.retry import translate_error

    assert isinstance(translate_error(httpx.ReadTimeout("t"), "op"), ServerTimeout)
    assert isinstance(translate_error(TimeoutError(), "op"), ServerTimeout)
    dropped = translate_error(ConnectionResetError("x"), "op")
    assert isinstance(dropped, ServerUnavailable) and dropped.retryable
    assert isinstance(translate_error(msgspec.DecodeError("bad"), "op"), ProtocolError)
    assert translate_error(ServerError("already ours"), "op") is None
    assert translate_error(KeyError("a bug"), "op") is None
