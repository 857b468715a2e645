from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from arollout.tasks.power import PowerSuite

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def power_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("power-cache")


@pytest.fixture(scope="session")
def full_suite(power_cache: Path) -> PowerSuite:
    """The default-size suite, built once per test session into a private cache."""
    suite = PowerSuite(cache_dir=power_cache)
    suite.tasks()
    return suite
