"""What the A/B benchmarks share: an older commit checked out beside this tree.

On a shared VM a benchmark's absolute figures move by up to 30 % between
windows, while the ratio of two commits measured in alternation holds; the
A/B scripts (``engine_ab.py``, ``sandbox_ab.py``) run one benchmark from a
temporary ``git worktree`` of the old commit and from this tree, in turns.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

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


def arguments(doc: str, results: pathlib.Path) -> argparse.ArgumentParser:
    """The options every A/B script takes: ``OLD_REF``, ``--rounds``, ``--save``."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("old_ref", help="the commit to compare against (e.g. HEAD~1)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--save", action="store_true", help=f"write {results}")
    return parser


def parse(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None = None
) -> tuple[argparse.Namespace, str, str]:
    """Parse and check the options: (args, old commit, this tree's name)."""
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be >= 1, not {args.rounds}")
    try:
        old_commit, new_commit = commits(args.old_ref)
    except ValueError as exc:
        parser.error(str(exc))
    return args, old_commit, new_commit


def report(result: dict[str, Any], path: pathlib.Path, save: bool) -> None:
    """Print the A/B result as JSON, and write it to ``path`` with ``--save``."""
    text = json.dumps(result, indent=2)
    if save:
        path.write_text(text + "\n")
    print(text)
