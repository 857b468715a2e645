"""What the A/B benchmarks share: an older commit checked out beside this tree.

On a shared VM a benchmark's absolute figures move by up to 30 % between
windows, while the ratio of two commits measured in alternation holds; the
A/B scripts (``engine_ab.py``, ``sandbox_ab.py``) run one benchmark from a
temporary ``git worktree`` of the old commit and from this tree, in turns.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = pathlib.Path(__file__).resolve().parent.parent


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commits(old_ref: str) -> tuple[str, str]:
    """(old commit, this tree's name: HEAD, marked when it has uncommitted changes).

    Raises:
        ValueError: ``old_ref`` names no commit of this repository.
    """
    try:
        old = git("rev-parse", "--verify", f"{old_ref}^{{commit}}")
    except subprocess.CalledProcessError:
        raise ValueError(f"{old_ref!r} is not a commit of this repository") from None
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return old, git("rev-parse", "HEAD") + ("+uncommitted" if dirty else "")


@contextlib.contextmanager
def worktree(commit: str) -> Iterator[pathlib.Path]:
    """``commit`` checked out in a temporary directory, removed on exit."""
    with tempfile.TemporaryDirectory(prefix="arollout-ab-") as tmp:
        path = pathlib.Path(tmp) / "old"
        git("worktree", "add", "--detach", str(path), commit)
        try:
            yield path
        finally:
            git("worktree", "remove", "--force", str(path))


def run_json(tree: pathlib.Path, script: str, *args: str) -> dict[str, Any]:
    """Run ``bench/<script> --json ARGS`` from ``tree`` (its packages first) and parse it."""
    cmd = [sys.executable, f"bench/{script}", "--json", *args]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(cmd, cwd=tree, env=env, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result
