"""Computing expected values: reference solutions run on the host, in worker processes.

The expected value of every output is whatever the task's reference
solution computes, run with the libraries installed here (the same ones the
sandbox uses). The build runs them in separate worker processes (:class:`Evaluator`):
the solutions import lifelines, scikit-learn and matplotlib, write plot
files to their working directory and change global state, none of which
belongs in the engine's process (which may be threaded and serving an
event loop).

A variant is dropped, with the reason recorded, when its solution raises,
warns about convergence, separation or numerical trouble (a fit that did
not converge is not ground truth), when its guard says the data are too thin,
or when an output is missing, non-finite, not an integer where one is due, or
a file that is not a valid image.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from arollout.errors import TaskError
from arollout.tasks.biods.extract import extract_output
from arollout.tasks.biods.png import png_problem

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ("Evaluator", "Job", "run_job")

Job = tuple[str, str, "Sequence[tuple[str, str]]", str]
"""``(key, source, [(output name, kind)], guard source)``."""

#: Warning classes that show through as harmless (the estimate is still exact
#: or the run is unaffected); anything else a solution emits drops the variant.
_HARMLESS: Final = frozenset(
    {
        "DeprecationWarning",
        "PendingDeprecationWarning",
        "FutureWarning",
        "ApproximationWarning",
    }
)


def _init_worker() -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    _memoize_loaders()


def _memoize_loaders() -> None:
    """Serve repeated dataset loads from memory (a copy each time).

    Thousands of reference runs load the same dozen datasets; the loaders are
    pure functions of their arguments, so answering from a cache changes no
    result, only the build time. Synthetic study files are memoized too
    (``pandas.read_csv`` on a path inside a study folder).
    """
    import copy
    import functools
    import importlib

    def memo(function: Any, copier: Any) -> Any:
        cache: dict[str, Any] = {}

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = repr((args, sorted(kwargs.items())))
            if key not in cache:
                cache[key] = function(*args, **kwargs)
            return copier(cache[key])

        return wrapper

    try:
        pd: Any = importlib.import_module("pandas")
        lifelines_datasets = importlib.import_module("lifelines.datasets")
        sklearn_datasets = importlib.import_module("sklearn.datasets")
    except ImportError:  # pragma: no cover - the stack is a declared dependency
        return
    for name in dir(lifelines_datasets):
        if name.startswith("load_"):
            setattr(
                lifelines_datasets, name, memo(getattr(lifelines_datasets, name), copy.deepcopy)
            )
    for name in ("load_breast_cancer", "load_diabetes"):
        setattr(sklearn_datasets, name, memo(getattr(sklearn_datasets, name), copy.deepcopy))
    read_csv = pd.read_csv
    cached_read = memo(read_csv, lambda frame: frame.copy())

    @functools.wraps(read_csv)
    def read(path: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(path, str) and "_synth_" in path:
            return cached_read(path, *args, **kwargs)
        return read_csv(path, *args, **kwargs)

    pd.read_csv = read


def _check_value(kind: str, value: Any) -> str | None:
    if kind in ("number", "integer"):
        if not math.isfinite(value):
            return "a non-finite value"
        if kind == "integer" and not float(value).is_integer():
            return "a non-integral count"
    if kind == "text" and not value.strip():
        return "an empty string"
    if kind in ("list", "set") and not value:
        return "an empty list"
    return None


_WORKDIR: list[str] = []


def _workdir() -> str:
    """One scratch directory per worker process, emptied after every run."""
    if not _WORKDIR:
        _WORKDIR.append(tempfile.mkdtemp(prefix="biods-ref-"))
    return _WORKDIR[0]


def run_job(job: Job) -> tuple[str, dict[str, Any]]:
    """Run one reference solution; ``{"values": {...}}`` or ``{"drop": reason}``."""
    key, source, outputs, guard = job
    namespace: dict[str, Any] = {"__name__": "__main__"}
    here = os.getcwd()
    workdir = _workdir()
    os.chdir(workdir)
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            contextlib.redirect_stdout(io.StringIO()),
        ):
            warnings.simplefilter("always")
            try:
                exec(compile(source, "<reference>", "exec"), namespace)
                if guard:
                    exec(compile(guard, "<guard>", "exec"), namespace)
            except Exception as exc:
                return key, {"drop": f"raised {type(exc).__name__}: {exc}"[:300]}
        noisy = [w for w in caught if w.category.__name__ not in _HARMLESS]
        if noisy:
            w = noisy[0]
            return key, {"drop": f"warned {w.category.__name__}: {w.message}"[:300]}
        if guard and not namespace.get("_keep"):
            return key, {"drop": "the guard rejected the data"}
        values: dict[str, Any] = {}
        for name, kind in outputs:
            if kind == "png":
                path = os.path.join(workdir, name)
                data = open(path, "rb").read() if os.path.isfile(path) else b""
                problem = png_problem(data)
                if problem is not None:
                    return key, {"drop": f"{name}: {problem}"}
                values[name] = True
                continue
            got = extract_output(namespace, name, kind)
            if "error" in got:
                return key, {"drop": f"{name} {got['error']}"}
            bad = _check_value(kind, got["value"])
            if bad is not None:
                return key, {"drop": f"{name} is {bad}"}
            values[name] = int(got["value"]) if kind == "integer" else got["value"]
        return key, {"values": values}
    finally:
        os.chdir(here)
        for entry in os.listdir(workdir):
            path = os.path.join(workdir, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
        plt = __import__("sys").modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")


class Evaluator:
    """Worker processes that run reference solutions: ``with Evaluator(2) as ev: ev.run(jobs)``.

    Workers are plain ``python -m arollout.tasks.biods.evaluate`` subprocesses
    speaking line-delimited JSON (one line of jobs in, one line of results
    out), started on the first :meth:`run` and kept for later rounds. Unlike
    ``multiprocessing``'s spawn they never re-import the caller's ``__main__``,
    so a build works from any script.
    """

    def __init__(self, workers: int) -> None:
        self._count = max(1, workers)
        self._procs: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc, log in self._procs:
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        self._procs = []

    def _start(self) -> None:
        package_root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ, MPLBACKEND="Agg")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        for _ in range(self._count):
            log = tempfile.TemporaryFile()
            proc = subprocess.Popen(
                [sys.executable, "-m", "arollout.tasks.biods.evaluate"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
            )
            self._procs.append((proc, log))

    def run(self, jobs: Sequence[Job]) -> dict[str, dict[str, Any]]:
        """Run ``jobs`` spread over the workers; results by job key.

        Raises:
            TaskError: a worker died (its stderr is in the message).
        """
        if not jobs:
            return {}
        if not self._procs:
            self._start()
        shares = [list(jobs[i :: len(self._procs)]) for i in range(len(self._procs))]
        busy = [
            (proc, log, share)
            for (proc, log), share in zip(self._procs, shares, strict=True)
            if share
        ]
        for proc, _, share in busy:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(share).encode() + b"\n")
            proc.stdin.flush()
        out: dict[str, dict[str, Any]] = {}
        for proc, log, _ in busy:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                log.seek(0)
                tail = log.read()[-2000:].decode(errors="replace")
                raise TaskError(f"a biods reference worker died (status {proc.poll()}): {tail}")
            out.update(dict(json.loads(line)))
        return out


def _serve() -> None:
    """The worker loop: one JSON line of jobs in, one JSON line of results out."""
    _init_worker()
    protocol = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # C-level prints of a solution must not corrupt the protocol
    for line in sys.stdin.buffer:
        jobs = [(k, s, [tuple(o) for o in outs], g) for k, s, outs, g in json.loads(line)]
        results = [run_job(job) for job in jobs]
        protocol.write(json.dumps(results).encode() + b"\n")
        protocol.flush()


if __name__ == "__main__":
    _serve()
