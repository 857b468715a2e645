"""The ``fhir`` suite: MedAgentBench-style chart review and order entry on a FHIR server.

Each episode gets its own FHIR R4 server (:mod:`.episode`) over a shared,
seeded synthetic population (:mod:`.generator`); the agent's code reaches it
through a small prelude (:mod:`.client`) over a Unix socket, the only
endpoint the sandbox can reach. Read tasks are graded by the printed answer
(strict typed comparison) and write tasks also by the server's state after
the run: exactly the expected orders, nothing else (:mod:`.orders`).

The suite implements three protocols of :mod:`arollout.tasks.base`: ``Suite``,
``HarnessSuite`` (``program`` wraps the agent's code with the prelude) and
``EpisodeSuite`` (``open_episode`` starts the server and grades against it).
Task types follow MedAgentBench (stanfordmlgroup/MedAgentBench, MIT; see
``notes/data-sources.md`` §6) with new wording, data and graders.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

from arollout.errors import TaskError
from arollout.tasks import verify
from arollout.tasks.base import Program
from arollout.tasks.fhir import cache
from arollout.tasks.fhir.build import CATEGORIES, SPLITS, SUITE_NAME, WRITE_CATEGORIES
from arollout.tasks.fhir.episode import FhirEpisode
from arollout.tasks.fhir.instructions import INSTRUCTIONS, request_info
from arollout.tasks.fhir.trivial import trivial_codes

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    from arollout.tasks.base import Task, Verdict
    from arollout.tasks.fhir.store import BaseStore
    from arollout.tasks.grading import Trivial
    from sandboxes.api import ExecResult, Mount

__all__ = ("PRELUDE_NAME", "FhirSuite")

PRELUDE_NAME: Final = "_fhir_prelude.py"
"""The client's file name in each run's workdir."""
_PRELUDE: Final = (Path(__file__).with_name("client.py")).read_bytes()
_HARNESS: Final = "import _fhir_prelude\n_fhir_prelude.run_agent({code!r})\n"


@final
class FhirSuite:
    """MedAgentBench-style FHIR tasks, each episode with its own server.

    Args:
        seed: generator seed (same seed, same population and tasks).
        patients: size of the synthetic population.
        per_category: most tasks per category.
        cache_dir: cache root (default ``$AROLLOUT_CACHE`` or ``~/.cache/arollout``).
        socket_dir: where episode socket directories are created (default: the
            system temp dir); keep it short, a socket path holds 108 bytes.
    """

    allow_terminal = False

    def __init__(
        self,
        *,
        seed: int = 0,
        patients: int = 600,
        per_category: int = 170,
        cache_dir: str | os.PathLike[str] | None = None,
        socket_dir: str | None = None,
    ) -> None:
        for name, value, low in (
            ("seed", seed, 0),
            ("patients", patients, 20),
            ("per_category", per_category, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise TaskError(f"{name} must be an integer >= {low}, got {value!r}")
        self._options = {"seed": seed, "patients": patients, "per_category": per_category}
        self._cache_dir = cache_dir
        self._socket_dir = socket_dir
        self._lock = threading.Lock()
        self._tasks: Sequence[Task] | None = None
        self._store: BaseStore | None = None

    @property
    def name(self) -> str:
        return SUITE_NAME

    @property
    def categories(self) -> tuple[str, ...]:
        return CATEGORIES

    @property
    def store(self) -> BaseStore:
        """The shared population (loaded on first use)."""
        return self._load_store()

    def _load_store(self) -> BaseStore:
        with self._lock:
            if self._store is None:
                self._store = cache.load_store(**self._options, cache_dir=self._cache_dir)
            return self._store

    def tasks(self, split: str | None = None) -> Sequence[Task]:
        if split is not None and split not in SPLITS:
            raise TaskError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
        with self._lock:
            if self._tasks is None:
                self._tasks = cache.load_tasks(**self._options, cache_dir=self._cache_dir)
            everything = self._tasks
        return everything if split is None else tuple(t for t in everything if t.split == split)

    def mounts(self) -> tuple[Mount, ...]:
        return ()  # each episode mounts its own socket directory (see open_episode)

    def instructions(self) -> str:
        return INSTRUCTIONS

    def request_info(self, task: Task, query: str) -> str:
        return request_info(query)

    def verify(self, task: Task, stdout: str) -> Verdict:
        """The printed answer alone: only meaningful for read tasks outside an episode."""
        self._check(task)
        if task.category in WRITE_CATEGORIES:
            raise TaskError(f"{task.id} is a write task: grade it through open_episode")
        return verify.check(task.answer, stdout)

    def program(self, task: Task, code: str, nonce: str) -> Program:
        self._check(task)
        return Program(code=_HARNESS.format(code=code), files={PRELUDE_NAME: _PRELUDE})

    def grade(self, task: Task, result: ExecResult, nonce: str) -> Verdict:
        raise TaskError(
            "fhir runs are graded against their episode's server: use grading.open_episode"
        )

    def open_episode(self, task: Task) -> FhirEpisode:
        self._check(task)
        loaded = self._store
        return FhirEpisode(
            loaded if loaded is not None else self._load_store, task, root=self._socket_dir
        )

    def trivial_codes(self, task: Task) -> list[Trivial]:
        return trivial_codes(task, self.store)

    def _check(self, task: Task) -> None:
        if task.suite != SUITE_NAME:
            raise TaskError(f"task {task.id!r} belongs to suite {task.suite!r}, not {SUITE_NAME!r}")
