"""The one place that talks to the Docker daemon (the boundary of the Docker backend).

Everything else in the backend calls :class:`DockerClient` and sees only
:mod:`sandboxes.errors`: aiodocker and aiohttp are imported lazily here (the
``docker`` extra is optional, ``import sandboxes`` works without it) and
every exception they raise is translated once, in :func:`docker_errors`.

Two aiodocker clients with separate connection pools, as the notes advise:
each runner stream hijacks one connection for the container's lifetime, so
streams must never starve the control calls (create, start, remove) that
replacing a crashed container needs.

Ownership labels make an engine crash recoverable: every container carries
its pool id, the owner's pid, that pid's start time (pids are reused) and
the host name, and :func:`is_orphan` decides from them alone whether the
owner is gone (``python -m sandboxes gc``).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
from typing import TYPE_CHECKING, Any, Final, final

import anyio

from .errors import (
    DockerError,
    DockerImageNotFoundError,
    DockerTimeoutError,
    DockerUnavailableError,
    SandboxError,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

__all__ = (
    "LABEL_OWNER_HOST",
    "LABEL_OWNER_PID",
    "LABEL_OWNER_START",
    "LABEL_POOL",
    "DockerClient",
    "ExecStream",
    "docker_errors",
    "is_orphan",
    "owner_labels",
    "remove_now",
)

LABEL_POOL: Final = "arollout.sandbox.pool"
LABEL_OWNER_PID: Final = "arollout.sandbox.owner-pid"
LABEL_OWNER_START: Final = "arollout.sandbox.owner-start"
LABEL_OWNER_HOST: Final = "arollout.sandbox.owner-host"
_DEFAULT_SOCKET: Final = "/var/run/docker.sock"
_CONTROL_S: Final = 60.0  # one control call (create, start, remove) under load
_HOW_TO_START: Final = (
    "start a daemon (bash scripts/setup-docker.sh as root) or point DOCKER_HOST at one"
)


def resolve_url(url: str | None) -> str:
    """The daemon address: ``url``, else ``DOCKER_HOST``, else the local socket."""
    return url or os.environ.get("DOCKER_HOST") or "unix://" + _DEFAULT_SOCKET


def _aiodocker() -> Any:
    try:
        import aiodocker
    except ImportError as exc:
        raise DockerUnavailableError(
            "the Docker sandbox backend needs aiodocker: pip install 'arollout[docker]'"
        ) from exc
    return aiodocker


@contextlib.contextmanager
def docker_errors(what: str, *, image: str = "") -> Iterator[None]:
    """Translate aiodocker/aiohttp/OS errors raised inside into :mod:`sandboxes.errors`.

    Args:
        what: the action, for the message ("create a sandbox container").
        image: when set, a 404 means this image is missing.
    """
    import aiohttp

    aiodocker = _aiodocker()
    try:
        yield
    except SandboxError:
        raise
    except aiodocker.DockerError as exc:
        status = int(exc.status)
        if status == 900:  # aiodocker's code for "the connection failed"
            raise DockerUnavailableError(
                f"cannot {what}: no Docker daemon answers ({exc.message}); {_HOW_TO_START}"
            ) from exc
        if image and status == 404:
            raise DockerImageNotFoundError(
                f"cannot {what}: image {image!r} is not in the Docker daemon; build it with "
                "`bash sandboxes/images/build_rootfs.sh` (offline) or from "
                "sandboxes/images/Dockerfile",
                status=status,
            ) from exc
        raise DockerError(f"cannot {what}: {exc.message} (HTTP {status})", status=status) from exc
    except TimeoutError as exc:
        raise DockerTimeoutError(
            f"cannot {what}: the Docker daemon did not answer in time"
        ) from exc
    except (aiohttp.ClientConnectionError, ConnectionError, FileNotFoundError) as exc:
        raise DockerUnavailableError(
            f"cannot {what}: no Docker daemon answers ({exc}); {_HOW_TO_START}"
        ) from exc
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        raise DockerError(f"cannot {what}: {exc!r}") from exc


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot ('' when it does not exist)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return ""


def owner_labels(pool_id: str) -> dict[str, str]:
    """Labels that name this process as the owner of a pool's containers."""
    pid = os.getpid()
    return {
        LABEL_POOL: pool_id,
        LABEL_OWNER_PID: str(pid),
        LABEL_OWNER_START: _start_time(pid),
        LABEL_OWNER_HOST: socket.gethostname(),
    }


