"""Side by side: what MedAgentGym and arollout tell a model about its bad turns.

    python bench/feedback_table.py RUN_DIR [--n 20] [--save]

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
  (every traceback frame, the runner's own included).

``--save`` writes ``bench/results/feedback-table.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import tempfile
from typing import Any

from arollout.agent.actions import Action, parse_action
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


def collect(run_dir: str, n: int) -> dict[str, list[dict[str, str]]]:
    malformed: list[dict[str, str]] = []
    failed: list[tuple[str, Any, str]] = []
    suites: dict[str, Any] = {}
    for trajectory in read_run(run_dir):
        for turn in trajectory.turns:
            step = turn.step
            if step is None:
                continue
            text = _strip_end_marker(turn.text)
            if step.action == "parse_error" and len(malformed) < n:
                malformed.append(
                    {"reply": text, "arollout": step.observation, "medagentgym": _theirs_parse(text)}
                )
            elif step.action == "validate_code" and step.exec_status not in (None, "ok") and len(failed) < n:
                parsed = parse_action(text)
                if isinstance(parsed, Action):
                    failed.append((trajectory.suite, parsed.argument, step.observation))
    rows: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="arollout-feedback-") as tmp:
        for suite_name, code, ours in failed:
            suite = suites.setdefault(suite_name, get_suite(suite_name))
            path_map = [(m.target, m.source) for m in suite.mounts()]
            config = BaselineConfig(url="", exec_timeout_s=30.0, poll_interval_s=0.05)
            _, message, _ = validate_code(code, workdir=pathlib.Path(tmp), config=config, path_map=path_map)
            rows.append({"code": code, "arollout": ours, "medagentgym": message})
    return {"malformed": malformed, "failed_runs": rows}


def markdown(table: dict[str, list[dict[str, str]]]) -> str:
    lines = ["## Replies the parser could not read", "", "| # | model reply | MedAgentGym | arollout |", "|---|---|---|---|"]
    for i, row in enumerate(table["malformed"], 1):
        lines.append(f"| {i} | {_cell(row['reply'])} | {_cell(row['medagentgym'])} | {_cell(row['arollout'])} |")
    lines += ["", "## Code that failed", "", "| # | code | MedAgentGym feedback | arollout feedback |", "|---|---|---|---|"]
    for i, row in enumerate(table["failed_runs"], 1):
        lines.append(f"| {i} | {_cell(row['code'])} | {_cell(row['medagentgym'])} | {_cell(row['arollout'])} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("run_dir")
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
