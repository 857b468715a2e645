"""``arollout bench server``: what our client costs against a real server's throughput.

On a GPU node the question is whether the sampler ever becomes the
bottleneck. This benchmark sends the same fixed-shape ``/generate`` load
(random prompt ids, a fixed ``max_new_tokens``, one request per slot) twice,
side by side against one server:

1. through :class:`~arollout.llm.sglang.SGLangClient`, the client the engine
   uses (token-in/token-out body, logprobs, reply validation, retries);
2. through a minimal client: one ``httpx`` POST of an orjson body per
   request and an orjson parse of the reply, nothing else. Its throughput is
   the server's own throughput at that concurrency, as far as an HTTP client
   can measure it.

``client_efficiency`` is (1) over (2) in output tokens per second, and
``client_cpu_us_per_request`` the CPU this process spent per request in (1):
multiplied by a GPU server's requests per second it says what share of one
core the client needs. When the server reports its own decode throughput
(SGLang's ``/get_server_info`` ``internal_states[].last_gen_throughput``) it
is copied into the result.

With no URL, an emulator with the ``gpu-7b`` latency model is started in
another process, so the benchmark (and its test) runs on any machine.
"""

from __future__ import annotations

import random
import sys
import time
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import orjson

from arollout.bench_engine import _free_port, _start_emulator
from arollout.llm.base import GenerateRequest, SamplingParams
from arollout.llm.sglang import SGLangClient

if TYPE_CHECKING:
    import subprocess

__all__ = ("run_server_bench",)

_VOCAB = 32_000  # prompt ids are drawn below this: valid for every common tokenizer


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _prompts(count: int, length: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.randrange(1, _VOCAB) for _ in range(length)] for _ in range(count)]


async def _drive(
    send: Any, prompts: list[list[int]], concurrency: int
) -> tuple[float, float, list[float], int]:
    """Run every prompt through ``send`` with ``concurrency`` in flight.

    Returns wall seconds, CPU seconds of this process, per-request latencies
    and the output tokens received.
    """
    latencies: list[float] = []
    tokens = 0
    queue = iter(enumerate(prompts))

    async def worker() -> None:
        nonlocal tokens
        for i, ids in queue:
            t0 = time.perf_counter()
            received = await send(i, ids)  # not ``tokens += await``: that reads before awaiting
            latencies.append(time.perf_counter() - t0)
            tokens += received

    cpu0, wall0 = time.process_time(), time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(min(concurrency, len(prompts))):
            tg.start_soon(worker)
    return time.perf_counter() - wall0, time.process_time() - cpu0, latencies, tokens


def _summary(
    prefix: str, wall: float, cpu: float, latencies: list[float], tokens: int
) -> dict[str, Any]:
    n = len(latencies)
    return {
        f"{prefix}requests_per_s": round(n / wall, 2),
        f"{prefix}output_tokens_per_s": round(tokens / wall, 1),
        f"{prefix}latency_p50_ms": round(_pct(latencies, 0.5) * 1e3, 2),
        f"{prefix}latency_p99_ms": round(_pct(latencies, 0.99) * 1e3, 2),
        f"{prefix}client_cpu_us_per_request": round(cpu / n * 1e6, 1) if n else 0.0,
        f"{prefix}wall_s": round(wall, 3),
    }


async def _measure(
    url: str, *, requests: int, concurrency: int, prompt_len: int, output_len: int, seed: int
) -> dict[str, Any]:
    prompts = _prompts(requests, prompt_len, seed)
    sampling = SamplingParams(max_new_tokens=output_len, temperature=1.0)

    async with SGLangClient(url, concurrency=concurrency) as client:

        async def ours(i: int, ids: list[int]) -> int:
            reply = await client.generate(
                GenerateRequest(rid=f"bench-{seed}-{i}", sampling=sampling, input_ids=ids)
            )
            return len(reply.output_ids)

        await _drive(
            ours, prompts[: min(32, requests)], concurrency
        )  # warm-up: connections, caches
        ours_run = await _drive(ours, prompts, concurrency)
        info = await client.server_info()

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=600.0) as http:

        async def raw(i: int, ids: list[int]) -> int:
            body = {
                "rid": f"raw-{seed}-{i}",
                "input_ids": ids,
                "sampling_params": {"max_new_tokens": output_len, "temperature": 1.0},
                "return_logprob": True,
            }
            response = await http.post("/generate", content=orjson.dumps(body))
            return len(orjson.loads(response.content).get("output_ids", ()))

        await _drive(raw, prompts[: min(32, requests)], concurrency)
        raw_run = await _drive(raw, prompts, concurrency)

    result: dict[str, Any] = {
        "requests": requests,
        "concurrency": concurrency,
        "prompt_len": prompt_len,
        "max_new_tokens": output_len,
        **_summary("", *ours_run),
        **_summary("raw_", *raw_run),
    }
    result["client_efficiency"] = (
        round(result["output_tokens_per_s"] / result["raw_output_tokens_per_s"], 3)
        if result["raw_output_tokens_per_s"]
        else 0.0
    )
    result["client_cpu_share_of_one_core"] = round(ours_run[1] / ours_run[0], 3)
    states = info.get("internal_states")
    if isinstance(states, list) and states and isinstance(states[0], dict):
        throughput = states[0].get("last_gen_throughput")
        if isinstance(throughput, int | float):
            result["server_last_gen_throughput"] = throughput
    result["server_version"] = str(info.get("version", ""))
    result["server_model"] = str(info.get("model_path", ""))
    return result


def run_server_bench(
    url: str | None = None,
    *,
    requests: int = 2000,
    concurrency: int = 256,
    prompt_len: int = 512,
    output_len: int = 128,
    seed: int = 0,
) -> dict[str, Any]:
    """Measure against ``url`` (an SGLang server), or against an emulator started here."""
    proc: subprocess.Popen[bytes] | None = None
    if url is None:
        port = _free_port()
        proc = _start_emulator(port, "ehr-demo", latency="gpu")
        url = f"http://127.0.0.1:{port}"
    try:
        result: dict[str, Any] = anyio.run(
            lambda: _measure(
                url,
                requests=requests,
                concurrency=concurrency,
                prompt_len=prompt_len,
                output_len=output_len,
                seed=seed,
            ),
            backend="asyncio",
            backend_options={"use_uvloop": True},
        )
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
    result["server"] = "emulator (gpu-7b latency model)" if proc is not None else url
    result["python"] = sys.version.split()[0]
    return result
