"""The HTTP transport over the episode's Unix socket, and per-episode isolation."""

from __future__ import annotations

import json
import os
import stat
from typing import TYPE_CHECKING, Any

import anyio
import pytest
import uvloop

from arollout.tasks import grading
from arollout.tasks.fhir import codes, orders
from arollout.tasks.fhir.episode import SANDBOX_DIR, FhirEpisode
from arollout.tasks.fhir.server import MAX_BODY_BYTES

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from arollout.tasks.base import Task
    from arollout.tasks.fhir import FhirSuite

    Http = Callable[..., Awaitable[tuple[int, dict[str, str], Any]]]

pytestmark = pytest.mark.anyio


@pytest.fixture(
    params=[
        pytest.param(("asyncio", {"debug": True}), id="asyncio"),
        pytest.param(("asyncio", {"loop_factory": uvloop.new_event_loop}), id="uvloop"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> Any:
    """The engine runs on uvloop: the transport must work on both loops."""
    return request.param


@pytest.fixture
def task(small_suite: FhirSuite) -> Task:
    return next(t for t in small_suite.tasks() if t.category == "record_bp")


async def test_episode_directory_socket_mounts_and_env(
    small_suite: FhirSuite, task: Task, http: Http
) -> None:
    async with small_suite.open_episode(task) as env:
        directory = env.directory
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o755  # sandbox uids may traverse it
        mode = os.stat(env.socket_path).st_mode
        assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o666  # and connect
        assert [(m.source, m.target) for m in env.mounts] == [(directory, SANDBOX_DIR)]
        assert env.env["FHIR_SOCKET"] == f"{SANDBOX_DIR}/fhir.sock"
        assert env.env["FHIR_BASE"] == codes.FHIR_BASE
        pid = task.meta["params"]["pid"]
        status, _, patient = await http(env.socket_path, "GET", f"/fhir/Patient/{pid}")
        assert status == 200 and patient["id"] == pid
    assert not await anyio.Path(directory).exists()


async def test_writes_are_isolated_between_episodes(
    small_suite: FhirSuite, task: Task, http: Http
) -> None:
    pid = task.meta["params"]["pid"]
    body = orders.resource_for(orders.bp(pid, 150, 95))
    query = f"/fhir/Observation?patient={pid}&code={codes.BP_PANEL.code}&_count=500"
    async with small_suite.open_episode(task) as first, small_suite.open_episode(task) as second:
        before = (await http(second.socket_path, "GET", query))[2]["total"]
        status, headers, created = await http(first.socket_path, "POST", "/fhir/Observation", body)
        assert status == 201 and headers["location"].endswith(
            f"/Observation/{created['id']}/_history/1"
        )
        seen_first = await http(first.socket_path, "GET", query)
        seen_second = await http(second.socket_path, "GET", query)
        assert seen_first[2]["total"] == before + 1
        assert seen_second[2]["total"] == before
        assert (await http(second.socket_path, "GET", f"/fhir/Observation/{created['id']}"))[
            0
        ] == 404
        assert len(first.store.created) == 1 and second.store.created == []
    async with small_suite.open_episode(task) as third:  # a fresh episode starts clean
        assert (await http(third.socket_path, "GET", query))[2]["total"] == before


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"NONSENSE\r\n\r\n", 400),
        (b"POST /fhir/Observation HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411),
        (
            f"POST /fhir/Observation HTTP/1.1\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode(),
            413,
        ),
        (b"GET /fhir/metadata HTTP/1.1\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n", 431),
        (b"GET /fhir/metadata HTTP/1.1\r\nContent-Length: nine\r\n\r\n", 400),
    ],
)
async def test_malformed_requests_get_an_error_status(
    small_suite: FhirSuite, task: Task, http: Http, raw: bytes, status: int
) -> None:
    async with small_suite.open_episode(task) as env:
        got, headers, body = await http(env.socket_path, "", "", raw=raw)
        assert got == status and headers["connection"] == "close"
        assert body["resourceType"] == "OperationOutcome"
        assert env.store.created == []


async def test_expect_continue_and_a_body_in_pieces(small_suite: FhirSuite, task: Task) -> None:
    pid = task.meta["params"]["pid"]
    payload = json.dumps(orders.resource_for(orders.bp(pid, 120, 80))).encode()
    head = f"POST /fhir/Observation HTTP/1.1\r\nContent-Length: {len(payload)}\r\nExpect: 100-continue\r\n\r\n"
    async with small_suite.open_episode(task) as env:
        async with await anyio.connect_unix(env.socket_path) as stream:
            await stream.send(head.encode())
            assert (await stream.receive()).startswith(b"HTTP/1.1 100 Continue")
            for i in range(0, len(payload), 100):
                await stream.send(payload[i : i + 100])
            reply = b""
            with anyio.fail_after(10):
                while True:
                    try:
                        reply += await stream.receive()
                    except anyio.EndOfStream:
                        break
        assert reply.startswith(b"HTTP/1.1 201 Created")
        assert len(env.store.created) == 1


async def test_a_stalled_client_does_not_block_others(
    small_suite: FhirSuite, task: Task, http: Http
) -> None:
    async with small_suite.open_episode(task) as env:
        async with await anyio.connect_unix(env.socket_path) as idle:
            await idle.send(b"GET /fhir/metadata HTTP/1.1\r\n")  # never finishes its headers
            results: list[int] = []

            async def one(i: int) -> None:
                results.append(
                    (await http(env.socket_path, "GET", f"/fhir/Patient?_count={i % 5}"))[0]
                )

            with anyio.fail_after(20):
                async with anyio.create_task_group() as tg:
                    for i in range(60):  # more than the per-episode connection limit
                        tg.start_soon(one, i)
            assert results == [200] * 60
        log = env.server.log
        assert sum(1 for entry in log if entry.method == "GET" and entry.status == 200) >= 60


async def test_cancellation_and_timeouts_still_close_the_episode(
    small_suite: FhirSuite, task: Task
) -> None:
    seen: list[str] = []
    with anyio.move_on_after(0.2):
        async with grading.open_episode(small_suite, task) as env:
            assert isinstance(env, FhirEpisode)
            seen.append(env.directory)
            await anyio.sleep(30)
    assert seen and not await anyio.Path(seen[0]).exists()

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with grading.open_episode(small_suite, task) as env:
            assert isinstance(env, FhirEpisode)
            seen.append(env.directory)
            raise Boom
    assert not await anyio.Path(seen[1]).exists()


async def test_episodes_grade_only_their_own_task(small_suite: FhirSuite, task: Task) -> None:
    other = next(t for t in small_suite.tasks() if t.id != task.id)
    from arollout.errors import TaskError
    from sandboxes.api import ExecResult, ExecStatus

    async with small_suite.open_episode(task) as env:
        with pytest.raises(TaskError):
            env.grade(other, ExecResult(status=ExecStatus.OK), "")


async def test_population_wide_searches_run_off_the_loop(
    small_suite: FhirSuite, task: Task, http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from arollout.tasks.fhir import api as api_module

    threads: dict[str, str] = {}
    real = api_module.handle

    def spy(store: Any, method: str, target: str, body: bytes) -> Any:
        threads[target] = threading.current_thread().name
        return real(store, method, target, body)

    monkeypatch.setattr(api_module, "handle", spy)
    pid = task.meta["params"]["pid"]
    wide, narrow = "/fhir/Observation?code=2601-3&_count=3", f"/fhir/Observation?patient={pid}"
    async with small_suite.open_episode(task) as env:
        assert (await http(env.socket_path, "GET", wide))[2]["total"] > 100
        assert (await http(env.socket_path, "GET", narrow))[0] == 200
        assert (await http(env.socket_path, "GET", f"/fhir/Patient/{pid}"))[0] == 200
    main = threading.current_thread().name
    assert threads[wide] != main
    assert threads[narrow] == threads[f"/fhir/Patient/{pid}"] == main


@pytest.mark.parametrize("target", ["/fhir/metadata", "/fhir/Patient?_count=2"])
async def test_a_half_closed_client_still_gets_its_answer(
    small_suite: FhirSuite, task: Task, target: str
) -> None:
    async with small_suite.open_episode(task) as env:
        async with await anyio.connect_unix(env.socket_path) as stream:
            await stream.send(f"GET {target} HTTP/1.1\r\n\r\n".encode())
            await stream.send_eof()
            reply = b""
            with anyio.fail_after(10):
                while True:
                    try:
                        reply += await stream.receive()
                    except anyio.EndOfStream:
                        break
    assert reply.startswith(b"HTTP/1.1 200 OK")


async def test_the_first_episode_loads_the_population_in_a_thread(
    fhir_cache: Any, task: Task
) -> None:
    import threading

    from arollout.tasks.fhir import FhirSuite as Suite, cache

    fresh = Suite(patients=150, per_category=10, cache_dir=fhir_cache)
    seen: list[str] = []
    real = cache.load_store

    def spy(**kwargs: Any) -> Any:
        seen.append(threading.current_thread().name)
        return real(**kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "load_store", spy)
        async with fresh.open_episode(task) as env:
            assert env.store.base is fresh.store
        async with fresh.open_episode(task):
            pass
    assert len(seen) == 1 and seen[0] != threading.current_thread().name
