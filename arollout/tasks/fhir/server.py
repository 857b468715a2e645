"""The FHIR server's transport: HTTP/1.1 over one Unix socket, in the engine's loop.

Why a Unix socket: sandboxed code runs in its own network namespace under a
seccomp filter that refuses every socket family but ``AF_UNIX``
(``sandboxes/seccomp.py``), so no TCP endpoint, loopback included, is
reachable from it. A socket file in a directory that is bind-mounted into the
sandbox *is* reachable: ``connect()`` needs write permission on the socket
inode (granted to everyone with mode 0666, because each sandbox slot runs
under its own unprivileged uid), and a read-only mount does not stop it,
since connecting writes nothing to the file system (only creating or
removing the socket would).

The server is an :class:`asyncio.Protocol` on ``loop.create_unix_server``:
no task per episode or per connection, so thousands of open episodes cost
only their sockets, and closing needs no cancellation (an accept loop
cancelled while a connection is pending is a race in anyio's Unix listener).
Each connection carries one request (``Connection: close``), parsed by the
sans-I/O :class:`RequestParser` under size caps and a deadline, answered by
the pure :func:`~arollout.tasks.fhir.api.handle`; nothing that happens on a
connection can raise into the episode. Requests the indexes answer at once
(writes, reads by id, searches of one patient: well under a millisecond) are
answered inline; a search over the whole population goes to a worker thread,
so an agent that scans everything cannot stall the engine's other episodes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import TYPE_CHECKING, Final, NamedTuple, cast, final

from arollout.tasks.fhir import api

if TYPE_CHECKING:
    from types import TracebackType

    from arollout.tasks.fhir.store import EpisodeStore

__all__ = (
    "MAX_BODY_BYTES",
    "MAX_HEADER_BYTES",
    "FhirServer",
    "LoggedRequest",
    "RequestParser",
    "frame",
)

MAX_HEADER_BYTES: Final = 16 * 1024
MAX_BODY_BYTES: Final = 256 * 1024
READ_TIMEOUT_S: Final = 30.0
_LOG_LIMIT: Final = 10_000
_REASONS: Final = {
    100: "Continue", 200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found",
    405: "Method Not Allowed", 411: "Length Required", 413: "Content Too Large",
    429: "Too Many Requests", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
}  # fmt: skip


class LoggedRequest(NamedTuple):
    """One request the server answered (for diagnostics and tests)."""

    method: str
    target: str
    status: int


class BadRequest(Exception):
    """The bytes are not an acceptable request; ``status`` says how."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Request(NamedTuple):
    method: str
    target: str
    body: bytes


def frame(response: api.Response) -> bytes:
    """The bytes of ``response`` on the wire (always ``Connection: close``)."""
    head = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}"]
    head += [f"{k}: {v}" for k, v in response.headers]
    head += [f"Content-Length: {len(response.body)}", "Connection: close", "", ""]
    return "\r\n".join(head).encode("latin-1") + response.body


