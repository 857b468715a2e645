"""Suites by name.

``get_suite("ehr-demo", seed=1)`` is how configs, the CLI and library users
obtain a suite; unknown names and options raise :class:`ConfigError` naming
what is accepted. Suites other than the default are imported on first use.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from arollout.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from arollout.tasks.base import Suite

__all__ = (
    "SuiteEntry",
    "get_suite",
    "int_option",
    "list_suites",
    "path_option",
    "root_option",
    "suite_summary",
)


def int_option(options: Mapping[str, Any], name: str, default: int, *, minimum: int) -> int:
    """Read an integer suite option, or raise a :class:`ConfigError` naming it."""
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"option {name!r} must be an integer >= {minimum}, got {value!r}")
    return value


def path_option(options: Mapping[str, Any], name: str) -> str | None:
    """Read an optional host-path suite option."""
    value = options.get(name)
    if value is not None and not isinstance(value, str | os.PathLike):
        raise ConfigError(f"option {name!r} must be a path, got {value!r}")
    return None if value is None else os.fspath(value)


def root_option(options: Mapping[str, Any], name: str, default: str) -> str:
    """Read an absolute in-sandbox path option (where a suite's data appears)."""
    value = options.get(name, default)
    if not isinstance(value, str) or not value.startswith("/"):
        raise ConfigError(f"option {name!r} must be an absolute path, got {value!r}")
    return value


def _ehr_demo(options: Mapping[str, Any]) -> Suite:
    from arollout.tasks.demo import EhrDemoSuite

    return EhrDemoSuite(
        seed=int_option(options, "seed", 0, minimum=0),
        patients=int_option(options, "patients", 200, minimum=10),
        per_category=int_option(options, "per_category", 40, minimum=1),
        cache_dir=path_option(options, "cache_dir"),
        data_root=root_option(options, "data_root", "/data/ehr-demo"),
    )


class SuiteEntry(NamedTuple):
    """How to build a registered suite: a factory, or ``"module:function"``
    imported on first use (so listing suites never builds or imports them all)."""

    factory: Callable[[Mapping[str, Any]], Suite] | str
    options: frozenset[str]
    summary: str


_SUITES: Final[dict[str, SuiteEntry]] = {
    "ehr-demo": SuiteEntry(
        _ehr_demo,
        frozenset({"seed", "patients", "per_category", "cache_dir", "data_root"}),
        "small synthetic EHR, EHRSQL-style questions (the offline default)",
    ),
    "fhir": SuiteEntry(
        "arollout.tasks.fhir:make_suite",
        frozenset({"seed", "patients", "per_category", "cache_dir", "socket_dir"}),
        "MedAgentBench-style chart review and order entry on a per-episode FHIR server",
    ),
    "power": SuiteEntry(
        "arollout.tasks.power.suite:make_suite",
        frozenset({"seed", "per_category", "cache_dir"}),
        "statistical power and sample size for clinical studies (N-PowerAI-style)",
    ),
    "biocoder": SuiteEntry(
        "arollout.tasks.biocoder.suite:make_suite",
        frozenset({"seed", "per_family", "cache_dir", "test_timeout_s", "budget_s"}),
        "bioinformatics function writing graded by hidden unit tests (BioCoder-style)",
    ),
    "mimic-iii": SuiteEntry(
        "arollout.tasks.mimic.suite:make_suite",
        frozenset(
            {"source", "patients", "seed", "per_category", "data_dir", "cache_dir", "data_root"}
        ),
        "EHRSQL-style MIMIC-III questions; synthetic hospital by default, source=demo for the demo",
    ),
    "mimic-iii-demo": SuiteEntry(
        "arollout.tasks.mimic.suite:make_demo_suite",
        frozenset({"data_dir", "seed", "per_category", "cache_dir", "data_root"}),
        "EHRSQL-style questions on the MIMIC-III Clinical Database Demo 1.4 (arollout data fetch)",
    ),
    "treqs": SuiteEntry(
        "arollout.tasks.treqs.suite:make_suite",
        frozenset(
            {"source", "patients", "seed", "per_category", "data_dir", "cache_dir", "data_root"}
        ),
        "TREQS/MIMICSQL-style questions on five flattened MIMIC-III tables (synthetic by default)",
    ),
    "ehr-seqsql": SuiteEntry(
        "arollout.tasks.seqsql.suite:make_suite",
        frozenset(
            {"source", "patients", "seed", "per_category", "data_dir", "cache_dir", "data_root"}
        ),
        "EHR-SeqSQL-style sequences of 2-4 dependent MIMIC-III questions, one JSON list of answers",
    ),
    "medagentgym": SuiteEntry(
        "arollout.tasks.medagentgym:make_suite",
        frozenset({"path", "database", "per_category", "cache_dir", "data_root"}),
        "MedAgentGym's own EHR task files (path=) answered on your database (database=)",
    ),
    "medcalc": SuiteEntry(
        "arollout.tasks.medcalc:make_suite",
        frozenset({"seed", "per_category", "cache_dir", "data_root"}),
        "52 clinical calculators on template notes with mixed units (MedCalc-Bench-style)",
    ),
    "eicu": SuiteEntry(
        "arollout.tasks.eicu.suite:make_suite",
        frozenset({"seed", "patients", "per_category", "cache_dir", "data_root"}),
        "EHRSQL-style eICU questions (71 categories) on a seeded synthetic eICU database",
    ),
    "eicu-demo": SuiteEntry(
        "arollout.tasks.eicu.suite:make_demo_suite",
        frozenset({"data_dir", "seed", "per_category", "cache_dir", "data_root"}),
        "EHRSQL-style questions on the eICU-CRD Demo 2.0 (arollout data fetch eicu-demo)",
    ),
    "mlpred": SuiteEntry(
        "arollout.tasks.mlpred.suite:make_suite",
        frozenset({"seed", "cache_dir", "data_root"}),
        "clinical prediction on synthetic ICU cohorts with a known model, AUROC on hidden labels (EHRSHOT/MIMIC-Extract-style)",
    ),
    "mlpred-demo": SuiteEntry(
        "arollout.tasks.mlpred.suite:make_demo_suite",
        frozenset({"data_dir", "seed", "cache_dir", "data_root"}),
        "MIMIC-Extract-style hourly features and outcome labels on the MIMIC-III demo (arollout data fetch)",
    ),
    "ehrcon": SuiteEntry(
        "arollout.tasks.ehrcon.suite:make_suite",
        frozenset(
            {"source", "patients", "seed", "per_category", "data_dir", "cache_dir", "data_root"}
        ),
        "EHRCon-style note/table consistency: tagged mentions of generated notes checked against MIMIC-III tables",
    ),
    "biods": SuiteEntry(
        "arollout.tasks.biods:make_suite",
        frozenset({"seed", "per_category", "cache_dir", "data_root", "workers"}),
        "survival and data analysis (BioDSBench-style) on packaged and synthetic cBioPortal data",
    ),
}


def list_suites() -> tuple[str, ...]:
    """Names accepted by :func:`get_suite`, sorted."""
    return tuple(sorted(_SUITES))


def suite_summary(name: str) -> str:
    """One line about a registered suite."""
    return _entry(name).summary


def _entry(name: str) -> SuiteEntry:
    entry = _SUITES.get(name)
    if entry is None:
        raise ConfigError(f"unknown task suite {name!r}; known suites: {', '.join(list_suites())}")
    return entry


def get_suite(name: str, **options: Any) -> Suite:
    """Build the suite registered as ``name``.

    Args:
        name: a name from :func:`list_suites`.
        **options: suite options (for ``ehr-demo``: ``seed``, ``patients``,
            ``per_category``, ``cache_dir``, ``data_root``).

    Raises:
        ConfigError: unknown suite or option, or an option of the wrong type.
    """
    entry = _entry(name)
    unknown = sorted(set(options) - entry.options)
    if unknown:
        raise ConfigError(
            f"suite {name!r} has no option {', '.join(map(repr, unknown))}; "
            f"accepted: {', '.join(sorted(entry.options)) or '(none)'}"
        )
    factory = entry.factory
    if isinstance(factory, str):
        module, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module), attr)
        assert callable(factory)
    return factory(options)
