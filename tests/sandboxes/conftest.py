"""Shared helpers for the sandbox tests: stray-process and stray-file counters."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time

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


_PF_EXITING = 0x4
_SIGKILL_BIT = 1 << (signal.SIGKILL - 1)


def _exiting_code(pid: str) -> bool:
    """A run's code process that is killed or exiting: in its exit, or SIGKILL pending.

    A run's result arrives while its code may still be unmapping its share
    of the zygote's memory (a few ms, see ``child._report_done``), or, on a
    busy machine, before it has even been scheduled to act on its SIGKILL;
    the slot reaps it before its next run. Such a process runs no more user
    code, so it is no stray; anything else of a sandbox uid is.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            head, _, tail = fh.read().rpartition(b")")
        flags = int(tail.split()[6])
        with open(f"/proc/{pid}/status") as fh:
            pending = {
                key: int(value, 16)
                for key, _, value in (line.partition(":") for line in fh)
                if key in ("SigPnd", "ShdPnd")
            }
    except (OSError, IndexError, ValueError):
        return False
    if not head.endswith(b"(sbx-code"):
        return False
    return bool(flags & _PF_EXITING) or any(m & _SIGKILL_BIT for m in pending.values())


#: How long a process killed at the end of a run may take to be gone: the
#: adversarial cases must finish within their timeout + 0.5 s, leftovers included.
STRAY_GRACE_S = 0.5


def settled(list_strays, grace_s: float = STRAY_GRACE_S) -> list:
    """What ``list_strays()`` still reports once ``grace_s`` has passed (or nothing, sooner).

    On a busy machine a process the runner has just SIGKILLed (a daemon of the
    run, a code process told to die) may not have been scheduled to die yet
    when the result arrives; one alive after the grace is a stray.
    """
    deadline = time.monotonic() + grace_s
    while True:
        left = list_strays()
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.02)


def describe(pids: list) -> str:
    """Name, state, flags and pending signals of each pid (or (pid, comm)), for a message."""
    lines = []
    for item in pids:
        pid = item[0] if isinstance(item, tuple) else item
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read().rpartition(")")
            with open(f"/proc/{pid}/status") as fh:
                keep = ("State", "PPid", "Uid", "SigPnd", "ShdPnd", "SigBlk")
                status = [line.strip() for line in fh if line.startswith(keep)]
        except OSError as exc:
            lines.append(f"{pid}: gone ({exc})")
            continue
        flags = int(stat[2].split()[6])
        lines.append(f"{pid} {stat[0].partition('(')[2]} flags={flags:#x} {' '.join(status)}")
    return "\n".join(lines)


