"""The HTTP transport under the server clients: a lean keep-alive pool, or httpx.

Measured against the instant emulator on one core, a request through
``httpx.AsyncClient`` costs the caller 0.7 ms of CPU alone and about 2 ms with
256 requests in flight (the client layer alone is about 0.12 ms; httpcore's
pool, h11 and anyio's stream checkpoints add the rest). The engine's budget is
0.15 ms per turn, so plain-HTTP servers (the inference servers on a GPU node)
are spoken to by :class:`Http1Pool`: asyncio protocols, one request per
connection at a time, keep-alive with an expiry below uvicorn's 5 s, a bound
on open connections, and one preformatted request head per call.

:class:`HttpxBackend` serves everything else: ``https://`` URLs (hosted APIs)
and tests that pass an ``httpx`` transport (``MockTransport``). Both raise
only builtin ``OSError``/``TimeoutError`` or ``httpx`` exceptions, which
:func:`arollout.llm.retry.translate_errors` maps in one place.
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from typing import TYPE_CHECKING, Final, Protocol, cast, final
from urllib.parse import urlsplit

import httpx

from arollout.llm.retry import KEEPALIVE_EXPIRY_S, pool_limits

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ("HttpBackend", "HttpProtocolError", "Http1Pool", "HttpxBackend", "open_backend")

_MAX_HEAD: Final = 65536


class HttpProtocolError(ConnectionError):
    """The server's bytes are not a valid HTTP/1.1 response."""


class HttpBackend(Protocol):
    """The one call the clients make: send a request, get status and body."""

    async def request(
        self,
        method: str,
        path: str,
        body: bytes | list[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> tuple[int, bytes]:
        """``body`` as a list of parts is sent as their concatenation (in one
        ``writev`` where the transport allows: a token-in body's context ids
        are then never copied into a joined buffer)."""
        ...

    async def aclose(self) -> None: ...


class _Connection(asyncio.Protocol):
    __slots__ = ("_buffer", "_waiter", "closed", "last_used", "transport")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[int, bytes, bool]] | None = None
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.last_used = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(ConnectionResetError("the server closed the connection"))

    def send(self, parts: list[bytes], waiter: asyncio.Future[tuple[int, bytes, bool]]) -> None:
        self._waiter = waiter
        assert self.transport is not None
        self.transport.writelines(parts)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        waiter = self._waiter
        if buffer or waiter is None or waiter.done():
            buffer += data
            if waiter is None or waiter.done():
                return
            source: bytes | bytearray = buffer
        else:
            source = data  # the usual case: a whole response in one read, no copy
        try:
            parsed = _parse(source)
        except HttpProtocolError as exc:
            waiter.set_exception(exc)
            return
        if parsed is None:
            if source is data:
                buffer += data
            return
        status, body, keep_alive, consumed = parsed
        if source is buffer:
            del buffer[:consumed]
        elif consumed < len(data):
            buffer += data[consumed:]
        self._waiter = None
        waiter.set_result((status, body, keep_alive))

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _header(head: bytes, name: bytes) -> bytes | None:
    """The value of header ``name`` (lower-case, with ``\\r\\n`` and colon) in a
    lower-cased response head, or None."""
    start = head.find(name)
    if start < 0:
        return None
    start += len(name)
    end = head.find(b"\r\n", start)
    return head[start:end].strip() if end >= 0 else head[start:].strip()


def _parse(source: bytes | bytearray) -> tuple[int, bytes, bool, int] | None:
    """One complete response at the start of ``source``: status, body,
    keep-alive, bytes consumed; None while incomplete."""
    end = source.find(b"\r\n\r\n")
    if end < 0:
        if len(source) > _MAX_HEAD:
            raise HttpProtocolError("response head too large")
        return None
    head = bytes(source[:end]).lower()
    line_end = head.find(b"\r\n")
    parts = (head if line_end < 0 else head[:line_end]).split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"http/1.") or not parts[1].isdigit():
        first = bytes(source[: line_end if line_end >= 0 else end])
        raise HttpProtocolError(f"bad status line {first[:80]!r}")
    connection = _header(head, b"\r\nconnection:")
    if connection is None:
        keep_alive = parts[0] == b"http/1.1"
    else:
        keep_alive = connection != b"close"
    start = end + 4
    encoding = _header(head, b"\r\ntransfer-encoding:")
    if encoding is not None and b"chunked" in encoding:
        dechunked = _dechunk(source, start)
        if dechunked is None:
            return None
        body, total = dechunked
    else:
        length = _header(head, b"\r\ncontent-length:")
        if length is None:
            raise HttpProtocolError("response without Content-Length or chunked encoding")
        if not length.isdigit():
            raise HttpProtocolError(f"bad Content-Length {length[:40]!r}")
        total = start + int(length)
        if len(source) < total:
            return None
        body = bytes(source[start:total])
    return int(parts[1]), body, keep_alive, total


