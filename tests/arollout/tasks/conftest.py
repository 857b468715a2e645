from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from arollout.tasks.demo import EhrDemoSuite, build_database

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def demo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("arollout-cache")


@pytest.fixture(scope="session")
def host_suite(demo_cache: Path) -> EhrDemoSuite:
    """The default-size suite whose reference solutions open the host copy of the database."""
    db = build_database(seed=0, patients=200, cache_dir=demo_cache)
    suite = EhrDemoSuite(seed=0, patients=200, cache_dir=demo_cache, data_root=db.directory)
    suite.tasks()  # build once, outside any event loop
    return suite
