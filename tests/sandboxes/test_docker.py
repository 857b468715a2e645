"""The Docker backend: its lifecycle, failures and cleanup.

The adversarial suite runs on this backend too, from test_adversarial.py
(its ``pool`` fixture is parametrized over both backends). Tests marked
``docker`` need the daemon and the image (``bash scripts/setup-docker.sh``);
the others check the backend's pure parts and run everywhere.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import anyio
import pytest

from sandboxes import (
    DockerImageNotFoundError,
    DockerPool,
    DockerUnavailableError,
    ExecRequest,
    ExecStatus,
    Limits,
    Mount,
    dockerapi,
    seccomp,
)
from sandboxes.container import ContainerSettings, container_spec, mount_problem

from .conftest import container_strays, pool_processes

pytestmark = pytest.mark.anyio
docker = pytest.mark.docker

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


async def labeled(pool_id: str) -> list[str]:
    async with dockerapi.DockerClient() as client:
        return [c["Id"] for c in await client.list_labeled(f"{dockerapi.LABEL_POOL}={pool_id}")]


async def eventually(probe, done, timeout_s: float = 10.0):
    """Poll ``probe()`` until ``done(value)`` (a replacement may still be on its way)."""
    value = await probe()
    for _ in range(int(timeout_s / 0.1)):
        if done(value):
            break
        await anyio.sleep(0.1)
        value = await probe()
    return value


async def assert_gone(pool: DockerPool) -> None:
    """Nothing of the pool exists any more: no container, no process of its uids."""
    assert await labeled(pool._id) == []
    assert pool_processes(pool) == []


@pytest.fixture
async def make_pool(docker_ready):
    """Open small DockerPools; each is closed, and checked to leave nothing, at teardown."""
    pools: list[DockerPool] = []

    async def make(**kw) -> DockerPool:
        kw = {"slots": 1, "preload": (), "memory_mb": 512, **kw}
        pool = DockerPool(**kw)
        await pool.__aenter__()
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        await pool.aclose()
        await assert_gone(pool)


# -- with a daemon -----------------------------------------------------------------------


@docker
async def test_many_runs_one_exec_per_container(make_pool):
    pool = await make_pool(slots=2)
    results = []

    async def one(i: int) -> None:
        results.append((await pool.exec(ExecRequest(code=f"print({i} + 1)"))).stdout)

    async with anyio.create_task_group() as tg:
        for i in range(30):
            tg.start_soon(one, i)
    assert sorted(results) == sorted(f"{i + 1}\n" for i in range(30))
    async with dockerapi.DockerClient() as client:
        for cid, _ in pool.exec_targets():
            assert len((await client.inspect(cid))["ExecIDs"]) == 1  # the runner, never one per run


@docker
@pytest.mark.parametrize("crash", ["container", "runner"])
async def test_crash_is_sandbox_error_then_replaced(make_pool, crash):
    pool = await make_pool()
    old = pool.exec_targets()[0][0]

    async def crasher() -> None:
        await anyio.sleep(0.5)
        if crash == "container":
            async with dockerapi.DockerClient() as client:
                await client.kill(old)
        else:
            os.kill(pool._slots[0].box.zygote_pid, signal.SIGKILL)

    async with anyio.create_task_group() as tg:
        tg.start_soon(crasher)
        r = await pool.exec(ExecRequest(code="import time; time.sleep(5)"))
    assert r.status is ExecStatus.SANDBOX_ERROR and old[:12] in r.error, r
    for _ in range(3):
        again = await pool.exec(ExecRequest(code="print('back')", limits=Limits(wall_s=5)))
        assert again.status is ExecStatus.OK and again.stdout == "back\n", again
    assert pool.exec_targets()[0][0] != old
    assert old not in await labeled(pool._id)


@docker
async def test_recycled_after_n_runs(make_pool):
    pool = await make_pool(recycle_after=3)
    hosts = []  # a container's hostname is its short id
    for _ in range(7):
        r = await pool.exec(ExecRequest(code="import socket; print(socket.gethostname())"))
        assert r.status is ExecStatus.OK, r
        hosts.append(r.stdout.strip())
    assert hosts[0:3] == [hosts[0]] * 3 and hosts[3:6] == [hosts[3]] * 3
    assert len({hosts[0], hosts[3], hosts[6]}) == 3
    live = await eventually(lambda: labeled(pool._id), lambda ids: len(ids) == 1)
    assert live[0].startswith(hosts[6])  # the recycled ones were removed


@docker
async def test_cancelled_caller_leaves_nothing_running(make_pool):
    pool = await make_pool()
    code = (
        "import os, time\n"
        "if os.fork() == 0:\n    os.setsid()\n    time.sleep(100)\n"
        "while True:\n    time.sleep(0.01)"
    )
    with anyio.move_on_after(0.5):
        await pool.exec(ExecRequest(code=code))

    async def strays() -> list:
        return container_strays(pool)

    assert await eventually(strays, lambda found: not found) == []
    r = await pool.exec(ExecRequest(code="print('next')"))
    assert r.stdout == "next\n"
    assert container_strays(pool) == []


@docker
async def test_cancelled_open_leaves_no_container(docker_ready):
    # Cancel as soon as the first container exists, while its runner is still
    # importing the full preload (a wall-clock deadline raced a fast machine).
    pool = DockerPool(slots=2, memory_mb=512)
    async with anyio.create_task_group() as tg:

        async def cancel_when_created() -> None:
            await eventually(lambda: labeled(pool._id), bool, timeout_s=60.0)
            tg.cancel_scope.cancel()

        tg.start_soon(cancel_when_created)
        async with pool:
            pytest.fail("the pool opened before its first container was even seen")
    assert tg.cancel_scope.cancelled_caught
    await assert_gone(pool)


@docker
async def test_close_removes_a_labeled_container_it_never_heard_of(docker_ready):
    # What a create that landed after its client gave up leaves: a container
    # under the pool's label whose id the pool never got.
    pool = DockerPool(slots=1, memory_mb=512)
    async with pool:
        settings = ContainerSettings(image=pool._settings.image)
        spec = container_spec(settings, uid=70999, labels=dockerapi.owner_labels(pool._id))
        async with dockerapi.DockerClient() as client:
            stray = await client.create(spec, f"arollout-sbx-{pool._id}-stray")
        assert stray not in pool._cids
        assert stray in await labeled(pool._id)
    await assert_gone(pool)


@docker
async def test_a_failing_warmup_is_reported_and_the_runner_serves(make_pool):
    pool = await make_pool(preload=(), warmup="raise ValueError('boom')")
    assert pool.protections().warmup_error == "ValueError: boom"
    r = await pool.exec(ExecRequest(code="print(2 + 2)"))
    assert (r.status, r.stdout) == (ExecStatus.OK, "4\n")


@docker
async def test_mounts_are_read_only_and_checked(make_pool, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "t.csv").write_text("a,b\n1,2\n")
    for p in (tmp_path, tmp_path / "sub"):
        p.chmod(0o755)  # the run's uid must be able to read the mounted data
    pool = await make_pool(
        preload=("pandas",), mounts=[Mount(source=str(tmp_path), target="/data")]
    )
    code = (
        "import pandas as pd\nprint(int(pd.read_csv('/data/sub/t.csv').b.sum()))\n"
        "try:\n    open('/data/x', 'w')\nexcept OSError as e:\n    print(type(e).__name__)"
    )
    for mount in (
        Mount(source=str(tmp_path), target="/data"),
        Mount(source=str(tmp_path / "sub"), target="/data/sub"),
    ):
        r = await pool.exec(ExecRequest(code=code, mounts=(mount,)))
        assert r.stdout.split() == ["2", "OSError"], r
    foreign = Mount(source="/etc", target="/data")
    r = await pool.exec(ExecRequest(code="print(1)", mounts=(foreign,)))
    assert r.status is ExecStatus.SANDBOX_ERROR and "mounts=[Mount(source='/etc'" in r.error


@docker
async def test_interpreter_exit_backstop_removes_containers(make_pool):
    pool = await make_pool(slots=2)
    assert len(await labeled(pool._id)) == 2
    pool.cleanup()  # what atexit runs when the loop is gone and the pool still open
    assert await labeled(pool._id) == []


@docker
async def test_exec_per_request_baseline_runs_in_the_pools_containers(make_pool):
    pool = await make_pool()
    target = pool.exec_targets()[0]
    rc, out, err = await pool.run_exec(
        target, ["timeout", "-s", "KILL", "10", "python3", "-c", "import os; print(os.getuid())"]
    )
    assert (rc, out) == (0, f"{target[1].split(':')[0]}\n".encode()), err


ORPHAN = """
import anyio
from sandboxes import DockerPool

