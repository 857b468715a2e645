"""Grading in one place: stdout suites, harness suites, trivial submissions, the self-check."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
import pytest

from arollout.config import Budgets
from arollout.episode import EpisodeContext, run_episode
from arollout.llm.base import SamplingParams
from arollout.metrics import Metrics
from arollout.records import EpisodeStatus
from arollout.tasks import grading
from arollout.tasks.base import Answer, HarnessSuite, Program, Task, Verdict
from arollout.tasks.check import run_checks, sample_tasks
from arollout.testing.fakes import ScriptedClient
from sandboxes.api import DEFAULT_LIMITS, ExecResult, ExecStatus, Mount

from ..helpers import SubprocessPool, TinySuite, action

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from arollout.tasks.demo import EhrDemoSuite


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer(kind="integer", value=7), True),
        (Answer(kind="integer", value=42), False),
        (Answer(kind="number", value=0.995, rel_tol=0.01), True),  # "1" is within 1 %
        (Answer(kind="number", value=0.93, rel_tol=0.01), False),
        (Answer(kind="bool", value=True), False),  # "1" is refused, "true" is not held against it
        (Answer(kind="text", value="none"), True),
        (Answer(kind="text", value="warfarin"), False),
        (Answer(kind="set", value=["a", "b"]), False),
    ],
)
def test_guessable(answer: Answer, expected: bool) -> None:
    assert grading.guessable(answer) is expected


def _task(answer: Answer, category: str = "c", code: str = "print(42)") -> Task:
    return Task(
        id=f"t/{category}/{answer.value}",
        suite="tiny",
        category=category,
        split="test",
        question="?",
        answer=answer,
        reference_solution=code,
    )


def test_trivial_submissions_cover_constants_exits_and_candidates() -> None:
    suite = TinySuite()
    task = _task(Answer(kind="integer", value=42))
    subs = grading.trivial_submissions(suite, task, ["42", "43", "44"])
    labels = [s.label for s in subs]
    for digit in range(10):
        assert f"print '{digit}'" in labels
    assert {"sys.exit(0)", "os._exit(0)", "empty program"} <= set(labels)
    every = next(s for s in subs if s.label == "every candidate (JSON)")
    assert every.stdout == '["42", "43", "44"]\n'
    # A bool task is not charged with the coin flip, but still with "1" and "0".
    bool_labels = {
        s.label for s in grading.trivial_submissions(suite, _task(Answer(kind="bool", value=True)))
    }
    assert "print 'true'" not in bool_labels and "print '1'" in bool_labels


def test_category_candidates_collects_every_answer_element() -> None:
    tasks = [
        _task(Answer(kind="set", value=["x", "y"]), "a"),
        _task(Answer(kind="set", value=["y", "z"]), "a"),
        _task(Answer(kind="integer", value=12), "b"),
    ]
    assert grading.category_candidates(tasks) == {"a": ["x", "y", "z"], "b": ["12"]}


def test_visible_result_hides_only_the_nonce_lines() -> None:
    result = ExecResult(
        status=ExecStatus.OK, stdout="mine\nRESULT abc123 ok\nmore\n", stderr="abc123 x\n"
    )
    shown = grading.visible_result(result, "abc123")
    assert shown.stdout == "mine\nmore\n" and shown.stderr == ""
    assert grading.visible_result(result, "") is result


def test_stdout_suites_grade_only_ok_runs() -> None:
    suite = TinySuite()
    task = suite.tasks()[0]
    ok = ExecResult(status=ExecStatus.OK, stdout="100\n")
    assert grading.grade(suite, task, ok, "n").correct
    timeout = ExecResult(status=ExecStatus.TIMEOUT, stdout="100\n")
    verdict = grading.grade(suite, task, timeout, "n")
    assert not verdict.correct and "timeout" in verdict.reason


class SquareSuite(TinySuite):
    """A harness suite: the agent defines ``square``; hidden checks run after it."""

    def __init__(self) -> None:
        super().__init__(count=2)
        self._tasks = [
            msgspec.structs.replace(
                t,
                suite="square",
                question="Define square(x).",
                reference_solution="def square(x):\n    return x * x\n",
            )
            for t in self._tasks
        ]

    def program(self, task: Task, code: str, nonce: str) -> Program:
        harness = (
            "import json, solution\n"
            "cases = [2, -3, 10]\n"
            "passed = sum(solution.square(c) == c * c for c in cases)\n"
            f"print('RESULT', {nonce!r}, json.dumps({{'passed': passed, 'total': len(cases)}}))\n"
        )
        return Program(code=harness, files={"solution.py": code.encode()})

    def grade(self, task: Task, result: ExecResult, nonce: str) -> Verdict:
        for line in result.stdout.splitlines():
            parts = line.split(" ", 2)
            if len(parts) == 3 and parts[0] == "RESULT" and parts[1] == nonce:
                report = msgspec.json.decode(parts[2])
                share = report["passed"] / report["total"]
                return Verdict(
                    correct=share == 1.0,
                    reason=f"{report['passed']}/{report['total']}",
                    score=share if share == 1.0 else None,
                )
        return Verdict(correct=False, reason="the hidden checks did not report")

    def trivial_codes(self, task: Task) -> Sequence[grading.Trivial]:
        return [
            grading.Trivial("fake report", 'print(\'RESULT deadbeef {"passed": 3, "total": 3}\')')
        ]


def test_square_suite_is_a_harness_suite() -> None:
    assert isinstance(SquareSuite(), HarnessSuite)
    assert not grading.is_harness(TinySuite())


@pytest.mark.anyio
async def test_run_checks_on_a_harness_suite(tmp_path: Path) -> None:
    suite = SquareSuite()
    pool = SubprocessPool(tmp_path)
    report = await run_checks(suite, pool, concurrency=1)
    assert report.checked == 2 and report.oracle_pass_rate == 1.0
    assert report.trivial_checked > 10  # every trivial submission really ran through the harness
    assert report.trivial_pass_rate == 0.0 and report.ok
    assert all("solution.py" in r.files for r in pool.requests)


class GullibleSuite(TinySuite):
    """Accepts anything: the self-check must catch it."""

    def verify(self, task: Task, stdout: str) -> Verdict:
        return Verdict(correct=True)


@pytest.mark.anyio
async def test_run_checks_catches_a_suite_that_accepts_trivial_answers(tmp_path: Path) -> None:
    report = await run_checks(GullibleSuite(), SubprocessPool(tmp_path))
    assert report.oracle_pass_rate == 1.0
    assert report.trivial_pass_rate == 1.0 and not report.ok
    assert report.trivial_passes and report.trivial_passes[0].status == "passed"


@pytest.mark.anyio
async def test_run_checks_on_the_demo_suite_sample(
    host_suite: EhrDemoSuite, tmp_path: Path
) -> None:
    report = await run_checks(host_suite, SubprocessPool(tmp_path), sample=30, concurrency=4)
    assert report.checked == 30
    assert report.oracle_pass_rate == 1.0, report.failures
    assert report.trivial_pass_rate == 0.0, report.trivial_passes


def test_sample_tasks_spreads_over_categories_and_is_stable() -> None:
    tasks = [_task(Answer(kind="integer", value=10 + i), f"c{i % 4}") for i in range(40)]
    picked = sample_tasks(tasks, 8)
    assert len(picked) == 8 and {t.category for t in picked} == {"c0", "c1", "c2", "c3"}
    assert sample_tasks(tasks, 8) == picked
    assert [t.id for t in picked] == [t.id for t in tasks if t in picked]  # suite order kept
    assert sample_tasks(tasks, None) == tasks


class _Sandbox:
    """Runs harness programs by evaluating the agent's ``square`` in-process."""

    def __init__(self) -> None:
        self.codes: list[str] = []

    async def exec(self, request):  # type: ignore[no-untyped-def]
        self.codes.append(request.code)
        scope: dict[str, object] = {}
        exec(request.files["solution.py"].decode(), scope)  # test-only, fixed inputs
        square = scope["square"]
        passed = sum(square(c) == c * c for c in (2, -3, 10))  # type: ignore[operator]
        nonce = request.nonce
        out = f'my own line\nRESULT {nonce} {{"passed": {passed}, "total": 3}}\n'
        return ExecResult(status=ExecStatus.OK, returncode=0, stdout=out)

    async def aclose(self) -> None:
        return None


