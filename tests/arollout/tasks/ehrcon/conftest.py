from __future__ import annotations

from pathlib import Path

import pytest

from arollout.tasks.ehrcon.suite import EhrconSuite, make_suite
from arollout.tasks.mimic.build import build_synthetic

DEMO_DIR = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "mimic-iii-demo-1.4"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def con_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ehrcon-cache")


@pytest.fixture(scope="session")
def host_suite(con_cache: Path) -> EhrconSuite:
    """A 200-patient hospital, 30 notes per category; reference solutions open the host copy."""
    db = build_synthetic(seed=3, patients=200, cache_dir=con_cache)
    suite = make_suite(
        {
            "patients": 200,
            "seed": 3,
            "per_category": 30,
            "cache_dir": str(con_cache),
            "data_root": db.directory,
        }
    )
    suite.tasks()
    return suite


@pytest.fixture(scope="session")
def jail_suite(con_cache: Path, host_suite: EhrconSuite) -> EhrconSuite:
    """The same notes as the sandbox sees them (database mounted at /data/ehrcon)."""
    suite = make_suite(
        {"patients": 200, "seed": 3, "per_category": 30, "cache_dir": str(con_cache)}
    )
    suite.tasks()
    return suite


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    assert (DEMO_DIR / "ADMISSIONS.csv.gz").is_file(), (
        f"the MIMIC-III demo is expected at {DEMO_DIR}"
    )
    return DEMO_DIR
