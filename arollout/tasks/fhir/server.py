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

One :class:`FhirServer` serves one episode's store. Every connection carries
one request (``Connection: close``), read under a deadline and size caps, so
a client that stalls or floods cannot hold the engine; a request is handled
by the pure :func:`~arollout.tasks.fhir.api.handle`, and no error inside a
connection ever escapes into the episode.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Final, NamedTuple, final

import anyio
import anyio.abc

from arollout.tasks.fhir import api

if TYPE_CHECKING:
    from types import TracebackType

    from arollout.tasks.fhir.store import EpisodeStore

__all__ = ("MAX_BODY_BYTES", "FhirServer", "LoggedRequest")

MAX_HEADER_BYTES: Final = 16 * 1024
MAX_BODY_BYTES: Final = 256 * 1024
READ_TIMEOUT_S: Final = 30.0
MAX_CONNECTIONS: Final = 32
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


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def frame(response: api.Response) -> bytes:
    """The bytes of ``response`` on the wire (always ``Connection: close``)."""
    head = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}"]
    head += [f"{k}: {v}" for k, v in response.headers]
    head += [f"Content-Length: {len(response.body)}", "Connection: close", "", ""]
    return "\r\n".join(head).encode("latin-1") + response.body


async def _read_request(stream: anyio.abc.ByteStream) -> tuple[str, str, bytes]:
    buffer = bytearray()
    while b"\r\n\r\n" not in buffer:
        if len(buffer) > MAX_HEADER_BYTES:
            raise _BadRequest(431, "request headers are too large")
        try:
            buffer += await stream.receive(65536)
        except anyio.EndOfStream:
            raise _BadRequest(
                400, "the connection closed before the request was complete"
            ) from None
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, _version = lines[0].split(" ")
    except ValueError:
        raise _BadRequest(400, f"malformed request line {lines[0]!r}") from None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise _BadRequest(411, "chunked bodies are not supported: send a Content-Length")
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise _BadRequest(400, "Content-Length is not a number") from None
    if length < 0 or length > MAX_BODY_BYTES:
        raise _BadRequest(413, f"the body may hold at most {MAX_BODY_BYTES} bytes")
    if length > len(rest) and headers.get("expect", "").lower() == "100-continue":
        await stream.send(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = bytearray(rest)
    while len(body) < length:
        try:
            body += await stream.receive(65536)
        except anyio.EndOfStream:
            raise _BadRequest(400, "the body is shorter than its Content-Length") from None
    return method.upper(), target, bytes(body[:length])


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
        self._tg: anyio.abc.TaskGroup | None = None
        self._slots = anyio.Semaphore(MAX_CONNECTIONS)  # released by the connection's task

    async def __aenter__(self) -> FhirServer:
        if self._tg is not None:
            raise RuntimeError("a FhirServer can be opened only once")
        listener = await anyio.create_unix_listener(self.path)
        try:
            os.chmod(self.path, 0o666)  # every sandbox uid may connect
            self._tg = anyio.create_task_group()
            await self._tg.__aenter__()
        except BaseException:
            await listener.aclose()
            raise
        self._tg.start_soon(self._accept, listener)
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        await self._tg.__aexit__(None, None, None)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    async def _accept(self, listener: anyio.abc.SocketListener) -> None:
        assert self._tg is not None
        async with listener:
            while True:
                await self._slots.acquire()
                try:
                    stream = await listener.accept()
                except BaseException:
                    self._slots.release()
                    raise
                self._tg.start_soon(self._connection, stream)

    async def _connection(self, stream: anyio.abc.ByteStream) -> None:
        method, target, status = "?", "?", 500
        try:
            async with stream:
                try:
                    with anyio.fail_after(READ_TIMEOUT_S):
                        method, target, body = await _read_request(stream)
                    response = api.handle(self.store, method, target, body)
                except _BadRequest as exc:
                    response = api.error(exc.status, str(exc))
                except TimeoutError:
                    return
                except Exception as exc:  # a server bug must not take the episode down
                    response = api.error(500, f"server error: {exc!r}", "exception")
                status = response.status
                await stream.send(frame(response))
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            pass  # the client went away
        finally:
            self._slots.release()
            if len(self.log) < 10_000:
                self.log.append(LoggedRequest(method, target, status))
