"""The one exception hierarchy of arollout.

A failed *episode* is data (a status on its trajectory), never an exception that
reaches the caller. The classes below are raised for failures of the engine
itself, of its configuration, or at a boundary whose caller asked to see them::

    ArolloutError
    ├── ConfigError            bad flag, bad TOML key, unknown suite; says the fix
    ├── ServerError            the inference server answered wrongly or not at all
    │   ├── ServerTimeout      a request passed its deadline
    │   ├── ServerUnavailable  connection refused/dropped, 5xx after retries
    │   └── ProtocolError      a reply that violates the wire contract (e.g. logprob
    │                          count != completion_tokens); never retried blindly
    ├── StoreError             the run directory cannot be written or read
    │   └── CorruptRecordError a record whose checksum or framing is wrong
    ├── TaskError              a suite cannot be built or a task is malformed
    └── EngineStateError       misuse: reopening a closed engine, etc.

Sandbox failures use :class:`sandboxes.SandboxError` (the sandbox layer is usable
without arollout); the engine records them on trajectories as ``sandbox_error``.
"""

from __future__ import annotations

__all__ = (
    "ArolloutError",
    "ConfigError",
    "CorruptRecordError",
    "EngineStateError",
    "ProtocolError",
    "ServerError",
    "ServerTimeout",
    "ServerUnavailable",
    "StoreError",
    "TaskError",
)


class ArolloutError(Exception):
    """Root of every exception arollout raises on purpose."""


class ConfigError(ArolloutError):
    """A configuration value is invalid; the message names the key and the fix."""


class ServerError(ArolloutError):
    """The inference server failed a request.

    Attributes:
        status_code: the HTTP status when there was a response, else ``None``.
        retryable: whether sending the same request again may succeed.
    """

    def __init__(self, message: str, *, status_code: int | None = None, retryable: bool = False):
        super().__init__(message)
        self.status_code = status_code
        self.retryable = retryable


class ServerTimeout(ServerError):
    """A request to the inference server passed its deadline."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class ServerUnavailable(ServerError):
    """The server could not be reached or kept failing with 5xx."""


class ProtocolError(ServerError):
    """The server's reply violates the wire contract."""


class StoreError(ArolloutError):
    """The run directory cannot be written or read."""


class CorruptRecordError(StoreError):
    """A stored record is truncated or fails its checksum."""


class TaskError(ArolloutError):
    """A suite cannot be built, or a task is malformed."""


class EngineStateError(ArolloutError):
    """An engine or pool was used in a state that does not allow it."""
