"""The harness: real programs run in this process or a subprocess, and the grader's rules."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from arollout.agent.feedback import exec_feedback
from arollout.tasks import grading
from arollout.tasks.biocoder import harness, runtime
from arollout.tasks.biocoder.family import reference_source
from arollout.tasks.biocoder.instances import hidden_tests
from sandboxes import SandboxPool
from sandboxes.api import DEFAULT_LIMITS, ExecResult, ExecStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from arollout.tasks.base import Task
    from arollout.tasks.biocoder import BiocoderSuite

    Run = Callable[[BiocoderSuite, Task, str], tuple[ExecResult, str]]
    Parse = Callable[[str, str], dict[str, object]]


def _task(suite: BiocoderSuite, category: str) -> Task:
    return next(t for t in suite.tasks() if t.category == category)


def test_every_family_reference_passes_through_the_real_harness(
    small_suite: BiocoderSuite, run_here: Run
) -> None:
    seen = set()
    for task in small_suite.tasks():
        if task.category in seen:
            continue
        seen.add(task.category)
        result, nonce = run_here(small_suite, task, task.reference_solution)
        verdict = small_suite.grade(task, result, nonce)
        assert verdict.correct and verdict.score == 1.0, (task.id, verdict.reason)
        # the report carries values, never the expected ones as such
        assert "expect" not in result.stdout
    assert len(seen) >= 60


def test_a_subtly_wrong_solution_fails_and_the_reason_names_the_tests(
    small_suite: BiocoderSuite, run_here: Run
) -> None:
    task = _task(small_suite, "reverse_complement")
    wrong = task.reference_solution.replace("reversed(seq)", "iter(seq)")
    assert wrong != task.reference_solution
    result, nonce = run_here(small_suite, task, wrong)
    verdict = small_suite.grade(task, result, nonce)
    assert not verdict.correct and verdict.score is not None and 0 < verdict.score < 1
    assert "Returned a wrong value: 'lower-case input'" in verdict.reason
    for test in hidden_tests(task):  # no expected value leaks into the reason
        expect = test["expect"]
        if isinstance(expect, str) and len(expect) > 3:
            assert expect not in verdict.reason


def test_agent_output_is_visible_but_the_report_is_hidden(
    small_suite: BiocoderSuite, run_here: Run
) -> None:
    task = _task(small_suite, "gc_content")
    code = task.reference_solution + "\nprint('my own check')\n"
    noisy = code.replace("    gc = total = 0", "    print('inside the hidden test')\n    gc = total = 0")
    result, nonce = run_here(small_suite, task, noisy)
    assert small_suite.grade(task, result, nonce).correct
    shown = grading.visible_result(result, nonce)
    assert "my own check" in shown.stdout
    assert "inside the hidden test" not in result.stdout  # output during hidden tests is discarded
    assert nonce not in shown.stdout and runtime.REPORT_TAG not in shown.stdout


def test_an_exception_in_a_hidden_test_is_shown_with_its_traceback(
    small_suite: BiocoderSuite, run_here: Run
) -> None:
    task = _task(small_suite, "gc_content")
    code = "def gc_content(seq):\n    return {'G': 1}[seq[0]]\n"
    result, nonce = run_here(small_suite, task, code)
    verdict = small_suite.grade(task, result, nonce)
    assert not verdict.correct
    assert "Raised KeyError" in verdict.reason or "Raised IndexError" in verdict.reason
    seen = exec_feedback(grading.visible_result(result, nonce))
    assert "Hidden test" in result.stderr and ("KeyError" in seen or "IndexError" in seen)


@pytest.mark.parametrize(
    ("code", "needle"),
    [
        ("def broken(:\n", "SyntaxError"),
        ("raise RuntimeError('boom')\n", "RuntimeError"),
        ("import sys\nsys.exit(0)\n", "SystemExit"),
        ("x = 1\n", "defines no callable"),
        ("gc_content = 3\n", "defines no callable"),
    ],
)
def test_import_problems_are_reported_cleanly(
    small_suite: BiocoderSuite, run_here: Run, code: str, needle: str
) -> None:
    task = _task(small_suite, "gc_content")
    result, nonce = run_here(small_suite, task, code)
    verdict = small_suite.grade(task, result, nonce)
    assert not verdict.correct and verdict.score == 0.0
    assert needle in verdict.reason
    if needle != "defines no callable":
        assert needle in result.stderr and result.status is ExecStatus.RUNTIME_ERROR
        # ... so the agent's observation grounds the traceback
        assert needle in exec_feedback(grading.visible_result(result, nonce))


def test_timeouts_are_per_test_and_the_budget_stops_the_rest(
    small_suite: BiocoderSuite, tmp_path: Path, capfd: pytest.CaptureFixture[str], parse_report: Parse
) -> None:
    task = _task(small_suite, "gc_content")
    fast = harness.Timing(test_timeout_s=0.05, budget_s=0.3, import_timeout_s=1.0)
    program = harness.program(task, "def gc_content(seq):\n    while True:\n        pass\n", "n0nce", fast)
    (tmp_path / harness.SUBMISSION_FILE).write_bytes(program.files[harness.SUBMISSION_FILE])
    capfd.readouterr()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        exec(compile(program.code, "<harness>", "exec"), {"__name__": "__main__"})
    out, _ = capfd.readouterr()
    results = parse_report(out, "n0nce")["results"]
    assert isinstance(results, list) and len(results) == len(hidden_tests(task))
    assert {"t": 1} in results and {"s": 1} in results  # slow ones time out, the rest are skipped
    verdict = harness.grade(task, ExecResult(status=ExecStatus.OK, stdout=out), "n0nce")
    assert "Timed out:" in verdict.reason and "Not run" in verdict.reason and not verdict.correct


def test_import_that_never_returns_is_cut(
    small_suite: BiocoderSuite, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    task = _task(small_suite, "gc_content")
    program = harness.program(task, "while True:\n    pass\n", "n1", harness.Timing(0.1, 0.2, 0.2))
    (tmp_path / harness.SUBMISSION_FILE).write_bytes(program.files[harness.SUBMISSION_FILE])
    capfd.readouterr()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        with pytest.raises(SystemExit):
            exec(compile(program.code, "<harness>", "exec"), {"__name__": "__main__"})
    verdict = harness.grade(task, ExecResult(status=ExecStatus.OK, stdout=capfd.readouterr()[0]), "n1")
    assert "longer than" in verdict.reason and not verdict.correct


def _report(results: Sequence[object]) -> str:
    return json.dumps({"results": results})


def test_grade_reads_exactly_one_line_with_the_run_nonce(small_suite: BiocoderSuite) -> None:
    task = _task(small_suite, "hamming_distance")
    right = [{"v": t["expect"]} if not (isinstance(t["expect"], dict) and "__raises__" in t["expect"]) else {"x": [t["expect"]["__raises__"]]} for t in hidden_tests(task)]
    line = f"ARESULT good {_report(right)}"

    def grade(stdout: str, status: ExecStatus = ExecStatus.OK) -> str:
        verdict = harness.grade(task, ExecResult(status=status, stdout=stdout), "good")
        return "correct" if verdict.correct else verdict.reason

    assert grade(f"noise\n{line}\n") == "correct"  # (a right report is accepted: the host compares)
    assert "did not report" in grade(line.replace("good", "bad!") + "\n")
    assert "more than once" in grade(f"{line}\n{line}\n")
    assert "garbled" in grade("ARESULT good {not json\n")
    assert "garbled" in grade(f"ARESULT good {_report(right[:-1])}\n")
    assert "time limit" in grade("", ExecStatus.TIMEOUT)
    assert "memory" in grade("", ExecStatus.OOM)
    assert "output limit" in grade("x" * 10, ExecStatus.OUTPUT_LIMIT)
    wrong = [{"v": -1} for _ in right]
    assert "0/" in grade(f"ARESULT good {_report(wrong)}\n")


@pytest.mark.anyio
async def test_exits_and_forged_reports_fail_in_the_real_sandbox(small_suite: BiocoderSuite) -> None:
    task = _task(small_suite, "translate")
    runs = {t.label: t.code for t in harness.trivial_codes(task)}
    runs["reference"] = task.reference_solution
    outcomes: dict[str, tuple[bool, str]] = {}
    async with SandboxPool(slots=2, preload=("json",)) as pool:
        for label, code in runs.items():
            nonce = grading.new_nonce()
            request = grading.exec_request(small_suite, task, code, mounts=(), limits=DEFAULT_LIMITS, nonce=nonce)
            verdict = grading.grade(small_suite, task, await pool.exec(request), nonce)
            outcomes[label] = (verdict.correct, verdict.reason)
    assert outcomes.pop("reference")[0] is True
    assert len(outcomes) >= 10
    for label, (correct, reason) in outcomes.items():
        assert not correct and reason, label
    assert "did not report" in outcomes["os._exit(0) at import"][1]
    assert "did not report" in outcomes["forged report, then os._exit(0) at import"][1]
    assert "did not report" in outcomes["os._exit(0) inside the function"][1]
    assert "SystemExit" in outcomes["sys.exit(0) at import"][1]
    assert "0/" in outcomes["forged report with the run's nonce"][1]


@pytest.mark.anyio
async def test_per_test_timeouts_work_inside_the_jail(biocoder_cache: Path) -> None:
    """The harness's alarms fire under the sandbox's seccomp filter and rlimits."""
    from arollout.tasks.biocoder import BiocoderSuite

    quick = BiocoderSuite(per_family=2, cache_dir=biocoder_cache, test_timeout_s=0.2, budget_s=0.6)
    task = _task(quick, "gc_content")
    slow = "def gc_content(seq):\n    while True:\n        pass\n"
    async with SandboxPool(slots=1, preload=("json",)) as pool:
        nonce = grading.new_nonce()
        request = grading.exec_request(quick, task, slow, mounts=(), limits=DEFAULT_LIMITS, nonce=nonce)
        result = await pool.exec(request)
    verdict = grading.grade(quick, task, result, nonce)
    assert result.status is ExecStatus.OK and result.wall_s < 5
    assert "Timed out:" in verdict.reason and "Not run" in verdict.reason and not verdict.correct


def test_a_sibling_spec_fails_the_instance(small_suite: BiocoderSuite, run_here: Run) -> None:
    """Implementing the standard code for another table's instance is caught."""
    from arollout.tasks.biocoder.build import family

    task = next(t for t in small_suite.tasks() if t.category == "translate" and t.meta["params"]["table"] != 1)
    fam = family("translate")
    standard = reference_source(fam, {**task.meta["params"], "table": 1})
    result, nonce = run_here(small_suite, task, standard)
    verdict = small_suite.grade(task, result, nonce)
    assert not verdict.correct and "codons specific to the table" in verdict.reason
