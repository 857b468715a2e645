"""Building the population and the tasks once, and loading them in milliseconds.

Generating ~22k resources and checking ~2k instances takes about two
seconds of pure Python, too slow for ``arollout tasks list`` or an engine
start-up. The result is kept as one msgpack file under
``$AROLLOUT_CACHE/fhir/`` (default ``~/.cache/arollout/fhir/``), keyed by the
options and by a hash of the modules that decide its content, so editing a
template can never serve stale tasks. The file is written to a temporary
name and renamed into place: a reader never sees half of it, and two
processes building at once both end up with one complete copy. A cache that
cannot be written (a read-only home) only costs the rebuild.

Tasks and resources are separate files: listing or sampling tasks decodes
only the small one, and the population is decoded when the first episode
needs its server.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import msgspec

from arollout.tasks.base import Task
from arollout.tasks.fhir.build import TEMPLATES_VERSION, build_tasks
from arollout.tasks.fhir.generator import GENERATOR_VERSION, generate
from arollout.tasks.fhir.store import BaseStore

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ("cache_root", "load_store", "load_tasks")

_SOURCES: Final = (
    "build.py", "codes.py", "facts.py", "fhirtime.py", "generator.py", "reads.py", "templates.py",
    "writes.py", "orders.py",
)  # fmt: skip


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """``cache_dir``, else ``$AROLLOUT_CACHE``, else ``~/.cache/arollout``."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get("AROLLOUT_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "arollout"


def _key(seed: int, patients: int, per_category: int) -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    code = digest.hexdigest()[:10]
    return f"g{GENERATOR_VERSION}-t{TEMPLATES_VERSION}-s{seed}-p{patients}-c{per_category}-{code}"


def _paths(
    seed: int, patients: int, per_category: int, cache_dir: str | os.PathLike[str] | None
) -> tuple[Path, Path]:
    stem = cache_root(cache_dir) / "fhir" / _key(seed, patients, per_category)
    return stem.with_name(stem.name + ".tasks.msgpack"), stem.with_name(
        stem.name + ".resources.msgpack"
    )


def _build(
    seed: int, patients: int, per_category: int, cache_dir: str | os.PathLike[str] | None
) -> tuple[list[dict[str, Any]], list[Task]]:
    resources = generate(seed, patients)
    tasks = build_tasks(BaseStore(resources), seed=seed, per_category=per_category)
    tasks_path, resources_path = _paths(seed, patients, per_category, cache_dir)
    _write(resources_path, msgspec.msgpack.encode(resources))  # first: tasks imply resources
    _write(tasks_path, msgspec.msgpack.encode(tasks))
    return resources, tasks


def load_tasks(
    *, seed: int, patients: int, per_category: int, cache_dir: str | os.PathLike[str] | None = None
) -> Sequence[Task]:
    """Every task, from the cache or built (and cached with its population)."""
    path, _ = _paths(seed, patients, per_category, cache_dir)
    with contextlib.suppress(OSError, msgspec.DecodeError):
        return tuple(msgspec.msgpack.decode(path.read_bytes(), type=list[Task]))
    return tuple(_build(seed, patients, per_category, cache_dir)[1])


def load_store(
    *, seed: int, patients: int, per_category: int, cache_dir: str | os.PathLike[str] | None = None
) -> BaseStore:
    """The population's indexed store, from the cache or built (and cached)."""
    _, path = _paths(seed, patients, per_category, cache_dir)
    with contextlib.suppress(OSError, msgspec.DecodeError):
        return BaseStore(msgspec.msgpack.decode(path.read_bytes(), type=list[dict[str, Any]]))
    return BaseStore(_build(seed, patients, per_category, cache_dir)[0])


def _write(path: Path, data: bytes) -> None:
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
