"""Fixtures of the biods tests: one small suite per session, built into a private cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from arollout.tasks.biods import BiodsSuite

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="session")
def biods_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("biods-cache")


@pytest.fixture(scope="session")
def small_suite(biods_cache: Path) -> BiodsSuite:
    """One task per category (77), built once, outside any event loop."""
    suite = BiodsSuite(per_category=1, cache_dir=biods_cache, workers=2)
    suite.tasks()
    return suite


@pytest.fixture(scope="session")
def host_suite(small_suite: BiodsSuite, biods_cache: Path) -> BiodsSuite:
    """The same tasks, whose reference solutions read the studies from the host cache."""
    suite = BiodsSuite(
        per_category=1, cache_dir=biods_cache, workers=2, data_root=small_suite.studies_dir
    )
    suite.tasks()
    return suite