async def main():
    pool = DockerPool(slots=1, preload=(), memory_mb=256)
    async with pool:
        print(pool._id, flush=True)
        await anyio.sleep(3600)

anyio.run(main)
"""


@docker
@pytest.mark.parametrize("command", ["arollout", "sandboxes"])
async def test_gc_removes_containers_of_a_crashed_owner(make_pool, command):
    alive = await make_pool()
    async with await anyio.open_process([sys.executable, "-c", ORPHAN], cwd=ROOT) as proc:
        with anyio.fail_after(60):
            line = await proc.stdout.receive()
        orphan_pool = line.decode().strip()
        proc.send_signal(signal.SIGKILL)  # an engine crash: nothing of the pool's cleanup runs
        await proc.wait()
    orphans = await labeled(orphan_pool)
    assert len(orphans) == 1
    argv = {
        "arollout": [sys.executable, "-m", "arollout.cli", "sandbox", "gc", "--json"],
        "sandboxes": [sys.executable, "-m", "sandboxes", "gc", "--json"],
    }[command]
    done = await anyio.run_process(argv, cwd=ROOT, check=True)
    assert set(orphans) <= set(json.loads(done.stdout)["removed"])
    assert await labeled(orphan_pool) == []
    r = await alive.exec(ExecRequest(code="print('untouched')"))  # a live owner's pool is kept
    assert r.stdout == "untouched\n"


@docker
async def test_missing_image_is_a_clear_error(docker_ready):
    with pytest.raises(DockerImageNotFoundError, match="build_rootfs.sh"):
        async with DockerPool(slots=1, image="arollout-sandbox:no-such-tag"):
            pass


# -- without a daemon ---------------------------------------------------------------------


async def test_no_daemon_is_a_clear_error(tmp_path):
    with pytest.raises(DockerUnavailableError, match="setup-docker.sh"):
        async with DockerPool(slots=1, url=f"unix://{tmp_path}/no-daemon.sock"):
            pass


def test_orphan_decision_from_labels():
    mine = dockerapi.owner_labels("p")
    assert not dockerapi.is_orphan(mine)
    assert dockerapi.is_orphan({**mine, dockerapi.LABEL_OWNER_START: "1"})  # a reused pid
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    assert dockerapi.is_orphan({**mine, dockerapi.LABEL_OWNER_PID: dead.stdout.decode().strip()})
    assert not dockerapi.is_orphan({**mine, dockerapi.LABEL_OWNER_HOST: "another-host"})


def test_guard_filter_protects_only_what_it_names():
    base = seccomp.build_filter()
    guarded = seccomp.build_filter(protect=(11, 12))
    assert len(guarded) > len(base) and len(guarded) % 8 == 0
    # Each protected pid is compared as a pid (signals) and as a group (kill(-pid)).
    insns = [guarded[i : i + 8] for i in range(0, len(guarded), 8)]
    ks = [int.from_bytes(x[4:], "little") for x in insns]
    assert {11, 12, (-11) & 0xFFFFFFFF, (-12) & 0xFFFFFFFF, 0xFFFFFFFF} <= set(ks)


def test_container_spec_has_every_outer_protection():
    settings = ContainerSettings(memory_mb=512, runner_mb=256, pids=99, cpus=0.5, tmpfs_mb=32)
    spec = container_spec(settings, uid=70123, labels={"k": "v"})
    host = spec["HostConfig"]
    assert (host["NetworkMode"], spec["NetworkDisabled"], host["ReadonlyRootfs"]) == (
        "none",
        True,
        True,
    )
    assert host["Memory"] == host["MemorySwap"] == (512 + 256) << 20
    assert (host["PidsLimit"], host["NanoCpus"], host["CapDrop"]) == (99, 500_000_000, ["ALL"])
    assert host["SecurityOpt"] == ["no-new-privileges"] and host["Init"] is True
    assert all("size=32m" in opts for opts in host["Tmpfs"].values())
    assert "uid=70123" in host["Tmpfs"]["/workdir"] and spec["User"] != "70123:70123"
    assert all(b.endswith(":ro") for b in host["Binds"]) and spec["Labels"]["k"] == "v"


def test_mount_problem_accepts_pool_mounts_and_paths_inside_them():
    have = (Mount(source="/srv/data", target="/data"),)
    assert mount_problem(have, have) == ""
    assert mount_problem(have, (Mount(source="/srv/data/mimic", target="/data/mimic"),)) == ""
    assert "not bound" in mount_problem(have, (Mount(source="/srv/data/mimic", target="/mimic"),))
    assert "not bound" in mount_problem(have, (Mount(source="/srv/database", target="/data"),))
