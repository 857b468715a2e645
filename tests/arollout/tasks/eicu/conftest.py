"""Shared fixtures: one small synthetic database, the demo database and a suite of each,
built once per session into a private cache."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from arollout.tasks.eicu import EicuDemoSuite, EicuSuite, build_demo, build_synthetic
from arollout.tasks.eicu.database import read_demo

if TYPE_CHECKING:
    from arollout.tasks.ehr.database import EhrDatabase
    from arollout.tasks.eicu.schema import RawTables

DEMO_DIR = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "eicu-demo-2.0"
"""The eICU-CRD Demo 2.0 beside the project root (this workspace's shared data folder)."""

SEED, PATIENTS = 3, 300


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    return DEMO_DIR


@pytest.fixture(scope="session")
def eicu_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("eicu-cache")


@pytest.fixture(scope="session")
def synthetic_db(eicu_cache: Path) -> EhrDatabase:
    return build_synthetic(SEED, PATIENTS, eicu_cache)


@pytest.fixture(scope="session")
def demo_raw() -> RawTables:
    return read_demo(DEMO_DIR)


@pytest.fixture(scope="session")
def demo_db(eicu_cache: Path) -> EhrDatabase:
    return build_demo(DEMO_DIR, 0, eicu_cache)


@pytest.fixture(scope="session")
def synthetic_suite(eicu_cache: Path, synthetic_db: EhrDatabase) -> EicuSuite:
    """Six tasks per category on the small synthetic database (default data root)."""
    suite = EicuSuite(seed=SEED, patients=PATIENTS, per_category=6, cache_dir=eicu_cache)
    suite.tasks()
    return suite


@pytest.fixture(scope="session")
def demo_suite(eicu_cache: Path, demo_db: EhrDatabase) -> EicuDemoSuite:
    """Six tasks per category on the demo database (default data root)."""
    suite = EicuDemoSuite(data_dir=DEMO_DIR, per_category=6, cache_dir=eicu_cache)
    suite.tasks()
    return suite
