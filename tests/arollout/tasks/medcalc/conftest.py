from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from arollout.tasks.medcalc import MedCalcSuite

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def medcalc_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("medcalc-cache")


@pytest.fixture(scope="session")
def small_suite(medcalc_cache: Path) -> MedCalcSuite:
    """Twelve instances per calculator (624 tasks), built once per session."""
    suite = MedCalcSuite(per_category=12, cache_dir=medcalc_cache)
    suite.tasks()
    return suite


@pytest.fixture(scope="session")
def full_suite(medcalc_cache: Path) -> MedCalcSuite:
    """The default-size suite, built once per session into a private cache."""
    suite = MedCalcSuite(cache_dir=medcalc_cache)
    suite.tasks()
    return suite
