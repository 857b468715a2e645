"""Side by side: what MedAgentGym and arollout tell a model about its bad turns.

    python bench/feedback_table.py RUN_DIR [RUN_DIR ...] [--n 20] [--save]

Takes real turns from a run directory (e.g. ``arollout sample --server local``):
the first ``n`` turns our parser could not read, and the first ``n`` code runs
that failed. For each it shows what arollout fed back (the observation stored
in the trajectory) and what MedAgentGym would have done with the same text,
using the baseline's models of its parser and of its ``validate_code``
(``bench/baselines/medagentgym.py``, written from MedAgentGym's
``agent/parser.py``, ``agent/base.py`` and ``env/action/function.py``):

* a reply its strict ``json.loads`` rejects replaces the model's own message in
  the history with ``Error: ... Please regenerate the action.``;
* a failed run comes back as the raw ``stdout + stderr`` of ``python FILE``
  (every traceback frame, the runner's own included);
* a run that finished is graded by a substring test of the gold answer in its
  output (``env/task/mimic_iii.py::validate``: ``answer in env_message``, with
  True/False mapped to 1/0 and ``", "``-separated answers checked one by one),
  so a wrong output that happens to contain the answer's digits passes.

The second table takes failed runs first, then runs that finished with a
wrong answer (the small local model rarely writes code that crashes).

``--save`` writes ``bench/results/feedback-table.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import tempfile
from typing import Any

from arollout.agent.actions import Action, ParseFailure, parse_action
from arollout.episode import _strip_end_marker
from arollout.store import read_run
from arollout.tasks.registry import get_suite

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from bench.baselines.medagentgym import (  # needs the repository root on sys.path
    BaselineConfig,
    BaselineParseError,
    parse_reply,
    validate_code,
)

RESULTS = pathlib.Path(__file__).parent / "results"
_CELL = 220


def _cell(text: str) -> str:
    flat = " ".join(text.replace("|", "\\|").split())
    return flat if len(flat) <= _CELL else flat[: _CELL - 3] + "..."


def _theirs_parse(text: str) -> str:
    try:
        action, _ = parse_reply(text)
    except BaselineParseError as exc:
        return f"history gets 'Error: {exc}. Please regenerate the action.' in place of the reply"
    return f"accepted as {action}"


def substring_verdict(gold: str, output: str) -> bool:
    """MedAgentGym's EHR grading, as its ``validate`` behaves: the gold text
    (or each of its ``", "``-separated parts) occurring anywhere in the output."""
    if gold in output:
        return True
    pred = output.replace("True", "1") if "True" in output else output.replace("False", "0")
    ans = {"false": "0", "true": "1", "none": "0"}.get(gold.lower(), gold)
    ans = ans.removesuffix(".0") if ", " not in ans else ans
    parts = ans.split(", ") if ", " in ans else [ans]
    return all(part in pred for part in parts)


def _first(seen: set[str], key: str) -> bool:
    """True the first time ``key`` is seen (normalised for whitespace)."""
    norm = "code:" + " ".join(key.split())
    if norm in seen:
        return False
    seen.add(norm)
    return True


def _gold_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def collect(run_dirs: list[str], n: int) -> dict[str, list[dict[str, str]]]:
    malformed: list[dict[str, str]] = []
    failed: list[tuple[str, Any, str]] = []
    wrong: list[tuple[str, str, Any, str]] = []
    suites: dict[str, Any] = {}
    seen: set[str] = set()  # one row per distinct reply (per distinct code for runs)
    trajectories = [t for run_dir in run_dirs for t in read_run(run_dir)]
    for trajectory in trajectories:
        for turn in trajectory.turns:
            step = turn.step
            text = _strip_end_marker(turn.text)
            if step is None or text in seen:
                continue
            seen.add(text)
            if step.action == "parse_error" and len(malformed) < n:
                # Re-parsed with today's parser (the stored observation may predate it).
                now = parse_action(text)
                ours = now.message if isinstance(now, ParseFailure) else f"accepted as {now.name}"
                malformed.append({"reply": text, "arollout": ours, "medagentgym": _theirs_parse(text)})
            elif step.action == "validate_code" and step.exec_status not in (None, "ok") and len(failed) < n:
                parsed = parse_action(text)
                if isinstance(parsed, Action) and _first(seen, parsed.argument):
                    failed.append((trajectory.suite, parsed.argument, step.observation))
            elif step.action == "validate_code" and step.correct is False and len(wrong) < n:
                parsed = parse_action(text)
                if isinstance(parsed, Action) and _first(seen, parsed.argument):
                    wrong.append((trajectory.suite, trajectory.task_id, parsed.argument, step.observation))
    rows: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="arollout-feedback-") as tmp:
        for suite_name, code, ours in failed:
            suite = suites.setdefault(suite_name, get_suite(suite_name))
            path_map = [(m.target, m.source) for m in suite.mounts()]
            config = BaselineConfig(url="", exec_timeout_s=30.0, poll_interval_s=0.05)
            _, message, _ = validate_code(code, workdir=pathlib.Path(tmp), config=config, path_map=path_map)
            rows.append({"code": code, "arollout": ours, "medagentgym": message})
        for suite_name, task_id, code, ours in wrong[: max(0, n - len(rows))]:
            suite = suites.setdefault(suite_name, get_suite(suite_name))
            task = next(t for t in suite.tasks() if t.id == task_id)
            path_map = [(m.target, m.source) for m in suite.mounts()]
            config = BaselineConfig(url="", exec_timeout_s=30.0, poll_interval_s=0.05)
            ok, message, stdout = validate_code(code, workdir=pathlib.Path(tmp), config=config, path_map=path_map)
            if ok and substring_verdict(_gold_text(task.answer.value), message):
                theirs = f"{message.strip()} -> graded CORRECT by the substring test (the answer is wrong)"
            elif ok:
                theirs = f"{message.strip()} -> 'The question is not correctly solved. Can you think about whether there might be some mistakes in the previous code?'"
            else:
                theirs = message
            rows.append({"code": code, "arollout": ours, "medagentgym": theirs})
    return {"malformed": malformed, "failed_runs": rows}


def markdown(table: dict[str, list[dict[str, str]]]) -> str:
    lines = ["## Replies the parser could not read", "", "| # | model reply | MedAgentGym | arollout |", "|---|---|---|---|"]
    for i, row in enumerate(table["malformed"], 1):
        lines.append(f"| {i} | {_cell(row['reply'])} | {_cell(row['medagentgym'])} | {_cell(row['arollout'])} |")
    lines += ["", "## Code that failed or printed a wrong answer", "", "| # | code | MedAgentGym feedback | arollout feedback |", "|---|---|---|---|"]
    for i, row in enumerate(table["failed_runs"], 1):
        lines.append(f"| {i} | {_cell(row['code'])} | {_cell(row['medagentgym'])} | {_cell(row['arollout'])} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("run_dir", nargs="+")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args()
    table = collect(args.run_dir, args.n)
    text = markdown(table)
    if args.save:
        (RESULTS / "feedback-table.md").write_text(text)
        (RESULTS / "feedback-table.json").write_text(json.dumps(table, indent=2) + "\n")
    print(text)


if __name__ == "__main__":
    main()
