"""The harness and its grader: what passes, and every way of faking a pass that must not."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import msgspec
import pytest

from arollout.tasks import grading
from arollout.tasks.base import Task
from arollout.tasks.biods import MARK
from arollout.tasks.biods.harness import build_program, grade_run
from arollout.tasks.biods.tricks import _TINY_PNG, trivial_codes_for, wrong_value
from sandboxes.api import ExecRequest, ExecResult, ExecStatus
from tests.arollout.helpers import SubprocessPool

if TYPE_CHECKING:
    from pathlib import Path

PVALUE = 0.0123456
GENES = ["TP53", "KRAS", "EGFR"]
NOISE_PNG = _TINY_PNG + (
    "import random\n"
    "rng = random.Random(1)\n"
    "raw = b''.join(b'\\x00' + bytes(rng.randrange(256) for _ in range(360)) for _ in range(120))\n"
    "head = struct.pack('>IIBBBBB', 120, 120, 8, 2, 0, 0, 0)\n"
    "data = b'\\x89PNG\\r\\n\\x1a\\n' + _chunk(b'IHDR', head) + _chunk(b'IDAT', zlib.compress(raw))"
    " + _chunk(b'IEND', b'')\n"
    "open('plot.png', 'wb').write(data)\n"
)
REFERENCE = f"pvalue = {PVALUE!r}\ntop_genes = {GENES!r}\n" + NOISE_PNG


def _task() -> Task:
    from arollout.tasks.biods.harness import answer_of

    outputs = [
        {"name": "pvalue", "kind": "number", "rel_tol": 1e-3, "abs_tol": 0.0, "value": PVALUE},
        {"name": "top_genes", "kind": "list", "rel_tol": 0.0, "abs_tol": 0.0, "value": GENES},
        {"name": "plot.png", "kind": "png", "rel_tol": 0.0, "abs_tol": 0.0, "value": True},
    ]
    return Task(
        id="biods/test/1",
        suite="biods",
        category="test",
        split="test",
        question="?",
        answer=answer_of(outputs[0]),
        reference_solution=REFERENCE,
        meta={"params": {}, "outputs": outputs, "synthetic": False},
    )


def _report(values: dict[str, object], files: dict[str, bool], nonce: str) -> str:
    body = {"values": {k: {"value": v} for k, v in values.items()}, "files": files, "error": None}
    return f"{MARK} {nonce} {json.dumps(body)}\n"


def _result(stdout: str, files: dict[str, bytes] | None = None) -> ExecResult:
    return ExecResult(status=ExecStatus.OK, returncode=0, stdout=stdout, files=files or {})


@pytest.fixture(scope="module")
def png_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    import subprocess
    import sys

    where = tmp_path_factory.mktemp("png")
    subprocess.run([sys.executable, "-c", NOISE_PNG], cwd=where, check=True)
    return (where / "plot.png").read_bytes()


def test_grade_accepts_only_the_nonce_line_with_right_values(png_bytes: bytes) -> None:
    task, nonce = _task(), "n" * 32
    right = {"pvalue": PVALUE * (1 + 5e-4), "top_genes": GENES}
    files = {"plot.png": png_bytes}
    assert grade_run(task, _result(_report(right, {"plot.png": True}, nonce), files), nonce).correct
    for label, stdout in {
        "other nonce": _report(right, {"plot.png": True}, "x" * 32),
        "printed after": _report(right, {"plot.png": True}, nonce) + "done\n",
        "no report": "pvalue = 0.0123\n",
    }.items():
        verdict = grade_run(task, _result(stdout, files), nonce)
        assert not verdict.correct, label
    timeout = ExecResult(
        status=ExecStatus.TIMEOUT, stdout=_report(right, {"plot.png": True}, nonce)
    )
    assert "timeout" in grade_run(task, timeout, nonce).reason


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"pvalue": PVALUE * 1.002, "top_genes": GENES}, "`pvalue` is not correct"),
        ({"pvalue": PVALUE, "top_genes": GENES[::-1]}, "`top_genes` is not correct"),
        ({"pvalue": PVALUE, "top_genes": [*GENES, "BRAF"]}, "`top_genes` is not correct"),
        ({"pvalue": "0.0123456", "top_genes": GENES}, "`pvalue` is not correct"),
        ({"top_genes": GENES}, "`pvalue` was not reported"),
    ],
)
def test_wrong_values_fail_and_the_reason_hides_the_gold(
    values: dict[str, object], needle: str, png_bytes: bytes
) -> None:
    nonce = "a" * 32
    stdout = _report(values, {"plot.png": True}, nonce)
    verdict = grade_run(_task(), _result(stdout, {"plot.png": png_bytes}), nonce)
    assert not verdict.correct and needle in verdict.reason
    assert str(PVALUE) not in verdict.reason and "KRAS" not in verdict.reason


def test_the_image_is_judged_from_the_collected_bytes(png_bytes: bytes) -> None:
    nonce = "b" * 32
    right = {"pvalue": PVALUE, "top_genes": GENES}
    claimed = _report(right, {"plot.png": True}, nonce)
    assert "not written" in grade_run(_task(), _result(claimed), nonce).reason
    fake = grade_run(_task(), _result(claimed, {"plot.png": b"\x89PNG\r\n\x1a\nnope"}), nonce)
    assert not fake.correct and "plot.png" in fake.reason


def test_program_runs_the_code_as_main_and_collects_files() -> None:
    program = build_program(_task(), "x = 1\n", "c" * 32)
    assert program.files == {"solution.py": b"x = 1\n"}
    assert program.collect == ("plot.png",)
    assert str(PVALUE) not in program.code and "KRAS" not in program.code  # no answers inside


CASES = {
    "reference": (REFERENCE, True),
    "main guard": (
        "if __name__ == '__main__':\n"
        + "".join(f"    {line}\n" for line in REFERENCE.splitlines()),
        True,
    ),
    "right values, then sys.exit(0)": (REFERENCE + "import sys\nsys.exit(0)\n", True),
    "right values, then an exception": (REFERENCE + "raise RuntimeError('late')\n", True),
    "prints after via atexit": (REFERENCE + "import atexit\natexit.register(print, 'bye')\n", True),
    "stdout swapped": (REFERENCE + "import io, sys\nsys.stdout = io.StringIO()\n", True),
    "sys.exit(0) first": ("import sys\nsys.exit(0)\n" + REFERENCE, False),
    "os._exit(0) at the end": (REFERENCE + "import os\nos._exit(0)\n", False),
    "exception first": ("1 / 0\n" + REFERENCE, False),
    "syntax error": ("pvalue = (\n", False),
}


async def _run(task: Task, code: str, workdir: Path) -> tuple[ExecResult, str]:
    """Run ``code`` inside the harness in a plain subprocess; collect its files like a sandbox."""
    nonce = grading.new_nonce()
    program = build_program(task, code, nonce)
    result = await SubprocessPool(workdir).exec(
        ExecRequest(code=program.code, files=program.files, nonce=nonce)
    )
    files = {n: (workdir / n).read_bytes() for n in program.collect if (workdir / n).exists()}
    return msgspec.structs.replace(result, files=files), nonce


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("case", list(CASES))
async def test_harness_runs(case: str, tmp_path: Path) -> None:
    code, expected = CASES[case]
    result, nonce = await _run(_task(), code, tmp_path)
    verdict = grade_run(_task(), result, nonce)
    assert verdict.correct is expected, (case, verdict.reason, result.stderr[-500:])
    assert nonce not in grading.visible_result(result, nonce).stdout


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_every_suite_trick_fails_in_a_real_run(tmp_path: Path) -> None:
    task = _task()
    for i, trick in enumerate(trivial_codes_for(task)):
        workdir = tmp_path / str(i)
        workdir.mkdir()
        result, nonce = await _run(task, trick.code, workdir)
        assert not grade_run(task, result, nonce).correct, trick.label


def test_suite_tricks_cover_the_harness_attacks() -> None:
    task = _task()
    labels = {t.label for t in trivial_codes_for(task)}
    assert {"printed passing report", "forged report with the real nonce", "wrong values"} <= labels
    assert any(label.startswith("right values, ") for label in labels)
    for out in task.meta["outputs"]:
        if out["kind"] == "number":
            assert abs(wrong_value(out) - out["value"]) > out["rel_tol"] * abs(out["value"])