def _ppid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return int(fh.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _ours(pid: int) -> bool:
    """Whether ``pid`` descends from this test process, or escaped to PID 1.

    Other pools on a shared machine (another test run, a benchmark, an
    engine) use the same uid range; their processes descend from them.
    """
    me = os.getpid()
    parent = _ppid(pid)
    if parent == 1:  # escaped: whoever made it, it should not exist
        return True
    for _ in range(64):
        if parent == me:
            return True
        if parent in (0, 1):
            return False
        parent = _ppid(parent)
    return False


def sandbox_processes(uids: set[int] | None = None) -> list[int]:
    """Host pids owned by a sandbox uid (60000-64999, or one of ``uids``): none between runs.

    Without ``uids`` (a test that makes its own pools), only processes of
    this test process's pools count (see :func:`_ours`).
    """
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                uid = os.stat(f"/proc/{entry}").st_uid
            except OSError:
                continue
            mine = uid in uids if uids is not None else 60000 <= uid < 65000 and _ours(int(entry))
            if mine and not _orphaned_zombie(entry) and not _exiting_code(entry):
                pids.append(int(entry))
    return pids


def _pool_uids(request) -> set[int] | None:
    """The slot uids of the test's ``pool`` fixture (None: the test has none)."""
    if "pool" not in request.fixturenames:
        return None
    return {slot.uid for slot in request.getfixturevalue("pool")._slots}


@pytest.fixture
def strays(request):
    """The function listing host processes of sandbox uids (the test pool's, if it has one)."""
    uids = _pool_uids(request)
    return lambda: sandbox_processes(uids)


_SCRATCH = ("/tmp", "/dev/shm", "/var/tmp")


def _sandbox_made(path: str) -> bool:
    """Whether a scratch entry is the sandbox's: a sandbox uid's, or a runner's workdir.

    Other programs on a shared machine write to /tmp too; only what a run or
    a runner could have made counts as a stray file.
    """
    try:
        uid = os.lstat(path).st_uid
    except OSError:
        return False
    return 60000 <= uid < 75000 or os.path.basename(path).startswith("arollout-run-")


def host_tmp_entries() -> set[str]:
    return {
        os.path.join(d, e)
        for d in _SCRATCH
        for e in os.listdir(d)
        if _sandbox_made(os.path.join(d, e))
    }


@pytest.fixture
def no_strays(request):
    """Assert the test left no sandbox process and no new file in /tmp, /dev/shm, /var/tmp.

    With a ``pool`` fixture, only that pool's slot uids count: on a shared
    machine other pools (another test run, a benchmark) use the range too.
    """
    uids = _pool_uids(request)
    before = host_tmp_entries()
    yield
    left = settled(lambda: sandbox_processes(uids))
    assert left == [], describe(left)
    assert host_tmp_entries() - before == set()


def cgroup_available() -> bool:
    return os.geteuid() == 0 and cgroups.detect()[0] != 0


# -- Docker backend ------------------------------------------------------------------------

#: Names the runner gives its own processes (see sandboxes.child.set_name); at
#: most one of each may exist in an idle container: the zygote, the nursery,
#: and the next run's pre-forked init and code.
RUNNER_PARTS = {"sbx-zygote": 1, "sbx-nursery": 1, "sbx-init": 1, "sbx-code": 1}


def docker_skip_reason() -> str | None:
    """Why the docker-marked tests may not run here, or None when they must.

    Only AROLLOUT_NO_DOCKER=1 excuses them: with Docker set up
    (scripts/setup-docker.sh) a daemon that does not answer is a failure.
    """
    if os.environ.get("AROLLOUT_NO_DOCKER") == "1":
        return "AROLLOUT_NO_DOCKER=1: the Docker backend is not tested on this machine"
    return None


def in_thread(fn, *args):
    """Run a coroutine function to completion on an event loop of its own thread.

    Sync fixtures reached from async ones are inside a running loop, where
    ``anyio.run`` refuses to start another.
    """
    import anyio

    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        return ex.submit(anyio.run, fn, *args).result()


async def own_containers() -> list[dict]:
    """Sandbox containers this test process created and that still exist."""
    from sandboxes import dockerapi

    async with dockerapi.DockerClient() as client:
        found = await client.list_labeled(f"{dockerapi.LABEL_OWNER_PID}={os.getpid()}")
    mine = dockerapi.owner_labels("")[dockerapi.LABEL_OWNER_START]
    return [c for c in found if c["Labels"].get(dockerapi.LABEL_OWNER_START) == mine]


@pytest.fixture(scope="session")
def docker_ready():
    """Skip (only with AROLLOUT_NO_DOCKER=1) or fail loudly when Docker is not usable.

    At the end of the session, no container this process made may be left.
    """
    from sandboxes.dockerapi import DockerClient

    reason = docker_skip_reason()
    if reason:
        pytest.skip(reason)

    async def probe() -> None:
        async with DockerClient() as client:
            await client.require_image("arollout-sandbox:latest")

    try:
        in_thread(probe)
    except Exception as exc:  # any failure here means the same thing
        pytest.fail(
            f"Docker is not usable ({exc}); run `bash scripts/setup-docker.sh` as root, "
            "or set AROLLOUT_NO_DOCKER=1 to skip the docker-marked tests",
            pytrace=False,
        )
    yield
    assert in_thread(own_containers) == []


def _uid_processes(uids: set[int]) -> dict[int, tuple[int, str]]:
    """Host pid -> (uid, comm) for every process owned by one of ``uids``."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            uid = os.stat(f"/proc/{entry}").st_uid
            if uid in uids:
                with open(f"/proc/{entry}/comm") as fh:
                    found[int(entry)] = (uid, fh.read().strip())
        except OSError:
            continue
    return found


def runner_uids(pool) -> set[int]:
    """The uids a DockerPool's runners (and runs) have, one per container."""
    return {slot.uid for slot in pool._slots}


def container_strays(pool) -> list[tuple[int, str]]:
    """Processes in a DockerPool's containers that are not the runner's own parts.

    Runs share their container's uid, so anything of that uid beyond one of
    each runner part (a second ``sbx-code``, a ``sleep`` the run exec'd, ...)
    is something a run left behind. A part the runner is forking right now
    carries its parent's name for a moment, so only what two samples 0.2 s
    apart agree on counts.
    """
    first = set(_container_strays_now(pool))
    if not first:
        return []
    time.sleep(0.2)
    return sorted(first & set(_container_strays_now(pool)))


def _container_strays_now(pool) -> list[tuple[int, str]]:
    strays = []
    by_uid: dict[int, list[tuple[int, str]]] = {}
    for pid, (uid, comm) in _uid_processes(runner_uids(pool)).items():
        by_uid.setdefault(uid, []).append((pid, comm))
    for procs in by_uid.values():
        counts: dict[str, int] = {}
        for pid, comm in sorted(procs):
            counts[comm] = counts.get(comm, 0) + 1
            if counts[comm] > RUNNER_PARTS.get(comm, 0):
                strays.append((pid, comm))
    return strays


def pool_processes(pool) -> list[int]:
    """Host pids of a DockerPool's runner uids (must be none once the pool is closed)."""
    return sorted(_uid_processes(runner_uids(pool)))
