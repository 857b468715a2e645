"""``run_checks`` through a real sandbox pool: oracle 1.0, trivial 0.0 for every EHR suite."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from arollout.tasks import run_checks
from arollout.tasks.registry import get_suite
from sandboxes import SandboxPool

if TYPE_CHECKING:
    from arollout.tasks.base import Suite
    from arollout.tasks.ehr import EhrDatabase


@pytest.mark.anyio
async def test_ehr_suites_pass_the_self_check(small_mimic: EhrDatabase, demo_dir: Path) -> None:
    cache = str(Path(small_mimic.directory).parents[1])
    small = {"patients": 150, "seed": 3, "per_category": 2, "cache_dir": cache}
    suites: list[tuple[Suite, int]] = [
        (get_suite("mimic-iii", **small), 24),
        (get_suite("mimic-iii-demo", data_dir=str(demo_dir), per_category=1, cache_dir=cache), 12),
        (get_suite("treqs", **small), 12),
        (get_suite("ehr-seqsql", **small), 8),
    ]
    for suite, _ in suites:
        suite.tasks()  # build outside the event loop's timing
    async with SandboxPool(slots=2, preload=("sqlite3", "json")) as pool:
        for suite, sample in suites:
            report = await run_checks(suite, pool, sample=sample, concurrency=2)
            assert report.checked == sample, suite.name
            assert report.oracle_pass_rate == 1.0, (suite.name, report.failures)
            assert report.trivial_checked > sample * 10
            assert report.trivial_pass_rate == 0.0, (suite.name, report.trivial_passes)
