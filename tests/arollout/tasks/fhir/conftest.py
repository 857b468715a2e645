"""Fixtures of the fhir suite's tests: one small suite per session, raw HTTP over a socket."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import anyio
import pytest

from arollout.tasks.fhir import FhirSuite

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

    from arollout.tasks.fhir import BaseStore

    Http = Callable[..., Awaitable[tuple[int, dict[str, str], Any]]]


@pytest.fixture(scope="session")
def fhir_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fhir-cache")


@pytest.fixture(scope="session")
def small_suite(fhir_cache: Path) -> FhirSuite:
    """150 patients, at most 10 tasks per category (built once, outside any loop)."""
    suite = FhirSuite(patients=150, per_category=10, cache_dir=fhir_cache)
    suite.tasks()
    _ = suite.store
    return suite


@pytest.fixture(scope="session")
def store(small_suite: FhirSuite) -> BaseStore:
    return small_suite.store


async def _http(
    path: str, method: str, target: str, body: Any = None, *, raw: bytes | None = None
) -> tuple[int, dict[str, str], Any]:
    """One HTTP/1.1 request over the Unix socket at ``path`` (JSON in, JSON out)."""
    payload = b"" if body is None else json.dumps(body).encode()
    if raw is None:
        head = f"{method} {target} HTTP/1.1\r\nHost: fhir.local\r\nContent-Length: {len(payload)}\r\n\r\n"
        raw = head.encode() + payload
    async with await anyio.connect_unix(path) as stream:
        await stream.send(raw)
        data = b""
        with anyio.fail_after(10):
            while True:
                try:
                    data += await stream.receive()
                except anyio.EndOfStream:
                    break
    head_bytes, _, rest = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
    }
    return status, headers, json.loads(rest) if rest else None


@pytest.fixture
def http() -> Http:
    return _http