def is_orphan(labels: Mapping[str, str], *, host: str | None = None) -> bool:
    """Whether the process that created a container is gone (same host only).

    A container of another host (a remote daemon shared by several machines)
    is never an orphan here: its owner's pid means nothing on this machine.
    """
    if labels.get(LABEL_OWNER_HOST) != (host or socket.gethostname()):
        return False
    try:
        pid = int(labels.get(LABEL_OWNER_PID, ""))
    except ValueError:
        return True
    start = _start_time(pid) if pid > 0 else ""
    return not start or start != labels.get(LABEL_OWNER_START, start)


@final
class ExecStream:
    """One attached exec: the runner's stdin, and its stdout/stderr as ``(fd, bytes)``."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def read(self) -> tuple[int, bytes] | None:
        """The next chunk from the runner (1 = stdout, 2 = stderr); ``None`` once it ended."""
        try:
            msg = await self._stream.read_out()
        except Exception:  # a broken stream is an ended stream: the pool replaces it
            return None
        return None if msg is None else (int(msg.stream), bytes(msg.data))

    async def write(self, data: bytes) -> None:
        """Send bytes to the runner's stdin."""
        with docker_errors("write to a sandbox runner"):
            try:
                await self._stream.write_in(data)
            except (RuntimeError, AssertionError) as exc:  # aiodocker: the transport is closed
                raise DockerError(f"cannot write to a sandbox runner: {exc}") from exc

    async def aclose(self) -> None:
        """Close stdin (the runner exits at EOF) and the connection."""
        with contextlib.suppress(Exception):
            await self._stream.close()


