"""Every adversarial case of the sandbox notes, against one shared pool per backend.

Each case runs on the host pool and on the Docker pool (``docker`` marker).
Each must end within its wall timeout + 0.5 s and leave no process of a
sandbox uid (on Docker: nothing in a container beyond the runner's own
parts) and no new file in the host's /tmp, /dev/shm or /var/tmp.

Where a case means something else in a container, its docstring says so. In
short: a container's runs share one PID namespace, one memory cgroup and one
uid (one run at a time), and the runner cannot switch uid there, so what
the host backend gets from per-run namespaces the Docker backend gets from
the container plus the runner's unprivileged cleanup (sandboxes.reaper).
"""

from __future__ import annotations

import os
import socket
import uuid

import anyio
import pytest

from sandboxes import DockerPool, ExecRequest, ExecStatus, Limits, SandboxPool

from .conftest import (
    container_strays,
    describe,
    host_tmp_entries,
    pool_processes,
    sandbox_processes,
    settled,
)

pytestmark = pytest.mark.anyio

SECRET = "arollout-test-secret-" + uuid.uuid4().hex
WALL = 3.0
LIMITS = Limits(wall_s=WALL, memory_mb=512, pids=64, fsize_mb=32, tmpfs_mb=64)


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.fixture(
    scope="module",
    params=["host", pytest.param("docker", marks=pytest.mark.docker)],
)
async def pool(request, anyio_backend):
    os.environ["AROLLOUT_TEST_SECRET"] = SECRET  # planted in the launcher's environment
    try:
        if request.param == "host":
            async with SandboxPool(slots=2, preload=("numpy", "pandas"), strict=True) as p:
                yield p
            return
        request.getfixturevalue("docker_ready")
        # The same numbers as the host's per run: the run's memory, and the
        # size of each tmpfs (the container holds its runner on top).
        docker = DockerPool(
            slots=2,
            preload=("numpy", "pandas"),
            strict=True,
            memory_mb=LIMITS.memory_mb,
            tmpfs_mb=LIMITS.tmpfs_mb,
        )
        async with docker as p:
            yield p
        assert pool_processes(docker) == []  # every container's processes are gone
    finally:
        del os.environ["AROLLOUT_TEST_SECRET"]


def is_docker(pool) -> bool:
    return isinstance(pool, DockerPool)


@pytest.fixture
def strays(pool):
    """Lists what runs left behind: processes of the pool's slot uids, leftovers in containers."""
    if is_docker(pool):
        return lambda: container_strays(pool)
    return lambda: sandbox_processes({slot.uid for slot in pool._slots})


@pytest.fixture
def no_strays(strays):
    """Assert the test left no process behind and no new file in /tmp, /dev/shm, /var/tmp."""
    before = host_tmp_entries()
    yield
    left = settled(strays)
    assert left == [], describe(left)
    assert host_tmp_entries() - before == set()


def runner_pid(pool) -> int:
    """The host pid of the first slot's zygote."""
    slot = pool._slots[0]
    return slot.box.zygote_pid if is_docker(pool) else slot.zygote.proc.pid


async def run(pool, code, **kw):
    kw.setdefault("limits", LIMITS)
    with anyio.fail_after(kw["limits"].wall_s + 0.5 + 0.5):  # + host round trip slack
        result = await pool.exec(ExecRequest(code=code, **kw))
    assert result.wall_s <= kw["limits"].wall_s + 0.5, result
    return result


