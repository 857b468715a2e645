"""A MedAgentGym-style sampler: the baseline arollout's end-to-end figure is measured against.

It reproduces how MedAgentGym (repository ``wshi83/MedAgentGym``, commit
``3198819``) collects trajectories, so that the speed-up is measured against
that harness's *structure* on the same tasks, the same inference server and
the same machine. Written from a reading of these files, not copied:

==================================  =====================================================
MedAgentGym                         here
==================================  =====================================================
``rollout.py::async_run_experiments``  a process pool of ``workers`` processes, one job
  (``joblib.Parallel(n_jobs,             per task (:func:`run_baseline`); the README runs
  prefer="processes")``, or Ray)         ``--n_jobs 5``, our default
``rollout.py::run_single_experiment``  :func:`_task_job`: the ``n`` samples of one task
  (``num_rollouts`` samples in turn,     run one after the other in the same process,
  a new env and agent for each)          each with a new HTTP client
``EHRAgent.act`` + ``llm/chat_api.py``  :func:`_chat`: one *blocking* chat-completions
  (OpenAI client, full history sent      request per turn with the whole history; up to
  every turn, up to 4 tries, >= 60 s     ``retries`` tries, ``retry_wait_s`` apart
  between them)
``agent/parser.py::parse_llm_response``  :func:`parse_reply`
``EHRAgent.act`` on a parse error       the assistant message becomes ``Error: ...
  (sleep ``retry_delay``, 10 s in the     Please regenerate the action.``; the sleep is
  configs; the error text is the next     ``parse_retry_delay_s``, **0 by default** so the
  observation)                            baseline is not slowed by it
``env/action/function.py::              :func:`validate_code`: ``compile`` first, append
  validate_code``                         ``print(answer)`` when the code mentions
                                          ``answer`` and never prints, write the code to a
                                          uniquely named file, run it, delete the file
``function.py::_run_code_file``         :func:`run_code_file`: ``python FILE`` through
                                          ``subprocess.Popen(shell=True)`` with a copy of
                                          the parent's environment, checked every
                                          ``poll_interval_s`` (1 s) until it exits or
                                          ``exec_timeout_s`` (120 s) passes
``env/task/*.py::validate``             stdout of a successful run is compared with the
  (substring match of the answer         answer by the *suite's* verifier, the one
  in ``env_message``)                     arollout uses, so both success rates mean the
                                          same thing
``utils/general.py::                    one pretty-printed JSON chat history per episode
  save_conversation_history``             (``history_<task>_<sample>.json``)
==================================  =====================================================

Two adaptations, both neutral for speed: the code's data path (the suite's
sandbox mount target, e.g. ``/data/ehr-demo``) is rewritten to the host
directory it mounts, standing in for MedAgentGym's data baked into its Docker
image; and the system and user messages are exactly arollout's, so the
inference server sees the same conversations from both samplers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import multiprocessing
import os
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import httpx

if TYPE_CHECKING:
    from collections.abc import Sequence

    from arollout.tasks.base import Suite, Task

__all__ = (
    "DEFAULT_WORKERS",
    "BaselineConfig",
    "BaselineParseError",
    "EpisodeResult",
    "parse_reply",
    "prepare_code",
    "run_baseline",
    "run_code_file",
    "validate_code",
)

#: ``--n_jobs 5`` in MedAgentGym's README ("5-thread parallel running").
DEFAULT_WORKERS: Final = 5

_ACTION_PARAMS: Final[dict[str, frozenset[str]]] = {
    "request_info": frozenset({"data_path", "info_type", "keyterm"}),
    "validate_code": frozenset({"code"}),
    "debug": frozenset({"code", "error_msg"}),
    "terminal": frozenset({"cmd"}),
}


class BaselineParseError(ValueError):
    """The reply is not one action in MedAgentGym's strict format."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class BaselineConfig:
    """Settings of one baseline run (see the module docstring for their origin)."""

    url: str
    suite: str = "ehr-demo"
    suite_options: dict[str, Any] = dataclasses.field(default_factory=dict)
    workers: int = DEFAULT_WORKERS
    poll_interval_s: float = 1.0
    exec_timeout_s: float = 120.0
    max_turns: int = 10
    max_tokens: int = 2048
    temperature: float = 1.0
    retries: int = 4
    retry_wait_s: float = 60.0
    parse_retry_delay_s: float = 0.0
    request_timeout_s: float = 600.0
    python: str = sys.executable
    out_dir: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class EpisodeResult:
    task_id: str
    sample_index: int
    solved: bool
    turns: int
    wall_s: float
    llm_s: float
    env_s: float
    error: str = ""