@final
class RequestParser:
    """Incremental HTTP/1.1 request parsing (no I/O): feed bytes, get a request."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._head: tuple[str, str, int] | None = None  # method, target, content length
        self.wants_continue = False

    def feed(self, data: bytes) -> Request | None:
        """Add ``data``; the request once complete, else None.

        Raises:
            BadRequest: malformed, too large, or a framing the server does not speak.
        """
        self._buffer += data
        if self._head is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEADER_BYTES:
                    raise BadRequest(431, "request headers are too large")
                return None
            if end > MAX_HEADER_BYTES:
                raise BadRequest(431, "request headers are too large")
            self._head = self._parse_head(bytes(self._buffer[:end]))
            del self._buffer[: end + 4]
        method, target, length = self._head
        if len(self._buffer) < length:
            return None
        return Request(method, target, bytes(self._buffer[:length]))

    def _parse_head(self, head: bytes) -> tuple[str, str, int]:
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            raise BadRequest(400, f"malformed request line {lines[0][:80]!r}")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raise BadRequest(411, "chunked bodies are not supported: send a Content-Length")
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise BadRequest(400, "Content-Length is not a number") from None
        if length < 0 or length > MAX_BODY_BYTES:
            raise BadRequest(413, f"the body may hold at most {MAX_BODY_BYTES} bytes")
        self.wants_continue = headers.get("expect", "").lower() == "100-continue"
        return parts[0].upper(), parts[1], length


class _Connection(asyncio.Protocol):
    def __init__(self, server: FhirServer) -> None:
        self.server = server
        self.parser = RequestParser()
        self.transport: asyncio.Transport | None = None
        self.deadline: asyncio.TimerHandle | None = None
        self.continued = False
        self.busy = False  # a complete request is being answered

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but speak its API
        self.transport = cast("asyncio.Transport", transport)
        self.server.connections.add(self)
        self.deadline = asyncio.get_running_loop().call_later(READ_TIMEOUT_S, self.transport.abort)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        if self.deadline is not None:
            self.deadline.cancel()

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        if self.transport.is_closing() or self.busy:
            return
        try:
            request = self.parser.feed(data)
            if request is None:
                if self.parser.wants_continue and not self.continued:
                    self.continued = True
                    self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                return
        except BadRequest as exc:
            self._reply("?", "?", api.error(exc.status, str(exc)))
            return
        self.busy = True
        store, method, target = self.server.store, request.method, request.target
        if _cheap(method, target):
            self._reply(method, target, _handle(store, method, target, request.body))
            return
        # A search over the whole population takes tens of milliseconds: off the loop.
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(None, _handle, store, method, target, request.body)
        future.add_done_callback(lambda done: self._reply(method, target, _result(done)))

    def _reply(self, method: str, target: str, response: api.Response) -> None:
        assert self.transport is not None
        self.server.record(LoggedRequest(method, target, response.status))
        if not self.transport.is_closing():
            self.transport.write(frame(response))
            self.transport.close()

    def eof_received(self) -> bool | None:
        assert self.transport is not None
        if self.busy:
            return True  # the client only shut its side: keep ours open for the answer
        if not self.transport.is_closing():  # it gave up before its request was complete
            self.transport.write(frame(api.error(400, "the request is incomplete")))
            self.transport.close()
        return None


def _cheap(method: str, target: str) -> bool:
    """Whether answering inline keeps the loop responsive: a write, a read by id, or a
    search narrowed to one patient (an index hit)."""
    path, _, query = target.partition("?")
    if method != "GET" or len([s for s in path.split("/") if s and s != "fhir"]) != 1:
        return True
    return any(
        k in ("patient", "subject") for k, _, _ in (p.partition("=") for p in query.split("&"))
    )


def _handle(store: EpisodeStore, method: str, target: str, body: bytes) -> api.Response:
    try:
        return api.handle(store, method, target, body)
    except Exception as exc:  # a server bug must not take the episode down
        return api.error(500, f"server error: {exc!r}", "exception")


def _result(done: asyncio.Future[api.Response]) -> api.Response:
    if done.cancelled():
        return api.error(500, "the request was cancelled", "exception")
    error = done.exception()
    if error is not None:
        return api.error(500, f"server error: {error!r}", "exception")
    return done.result()


@final
class FhirServer:
    """Serve ``store`` on a Unix socket at ``path`` while the context is open.

    Args:
        store: the episode's store.
        path: where the socket file is created (its directory must exist).
    """

    def __init__(self, store: EpisodeStore, path: str) -> None:
        self.store = store
        self.path = path
        self.log: list[LoggedRequest] = []
        self.connections: set[_Connection] = set()
        self._server: asyncio.Server | None = None

    def record(self, entry: LoggedRequest) -> None:
        if len(self.log) < _LOG_LIMIT:
            self.log.append(entry)

    async def __aenter__(self) -> FhirServer:
        if self._server is not None:
            raise RuntimeError("a FhirServer can be opened only once")
        loop = asyncio.get_running_loop()
        self._server = await loop.create_unix_server(lambda: _Connection(self), self.path)
        try:
            os.chmod(self.path, 0o666)  # every sandbox uid may connect
        except BaseException:
            self.close()
            raise
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
        await asyncio.sleep(0)  # let aborted transports run connection_lost

    def close(self) -> None:
        """Stop listening, drop every connection and remove the socket (idempotent)."""
        if self._server is not None:
            self._server.close()
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.abort()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
