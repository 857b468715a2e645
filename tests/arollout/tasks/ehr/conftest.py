from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from arollout.tasks.mimic.build import build_demo, build_synthetic

if TYPE_CHECKING:
    from arollout.tasks.ehr.database import EhrDatabase

REPO_ROOT = Path(__file__).resolve().parents[4]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
"""The workspace's copy of the open demos (``../shared/data`` beside the checkout)."""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def ehr_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ehr-cache")


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    folder = SHARED_DATA / "mimic-iii-demo-1.4"
    assert (folder / "ADMISSIONS.csv.gz").is_file(), (
        f"the MIMIC-III demo is expected at {folder} (see notes/data-sources.md)"
    )
    return folder


@pytest.fixture(scope="session")
def small_mimic(ehr_cache: Path) -> EhrDatabase:
    """A 150-patient synthetic MIMIC-III database, built once per session."""
    return build_synthetic(seed=3, patients=150, cache_dir=ehr_cache)


@pytest.fixture(scope="session")
def demo_db(demo_dir: Path, ehr_cache: Path) -> EhrDatabase:
    """The database built from the demo, once per session."""
    return build_demo(demo_dir, cache_dir=ehr_cache)
