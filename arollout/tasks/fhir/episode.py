"""One episode's FHIR environment: a store, a server, and the socket directory.

:class:`FhirEpisode` is the suite's :class:`~arollout.tasks.base.EpisodeEnv`.
Opening it creates a fresh directory, an :class:`~.store.EpisodeStore` over
the shared population and a :class:`~.server.FhirServer` on
``<dir>/fhir.sock``; closing stops the server and removes the directory (the
synchronous, idempotent :meth:`FhirEpisode.cleanup` is the backstop when the
async close is cut short).

How a sandboxed run reaches the server, and nothing else (host backend,
``sandboxes/jail.py``, ``child.py``, ``seccomp.py``; each claim is checked
against a real ``SandboxPool`` in ``tests/arollout/tasks/fhir/test_fhir_sandbox.py``):

1. Every run of the episode gets :attr:`FhirEpisode.mounts`: the episode
   directory bind-mounted read-only at :data:`SANDBOX_DIR` (``jail.bind_data``
   binds it from the host root kept at ``/.old`` before the root is sealed),
   and ``$FHIR_SOCKET=/fhir/fhir.sock``.
2. The run's code is an unprivileged uid of its slot. ``connect()`` on a
   Unix socket needs search permission on the directory (mode 0755) and
   write permission on the socket inode (mode 0666); the read-only mount
   does not matter, because connecting writes nothing to the file system
   (creating, removing or writing files there fails with EROFS).
3. The prelude (:mod:`.client`) speaks HTTP/1.1 over that socket for the
   documented base URL ``http://fhir.local/fhir``; no name is resolved.
4. Nothing else is reachable: the seccomp filter makes ``socket()`` fail
   with EPERM for every family but ``AF_UNIX`` (so no TCP or UDP, loopback
   included); abstract Unix sockets live in the network namespace, which
   concurrent runs never share (a slot's runs take turns in one, and a run's
   sockets end with its processes); path sockets are reachable only where the jail's
   tmpfs root shows them, and it shows the host's ``/tmp`` (where other
   episodes' directories are) nowhere. Each run mounts only its own
   episode's directory, so two episodes never share a server or a write.

``$FHIR_SOCKET_FALLBACK`` carries the socket's host path for sandboxes run
without a mount namespace (a degraded mode with no isolation to preserve).

Grading (:func:`grade_run`) reads the store, not the run's output alone: the
printed answer must be right, and the resources the episode created must be
exactly the task's expected orders (none for a read task).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Final, final

import anyio

from arollout.errors import TaskError
from arollout.tasks import verify
from arollout.tasks.base import Verdict
from arollout.tasks.fhir import codes, orders
from arollout.tasks.fhir.server import FhirServer
from arollout.tasks.fhir.store import BaseStore, EpisodeStore
from sandboxes.api import ExecStatus, Mount

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import TracebackType

    from arollout.tasks.base import Task
    from sandboxes.api import ExecResult

__all__ = ("SANDBOX_DIR", "SOCKET_NAME", "STATE_WRONG", "FhirEpisode", "grade_run")

SANDBOX_DIR: Final = "/fhir"
"""Where each run sees its episode's socket directory (read-only)."""
SOCKET_NAME: Final = "fhir.sock"
STATE_WRONG: Final = (
    f"{verify.WRONG}: the resources this episode created on the FHIR server are not what the "
    "task asks for"
)
_MAX_SOCKET_PATH: Final = 100  # sun_path holds 108 bytes


def grade_run(task: Task, result: ExecResult, created: list[dict[str, object]]) -> Verdict:
    """The verdict of one run of ``task`` given everything its episode created so far."""
    if result.status is not ExecStatus.OK:
        return Verdict(correct=False, reason=f"the run ended with {result.status.value}")
    printed = verify.check(task.answer, result.stdout)
    if not printed.correct:
        return printed
    if orders.problems(list(task.meta.get("expect", ())), list(created)):
        return Verdict(correct=False, reason=STATE_WRONG, parsed=printed.parsed)
    return Verdict(correct=True, parsed=printed.parsed)


@final
class FhirEpisode:
    """The live FHIR server of one episode (an async context manager).

    Args:
        base: the shared population.
        task: the episode's task (its id salts the created ids).
        root: where the episode directory is created (default: the system temp dir).
    """

    def __init__(
        self, base: BaseStore | Callable[[], BaseStore], task: Task, root: str | None = None
    ) -> None:
        self.task = task
        self._base = base
        self._store: EpisodeStore | None = None
        self._root = root
        self.directory = ""
        self._server: FhirServer | None = None
        self._entered = False

    @property
    def store(self) -> EpisodeStore:
        """The episode's store (the population plus this episode's writes)."""
        if self._store is None:
            raise TaskError("the FHIR episode is not open")
        return self._store

    @property
    def socket_path(self) -> str:
        """The socket on the host."""
        return os.path.join(self.directory, SOCKET_NAME)

    @property
    def server(self) -> FhirServer:
        if self._server is None:
            raise TaskError("the FHIR episode is not open")
        return self._server

    @property
    def mounts(self) -> tuple[Mount, ...]:
        return (Mount(source=self.directory, target=SANDBOX_DIR),)

    @property
    def env(self) -> Mapping[str, str]:
        return {
            "FHIR_BASE": codes.FHIR_BASE,
            "FHIR_SOCKET": f"{SANDBOX_DIR}/{SOCKET_NAME}",
            # Only for sandboxes without a mount namespace (degraded mode): the host path.
            "FHIR_SOCKET_FALLBACK": self.socket_path,
        }

    def grade(self, task: Task, result: ExecResult, nonce: str) -> Verdict:
        if task.id != self.task.id:
            raise TaskError(f"episode of {self.task.id!r} asked to grade {task.id!r}")
        return grade_run(task, result, self.store.created)

    async def __aenter__(self) -> FhirEpisode:
        if self._entered:
            raise TaskError("a FhirEpisode can be opened only once")
        self._entered = True
        base = self._base
        if not isinstance(
            base, BaseStore
        ):  # the first episode decodes the population: off the loop
            base = await anyio.to_thread.run_sync(base)
        self._store = EpisodeStore(base, salt=self.task.id)
        self.directory = tempfile.mkdtemp(prefix="arollout-fhir-", dir=self._root)
        try:
            os.chmod(self.directory, 0o755)
            if len(self.socket_path.encode()) > _MAX_SOCKET_PATH:
                raise TaskError(
                    f"socket path {self.socket_path!r} is too long for a Unix socket; "
                    "set the suite's socket_dir option to a short directory"
                )
            self._server = FhirServer(self._store, self.socket_path)
            await self._server.__aenter__()
        except BaseException:
            self.cleanup()
            raise
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._server is not None:
                await self._server.__aexit__(et, e, tb)
        finally:
            self.cleanup()

    def cleanup(self) -> None:
        """Remove the episode directory (idempotent, never raises)."""
        if self.directory:
            with contextlib.suppress(OSError):
                shutil.rmtree(self.directory)
