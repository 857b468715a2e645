from __future__ import annotations

from pathlib import Path

import pytest

from arollout.tasks.mlpred.build import build_cohort
from arollout.tasks.mlpred.cohort import CohortSpec
from arollout.tasks.mlpred.suite import MlpredSuite, synthetic_suite

REPO_ROOT = Path(__file__).resolve().parents[4]
DEMO_DIR = REPO_ROOT.parent / "shared" / "data" / "mimic-iii-demo-1.4"
"""The workspace's copy of the MIMIC-III demo (``../shared/data`` beside the checkout)."""

CUT = CohortSpec(name="cohort-t", seed=77, stays=650, window=24, heldout=250)
"""A small prediction cohort (its complete twin has the same seed)."""
TWIN = CohortSpec(name="twin-t", seed=77, stays=650, window=24, complete=True)
LABELLED = CohortSpec(name="complete-t", seed=78, stays=220, window=12, complete=True)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def specs() -> dict[str, CohortSpec]:
    """The test cohorts: ``cut`` (prediction), its complete ``twin``, ``labelled`` (complete)."""
    return {"cut": CUT, "twin": TWIN, "labelled": LABELLED}


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    assert (DEMO_DIR / "ADMISSIONS.csv.gz").is_file(), (
        f"the MIMIC-III demo is expected at {DEMO_DIR}"
    )
    return DEMO_DIR


@pytest.fixture(scope="session")
def ml_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mlpred-cache")


@pytest.fixture(scope="session")
def small_suite(ml_cache: Path) -> MlpredSuite:
    """One small cut cohort and one complete cohort, built once per session."""
    suite = synthetic_suite(
        cohorts=[CUT],
        complete=[LABELLED],
        data_root="/data/mlpred",
        cache_dir=ml_cache,
        options={"test": True},
        hourly_per_cohort=4,
        labels_per_outcome=1,
    )
    suite.tasks()
    return suite


@pytest.fixture(scope="session")
def twin_db(ml_cache: Path) -> Path:
    return Path(build_cohort(TWIN, ml_cache).sqlite_path)


@pytest.fixture(scope="session")
def cut_db(small_suite: MlpredSuite) -> Path:
    return Path(small_suite.databases[CUT.name].sqlite_path)