@final
class DockerClient:
    """The calls the Docker backend makes, typed and with translated errors."""

    def __init__(self, url: str | None = None, *, streams: int = 64) -> None:
        self.url = resolve_url(url)
        self._streams_limit = streams
        self._control: Any = None
        self._streams: Any = None

    def _open_one(self, limit: int) -> Any:
        aiodocker = _aiodocker()
        import aiohttp

        if self.url.startswith("unix://"):
            connector = aiohttp.UnixConnector(path=self.url[len("unix://") :], limit=limit)
            return aiodocker.Docker(url="unix://localhost", connector=connector), connector
        return aiodocker.Docker(url=self.url), None

    async def __aenter__(self) -> DockerClient:
        try:
            with docker_errors("connect to the Docker daemon"):
                self._control = self._open_one(32)
                self._streams = self._open_one(self._streams_limit + 8)
                with anyio.fail_after(_CONTROL_S):
                    await self._control[0].version()
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close both clients (idempotent)."""
        for pair in (self._streams, self._control):
            if pair is None:
                continue
            docker, connector = pair
            with contextlib.suppress(Exception):
                await docker.close()
            if connector is not None:
                with contextlib.suppress(Exception):
                    await connector.close()
        self._control = self._streams = None

    @property
    def _api(self) -> Any:
        if self._control is None:
            raise SandboxError("the Docker client is closed")
        return self._control[0]

    async def require_image(self, image: str) -> dict[str, Any]:
        """The image's inspect data; :class:`DockerImageNotFoundError` when it is missing."""
        with docker_errors("use the sandbox image", image=image), anyio.fail_after(_CONTROL_S):
            return dict(await self._api.images.inspect(image))

    async def create(self, spec: dict[str, Any], name: str) -> str:
        """Create a container; return its id."""
        image = str(spec.get("Image", ""))
        with docker_errors("create a sandbox container", image=image), anyio.fail_after(_CONTROL_S):
            container = await self._api.containers.create(spec, name=name)
        return str(container.id)

    async def start(self, cid: str) -> None:
        with docker_errors("start a sandbox container"), anyio.fail_after(_CONTROL_S):
            await self._api.containers.container(cid).start()

    async def remove(self, cid: str) -> None:
        """Kill and remove a container; one that is already gone is not an error."""
        aiodocker = _aiodocker()
        with docker_errors("remove a sandbox container"), anyio.fail_after(_CONTROL_S):
            try:
                await self._api.containers.container(cid).delete(force=True, v=True)
            except aiodocker.DockerError as exc:
                if exc.status != 404:
                    raise

    async def kill(self, cid: str) -> None:
        """SIGKILL a container's processes (it stays, stopped, until removed)."""
        with docker_errors("kill a sandbox container"), anyio.fail_after(_CONTROL_S):
            await self._api.containers.container(cid).kill(signal="SIGKILL")

    async def inspect(self, cid: str) -> dict[str, Any]:
        with docker_errors("inspect a sandbox container"), anyio.fail_after(_CONTROL_S):
            return dict(await self._api.containers.container(cid).show())

    async def list_labeled(self, label: str) -> list[dict[str, Any]]:
        """Every container (running or not) that carries ``label``, as the list API shows it."""
        with docker_errors("list sandbox containers"), anyio.fail_after(_CONTROL_S):
            found = await self._api.containers.list(all=True, filters={"label": [label]})
        return [dict(c._container) for c in found]

    async def open_exec(
        self, cid: str, cmd: Sequence[str], *, user: str, env: Mapping[str, str]
    ) -> tuple[str, ExecStream]:
        """Start ``cmd`` in the container with stdin attached; return the exec id and its stream."""
        with docker_errors("start a sandbox runner"), anyio.fail_after(_CONTROL_S):
            container = self._streams[0].containers.container(cid)
            ex = await container.exec(list(cmd), stdin=True, user=user, environment=dict(env))
            stream = ex.start(detach=False)
            await stream.__aenter__()  # the HTTP upgrade: after this the stream is live
        return str(ex.id), ExecStream(stream)

    async def exec_pid(self, exec_id: str) -> int:
        """The host pid of a running exec's process (0 once it ended)."""
        with docker_errors("inspect a sandbox runner"), anyio.fail_after(_CONTROL_S):
            info = await self._api.containers.exec(exec_id).inspect()
        return int(info.get("Pid") or 0) if info.get("Running") else 0

    async def run_exec(
        self, cid: str, cmd: Sequence[str], *, user: str, env: Mapping[str, str]
    ) -> tuple[int, bytes, bytes]:
        """One exec to completion: ``(exit code, stdout, stderr)`` (the per-request baseline)."""
        with docker_errors("run an exec"):
            container = self._streams[0].containers.container(cid)
            ex = await container.exec(list(cmd), user=user, environment=dict(env))
            out, err = bytearray(), bytearray()
            async with ex.start(detach=False) as stream:
                while (msg := await stream.read_out()) is not None:
                    (out if msg.stream == 1 else err).extend(msg.data)
            info = await ex.inspect()
        return int(info.get("ExitCode") or 0), bytes(out), bytes(err)


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


def remove_now(url: str | None, ids: Sequence[str], timeout_s: float = 10.0) -> list[str]:
    """Remove containers synchronously (the ``atexit`` backstop); return the ids that failed.

    Used when the event loop is gone (the interpreter is exiting with a pool
    still open), so it speaks HTTP to the daemon's unix socket with the
    standard library only. Other transports are left to ``sandboxes gc``.
    """
    address = resolve_url(url)
    if not address.startswith("unix://"):
        return list(ids)
    failed = []
    for cid in ids:
        conn = _UnixHTTPConnection(address[len("unix://") :], timeout_s)
        try:
            conn.request("DELETE", f"/containers/{cid}?force=1&v=1")
            if conn.getresponse().status not in (204, 404):
                failed.append(cid)
        except OSError:
            failed.append(cid)
        finally:
            conn.close()
    return failed