def parse_reply(text: str) -> tuple[str, dict[str, str]]:
    """MedAgentGym's reading of a reply: ``(action, params)`` or :class:`BaselineParseError`.

    In order: the body of the first json fence, then the span from the first
    ``{`` to the last ``}``, then what follows a ``</think>``; a ``\"\"\"...\"\"\"``
    string becomes a JSON string; the object must have exactly the keys
    ``action`` and ``params``, a known action, and exactly that action's
    parameters, as strings.
    """
    body = text
    fence = body.find("```json")
    if fence != -1:
        close = body.find("```", fence + 7)
        if close > fence + 7:
            body = body[fence + 7 : close].strip()
    first, last = body.find("{"), body.rfind("}")
    if first != -1 and last != -1:
        body = body[first : last + 1].strip()
    if "</think>" in body:
        body = body.rsplit("</think>", 1)[-1].strip()
    left, right = body.find('"""'), body.rfind('"""')
    if left != -1 and right > left:
        code = body[left + 3 : right].strip().replace("\n", "\\n")
        body = f'{body[:left].strip()}"{code}"{body[right + 3 :].strip()}'
    if not body.strip():
        raise BaselineParseError("Empty response")
    try:
        obj = json.loads(body)
    except json.JSONDecodeError as exc:
        raise BaselineParseError(f"Invalid JSON format: {exc}") from exc
    if not isinstance(obj, dict) or set(obj) != {"action", "params"}:
        raise BaselineParseError("Response must be an object with exactly 'action' and 'params'")
    action, params = obj["action"], obj["params"]
    if action not in _ACTION_PARAMS:
        raise BaselineParseError(f"Invalid action {action!r}")
    if not isinstance(params, dict) or set(params) != _ACTION_PARAMS[action]:
        raise BaselineParseError(f"{action!r} params must be exactly {sorted(_ACTION_PARAMS[action])}")
    if not all(isinstance(value, str) for value in params.values()):
        raise BaselineParseError(f"{action!r} params must be strings")
    return action, params


def prepare_code(code: str, path_map: Sequence[tuple[str, str]] = ()) -> str:
    """The file's text: data paths mapped, ``print(answer)`` appended where MedAgentGym does."""
    for target, source in path_map:
        code = code.replace(target, source)
    if "print" not in code and "answer" in code:
        code += "\nprint(answer)"
    return code


def run_code_file(
    path: Path, *, python: str, timeout_s: float, poll_interval_s: float
) -> tuple[int, str, str, float]:
    """Run ``python PATH`` in a fresh shell and poll it: (returncode, stdout, stderr, seconds)."""
    started = time.time()
    process = subprocess.Popen(
        f"{shlex.quote(python)} {shlex.quote(str(path))}",
        shell=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
        text=True,
    )
    while process.poll() is None:
        elapsed = time.time() - started
        if elapsed >= timeout_s:
            process.kill()
            process.communicate()
            return -1, "", f"Process timed out after {elapsed:.2f}s (timeout limit: {timeout_s}s)", elapsed
        time.sleep(poll_interval_s)
    stdout, stderr = process.communicate()
    return process.returncode, stdout, stderr, time.time() - started


def validate_code(
    code: str, *, workdir: Path, config: BaselineConfig, path_map: Sequence[tuple[str, str]] = ()
) -> tuple[bool, str, str]:
    """One ``validate_code`` action: (succeeded, env_message, stdout)."""
    try:
        compile(code, "<string>", "exec")
    except (SyntaxError, ValueError) as exc:
        return False, f"Compilation error occurred for the code: {exc}", ""
    path = workdir / f"validation_code_{time.strftime('%Y%m%d_%H%M%S')}_{uuid.uuid4()}.py"
    path.write_text(prepare_code(code, path_map))
    try:
        returncode, stdout, stderr, _ = run_code_file(
            path, python=config.python, timeout_s=config.exec_timeout_s, poll_interval_s=config.poll_interval_s
        )
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
    message = stdout + ("\n" + stderr if stderr else "")
    if returncode != 0:
        return False, message.replace("^", ""), stdout
    return True, message, stdout


