"""The embedded local model, for real: llama.cpp ``llama-server`` + SmolLM2-135M.

Needs ``bash scripts/setup-llm.sh``. One server runs for the whole session
(started through :func:`open_local_server` from a blocking portal, so every
test's own event loop can talk to it); the ``sample`` tests start their own,
as ``--server local`` does, and check that it is gone afterwards.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.from_thread
import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from arollout.config import load_config
from arollout.llm.base import GenerateRequest, SamplingParams
from arollout.llm.gguf_vocab import chat_template_from_gguf
from arollout.llm.llamacpp import LlamaCppClient
from arollout.llm.local import LocalServer, find_model_file, open_local_server
from arollout.llm.openai import OpenAIClient
from arollout.records import EpisodeStatus, Message
from arollout.run import sample
from arollout.store.reader import read_run

from ..helpers import process_alive

if TYPE_CHECKING:
    from collections.abc import Iterator

    from arollout.llm.chat import HFChatTemplate

pytestmark = [pytest.mark.llm, pytest.mark.anyio]

GREETING = [Message("system", "You are a helpful assistant."), Message("user", "Say hi.")]
SAMPLES = [
    "Hello world!",
    "SELECT COUNT(*) FROM admissions WHERE age >= 65;",
    "3.14159 and 2024-01-01, x=123456789",
    "def f(x):\n    return x**2\n\n\n",
    "  leading   spaces\t\ttabs\r\n",
    "héllo wörld — naïve café 日本語 🙂",
    "<|im_start|>user\nhi<|im_end|>\n",
    "it's we'll they'd I'M",
    "```python\nimport pandas as pd\ndf = pd.read_csv('a.csv')\n```",
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def server() -> Iterator[LocalServer]:
    with anyio.from_thread.start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(open_local_server(context_len=2048, slots=4)) as s:
            yield s
    assert not process_alive(s.pid)


@pytest.fixture(scope="session")
def template() -> HFChatTemplate:
    return chat_template_from_gguf(find_model_file())


def _servers_on(port: int) -> list[int]:
    """Pids of live llama-server processes listening on ``port`` (by /proc scan)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"llama-server" in a for a in argv[:1]) and str(port).encode() in argv:
            if process_alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def test_gguf_tokenizer_matches_the_server(server: LocalServer, template: HFChatTemplate) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:

        def server_ids(text: str) -> list[int]:
            ids: list[int] = http.post("/tokenize", json={"content": text}).json()["tokens"]
            return ids

        for text in SAMPLES:
            assert template.encode(text) == server_ids(text), text
            assert template.decode(template.encode(text)) == text

        # Assigned code points only: for unassigned (Cn), private-use (Co) and
        # surrogate (Cs) ones, llama.cpp's own Unicode tables and Python's
        # disagree on the pre-tokenizer's letter/number classes, so the split
        # differs (e.g. U+A44E6 U+42000); models do not emit them. Control
        # characters (Cc) likewise: "*\x16:" is [26, 42] for llama.cpp and
        # [13714] for Hugging Face's tokenizers, which define SmolLM2's
        # tokenizer and which arollout follows; whitespace controls stay in.
        chars = st.characters(exclude_categories=("Cc", "Cn", "Co", "Cs"), include_characters="\t\n\r")

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.text(chars, max_size=60))
        def same(text: str) -> None:
            assert template.encode(text) == server_ids(text)

        same()
        rendered = template.render(GREETING)
        prompt = http.post(
            "/apply-template",
            json={"messages": [{"role": m.role, "content": m.content} for m in GREETING]},
        )
        assert rendered == server_ids(prompt.json()["prompt"])


async def test_token_path_ids_logprobs_and_eos(
    server: LocalServer, template: HFChatTemplate
) -> None:
    async with LlamaCppClient(server.url) as client:
        reply = await client.generate(
            GenerateRequest(
                rid="t",
                sampling=SamplingParams(max_new_tokens=96, temperature=0.0, seed=1),
                input_ids=template.render(GREETING),
            )
        )
    assert reply.output_ids and len(reply.output_ids) == len(reply.logprobs)
    assert all(lp <= 0.0 for lp in reply.logprobs)
    assert reply.completion_tokens == len(reply.output_ids)
    # Stopped on EOS: the ids end with <|im_end|> (so the turn is closed, as the
    # engine's prefix rule needs) and decode to the text plus that marker.
    assert reply.finish_reason == "stop"
    assert reply.output_ids[-1] == template.im_end
    assert template.decode(reply.output_ids) == reply.text + "<|im_end|>"


