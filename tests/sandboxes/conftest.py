"""Shared helpers for the sandbox tests: stray-process and stray-file counters."""

from __future__ import annotations

import os

import pytest

from sandboxes import cgroups


def _orphaned_zombie(pid: str) -> bool:
    """An exited process whose parent died and left it to the host's PID 1.

    Only a zygote killed in the middle of a run (the crash tests) leaves one:
    the kernel hands the run's code process to the *host's* init, whose job
    reaping is (some minimal VM inits never do it). It runs nothing and holds
    no memory or files; a zombie of any other parent is still reported.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return False
    return fields[0] == b"Z" and fields[1] == b"1"


def sandbox_processes() -> list[int]:
    """Host pids owned by a sandbox uid (60000-64999): must be empty between runs."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if 60000 <= os.stat(f"/proc/{entry}").st_uid < 65000 and not _orphaned_zombie(entry):
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


@pytest.fixture
def strays():
    """The function listing host processes of sandbox uids."""
    return sandbox_processes


def host_tmp_entries() -> set[str]:
    return set(os.listdir("/tmp")) | set(os.listdir("/dev/shm")) | set(os.listdir("/var/tmp"))


@pytest.fixture
def no_strays():
    """Assert the test left no sandbox process and no new file in /tmp, /dev/shm, /var/tmp."""
    before = host_tmp_entries()
    yield
    assert sandbox_processes() == []
    new = {e for e in host_tmp_entries() - before if not e.startswith("pytest")}
    assert new == set()


def cgroup_available() -> bool:
    return os.geteuid() == 0 and cgroups.detect()[0] != 0
