"""The ``ehr-demo`` suite: EHRSQL-style questions over a synthetic mini-EHR.

It runs offline and needs nothing but the standard library: the database is
generated from a seed (see ``generator``), the tasks are instantiated from
templates with gold SQL (see ``templates``), and answers are graded by the
typed verifier. It is the smallest real suite, meant for tests, benchmarks
and first experiments: a thin instance of the EHR framework's
:class:`~arollout.tasks.ehr.suite.EhrSuite`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

from arollout.tasks.demo.generator import SCHEMA, EhrDatabase, build_database
from arollout.tasks.demo.instances import SUITE_NAME
from arollout.tasks.demo.templates import TEMPLATES
from arollout.tasks.ehr.suite import EhrSuite, SuiteSpec

if TYPE_CHECKING:
    import os

__all__ = (
    "DEFAULT_DATA_ROOT",
    "EhrDemoSuite",
    "SPEC",
)

DEFAULT_DATA_ROOT: Final = "/data/ehr-demo"
"""Where the database directory appears inside the sandbox."""

SPEC: Final = SuiteSpec(
    name=SUITE_NAME,
    schema=SCHEMA,
    templates=TEMPLATES,
    data_root=DEFAULT_DATA_ROOT,
    notes=(
        "Lab labels are in d_labitems.label, diagnosis titles in\n"
        "d_icd_diagnoses.short_title, drug names in prescriptions.drug. "
    ),
)


@final
class EhrDemoSuite(EhrSuite):
    """Synthetic mini-EHR questions with gold-SQL answers.

    Args:
        seed: generator seed; the same seed gives the same database and tasks.
        patients: number of synthetic patients.
        per_category: maximum number of tasks per category (before splitting).
        cache_dir: cache root for the built database (default ``$AROLLOUT_CACHE``
            or ``~/.cache/arollout``).
        data_root: the directory where sandboxes see the database; reference
            solutions open ``<data_root>/ehr.sqlite``. Point it at the host
            cache directory to run reference solutions without a mount.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        patients: int = 200,
        per_category: int = 40,
        cache_dir: str | os.PathLike[str] | None = None,
        data_root: str = DEFAULT_DATA_ROOT,
    ) -> None:
        super().__init__(
            SPEC,
            lambda: build_database(seed, patients, cache_dir),
            per_category=per_category,
            data_root=data_root,
            options={"seed": seed, "patients": patients},
            cache_index=False,  # small enough to index in memory in each process
        )

    @property
    def database(self) -> EhrDatabase:
        """The built database (built on first access)."""
        db = super().database
        assert isinstance(db, EhrDatabase)
        return db
