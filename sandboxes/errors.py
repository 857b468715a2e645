"""The sandbox layer's one exception (usable without arollout).

Model faults are never exceptions: they are an :class:`~sandboxes.api.ExecStatus`.
``SandboxError`` is raised only for misuse or a pool that cannot start (for
example ``strict=True`` on a machine where a protection is unavailable).
"""

from __future__ import annotations

__all__ = ("SandboxError",)


class SandboxError(Exception):
    """The sandbox pool cannot do what was asked; the message says why and what to change."""
