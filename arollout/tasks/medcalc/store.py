"""The built suite on disk: tasks and note files, cached under a content key.

Building 11,000+ instances takes a few seconds, so the result is written once
to ``<cache>/medcalc/<key>/``: ``tasks.msgpack`` (the tasks, gold answers
included) and ``notes/`` (one text file per note, the only part sandboxes
mount). The key hashes :data:`GENERATOR_VERSION`, the build parameters and
the source of this package, so any change to a calculator, a template or a
rule builds afresh instead of serving stale instances. Builds go to a
temporary directory that is renamed into place, so concurrent builders never
see a half-written suite.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Final, NamedTuple

import msgspec

from arollout.errors import TaskError
from arollout.tasks.base import Task
from arollout.tasks.medcalc.instances import build_tasks

__all__ = ("BuiltSuite", "GENERATOR_VERSION", "default_cache_root", "load_suite", "suite_key")

GENERATOR_VERSION: Final = 1
"""Bump when the generated instances change in a way the source hash cannot see."""

_TASKS: Final = "tasks.msgpack"
_NOTES: Final = "notes"
_DECODER: Final = msgspec.msgpack.Decoder(list[Task])


class BuiltSuite(NamedTuple):
    """A built suite: its directory, its tasks and where its notes are."""

    directory: Path
    tasks: list[Task]

    @property
    def notes_dir(self) -> Path:
        return self.directory / _NOTES


def default_cache_root() -> Path:
    """``$AROLLOUT_CACHE`` when set, else ``~/.cache/arollout``."""
    env = os.environ.get("AROLLOUT_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "arollout"


def _source_digest() -> str:
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def suite_key(seed: int, per_category: int, data_root: str) -> str:
    """The cache key of one build (16 hex digits)."""
    blob = f"{GENERATOR_VERSION}|{seed}|{per_category}|{data_root}|{_source_digest()}"
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def load_suite(
    *, seed: int, per_category: int, data_root: str, cache_dir: str | os.PathLike[str] | None = None
) -> BuiltSuite:
    """The built suite for these parameters, built on first use.

    Raises:
        TaskError: the cache directory cannot be written.
    """
    root = Path(cache_dir) if cache_dir is not None else default_cache_root()
    final = root / "medcalc" / suite_key(seed, per_category, data_root)
    tasks_file = final / _TASKS
    if tasks_file.is_file():
        return BuiltSuite(final, _DECODER.decode(tasks_file.read_bytes()))
    built = build_tasks(seed=seed, per_category=per_category, data_root=data_root)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    except OSError as exc:
        raise TaskError(
            f"cannot write the medcalc cache under {root}: {exc}; set AROLLOUT_CACHE or cache_dir"
        ) from exc
    try:
        notes = tmp / _NOTES
        notes.mkdir()
        for name, text in built.notes.items():
            (notes / name).write_text(text + "\n", encoding="utf-8")
        (tmp / _TASKS).write_bytes(msgspec.msgpack.encode(built.tasks))
        for directory in (tmp, notes):
            os.chmod(directory, 0o755)  # mkdtemp makes 0700; sandboxes read as another uid
        try:
            os.rename(tmp, final)
        except OSError:
            if not tasks_file.is_file():  # not a lost race with another builder
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return BuiltSuite(final, built.tasks)