@pytest.mark.anyio
async def test_episode_on_a_harness_suite_hides_the_report_and_uses_the_score() -> None:
    replies = iter(
        [
            action(
                "validate_code", code="def square(x):\n    return x + x\n"
            ),  # 2 passes, -3 and 10 fail
            action("validate_code", code="def square(x):\n    return x * x\n"),
        ]
    )
    client = ScriptedClient(lambda _c: next(replies))
    suite = SquareSuite()
    sandbox = _Sandbox()
    ctx = EpisodeContext(
        client=client,
        template=client.template,
        sandbox=sandbox,
        suite=suite,
        sampling=SamplingParams(max_new_tokens=256),
        budgets=Budgets(max_turns=4),
        context_len=32768,
        metrics=Metrics(),
        run_id="r",
        exec_limits=DEFAULT_LIMITS,
    )
    traj = await run_episode(ctx, suite.tasks()[0], 0, group_id="g", seed=1)
    assert traj.status is EpisodeStatus.SOLVED and traj.reward == 1.0
    first = traj.turns[0].step
    assert first is not None and first.correct is False
    assert "RESULT" not in first.observation and "my own line" in first.observation
    assert "1/3" in first.observation
    assert len(sandbox.codes) == 2 and all(
        c.startswith("import json, solution") for c in sandbox.codes
    )


def test_mounts_pass_through_exec_request() -> None:
    suite = TinySuite()
    task = suite.tasks()[0]
    mounts = (Mount(source="/srv/x", target="/data/x"),)
    request = grading.exec_request(
        suite, task, "print(1)", mounts=mounts, limits=DEFAULT_LIMITS, nonce="n"
    )
    assert request.code == "print(1)" and request.mounts == mounts and request.nonce == "n"
