"""A minimal HTTP/1.1 keep-alive server on asyncio protocols.

The emulator must outrun the client it measures (thousands of keep-alive
connections, >= 10k trivial requests per second on one core), which a web
framework's per-request machinery does not allow. This server does only what
an inference-server client needs: ``Content-Length`` bodies, keep-alive,
``Connection: close``, one request at a time per connection (no pipelining
overlap: later bytes wait in the buffer), and no chunked request bodies.

A handler returns ``(status, body)`` either directly (the fast path: no task
is created) or as an awaitable, which then runs in the server's task group
inside a cancel scope that the connection's loss cancels; this is how a client
that gives up (timeout, disconnect) aborts its request, as with SGLang.
Raising :class:`DropConnection` closes the socket without an answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final, cast, final

import anyio

if TYPE_CHECKING:
    from anyio.abc import TaskStatus

__all__ = ("DropConnection", "Handler", "Request", "Response", "serve_http")

Response = tuple[int, bytes]
Handler = Callable[["Request"], "Response | Awaitable[Response]"]
_Spawn = Callable[..., Any]

_MAX_HEAD: Final = 65536
_REASONS: Final = {s.value: s.phrase for s in HTTPStatus}


class DropConnection(Exception):
    """Raised by a handler to close the connection without any response."""


@final
class Request:
    """One parsed request. Header names are lower-case."""

    __slots__ = ("body", "headers", "method", "path")

    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body


def _encode(status: int, body: bytes, keep_alive: bool) -> bytes:
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    )
    if not keep_alive:
        head += "Connection: close\r\n"
    return (head + "\r\n").encode() + body


class _Connection(asyncio.Protocol):
    __slots__ = (
        "_buffer",
        "_busy",
        "_closed",
        "_conns",
        "_handler",
        "_scope",
        "_spawn",
        "_transport",
    )

    def __init__(self, handler: Handler, spawn: _Spawn, conns: set[_Connection]) -> None:
        self._handler = handler
        self._spawn = spawn
        self._conns = conns
        self._buffer = bytearray()
        self._busy = False
        self._closed = False
        self._scope: anyio.CancelScope | None = None
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement the interface without subclassing it.
        self._transport = cast("asyncio.Transport", transport)
        self._conns.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._conns.discard(self)
        if self._scope is not None:
            self._scope.cancel()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._busy:
            self._process()

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()

    def _process(self) -> None:
        transport = self._transport
        assert transport is not None
        while not self._closed:
            parsed = self._parse()
            if parsed is None:
                return
            request, keep_alive = parsed
            try:
                result = self._handler(request)
            except DropConnection:
                transport.abort()
                return
            if isinstance(result, tuple):
                transport.write(_encode(result[0], result[1], keep_alive))
                if not keep_alive:
                    transport.close()
                    return
                continue
            self._busy = True
            transport.pause_reading()
            self._spawn(self._finish, result, keep_alive)
            return

    async def _finish(self, pending: Awaitable[Response], keep_alive: bool) -> None:
        result: Response | None = None
        dropped = False
        with anyio.CancelScope() as scope:
            self._scope = scope
            if self._closed:
                scope.cancel()
            try:
                result = await pending
            except DropConnection:
                dropped = True
        self._scope = None
        transport = self._transport
        if self._closed or transport is None:
            return
        if dropped or result is None:
            transport.abort()
            return
        transport.write(_encode(result[0], result[1], keep_alive))
        if not keep_alive:
            transport.close()
            return
        self._busy = False
        transport.resume_reading()
        if self._buffer:
            self._process()

    def _parse(self) -> tuple[Request, bool] | None:
        buffer = self._buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > _MAX_HEAD:
                self._reject(431, b'{"error": "request head too large"}')
            return None
        lines = buffer[:end].decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            self._reject(400, b'{"error": "bad request line"}')
            return None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "transfer-encoding" in headers:
            self._reject(501, b'{"error": "chunked request bodies are not supported"}')
            return None
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            self._reject(400, b'{"error": "bad content-length"}')
            return None
        total = end + 4 + length
        if len(buffer) < total:
            return None
        body = bytes(buffer[end + 4 : total])
        del buffer[:total]
        keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        return Request(method, target.partition("?")[0], headers, body), keep_alive

    def _reject(self, status: int, body: bytes) -> None:
        self._closed = True
        if self._transport is not None:
            self._transport.write(_encode(status, body, False))
            self._transport.close()


async def serve_http(
    handler: Handler,
    host: str,
    port: int,
    *,
    backlog: int = 4096,
    task_status: TaskStatus[tuple[str, int]] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``handler`` until cancelled; reports ``(host, port)`` when listening.

    Use it with ``await task_group.start(serve_http, handler, host, 0)``.
    """
    loop = asyncio.get_running_loop()
    conns: set[_Connection] = set()
    async with anyio.create_task_group() as tg:
        server = await loop.create_server(
            lambda: _Connection(handler, tg.start_soon, conns),
            host,
            port,
            backlog=backlog,
            reuse_address=True,
        )
        try:
            sockname = server.sockets[0].getsockname()
            task_status.started((str(sockname[0]), int(sockname[1])))
            await anyio.sleep_forever()
        finally:
            server.close()
            for conn in list(conns):
                conn.abort()
            tg.cancel_scope.cancel()
