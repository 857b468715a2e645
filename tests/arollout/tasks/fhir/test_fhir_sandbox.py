"""The one endpoint a sandboxed run can reach, checked against the real host jail.

These tests run real ``sandboxes.SandboxPool`` zygotes (namespaces, seccomp,
an unprivileged uid per slot) and verify the claims the suite's design rests
on: connect() on the socket works through a read-only bind mount, only
because the socket is mode 0666; TCP (loopback included) and the host's
abstract sockets are unreachable; the mount cannot be written; each run sees
only its own episode's socket; and the agent's tracebacks look as if its code
ran alone.
"""

from __future__ import annotations

import json
import os
import socket
from typing import TYPE_CHECKING, Any

import anyio
import pytest

from arollout.agent.feedback import ground_traceback
from arollout.tasks import grading
from arollout.tasks.fhir import codes, orders
from sandboxes import SandboxPool
from sandboxes.api import DEFAULT_LIMITS, ExecResult, ExecStatus

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from arollout.tasks.base import Task
    from arollout.tasks.fhir import FhirEpisode, FhirSuite

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def pool(anyio_backend: str) -> AsyncIterator[SandboxPool]:
    async with SandboxPool(slots=2, preload=("json", "http.client", "urllib.request")) as p:
        assert not p.protections().inactive, p.protections().table()
        yield p


async def run(
    suite: FhirSuite, pool: SandboxPool, task: Task, env: FhirEpisode, code: str
) -> ExecResult:
    request = grading.exec_request(
        suite, task, code, mounts=suite.mounts(), limits=DEFAULT_LIMITS, nonce="n", episode=env
    )
    return await pool.exec(request)


@pytest.fixture
def task(small_suite: FhirSuite) -> Task:
    return next(t for t in small_suite.tasks() if t.category == "record_bp")


_PROBE = r"""
import json, os, socket
out = {}
def attempt(name, fn):
    try:
        out[name] = ["ok", fn()]
    except OSError as exc:
        out[name] = [type(exc).__name__, exc.errno]
attempt("inet", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close())
attempt("inet6", lambda: socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close())
attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close())
attempt("tcp_connect", lambda: socket.create_connection(("127.0.0.1", TCP_PORT), timeout=2).close())
def abstract():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    s.connect(ABSTRACT)
attempt("abstract", abstract)
attempt("listdir", lambda: sorted(os.listdir("/fhir")))
attempt("write_mount", lambda: open("/fhir/x", "w").close())
attempt("unlink_socket", lambda: os.unlink("/fhir/fhir.sock"))
attempt("other_episode", lambda: os.path.exists(OTHER))
attempt("host_tmp", lambda: os.path.exists(os.path.dirname(OTHER)))
out["uid"] = os.getuid()
out["metadata"] = fhir_get("metadata")["fhirVersion"]
print(json.dumps(out))
"""


async def test_only_the_episode_socket_is_reachable(
    small_suite: FhirSuite, pool: SandboxPool, task: Task
) -> None:
    abstract_name = f"\0arollout-fhir-test-{os.getpid()}"
    hidden = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    hidden.bind(abstract_name)
    hidden.listen(1)
    try:
        async with await anyio.create_tcp_listener(local_host="127.0.0.1") as tcp:
            port = tcp.extra(anyio.abc.SocketAttribute.local_port)
            async with (
                small_suite.open_episode(task) as mine,
                small_suite.open_episode(task) as other,
            ):
                code = (
                    f"TCP_PORT = {port}\nABSTRACT = {abstract_name!r}\nOTHER = {other.socket_path!r}\n"
                    + _PROBE
                )
                result = await run(small_suite, pool, task, mine, code)
    finally:
        hidden.close()
    assert result.status is ExecStatus.OK, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    for name in ("inet", "inet6", "udp", "tcp_connect"):
        assert out[name] == ["PermissionError", 1], name  # seccomp: EPERM for every non-Unix family
    assert out["abstract"][0] == "ConnectionRefusedError"  # the run's own network namespace
    assert out["listdir"] == ["ok", ["fhir.sock"]]
    assert out["write_mount"][0] == out["unlink_socket"][0] == "OSError"
    assert out["write_mount"][1] == out["unlink_socket"][1] == 30  # EROFS
    assert out["other_episode"] == ["ok", False] and out["host_tmp"] == ["ok", False]
    assert out["uid"] != 0 and out["metadata"] == "4.0.1"
    assert mine.store.created == [] and other.store.created == []