CONTAINED = [
    ("fork_bomb", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass", {ExecStatus.TIMEOUT}),
    ("memory_one_shot", "x = b'x' * (3 << 30)\nprint(len(x))", {ExecStatus.OOM}),
    ("memory_incremental", "l = []\nwhile True:\n    l.append(b'y' * (8 << 20))", {ExecStatus.OOM}),
    ("infinite_loop", "while True:\n    pass", {ExecStatus.TIMEOUT}),
    ("sigterm_ignored", "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass", {ExecStatus.TIMEOUT}),
    ("stdout_flood", "while True:\n    print('x' * 999)", {ExecStatus.OUTPUT_LIMIT}),
    ("stderr_flood", "import sys\nwhile True:\n    sys.stderr.write('e' * 999)", {ExecStatus.OUTPUT_LIMIT}),
    ("file_200mb", "with open('big', 'wb') as f:\n    f.write(b'x' * (200 << 20))", {ExecStatus.FILE_LIMIT}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "code", "expected"), CONTAINED, ids=[c[0] for c in CONTAINED])
async def test_resource_attacks_are_contained(pool, no_strays, strays, name, code, expected):
    result = await run(pool, code)
    assert result.status in expected, result
    if name.endswith("flood"):
        assert result.stdout_truncated or result.stderr_truncated
        assert (
            len(result.stdout) <= LIMITS.output_bytes and len(result.stderr) <= LIMITS.output_bytes
        )
    if name == "fork_bomb":
        assert result.leftovers_killed > 0
    assert strays() == []


async def test_tmp_shm_and_workdir_do_not_persist(pool, no_strays):
    write = "for p in ('/dev/shm/p', '/var/tmp/p', '/tmp/p', 'p'):\n    open(p, 'w').write('x')\nprint('ok')"
    assert (await run(pool, write)).stdout == "ok\n"
    for _ in range(2):  # both slots
        check = "import os\nprint([os.path.exists(p) for p in ('/dev/shm/p', '/var/tmp/p', '/tmp/p', 'p')])"
        assert (await run(pool, check)).stdout == "[False, False, False, False]\n"


async def test_ipc_objects_do_not_persist(pool, no_strays):
    """System V shared memory and POSIX message queues live outside the file tree.

    Host: each run has its own IPC namespace. Docker: the container's is
    shared by its runs, and the runner removes its uid's objects after each.
    """
    make = (
        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "print(libc.shmget(0x5eed, 4096, 0o1600) >= 0, libc.msgget(0x5eed, 0o1600) >= 0)\n"
        "fd = os.open('/dev/mqueue/leak', os.O_CREAT | os.O_WRONLY, 0o600) if os.path.isdir('/dev/mqueue') else -1\n"
        "print(fd >= 0 or not os.path.isdir('/dev/mqueue'))"
    )
    assert (await run(pool, make)).stdout == "True True\nTrue\n"
    look = (
        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "print(libc.shmget(0x5eed, 0, 0), libc.msgget(0x5eed, 0), os.path.exists('/dev/mqueue/leak'))"
    )
    for _ in range(2):  # both slots
        assert (await run(pool, look)).stdout == "-1 -1 False\n"


_ABSTRACT_DAEMON = (
    "import os, socket, time\n"
    "if os.fork() == 0:\n"
    "    os.setsid()\n"
    "    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
    "    s.bind('\\0arollout-leak')\n"
    "    s.listen()\n"
    "    time.sleep(60)\n"
    "time.sleep(0.2)\n"
    "print(os.readlink('/proc/self/ns/net'))"
)
_ABSTRACT_PROBE = (
    "import os, socket\n"
    "c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
    "try:\n"
    "    c.connect('\\0arollout-leak')\n"
    "    print('reached')\n"
    "except OSError as e:\n"
    "    print('refused', type(e).__name__)\n"
    "print(os.readlink('/proc/self/ns/net'))"
)


async def test_default_warmup_runs_cleanly(pool):
    # Both backends' runners (the host's interpreter and the image's) run it.
    assert pool.protections().warmup_error == ""
    assert {"numpy", "pandas"} <= set(pool.protections().preloaded)


async def test_no_network_state_outlives_a_run(pool, no_strays):
    """An abstract-namespace socket (network-namespace state) held by a daemon.

    Host: the runs of one slot take turns in its network namespace, so the
    daemon's death must take the socket with it; the namespace is not the host's.
    """
    first = await run(pool, _ABSTRACT_DAEMON)
    assert first.status is ExecStatus.OK, first
    for _ in range(2):  # both slots
        probe = await run(pool, _ABSTRACT_PROBE)
        assert probe.stdout.startswith("refused ConnectionRefusedError\n"), probe
    assert first.stdout.strip() != os.readlink("/proc/self/ns/net")


async def test_concurrent_runs_have_their_own_network_namespace(pool, no_strays):
    code = "import os, time\ntime.sleep(0.5)\nprint(os.readlink('/proc/self/ns/net'))"
    seen: list[str] = []

    async def one() -> None:
        seen.append((await run(pool, code)).stdout.strip())

    async with anyio.create_task_group() as tg:
        for _ in range(2):
            tg.start_soon(one)
    assert len(set(seen)) == 2, seen


async def test_tcp_to_host_loopback_fails(pool, no_strays):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        code = f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n    print('connected')\nexcept OSError as e:\n    print('refused', e.errno)"
        result = await run(pool, code)
        assert result.stdout.startswith("refused"), result
        with pytest.raises(BlockingIOError):
            listener.accept()


async def test_host_secrets_are_unreadable(pool, no_strays):
    code = (
        "import os\n"
        "for p in ('/etc/shadow', f'/proc/{os.getppid()}/environ', '/proc/1/environ', '/root/.bashrc'):\n"
        "    try:\n        open(p, 'rb').read(); print('READ', p)\n"
        "    except OSError as e:\n        print('denied', type(e).__name__)\n"
    )
    result = await run(pool, code)
    assert "READ" not in result.stdout and result.stdout.count("denied") == 4, result


async def test_launcher_secret_not_in_memory(pool, no_strays):
    needle = SECRET[::-1]
    code = (
        "import ctypes\n"
        f"needle = {needle!r}[::-1].encode()\n"
        "found = needle in open('/proc/self/environ', 'rb').read()\n"
        "for line in open('/proc/self/maps'):\n"
        "    if line.rstrip().endswith('[stack]'):\n"
        "        lo, hi = (int(x, 16) for x in line.split()[0].split('-'))\n"
        "        found = found or needle in ctypes.string_at(lo, hi - lo)\n"
        "print('FOUND' if found else 'clean')"
    )
    result = await run(pool, code)
    assert result.stdout == "clean\n", result
    # and the zygote itself (read from outside, as root) holds no copy at all
    pid = runner_pid(pool)
    hits = 0
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:  # noqa: ASYNC230
        for line in maps:
            addr, perms = line.split()[:2]
            if "r" not in perms or "vvar" in line or "vsyscall" in line:
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            try:
                mem.seek(lo)
                hits += mem.read(hi - lo).count(SECRET.encode())
            except OSError:
                continue
    assert hits == 0


async def test_kill_parent_and_kill_all_reach_nothing_outside(pool, no_strays):
    """Signals from a run reach nothing but the run.

    Host: the parent (the zygote) is outside the run's PID namespace, so
    getppid() is 0 and kill(0) would only reach the run's own group; pid 1 is
    the run's root-owned init. Docker: the parent is the zygote, visible and of
    the run's own uid (no uid switch without root); the runner's seccomp guard
    refuses signals to it, and to pid 1, the container's init (another uid).
    """

    async def other_slot():
        return await run(pool, "import time\ntime.sleep(1)\nprint('alive')")

    async with anyio.create_task_group() as tg:
        results = {}

        async def victim():
            results["victim"] = await other_slot()

        tg.start_soon(victim)
        await anyio.sleep(0.2)
        code = (
            "import os, signal\n"
            "ppid = os.getppid()\n"
            "print('ppid', 'visible' if ppid else 0)\n"
            "for who, pid in (('parent', ppid), ('init', 1)):\n"
            "    if pid:\n"
            "        try:\n            os.kill(pid, signal.SIGKILL); print('killed', who)\n"
            "        except OSError as e:\n            print(who, type(e).__name__)\n"
            "try:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass\nprint('survived')"
        )
        result = await run(pool, code)
    if is_docker(pool):
        expected = "ppid visible\nparent PermissionError\ninit PermissionError\nsurvived\n"
    else:
        expected = "ppid 0\ninit PermissionError\nsurvived\n"
    assert result.stdout == expected, result
    assert results["victim"].stdout == "alive\n"
    assert (await run(pool, "print('still serving')")).stdout == "still serving\n"


async def test_host_processes_invisible(pool, no_strays):
    """Only a handful of processes are visible, and none of the host's (this pytest).

    Host: the run's own PID namespace (its init and itself). Docker: the
    container's (its init and ``sleep``, the runner's parts and the run).
    """
    code = (
        "import os\npids = [p for p in os.listdir('/proc') if p.isdigit()]\ncmds = []\n"
        "for p in pids:\n"
        "    try:\n        cmds.append(open(f'/proc/{p}/cmdline', 'rb').read())\n"
        "    except OSError:\n        pass\n"
        "print(len(pids), any(b'pytest' in c for c in cmds))"
    )
    count, host_seen = (await run(pool, code)).stdout.split()
    assert host_seen == "False" and 2 <= int(count) < 10


async def test_setsid_daemon_neither_survives_nor_delays(pool, no_strays, strays):
    code = (
        "import os, time\n"
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(100)\n    os._exit(0)\n"
        "time.sleep(0.05)\nprint('parent done')"
    )
    result = await run(pool, code)
    assert result.status is ExecStatus.OK and result.stdout == "parent done\n"
    assert result.wall_s < 0.3 and result.leftovers_killed >= 1
    assert strays() == []


async def test_rlimits_cannot_be_raised(pool, no_strays):
    code = (
        "import resource\n"
        "for r in (resource.RLIMIT_NPROC, resource.RLIMIT_AS, resource.RLIMIT_CPU):\n"
        "    try:\n        resource.setrlimit(r, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)); print('raised')\n"
        "    except (ValueError, OSError):\n        print('refused')"
    )
    assert (await run(pool, code)).stdout == "refused\n" * 3


async def test_500_threads_hit_the_cap(pool, no_strays):
    code = (
        "import threading, time\nn = 0\n"
        "try:\n    for _ in range(500):\n        threading.Thread(target=time.sleep, args=(2,), daemon=True).start(); n += 1\n"
        "except RuntimeError:\n    pass\nprint(n)"
    )
    result = await run(pool, code)
    assert int(result.stdout) < LIMITS.pids


async def test_namespace_syscalls_are_denied(pool, no_strays):
    code = (
        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "print(libc.unshare(0x10000000), libc.unshare(0x40000000), libc.ptrace(0, 0, 0, 0),\n"
        "      libc.mount(b'none', b'/tmp', b'tmpfs', 0, None), libc.setns(0, 0))"
    )
    assert (await run(pool, code)).stdout == "-1 -1 -1 -1 -1\n"


async def test_no_state_leaks_across_runs(pool, no_strays):
    first = (
        "import pandas as pd, json\npd.set_option('display.max_rows', 3)\n"
        "pd.DataFrame.sum = lambda *a, **k: 42\njson.dumps = None\nopen('leak.txt', 'w').write('x')"
    )
    assert (await run(pool, first)).status is ExecStatus.OK
    check = (
        "import pandas as pd, json, os\n"
        "print(pd.get_option('display.max_rows'), int(pd.DataFrame({'a': [1, 2]}).sum().iloc[0]),\n"
        "      json.dumps is not None, os.path.exists('leak.txt'))"
    )
    for _ in range(2):
        assert (await run(pool, check)).stdout == "60 3 True False\n"
