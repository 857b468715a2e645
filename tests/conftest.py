"""Test-wide fixtures.

Async tests run under anyio's pytest plugin on asyncio with debug mode, and on
asyncio with uvloop (the loop arollout targets). Blocking calls on the event
loop are caught by blockbuster where a test opts in with the ``no_blocking``
fixture (the sandbox and store tests create threads and files on purpose).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import uvloop
from hypothesis import settings

# Property tests check behaviour, not speed: on a loaded 2-core CI machine an
# example may exceed hypothesis' default 200 ms deadline with nothing wrong.
settings.register_profile("arollout", deadline=None)
settings.load_profile("arollout")

if TYPE_CHECKING:
    from collections.abc import Iterator

_BACKENDS = [
    pytest.param(("asyncio", {"debug": True}), id="asyncio"),
    pytest.param(("asyncio", {"loop_factory": uvloop.new_event_loop}), id="uvloop"),
]


@pytest.fixture(params=_BACKENDS)
def anyio_backend(request: pytest.FixtureRequest) -> Any:
    return request.param


@pytest.fixture
def no_blocking() -> Iterator[None]:
    """Fail the test if anything blocks the running event loop."""
    from blockbuster import blockbuster_ctx

    with blockbuster_ctx(["arollout"]) as bb:
        yield bb