async def test_token_path_length_and_stop_string(
    server: LocalServer, template: HFChatTemplate
) -> None:
    prompt = template.render(GREETING)
    async with LlamaCppClient(server.url) as client:
        cut = await client.generate(
            GenerateRequest(
                rid="a",
                sampling=SamplingParams(max_new_tokens=5, temperature=0.0),
                input_ids=prompt,
            )
        )
        full = await client.generate(
            GenerateRequest(
                rid="b",
                sampling=SamplingParams(max_new_tokens=96, temperature=0.0),
                input_ids=prompt,
            )
        )
        stop = full.text[8:12]  # four characters well inside the answer
        stopped = await client.generate(
            GenerateRequest(
                rid="c",
                sampling=SamplingParams(max_new_tokens=96, temperature=0.0, stop=(stop,)),
                input_ids=prompt,
            )
        )
    assert cut.finish_reason == "length" and len(cut.output_ids) == len(cut.logprobs) == 5
    assert template.decode(cut.output_ids) == cut.text
    assert stopped.finish_reason == "stop" and stop not in stopped.text
    assert len(stopped.output_ids) == len(stopped.logprobs)
    assert stopped.output_ids == full.output_ids[: len(stopped.output_ids)]
    # The ids that carried the stop string are dropped with their text.
    assert stopped.text.startswith(template.decode(stopped.output_ids))
    assert len(stopped.output_ids) < len(full.output_ids)


async def test_openai_path_against_the_same_server(
    server: LocalServer, template: HFChatTemplate
) -> None:
    async with OpenAIClient(server.url, model=server.alias) as client:
        reply = await client.generate(
            GenerateRequest(
                rid="o",
                sampling=SamplingParams(max_new_tokens=96, temperature=0.0, seed=1),
                messages=GREETING,
            )
        )
    assert reply.text and reply.finish_reason == "stop"
    assert reply.output_ids and len(reply.output_ids) == len(reply.logprobs)
    assert template.decode(reply.output_ids).removesuffix("<|im_end|>") == reply.text
    assert reply.prompt_tokens == len(template.render(GREETING))


@pytest.fixture(scope="module")
def demo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.mark.parametrize("kind", ["llamacpp", "openai"])
async def test_sample_runs_real_episodes_and_stops_the_server(
    kind: str, tmp_path: Path, demo_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AROLLOUT_CACHE", str(demo_cache))
    out = tmp_path / "run"
    overrides: dict[str, Any] = {
        "suite": "ehr-demo",
        "limit": 3,
        "n": 1,
        "concurrency": 3,
        "out": str(out),
        "progress": False,
        "server.url": "local",
        "server.kind": kind,
        "server.context_len": 4096,
        "budgets.max_turns": 2,
        "sampling.max_new_tokens": 128,
    }
    config = load_config(**overrides)
    summary = await sample(config)
    assert summary["episodes"] == 3
    trajectories = read_run(out)
    assert len(trajectories) == 3
    statuses = {status.value for status in EpisodeStatus}
    assert {t.status.value for t in trajectories} <= statuses
    assert all(t.turns for t in trajectories)
    endoftext, im_end = 0, 2  # SmolLM2's end-of-generation ids
    for trajectory in trajectories:
        for turn in trajectory.turns:
            assert len(turn.output_ids) == len(turn.output_logprobs)
            if kind == "llamacpp":
                assert turn.output_ids and turn.prompt_ids
                if turn.finish_reason == "stop":  # on an end-of-generation id, kept
                    assert turn.output_ids[-1] in (im_end, endoftext)
        if kind == "llamacpp":
            # Prefix rule: a turn that did not end with <|im_end|> is closed by
            # the next prompt, so the stitched context is always well-formed.
            for before, after in itertools.pairwise(trajectory.turns):
                closed = before.output_ids[-1] == im_end
                assert (after.prompt_ids[0] == im_end) == (not closed)
    info = orjson.loads((out / "manifest.json").read_bytes())["meta"]["server"]
    local = info["local"]
    assert info["kind"] == kind and local["pid"] > 0
    assert not process_alive(local["pid"])
    port = int(local["url"].rsplit(":", 1)[1])
    assert _servers_on(port) == []


async def test_local_server_reports_its_real_context() -> None:
    # Each slot of the local server holds at most the model's trained 8192
    # tokens; the engine must budget prompts against that, not the configured
    # 32768, or the server refuses long prompts with HTTP 400.
    from arollout.config import ServerConfig
    from arollout.servers import open_server
    from arollout.tasks.registry import get_suite

    config = ServerConfig(url="local", context_len=32768)
    async with open_server(config, suite=get_suite("ehr-demo"), concurrency=1) as server:
        assert server.context_len == 8192
    small = ServerConfig(url="local", context_len=2048)
    async with open_server(small, suite=get_suite("ehr-demo"), concurrency=1) as server:
        assert server.context_len == 2048
