"""Pool behaviour: results, I/O, files, mounts, concurrency, cancellation, recovery."""

from __future__ import annotations

import os
import signal

import anyio
import pytest
from hypothesis import given, settings, strategies as st

from sandboxes import ExecRequest, ExecStatus, Limits, Mount, SandboxError, SandboxPool, protocol

from .conftest import describe, settled

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
async def pool(anyio_backend):
    async with SandboxPool(slots=2, preload=("numpy", "pandas")) as p:
        yield p


async def test_ok_runtime_error_and_stdin(pool, no_strays):
    ok = await pool.exec(ExecRequest(code="print(input()[::-1])", stdin=b"abc\n"))
    assert (ok.status, ok.returncode, ok.stdout) == (ExecStatus.OK, 0, "cba\n")
    bad = await pool.exec(ExecRequest(code="raise KeyError('k')"))
    assert bad.status is ExecStatus.RUNTIME_ERROR and "KeyError: 'k'" in bad.stderr
    assert "child.py" not in bad.stderr
    code3 = await pool.exec(ExecRequest(code="import sys; sys.exit(3)"))
    assert (code3.status, code3.returncode) == (ExecStatus.RUNTIME_ERROR, 3)
    sig = await pool.exec(
        ExecRequest(code="import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    )
    assert (sig.status, sig.signal) == (ExecStatus.KILLED_SIGNAL, signal.SIGSEGV)


async def test_files_collect_and_symlink_refusal(pool, no_strays):
    code = (
        "import os\nos.mkdir('out')\nopen('out/b.txt', 'w').write(open('in/a.txt').read().upper())\n"
        "os.symlink('/etc/passwd', 'link')\nprint(os.getcwd())"
    )
    r = await pool.exec(
        ExecRequest(code=code, files={"in/a.txt": b"hello"}, collect=("out/b.txt", "link", "nope"))
    )
    assert r.status is ExecStatus.OK, r
    assert r.files == {"out/b.txt": b"HELLO"}  # the planted link reads as absent


async def test_readonly_mount(pool, no_strays, tmp_path):
    (tmp_path / "t.csv").write_text("a,b\n1,2\n")
    tmp_path.chmod(0o755)  # the run's uid must be able to read the mounted data
    code = (
        "import pandas as pd\nprint(int(pd.read_csv('/data/t.csv').b.sum()))\n"
        "try:\n    open('/data/x', 'w')\nexcept OSError as e:\n    print(type(e).__name__)"
    )
    r = await pool.exec(
        ExecRequest(code=code, mounts=(Mount(source=str(tmp_path), target="/data"),))
    )
    assert r.stdout.splitlines()[0] == "2" and r.stdout.splitlines()[1] in (
        "OSError",
        "PermissionError",
    )


async def test_missing_mount_source_is_the_inits_error(pool, no_strays):
    """The init fails before the code runs; the error names the cause, not the code's wait."""
    r = await pool.exec(
        ExecRequest(code="print(1)", mounts=(Mount(source="/no/such/dir", target="/data"),))
    )
    assert r.status is ExecStatus.SANDBOX_ERROR and "does not exist" in r.error, r
    assert r.stdout == ""
    again = await pool.exec(ExecRequest(code="print(2)"))
    assert again.stdout == "2\n", again


async def test_announced_exit_ends_the_run_with_the_output_so_far(pool, no_strays, strays):
    """Code that writes the completion byte itself (fd 3) only ends its own run early."""
    code = (
        "import os, time\nprint('before', flush=True)\nos.write(3, bytes([7]))\n"
        "time.sleep(5)\nprint('after')"
    )
    r = await pool.exec(ExecRequest(code=code, limits=Limits(wall_s=4)))
    assert (r.status, r.returncode, r.stdout) == (ExecStatus.RUNTIME_ERROR, 7, "before\n"), r
    assert r.wall_s < 1.0
    for _ in range(2):  # both slots: whatever a run leaves exiting is reaped before the next
        assert (await pool.exec(ExecRequest(code="print(3)"))).stdout == "3\n"
    left = settled(strays)
    assert left == [], describe(left)


async def test_garbage_on_the_completion_pipe_is_ignored(pool, no_strays):
    code = "import os\nos.write(3, b'not a status')\nprint('still running')"
    r = await pool.exec(ExecRequest(code=code))
    assert (r.status, r.returncode, r.stdout) == (ExecStatus.OK, 0, "still running\n"), r


async def test_output_and_cpu_time_of_a_run_that_ends_normally(pool, no_strays):
    """The result is collected before the code's exit finishes: nothing written is lost."""
    code = (
        "import sys, time\nt = time.process_time()\nwhile time.process_time() - t < 0.3:\n"
        "    pass\nsys.stdout.write('x' * 300_000)\nsys.stderr.write('e' * 100_000)"
    )
    r = await pool.exec(ExecRequest(code=code))
    assert r.status is ExecStatus.OK, r
    assert (len(r.stdout), len(r.stderr)) == (300_000, 100_000)
    assert 0.25 <= r.cpu_s <= r.wall_s + 0.05, r
    child = (  # a waited-for child's CPU counts too, as in wait4's
        "import subprocess, sys\nsubprocess.run([sys.executable, '-S', '-c', "
        "'import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.3: pass'], check=True)"
    )
    r = await pool.exec(ExecRequest(code=child))
    assert r.status is ExecStatus.OK and r.cpu_s >= 0.25, r


async def test_shell_language(pool, no_strays):
    r = await pool.exec(ExecRequest(code="echo $((6*7)) && id -u", language="shell"))
    assert (
        r.status is ExecStatus.OK
        and r.stdout.split()[0] == "42"
        and int(r.stdout.split()[1]) >= 60000
    )


async def test_64_in_flight_on_two_slots_each_result_once(pool, no_strays):
    results: dict[int, str] = {}

    async def one(i: int) -> None:
        r = await pool.exec(ExecRequest(code=f"print({i} * 2)"))
        assert i not in results
        results[i] = r.stdout

    async with anyio.create_task_group() as tg:
        for i in range(64):
            tg.start_soon(one, i)
    assert results == {i: f"{i * 2}\n" for i in range(64)}


async def test_cancelled_caller_kills_its_run(pool, no_strays, strays):
    with anyio.move_on_after(0.3):
        await pool.exec(ExecRequest(code="import time\nwhile True: time.sleep(0.01)"))
    assert strays() == []
    r = await pool.exec(ExecRequest(code="print('next')"))
    assert r.stdout == "next\n"


async def test_crashed_zygote_is_sandbox_error_then_replaced(no_strays):
    async with SandboxPool(slots=1, preload=()) as pool:
        await _crash_and_recover(pool)


async def _crash_and_recover(pool):
    slot_pids = [s.zygote.proc.pid for s in pool._slots]

    async def killer() -> None:
        await anyio.sleep(0.3)
        for pid in slot_pids:
            os.kill(pid, signal.SIGKILL)

    async with anyio.create_task_group() as tg:
        tg.start_soon(killer)
        r = await pool.exec(ExecRequest(code="import time; time.sleep(2)"))
    assert r.status is ExecStatus.SANDBOX_ERROR and r.error
    for _ in range(3):
        again = await pool.exec(ExecRequest(code="print(1)", limits=Limits(wall_s=5)))
        assert again.status in (ExecStatus.OK,), again


#: Whether pandas was loaded before the run's own import of it would load it.
_PANDAS_BEFORE = "import sys\nbefore = 'pandas' in sys.modules\n{imp}\nprint(before)"


async def test_lean_zygote_takes_runs_that_need_nothing_else(no_strays, strays):
    async with SandboxPool(slots=1, preload=("numpy", "pandas"), lean=("numpy",)) as pool:
        slot = pool._slots[0]
        assert slot.lean is not None and slot.zygote is not None

        async def before(imp: str) -> str:
            r = await pool.exec(ExecRequest(code=_PANDAS_BEFORE.format(imp=imp)))
            assert r.status is ExecStatus.OK, r
            return r.stdout.strip()

        assert await before("import numpy, json") == "False"  # the lean zygote
        assert await before("import pandas") == "True"  # needs the full one
        assert await before("import importlib; importlib.import_module('json')") == "True"
        # an import the scan cannot see still works in the lean zygote, at the run's cost
        hidden = (
            "import sys\nbefore = 'pandas' in sys.modules\n"
            "exec('imp' + 'ort pandas as p')\nprint(before, p.__name__)"
        )
        r = await pool.exec(ExecRequest(code=hidden))
        assert r.stdout == "False pandas\n", r
        sh = await pool.exec(ExecRequest(code="echo $((6 * 7))", language="shell"))
        assert sh.stdout == "42\n", sh
        # signals from a lean run reach neither zygote of the slot
        await pool.exec(ExecRequest(code="import os, signal\nos.kill(-1, signal.SIGKILL)"))
        for z in (slot.lean, slot.zygote):
            assert z.proc.returncode is None
        assert strays() == []
    async with SandboxPool(slots=1, preload=("numpy", "pandas"), lean=()) as one:
        assert one._slots[0].lean is None
        r = await one.exec(ExecRequest(code=_PANDAS_BEFORE.format(imp="import numpy")))
        assert r.stdout == "True\n", r


@pytest.mark.parametrize("tier", ["lean", "zygote"])
async def test_crashed_lean_or_full_zygote_is_replaced_alone(tier, no_strays):
    async with SandboxPool(slots=1, preload=("numpy", "pandas"), lean=("numpy",)) as pool:
        slot = pool._slots[0]
        other = slot.zygote if tier == "lean" else slot.lean
        victim = getattr(slot, tier).proc.pid
        code = "import time\n" + ("" if tier == "lean" else "import pandas\n") + "time.sleep(2)"

        async def killer() -> None:
            await anyio.sleep(0.3)
            os.kill(victim, signal.SIGKILL)

        async with anyio.create_task_group() as tg:
            tg.start_soon(killer)
            r = await pool.exec(ExecRequest(code=code))
        assert r.status is ExecStatus.SANDBOX_ERROR and r.error
        for imp in ("import numpy", "import pandas") * 2:
            again = await pool.exec(ExecRequest(code=f"{imp}\nprint(1)", limits=Limits(wall_s=30)))
            assert again.status is ExecStatus.OK, again
        assert getattr(slot, tier).proc.pid != victim
        assert (slot.zygote if tier == "lean" else slot.lean) is other  # untouched


async def test_strict_refuses_degraded_and_cold_mode_works(no_strays):
    with pytest.raises(SandboxError, match="seccomp"):
        async with SandboxPool(slots=1, preload=(), strict=True, disable=("seccomp",)):
            pass
    async with SandboxPool(slots=1, mode="cold") as cold:
        assert cold.protections().inactive == ()
        r = await cold.exec(ExecRequest(code="import sys; print(sys.flags.isolated)"))
        assert r.stdout == "1\n", r


_ENV_PROBE = (
    "import os, sys, _testcapi\n"
    "print(sorted(os.environ))\n"
    "print(_testcapi.pymem_getallocatorsname())\n"
    "print(sys.flags.no_user_site, sys.flags.safe_path, {runner_dir!r} in sys.path)\n"
)


@pytest.mark.parametrize("allocator", ["malloc", "pymalloc"])
async def test_allocator_applies_and_the_run_env_is_only_its_own(allocator, no_strays):
    # The zygote runs without -E (PYTHONMALLOC must reach it): nothing of its
    # environment may show up in a run's, nor may isolated mode's other parts go.
    pytest.importorskip("_testcapi")
    from sandboxes.child import BASE_ENV
    from sandboxes.pool import RUNNER

    code = _ENV_PROBE.format(runner_dir=os.path.dirname(RUNNER))
    async with SandboxPool(slots=1, preload=(), allocator=allocator) as pool:
        r = await pool.exec(ExecRequest(code=code, env={"X_RUN": "1"}))
    assert r.status is ExecStatus.OK, r
    names, allocator_name, flags = r.stdout.splitlines()
    assert names == str(sorted({*BASE_ENV, "HOME", "X_RUN"}))
    assert allocator_name == allocator
    assert flags == "1 True False"


_WARMUP_PROBE = "import sys\nprint('colorsys' in sys.modules, 'warm_left' in globals())"


async def test_warmup_is_shared_by_runs_but_leaves_them_nothing_of_its_own(no_strays):
    # What the warm-up imports, runs find imported (that is its point); its
    # variables are gone and a failure is reported without stopping the zygote.
    async with SandboxPool(slots=1, preload=(), warmup="import colorsys\nwarm_left = 1") as warm:
        assert warm.protections().warmup_error == ""
        r = await warm.exec(ExecRequest(code=_WARMUP_PROBE))
        assert r.stdout == "True False\n", r
    async with SandboxPool(slots=1, preload=(), warmup="") as plain:
        r = await plain.exec(ExecRequest(code=_WARMUP_PROBE))
        assert r.stdout == "False False\n", r
    async with SandboxPool(slots=1, preload=(), warmup="raise ValueError('boom')") as failed:
        assert failed.protections().warmup_error == "ValueError: boom"
        r = await failed.exec(ExecRequest(code="print(2 + 2)"))
        assert (r.status, r.stdout) == (ExecStatus.OK, "4\n")


_NETNS = "import os\nprint(os.readlink('/proc/self/ns/net'))"


@pytest.mark.parametrize("per", ["slot", "run"])
async def test_network_namespace_per_slot_or_per_run(per, no_strays):
    # The nursery forks every init of its slot: in "slot" mode it holds the
    # slot's namespace, in "run" mode it stays in the host's.
    host = os.readlink("/proc/self/ns/net")
    async with SandboxPool(slots=1, preload=(), network_namespace=per) as pool:
        seen = {(await pool.exec(ExecRequest(code=_NETNS))).stdout.strip() for _ in range(3)}
        zygote = pool._slots[0].zygote.proc.pid
        (nursery,) = [
            pid
            for pid in os.listdir("/proc")
            if pid.isdigit() and _stat(pid)[:2] == ("sbx-nursery", zygote)
        ]
        slot_ns = os.readlink(f"/proc/{nursery}/ns/net")
        detail = {p.name: p.detail for p in pool.protections().protections}["net_namespace"]
    assert host not in seen
    if per == "slot":
        assert seen == {slot_ns}
    else:
        assert slot_ns == host  # so each run's namespace is its init's own
    assert ("one per run" in detail) == (per == "run")


def _stat(pid: str) -> tuple[str, int]:
    """(comm, ppid) of a process; ("", 0) if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            text = fh.read()
    except OSError:
        return "", 0
    comm = text[text.index("(") + 1 : text.rindex(")")]
    return comm, int(text[text.rindex(")") + 2 :].split()[1])


async def test_unknown_network_namespace_is_refused():
    with pytest.raises(SandboxError, match="network_namespace"):
        SandboxPool(network_namespace="host")  # type: ignore[arg-type]


async def test_unknown_allocator_is_refused():
    with pytest.raises(SandboxError, match="allocator"):
        SandboxPool(allocator="jemalloc")  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(
    fields=st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=10), max_size=4),
    blobs=st.dictionaries(st.text(min_size=1, max_size=5), st.binary(max_size=300), max_size=4),
    cut=st.integers(min_value=1, max_value=64),
)
def test_protocol_round_trips_in_any_chunking(fields, blobs, cut):
    data = protocol.encode(fields, blobs) * 2
    dec = protocol.FrameDecoder()
    msgs = []
    for i in range(0, len(data), cut):
        msgs += dec.feed(data[i : i + cut])
    assert len(msgs) == 2 and dec.pending == 0
    assert all(m.fields == fields and m.blobs == blobs for m in msgs)


def test_staging_dir_never_hides_a_bind_source(tmp_path):
    # A checkout (and its venv) under /tmp must stay bindable: the staging
    # tmpfs then goes over another directory.
    from sandboxes.jail import _staging_dir

    assert _staging_dir(["/usr/lib/python3"]) == "/tmp"
    chosen = _staging_dir(["/tmp/ci/.venv", "/root/.pyenv/versions/3.11.7"])
    assert chosen != "/tmp" and not "/tmp/ci/.venv".startswith(chosen + "/")


def test_slot_uids_are_distinct_and_start_where_the_pid_says(monkeypatch):
    # Two processes (different pids) start at different places in the uid
    # range; within one process every slot of every pool gets its own uid.
    import itertools

    from sandboxes import pool as pool_module

    offsets = [pool_module._next_uid_offset() for _ in range(64)]
    assert len(set(offsets)) == 64 and all(0 <= o < pool_module._UID_SPAN for o in offsets)
    starts = {(pid * 2_654_435_761) % pool_module._UID_SPAN for pid in range(1000, 1100)}
    assert len(starts) > 90  # neighbouring pids land far apart
    monkeypatch.setattr(pool_module, "_uids", itertools.count())
    assert pool_module._next_uid_offset() == pool_module._UID_START


async def test_a_runner_that_cannot_start_is_one_clear_error(no_strays):
    with pytest.raises(SandboxError, match="sandbox runner failed to start"):
        async with SandboxPool(slots=2, python="/bin/false"):
            pass
