"""Families -> verified task instances: hidden tests, expected values, questions.

For each family, parameter sets are drawn from its grid in a seeded order.
An instance's reference solution runs in-process on its hidden test inputs to
give the expected values (canonical encodings, see ``runtime``). An instance
is kept only if its tests can tell a right solution from a wrong one:

* at least three distinct expected values (two when they are booleans), so
  no constant function passes, and not every expected value equals the
  first argument, so the identity function fails;
* "siblings" (the same family with one parameter changed, i.e. the neighbouring
  specs) fail at least one test, so an agent that ignores a parameter of
  the description fails too.

When a seed's tests fail these checks, new random inputs are drawn (a few
times) before the parameter set is dropped. Ids hash the suite, family, params
and seed; the split is a pure function of the id.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import random
from typing import TYPE_CHECKING, Any, Final

from arollout.errors import TaskError
from arollout.tasks.base import Answer, Task
from arollout.tasks.biocoder import compare, runtime
from arollout.tasks.biocoder.family import reference_source
from arollout.tasks.biocoder.prompt import question

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from arollout.tasks.biocoder.family import Family, Params

__all__ = (
    "SPLITS",
    "SUITE_NAME",
    "build_family",
    "hidden_tests",
    "load_function",
    "split_of",
    "task_id",
)

SUITE_NAME: Final = "biocoder"
SPLITS: Final = ("train", "valid", "test")
_SPLIT_EDGES: Final = ((70, "train"), (80, "valid"), (100, "test"))
_ATTEMPTS: Final = 4
_SIBLINGS: Final = 2


def task_id(family: Family, params: Params, seed: int) -> str:
    """Stable id: family name plus a hash of suite, family, params and seed."""
    blob = json.dumps([SUITE_NAME, family.name, dict(params), seed], sort_keys=True)
    return f"{SUITE_NAME}/{family.name}/{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


def hidden_tests(task: Task) -> list[dict[str, Any]]:
    """The hidden tests of ``task``: ``label``, encoded ``args`` and ``expect`` per test."""
    return _parse_tests(task.meta["tests"])


@functools.lru_cache(maxsize=512)
def _parse_tests(blob: str) -> list[dict[str, Any]]:
    tests = json.loads(blob)
    assert isinstance(tests, list)
    return tests


def split_of(tid: str) -> str:
    """The split of a task id (70 % train, 10 % valid, 20 % test)."""
    bucket = int(hashlib.sha256(f"split|{tid}".encode()).hexdigest()[:8], 16) % 100
    return next(name for edge, name in _SPLIT_EDGES if bucket < edge)


@functools.lru_cache(maxsize=4096)
def load_function(source: str, name: str, label: str = "reference") -> Callable[..., Any]:
    """Execute ``source`` in a fresh namespace and return its function ``name``.

    Cached: a parameter set is compiled once although it is also the sibling of
    its neighbours (reference functions keep no state between calls).
    """
    namespace: dict[str, Any] = {"__name__": f"biocoder_{label}"}
    exec(compile(source, f"<{label}>", "exec"), namespace)
    fn = namespace.get(name)
    if not callable(fn):
        raise TaskError(f"{label} source does not define {name}()")
    return fn  # type: ignore[no-any-return]


def expected_value(family: Family, fn: Callable[..., Any], encoded_args: list[Any]) -> Any:
    """What the reference returns (or raises) on one test, in canonical form."""
    args = [runtime.decode_input(a) for a in encoded_args]
    try:
        value = fn(*args)
    except Exception as exc:
        if type(exc).__name__ not in family.raises:
            raise TaskError(
                f"the reference of {family.name} raised {type(exc).__name__}: {exc}"
            ) from exc
        return {compare.RAISES: type(exc).__name__}
    # The JSON round trip is exactly what the harness report goes through.
    return json.loads(json.dumps(runtime.encode_output(value), allow_nan=True))


def _outcome(fn: Callable[..., Any], encoded_args: list[Any]) -> dict[str, Any]:
    try:
        value = fn(*[runtime.decode_input(a) for a in encoded_args])
    except Exception as exc:
        return {"x": [c.__name__ for c in type(exc).__mro__ if c is not object]}
    return {"v": json.loads(json.dumps(runtime.encode_output(value), allow_nan=True))}


def passes(
    family: Family, fn: Callable[..., Any], tests: Sequence[dict[str, Any]]
) -> bool:
    """Whether ``fn`` passes every test (stops at the first failure)."""
    for test in tests:
        if not compare.judge(test["expect"], _outcome(fn, test["args"]), family.rel_tol, family.abs_tol).ok:
            return False
    return True


def _degenerate(tests: Sequence[dict[str, Any]]) -> bool:
    values = [t["expect"] for t in tests if not (isinstance(t["expect"], dict) and compare.RAISES in t["expect"])]
    if not values:
        return True
    distinct = {json.dumps(v, sort_keys=True) for v in values}
    floor = 2 if all(isinstance(v, bool) for v in values) else 3
    if len(distinct) < floor:
        return True
    firsts = [json.loads(json.dumps(runtime.encode_output(runtime.decode_input(t["args"][0])))) for t in tests if t["args"]]
    return len(firsts) == len(tests) and all(
        compare.same(t["expect"], f, 0.0, 0.0) for t, f in zip(tests, firsts, strict=True)
    )


def _siblings(family: Family, params: Params, rng: random.Random) -> list[dict[str, Any]]:
    variants = family.variants
    near = [v for v in variants if sum(v[k] != params[k] for k in params) == 1]
    rng.shuffle(near)
    return near[:_SIBLINGS]


def _tests(family: Family, params: Params, fn: Callable[..., Any], rng: random.Random) -> list[dict[str, Any]]:
    tests = []
    for case in family.cases(params, rng):
        args = [runtime.encode_input(copy.deepcopy(a)) for a in case.args]
        tests.append({"label": case.label, "args": args, "expect": expected_value(family, fn, args)})
    return tests


def build_instance(family: Family, params: Params, seed: int) -> Task | None:
    """One verified instance, or ``None`` when no seed gives discriminating tests."""
    tid = task_id(family, params, seed)
    source = reference_source(family, params)
    fn = load_function(source, family.func)
    sibling_fns = [
        load_function(reference_source(family, sib), family.func)
        for sib in _siblings(family, params, random.Random(f"{tid}/siblings"))
    ]
    for attempt in range(_ATTEMPTS):
        tests = _tests(family, params, fn, random.Random(f"{tid}/tests/{attempt}"))
        if _degenerate(tests) or any(passes(family, sib, tests) for sib in sibling_fns):
            continue
        digest = hashlib.sha256(json.dumps([t["expect"] for t in tests]).encode()).hexdigest()
        return Task(
            id=tid,
            suite=SUITE_NAME,
            category=family.name,
            split=split_of(tid),
            question=question(family, params, fn),
            answer=Answer(kind="text", value=f"sha256:{digest}"),
            reference_solution=source,
            meta={
                "family": family.name,
                "topic": family.topic,
                "function": family.func,
                "params": dict(params),
                "rel_tol": family.rel_tol,
                "abs_tol": family.abs_tol,
                "n_tests": len(tests),
                # One JSON string, parsed on use (hidden_tests): loading thousands of tasks
                # then decodes one object per task instead of every test value.
                "tests": json.dumps(tests, allow_nan=True),
            },
        )
    return None


def build_family(family: Family, *, per_family: int, seed: int) -> tuple[list[Task], int]:
    """Up to ``per_family`` instances of ``family`` and how many parameter sets were dropped."""
    order = list(family.variants)
    random.Random(f"{SUITE_NAME}/{seed}/{family.name}/order").shuffle(order)
    tasks: list[Task] = []
    dropped = 0
    seen: set[str] = set()
    for params in order:
        if len(tasks) >= per_family:
            break
        # Parameter sets whose reference solutions coincide (two translation tables with
        # the same stops, for a family that only reads stops) are one spec: keep the first.
        source = reference_source(family, params)
        if source in seen:
            dropped += 1
            continue
        task = build_instance(family, params, seed)
        if task is None or task.question in seen:
            dropped += 1
            continue
        seen.update((source, task.question))
        tasks.append(task)
    return tasks, dropped