async def test_connect_needs_the_socket_to_be_world_writable(
    small_suite: FhirSuite, pool: SandboxPool, task: Task
) -> None:
    async with small_suite.open_episode(task) as env:
        os.chmod(env.socket_path, 0o600)
        result = await run(small_suite, pool, task, env, "fhir_get('metadata')")
    assert result.status is ExecStatus.RUNTIME_ERROR
    assert "PermissionError" in result.stderr


async def test_posts_land_in_the_episode_and_grading_sees_them(
    small_suite: FhirSuite, pool: SandboxPool, task: Task
) -> None:
    spec = task.meta["expect"][0]
    body = orders.resource_for(spec)
    code = "\n".join(
        [
            "import json, urllib.request",
            f"body = json.dumps({body!r}).encode()",
            f"req = urllib.request.Request({codes.FHIR_BASE + '/Observation'!r}, data=body,",
            "                             headers={'Content-Type': 'application/fhir+json'})",
            "with urllib.request.urlopen(req) as reply:",
            "    made = json.load(reply)",
            "print('created', made['id'])",
            f"print(fhir_get('Patient/' + {spec['patient']!r})['id'])",
        ]
    )
    async with grading.open_episode(small_suite, task) as env:
        assert env is not None
        result = await run(small_suite, pool, task, env, code)  # type: ignore[arg-type]
        assert result.status is ExecStatus.OK, result.stderr
        verdict = grading.grade(small_suite, task, result, "n", episode=env)
        assert verdict.correct, verdict.reason
        again = await run(small_suite, pool, task, env, code)  # type: ignore[arg-type]
        assert not grading.grade(
            small_suite, task, again, "n", episode=env
        ).correct  # now a duplicate


async def test_refusals_reach_the_agent_as_exceptions(
    small_suite: FhirSuite, pool: SandboxPool, task: Task
) -> None:
    code = "fhir_post('Observation', {'resourceType': 'Observation', 'status': 'final'})"
    async with small_suite.open_episode(task) as env:
        result = await run(small_suite, pool, task, env, code)
        assert env.store.created == [] and env.store.rejected == 1
    assert result.status is ExecStatus.RUNTIME_ERROR
    assert "FhirRequestError: HTTP 400" in result.stderr and "subject is required" in result.stderr


async def test_agent_tracebacks_are_its_own(
    small_suite: FhirSuite, pool: SandboxPool, task: Task
) -> None:
    async with small_suite.open_episode(task) as env:
        crashed = await run(small_suite, pool, task, env, "x = 1\ny = 2\nprint(undefined_name)\n")
        syntax = await run(small_suite, pool, task, env, "x = 1\nif x\n    pass\n")
        exited = await run(small_suite, pool, task, env, "import sys\nprint('bye')\nsys.exit(3)\n")
        main = await run(small_suite, pool, task, env, "print(__name__, callable(fhir_search_all))")
    assert crashed.status is ExecStatus.RUNTIME_ERROR
    assert 'File "<agent>", line 3, in <module>' in crashed.stderr
    assert "print(undefined_name)" in crashed.stderr and "_fhir_prelude" not in crashed.stderr
    assert (
        ground_traceback(crashed.stderr)
        .splitlines()[1]
        .strip()
        .startswith('File "<agent>", line 3')
    )
    assert 'File "<agent>", line 2' in syntax.stderr and "SyntaxError" in syntax.stderr
    assert exited.returncode == 3 and exited.stdout == "bye\n"
    assert main.stdout == "__main__ True\n"
