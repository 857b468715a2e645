"""Built task lists, kept in a msgpack file beside the database they were built on.

Instantiating tens of thousands of tasks runs the gold SQL of every
candidate, which takes seconds; decoding the same tasks from msgpack takes
milliseconds. The file is keyed by everything the tasks depend on: the
suite, its instance-generator version, its options (quota, in-sandbox data
root) and the database key (which already hashes the database's own
generator version and parameters). It lives *next to* the database
directory, never inside it, because that directory is mounted into
sandboxes and the tasks hold the answers.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from arollout.tasks.base import Task

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from arollout.tasks.ehr.database import DatabaseLike

__all__ = ("cached_tasks", "index_cache_path", "tasks_cache_path")

_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(list[Task])


def _sidecar(db: DatabaseLike) -> Path:
    directory = Path(db.directory)
    return directory.parent / f"{directory.name}.derived"


def tasks_cache_path(
    db: DatabaseLike, suite: str, version: int, options: Mapping[str, Any]
) -> Path:
    """Where the tasks of ``suite`` (at ``version`` with ``options``) on ``db`` are kept."""
    blob = json.dumps([suite, version, db.key, dict(options)], sort_keys=True, default=str)
    digest = hashlib.sha256(blob.encode()).hexdigest()[:16]
    return _sidecar(db) / f"{suite}-{digest}.tasks.msgpack"


def index_cache_path(db: DatabaseLike) -> Path:
    """Where the ``request_info`` index of ``db`` is kept."""
    return _sidecar(db) / "schema-index.msgpack"


def cached_tasks(path: Path, build: Callable[[], Sequence[Task]]) -> tuple[Task, ...]:
    """The tasks stored at ``path``, or ``build()`` stored there first.

    A file that cannot be read or decoded is rebuilt; a cache that cannot be
    written is skipped (the tasks are still returned).
    """
    try:
        return tuple(_DECODER.decode(path.read_bytes()))
    except (OSError, msgspec.DecodeError):
        pass
    tasks = tuple(build())
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_ENCODER.encode(list(tasks)))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
    return tasks
