"""Shared HTTP plumbing of the server clients: error translation and retries.

Every client talks HTTP through httpx, and httpx has its own exception tree.
It is translated to :mod:`arollout.errors` in exactly one place,
:func:`translate_error` (wrapped as the context manager
:func:`translate_errors`), so that callers never see an ``httpx`` type and the
retry loop can decide on one attribute, :attr:`ServerError.retryable`:

==========================================  ===========================  =========
what happened                               raised                       retried
==========================================  ===========================  =========
connect/read/write timeout, pool timeout    :class:`ServerTimeout`       yes
connection refused, reset, dropped, or      :class:`ServerUnavailable`   yes
bytes that are not HTTP
HTTP 5xx, HTTP 429                          :class:`ServerUnavailable`   yes
other HTTP 4xx                              :class:`ServerError`         no
a body that is not the documented shape     :class:`ProtocolError`       no
==========================================  ===========================  =========

A malformed body is never retried blindly: it means the server and the client
disagree on the contract, and resending the same request hides that.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Final, TypeVar, final

import anyio
import httpx
import msgspec

from arollout.errors import ProtocolError, ServerError, ServerTimeout, ServerUnavailable

if TYPE_CHECKING:
    import random
    from collections.abc import Awaitable, Callable, Iterator

__all__ = (
    "RetryPolicy",
    "check_status",
    "pool_limits",
    "retrying",
    "translate_error",
    "translate_errors",
)

T = TypeVar("T")

#: Keep-alive expiry below the 5 s idle timeout of uvicorn (SGLang's server), so
#: the client never reuses a connection the server is about to close.
KEEPALIVE_EXPIRY_S: Final = 2.0


@final
class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Bounded exponential backoff with jitter.

    Attributes:
        attempts: total tries, the first included (1 disables retries).
        base_s: delay before the first retry.
        max_s: cap of one delay.
        jitter: fraction of each delay drawn at random, so that thousands of
            episodes failing together do not come back in lockstep.
    """

    attempts: int = 4
    base_s: float = 0.2
    max_s: float = 5.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"`attempts` must be >= 1, got {self.attempts}")
        if self.base_s < 0 or self.max_s < 0:
            raise ValueError("`base_s` and `max_s` must be non-negative")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"`jitter` must be in [0, 1], got {self.jitter}")

    def delay(self, retry_index: int, rng: random.Random) -> float:
        """Seconds to wait before retry number ``retry_index`` (0-based)."""
        full = min(self.max_s, self.base_s * (2.0**retry_index))
        return full * (1.0 - self.jitter * rng.random())


def pool_limits(concurrency: int) -> httpx.Limits:
    """Connection-pool limits for ``concurrency`` requests in flight at once.

    One connection per in-flight request: a smaller pool makes requests queue
    inside httpx (hidden latency), a larger one only holds idle sockets.
    """
    if concurrency < 1:
        raise ValueError(f"`concurrency` must be >= 1, got {concurrency}")
    return httpx.Limits(
        max_connections=concurrency,
        max_keepalive_connections=concurrency,
        keepalive_expiry=KEEPALIVE_EXPIRY_S,
    )


def translate_error(exc: BaseException, what: str) -> ServerError | None:
    """The arollout error for a transport or decoding exception, else None.

    The one mapping of the table above. Hot paths call it from a plain
    ``except`` clause (no context manager on the success path); everything
    else uses :func:`translate_errors`. ``None`` means "not ours to translate"
    (a :class:`ServerError` already, a cancellation, a bug): re-raise it as is.

    Args:
        exc: the exception caught.
        what: names the operation in messages, e.g. ``"POST /generate"``.
    """
    if isinstance(exc, ServerError):
        return None
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        detail = f" ({type(exc).__name__})" if isinstance(exc, httpx.TimeoutException) else ""
        return ServerTimeout(f"{what} timed out{detail}")
    if isinstance(exc, (httpx.TransportError, OSError)):
        return ServerUnavailable(f"{what} failed: {type(exc).__name__}: {exc}", retryable=True)
    if isinstance(exc, (msgspec.DecodeError, msgspec.ValidationError)):
        return ProtocolError(f"{what} returned a malformed body: {exc}")
    return None


@contextlib.contextmanager
def translate_errors(what: str) -> Iterator[None]:
    """Map httpx, OS and msgspec exceptions raised inside the block to arollout's.

    Args:
        what: names the operation in messages, e.g. ``"POST /generate"``.
    """
    try:
        yield
    except Exception as exc:
        error = translate_error(exc, what)
        if error is None:
            raise
        raise error from exc


def check_status(code: int, body: bytes, what: str) -> None:
    """Raise the typed error for a non-2xx status; return on success."""
    if code < 300:
        return
    detail = body[:300].decode("utf-8", "replace")
    if code >= 500 or code == 429:
        raise ServerUnavailable(
            f"{what} answered HTTP {code}: {detail}", status_code=code, retryable=True
        )
    raise ServerError(f"{what} answered HTTP {code}: {detail}", status_code=code)


async def retrying(
    policy: RetryPolicy,
    rng: random.Random,
    attempt: Callable[[int], Awaitable[T]],
) -> T:
    """Run ``attempt(i)`` until it succeeds or a non-retryable error occurs.

    ``attempt`` receives the 0-based attempt index (clients use it to give a
    retried request a fresh request id). After the last attempt the error
    propagates unchanged.
    """
    for index in range(policy.attempts):
        try:
            return await attempt(index)
        except ServerError as exc:
            if not exc.retryable or index + 1 == policy.attempts:
                raise
            await anyio.sleep(policy.delay(index, rng))
    raise AssertionError("unreachable")  # pragma: no cover