def _dechunk(buffer: bytes | bytearray, start: int) -> tuple[bytes, int] | None:
    """Decode a complete chunked body at ``start``, or None when incomplete."""
    out = bytearray()
    pos = start
    while True:
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(bytes(buffer[pos:line_end]).split(b";")[0], 16)
        pos = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n\r\n", pos - 2)
            if trailer_end < 0:
                return None
            return bytes(out), trailer_end + 4
        if len(buffer) < pos + size + 2:
            return None
        out += buffer[pos : pos + size]
        pos += size + 2


@final
class Http1Pool:
    """Keep-alive HTTP/1.1 connections to one ``http://host:port``.

    Args:
        base_url: ``http://host[:port][/prefix]``.
        max_connections: open connections at most; further requests wait.
        headers: sent with every request (e.g. ``Authorization``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        max_connections: int,
        headers: Mapping[str, str] | None = None,
        timeout: float = 600.0,
    ) -> None:
        url = urlsplit(base_url)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(f"Http1Pool speaks plain http://host:port, got {base_url!r}")
        self._host = url.hostname
        self._port = url.port or 80
        self._prefix = url.path.rstrip("/")
        host_header = url.netloc
        fixed = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._fixed = f"Host: {host_header}\r\nContent-Type: application/json\r\n{fixed}"
        self._max = max_connections
        self._timeout = timeout
        self._idle: list[_Connection] = []
        self._open = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._closed = False
        # Request deadlines: one dict entry per request in flight and one loop
        # timer for the earliest, instead of a timer per request (scheduling
        # and cancelling one costs ~3 us more than the dict, ~2 % of the
        # engine's CPU per turn). See request and _sweep.
        self._deadlines: dict[asyncio.Future[tuple[int, bytes, bool]], float] = {}
        self._sweep_at = math.inf
        self._sweep_timer: asyncio.TimerHandle | None = None

    async def request(
        self,
        method: str,
        path: str,
        body: bytes | list[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> tuple[int, bytes]:
        if self._closed:
            raise ConnectionError("the HTTP pool is closed")
        extra = "".join([f"{k}: {v}\r\n" for k, v in headers.items()]) if headers else ""
        parts = body if isinstance(body, list) else [body or b""]
        length = sum(map(len, parts))
        head = (
            f"{method} {self._prefix}{path} HTTP/1.1\r\n{self._fixed}{extra}"
            f"Content-Length: {length}\r\n\r\n"
        )
        data = [head.encode("latin-1"), *parts]
        loop = asyncio.get_running_loop()
        conn = self._idle_connection()
        if conn is None:
            conn = await self._acquire(loop)
        waiter: asyncio.Future[tuple[int, bytes, bool]] = loop.create_future()
        deadline = loop.time() + (self._timeout if timeout_s is None else timeout_s)
        self._deadlines[waiter] = deadline
        if deadline < self._sweep_at:
            self._schedule_sweep(loop, deadline)
        reusable = False
        try:
            conn.send(data, waiter)
            status, content, reusable = await waiter
        finally:
            self._deadlines.pop(waiter, None)
            self._release(conn, reusable)
        return status, content

    def _schedule_sweep(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._sweep_timer is not None:
            self._sweep_timer.cancel()
        self._sweep_at = when
        self._sweep_timer = loop.call_at(when, self._sweep, loop)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        """Fail the requests past their deadline; re-arm for the earliest left.

        The timer fires at the earliest deadline known when it was set; most
        requests end long before theirs, so a sweep usually finds nothing due
        and only moves the timer on (one pass over the requests in flight).
        """
        self._sweep_timer = None
        self._sweep_at = math.inf
        now = loop.time()
        earliest = math.inf
        for waiter, deadline in list(self._deadlines.items()):
            if deadline <= now:
                del self._deadlines[waiter]
                _expire(waiter)
            elif deadline < earliest:
                earliest = deadline
        if earliest < math.inf:
            self._schedule_sweep(loop, earliest)

    def _idle_connection(self) -> _Connection | None:
        """A kept-alive connection that is still fresh, closing stale ones; None if none."""
        idle = self._idle
        if idle:
            now = time.monotonic()
            while idle:
                conn = idle.pop()
                if not conn.closed and now - conn.last_used < KEEPALIVE_EXPIRY_S:
                    return conn
                conn.close()
                self._open -= 1
        return None

    async def _acquire(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        while True:
            conn = self._idle_connection()
            if conn is not None:
                return conn
            if self._open < self._max:
                self._open += 1
                try:
                    _, protocol = await loop.create_connection(_Connection, self._host, self._port)
                except BaseException:
                    self._open -= 1
                    self._wake()
                    raise
                return protocol
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if not waiter.cancelled() and waiter.done():
                    self._wake()  # pass the wake-up on
                raise

    def _release(self, conn: _Connection, reusable: bool) -> None:
        if reusable and not conn.closed and not self._closed:
            conn.last_used = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()
            self._open -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def aclose(self) -> None:
        self._closed = True
        if self._sweep_timer is not None and not self._deadlines:  # else: still enforced
            self._sweep_timer.cancel()
            self._sweep_timer = None
            self._sweep_at = math.inf
        for conn in self._idle:
            conn.close()
        self._open -= len(self._idle)
        self._idle.clear()


def _expire(waiter: asyncio.Future[tuple[int, bytes, bool]]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError("no complete response before the deadline"))


@final
class HttpxBackend:
    """:class:`HttpBackend` over ``httpx.AsyncClient`` (TLS, mock transports)."""

    def __init__(
        self,
        base_url: str,
        *,
        max_connections: int,
        headers: Mapping[str, str] | None = None,
        timeout: float = 600.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            limits=pool_limits(max_connections),
            timeout=httpx.Timeout(timeout),
            headers={"Content-Type": "application/json", **(headers or {})},
            transport=transport,
        )

    async def request(
        self,
        method: str,
        path: str,
        body: bytes | list[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> tuple[int, bytes]:
        response = await self._client.request(
            method,
            path,
            content=b"".join(body) if isinstance(body, list) else body,
            headers=headers,
            timeout=httpx.USE_CLIENT_DEFAULT if timeout_s is None else timeout_s,
        )
        return response.status_code, response.content

    async def aclose(self) -> None:
        await self._client.aclose()


def open_backend(
    base_url: str,
    *,
    concurrency: int,
    headers: Mapping[str, str] | None = None,
    timeout: float = 600.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> HttpBackend:
    """The fast pool for ``http://`` URLs, httpx for TLS or an explicit transport."""
    if concurrency < 1:
        raise ValueError(f"`concurrency` must be >= 1, got {concurrency}")
    if transport is None and base_url.startswith("http://"):
        return Http1Pool(base_url, max_connections=concurrency, headers=headers, timeout=timeout)
    return HttpxBackend(
        base_url, max_connections=concurrency, headers=headers, timeout=timeout, transport=transport
    )
