"""The keep-alive HTTP/1.1 pool against a server that writes raw bytes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import cast

import anyio
import pytest

from arollout.llm.http1 import Http1Pool, HttpProtocolError

pytestmark = pytest.mark.anyio

#: One scripted answer: the raw response, written in these pieces.
Script = Callable[[bytes], list[bytes]]
_OPEN: set[asyncio.Transport] = set()  # server-side connections not yet closed


class _Raw(asyncio.Protocol):
    def __init__(self, script: Script, seen: list[bytes]) -> None:
        self.script = script
        self.seen = seen
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)
        _OPEN.add(self.transport)

    def connection_lost(self, exc: Exception | None) -> None:
        _OPEN.discard(self.transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        length = 0
        for line in self.buffer[:head_end].split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        total = head_end + 4 + length
        if len(self.buffer) < total:
            return
        request, self.buffer = self.buffer[:total], self.buffer[total:]
        self.seen.append(request)
        self._write(self.script(request))

    def _write(self, pieces: list[bytes]) -> None:
        """Write the first piece, the rest 1 ms later (so that they arrive apart)."""
        if not pieces or self.transport.is_closing():
            return
        if pieces[0] == b"<close>":
            self.transport.close()
            return
        self.transport.write(pieces[0])
        asyncio.get_running_loop().call_later(0.001, self._write, pieces[1:])


@asynccontextmanager
async def raw_server(script: Script) -> AsyncIterator[tuple[str, list[bytes]]]:
    seen: list[bytes] = []
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Raw(script, seen), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1", seen
    finally:
        # Close what the script left open (requests it never answers) and let
        # the loop finish closing it, so that nothing is pending when the
        # test's loop closes.
        server.close()
        for transport in list(_OPEN):
            transport.close()
        await server.wait_closed()
        for _ in range(3):
            await asyncio.sleep(0)


def ok(body: bytes, *extra: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%b\r\n%b" % (len(body), b"".join(extra), body)


async def test_whole_byte_by_byte_and_pipelined_answers() -> None:
    answers = [
        lambda _r: [ok(b'{"a":1}')],
        lambda _r: [bytes([b]) for b in ok(b'{"b":2}', b"Server: x\r\n")],
        # The header names in odd case, the body split from the head.
        lambda _r: [b"HTTP/1.1 201 Created\r\ncOnTeNt-LeNgTh: 3\r\n\r\n", b"abc"],
    ]
    calls = iter(answers)

    async with raw_server(lambda r: next(calls)(r)) as (url, seen):
        pool = Http1Pool(url, max_connections=1, headers={"Authorization": "Bearer k"})
        assert await pool.request("POST", "/generate", b"{}", {"X-Key": "e1"}) == (200, b'{"a":1}')
        assert await pool.request("GET", "/health") == (200, b'{"b":2}')
        assert await pool.request("GET", "/x") == (201, b"abc")
        await pool.aclose()
    head = seen[0].split(b"\r\n\r\n")[0].decode()
    assert head.startswith("POST /v1/generate HTTP/1.1\r\n")
    assert "Authorization: Bearer k" in head and "X-Key: e1" in head
    assert "Content-Length: 2" in head and seen[0].endswith(b"\r\n\r\n{}")
    assert len(seen) == 3  # one keep-alive connection served all three


async def test_chunked_body_and_connection_close() -> None:
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    body = [b"4\r\nwiki\r\n", b"5;ext=1\r\npedia\r\n", b"0\r\n\r\n"]
    async with raw_server(lambda _r: [chunked, *body]) as (url, _seen):
        pool = Http1Pool(url, max_connections=2)
        assert await pool.request("GET", "/") == (200, b"wikipedia")
        assert pool._idle == []  # "Connection: close" is not kept alive
        assert await pool.request("GET", "/") == (200, b"wikipedia")
        await pool.aclose()


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (b"SPDY/3 200 OK\r\nContent-Length: 0\r\n\r\n", "status line"),
        (b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", "Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n", "Content-Length"),
    ],
)
async def test_bytes_that_are_not_http_raise(raw: bytes, match: str) -> None:
    async with raw_server(lambda _r: [raw]) as (url, _seen):
        pool = Http1Pool(url, max_connections=1)
        with pytest.raises(HttpProtocolError, match=match):
            await pool.request("GET", "/")
        await pool.aclose()


async def test_dropped_connection_and_timeout() -> None:
    async with raw_server(lambda _r: [b"HTTP/1.1 200 OK\r\n", b"<close>"]) as (url, _seen):
        pool = Http1Pool(url, max_connections=1)
        with pytest.raises(ConnectionResetError):
            await pool.request("GET", "/")
        await pool.aclose()
    async with raw_server(lambda _r: []) as (url, _seen):
        pool = Http1Pool(url, max_connections=1)
        with pytest.raises(TimeoutError):
            await pool.request("GET", "/", timeout_s=0.05)
        await pool.aclose()


async def test_connections_are_bounded() -> None:
    async with raw_server(lambda _r: [ok(b"{}")]) as (url, _seen):
        pool = Http1Pool(url, max_connections=3)
        results: list[tuple[int, bytes]] = []

        async def one() -> None:
            results.append(await pool.request("GET", "/"))

        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(one)
        assert results == [(200, b"{}")] * 20
        assert pool._open <= 3 and len(pool._idle) <= 3
        await pool.aclose()


async def test_each_request_times_out_at_its_own_deadline() -> None:
    """Deadlines share one timer: a short one set after a long one still fires on
    time, a later one fires after an earlier one's request ended, and a request
    that is answered in time is never failed by another's sweep."""

    def script(request: bytes) -> list[bytes]:
        if request.startswith(b"GET /v1/answer"):
            return [b"", ok(b"late but in time")]  # the answer 1 ms after the request
        return []  # /hang: never answered

    async with raw_server(script) as (url, _seen):
        pool = Http1Pool(url, max_connections=8, timeout=30.0)
        outcomes: dict[str, tuple[str, float]] = {}

        async def call(name: str, path: str, timeout_s: float | None) -> None:
            start = anyio.current_time()
            try:
                status, body = await pool.request("GET", path, timeout_s=timeout_s)
                result = f"{status} {body.decode()}"
            except TimeoutError:
                result = "timeout"
            outcomes[name] = (result, anyio.current_time() - start)

        async with anyio.create_task_group() as tg:
            tg.start_soon(call, "long", "/hang", 1.5)
            await anyio.sleep(0.01)
            tg.start_soon(call, "short", "/hang", 0.1)
            tg.start_soon(call, "answered", "/answer", 0.1)
            tg.start_soon(call, "medium", "/hang", 0.4)
        assert outcomes["answered"][0] == "200 late but in time"
        assert [outcomes[k][0] for k in ("short", "medium", "long")] == ["timeout"] * 3
        short, medium, long = (outcomes[k][1] for k in ("short", "medium", "long"))
        # Each fires at its own deadline, well before the long one's (had the
        # short ones waited for the long deadline, they would take >= 1.5 s).
        # uvloop keeps timers in whole milliseconds: a deadline may fire up to
        # 1 ms early on the float clock (0.39999999999 for 0.4 was seen).
        ms = 1e-3
        assert 0.1 - ms <= short < medium < long and medium >= 0.4 - ms and long >= 1.5 - ms
        assert medium < 1.2
        assert not pool._deadlines
        await pool.aclose()