def _chat(client: httpx.Client, messages: list[dict[str, str]], config: BaselineConfig) -> str:
    """One blocking chat-completions call with the whole history (MedAgentGym's retries)."""
    payload = {
        "model": "default",
        "messages": messages,
        "max_tokens": config.max_tokens,
        "temperature": config.temperature,
    }
    for attempt in range(config.retries):
        try:
            response = client.post("/v1/chat/completions", json=payload)
            response.raise_for_status()
            return str(response.json()["choices"][0]["message"]["content"])
        except (httpx.HTTPError, KeyError, IndexError, ValueError):
            if attempt + 1 == config.retries:
                raise
            time.sleep(config.retry_wait_s)
    raise AssertionError("unreachable")


# -- worker processes --------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(config: BaselineConfig) -> None:
    from arollout.tasks.registry import get_suite

    suite = get_suite(config.suite, **config.suite_options)
    workdir = Path(config.out_dir or ".") / "cache"
    workdir.mkdir(parents=True, exist_ok=True)
    _worker.update(
        config=config,
        suite=suite,
        workdir=workdir,
        path_map=[(m.target, m.source) for m in suite.mounts()],
    )


def _ping(_: int) -> int:
    return os.getpid()


def _task_job(job: tuple[Task, int]) -> list[EpisodeResult]:
    task, n = job
    return [_episode(task, index) for index in range(n)]


def _episode(task: Task, sample_index: int) -> EpisodeResult:
    config: BaselineConfig = _worker["config"]
    suite: Suite = _worker["suite"]
    started = time.perf_counter()
    llm_s = env_s = 0.0
    history: list[dict[str, str]] = [
        {"role": "system", "content": suite.instructions()},
        {"role": "user", "content": task.question},
    ]
    solved, turns, error = False, 0, ""
    with httpx.Client(base_url=config.url, timeout=config.request_timeout_s) as client:
        for _ in range(config.max_turns):
            t = time.perf_counter()
            try:
                reply = _chat(client, history, config)
            except httpx.HTTPError as exc:
                error = f"LLM: {exc!r}"
                break
            llm_s += time.perf_counter() - t
            turns += 1
            t = time.perf_counter()
            try:
                action, params = parse_reply(reply)
            except BaselineParseError as exc:
                time.sleep(config.parse_retry_delay_s)
                history.append({"role": "assistant", "content": f"Error: {exc}. Please regenerate the action."})
                history.append({"role": "user", "content": f"error: {exc}"})
                env_s += time.perf_counter() - t
                continue
            history.append({"role": "assistant", "content": reply})
            if action == "validate_code":
                ok, message, stdout = validate_code(
                    params["code"], workdir=_worker["workdir"], config=config, path_map=_worker["path_map"]
                )
                solved = ok and suite.verify(task, stdout).correct
            elif action == "request_info":
                message = suite.request_info(task, params["keyterm"])
            else:
                message = f"The {action} action is not available in this benchmark."
            env_s += time.perf_counter() - t
            if solved:
                break
            history.append({"role": "user", "content": message})
    wall_s = time.perf_counter() - started
    history.append({"result": "success" if solved else "failure"})
    if config.out_dir is not None:
        name = f"history_{task.id}_{sample_index}.json".replace("/", "_")
        (Path(config.out_dir) / name).write_text(json.dumps(history, indent=4))
    return EpisodeResult(
        task_id=task.id,
        sample_index=sample_index,
        solved=solved,
        turns=turns,
        wall_s=wall_s,
        llm_s=llm_s,
        env_s=env_s,
        error=error,
    )


def run_baseline(tasks: Sequence[Task], n: int, config: BaselineConfig) -> tuple[list[EpisodeResult], float]:
    """Sample ``n`` episodes of every task with a pool of ``config.workers`` processes.

    Returns the episodes and the wall time of sampling them, measured after the
    workers have started (pool start-up is excluded, as the engine's is).
    """
    if config.workers < 1 or n < 1:
        raise ValueError("workers and n must be >= 1")
    context = multiprocessing.get_context("spawn")
    with context.Pool(config.workers, initializer=_init_worker, initargs=(config,)) as pool:
        pool.map(_ping, range(config.workers * 4), chunksize=1)
        started = time.perf_counter()
        results: list[EpisodeResult] = []
        for batch in pool.imap_unordered(_task_job, [(task, n) for task in tasks], chunksize=1):
            results.extend(batch)
        elapsed = time.perf_counter() - started
    return results, elapsed
