"""The sandbox layer's exceptions (usable without arollout).

Model faults are never exceptions: they are an :class:`~sandboxes.api.ExecStatus`.
These are raised only for misuse or a pool that cannot start or keep running
(for example ``strict=True`` on a machine where a protection is unavailable)::

    SandboxError                   the pool cannot do what was asked; says what to change
    └── DockerError                the Docker daemon refused or failed a call (HTTP status)
        ├── DockerUnavailableError no daemon answers, or aiodocker is not installed
        ├── DockerImageNotFoundError  the sandbox image is not in the daemon
        └── DockerTimeoutError     a Docker call did not answer in time

Every aiodocker/aiohttp exception is translated into one of these once, where
the call is made (:mod:`sandboxes.dockerapi`), and chained with ``from``.
"""

from __future__ import annotations

__all__ = (
    "DockerError",
    "DockerImageNotFoundError",
    "DockerTimeoutError",
    "DockerUnavailableError",
    "SandboxError",
)


class SandboxError(Exception):
    """The sandbox pool cannot do what was asked; the message says why and what to change."""


class DockerError(SandboxError):
    """A Docker API call failed.

    Attributes:
        status: the HTTP status of the daemon's answer, ``None`` without one.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class DockerUnavailableError(DockerError):
    """No Docker daemon answers (or the ``docker`` extra is not installed)."""


class DockerImageNotFoundError(DockerError):
    """The sandbox image is missing; build it with ``sandboxes/images/build_rootfs.sh``."""


class DockerTimeoutError(DockerError):
    """A Docker call did not finish within its bound."""
